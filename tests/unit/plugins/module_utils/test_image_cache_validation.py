# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The validation of one cache's settings before any call (image_cache_validation.py)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
CREATE = dict(name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])


@pytest.mark.parametrize("params, words", [
    (dict(images=[]), ["images", "at least one"]),
    (dict(images=["nginx:%d" % n for n in range(21)]), ["images", "20"]),
    (dict(images=[NGINX, NGINX]), ["images", "more than once"]),
    (dict(image_cache_size=19), ["image_cache_size", "20", "32768"]),
    (dict(image_cache_size=32769), ["image_cache_size", "32768"]),
    (dict(retention_days=0), ["retention_days", "1", "65536"]),
    (dict(retention_days=65537), ["retention_days", "65536"]),
    (dict(vswitch_ids=[]), ["vswitch_ids", "1 to 10"]),
    (dict(vswitch_ids=["vsw-%d" % n for n in range(11)]), ["vswitch_ids", "10"]),
    (dict(vswitch_ids=["vsw-1,vsw-2"]), ["vswitch_ids", "commas"]),
    (dict(flash_copy_count=-1), ["flash_copy_count", "0 or more"]),
    (dict(standard_copy_count=-2), ["standard_copy_count"]),
    (dict(image_registry_credentials=[dict(server="r%d.example.com" % n, username="u", password="p") for n in range(11)]),
     ["image_registry_credentials", "10"]),
    (dict(image_registry_credentials=[dict(server="https://r.example.com", username="u", password="p")]),
     ["image_registry_credentials", "scheme"]),
    (dict(insecure_registries=["http://r.example.com"]), ["insecure_registries", "scheme"]),
    (dict(plain_http_registries=["r.example.com/path"]), ["plain_http_registries"]),
    (dict(acr_registry_info=[dict(instance_id="")]), ["acr_registry_info", "instance_id"]),
    (dict(tags=dict(("k%d" % n, "v") for n in range(21))), ["tags", "20"]),
    (dict(tags={"": "v"}), ["tags", "1 to 128"]),
    (dict(tags={"k" * 129: "v"}), ["tags", "128"]),
    (dict(tags={"aliyun-x": "v"}), ["tags", "aliyun"]),
    (dict(tags={"acs:x": "v"}), ["tags", "acs:"]),
    (dict(tags={"see http://x": "v"}), ["tags", "http://"]),
    (dict(tags={"k": "https://x"}), ["tags", "https://"]),
    (dict(tags={"k": "v" * 129}), ["tags", "128"]),
])
def test_validation_rules_name_the_option(params, words):
    problems = validate_settings(params, creating_possible=False)
    assert problems, params
    text = " ".join(problems)
    for word in words:
        assert word in text


def test_creating_needs_images_security_group_and_vswitch():
    problems = validate_settings(dict(name="web"), creating_possible=True)
    assert problems == ["Creating an image cache needs name, images, security_group_id, vswitch_ids "
                        "(missing: images, security_group_id, vswitch_ids)."]
    assert "missing: name" in validate_settings(dict(CREATE, name=None), creating_possible=True)[0]
    assert validate_settings(CREATE, creating_possible=True) == []
    assert validate_settings(dict(name="web"), creating_possible=False) == []


def test_empty_tag_values_are_allowed():
    assert validate_settings(dict(tags={"k": ""}), creating_possible=False) == []
