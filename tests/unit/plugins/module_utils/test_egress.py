# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The egress reasoning of eci_network_info (egress.py): pure functions over described resources."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.egress import (
    acr_vpc_region,
    acr_vpc_registry,
    nat_gateway_problem,
    other_region_images,
    private_address,
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


@pytest.mark.parametrize("gateway, problem", [
    (dict(status="Available", network_type="internet"), None),
    (dict(status="Available", network_type=None), None),                 # an older answer without NetworkType
    (dict(status="Deleting", network_type="internet"), "the NAT gateway is Deleting, not Available"),
    (dict(status="Creating", network_type="internet"), "the NAT gateway is Creating, not Available"),
    (dict(status="Available", network_type="intranet"),
     "it is a VPC NAT gateway (NetworkType intranet), which does not reach the internet"),
])
def test_nat_gateway_problem(gateway, problem):
    assert nat_gateway_problem(gateway) == problem


@pytest.mark.parametrize("registry, vpc_cidrs, private", [
    ("10.1.2.3", (), True), ("10.1.2.3:5000", (), True), ("172.16.0.1", (), True), ("172.31.255.254:443", (), True),
    ("172.32.0.1", (), False), ("192.168.10.5:8443", (), True), ("100.64.0.5", (), True), ("100.127.255.1", (), True),
    ("100.128.0.1", (), False), ("8.8.8.8", (), False), ("47.96.1.1:5000", ("47.96.0.0/16",), True),
    ("47.97.1.1", ("47.96.0.0/16", "bad"), False), ("[fd00::1]:5000", (), True), ("[2001:db8::1]:5000", (), False),
    ("harbor.corp.example:8443", (), False), ("docker.io", ("10.0.0.0/8",), False),
])
def test_private_address(registry, vpc_cidrs, private):
    assert private_address(registry, vpc_cidrs) is private


def test_registries_at_private_addresses_are_not_on_the_internet():
    images = ["10.0.0.5:5000/team/app:1", "192.168.1.10/app", "172.20.3.4:443/x", "100.64.1.1/y", "47.96.1.1:5000/z",
              "8.8.8.8/public", "registry.example.com/public"]
    assert public_images(images, "cn-hangzhou", (), ["47.96.0.0/16"]) == ["8.8.8.8/public", "registry.example.com/public"]


@pytest.mark.parametrize("registry, region", [
    ("registry-vpc.cn-beijing.aliyuncs.com", "cn-beijing"),
    ("REGISTRY-VPC.cn-beijing.aliyuncs.com:443", "cn-beijing"),
    ("myinst-registry-vpc.eu-central-1.cr.aliyuncs.com", "eu-central-1"),
    ("registry.cn-beijing.aliyuncs.com", None),
    ("myinst-registry.cn-beijing.cr.aliyuncs.com", None),
    ("docker.io", None),
])
def test_acr_vpc_region(registry, region):
    assert acr_vpc_region(registry) == region


def test_another_regions_vpc_endpoint_is_not_on_the_internet_and_no_nat_is_advised():
    """Issue 24: registry-vpc.<other region> was called a registry on the internet, and a NAT gateway advised."""
    images = ["registry-vpc.cn-beijing.aliyuncs.com/acs/nginx:1", "myinst-registry-vpc.cn-shanghai.cr.aliyuncs.com/a/b:1",
              "registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1", "registry.cn-beijing.aliyuncs.com/acs/nginx:1"]
    assert public_images(images, "cn-hangzhou") == ["registry.cn-beijing.aliyuncs.com/acs/nginx:1"]
    found = other_region_images(images, "cn-hangzhou")
    assert [(f["image"], f["registry_region"]) for f in found] == [
        ("registry-vpc.cn-beijing.aliyuncs.com/acs/nginx:1", "cn-beijing"),
        ("myinst-registry-vpc.cn-shanghai.cr.aliyuncs.com/a/b:1", "cn-shanghai")]
    message = found[0]["message"]
    assert "the VPCs of cn-hangzhou cannot reach" in message and "not on the internet" in message
    assert "a NAT gateway does not help" in message and "Add an SNAT entry" not in message
    assert "registry-vpc.cn-hangzhou.aliyuncs.com" in message and "registry.cn-beijing.aliyuncs.com" in message
    assert other_region_images(None, "cn-hangzhou") == []
