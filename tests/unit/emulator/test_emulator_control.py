# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Control endpoints, faults, the request log, concurrency and the command line."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

from alibabacloud_eci20180808 import models as M
from darabonba.exceptions import DaraException, UnretryableException

ROOT = pathlib.Path(__file__).resolve().parents[3]  # the collection root


def describe_request():
    return M.DescribeImageCachesRequest(region_id='cn-hangzhou')


def test_health_and_state(twin, helpers):
    assert helpers.control(twin, 'GET', 'health') == (200, {'status': 'ok'})
    status, state = helpers.control(twin, 'GET', 'state')
    assert status == 200 and state['image_caches'] == []
    assert [v['id'] for v in state['network']['vswitches']] == ['vsw-demo']
    assert state['network']['vswitches'][0]['zone_id'] == 'cn-hangzhou-h'
    assert state['network']['nat_gateways'][0]['snat_entries'][0]['source_vswitch_id'] == 'vsw-demo'
    assert helpers.control(twin, 'GET', 'nothing')[0] == 404


def test_request_log_masks_secrets(twin, client, helpers):
    request = helpers.create_request(client_token='ct-1', image_registry_credential=[
        M.CreateImageCacheRequestImageRegistryCredential(server='registry.example.com', user_name='u', password='hunter2')])
    client.create_image_cache(request)
    helpers.api_error(client.describe_image_caches, M.DescribeImageCachesRequest(region_id='cn-hangzhou', limit=500))
    status, log = helpers.control(twin, 'GET', 'requests')
    assert status == 200 and len(log) == 2
    created, failed = log
    assert (created['action'], created['product'], created['status'], created['code']) == ('CreateImageCache', 'eci', 200, None)
    assert created['region'] == 'cn-hangzhou' and created['client_token'] == 'ct-1' and created['time']
    assert created['params']['ImageRegistryCredential.1.Password'] == '***' and 'hunter2' not in str(log)
    assert (failed['action'], failed['status'], failed['code']) == ('DescribeImageCaches', 400, 'InvalidParameter.Limit')
    assert helpers.control(twin, 'DELETE', 'requests') == (200, {'cleared': 2})
    assert helpers.control(twin, 'GET', 'requests') == (200, [])


@pytest.mark.parametrize('kind,status,code,exception', [
    ('throttle', 400, 'Throttling.User', 'ClientException'),
    ('server_error', 503, 'ServiceUnavailable', 'ServerException'),
])
def test_error_faults(twin, client, helpers, kind, status, code, exception):
    assert helpers.control(twin, 'POST', 'faults', {'action': 'DescribeImageCaches', 'fault': kind, 'times': 2})[0] == 200
    client.create_image_cache(helpers.create_request())  # other actions are not affected
    for _attempt in range(2):
        error = helpers.api_error(client.describe_image_caches, describe_request())
        assert (error.status_code, error.code, type(error).__name__) == (status, code, exception)
    assert client.describe_image_caches(describe_request()).body.total_count == 1
    log = helpers.control(twin, 'GET', 'requests')[1]
    assert [(e['status'], e['code'], e['fault']) for e in log] == [(200, None, None), (status, code, kind), (status, code, kind), (200, None, None)]
    assert helpers.control(twin, 'GET', 'faults') == (200, [])


def test_faults_need_a_valid_signature(twin, make_client, helpers):
    helpers.control(twin, 'POST', 'faults', {'action': '*', 'fault': 'throttle'})
    bad = make_client(access_key_secret='wrong')
    assert helpers.api_error(bad.describe_image_caches, describe_request()).code == 'SignatureDoesNotMatch'
    assert len(helpers.control(twin, 'GET', 'faults')[1]) == 1


def test_reset_fault(twin, client, helpers):
    helpers.control(twin, 'POST', 'faults', {'action': 'CreateImageCache', 'fault': 'reset'})
    with pytest.raises(UnretryableException):
        client.create_image_cache(helpers.create_request())
    assert not twin.state.caches
    entry = helpers.control(twin, 'GET', 'requests')[1][-1]
    assert (entry['status'], entry['code'], entry['fault'], entry['committed']) == (None, 'ConnectionReset', 'reset', False)
    assert client.create_image_cache(helpers.create_request()).body.image_cache_id  # the next call works


def test_reset_after_commit_fault_and_token_retry(twin, client, helpers):
    helpers.control(twin, 'POST', 'faults', {'action': 'CreateImageCache', 'fault': 'reset_after_commit'})
    with pytest.raises(UnretryableException):
        client.create_image_cache(helpers.create_request(client_token='retry-1'))
    assert len(twin.state.caches) == 1
    entry = helpers.control(twin, 'GET', 'requests')[1][-1]
    assert (entry['status'], entry['code'], entry['committed'], entry['result_status']) == (None, 'ConnectionReset', True, 200)
    # a retry with the same ClientToken gets the committed cache, not a second one
    again = client.create_image_cache(helpers.create_request(client_token='retry-1')).body.image_cache_id
    assert list(twin.state.caches) == [again]


def test_delay_fault(twin, client, make_client, helpers):
    helpers.control(twin, 'POST', 'faults', {'action': '*', 'fault': 'delay', 'seconds': 0.3})
    started = time.monotonic()
    assert client.describe_image_caches(describe_request()).body.total_count == 0
    assert time.monotonic() - started >= 0.3
    helpers.control(twin, 'POST', 'faults', {'action': '*', 'fault': 'delay', 'seconds': 0.5})
    with pytest.raises(UnretryableException):
        make_client(read_timeout=100).describe_image_caches(describe_request())
    assert [e['fault'] for e in helpers.control(twin, 'GET', 'requests')[1]] == ['delay']  # the second is still sleeping


def test_delay_fault_acts_before_the_late_answer(twin, make_client, helpers):
    helpers.control(twin, 'POST', 'faults', {'action': 'CreateImageCache', 'fault': 'delay', 'seconds': 0.5})
    with pytest.raises(UnretryableException):
        make_client(read_timeout=100).create_image_cache(helpers.create_request(client_token='late-1'))
    _status, state = helpers.control(twin, 'GET', 'state')
    assert len(state['image_caches']) == 1  # created although the client gave up waiting for the answer


def held_describes(make_client, count):
    """Start count DescribeImageCaches in threads (one client each); returns (threads, answers)."""
    answers = []

    def describe():
        answers.append(make_client().describe_image_caches(describe_request()).body.total_count)

    threads = [threading.Thread(target=describe, daemon=True) for _index in range(count)]
    for thread in threads:
        thread.start()
    return threads, answers


def barrier_view(helpers, twin, fault_id):
    return next(b for b in helpers.control(twin, 'GET', 'barriers')[1] if b['id'] == fault_id)


def wait_for_arrivals(helpers, twin, fault_id, count):
    """Poll until count requests wait at the barrier (bounded: a broken barrier fails here, not by hanging)."""
    deadline = time.monotonic() + 60
    while barrier_view(helpers, twin, fault_id)['arrived'] < count:
        assert time.monotonic() < deadline, barrier_view(helpers, twin, fault_id)
        time.sleep(0.02)


def test_barrier_holds_each_request_until_all_have_arrived(twin, client, make_client, helpers):
    barrier = {'action': 'DescribeImageCaches', 'fault': 'barrier', 'times': 3, 'seconds': 120}
    status, fault = helpers.control(twin, 'POST', 'faults', barrier)
    assert status == 200 and fault['fault'] == 'barrier'
    client.create_image_cache(helpers.create_request())  # other actions pass
    threads, answers = held_describes(make_client, 2)
    wait_for_arrivals(helpers, twin, fault['id'], 2)
    # Two of three have arrived: both are held (acted on, not answered, not logged yet).
    assert all(thread.is_alive() for thread in threads) and answers == []
    assert [e['action'] for e in helpers.control(twin, 'GET', 'requests')[1]] == ['CreateImageCache']
    assert barrier_view(helpers, twin, fault['id'])['outcome'] == 'waiting'
    # The third fills the barrier: all three are answered.
    assert client.describe_image_caches(describe_request()).body.total_count == 1
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads) and answers == [1, 1]
    view = barrier_view(helpers, twin, fault['id'])
    assert 0 <= view.pop('waited') < 120
    assert view == {'id': fault['id'], 'action': 'DescribeImageCaches', 'size': 3, 'seconds': 120.0, 'arrived': 3,
                    'outcome': 'full', 'timed_out': False}
    log = helpers.control(twin, 'GET', 'requests')[1]
    assert [(e['fault'], e.get('barrier'), e['status']) for e in log if e['action'] == 'DescribeImageCaches'] == [
        ('barrier', 'full', 200)] * 3
    assert helpers.control(twin, 'GET', 'faults') == (200, [])  # used up
    client.describe_image_caches(describe_request())  # the next is not held
    assert helpers.control(twin, 'GET', 'requests')[1][-1]['fault'] is None


def test_barrier_answers_from_the_state_at_arrival(twin, client, make_client, helpers):
    """The held requests have acted: lookups held at a barrier all saw the world before any of them was answered."""
    barrier = {'action': 'DescribeImageCaches', 'fault': 'barrier', 'times': 2, 'seconds': 120}
    status, fault = helpers.control(twin, 'POST', 'faults', barrier)
    assert status == 200
    threads, answers = held_describes(make_client, 1)
    wait_for_arrivals(helpers, twin, fault['id'], 1)
    client.create_image_cache(helpers.create_request())  # a create between the two lookups
    assert client.describe_image_caches(describe_request()).body.total_count == 1
    threads[0].join(60)
    assert answers == [0]  # looked up before the create, answered after it


def test_barrier_timeout_answers_the_held_requests_and_says_so(twin, client, helpers):
    barrier = {'action': 'DescribeImageCaches', 'fault': 'barrier', 'times': 3, 'seconds': 0.3}
    status, fault = helpers.control(twin, 'POST', 'faults', barrier)
    assert status == 200
    assert client.describe_image_caches(describe_request()).body.total_count == 0  # answered once the bound ran out
    view = barrier_view(helpers, twin, fault['id'])
    assert view.pop('waited') >= 0.3
    assert view == {'id': fault['id'], 'action': 'DescribeImageCaches', 'size': 3, 'seconds': 0.3, 'arrived': 1,
                    'outcome': 'timeout', 'timed_out': True}
    # A timed-out barrier holds nothing more: its unused times are dropped.
    assert helpers.control(twin, 'GET', 'faults') == (200, [])
    client.describe_image_caches(describe_request())
    log = helpers.control(twin, 'GET', 'requests')[1]
    assert [(e['fault'], e.get('barrier')) for e in log] == [('barrier', 'timeout'), (None, None)]


def test_clearing_faults_releases_a_barrier(twin, make_client, helpers):
    status, fault = helpers.control(twin, 'POST', 'faults', {'action': '*', 'fault': 'barrier', 'times': 2, 'seconds': 120})
    assert status == 200
    threads, answers = held_describes(make_client, 1)
    wait_for_arrivals(helpers, twin, fault['id'], 1)
    assert helpers.control(twin, 'DELETE', 'faults') == (200, {'cleared': 1})
    threads[0].join(60)
    assert answers == [0] and barrier_view(helpers, twin, fault['id'])['outcome'] == 'cleared'
    helpers.control(twin, 'POST', 'reset')
    assert helpers.control(twin, 'GET', 'barriers') == (200, [])


@pytest.mark.parametrize('payload', [{'fault': 'explode'}, {'fault': 'throttle', 'times': 0}, {'fault': 'delay', 'seconds': -1}, ['x'],
                                     {'fault': 'barrier', 'times': 2}, {'fault': 'barrier', 'times': 2, 'seconds': 0},
                                     {'fault': 'barrier', 'times': 2, 'seconds': 3601}])
def test_bad_fault_requests(twin, helpers, payload):
    assert helpers.control(twin, 'POST', 'faults', payload)[0] == 400


def test_fault_listing_and_clearing(twin, helpers):
    helpers.control(twin, 'POST', 'faults', {'fault': 'throttle', 'times': 3})
    faults = helpers.control(twin, 'GET', 'faults')[1]
    assert [(f['action'], f['fault'], f['times']) for f in faults] == [('*', 'throttle', 3)]
    assert helpers.control(twin, 'DELETE', 'faults') == (200, {'cleared': 1})
    assert helpers.control(twin, 'GET', 'faults') == (200, [])


def test_reset_forgets_everything(twin, client, helpers):
    client.create_image_cache(helpers.create_request(client_token='tok'))
    helpers.control(twin, 'POST', 'faults', {'fault': 'throttle'})
    assert helpers.control(twin, 'POST', 'reset') == (200, {'reset': True})
    assert helpers.control(twin, 'GET', 'requests') == (200, []) and helpers.control(twin, 'GET', 'faults') == (200, [])
    assert client.describe_image_caches(describe_request()).body.total_count == 0
    client.create_image_cache(helpers.create_request(client_token='tok', image_cache_size=50))  # the token is forgotten too


def test_concurrent_creates_with_one_token(twin, make_client, helpers):
    results, errors = [], []

    def worker():
        try:
            results.append(make_client().create_image_cache(helpers.create_request(client_token='same')).body.image_cache_id)
        except DaraException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors and len(results) == 20 and len(set(results)) == 1
    assert len(twin.state.caches) == 1


def test_concurrent_distinct_creates(twin, make_client, helpers):
    def worker(index):
        client = make_client()
        for n in range(5):
            client.create_image_cache(helpers.create_request(image_cache_name=f'c-{index}-{n}'))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(twin.state.caches) == 50
    assert len(helpers.control(twin, 'GET', 'requests')[1]) == 50


def test_command_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, '-m', 'tests.emulator', '--port', '0', '--ready-after', '0.1'], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith('http://127.0.0.1:')
        import urllib.request  # pylint: disable=import-outside-toplevel
        with urllib.request.urlopen(f'{url}/_emulator/health', timeout=5) as response:
            assert response.status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    bad = tmp_path / 'bad.yml'
    bad.write_text('vswitches: [{id: vsw-1}]\n')
    result = subprocess.run([sys.executable, '-m', 'tests.emulator', '--fixtures', str(bad)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and 'vpc_id' in result.stderr


def test_reset_with_overrides_seeds_other_caches(twin, helpers):
    status, _body = helpers.control(twin, 'POST', 'reset', {'image_caches': [
        {'name': 'seeded-a', 'images': ['nginx:1']}, {'name': 'seeded-b', 'images': ['nginx:2'], 'status': 'Failed'}]})
    assert status == 200
    _status, state = helpers.control(twin, 'GET', 'state')
    assert sorted((c['ImageCacheName'], c['Status']) for c in state['image_caches']) == [('seeded-a', 'Ready'), ('seeded-b', 'Failed')]
    # the rest of the startup fixtures (the network) is kept
    assert [group['id'] for group in state['network']['security_groups']] == ['sg-demo']


def test_reset_with_a_bad_body_is_refused_and_changes_nothing(twin, helpers):
    helpers.control(twin, 'POST', 'reset', {'image_caches': [{'name': 'kept', 'images': ['nginx:1']}]})
    status, body = helpers.control(twin, 'POST', 'reset', {'image_caches': 'not a list'})
    assert status == 400 and 'image_caches' in body['error']
    assert [c['ImageCacheName'] for c in helpers.control(twin, 'GET', 'state')[1]['image_caches']] == ['kept']
