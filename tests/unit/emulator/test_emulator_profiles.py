# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's behaviour switches (profiles), every value of every switch, through the real SDK.

Time is a fake clock (real time plus an offset the tests advance): lags of several seconds pass at once,
so the tests never sleep for them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

from alibabacloud_eci20180808 import models as M

from ansible_collections.alibabacloud.eci.tests.emulator import Emulator
from ansible_collections.alibabacloud.eci.tests.emulator import profile as profiles
from ansible_collections.alibabacloud.eci.tests.emulator.model import normalize_image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
READY_AFTER = 2.0  # seconds of the fake clock


class FakeClock:  # pylint: disable=too-few-public-methods
    """Real time plus an offset: request signatures (checked against the clock) stay valid."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += seconds


@pytest.fixture
def cloud(make_twin, make_client):
    """Factory: cloud(**profile) -> (twin, client, clock), the twin on a fake clock."""

    def factory(**switches):
        twin = make_twin(ready_after=READY_AFTER, profile=switches)
        clock = FakeClock()
        twin.state.clock = clock
        return twin, make_client(target=twin), clock

    return factory


def describe(client, **kwargs):
    return client.describe_image_caches(M.DescribeImageCachesRequest(region_id='cn-hangzhou', **kwargs)).body


def listed(client, cache_id):
    return [c for c in describe(client).image_caches if c.image_cache_id == cache_id]


def create(client, helpers, **kwargs):
    return client.create_image_cache(helpers.create_request(**kwargs)).body.image_cache_id


def update(client, cache_id, **kwargs):
    return client.update_image_cache(M.UpdateImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id, **kwargs))


def delete(client, cache_id):
    return client.delete_image_cache(M.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id=cache_id))


def ready(client, helpers, clock, **kwargs):
    cache_id = create(client, helpers, **kwargs)
    clock.advance(READY_AFTER + 0.1)
    return cache_id


# -- profiles: loading ---------------------------------------------------------------------------------
def test_builtin_profiles_give_every_key():
    assert profiles.builtin_names() == ['default', 'hostile']
    default, hostile = profiles.load('default'), profiles.load('hostile')
    assert set(default) == set(hostile) == set(profiles.SWITCHES)
    # default: the twin's behaviour before profiles existed
    assert default == {'visibility_lag': 0.0, 'update_lag': 0.0, 'delete_lag': 0.0, 'page_limit_max': 100, 'page_limit_over': 'reject',
                       'busy_delete': 'allow', 'missing_id': 'not_found', 'token_mismatch_code': 'IdempotentParameterMismatch',
                       'token_after_delete': 'replay', 'token_ttl': 86400.0, 'echo_images': 'verbatim', 'clear_elimination': 'applied',
                       'extra_statuses': [], 'system_tags': {}, 'list_order': 'oldest_first'}
    # hostile: every switch away from the friendly value; lags beyond any fixed grace of a few seconds
    assert all(hostile[key] > 3 for key in ('visibility_lag', 'update_lag', 'delete_lag'))
    assert all(hostile[key] != default[key] for key in profiles.SWITCHES if key != 'page_limit_over')
    assert (hostile['page_limit_max'], hostile['page_limit_over']) == (20, 'reject')


def test_profile_file_with_a_subset_of_keys(tmp_path):
    path = tmp_path / 'mine.yml'
    path.write_text('busy_delete: reject\nvisibility_lag: 2.5\n')
    loaded = profiles.load(str(path))
    assert loaded == dict(profiles.load('default'), busy_delete='reject', visibility_lag=2.5)
    with Emulator(profile=str(path)) as twin:
        assert twin.state.profile == loaded
    with Emulator(profile={'missing_id': 'ignore'}) as twin:
        assert twin.state.profile['missing_id'] == 'ignore'


@pytest.mark.parametrize('bad, key', [
    ({'visibility_lagg': 1}, 'visibility_lagg'), ({'visibility_lag': -1}, 'visibility_lag'), ({'update_lag': 'soon'}, 'update_lag'),
    ({'page_limit_max': 0}, 'page_limit_max'), ({'page_limit_over': 'truncate'}, 'page_limit_over'),
    ({'busy_delete': True}, 'busy_delete'), ({'missing_id': '404'}, 'missing_id'), ({'token_mismatch_code': ''}, 'token_mismatch_code'),
    ({'token_after_delete': 'forget'}, 'token_after_delete'), ({'token_ttl': None}, 'token_ttl'), ({'echo_images': 'canonical'}, 'echo_images'),
    ({'clear_elimination': 'yes'}, 'clear_elimination'), ({'extra_statuses': ['Ready']}, 'extra_statuses'),
    ({'extra_statuses': 'Deleting'}, 'extra_statuses'), ({'system_tags': {'owner': 'me'}}, 'system_tags'),
])
def test_bad_profile_values_are_refused_naming_the_key(bad, key):
    with pytest.raises(profiles.ProfileError, match=key):
        profiles.load(bad)


def test_bad_profile_file_exits_2_naming_the_key_and_serves_nothing(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    for text, key in (('page_limit_over: sometimes\n', 'page_limit_over'), ('visibility_lagg: 3\n', 'visibility_lagg'),
                      ('- not a mapping\n', 'mapping')):
        path = tmp_path / 'bad.yml'
        path.write_text(text)
        result = subprocess.run([sys.executable, '-m', 'tests.emulator', '--port', '0', '--profile', str(path)], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2 and key in result.stderr and result.stdout == ''
    result = subprocess.run([sys.executable, '-m', 'tests.emulator', '--profile', 'no-such-profile'], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and 'no-such-profile' in result.stderr and result.stdout == ''


def test_profile_endpoint_reads_and_changes_switches(twin, helpers):
    status, body = helpers.control(twin, 'GET', 'profile')
    assert status == 200 and body == dict(profiles.load('default'), token_ttl=86400.0)
    status, body = helpers.control(twin, 'POST', 'profile', {'visibility_lag': 30, 'extra_statuses': ['Deleting']})
    assert status == 200 and body['visibility_lag'] == 30.0 and body['extra_statuses'] == ['Deleting'] and body['busy_delete'] == 'allow'
    status, body = helpers.control(twin, 'POST', 'profile', {'busy_delete': 'maybe'})
    assert status == 400 and 'busy_delete' in body['error']
    assert helpers.control(twin, 'GET', 'profile')[1]['busy_delete'] == 'allow'
    # the profile is configuration: a reset of the state keeps it
    helpers.control(twin, 'POST', 'reset')
    assert helpers.control(twin, 'GET', 'profile')[1]['visibility_lag'] == 30.0


def test_token_ttl_flag_overrides_the_profile():
    with Emulator(profile='hostile', token_ttl=5) as twin:
        assert twin.state.profile['token_ttl'] == 5.0 and twin.state.profile['visibility_lag'] == 15.0


# -- lags -----------------------------------------------------------------------------------------------
def test_visibility_lag_zero_lists_at_once(cloud, helpers):
    _twin, client, _clock = cloud(visibility_lag=0)
    cache_id = create(client, helpers)
    assert [c.image_cache_id for c in describe(client, image_cache_id=cache_id).image_caches] == [cache_id]


def test_visibility_lag_hides_a_new_cache_everywhere(cloud, helpers):
    _twin, client, clock = cloud(visibility_lag=8)
    cache_id = create(client, helpers, image_cache_name='late')
    clock.advance(7.5)
    assert describe(client, image_cache_id=cache_id).image_caches == []
    assert describe(client, image_cache_name='late').image_caches == []
    assert describe(client).total_count == 0 and describe(client).image_caches == []
    # the cache exists meanwhile: its lifecycle runs (it is Ready when it shows up)
    clock.advance(0.6)
    shown = describe(client, image_cache_name='late')
    assert shown.total_count == 1 and shown.image_caches[0].image_cache_id == cache_id and shown.image_caches[0].status == 'Ready'


def test_update_lag_zero_goes_updating_at_once(cloud, helpers):
    _twin, client, clock = cloud(update_lag=0)
    cache_id = ready(client, helpers, clock)
    update(client, cache_id, image_cache_size=40)
    shown = listed(client, cache_id)[0]
    assert (shown.status, shown.image_cache_size) == ('Updating', 40)


def test_update_lag_keeps_the_old_status_and_settings(cloud, helpers):
    _twin, client, clock = cloud(update_lag=6)
    cache_id = ready(client, helpers, clock)
    update(client, cache_id, image_cache_size=40, image=['registry.example.com/app/other:2'])
    clock.advance(5.5)
    shown = listed(client, cache_id)[0]
    assert (shown.status, shown.image_cache_size, shown.images) == ('Ready', 20, ['registry.example.com/app/web:1.0'])
    assert describe(client, image='registry.example.com/app/other:2').image_caches == []  # filters see the old settings
    # the cloud has accepted the update: a second one is refused meanwhile
    assert helpers.api_error(update, client, cache_id, image_cache_size=50).code == 'IncorrectStatus.ImageCache'
    clock.advance(1)
    shown = listed(client, cache_id)[0]
    assert (shown.status, shown.image_cache_size, shown.images) == ('Updating', 40, ['registry.example.com/app/other:2'])
    clock.advance(READY_AFTER)
    assert listed(client, cache_id)[0].status == 'Ready'


def test_delete_lag_zero_removes_at_once(cloud, helpers):
    _twin, client, clock = cloud(delete_lag=0, extra_statuses=['Deleting'])
    cache_id = ready(client, helpers, clock)
    delete(client, cache_id)
    assert listed(client, cache_id) == [] and describe(client).total_count == 0


@pytest.mark.parametrize('extra, shown_status', [([], 'Ready'), (['Deleting', 'Releasing'], 'Deleting')])
def test_delete_lag_lists_a_deleted_cache_for_a_while(cloud, helpers, extra, shown_status):
    _twin, client, clock = cloud(delete_lag=5, extra_statuses=extra)
    cache_id = ready(client, helpers, clock)
    delete(client, cache_id)
    clock.advance(4.5)
    assert [c.status for c in listed(client, cache_id)] == [shown_status]
    assert [c.status for c in describe(client, image_cache_id=cache_id).image_caches] == [shown_status]
    # it is gone for every action meanwhile
    assert helpers.api_error(update, client, cache_id, image_cache_size=40).code == 'InvalidImageCacheId.NotFound'
    clock.advance(0.6)
    assert listed(client, cache_id) == [] and describe(client).total_count == 0


# -- paging ---------------------------------------------------------------------------------------------
def test_page_limit_reject(cloud, helpers):
    _twin, client, _clock = cloud(page_limit_max=3, page_limit_over='reject')
    for n in range(4):
        create(client, helpers, image_cache_name=f'c-{n}')
    assert len(describe(client, limit=3).image_caches) == 3
    error = helpers.api_error(describe, client, limit=4)
    assert (error.status_code, error.code) == (400, 'InvalidParameter.Limit')
    assert len(describe(client).image_caches) == 3  # the default Limit (10) never exceeds the maximum


def test_page_limit_cap(cloud, helpers):
    _twin, client, _clock = cloud(page_limit_max=3, page_limit_over='cap')
    ids = [create(client, helpers, image_cache_name=f'c-{n}') for n in range(5)]
    first = describe(client, limit=100)
    assert [c.image_cache_id for c in first.image_caches] == ids[:3] and first.total_count == 5 and first.next_token
    rest = describe(client, limit=100, next_token=first.next_token)
    assert [c.image_cache_id for c in rest.image_caches] == ids[3:] and not rest.next_token


# -- busy delete, unknown ids -----------------------------------------------------------------------------
def test_busy_delete_allow(cloud, helpers):
    _twin, client, _clock = cloud(busy_delete='allow')
    cache_id = create(client, helpers)
    assert listed(client, cache_id)[0].status == 'Preparing'
    delete(client, cache_id)
    assert listed(client, cache_id) == []


def test_busy_delete_reject(cloud, helpers):
    _twin, client, clock = cloud(busy_delete='reject')
    cache_id = create(client, helpers)
    for status, step in (('Preparing', 0), ('Creating', READY_AFTER / 2)):
        clock.advance(step)
        assert listed(client, cache_id)[0].status == status
        error = helpers.api_error(delete, client, cache_id)
        assert (error.status_code, error.code) == (400, 'IncorrectStatus') and status in error.message
    clock.advance(READY_AFTER)
    update(client, cache_id, image_cache_size=30)
    assert helpers.api_error(delete, client, cache_id).code == 'IncorrectStatus'  # Updating
    clock.advance(READY_AFTER + 0.1)
    delete(client, cache_id)
    assert listed(client, cache_id) == []
    failed = create(client, helpers, image=['registry.example.com/huge/image:latest'], image_cache_name='broken')
    clock.advance(READY_AFTER + 0.1)
    assert listed(client, failed)[0].status == 'Failed'
    delete(client, failed)  # Failed is not busy


def _unknown_id_calls(client):
    missing = 'imc-00000000000000000000'
    return {
        'update': lambda: update(client, missing, image_cache_size=30),
        'delete': lambda: delete(client, missing),
        'tag': lambda: client.tag_resources(M.TagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[missing],
                                                                  tag=[M.TagResourcesRequestTag(key='a', value='b')])),
        'untag': lambda: client.untag_resources(M.UntagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache',
                                                                        resource_id=[missing], tag_key=['a'])),
    }


def test_missing_id_not_found(cloud, helpers):
    _twin, client, _clock = cloud(missing_id='not_found')
    for name, call in _unknown_id_calls(client).items():
        error = helpers.api_error(call)
        assert error.status_code == 404 and error.code.endswith('.NotFound'), name


def test_missing_id_ignore(cloud, helpers):
    twin, client, _clock = cloud(missing_id='ignore')
    for name, call in _unknown_id_calls(client).items():
        assert call().status_code == 200, name
    assert not twin.state.caches


# -- ClientToken ----------------------------------------------------------------------------------------
def test_token_mismatch_code(cloud, helpers):
    _twin, client, _clock = cloud(token_mismatch_code='InvalidParameter.ClientToken.Reused')
    create(client, helpers, client_token='t-1')
    error = helpers.api_error(create, client, helpers, client_token='t-1', image_cache_size=40)
    assert (error.status_code, error.code) == (400, 'InvalidParameter.ClientToken.Reused')


@pytest.mark.parametrize('after_delete', ['replay', 'mismatch', 'create'])
def test_token_after_delete(cloud, helpers, after_delete):
    twin, client, _clock = cloud(token_after_delete=after_delete, token_mismatch_code='Token.Mismatch')
    first = create(client, helpers, client_token='t-1')
    assert create(client, helpers, client_token='t-1') == first  # alive: replayed in every profile
    delete(client, first)
    if after_delete == 'replay':
        assert create(client, helpers, client_token='t-1') == first and not twin.state.caches
    elif after_delete == 'mismatch':
        error = helpers.api_error(create, client, helpers, client_token='t-1')
        assert (error.status_code, error.code) == (400, 'Token.Mismatch') and not twin.state.caches
    else:
        second = create(client, helpers, client_token='t-1')
        assert second != first and list(twin.state.caches) == [second]
        assert create(client, helpers, client_token='t-1') == second  # the token now stands for the new cache


def test_token_ttl(cloud, helpers):
    _twin, client, clock = cloud(token_ttl=60)
    first = create(client, helpers, client_token='t-1')
    clock.advance(59)
    assert create(client, helpers, client_token='t-1') == first
    clock.advance(2)
    assert create(client, helpers, client_token='t-1') != first


# -- what comes back ------------------------------------------------------------------------------------
def test_normalize_image():
    assert normalize_image('nginx:1.25') == 'docker.io/library/nginx:1.25'
    assert normalize_image('nginx') == 'docker.io/library/nginx:latest'
    assert normalize_image('bitnami/redis:7') == 'docker.io/bitnami/redis:7'
    assert normalize_image('docker.io/nginx') == 'docker.io/library/nginx:latest'
    assert normalize_image('index.docker.io/library/nginx:1') == 'docker.io/library/nginx:1'
    assert normalize_image('registry.example.com/app/web:1.0') == 'registry.example.com/app/web:1.0'
    assert normalize_image('localhost:5000/app') == 'localhost:5000/app:latest'
    digest = 'sha256:' + 'a' * 64
    assert normalize_image('nginx@' + digest) == 'docker.io/library/nginx@' + digest


@pytest.mark.parametrize('echo, expected', [
    ('verbatim', ['nginx:1.25', 'registry.example.com/app/web:1.0']),
    ('normalized', ['docker.io/library/nginx:1.25', 'registry.example.com/app/web:1.0']),
])
def test_echo_images(cloud, helpers, echo, expected):
    _twin, client, _clock = cloud(echo_images=echo)
    cache_id = create(client, helpers, image=['nginx:1.25', 'registry.example.com/app/web:1.0'])
    assert listed(client, cache_id)[0].images == expected
    # the Image filter finds the cache by the reference as sent
    assert [c.image_cache_id for c in describe(client, image='nginx:1.25').image_caches] == [cache_id]


@pytest.mark.parametrize('clear, expected', [('applied', ''), ('ignored', 'LRU')])
def test_clear_elimination(cloud, helpers, clear, expected):
    _twin, client, clock = cloud(clear_elimination=clear)
    cache_id = ready(client, helpers, clock, elimination_strategy='LRU')
    update(client, cache_id, elimination_strategy='', image_cache_size=30)
    clock.advance(READY_AFTER + 0.1)
    shown = listed(client, cache_id)[0]
    assert (shown.status, shown.elimination_strategy, shown.image_cache_size) == ('Ready', expected, 30)


def test_system_tags(cloud, helpers):
    _twin, client, clock = cloud(system_tags={'acs:tag:createdby': 'sub:1'})
    cache_id = ready(client, helpers, clock, tag=[M.CreateImageCacheRequestTag(key='env', value='dev')])

    def tags():
        return {t.key: t.value for t in listed(client, cache_id)[0].tags}

    assert tags() == {'acs:tag:createdby': 'sub:1', 'env': 'dev'}
    rows = client.list_tag_resources(M.ListTagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[cache_id]))
    assert {(r.tag_key, r.tag_value) for r in rows.body.tag_resources} == {('acs:tag:createdby', 'sub:1'), ('env', 'dev')}
    untag = M.UntagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[cache_id], tag_key=['acs:tag:createdby'])
    assert helpers.api_error(client.untag_resources, untag).code == 'InvalidParameter.TagKey'
    client.untag_resources(M.UntagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=[cache_id], all=True))
    assert tags() == {'acs:tag:createdby': 'sub:1'}
    update(client, cache_id, tag=[M.UpdateImageCacheRequestTag(key='team', value='x')])
    assert tags() == {'acs:tag:createdby': 'sub:1', 'team': 'x'}


def test_no_system_tags(cloud, helpers):
    _twin, client, _clock = cloud(system_tags={})
    cache_id = create(client, helpers)
    assert listed(client, cache_id)[0].tags == []


# -- rules of every profile -------------------------------------------------------------------------------
@pytest.mark.parametrize('profile', ['default', 'hostile'])
def test_unknown_region_is_refused(make_twin, make_client, helpers, profile):
    client = make_client(target=make_twin(profile=profile))
    for region in ('xx-nowhere-1', 'cn-atlantis'):
        error = helpers.api_error(client.describe_image_caches, M.DescribeImageCachesRequest(region_id=region))
        assert (error.status_code, error.code) == (400, 'InvalidParameter.RegionId') and region in error.message
    assert describe(client).total_count == 0
    assert client.describe_image_caches(M.DescribeImageCachesRequest(region_id='ap-southeast-1')).body.total_count == 0


@pytest.mark.parametrize('gateway', [{'network_type': 'intranet'}, {'status': 'Creating'}])
def test_nat_gateway_without_internet_gives_no_route(make_twin, make_client, helpers, tmp_path, gateway):
    fixtures = yaml.safe_load(open(os.path.join(ROOT, 'tests', 'emulator', 'default_fixtures.yml'), encoding='utf-8'))
    fixtures['nat_gateways'][0].update(gateway)
    path = tmp_path / 'world.yml'
    path.write_text(yaml.safe_dump(fixtures))
    twin = make_twin(ready_after=0.2, fixtures=str(path))
    client = make_client(target=twin)
    cache_id = create(client, helpers, image=['nginx:1.25'])
    deadline = time.time() + 10
    while listed(client, cache_id)[0].status != 'Failed' and time.time() < deadline:
        time.sleep(0.05)
    cache = listed(client, cache_id)[0]
    assert cache.status == 'Failed' and 'no internet access' in cache.events[-1].message


# -- --print-env -----------------------------------------------------------------------------------------
def test_print_env_for_a_running_twin():
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, '-m', 'tests.emulator', '--print-env', '--url', 'http://127.0.0.1:8080/',
                             '--access-key-id', 'LTAI5tKey', '--access-key-secret', 'it is secret'],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.splitlines() == [
        'export ALICLOUD_ACCESS_KEY=LTAI5tKey', "export ALICLOUD_SECRET_KEY='it is secret'", 'export ALICLOUD_REGION=cn-hangzhou',
        'export ALICLOUD_ECI_ENDPOINT=http://127.0.0.1:8080', 'export ALICLOUD_VPC_ENDPOINT=http://127.0.0.1:8080',
        'export ALICLOUD_ECS_ENDPOINT=http://127.0.0.1:8080', 'export EMULATOR_URL=http://127.0.0.1:8080']
    bad = subprocess.run([sys.executable, '-m', 'tests.emulator', '--print-env', '--url', '127.0.0.1:8080'],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and '--url' in bad.stderr


def test_print_env_starts_and_serves(make_client, helpers):
    env = dict(os.environ, PYTHONPATH=ROOT)
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, '-m', 'tests.emulator', '--print-env', '--profile', 'hostile'], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline().strip() for _line in range(7)]
        values = dict(line.removeprefix('export ').split('=', 1) for line in lines)
        assert set(values) == {'ALICLOUD_ACCESS_KEY', 'ALICLOUD_SECRET_KEY', 'ALICLOUD_REGION', 'ALICLOUD_ECI_ENDPOINT',
                               'ALICLOUD_VPC_ENDPOINT', 'ALICLOUD_ECS_ENDPOINT', 'EMULATOR_URL'}
        url = values['ALICLOUD_ECI_ENDPOINT']
        with urllib.request.urlopen(f'{url}/_emulator/profile', timeout=10) as response:
            assert yaml.safe_load(response.read())['busy_delete'] == 'reject'
        # the printed keys are the ones the twin accepts
        twin = type('Target', (), {'endpoint': url.split('://', 1)[1]})
        client = make_client(access_key_id=values['ALICLOUD_ACCESS_KEY'], access_key_secret=values['ALICLOUD_SECRET_KEY'], target=twin)
        assert client.describe_image_caches(M.DescribeImageCachesRequest(region_id=values['ALICLOUD_REGION'])).body.total_count == 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
