# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The docs of the module, the filter and the role state the API limits of module_utils/limits.py."""

from __future__ import annotations

import ast
import pathlib

import yaml

from ansible_collections.alibabacloud.eci.plugins.module_utils import limits
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import MAX_USER_TAGS
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache

ROOT = pathlib.Path(__file__).resolve().parents[4]


def _text(description):
    return " ".join(description) if isinstance(description, list) else description


def test_module_docs_state_the_limits():
    options = yaml.safe_load(eci_image_cache.DOCUMENTATION)["options"]
    assert "%d to %d" % (limits.MIN_SIZE_GIB, limits.MAX_SIZE_GIB) in _text(options["image_cache_size"]["description"])
    assert "%d to %d" % (limits.MIN_RETENTION_DAYS, limits.MAX_RETENTION_DAYS) in _text(options["retention_days"]["description"])
    assert "1 to %d" % limits.MAX_IMAGES in _text(options["images"]["description"])
    assert "1 to %d" % limits.MAX_VSWITCHES in _text(options["vswitch_ids"]["description"])
    tags = _text(options["tags"]["description"])
    # Two of the cloud's MAX_TAGS are the collection's records (tags.COLLECTION_TAG_KEYS).
    assert "At most %d" % MAX_USER_TAGS in tags and MAX_USER_TAGS == limits.MAX_TAGS - 2 and "1 to %d characters" % limits.MAX_TAG_LENGTH in tags


def test_filter_docs_state_the_limits():
    # Read, not imported: filters need the controller, which module_utils unit tests do not have.
    tree = ast.parse((ROOT / "plugins" / "filter" / "image_cache_manifest.py").read_text())
    documentation = [node.value.value for node in tree.body
                     if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION"][0]
    options = yaml.safe_load(documentation)["options"]["_input"]["suboptions"]
    assert "%d to %d" % (limits.MIN_SIZE_GIB, limits.MAX_SIZE_GIB) in _text(options["image_cache_size"]["description"])
    assert "%d to %d" % (limits.MIN_RETENTION_DAYS, limits.MAX_RETENTION_DAYS) in _text(options["retention_days"]["description"])
    assert "1 to %d" % limits.MAX_IMAGES in _text(options["images"]["description"])


def test_role_docs_state_the_limits():
    spec = yaml.safe_load((ROOT / "roles" / "image_cache" / "meta" / "argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    assert "%d to %d" % (limits.MIN_SIZE_GIB, limits.MAX_SIZE_GIB) in _text(options["image_cache_size"]["description"])
    assert "%d to %d" % (limits.MIN_RETENTION_DAYS, limits.MAX_RETENTION_DAYS) in _text(
        options["image_cache_retention_days"]["description"])
