# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tag changes (tags.py): what to set and unset, and which tags are never removed."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import tag_changes


@pytest.mark.parametrize("current, desired, purge, expected", [
    ({"a": "1"}, None, True, ({}, [])),                                  # tags not given: leave alone
    ({"a": "1", "b": "2"}, {"a": "1"}, True, ({}, ["b"])),
    ({"a": "1", "b": "2"}, {"a": "1"}, False, ({}, [])),
    ({"a": "1"}, {"a": "2", "c": ""}, True, ({"a": "2", "c": ""}, [])),
    ({"a": "1", "z": "9"}, {}, True, ({}, ["a", "z"])),                 # tags: {} with purge removes all
    # system tags are never purged: the cloud refuses it (like aws: tags in amazon.aws)
    ({"acs:ecs:owner": "x", "aliyun-x": "y", "Aliyun.z": "1", "a": "1"}, {"b": "2"}, True, ({"b": "2"}, ["a"])),
])
def test_tag_changes(current, desired, purge, expected):
    assert tag_changes(current, desired, purge) == expected
