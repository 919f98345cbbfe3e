# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.network import (
    acr_vpc_registry,
    image_registry,
    public_images,
    snat_covers,
)

VSW = dict(vswitch_id="vsw-1", cidr_block="192.168.1.0/24")


@pytest.mark.parametrize("entry, covered", [
    (dict(source_vswitch_id="vsw-1"), True),
    (dict(source_vswitch_id="vsw-2", source_cidr="192.168.0.0/16"), False),   # the vSwitch id decides when given
    (dict(source_cidr="192.168.0.0/16"), True),
    (dict(source_cidr="192.168.1.0/24"), True),
    (dict(source_cidr="192.168.1.0/25"), False),                              # covers only half of the vSwitch
    (dict(source_cidr="10.0.0.0/8"), False),
    (dict(source_cidr="not-a-cidr"), False),
    (dict(source_vswitch_id="vsw-1", status="Pending"), False),
    (dict(source_vswitch_id="vsw-1", status="Available"), True),
])
def test_snat_covers(entry, covered):
    assert snat_covers(entry, VSW) is covered


@pytest.mark.parametrize("image, registry", [
    ("nginx", "docker.io"), ("library/nginx:1.25", "docker.io"), ("user/app", "docker.io"),
    ("docker.io/library/nginx", "docker.io"), ("localhost/app", "localhost"), ("localhost:5000/app:1", "localhost:5000"),
    ("Registry.Example.com/a/b:1", "registry.example.com"), ("registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx", "registry-vpc.cn-hangzhou.aliyuncs.com"),
])
def test_image_registry(image, registry):
    assert image_registry(image) == registry


@pytest.mark.parametrize("registry, region, expected", [
    ("registry-vpc.cn-hangzhou.aliyuncs.com", "cn-hangzhou", True),
    ("registry-vpc.cn-beijing.aliyuncs.com", "cn-hangzhou", False),          # another region's VPC endpoint
    ("registry.cn-hangzhou.aliyuncs.com", "cn-hangzhou", False),             # the public endpoint
    ("myinst-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "cn-hangzhou", True),
    ("myinst-registry.cn-hangzhou.cr.aliyuncs.com", "cn-hangzhou", False),
])
def test_acr_vpc_registry(registry, region, expected):
    assert acr_vpc_registry(registry, region) is expected


def test_public_images():
    images = ["nginx", "registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1", "harbor.corp:8443/a/b:1", "quay.io/x/y:2"]
    assert public_images(images, "cn-hangzhou", ["HARBOR.corp:8443"]) == ["nginx", "quay.io/x/y:2"]
    assert public_images(None, "cn-hangzhou") == []
