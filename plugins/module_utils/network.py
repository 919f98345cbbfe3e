# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VPC 2016-04-28 and ECS 2014-05-26 read calls for the network an image cache is built in.

One function per API call, each returning snake_case dicts (tags as dicts), or
None for a resource that does not exist. The reasoning over what they return
(which images need the internet, which vSwitches have a way out) is in egress.py.
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType
from typing import Any, Callable, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import Connection

PAGE_SIZE = 50
# DescribeSecurityGroups pages with NextToken/MaxResults (the ECS SDK marks PageNumber/PageSize as going away).
MAX_RESULTS = 100

# The SDKs this module's calls need: import name -> pip name (for missing_required_lib).
SDKS = (("alibabacloud_vpc20160428", "alibabacloud-vpc20160428"), ("alibabacloud_ecs20140526", "alibabacloud-ecs20140526"))


def missing_sdks() -> list[str]:
    """The pip names of the VPC/ECS SDKs that cannot be imported (found without importing them: that is slow)."""
    return [pip_name for import_name, pip_name in SDKS if importlib.util.find_spec(import_name) is None]


def _vpc_models() -> ModuleType:
    from alibabacloud_vpc20160428 import models
    return models


def _ecs_models() -> ModuleType:
    from alibabacloud_ecs20140526 import models
    return models


def _tags(container: Mapping[str, Any] | None, key_field: str = "Key", value_field: str = "Value") -> dict[str, Any]:
    """The SDKs' {'Tag': [{'Key': k, 'Value': v}]} (or TagKey/TagValue) as {k: v}."""
    result: dict[str, Any] = {}
    for tag in (container or {}).get("Tag") or []:
        key = tag.get(key_field, tag.get("TagKey"))
        if key is not None:
            result[key] = tag.get(value_field, tag.get("TagValue")) or ""
    return result


def _pages(connection: Connection, service: str, action: str, method_name: str, request: Any,
           items: Callable[[dict[str, Any]], list[Any]]) -> list[Any]:
    """Every item of a PageNumber/PageSize listing; items(body_map) picks the list out of one page."""
    request.page_size = PAGE_SIZE
    request.page_number = 1
    collected: list[Any] = []
    while True:
        body = connection.call(service, action, method_name, request).to_map()
        page = items(body)
        collected.extend(page)
        if not page or len(collected) >= int(body.get("TotalCount") or 0):
            return collected
        request.page_number += 1


def _token_pages(connection: Connection, service: str, action: str, method_name: str, request: Any,
                 items: Callable[[dict[str, Any]], list[Any]]) -> list[Any]:
    """Every item of a NextToken/MaxResults listing; stops at an empty or repeated NextToken."""
    request.max_results = MAX_RESULTS
    collected: list[Any] = []
    seen: set[str] = set()
    while True:
        body = connection.call(service, action, method_name, request).to_map()
        collected.extend(items(body))
        token = body.get("NextToken") or ""
        if not token or token in seen:
            return collected
        seen.add(token)
        request.next_token = token


def _listing(container: str, item: str) -> Callable[[dict[str, Any]], list[Any]]:
    """Picks body[container][item] (the wrapped lists of the VPC and ECS APIs) out of one page."""
    return lambda body: (body.get(container) or {}).get(item) or []


def _describe_one(connection: Connection, service: str, action: str, method_name: str, request: Any,
                  listing: Callable[[dict[str, Any]], list[Any]], id_field: str, wanted: str,
                  pages: Callable[..., list[Any]] = _pages) -> dict[str, Any] | None:
    """The raw item whose id_field is `wanted` in a listing filtered by that id, or None."""
    found = pages(connection, service, action, method_name, request, listing)
    return next((item for item in found if item.get(id_field) == wanted), None)


def describe_vswitch(connection: Connection, vswitch_id: str) -> dict[str, Any] | None:
    """DescribeVSwitches for one id; None when it does not exist in the region."""
    models = _vpc_models()
    request = models.DescribeVSwitchesRequest(region_id=connection.region, v_switch_id=vswitch_id)
    item = _describe_one(connection, "vpc", "DescribeVSwitches", "describe_vswitches_with_options", request,
                         _listing("VSwitches", "VSwitch"), "VSwitchId", vswitch_id)
    if item is None:
        return None
    return dict(vswitch_id=vswitch_id, vpc_id=item.get("VpcId"), zone_id=item.get("ZoneId"), status=item.get("Status"),
                cidr_block=item.get("CidrBlock"), available_ip_address_count=item.get("AvailableIpAddressCount"),
                name=item.get("VSwitchName"), tags=_tags(item.get("Tags")))


def describe_vpc(connection: Connection, vpc_id: str) -> dict[str, Any] | None:
    """DescribeVpcs for one id; None when it does not exist in the region."""
    models = _vpc_models()
    request = models.DescribeVpcsRequest(region_id=connection.region, vpc_id=vpc_id)
    item = _describe_one(connection, "vpc", "DescribeVpcs", "describe_vpcs_with_options", request,
                         _listing("Vpcs", "Vpc"), "VpcId", vpc_id)
    if item is None:
        return None
    return dict(vpc_id=vpc_id, cidr_block=item.get("CidrBlock"), status=item.get("Status"), name=item.get("VpcName"),
                tags=_tags(item.get("Tags")))


def describe_security_group(connection: Connection, security_group_id: str) -> dict[str, Any] | None:
    """DescribeSecurityGroups for one id; None when it does not exist in the region."""
    models = _ecs_models()
    request = models.DescribeSecurityGroupsRequest(region_id=connection.region,
                                                   security_group_ids=json.dumps([security_group_id]))
    item = _describe_one(connection, "ecs", "DescribeSecurityGroups", "describe_security_groups_with_options", request,
                         _listing("SecurityGroups", "SecurityGroup"), "SecurityGroupId", security_group_id,
                         pages=_token_pages)
    if item is None:
        return None
    return dict(security_group_id=security_group_id, vpc_id=item.get("VpcId"), security_group_type=item.get("SecurityGroupType"),
                name=item.get("SecurityGroupName"), tags=_tags(item.get("Tags"), "TagKey", "TagValue"))


def describe_nat_gateways(connection: Connection, vpc_id: str) -> list[dict[str, Any]]:
    """DescribeNatGateways of a VPC, each with its SNAT table ids (entries come from describe_snat_entries)."""
    models = _vpc_models()
    request = models.DescribeNatGatewaysRequest(region_id=connection.region, vpc_id=vpc_id)
    found = _pages(connection, "vpc", "DescribeNatGateways", "describe_nat_gateways_with_options", request,
                   _listing("NatGateways", "NatGateway"))
    return [dict(nat_gateway_id=item.get("NatGatewayId"), vpc_id=item.get("VpcId") or vpc_id, name=item.get("Name"),
                 status=item.get("Status"), network_type=item.get("NetworkType") or None,
                 snat_table_ids=list((item.get("SnatTableIds") or {}).get("SnatTableId") or []))
            for item in found]


def describe_snat_entries(connection: Connection, snat_table_id: str) -> list[dict[str, Any]]:
    """DescribeSnatTableEntries of one SNAT table."""
    models = _vpc_models()
    request = models.DescribeSnatTableEntriesRequest(region_id=connection.region, snat_table_id=snat_table_id)
    found = _pages(connection, "vpc", "DescribeSnatTableEntries", "describe_snat_table_entries_with_options", request,
                   _listing("SnatTableEntries", "SnatTableEntry"))
    return [dict(snat_entry_id=item.get("SnatEntryId"), snat_table_id=item.get("SnatTableId") or snat_table_id,
                 source_vswitch_id=item.get("SourceVSwitchId") or None, source_cidr=item.get("SourceCIDR") or None,
                 snat_ip=item.get("SnatIp"), status=item.get("Status"))
            for item in found]


def describe_eip(connection: Connection, allocation_id: str) -> dict[str, Any] | None:
    """DescribeEipAddresses for one EIP; None when it does not exist. bound: attached to some instance."""
    models = _vpc_models()
    request = models.DescribeEipAddressesRequest(region_id=connection.region, allocation_id=allocation_id)
    item = _describe_one(connection, "vpc", "DescribeEipAddresses", "describe_eip_addresses_with_options", request,
                         _listing("EipAddresses", "EipAddress"), "AllocationId", allocation_id)
    if item is None:
        return None
    return dict(allocation_id=allocation_id, ip_address=item.get("IpAddress"), status=item.get("Status"),
                instance_type=item.get("InstanceType") or None, instance_id=item.get("InstanceId") or None,
                bound=item.get("Status") != "Available" or bool(item.get("InstanceId")), tags=_tags(item.get("Tags")))
