# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every manifest these tests produce is checked against tests/schemas/imagecache-crd.schema.json."""

from __future__ import annotations

import ast
import json
import os

import jsonschema
import pytest
import yaml

from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_manifest import image_cache_manifest

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCHEMA_PATH = os.path.join(TESTS_DIR, "schemas", "imagecache-crd.schema.json")


def load_schema():
    with open(SCHEMA_PATH) as schema_file:
        schema = json.load(schema_file)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


# Built when pytest imports this file, in the process that collects: ansible-test runs every test in a fork of its
# own, so a session fixture would check the schema and build the validator again in each of the 400 forks (about
# 45 CPU-seconds a units run); built here, every fork inherits them. The first validation builds the validator's
# lazy state, which the forks inherit too.
CRD_SCHEMA = load_schema()
CRD_VALIDATOR = jsonschema.Draft202012Validator(CRD_SCHEMA)
CRD_VALIDATOR.is_valid({"apiVersion": "eci.alibabacloud.com/v1", "kind": "ImageCache", "metadata": {"name": "a"}})


@pytest.fixture(scope="session")
def crd_schema():
    return CRD_SCHEMA


@pytest.fixture(scope="session")
def crd_validator():
    return CRD_VALIDATOR


@pytest.fixture
def assert_valid_manifest(crd_validator):
    """Fails the test with every schema error of the manifest; returns the manifest."""

    def check(manifest):
        errors = sorted(crd_validator.iter_errors(manifest), key=lambda error: list(error.absolute_path))
        assert not errors, "manifest does not match the ImageCache schema:\n%s\n%s" % (
            "\n".join("%s: %s" % ("/".join(str(p) for p in error.absolute_path), error.message) for error in errors),
            json.dumps(manifest, indent=2))
        return manifest

    return check


@pytest.fixture
def build(assert_valid_manifest):
    """The filter, whose every result is validated against the CRD schema."""

    def run(settings):
        return assert_valid_manifest(image_cache_manifest(settings))

    return run


@pytest.fixture
def minimal():
    """The smallest valid settings; tests add to a copy."""
    return {"name": "web-cache", "images": ["registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"]}


COLLECTION_ROOT = os.path.dirname(TESTS_DIR)


def read_documentation(relative_path):
    """The DOCUMENTATION of a plugin or doc fragment file, parsed, without importing the file."""
    with open(os.path.join(COLLECTION_ROOT, relative_path)) as source_file:
        tree = ast.parse(source_file.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "DOCUMENTATION" for target in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("no DOCUMENTATION in %s" % relative_path)


@pytest.fixture(scope="session")
def module_options():
    """{option: [aliases]} of eci_image_cache, its doc fragment included."""
    options = {}
    for path in ("plugins/modules/eci_image_cache.py", "plugins/doc_fragments/common.py"):
        for name, spec in read_documentation(path)["options"].items():
            options[name] = list(spec.get("aliases") or [])
    return options


@pytest.fixture(scope="session")
def filter_documentation():
    return read_documentation("plugins/filter/image_cache_manifest.py")


@pytest.fixture(scope="session")
def crd_mapping():
    """The text of docs/crd_mapping.md."""
    with open(os.path.join(COLLECTION_ROOT, "docs", "crd_mapping.md")) as page:
        return page.read()
