# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image cache actions through the real SDK: lifecycle, update, delete, ClientToken, paging, filters, validation, tags."""

from __future__ import annotations

import calendar
import re
import time

import pytest
import yaml

from alibabacloud_eci20180808 import models as M

from ansible_collections.alibabacloud.eci.tests.emulator import default_image_size
from ansible_collections.alibabacloud.eci.tests.emulator.model import ImageCache

HUGE = 'registry.example.com/huge/image:latest'
ISO_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')


def describe(client, **kwargs):
    return client.describe_image_caches(M.DescribeImageCachesRequest(region_id=kwargs.pop('region_id', 'cn-hangzhou'), **kwargs)).body


def one(client, cache_id):
    caches = describe(client, image_cache_id=cache_id).image_caches
    assert len(caches) == 1
    return caches[0]


def wait_for(client, cache_id, statuses, timeout=5.0):
    deadline = time.time() + timeout
    while True:
        cache = one(client, cache_id)
        if cache.status in statuses or time.time() > deadline:
            return cache
        time.sleep(0.03)


def create(client, helpers, **kwargs):
    return client.create_image_cache(helpers.create_request(**kwargs)).body


def update(client, cache_id, **kwargs):
    return client.update_image_cache(M.UpdateImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id, **kwargs))


def epoch(stamp):
    return calendar.timegm(time.strptime(stamp, '%Y-%m-%dT%H:%M:%SZ'))


# -- lifecycle ------------------------------------------------------------------------------------------
def test_create_goes_preparing_creating_ready(make_twin, make_client, helpers):
    # A slower twin than the others: Preparing lasts 0.3 s, long enough to be seen on a loaded machine.
    client = make_client(target=make_twin(ready_after=1.5))
    created = create(client, helpers)
    assert re.match(r'^imc-[0-9a-f]{20}$', created.image_cache_id) and created.container_group_id.startswith('eci-')
    first = one(client, created.image_cache_id)
    assert (first.status, first.progress) == ('Preparing', '0%')
    assert [e.reason for e in first.events] == ['Created'] and first.snapshot_id is None
    time.sleep(0.5)
    middle = one(client, created.image_cache_id)
    assert middle.status == 'Creating' and 0 < int(middle.progress.rstrip('%')) < 100
    ready = wait_for(client, created.image_cache_id, ('Ready',))
    assert (ready.status, ready.progress) == ('Ready', '100%')
    assert ready.snapshot_id.startswith('s-') and ready.container_group_id == created.container_group_id
    assert [e.reason for e in ready.events] == ['Created', 'Pulling', 'Ready']
    assert all(e.type == 'Normal' and e.count == 1 and ISO_RE.match(e.first_timestamp) for e in ready.events)
    assert ISO_RE.match(ready.creation_time) and ready.expire_date_time is None
    assert ready.image_cache_size == 20 and ready.images == ['registry.example.com/app/web:1.0']
    assert ready.region_id == 'cn-hangzhou' and ready.resource_group_id == 'rg-acfmdefault0001'


def test_huge_image_fails(client, helpers):
    cache_id = create(client, helpers, image=[HUGE, 'nginx:latest']).image_cache_id
    failed = wait_for(client, cache_id, ('Failed',))
    assert failed.status == 'Failed' and failed.progress != '100%' and failed.snapshot_id is None
    warning = failed.events[-1]
    assert (warning.type, warning.reason) == ('Warning', 'Failed')
    assert 'bigger than the image cache size' in warning.message
    big_id = create(client, helpers, image=[HUGE], image_cache_size=130, image_cache_name='big').image_cache_id
    assert wait_for(client, big_id, ('Ready', 'Failed')).status == 'Ready'


def test_image_sizes_from_fixtures(make_twin, make_client, helpers, tmp_path):
    path = tmp_path / 'fixtures.yml'
    path.write_text(yaml.safe_dump({'image_sizes': {'a:1': 15, 'b:1': 5.5}, 'vpcs': [{'id': 'vpc-1'}],
                                    'vswitches': [{'id': 'vsw-1', 'vpc_id': 'vpc-1', 'zone_id': 'cn-hangzhou-k'}],
                                    'security_groups': [{'id': 'sg-1', 'vpc_id': 'vpc-1'}],
                                    'nat_gateways': [{'id': 'ngw-1', 'vpc_id': 'vpc-1', 'snat_entries': [{'source_vswitch_id': 'vsw-1'}]}]}))
    client = make_client(target=make_twin(fixtures=str(path), ready_after=0))
    common = {'security_group_id': 'sg-1', 'v_switch_id': 'vsw-1'}
    assert wait_for(client, create(client, helpers, image=['a:1'], **common).image_cache_id, ('Ready', 'Failed')).status == 'Ready'
    too_big = create(client, helpers, image=['a:1', 'b:1'], image_cache_name='two', **common).image_cache_id
    assert wait_for(client, too_big, ('Ready', 'Failed')).status == 'Failed'
    # vsw-demo does not exist in these fixtures
    assert helpers.api_error(client.create_image_cache, helpers.create_request()).code == 'InvalidSecurityGroupId.NotFound'


def test_default_image_size_rule():
    assert default_image_size('nginx:latest') == default_image_size('nginx:latest')
    sizes = [default_image_size(f'registry.example.com/app{i}:1') for i in range(200)]
    assert all(0.1 <= s <= 1.0 for s in sizes) and len(set(sizes)) > 150


def test_expire_date_time(client, helpers):
    cache_id = create(client, helpers, retention_days=2).image_cache_id
    cache = wait_for(client, cache_id, ('Ready',))
    assert epoch(cache.expire_date_time) - epoch(cache.creation_time) == 2 * 86400
    update(client, cache_id, retention_days=5)
    cache = wait_for(client, cache_id, ('Ready',))
    assert epoch(cache.expire_date_time) - epoch(cache.creation_time) == 5 * 86400


def test_update_only_when_ready_or_update_failed(client, helpers):
    cache_id = create(client, helpers).image_cache_id
    error = helpers.api_error(update, client, cache_id, image_cache_size=40)
    assert (error.status_code, error.code) == (400, 'IncorrectStatus.ImageCache')
    # Preparing, or Creating already on a loaded machine: the message names the state it was in.
    assert 'Preparing' in error.message or 'Creating' in error.message
    first = wait_for(client, cache_id, ('Ready',))
    update(client, cache_id, image=[HUGE])
    updating = one(client, cache_id)
    assert updating.status == 'Updating' and updating.images == [HUGE]
    assert helpers.api_error(update, client, cache_id, image_cache_size=40).code == 'IncorrectStatus.ImageCache'
    failed = wait_for(client, cache_id, ('UpdateFailed',))
    assert failed.status == 'UpdateFailed' and failed.events[-1].type == 'Warning' and failed.events[-1].reason == 'UpdateFailed'
    assert failed.snapshot_id == first.snapshot_id
    update(client, cache_id, image_cache_size=200)
    ready = wait_for(client, cache_id, ('Ready',))
    assert ready.status == 'Ready' and ready.image_cache_size == 200 and ready.snapshot_id != first.snapshot_id
    assert [e.reason for e in ready.events][-3:] == ['Updating', 'Pulling', 'Ready']
    failed_id = create(client, helpers, image=[HUGE], image_cache_name='broken').image_cache_id
    wait_for(client, failed_id, ('Failed',))
    assert helpers.api_error(update, client, failed_id, image_cache_size=200).code == 'IncorrectStatus.ImageCache'


def test_update_applies_every_field(client, helpers):
    cache_id = create(client, helpers, tag=[M.CreateImageCacheRequestTag(key='a', value='1'), M.CreateImageCacheRequestTag(key='b', value='2')]).image_cache_id
    wait_for(client, cache_id, ('Ready',))
    update(client, cache_id, image_cache_name='renamed', image=['x:1', 'y:2'], image_cache_size=30, elimination_strategy='LRU',
           resource_group_id='rg-other', tag=[M.UpdateImageCacheRequestTag(key='c', value='3')])
    cache = wait_for(client, cache_id, ('Ready',))
    assert (cache.image_cache_name, cache.images, cache.image_cache_size) == ('renamed', ['x:1', 'y:2'], 30)
    assert (cache.elimination_strategy, cache.resource_group_id) == ('LRU', 'rg-other')
    assert [(t.key, t.value) for t in cache.tags] == [('c', '3')]  # Tag.N on update replaces the tag set


def test_delete(client, helpers):
    cache_id = create(client, helpers).image_cache_id
    client.delete_image_cache(M.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id))
    assert describe(client, image_cache_id=cache_id).image_caches == []
    assert describe(client).total_count == 0
    error = helpers.api_error(client.delete_image_cache, M.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id))
    assert (error.status_code, error.code) == (404, 'InvalidImageCacheId.NotFound')
    assert helpers.api_error(update, client, cache_id, image_cache_size=30).code == 'InvalidImageCacheId.NotFound'


def test_describe_unknown_id_is_empty(client):
    body = describe(client, image_cache_id='imc-doesnotexist')
    assert body.image_caches == [] and body.total_count == 0 and not body.next_token


# -- ClientToken ----------------------------------------------------------------------------------------
def test_client_token_replays_create(twin, client, helpers):
    first = create(client, helpers, client_token='token-1')
    again = client.create_image_cache(helpers.create_request(client_token='token-1'))
    assert again.body.image_cache_id == first.image_cache_id and again.body.request_id != first.request_id
    assert describe(client).total_count == 1
    error = helpers.api_error(client.create_image_cache, helpers.create_request(client_token='token-1', image_cache_size=40))
    assert (error.status_code, error.code) == (400, 'IdempotentParameterMismatch')
    # After a delete the token still answers the deleted id and creates nothing (change the token to create again).
    client.delete_image_cache(M.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id=first.image_cache_id))
    assert create(client, helpers, client_token='token-1').image_cache_id == first.image_cache_id
    assert describe(client).total_count == 0 and not twin.state.caches
    assert create(client, helpers, client_token='token-2').image_cache_id != first.image_cache_id


def test_client_token_expires(make_twin, make_client, helpers):
    client = make_client(target=make_twin(token_ttl=0.2))
    first = create(client, helpers, client_token='t').image_cache_id
    time.sleep(0.25)
    assert create(client, helpers, client_token='t').image_cache_id != first
    assert describe(client).total_count == 2


def test_client_token_on_delete_and_untag(client, helpers):
    cache_id = create(client, helpers).image_cache_id
    request = M.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id, client_token='del-1')
    client.delete_image_cache(request)
    client.delete_image_cache(request)  # replayed, not InvalidImageCacheId.NotFound


@pytest.mark.parametrize('token', ['x' * 65, 'tökén'])
def test_client_token_format(client, helpers, token):
    assert helpers.api_error(client.create_image_cache, helpers.create_request(client_token=token)).code == 'InvalidParameter.ClientToken'


# -- paging and filters ---------------------------------------------------------------------------------
def test_pagination(client, helpers):
    ids = [create(client, helpers, image_cache_name=f'page-{i}').image_cache_id for i in range(250)]
    seen, token, pages = [], None, 0
    while True:
        body = describe(client, limit=100, next_token=token)
        pages += 1
        assert body.total_count == 250
        seen.extend(c.image_cache_id for c in body.image_caches)
        token = body.next_token
        if not token:
            break
    assert pages == 3 and seen == ids
    assert len(describe(client).image_caches) == 10  # default Limit
    error = helpers.api_error(describe, client, limit=101)
    assert (error.status_code, error.code) == (400, 'InvalidParameter.Limit')
    assert helpers.api_error(describe, client, limit=0).code == 'InvalidParameter.Limit'
    assert helpers.api_error(describe, client, next_token='garbage!').code == 'InvalidParameter.NextToken'


def test_unfiltered_page_builds_only_its_views(twin, client, monkeypatch):
    """A page of an unfiltered listing builds the views of its own caches only (all of them for every page made a
    listing of 10000 caches quadratic); a filter still looks at every cache."""
    twin.state.reset({'image_caches': [dict(name=f'many-{i:03d}', images=['i:1'], size=20) for i in range(300)]})
    built = []
    original = ImageCache.view
    monkeypatch.setattr(ImageCache, 'view', lambda self, *args: built.append(self.name) or original(self, *args))
    body = describe(client, limit=20)
    assert body.total_count == 300 and [c.image_cache_name for c in body.image_caches] == built
    assert built == [f'many-{i:03d}' for i in range(20)]
    built.clear()
    assert [c.image_cache_name for c in describe(client, image_cache_name='many-007').image_caches] == ['many-007']
    assert len(built) == 300


def test_filters(client, helpers):
    tag = M.CreateImageCacheRequestTag
    a = create(client, helpers, image_cache_name='alpha', image=['i:1', 'i:2'], tag=[tag(key='env', value='prod'), tag(key='team', value='x')]).image_cache_id
    b = create(client, helpers, image_cache_name='beta', image=['i:2'], resource_group_id='rg-b', tag=[tag(key='env', value='dev')]).image_cache_id
    c = create(client, helpers, image_cache_name='gamma', image=['i:3']).image_cache_id
    for cache_id in (a, b, c):
        wait_for(client, cache_id, ('Ready',))

    def ids(**kwargs):
        return sorted(x.image_cache_id for x in describe(client, **kwargs).image_caches)

    assert ids(image_cache_id=a) == [a] and ids(image_cache_id=f'{a},{c}') == sorted([a, c])
    assert ids(image_cache_name='beta') == [b] and ids(image_cache_name='bet') == []
    assert ids(snapshot_id=one(client, c).snapshot_id) == [c]
    assert ids(image='i:2') == sorted([a, b])
    assert ids(resource_group_id='rg-b') == [b]
    treq = M.DescribeImageCachesRequestTag
    assert ids(tag=[treq(key='env', value='prod')]) == [a]
    assert ids(tag=[treq(key='env')]) == sorted([a, b])
    assert ids(tag=[treq(key='env', value='prod'), treq(key='team', value='y')]) == []
    assert ids(match_image=['i:1', 'i:2']) == sorted([a, b])
    assert ids(match_image=['i:1', 'i:2'], image_full_match=True) == [a]
    # ImageMatchCountRequest: how many caches to return, the best matches first (a has two of the images).
    assert ids(match_image=['i:1', 'i:2', 'i:3'], image_match_count_request=1) == [a]
    assert ids(match_image=['i:1', 'i:2', 'i:3'], image_match_count_request=2) == sorted([a, b])
    assert helpers.api_error(describe, client, image_full_match=True).code == 'MissingParameter.MatchImage'


def test_regions_are_separate(make_twin, make_client, helpers, tmp_path):
    path = tmp_path / 'two-regions.yml'
    path.write_text(yaml.safe_dump({
        'vpcs': [{'id': 'vpc-h'}, {'id': 'vpc-b', 'region': 'cn-beijing'}],
        'vswitches': [{'id': 'vsw-h', 'vpc_id': 'vpc-h', 'zone_id': 'cn-hangzhou-h'},
                      {'id': 'vsw-b', 'vpc_id': 'vpc-b', 'zone_id': 'cn-beijing-a', 'region': 'cn-beijing'}],
        'security_groups': [{'id': 'sg-h', 'vpc_id': 'vpc-h'}, {'id': 'sg-b', 'vpc_id': 'vpc-b', 'region': 'cn-beijing'}],
        'nat_gateways': [{'id': 'ngw-h', 'vpc_id': 'vpc-h', 'snat_entries': [{'source_vswitch_id': 'vsw-h'}]},
                         {'id': 'ngw-b', 'vpc_id': 'vpc-b', 'region': 'cn-beijing', 'snat_entries': [{'source_vswitch_id': 'vsw-b'}]}],
        'image_caches': [{'name': 'seeded', 'images': ['s:1'], 'tags': {'k': 'v'}, 'region': 'cn-beijing'}],
    }))
    client = make_client(target=make_twin(fixtures=str(path)))
    hz = create(client, helpers, security_group_id='sg-h', v_switch_id='vsw-h').image_cache_id
    bj = create(client, helpers, region_id='cn-beijing', security_group_id='sg-b', v_switch_id='vsw-b').image_cache_id
    assert [x.image_cache_id for x in describe(client).image_caches] == [hz]
    beijing = describe(client, region_id='cn-beijing').image_caches
    assert [x.image_cache_name for x in beijing] == ['seeded', 'demo'] and beijing[1].image_cache_id == bj
    assert (beijing[0].status, [(t.key, t.value) for t in beijing[0].tags]) == ('Ready', [('k', 'v')])
    assert helpers.api_error(client.delete_image_cache, M.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id=bj)).status_code == 404
    assert helpers.api_error(client.create_image_cache, helpers.create_request(security_group_id='sg-b', v_switch_id='vsw-b')).status_code == 404
    error = helpers.api_error(client.create_image_cache, helpers.create_request(security_group_id='sg-h', v_switch_id='vsw-b', region_id='cn-beijing'))
    assert error.code == 'InvalidSecurityGroupId.NotFound'


# -- validation ----------------------------------------------------------------------------------------
def _tags(n, **extra):
    return [M.CreateImageCacheRequestTag(key=f'k{i}', value='v') for i in range(n)] + [M.CreateImageCacheRequestTag(**extra)] * bool(extra)


def _creds(n, **fields):
    values = {'server': 'registry.example.com', 'user_name': 'u', 'password': 'p'}
    values.update(fields)
    return [M.CreateImageCacheRequestImageRegistryCredential(**values) for _index in range(n)]


CREATE_CASES = [
    ({'region_id': None}, 'MissingParameter.RegionId'),
    ({'region_id': 'Hangzhou!'}, 'InvalidParameter.RegionId'),
    ({'image_cache_name': None}, 'MissingParameter.ImageCacheName'),
    ({'image_cache_name': 'a'}, 'InvalidParameter.ImageCacheName'),
    ({'image_cache_name': 'x' * 129}, 'InvalidParameter.ImageCacheName'),
    ({'image_cache_name': 'Upper'}, 'InvalidParameter.ImageCacheName'),
    ({'image_cache_name': '-dash'}, 'InvalidParameter.ImageCacheName'),
    ({'image_cache_name': 'dash-'}, 'InvalidParameter.ImageCacheName'),
    ({'image_cache_name': 'under_score'}, 'InvalidParameter.ImageCacheName'),
    ({'image': None}, 'MissingParameter.Image'),
    ({'image': [f'i:{n}' for n in range(21)]}, 'InvalidParameter.Image'),
    ({'image': ['has space']}, 'InvalidParameter.Image'),
    ({'security_group_id': None}, 'MissingParameter.SecurityGroupId'),
    ({'v_switch_id': None}, 'MissingParameter.VSwitchId'),
    ({'v_switch_id': ','.join(['vsw-demo'] * 11)}, 'InvalidParameter.VSwitchId'),
    ({'v_switch_id': 'vsw-demo,,vsw-demo'}, 'InvalidParameter.VSwitchId'),
    ({'v_switch_id': 'vsw-nope'}, 'InvalidVSwitchId.NotFound'),
    ({'security_group_id': 'sg-nope'}, 'InvalidSecurityGroupId.NotFound'),
    ({'eip_instance_id': 'eip-nope'}, 'InvalidEipInstanceId.NotFound'),
    ({'image_cache_size': 19}, 'InvalidParameter.ImageCacheSize'),
    ({'image_cache_size': 32769}, 'InvalidParameter.ImageCacheSize'),
    ({'retention_days': 0}, 'InvalidParameter.RetentionDays'),
    ({'retention_days': 65537}, 'InvalidParameter.RetentionDays'),
    ({'tag': _tags(21)}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, key='aliyun-x', value='v')}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, key='ACS:x', value='v')}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, key='see http://x', value='v')}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, key='k' * 129, value='v')}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, key='k', value='v' * 129)}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, key='k', value='aliyun')}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, key='k', value='https://x')}, 'InvalidParameter.Tag'),
    ({'tag': _tags(0, value='v')}, 'MissingParameter.Tag'),
    ({'tag': _tags(0, key='k', value='1') + _tags(0, key='k', value='2')}, 'InvalidParameter.Tag'),
    ({'elimination_strategy': 'FIFO'}, 'InvalidParameter.EliminationStrategy'),
    ({'flash_copy_count': -1}, 'InvalidParameter.FlashCopyCount'),
    ({'standard_copy_count': -1}, 'InvalidParameter.StandardCopyCount'),
    ({'image_registry_credential': _creds(11)}, 'InvalidParameter.ImageRegistryCredential'),
    ({'image_registry_credential': _creds(1, server='https://registry.example.com')}, 'InvalidParameter.ImageRegistryCredential'),
    ({'image_registry_credential': _creds(1, password=None)}, 'MissingParameter.ImageRegistryCredential'),
    ({'acr_registry_info': [M.CreateImageCacheRequestAcrRegistryInfo(instance_name='x', domain=['a.b'])]}, 'MissingParameter.AcrRegistryInfo'),
    ({'resource_group_id': 'group one'}, 'InvalidParameter.ResourceGroupId'),
    ({'client_token': 'x' * 65}, 'InvalidParameter.ClientToken'),
]


@pytest.mark.parametrize('override,code', CREATE_CASES, ids=[f'{i}-{c}' for i, (_override, c) in enumerate(CREATE_CASES)])
def test_create_validation(twin, client, helpers, override, code):
    error = helpers.api_error(client.create_image_cache, helpers.create_request(**override))
    assert error.code == code and error.status_code in (400, 404)
    assert not twin.state.caches


def test_valid_edge_values_are_accepted(client, helpers):
    body = create(client, helpers, image_cache_name='a1', image=[f'i:{n}' for n in range(20)], image_cache_size=32768, retention_days=65536,
                  tag=_tags(19, key='empty', value=''), elimination_strategy='LRU', flash=True, flash_copy_count=0, standard_copy_count=3,
                  image_registry_credential=_creds(10), v_switch_id=','.join(['vsw-demo'] * 10),
                  acr_registry_info=[M.CreateImageCacheRequestAcrRegistryInfo(instance_id='cri-1', domain=['a.example.com', 'b.example.com'])],
                  auto_match_image_cache=True, client_token='x' * 64)
    cache = one(client, body.image_cache_id)
    assert len(cache.tags) == 20 and cache.flash_snapshot_id.startswith('s-')


@pytest.mark.parametrize('param,value', [('ImageCacheSize', 'abc'), ('RetentionDays', '1.5'), ('Flash', 'yes'), ('AutoMatchImageCache', '1')])
def test_malformed_values(twin, helpers, param, value):
    query = {'RegionId': 'cn-hangzhou', 'ImageCacheName': 'demo', 'Image.1': 'nginx', 'SecurityGroupId': 'sg-demo', 'VSwitchId': 'vsw-demo', param: value}
    status, body = helpers.send(twin, *helpers.sign(twin, query, action='CreateImageCache'))
    assert (status, body['Code']) == (400, 'InvalidParameter') and param in body['Message']


@pytest.mark.parametrize('value', ['TRUE', 'true', 'True', 'False'])
def test_booleans_in_any_case(twin, helpers, value):
    query = {'RegionId': 'cn-hangzhou', 'ImageCacheName': 'demo', 'Image.1': 'nginx', 'SecurityGroupId': 'sg-demo', 'VSwitchId': 'vsw-demo', 'Flash': value}
    assert helpers.send(twin, *helpers.sign(twin, query, action='CreateImageCache'))[0] == 200


def test_update_and_delete_validation(client, helpers):
    assert helpers.api_error(client.update_image_cache, M.UpdateImageCacheRequest(region_id='cn-hangzhou')).code == 'MissingParameter.ImageCacheId'
    assert helpers.api_error(client.delete_image_cache, M.DeleteImageCacheRequest(region_id='cn-hangzhou')).code == 'MissingParameter.ImageCacheId'
    assert helpers.api_error(client.describe_image_caches, M.DescribeImageCachesRequest()).code == 'MissingParameter.RegionId'
    cache_id = create(client, helpers).image_cache_id
    wait_for(client, cache_id, ('Ready',))
    assert helpers.api_error(update, client, cache_id, image_cache_size=10).code == 'InvalidParameter.ImageCacheSize'
    assert helpers.api_error(update, client, cache_id, image_cache_name='Bad_Name').code == 'InvalidParameter.ImageCacheName'
    assert one(client, cache_id).status == 'Ready'


# -- tags ------------------------------------------------------------------------------------------------
def test_tag_actions(client, helpers):
    first = create(client, helpers, tag=[M.CreateImageCacheRequestTag(key='a', value='1')]).image_cache_id
    second = create(client, helpers, image_cache_name='second').image_cache_id
    client.tag_resources(M.TagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[first, second],
                                               tag=[M.TagResourcesRequestTag(key='a', value='2'), M.TagResourcesRequestTag(key='b', value='')]))
    assert [(t.key, t.value) for t in one(client, first).tags] == [('a', '2'), ('b', '')]
    listed = client.list_tag_resources(M.ListTagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[first])).body
    rows = [(r.resource_id, r.resource_type, r.tag_key, r.tag_value) for r in listed.tag_resources]
    assert rows == [(first, 'ImageCache', 'a', '2'), (first, 'ImageCache', 'b', '')]
    assert not listed.next_token
    page = client.list_tag_resources(M.ListTagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', limit='3')).body
    assert len(page.tag_resources) == 3 and page.next_token
    rest = client.list_tag_resources(M.ListTagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', limit='3', next_token=page.next_token)).body
    assert len(rest.tag_resources) == 1 and not rest.next_token
    client.untag_resources(M.UntagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[first], tag_key=['a', 'zzz']))
    assert [t.key for t in one(client, first).tags] == ['b']
    client.untag_resources(M.UntagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[second], all=True))
    assert one(client, second).tags == []
    too_many = [M.TagResourcesRequestTag(key=f'k{i}', value='v') for i in range(20)]
    request = M.TagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[first], tag=too_many)
    error = helpers.api_error(client.tag_resources, request)
    assert error.code == 'QuotaExceeded.Tag' and [t.key for t in one(client, first).tags] == ['b']


@pytest.mark.parametrize('request_kwargs,code', [
    ({'resource_type': 'ContainerGroup', 'resource_id': ['eci-1']}, 'InvalidResourceId.NotFound'),
    ({'resource_type': 'Bucket', 'resource_id': ['x']}, 'InvalidParameter.ResourceType'),
    ({'resource_type': 'ImageCache', 'resource_id': ['imc-missing']}, 'InvalidResourceId.NotFound'),
    ({'resource_type': 'ImageCache'}, 'MissingParameter.ResourceId'),
    ({'resource_id': ['x']}, 'MissingParameter.ResourceType'),
])
def test_tag_resource_errors(client, helpers, request_kwargs, code):
    request = M.TagResourcesRequest(region_id='cn-hangzhou', tag=[M.TagResourcesRequestTag(key='k', value='v')], **request_kwargs)
    assert helpers.api_error(client.tag_resources, request).code == code


def test_untag_needs_keys_or_all(client, helpers):
    cache_id = create(client, helpers).image_cache_id
    request = M.UntagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[cache_id])
    assert helpers.api_error(client.untag_resources, request).code == 'MissingParameter.TagKey'
    request = M.TagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[cache_id])
    assert helpers.api_error(client.tag_resources, request).code == 'MissingParameter.Tag'
