# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conformance probe (tests/conformance) against the twin: it recovers the profile the twin plays.

The twin runs with the default, the hostile (its lags shortened) and three random profiles; the probe's profile must equal the
twin's (lags within 1 s). Also: read-only mode, clean-up on failure and on a signal, a cache it cannot delete.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
import yaml

from ansible_collections.alibabacloud.eci.tests.conformance import probe
from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from ansible_collections.alibabacloud.eci.tests.emulator import profile as twin_profile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LAGS = ('visibility_lag', 'update_lag', 'delete_lag')
MEASURED = tuple(k for k in probe.SWITCH_ORDER if k != 'token_ttl')
READY_AFTER = 1.5  # long enough for the probe (polling every 0.2 s) to see Updating
# The hostile profile with shorter lags: its lags (15, 10 and 10 s) would make the probe wait 35 s to measure what it
# measures the same way at a few seconds. Every other switch stays hostile; the lags stay many polls long, nonzero and
# more than the tolerance (1 s) apart, so a lag measured in the wrong step still fails.
HOSTILE_SHORT_LAGS = {'visibility_lag': 4.0, 'update_lag': 1.5, 'delete_lag': 2.8}


def hostile_with_short_lags():
    played = dict(twin_profile.load('hostile'), **HOSTILE_SHORT_LAGS)
    assert {k: v for k, v in played.items() if k not in LAGS} == {k: v for k, v in twin_profile.load('hostile').items() if k not in LAGS}
    return played


@pytest.fixture
def twin(monkeypatch):
    """Factory: twin(profile) -> a started twin; the probe's environment points at it."""
    started = []

    def factory(profile):
        emulator = Emulator(ready_after=READY_AFTER, profile=profile).start()
        started.append(emulator)
        monkeypatch.setenv('ALICLOUD_ACCESS_KEY', DEFAULT_ACCESS_KEY_ID)
        monkeypatch.setenv('ALICLOUD_SECRET_KEY', DEFAULT_ACCESS_KEY_SECRET)
        monkeypatch.setenv('ALICLOUD_ECI_ENDPOINT', emulator.url)
        for name in ('ALICLOUD_SECURITY_TOKEN', 'ALICLOUD_PROFILE'):
            monkeypatch.delenv(name, raising=False)
        return emulator

    yield factory
    for emulator in started:
        emulator.stop()


def control(emulator, method, path, payload=None):
    data = json.dumps(payload).encode('utf-8') if payload is not None else None
    request = urllib.request.Request(f'{emulator.url}/_emulator/{path}', data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b'null')


def run_probe(tmp_path, *extra):
    output = tmp_path / 'measured.yml'
    code = probe.main(['--region', 'cn-hangzhou', '--output', str(output), '--poll-interval', '0.2', '--max-lag', '60',
                       '--timeout', '60', '--cleanup-timeout', '20', *extra])
    return code, (yaml.safe_load(output.read_text()) or {})


def confirm(*extra):
    return ('--confirm-create', '--vswitch-id', 'vsw-demo', '--security-group-id', 'sg-demo', *extra)


def random_profile(rng):
    def lag():
        return rng.choice([0.0, round(rng.uniform(1.0, 3.0), 1)])

    return {
        'visibility_lag': lag(), 'update_lag': lag(), 'delete_lag': lag(),
        'page_limit_max': rng.randint(5, 30), 'page_limit_over': rng.choice(['reject', 'cap']),
        'busy_delete': rng.choice(['allow', 'reject']), 'missing_id': rng.choice(['not_found', 'ignore']),
        'token_mismatch_code': rng.choice(['IdempotentParameterMismatch', 'IdempotenceParamNotMatch', 'InvalidParameter.ClientToken']),
        'token_after_delete': rng.choice(['replay', 'mismatch', 'create']),
        'echo_images': rng.choice(['verbatim', 'normalized']), 'clear_elimination': rng.choice(['applied', 'ignored']),
        'extra_statuses': rng.choice([[], ['Deleting']]), 'system_tags': rng.choice([{}, {'acs:tag:createdby': 'sub:1:probe'}]),
    }


@pytest.mark.parametrize('case', ['default', 'hostile', 'random-1', 'random-2', 'random-3'])
def test_probe_recovers_the_twins_profile(twin, tmp_path, case):
    seed = random.randrange(2 ** 32)
    profile = random_profile(random.Random(seed)) if case.startswith('random') else hostile_with_short_lags() if case == 'hostile' else case
    emulator = twin(profile)
    played = dict(emulator.state.profile)
    seeded = []
    if played['page_limit_over'] == 'cap':
        # a cap shows only when there are more caches than a page holds: other caches of the account (read, never touched)
        seeded = [{'name': f'seed-{n}', 'images': ['registry.example.com/app/web:1.0']} for n in range(played['page_limit_max'] + 2)]
        control(emulator, 'POST', 'reset', {'image_caches': seeded})
    before = {c['ImageCacheId']: c for c in control(emulator, 'GET', 'state')['image_caches']}

    code, measured = run_probe(tmp_path, *confirm())

    context = f'profile {case} (seed {seed}): {played}'
    assert code == 0, context
    assert set(measured) == set(MEASURED), context
    for key in LAGS:
        assert abs(measured[key] - played[key]) <= 1.0, f'{key}: measured {measured[key]}, played {played[key]}; {context}'
    # the probe sees the first extra status, and only while a deleted cache is still listed
    shown = played['extra_statuses'][:1] if played['delete_lag'] > 0 else []
    expected = dict({k: played[k] for k in MEASURED if k not in LAGS}, extra_statuses=shown)
    assert {k: measured[k] for k in expected} == expected, context
    # it deleted what it created and touched nothing else
    after = {c['ImageCacheId']: c for c in control(emulator, 'GET', 'state')['image_caches']}
    assert after == before, context
    assert len(before) == len(seeded)


def test_read_only_probe_creates_nothing(twin, tmp_path):
    emulator = twin('default')
    control(emulator, 'DELETE', 'requests')
    code, measured = run_probe(tmp_path)
    assert code == 0 and measured == {'page_limit_max': 100, 'page_limit_over': 'reject', 'missing_id': 'not_found'}
    actions = {entry['action'] for entry in control(emulator, 'GET', 'requests')}
    assert actions == {'DescribeImageCaches', 'DeleteImageCache'}
    # the twin loads what the probe wrote
    with Emulator(profile=str(tmp_path / 'measured.yml')) as loaded:
        assert loaded.state.profile['page_limit_max'] == 100


def test_probe_deletes_its_cache_when_it_fails(twin, tmp_path, capsys):
    emulator = twin('default')
    control(emulator, 'POST', 'faults', {'action': 'UpdateImageCache', 'fault': 'server_error', 'times': 50})
    code, _measured = run_probe(tmp_path, *confirm())
    assert code == 1 and 'stopped' in capsys.readouterr().err
    assert control(emulator, 'GET', 'state')['image_caches'] == []
    created = [e for e in control(emulator, 'GET', 'requests') if e['action'] == 'CreateImageCache' and e['status'] == 200]
    assert len(created) == 1


def test_probe_prints_a_cache_it_cannot_delete(twin, tmp_path, capsys):
    emulator = twin('default')
    control(emulator, 'POST', 'faults', {'action': 'DeleteImageCache', 'fault': 'server_error', 'times': 1000})
    code, _measured = run_probe(tmp_path, '--confirm-create', '--vswitch-id', 'vsw-demo', '--security-group-id', 'sg-demo',
                                '--cleanup-timeout', '0.5')
    err = capsys.readouterr().err
    (left,) = [c['ImageCacheId'] for c in control(emulator, 'GET', 'state')['image_caches']]
    assert code == 1
    assert f'NOT DELETED: {left}' in err and f'aliyun eci DeleteImageCache --region cn-hangzhou --RegionId cn-hangzhou --ImageCacheId {left}' in err


def test_probe_cleans_up_on_a_signal(twin, tmp_path):
    emulator = twin({'visibility_lag': 30})

    def stop_when_created():
        deadline = time.time() + 30
        while not emulator.state.caches and time.time() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)  # the probe turns SIGTERM (like Ctrl-C) into its clean-up

    stopper = threading.Thread(target=stop_when_created, daemon=True)
    stopper.start()
    code, _measured = run_probe(tmp_path, *confirm())
    stopper.join(5)
    assert code == 130 and control(emulator, 'GET', 'state')['image_caches'] == []


def test_command_line(twin, tmp_path):
    emulator = twin('hostile')
    env = dict(os.environ, PYTHONPATH=ROOT, ALICLOUD_ECI_ENDPOINT=emulator.url)
    result = subprocess.run([sys.executable, '-m', 'tests.conformance', '--region', 'cn-hangzhou', '--poll-interval', '0.2'],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert 'Nothing is created' in result.stderr and 'page_limit_max: 20' in result.stdout and 'missing_id: ignore' in result.stdout
    bad = subprocess.run([sys.executable, '-m', 'tests.conformance', '--region', 'cn-hangzhou', '--confirm-create'],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2 and '--vswitch-id' in bad.stderr


@pytest.mark.parametrize('value, expected', [
    ('eci.cn-hangzhou.aliyuncs.com', ('eci.cn-hangzhou.aliyuncs.com', 'https')), ('127.0.0.1:8080', ('127.0.0.1:8080', 'https')),
    ('http://127.0.0.1:8080/', ('127.0.0.1:8080', 'http')), ('HTTPS://eci.example:443', ('eci.example:443', 'https')),
])
def test_endpoint_forms(value, expected):
    assert probe.parse_endpoint(value) == expected


@pytest.mark.parametrize('value', ['ftp://host', 'http://', 'host/path', 'user@host'])
def test_bad_endpoints(value):
    with pytest.raises(probe.ProbeError, match='ALICLOUD_ECI_ENDPOINT'):
        probe.parse_endpoint(value)


def test_normalized_matches_dockers_canonical_form():
    assert probe.normalized('nginx:1.25') == 'docker.io/library/nginx:1.25'
    assert probe.normalized('bitnami/redis') == 'docker.io/bitnami/redis:latest'
    assert probe.normalized('registry-vpc.cn-hangzhou.aliyuncs.com/eci_open/nginx:1.14.2') == 'registry-vpc.cn-hangzhou.aliyuncs.com/eci_open/nginx:1.14.2'
