# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The comparison of a cache with the settings asked for, the prediction and the diff view (comparison.py)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.comparison import compare, diff_view, predict
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import canonical_image

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
REDIS = "registry.cn-hangzhou.aliyuncs.com/acs/redis:7"
CREATE = dict(name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])
CURRENT = dict(image_cache_id="imc-1", image_cache_name="web", images=[NGINX, REDIS], image_cache_size=20,
               elimination_strategy="", resource_group_id="rg-1", tags={"env": "prod"}, status="Ready")


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
