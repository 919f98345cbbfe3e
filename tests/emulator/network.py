# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPC 2016-04-28 and ECS 2014-05-26 read actions over the network fixtures, and the network rules
CreateImageCache/UpdateImageCache apply (free IP addresses, bound EIPs, a route to the internet).

Response shapes are those the official SDK models parse (alibabacloud-vpc20160428 7.x,
alibabacloud-ecs20140526 7.x): lists are wrapped, e.g. {"VSwitches": {"VSwitch": [...]}}.
Only fields the fixtures can fill sensibly are returned; nothing the cloud lacks is invented.
"""

from __future__ import annotations

import ipaddress
import json

from .context import Context, decode_token, encode_token, region_of
from .errors import ApiError, invalid, missing, not_found
from .params import Params
from .state import State

DEFAULT_PAGE_SIZE = 10
VPC_MAX_PAGE_SIZE = 50  # DescribeVSwitches, DescribeVpcs, DescribeNatGateways, DescribeSnatTableEntries
EIP_MAX_PAGE_SIZE = 100  # DescribeEipAddresses
ECS_MAX_PAGE_SIZE = 50  # DescribeSecurityGroups (PageSize); MaxResults goes to 100
ECS_MAX_RESULTS = 100
MAX_IDS = {'VpcId': 20, 'VSwitchId': 20, 'AllocationId': 50, 'NatGatewayId': 20, 'SecurityGroupIds': 100}


# -- request helpers -------------------------------------------------------------------------------------
def _ids(p: Params, name: str) -> set | None:
    """An ID filter: one ID or several separated by commas (None when not sent)."""
    value = p.get_str(name)
    if not value:
        return None
    ids = {v.strip() for v in value.split(',') if v.strip()}
    if len(ids) > MAX_IDS.get(name, 20):
        raise invalid(name, f'At most {MAX_IDS.get(name, 20)} IDs are allowed, got {len(ids)}.')
    return ids


def _json_ids(p: Params, name: str) -> set | None:
    """ECS list parameters travel as a JSON array string: SecurityGroupIds='["sg-a","sg-b"]'."""
    value = p.get_str(name)
    if not value:
        return None
    try:
        ids = json.loads(value)
    except ValueError:
        ids = None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise invalid(name, 'Give a JSON array of IDs, for example ["sg-xxx", "sg-yyy"].')
    if len(ids) > MAX_IDS[name]:
        raise invalid(name, f'At most {MAX_IDS[name]} IDs are allowed, got {len(ids)}.')
    return set(ids)


def _tag_filter(p: Params) -> dict:
    tags = {}
    for obj in p.get_objects('Tag', max_items=20):
        if not obj.get('Key'):
            raise missing(f'Tag.{obj["_index"]}.Key')
        tags[obj['Key']] = obj.get('Value')
    return tags


def _tags_match(item: dict, tags: dict) -> bool:
    have = item['tags']
    return all(k in have and (v is None or have[k] == v) for k, v in tags.items())


def _page(p: Params, items: list, max_size: int) -> tuple[list, dict]:
    """PageNumber (from 1) / PageSize paging; the body keys TotalCount, PageNumber, PageSize."""
    number = p.get_int('PageNumber', 1, default=1)
    size = p.get_int('PageSize', 1, max_size, default=DEFAULT_PAGE_SIZE)
    start = (number - 1) * size
    return items[start:start + size], {'TotalCount': len(items), 'PageNumber': number, 'PageSize': size}


def _in_region(ctx: Context, kind: str, region: str) -> list:
    return [item for item in ctx.state.fixtures[kind] if item['region'] == region]


def _common(item: dict) -> dict:
    return {'CreationTime': item['creation_time'], 'Description': item['description'], 'ResourceGroupId': item['resource_group_id']}


def _key_value_tags(item: dict) -> dict:
    """VPC style: {"Tag": [{"Key", "Value"}]} (vSwitches, VPCs, EIPs)."""
    return {'Tag': [{'Key': k, 'Value': v} for k, v in item['tags'].items()]}


def _tag_key_value_tags(item: dict) -> dict:
    """{"Tag": [{"TagKey", "TagValue"}]} (NAT gateways, ECS security groups)."""
    return {'Tag': [{'TagKey': k, 'TagValue': v} for k, v in item['tags'].items()]}


# -- VPC 2016-04-28 --------------------------------------------------------------------------------------
def describe_vswitches(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    ids, vpc_id, zone_id, name = _ids(p, 'VSwitchId'), p.get_str('VpcId'), p.get_str('ZoneId'), p.get_str('VSwitchName')
    is_default = p.get_bool('IsDefault')
    tags = _tag_filter(p)
    rows = [v for v in _in_region(ctx, 'vswitches', region)
            if (ids is None or v['id'] in ids) and (not vpc_id or v['vpc_id'] == vpc_id) and (not zone_id or v['zone_id'] == zone_id)
            and (not name or v['name'] == name) and (is_default is None or bool(v.get('is_default')) == is_default)
            and _tags_match(v, tags)]
    page, paging = _page(p, rows, VPC_MAX_PAGE_SIZE)
    vswitches = []
    for vsw in page:
        row = {'VSwitchId': vsw['id'], 'VpcId': vsw['vpc_id'], 'ZoneId': vsw['zone_id'], 'VSwitchName': vsw['name'],
               'Status': vsw['status'], 'AvailableIpAddressCount': vsw['available_ip_address_count'],
               'IsDefault': bool(vsw.get('is_default')), 'Tags': _key_value_tags(vsw)}
        if vsw.get('cidr_block'):
            row['CidrBlock'] = vsw['cidr_block']
        row.update(_common(vsw))
        vswitches.append(row)
    return dict(paging, VSwitches={'VSwitch': vswitches})


def describe_vpcs(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    ids, name = _ids(p, 'VpcId'), p.get_str('VpcName')
    is_default = p.get_bool('IsDefault')
    tags = _tag_filter(p)
    rows = [v for v in _in_region(ctx, 'vpcs', region)
            if (ids is None or v['id'] in ids) and (not name or v['name'] == name)
            and (is_default is None or bool(v.get('is_default')) == is_default) and _tags_match(v, tags)]
    page, paging = _page(p, rows, VPC_MAX_PAGE_SIZE)
    vpcs = []
    for vpc in page:
        row = {'VpcId': vpc['id'], 'VpcName': vpc['name'], 'RegionId': region, 'Status': vpc['status'],
               'IsDefault': bool(vpc.get('is_default')),
               'VSwitchIds': {'VSwitchId': [v['id'] for v in _in_region(ctx, 'vswitches', region) if v['vpc_id'] == vpc['id']]},
               'NatGatewayIds': {'NatGatewayIds': [g['id'] for g in _in_region(ctx, 'nat_gateways', region) if g['vpc_id'] == vpc['id']]},
               'Tags': _key_value_tags(vpc)}
        if vpc.get('cidr_block'):
            row['CidrBlock'] = vpc['cidr_block']
        row.update(_common(vpc))
        vpcs.append(row)
    return dict(paging, Vpcs={'Vpc': vpcs})


def describe_nat_gateways(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    ids, vpc_id, name, status = _ids(p, 'NatGatewayId'), p.get_str('VpcId'), p.get_str('Name'), p.get_str('Status')
    tags = _tag_filter(p)
    rows = [g for g in _in_region(ctx, 'nat_gateways', region)
            if (ids is None or g['id'] in ids) and (not vpc_id or g['vpc_id'] == vpc_id) and (not name or g['name'] == name)
            and (not status or g['status'] == status) and _tags_match(g, tags)]
    page, paging = _page(p, rows, VPC_MAX_PAGE_SIZE)
    gateways = []
    for gateway in page:
        bound = [e for e in _in_region(ctx, 'eips', region) if e['instance_id'] == gateway['id']]
        used = {entry['snat_ip'] for entry in gateway['snat_entries']}
        row = {'NatGatewayId': gateway['id'], 'VpcId': gateway['vpc_id'], 'Name': gateway['name'], 'RegionId': region,
               'Status': gateway['status'], 'NatType': str(gateway.get('nat_type') or 'Enhanced'),
               'NetworkType': str(gateway.get('network_type') or 'internet'),
               'SnatTableIds': {'SnatTableId': [gateway['snat_table_id']]},
               'IpLists': {'IpList': [{'AllocationId': e['id'], 'IpAddress': e['ip_address'], 'SnatEntryEnabled': e['ip_address'] in used,
                                       'UsingStatus': 'UsedBySnatTable' if e['ip_address'] in used else 'Idle'} for e in bound]},
               'Tags': _tag_key_value_tags(gateway)}
        if gateway.get('vswitch_id'):
            row['NatGatewayPrivateInfo'] = {'VswitchId': gateway['vswitch_id']}
        row.update(_common(gateway))
        gateways.append(row)
    return dict(paging, NatGateways={'NatGateway': gateways})


def describe_snat_table_entries(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    table_id, gateway_id = p.get_str('SnatTableId'), p.get_str('NatGatewayId')
    if not table_id and not gateway_id:
        # The API needs SnatTableId or NatGatewayId.
        raise missing('SnatTableId')
    filters = {'source_vswitch_id': p.get_str('SourceVSwitchId'), 'source_cidr': p.get_str('SourceCIDR'),
               'snat_ip': p.get_str('SnatIp'), 'name': p.get_str('SnatEntryName')}
    entry_ids = _ids(p, 'SnatEntryId')
    rows = []
    for gateway in _in_region(ctx, 'nat_gateways', region):
        if (table_id and gateway['snat_table_id'] != table_id) or (gateway_id and gateway['id'] != gateway_id):
            continue
        for entry in gateway['snat_entries']:
            if (entry_ids is None or entry['id'] in entry_ids) and all(not v or entry[k] == v for k, v in filters.items()):
                rows.append({'SnatEntryId': entry['id'], 'SnatEntryName': entry['name'], 'SnatTableId': gateway['snat_table_id'],
                             'NatGatewayId': gateway['id'], 'SourceVSwitchId': entry['source_vswitch_id'],
                             'SourceCIDR': entry['source_cidr'], 'SnatIp': entry['snat_ip'], 'Status': entry['status']})
    page, paging = _page(p, rows, VPC_MAX_PAGE_SIZE)
    return dict(paging, SnatTableEntries={'SnatTableEntry': page})


def describe_eip_addresses(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    ids = _ids(p, 'AllocationId')
    filters = {'status': p.get_str('Status'), 'ip_address': p.get_str('EipAddress'), 'name': p.get_str('EipName'),
               'instance_type': p.get_str('AssociatedInstanceType'), 'instance_id': p.get_str('AssociatedInstanceId')}
    tags = _tag_filter(p)
    rows = [e for e in _in_region(ctx, 'eips', region)
            if (ids is None or e['id'] in ids) and all(not v or e[k] == v for k, v in filters.items()) and _tags_match(e, tags)]
    page, paging = _page(p, rows, EIP_MAX_PAGE_SIZE)
    eips = []
    for eip in page:
        # Unbound EIPs answer InstanceType/InstanceId "" like the cloud.
        row = {'AllocationId': eip['id'], 'IpAddress': eip['ip_address'], 'Status': eip['status'], 'Name': eip['name'],
               'InstanceType': eip['instance_type'], 'InstanceId': eip['instance_id'],
               'InstanceRegionId': region if eip['instance_id'] else '', 'RegionId': region,
               'AllocationTime': eip['creation_time'], 'Description': eip['description'], 'ResourceGroupId': eip['resource_group_id'],
               'Tags': _key_value_tags(eip)}
        if eip.get('bandwidth') is not None:
            row['Bandwidth'] = str(eip['bandwidth'])
        eips.append(row)
    return dict(paging, EipAddresses={'EipAddress': eips})


# -- ECS 2014-05-26 --------------------------------------------------------------------------------------
def describe_security_groups(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    ids = _json_ids(p, 'SecurityGroupIds')
    single = p.get_str('SecurityGroupId')
    if single:
        ids = {single} if ids is None else ids & {single}
    filters = {'vpc_id': p.get_str('VpcId'), 'name': p.get_str('SecurityGroupName'), 'type': p.get_str('SecurityGroupType')}
    tags = _tag_filter(p)
    rows = [g for g in _in_region(ctx, 'security_groups', region)
            if (ids is None or g['id'] in ids) and all(not v or g[k] == v for k, v in filters.items()) and _tags_match(g, tags)]
    groups = []
    for group in rows:
        row = {'SecurityGroupId': group['id'], 'SecurityGroupName': group['name'], 'VpcId': group['vpc_id'],
               'SecurityGroupType': group['type'], 'ServiceManaged': False, 'Tags': _tag_key_value_tags(group)}
        row.update(_common(group))
        groups.append(row)
    body = {'RegionId': region}
    if p.get_str('NextToken') or p.get_str('MaxResults'):
        # Token paging (MaxResults/NextToken) instead of PageNumber/PageSize; NextToken is "" on the last page.
        limit = p.get_int('MaxResults', 1, ECS_MAX_RESULTS, default=DEFAULT_PAGE_SIZE)
        offset = decode_token(p.get_str('NextToken'), 'sg') or 0
        body.update(TotalCount=len(groups), NextToken=encode_token('sg', offset + limit) if offset + limit < len(groups) else '')
        page = groups[offset:offset + limit]
    else:
        page, paging = _page(p, groups, ECS_MAX_PAGE_SIZE)
        body.update(paging)
    body['SecurityGroups'] = {'SecurityGroup': page}
    return body


VPC_ACTIONS = {
    'DescribeVSwitches': describe_vswitches,
    'DescribeVpcs': describe_vpcs,
    'DescribeNatGateways': describe_nat_gateways,
    'DescribeSnatTableEntries': describe_snat_table_entries,
    'DescribeEipAddresses': describe_eip_addresses,
}
ECS_ACTIONS = {
    'DescribeSecurityGroups': describe_security_groups,
}


# -- rules for the temporary instance of CreateImageCache / UpdateImageCache ------------------------------
def registry_host(image: str) -> str:
    """The registry of an image reference, by Docker's rule: the first path part is a registry host when it
    has a '.' or ':' or is 'localhost'; otherwise the image is on Docker Hub (docker.io), e.g. `nginx`."""
    first, sep, _rest = image.partition('/')
    if sep and ('.' in first or ':' in first or first == 'localhost'):
        return first.lower()
    return 'docker.io'


def reachable_without_internet(host: str, region: str, private_registries: tuple = ()) -> bool:
    """Whether a registry is reachable from a vSwitch of the region without a NAT gateway or EIP.

    Only these are: the Alibaba Cloud Container Registry VPC endpoints of the same region
    (`registry-vpc.<region>.aliyuncs.com`, `<instance>-registry-vpc.<region>.cr.aliyuncs.com`), registries
    at a private IP address (RFC 1918 and the like, e.g. 192.168.1.10:5000: inside the VPC), and the hosts the
    fixtures list in `private_registries` (self-hosted registries with a private DNS name, e.g. harbor.corp:8443).
    CHOICE: a registry named in ImageRegistryCredential, InsecureRegistry or PlainHttpRegistry still needs
    the internet unless it is one of those: credentials and plain HTTP say nothing about where a registry is
    (Docker Hub private repositories need credentials; a plain-HTTP registry can be public).
    """
    if host in private_registries:
        return True
    name = host
    if name.startswith('['):
        name = name[1:].split(']', 1)[0]
    elif name.count(':') == 1:
        name = name.split(':', 1)[0]
    if name == f'registry-vpc.{region}.aliyuncs.com':
        return True
    suffix = f'-registry-vpc.{region}.cr.aliyuncs.com'
    if name.endswith(suffix) and len(name) > len(suffix):
        return True
    try:
        return ipaddress.ip_address(name).is_private
    except ValueError:
        return False


def has_snat(state: State, region: str, vswitch: dict) -> bool:
    """An Available SNAT entry of an Available internet NAT gateway in the vSwitch's VPC covers it: its
    SourceVSwitchId is the vSwitch, or its SourceCIDR contains the vSwitch's CIDR block.

    A VPC NAT gateway (NetworkType intranet) gives no way to the internet, whatever its SNAT entries [doc].
    """
    cidr = vswitch.get('cidr_block')
    for gateway in state.fixtures['nat_gateways']:
        if gateway['region'] != region or gateway['vpc_id'] != vswitch['vpc_id'] or gateway['status'] != 'Available':
            continue
        if str(gateway.get('network_type') or 'internet') != 'internet':
            continue
        for entry in gateway['snat_entries']:
            if entry['status'] != 'Available':
                continue
            if entry['source_vswitch_id'] == vswitch['id']:
                return True
            if entry['source_cidr'] and cidr:
                inner, outer = ipaddress.ip_network(cidr, strict=False), ipaddress.ip_network(entry['source_cidr'], strict=False)
                if inner.version == outer.version and inner.subnet_of(outer):
                    return True
    return False


def check_eip(state: State, region: str, eip_id: str | None) -> None:
    if eip_id is None:
        return
    eip = state.network('eips', region, eip_id)
    if eip is None:
        raise not_found('InvalidEipInstanceId.NotFound', 'EIP', eip_id)
    if eip['status'] != 'Available':
        # CHOICE: 400 InvalidEipInstanceId.InUse, refused at once. The cloud binds the EIP to the temporary
        # instance, and an EIP bound elsewhere (Status InUse) cannot be bound again: the request cannot succeed,
        # so it is refused (400: a parameter value that is not acceptable, as for NotFound's family of codes).
        raise ApiError(400, 'InvalidEipInstanceId.InUse',
                       f'The specified EIP "{eip_id}" is already bound to {eip["instance_type"] or "an instance"} '
                       f'{eip["instance_id"]} (Status {eip["status"]}): give an unbound (Available) EIP.')


def placement(state: State, region: str, vswitch_ids: list) -> list:
    """The vSwitches the temporary instance can be created in (those with a free IP address).

    None free: 400 InvalidVSwitchId.IpNotEnough. The cloud cannot create the temporary instance and refuses the
    request (as CreateContainerGroup does), rather than accepting it and failing later.
    """
    vswitches = [state.network('vswitches', region, v) for v in vswitch_ids]
    usable = [v for v in vswitches if v is not None and v['available_ip_address_count'] > 0]
    if vswitches and not usable:
        raise ApiError(400, 'InvalidVSwitchId.IpNotEnough',
                       f'The specified vSwitch "{",".join(vswitch_ids)}" does not have enough free IP addresses '
                       'for the temporary instance of the image cache.')
    return usable


def pull_blocker(state: State, region: str, images: list, vswitches: list, eip_id: str | None, instance_id: str) -> str | None:
    """Why the temporary instance cannot pull the images (the Warning event's message), or None.

    The real cloud accepts the request; the temporary instance then fails to pull images from public
    registries when it has no route to the internet, and the cache ends Failed. So the twin accepts the
    request and fails the cache with an event (the faithful choice), rather than refusing the request.
    STRICTER: with several vSwitches, the temporary instance may land in any of those with free IP
    addresses, so each of them needs an SNAT entry (or an EIP is given).
    """
    if eip_id:
        return None
    inside = tuple(state.fixtures.get('private_registries') or ())
    public = [i for i in images if not reachable_without_internet(registry_host(i), region, inside)]
    if not public:
        return None
    for vswitch in vswitches:
        if not has_snat(state, region, vswitch):
            return (f'The temporary instance {instance_id} could not pull the image {public[0]}: no internet access '
                    f'(no NAT gateway SNAT entry for the vSwitch {vswitch["id"]} and no EIP). Add an SNAT entry for the '
                    'vSwitch to a NAT gateway with an EIP, or give EipInstanceId.')
    return None
