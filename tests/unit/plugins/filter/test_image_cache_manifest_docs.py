# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filter's documentation, docs/crd_mapping.md and the code agree."""

from __future__ import annotations

import re

import yaml

from ansible_collections.alibabacloud.eci.plugins.filter import image_cache_manifest as plugin
from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_manifest import (
    ACR_NOT_IN_CRD,
    ACR_SUPPORTED,
    CPU_ARCHES,
    NOT_IN_CRD,
    OS_TYPES,
    SUPPORTED,
)


def test_documentation_blocks_parse(filter_documentation):
    doc = filter_documentation
    assert doc["name"] == "image_cache_manifest"
    assert doc["version_added"] == "0.1.0"
    assert yaml.safe_load(plugin.RETURN)["_value"]["type"] == "dict"
    examples = yaml.safe_load(plugin.EXAMPLES)
    assert any("alibabacloud.eci.image_cache_manifest" in str(task) for task in examples)


def test_documented_settings_are_the_supported_ones(filter_documentation):
    suboptions = filter_documentation["options"]["_input"]["suboptions"]
    assert list(suboptions) == list(SUPPORTED)
    assert suboptions["cpu_arch"]["choices"] == list(CPU_ARCHES)
    assert suboptions["os_type"]["choices"] == list(OS_TYPES)
    assert list(suboptions["acr_registry_info"]["suboptions"]) == list(ACR_SUPPORTED)


def test_documented_examples_build(build):
    for task in yaml.safe_load(plugin.EXAMPLES):
        given = (task.get("vars") or {}).get("settings")
        if given is not None:
            build(given)


def test_crd_mapping_names_every_module_option(module_options, crd_mapping):
    page = crd_mapping
    mapped = set(re.findall(r"^\| `([a-z_]+)`", page, re.MULTILINE))
    missing = sorted(set(module_options) - mapped)
    assert missing == [], "docs/crd_mapping.md has no row for %s" % ", ".join(missing)


def test_crd_mapping_names_every_setting_and_suboption(crd_mapping):
    page = crd_mapping
    for name in list(SUPPORTED) + list(NOT_IN_CRD) + list(ACR_SUPPORTED) + list(ACR_NOT_IN_CRD):
        assert "`%s`" % name in page, name


def test_crd_mapping_names_every_annotation(crd_mapping):
    page = crd_mapping
    with open(plugin.__file__) as source_file:
        source = source_file.read()
    for annotation in set(re.findall(r'"(k8s\.aliyun\.com/[a-z-]+)"', source)):
        assert "`%s`" % annotation in page, annotation
