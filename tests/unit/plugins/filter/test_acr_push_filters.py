# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""acr_push_images and image_caches_holding: which caches the playbook refresh_on_push may touch."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.eci.plugins.filter.acr_push_images import FilterModule as PushFilters, acr_push_images
from ansible_collections.alibabacloud.eci.plugins.filter.image_caches_holding import FilterModule as HoldingFilters
from ansible_collections.alibabacloud.eci.plugins.filter.image_caches_holding import image_caches_holding

PUSH = {"namespace": "acs", "name": "nginx", "tag": "1.25", "digest": "sha256:" + "ab" * 32, "region": "cn-hangzhou",
        "repo_full_name": "acs/nginx", "pushed_at": "2026-12-07 10:25:46"}


def test_a_region_without_an_entry_has_the_public_and_vpc_endpoints():
    assert acr_push_images(PUSH) == ["registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25",
                                     "registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"]
    assert acr_push_images(PUSH, {"cn-shanghai": ["r.example.com"]}) == acr_push_images(PUSH)


def test_the_region_entry_replaces_the_defaults():
    assert acr_push_images(PUSH, {"cn-hangzhou": ["127.0.0.1:5000", "Reg.Example.com"]}) == [
        "127.0.0.1:5000/acs/nginx:1.25", "Reg.Example.com/acs/nginx:1.25"]


def test_an_instance_id_takes_its_own_entry_and_must_have_one():
    registries = {"cn-hangzhou": ["registry.cn-hangzhou.aliyuncs.com"], "cri-abc": ["team-registry.cn-hangzhou.cr.aliyuncs.com"]}
    assert acr_push_images(PUSH, registries, "cri-abc") == ["team-registry.cn-hangzhou.cr.aliyuncs.com/acs/nginx:1.25"]
    with pytest.raises(AnsibleFilterError, match="acr_registries has no entry for the ACR instance 'cri-xyz'"):
        acr_push_images(PUSH, registries, "cri-xyz")


@pytest.mark.parametrize("registries,message", [
    (["registry.cn-hangzhou.aliyuncs.com"], "acr_registries must be a dict"),
    ({"cn-hangzhou": "registry.cn-hangzhou.aliyuncs.com"}, "must be a non-empty list of registry hosts"),
    ({"cn-hangzhou": []}, "must be a non-empty list of registry hosts"),
    ({"cn-hangzhou": ["https://registry.cn-hangzhou.aliyuncs.com"]}, "is not a registry host"),
    ({"cn-hangzhou": ["registry.cn-hangzhou.aliyuncs.com/acs"]}, "is not a registry host"),
])
def test_bad_registries_are_refused_naming_acr_registries(registries, message):
    with pytest.raises(AnsibleFilterError, match=message):
        acr_push_images(PUSH, registries)


@pytest.mark.parametrize("push,message", [
    ("acs/nginx:1.25", "must be the event's acr_push dict"),
    (dict(PUSH, tag=""), "has no tag"),
    ({"name": "nginx"}, "has no namespace, tag, region"),
    (dict(PUSH, region="cn-hangzhou/../x"), "is not a region id"),
    (dict(PUSH, tag="1.25 ; rm"), "not a valid image reference"),
    (dict(PUSH, name="Nginx"), "not a valid image reference"),
])
def test_events_that_name_no_image_are_refused(push, message):
    with pytest.raises(AnsibleFilterError, match=message):
        acr_push_images(push)


CACHES = [
    {"image_cache_id": "imc-tag", "images": ["registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25", "busybox"]},
    {"image_cache_id": "imc-vpc", "images": ["REGISTRY-VPC.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"]},
    {"image_cache_id": "imc-other-tag", "images": ["registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.26"]},
    {"image_cache_id": "imc-other-repo", "images": ["registry.cn-hangzhou.aliyuncs.com/acs/nginx-exporter:1.25"]},
    {"image_cache_id": "imc-other-host", "images": ["registry.cn-shanghai.aliyuncs.com/acs/nginx:1.25"]},
    {"image_cache_id": "imc-pinned", "images": ["registry.cn-hangzhou.aliyuncs.com/acs/nginx@sha256:" + "ab" * 32]},
    {"image_cache_id": "imc-no-images", "images": []},
    {"image_cache_id": "imc-none"},
]


def test_only_the_caches_holding_one_of_the_references_are_kept():
    held = image_caches_holding(CACHES, acr_push_images(PUSH))
    assert [cache["image_cache_id"] for cache in held] == ["imc-tag", "imc-vpc"]
    assert held[0] is CACHES[0]


def test_references_are_compared_in_canonical_form():
    caches = [{"image_cache_id": "imc-short", "images": ["nginx"]}, {"image_cache_id": "imc-hub", "images": ["index.docker.io/library/nginx:latest"]},
              {"image_cache_id": "imc-1", "images": ["nginx:1"]}]
    assert [c["image_cache_id"] for c in image_caches_holding(caches, ["docker.io/library/nginx:latest"])] == ["imc-short", "imc-hub"]
    assert image_caches_holding(caches, ["registry.cn-hangzhou.aliyuncs.com/library/nginx:latest"]) == []


@pytest.mark.parametrize("caches,images,message", [
    ({"images": []}, ["nginx"], "must be a list of caches"),
    (["imc-1"], ["nginx"], "must be a list of caches"),
    (CACHES, "nginx", "images must be a list"),
    (CACHES, ["http://nginx"], "not a valid image reference"),
])
def test_bad_input_is_refused(caches, images, message):
    with pytest.raises(AnsibleFilterError, match=message):
        image_caches_holding(caches, images)


def test_the_filters_are_registered_under_their_names():
    assert PushFilters().filters() == {"acr_push_images": acr_push_images}
    assert HoldingFilters().filters() == {"image_caches_holding": image_caches_holding}
