# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPC and ECS read actions through the real SDKs, and the network checks of CreateImageCache/UpdateImageCache."""

from __future__ import annotations

import time

import pytest
import yaml

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_eci20180808 import models as M
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as VpcClient

from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from ansible_collections.alibabacloud.eci.tests.emulator.network import reachable_without_internet, registry_host

PUBLIC = 'registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25'
NO_ROUTE = 'no internet access (no NAT gateway SNAT entry for the vSwitch'
WORLD = {
    'region': 'cn-hangzhou',
    'vpcs': [{'id': 'vpc-demo', 'name': 'demo', 'cidr_block': '192.168.0.0/16', 'tags': {'env': 'dev'}},
             {'id': 'vpc-other', 'name': 'other', 'cidr_block': '10.0.0.0/8'},
             {'id': 'vpc-bj', 'region': 'cn-beijing'}],
    'vswitches': [
        {'id': 'vsw-demo', 'vpc_id': 'vpc-demo', 'zone_id': 'cn-hangzhou-h', 'name': 'demo', 'cidr_block': '192.168.1.0/24',
         'available_ip_address_count': 252},
        {'id': 'vsw-cidr', 'vpc_id': 'vpc-demo', 'zone_id': 'cn-hangzhou-k', 'cidr_block': '192.168.2.0/24'},
        {'id': 'vsw-private', 'vpc_id': 'vpc-other', 'zone_id': 'cn-hangzhou-h', 'cidr_block': '10.1.0.0/24', 'available_ip_address_count': 100},
        {'id': 'vsw-full', 'vpc_id': 'vpc-other', 'zone_id': 'cn-hangzhou-k', 'cidr_block': '10.2.0.0/24', 'available_ip_address_count': 0},
        {'id': 'vsw-bj', 'vpc_id': 'vpc-bj', 'zone_id': 'cn-beijing-a', 'region': 'cn-beijing'},
    ],
    'security_groups': [{'id': 'sg-demo', 'vpc_id': 'vpc-demo', 'name': 'demo'},
                        {'id': 'sg-other', 'vpc_id': 'vpc-other', 'name': 'other', 'type': 'enterprise', 'tags': {'team': 'a'}}],
    'nat_gateways': [
        {'id': 'ngw-demo', 'vpc_id': 'vpc-demo', 'name': 'demo',
         'snat_entries': [{'id': 'snat-demo', 'source_vswitch_id': 'vsw-demo', 'snat_ip': '203.0.113.10'},
                          {'id': 'snat-cidr', 'source_cidr': '192.168.2.0/23', 'snat_ip': '203.0.113.10'}]},
        # a NAT gateway without SNAT entries does not give the vSwitches of vpc-other a route to the internet
        {'id': 'ngw-other', 'vpc_id': 'vpc-other', 'snat_table_id': 'stb-custom'},
    ],
    'private_registries': ['harbor.corp.example:8443'],
    'eips': [{'id': 'eip-bound', 'ip_address': '203.0.113.10', 'instance_type': 'Nat', 'instance_id': 'ngw-demo'},
             {'id': 'eip-free', 'ip_address': '203.0.113.20', 'status': 'Available', 'bandwidth': 5}],
}


@pytest.fixture
def world(make_twin, tmp_path):
    path = tmp_path / 'network.yml'
    path.write_text(yaml.safe_dump(WORLD))
    return make_twin(fixtures=str(path), ready_after=0.1)


def _config(twin, secret=DEFAULT_ACCESS_KEY_SECRET):
    return Config(access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=secret, endpoint=twin.endpoint, protocol='http', region_id='cn-hangzhou')


@pytest.fixture
def vpc(world):
    return VpcClient(_config(world))


@pytest.fixture
def ecs(world):
    return EcsClient(_config(world))


@pytest.fixture
def eci(world, make_client):
    return make_client(target=world)


def vswitches(vpc, **kwargs):
    kwargs.setdefault('region_id', 'cn-hangzhou')
    return vpc.describe_vswitches(vpc_models.DescribeVSwitchesRequest(**kwargs)).body


# -- VPC ------------------------------------------------------------------------------------------------
def test_describe_vswitches(vpc, helpers):
    body = vswitches(vpc)
    assert [v.v_switch_id for v in body.v_switches.v_switch] == ['vsw-demo', 'vsw-cidr', 'vsw-private', 'vsw-full']
    assert (body.total_count, body.page_number, body.page_size) == (4, 1, 10) and body.request_id
    demo = body.v_switches.v_switch[0]
    assert (demo.vpc_id, demo.zone_id, demo.cidr_block, demo.available_ip_address_count) == ('vpc-demo', 'cn-hangzhou-h', '192.168.1.0/24', 252)
    assert (demo.status, demo.v_switch_name, demo.is_default, demo.resource_group_id) == ('Available', 'demo', False, 'rg-acfmdefault0001')
    assert body.v_switches.v_switch[1].available_ip_address_count == 252  # from the /24 CIDR block
    assert body.v_switches.v_switch[3].available_ip_address_count == 0
    assert [v.v_switch_id for v in vswitches(vpc, v_switch_id='vsw-full,vsw-demo,vsw-nope').v_switches.v_switch] == ['vsw-demo', 'vsw-full']
    assert [v.v_switch_id for v in vswitches(vpc, vpc_id='vpc-other', zone_id='cn-hangzhou-k').v_switches.v_switch] == ['vsw-full']
    assert vswitches(vpc, v_switch_id='vsw-nope').v_switches.v_switch == []
    assert vswitches(vpc, v_switch_id='vsw-bj').total_count == 0
    assert [v.v_switch_id for v in vswitches(vpc, region_id='cn-beijing').v_switches.v_switch] == ['vsw-bj']
    page = vswitches(vpc, page_number=2, page_size=3)
    assert ([v.v_switch_id for v in page.v_switches.v_switch], page.total_count, page.page_number) == (['vsw-full'], 4, 2)
    assert helpers.api_error(vpc.describe_vswitches, vpc_models.DescribeVSwitchesRequest()).code == 'MissingParameter.RegionId'
    assert helpers.api_error(vswitches, vpc, page_size=51).code == 'InvalidParameter.PageSize'


def test_describe_vpcs(vpc):
    body = vpc.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id='cn-hangzhou')).body
    assert [v.vpc_id for v in body.vpcs.vpc] == ['vpc-demo', 'vpc-other'] and body.total_count == 2
    demo = body.vpcs.vpc[0]
    assert (demo.vpc_name, demo.cidr_block, demo.status, demo.region_id, demo.is_default) == ('demo', '192.168.0.0/16', 'Available', 'cn-hangzhou', False)
    assert demo.v_switch_ids.v_switch_id == ['vsw-demo', 'vsw-cidr'] and demo.nat_gateway_ids.nat_gateway_ids == ['ngw-demo']
    assert [(t.key, t.value) for t in demo.tags.tag] == [('env', 'dev')]
    other = vpc.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id='cn-hangzhou', vpc_id='vpc-other,vpc-nope', page_size=1)).body
    assert [v.vpc_id for v in other.vpcs.vpc] == ['vpc-other'] and other.total_count == 1
    assert vpc.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id='cn-hangzhou', vpc_id='vpc-nope')).body.vpcs.vpc == []


def test_describe_nat_gateways(vpc):
    body = vpc.describe_nat_gateways(vpc_models.DescribeNatGatewaysRequest(region_id='cn-hangzhou')).body
    assert [g.nat_gateway_id for g in body.nat_gateways.nat_gateway] == ['ngw-demo', 'ngw-other'] and body.total_count == 2
    demo, other = body.nat_gateways.nat_gateway
    assert demo.snat_table_ids.snat_table_id == ['stb-demo'] and other.snat_table_ids.snat_table_id == ['stb-custom']
    assert (demo.vpc_id, demo.status, demo.name, demo.nat_type, demo.network_type) == ('vpc-demo', 'Available', 'demo', 'Enhanced', 'internet')
    assert [(i.allocation_id, i.ip_address, i.using_status) for i in demo.ip_lists.ip_list] == [('eip-bound', '203.0.113.10', 'UsedBySnatTable')]
    by_vpc = vpc.describe_nat_gateways(vpc_models.DescribeNatGatewaysRequest(region_id='cn-hangzhou', vpc_id='vpc-other')).body
    assert [g.nat_gateway_id for g in by_vpc.nat_gateways.nat_gateway] == ['ngw-other']
    by_id = vpc.describe_nat_gateways(vpc_models.DescribeNatGatewaysRequest(region_id='cn-hangzhou', nat_gateway_id='ngw-nope')).body
    assert by_id.nat_gateways.nat_gateway == [] and by_id.total_count == 0


def test_describe_snat_table_entries(vpc, helpers):
    def entries(**kwargs):
        return vpc.describe_snat_table_entries(vpc_models.DescribeSnatTableEntriesRequest(region_id='cn-hangzhou', **kwargs)).body

    body = entries(snat_table_id='stb-demo')
    assert [e.snat_entry_id for e in body.snat_table_entries.snat_table_entry] == ['snat-demo', 'snat-cidr'] and body.total_count == 2
    demo, cidr = body.snat_table_entries.snat_table_entry
    assert (demo.source_vswitch_id, demo.source_cidr, demo.snat_ip, demo.status) == ('vsw-demo', '192.168.1.0/24', '203.0.113.10', 'Available')
    assert (demo.snat_table_id, demo.nat_gateway_id) == ('stb-demo', 'ngw-demo')
    assert (cidr.source_vswitch_id, cidr.source_cidr) == ('', '192.168.2.0/23')
    assert [e.snat_entry_id for e in entries(snat_table_id='stb-demo', source_vswitch_id='vsw-demo').snat_table_entries.snat_table_entry] == ['snat-demo']
    assert entries(snat_table_id='stb-demo', source_vswitch_id='vsw-private').snat_table_entries.snat_table_entry == []
    assert entries(snat_table_id='stb-custom').snat_table_entries.snat_table_entry == []
    assert entries(snat_table_id='stb-nope').total_count == 0
    paged = entries(snat_table_id='stb-demo', page_size=1, page_number=2)
    assert [e.snat_entry_id for e in paged.snat_table_entries.snat_table_entry] == ['snat-cidr'] and paged.total_count == 2
    assert helpers.api_error(entries).code == 'MissingParameter.SnatTableId'


def test_describe_eip_addresses(vpc):
    def eips(**kwargs):
        return vpc.describe_eip_addresses(vpc_models.DescribeEipAddressesRequest(region_id='cn-hangzhou', **kwargs)).body

    body = eips()
    assert [e.allocation_id for e in body.eip_addresses.eip_address] == ['eip-bound', 'eip-free'] and body.total_count == 2
    bound, free = body.eip_addresses.eip_address
    assert (bound.ip_address, bound.status, bound.instance_type, bound.instance_id) == ('203.0.113.10', 'InUse', 'Nat', 'ngw-demo')
    assert (free.ip_address, free.status, free.instance_type, free.instance_id, free.bandwidth) == ('203.0.113.20', 'Available', '', '', '5')
    assert [e.allocation_id for e in eips(status='Available').eip_addresses.eip_address] == ['eip-free']
    assert [e.allocation_id for e in eips(allocation_id='eip-free,eip-nope').eip_addresses.eip_address] == ['eip-free']
    associated = eips(associated_instance_type='Nat', associated_instance_id='ngw-demo')
    assert [e.allocation_id for e in associated.eip_addresses.eip_address] == ['eip-bound']
    assert eips(allocation_id='eip-nope').eip_addresses.eip_address == []
    assert eips(page_size=1, page_number=3).eip_addresses.eip_address == []


# -- ECS ------------------------------------------------------------------------------------------------
def test_describe_security_groups(ecs):
    def groups(**kwargs):
        return ecs.describe_security_groups(ecs_models.DescribeSecurityGroupsRequest(region_id='cn-hangzhou', **kwargs)).body

    body = groups()
    assert [g.security_group_id for g in body.security_groups.security_group] == ['sg-demo', 'sg-other']
    assert (body.total_count, body.page_number, body.page_size, body.region_id) == (2, 1, 10, 'cn-hangzhou')
    demo, other = body.security_groups.security_group
    assert (demo.vpc_id, demo.security_group_type, demo.security_group_name) == ('vpc-demo', 'normal', 'demo')
    assert (other.vpc_id, other.security_group_type) == ('vpc-other', 'enterprise')
    assert [(t.tag_key, t.tag_value) for t in other.tags.tag] == [('team', 'a')]
    chosen = groups(security_group_ids='["sg-other", "sg-nope"]')
    assert [g.security_group_id for g in chosen.security_groups.security_group] == ['sg-other']
    assert [g.security_group_id for g in groups(security_group_id='sg-demo').security_groups.security_group] == ['sg-demo']
    assert [g.security_group_id for g in groups(vpc_id='vpc-other').security_groups.security_group] == ['sg-other']
    assert groups(security_group_ids='["sg-nope"]').security_groups.security_group == []
    first = groups(max_results=1)
    assert [g.security_group_id for g in first.security_groups.security_group] == ['sg-demo'] and first.next_token
    second = groups(max_results=1, next_token=first.next_token)
    assert [g.security_group_id for g in second.security_groups.security_group] == ['sg-other'] and second.next_token == ''


def test_describe_security_groups_errors(ecs, helpers):
    bad = helpers.api_error(ecs.describe_security_groups, ecs_models.DescribeSecurityGroupsRequest(region_id='cn-hangzhou', security_group_ids='sg-demo'))
    assert bad.code == 'InvalidParameter.SecurityGroupIds' and bad.status_code == 400
    assert helpers.api_error(ecs.describe_security_groups, ecs_models.DescribeSecurityGroupsRequest()).code == 'MissingParameter.RegionId'


@pytest.mark.parametrize('product,call,request_class', [
    ('vpc', 'describe_vswitches', vpc_models.DescribeVSwitchesRequest),
    ('vpc', 'describe_vpcs', vpc_models.DescribeVpcsRequest),
    ('vpc', 'describe_nat_gateways', vpc_models.DescribeNatGatewaysRequest),
    ('vpc', 'describe_snat_table_entries', vpc_models.DescribeSnatTableEntriesRequest),
    ('vpc', 'describe_eip_addresses', vpc_models.DescribeEipAddressesRequest),
    ('ecs', 'describe_security_groups', ecs_models.DescribeSecurityGroupsRequest),
])
def test_wrong_secret_is_rejected(world, helpers, product, call, request_class):
    client = (VpcClient if product == 'vpc' else EcsClient)(_config(world, secret='wrong-secret'))
    error = helpers.api_error(getattr(client, call), request_class(region_id='cn-hangzhou'))
    assert (error.status_code, error.code) == (400, 'SignatureDoesNotMatch')
    _status, log = helpers.control(world, 'GET', 'requests')
    assert (log[-1]['product'], log[-1]['code']) == (product, 'SignatureDoesNotMatch')


# -- CreateImageCache / UpdateImageCache network rules -----------------------------------------------------
def _wait(client, cache_id, statuses=('Ready', 'Failed', 'UpdateFailed'), timeout=5.0):
    deadline = time.time() + timeout
    while True:
        cache = client.describe_image_caches(M.DescribeImageCachesRequest(region_id='cn-hangzhou', image_cache_id=cache_id)).body.image_caches[0]
        if cache.status in statuses or time.time() > deadline:
            return cache
        time.sleep(0.02)


def _create(eci, helpers, **kwargs):
    kwargs.setdefault('image', [PUBLIC])
    return eci.create_image_cache(helpers.create_request(**kwargs)).body


def test_public_image_without_route_fails_with_event(eci, helpers):
    created = _create(eci, helpers, security_group_id='sg-other', v_switch_id='vsw-private', image=['nginx', PUBLIC])
    failed = _wait(eci, created.image_cache_id)
    assert failed.status == 'Failed' and failed.snapshot_id is None and failed.progress != '100%'
    warning = failed.events[-1]
    assert (warning.type, warning.reason) == ('Warning', 'Failed')
    assert NO_ROUTE in warning.message and 'vsw-private' in warning.message and 'nginx' in warning.message
    assert created.container_group_id in warning.message and 'could not pull the image' in warning.message


def test_public_image_with_eip_is_ready(eci, helpers):
    created = _create(eci, helpers, security_group_id='sg-other', v_switch_id='vsw-private', eip_instance_id='eip-free')
    assert _wait(eci, created.image_cache_id).status == 'Ready'


@pytest.mark.parametrize('image', [
    'registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1.25',
    'myinst-registry-vpc.cn-hangzhou.cr.aliyuncs.com/team/app@sha256:' + '0' * 64,
    '10.1.0.5:5000/app:1',
    'harbor.corp.example:8443/team/app:1.0',  # listed in the fixtures' private_registries
])
def test_vpc_reachable_image_without_route_is_ready(eci, helpers, image):
    created = _create(eci, helpers, security_group_id='sg-other', v_switch_id='vsw-private', image=[image])
    assert _wait(eci, created.image_cache_id).status == 'Ready'


@pytest.mark.parametrize('vswitch', ['vsw-demo', 'vsw-cidr', 'vsw-demo,vsw-cidr'])
def test_snat_by_vswitch_or_cidr_is_a_route(eci, helpers, vswitch):
    assert _wait(eci, _create(eci, helpers, v_switch_id=vswitch).image_cache_id).status == 'Ready'


def test_any_vswitch_without_route_fails(helpers, make_twin, make_client, tmp_path):
    world = dict(WORLD, vswitches=WORLD['vswitches'] + [{'id': 'vsw-lonely', 'vpc_id': 'vpc-demo', 'zone_id': 'cn-hangzhou-j',
                                                         'cidr_block': '192.168.9.0/24'}])
    path = tmp_path / 'lonely.yml'
    path.write_text(yaml.safe_dump(world))
    client = make_client(target=make_twin(fixtures=str(path), ready_after=0.05))
    failed = _wait(client, _create(client, helpers, v_switch_id='vsw-demo,vsw-lonely').image_cache_id)
    assert failed.status == 'Failed' and 'vsw-lonely' in failed.events[-1].message


def test_bound_eip_is_refused(world, eci, helpers):
    error = helpers.api_error(_create, eci, helpers, eip_instance_id='eip-bound')
    assert (error.status_code, error.code) == (400, 'InvalidEipInstanceId.InUse') and 'ngw-demo' in error.message
    assert helpers.api_error(_create, eci, helpers, eip_instance_id='eip-nope').status_code == 404
    assert helpers.control(world, 'GET', 'state')[1]['image_caches'] == []


def test_vswitch_without_free_ip_is_refused(world, eci, helpers):
    error = helpers.api_error(_create, eci, helpers, security_group_id='sg-other', v_switch_id='vsw-full', eip_instance_id='eip-free')
    assert (error.status_code, error.code) == (400, 'InvalidVSwitchId.IpNotEnough')
    assert helpers.control(world, 'GET', 'state')[1]['image_caches'] == []
    # another vSwitch with free addresses takes the temporary instance
    created = _create(eci, helpers, security_group_id='sg-other', v_switch_id='vsw-full,vsw-private', eip_instance_id='eip-free')
    assert _wait(eci, created.image_cache_id).status == 'Ready'


def test_network_vpc_mismatch_is_kept(eci, helpers):
    assert helpers.api_error(_create, eci, helpers, security_group_id='sg-other', v_switch_id='vsw-demo').code == 'InvalidParameter.VpcMismatch'


def test_update_checks_the_route_too(eci, helpers):
    cache_id = _create(eci, helpers, security_group_id='sg-other', v_switch_id='vsw-private',
                       image=['registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1.25']).image_cache_id
    assert _wait(eci, cache_id).status == 'Ready'
    eci.update_image_cache(M.UpdateImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id, image=[PUBLIC]))
    failed = _wait(eci, cache_id, ('Ready', 'UpdateFailed'))
    assert failed.status == 'UpdateFailed' and NO_ROUTE in failed.events[-1].message
    bound = helpers.api_error(eci.update_image_cache, M.UpdateImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id, eip_instance_id='eip-bound'))
    assert bound.code == 'InvalidEipInstanceId.InUse'
    eci.update_image_cache(M.UpdateImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id, eip_instance_id='eip-free'))
    assert _wait(eci, cache_id, ('Ready', 'UpdateFailed')).status == 'Ready'


@pytest.mark.parametrize('image,host,private', [
    ('nginx', 'docker.io', False),
    ('library/nginx:1', 'docker.io', False),
    ('docker.io/library/nginx', 'docker.io', False),
    ('localhost/app', 'localhost', False),
    (PUBLIC, 'registry.cn-hangzhou.aliyuncs.com', False),
    ('registry-vpc.cn-hangzhou.aliyuncs.com/a/b', 'registry-vpc.cn-hangzhou.aliyuncs.com', True),
    ('registry-vpc.cn-beijing.aliyuncs.com/a/b', 'registry-vpc.cn-beijing.aliyuncs.com', False),
    ('x-registry-vpc.cn-hangzhou.cr.aliyuncs.com/a/b', 'x-registry-vpc.cn-hangzhou.cr.aliyuncs.com', True),
    ('x-registry.cn-hangzhou.cr.aliyuncs.com/a/b', 'x-registry.cn-hangzhou.cr.aliyuncs.com', False),
    ('192.168.1.10:5000/a', '192.168.1.10:5000', True),
    ('47.96.1.1/a', '47.96.1.1', False),
])
def test_registry_rules(image, host, private):
    assert registry_host(image) == host
    assert reachable_without_internet(host, 'cn-hangzhou') is private


def test_declared_registry_is_not_enough(eci, helpers):
    # ImageRegistryCredential does not make a registry private: harbor.example.org is not in private_registries
    credential = M.CreateImageCacheRequestImageRegistryCredential(server='harbor.example.org', user_name='u', password='p')
    created = _create(eci, helpers, security_group_id='sg-other', v_switch_id='vsw-private', image=['harbor.example.org/a/b:1'],
                      image_registry_credential=[credential], insecure_registry='harbor.example.org')
    assert NO_ROUTE in _wait(eci, created.image_cache_id).events[-1].message
