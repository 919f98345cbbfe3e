# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end against the twin playing the clouds of issue 13's "What failed", each with its expected value.

Each test sets the switches it plays on top of the suite's profile (PROFILE, default or hostile), so the
case holds in both passes. The mechanics behind each line are unit-tested on a fake clock
(tests/unit/plugins/modules/test_eci_image_cache.py); these are the proofs over real HTTP and processes.
"""

from __future__ import annotations

import os
import tempfile

import twinlib

IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25'


def create_args(twin, name, **extra):
    args = dict(name=name, images=[IMAGE], security_group_id='sg-demo', vswitch_ids=['vsw-demo'], size_check='skip')
    args.update(extra)
    return twin.auth_args(**args)


def profile(**switches):
    """The suite's profile with these switches on top (a mapping the twin takes as profile=)."""
    import yaml
    base = twinlib.PROFILE
    if base in ('default', 'hostile'):
        path = os.path.join(twinlib.COLLECTION_ROOT, 'tests', 'emulator', 'profiles', base + '.yml')
    else:
        path = base
    with open(path, encoding='utf-8') as handle:
        merged = yaml.safe_load(handle) or {}
    merged.update(switches)
    return merged


def test_visibility_lag_20s_one_token_one_cache_changed_ready():
    with twinlib.Twin(ready_after=0.5, profile=profile(visibility_lag=20)) as twin:
        run = twinlib.run_module('eci_image_cache', create_args(twin, 'lagging'), timeout=180)
        creates = [e for e in twin.requests() if e['action'] == 'CreateImageCache']
        caches = twin.caches()
    assert not run.failed, run.msg or run.stderr[-2000:]
    assert len(creates) == 1 and len(set(e['params']['ClientToken'] for e in creates)) == 1
    assert [c['ImageCacheName'] for c in caches] == ['lagging']
    assert run.result['changed'] is True and run.result['image_cache']['status'] == 'Ready'


def test_rename_replay_a_cache_named_alpha_exists():
    with twinlib.Twin(ready_after=0.3, profile=profile()) as twin:
        first = twinlib.run_module('eci_image_cache', create_args(twin, 'alpha'))
        renamed = twinlib.run_module('eci_image_cache', twin.auth_args(
            image_cache_id=first.result['image_cache']['image_cache_id'], name='beta'))
        again = twinlib.run_module('eci_image_cache', create_args(twin, 'alpha'))
        names = sorted(c['ImageCacheName'] for c in twin.caches())
    assert not first.failed and not renamed.failed, first.msg + renamed.msg
    assert not again.failed, again.msg
    assert again.result['image_cache']['image_cache_name'] == 'alpha' and names == ['alpha', 'beta']


def test_ten_forks_deleting_one_cache_ten_successes_one_changed():
    workdir = tempfile.mkdtemp(prefix='eci-delete-forks-')
    inventory = os.path.join(workdir, 'hosts')
    with open(inventory, 'w', encoding='utf-8') as handle:
        handle.write('[all]\n' + ''.join('host%02d ansible_connection=local ansible_python_interpreter=%s\n'
                                         % (index, twinlib.PYTHON) for index in range(10)))
    log_file = os.path.join(workdir, 'results.jsonl')
    with twinlib.Twin(ready_after=0.3, profile=profile()) as twin:
        created = twinlib.run_module('eci_image_cache', create_args(twin, 'shared'))
        assert not created.failed, created.msg
        env = dict(twin.env(), TMPDIR=workdir, **twinlib.callback_env(log_file))
        cmd = [os.path.join(twinlib.BIN, 'ansible-playbook'), '-i', inventory, '-f', '10',
               os.path.join(twinlib.PLAYBOOK_DIR, 'delete_shared.yml'), '-e', 'cache_name=shared']
        run = twinlib.run_process(cmd, env=twinlib.clean_env(env), timeout=300, cwd=workdir)
        left = twin.caches_named('shared')
    results = [r['result'] for r in twinlib.read_results(log_file) if r['task'] == 'Delete the cache']
    assert run.rc == 0, run.stdout[-3000:]
    assert len(results) == 10 and not [r for r in results if r.get('failed')]
    assert [r.get('changed') for r in results].count(True) == 1
    assert left == []


def test_twenty_tags_to_one_succeeds_and_keeps_the_system_tag():
    system = {'acs:tag:createdby': 'sub:204512345678901234:ansible'}
    # Twenty in all: the system tag, the collection's two records (digests, build) and 17 user tags.
    tags = dict(('key%02d' % index, 'value') for index in range(20 - len(system) - 2))
    with twinlib.Twin(ready_after=0.3, profile=profile(system_tags=system)) as twin:
        first = twinlib.run_module('eci_image_cache', create_args(twin, 'tagged', tags=tags))
        one = twinlib.run_module('eci_image_cache', create_args(twin, 'tagged', tags={'only': 'one'}))
        again = twinlib.run_module('eci_image_cache', create_args(twin, 'tagged', tags={'only': 'one'}))
        info = twinlib.run_module('eci_image_cache_info', twin.auth_args(name='tagged'))
    assert not first.failed, first.msg
    assert not one.failed and one.result['changed'], one.msg
    assert not again.failed and not again.result['changed'], again.msg
    kept = info.result['image_caches'][0]['tags']
    assert 'alibabacloud.eci/build' in kept, kept  # the build record stays with the cache
    assert dict((k, v) for k, v in kept.items() if not k.startswith('alibabacloud.eci/')) == dict(system, only='one'), kept
