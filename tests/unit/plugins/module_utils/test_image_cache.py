# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache import (
    canonical_image,
    compare,
    diff_view,
    predict,
    tag_changes,
    validate_settings,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import image_problem

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
REDIS = "registry.cn-hangzhou.aliyuncs.com/acs/redis:7"
CREATE = dict(name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])
CURRENT = dict(image_cache_id="imc-1", image_cache_name="web", images=[NGINX, REDIS], image_cache_size=20,
               elimination_strategy="", resource_group_id="rg-1", tags={"env": "prod"}, status="Ready")


# ---------------------------------------------------------------- comparison

@pytest.mark.parametrize("params, differences", [
    (dict(name="web", images=[REDIS, NGINX]), []),                      # order does not matter
    (dict(name="web", images=[NGINX]), ["images"]),
    (dict(name="web", image_cache_size=20), []),
    (dict(name="web", image_cache_size=40), ["image_cache_size"]),
    (dict(name="web", elimination_strategy=""), []),
    (dict(name="web", elimination_strategy="LRU"), ["elimination_strategy"]),
    (dict(name="web", resource_group_id="rg-2"), ["resource_group_id"]),
    (dict(name="web-2"), ["image_cache_name"]),
    # settings the API does not return never count as differences
    (dict(name="web", retention_days=7, security_group_id="sg-9", vswitch_ids=["vsw-9"], flash=True), []),
])
def test_compare(params, differences):
    assert compare(CURRENT, params) == differences


@pytest.mark.parametrize("given, canonical", [
    ("nginx", "docker.io/library/nginx:latest"),
    ("nginx:1.25", "docker.io/library/nginx:1.25"),
    ("library/nginx:1.25", "docker.io/library/nginx:1.25"),
    ("index.docker.io/library/nginx:1.25", "docker.io/library/nginx:1.25"),
    ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
    ("localhost:5000/app", "localhost:5000/app:latest"),
    ("localhost/app:1", "localhost/app:1"),
    (NGINX, NGINX),
    ("nginx@sha256:" + "a" * 64, "docker.io/library/nginx@sha256:" + "a" * 64),
])
def test_canonical_image(given, canonical):
    assert canonical_image(given) == canonical


def test_images_compare_in_canonical_form():
    # echo_images: normalized - the cloud returns docker.io/library/nginx:1.25 for nginx:1.25
    current = dict(CURRENT, images=["docker.io/library/nginx:1.25", "docker.io/bitnami/redis:latest"])
    assert compare(current, dict(images=["bitnami/redis", "nginx:1.25"])) == []
    assert compare(current, dict(images=["nginx:1.26", "bitnami/redis"])) == ["images"]


def test_elimination_strategy_missing_from_the_api_equals_empty():
    assert compare(dict(CURRENT, elimination_strategy=None), dict(elimination_strategy="")) == []


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


def test_predict_applies_desired_settings_and_tags():
    after = predict(CURRENT, dict(name="web", images=[NGINX], image_cache_size=40, tags={"team": "a"}, purge_tags=False,
                                  wait=True), "cn-hangzhou")
    assert after["images"] == [NGINX] and after["image_cache_size"] == 40
    assert after["tags"] == {"env": "prod", "team": "a"}
    assert after["status"] == "Ready" and after["image_cache_id"] == "imc-1"
    created = predict(None, dict(CREATE, tags={"x": "1"}, purge_tags=True, wait=False), "cn-hangzhou")
    assert created["image_cache_id"] is None and created["status"] == "Preparing" and created["tags"] == {"x": "1"}


def test_diff_view_hides_moving_parts():
    view = diff_view(dict(CURRENT, progress="42%", events=[{"message": "x"}]))
    assert "progress" not in view and "events" not in view
    assert view["images"] == sorted([NGINX, REDIS])
    assert diff_view(None) == {}


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("image", [
    NGINX, "nginx", "nginx:1.25", "library/nginx", "docker.io/library/nginx:latest", "localhost:5000/app:v1",
    "registry.example.com/a/b/c:1.0-rc1", "nginx@sha256:" + "a" * 64, "registry-vpc.cn-hangzhou.aliyuncs.com/eci_open/nginx:1.15.10-perl",
])
def test_valid_images(image):
    assert image_problem(image) is None


@pytest.mark.parametrize("image", [
    "", " ", "https://registry.example.com/app:1", "Nginx:1", "nginx:", "nginx:1 2", "registry.example.com/app:tag/x",
    "nginx@sha256:xyz", "-bad/app", "app::1",
])
def test_malformed_images(image):
    assert "images" in image_problem(image)


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
