# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's patterns match whole strings (issue 23): '$' let a name ending in a new line through, and the twin created
a cache the cloud would refuse."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.tests.emulator import eci
from ansible_collections.alibabacloud.eci.tests.emulator.errors import ApiError
from ansible_collections.alibabacloud.eci.tests.emulator.params import Params


@pytest.mark.parametrize("name", ["web\n", "web\r\n", "\nweb"])
def test_a_name_with_a_new_line_is_refused(name):
    with pytest.raises(ApiError):
        eci._name(Params({"ImageCacheName": name}), required=True)


def test_a_plain_name_is_taken():
    assert eci._name(Params({"ImageCacheName": "web-1"}), required=True) == "web-1"


def test_a_resource_group_with_a_new_line_is_refused():
    assert eci.RESOURCE_GROUP_RE.match("rg-abc") and not eci.RESOURCE_GROUP_RE.match("rg-abc\n")


def test_an_indexed_key_with_a_new_line_is_refused():
    with pytest.raises(ApiError, match="positive list index"):
        Params({"Image.1\n": "nginx", "Image.2": "redis"}).get_list("Image")
