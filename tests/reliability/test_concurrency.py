# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""20 ansible-playbook processes at once against one twin that throttles.

15 runs create distinct caches, 5 race to create the same one. Afterwards exactly 16 caches exist,
every run succeeded, and every run's `changed` is truthful: a run reports changed only if its own
request created the cache. The lookups meet at a barrier in the twin (its `barrier` fault): no lookup is
answered before every run that can look up has sent its own, so all 20 runs are in flight together however
late a process starts on a loaded machine. The 5 racers run on one host, so they take turns from lookup to
create (the module's host lock): one creates, the others find its cache and report changed=false.

Racers on different hosts share no lock: a second race gives each run its own temp directory (as
separate machines have); their lookups meet at a barrier, so every racer finds no cache and sends
CreateImageCache. The ClientToken still makes one cache; each such racer may report changed=true, as the
module documents.

Each run sends one DescribeImageCaches (by name) before it decides to create (eci_image_cache with images given
and size_check skip: no lookup before the host turn), so a barrier of N on DescribeImageCaches releases only once
N runs are at that lookup, and each run's first DescribeImageCaches is one of the N. The barrier's bound
(BARRIER_SECONDS) is a safety net only: a test asserts that the barrier filled, and the module's read_timeout is
raised above it so that a held lookup is never retried.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time

import pytest

import twinlib

DISTINCT = 15
RACERS = 5
RACE_NAME = 'race-shared'
THROTTLED_REQUESTS = 30
# The barrier's safety bound: held lookups are answered after it even if the barrier has not filled (the tests then
# fail, naming how many runs arrived). Far above the time the runs need to start on a loaded machine; READ_TIMEOUT
# (the module's read_timeout in these runs) is above it, so that no held lookup times out and is sent again.
BARRIER_SECONDS = 240
READ_TIMEOUT = 300


def run_create_playbooks(twin, workdir, runs):
    """Start create_one.yml once per (cache name, TMPDIR) in runs, all at once; wait for all.

    A run's TMPDIR stands for its host: runs with one TMPDIR share the module's host lock.
    Returns one dict per run: name, rc, output and the result of the task 'Create the cache'.
    """
    playbook = os.path.join(twinlib.PLAYBOOK_DIR, 'create_one.yml')
    procs = []
    for index, (name, host_tmp) in enumerate(runs):
        log_file = os.path.join(workdir, 'run-%02d.jsonl' % index)
        env = twinlib.clean_env(dict(twin.env(), TMPDIR=host_tmp, **twinlib.callback_env(log_file)))
        cmd = [os.path.join(twinlib.BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook,
               '-e', 'cache_name=%s' % name, '-e', 'read_timeout=%d' % READ_TIMEOUT]
        # pylint: disable-next=consider-using-with
        procs.append((name, log_file, subprocess.Popen(cmd, env=env, cwd=workdir, stdout=subprocess.PIPE,
                                                       stderr=subprocess.STDOUT, text=True)))
    finished = []
    for name, log_file, proc in procs:
        output = proc.communicate(timeout=600)[0]
        results = [r for r in twinlib.read_results(log_file) if r['task'] == 'Create the cache']
        finished.append(dict(name=name, rc=proc.returncode, output=output, result=results[0]['result'] if results else {}))
    return finished


@pytest.fixture(scope='module')
def race():
    """Runs the 20 playbooks once; the tests below judge the outcome."""
    workdir = tempfile.mkdtemp(prefix='eci-concurrency-')
    shared_tmp = tempfile.mkdtemp(prefix='host-', dir=workdir)  # one host: one temp directory for all runs
    names = ['distinct-%02d' % index for index in range(DISTINCT)] + [RACE_NAME] * RACERS
    with twinlib.Twin(ready_after=0.5) as twin:
        # The lookups meet: every distinct run and the racer whose turn it is look up, and none is answered before
        # all of them have (a barrier of DISTINCT + 1; the other racers wait for the turn and send nothing yet).
        # Then a throttling burst on every action.
        barrier = twin.barrier('DescribeImageCaches', DISTINCT + 1, BARRIER_SECONDS)
        twin.fault('*', 'throttle', times=THROTTLED_REQUESTS)
        started = time.monotonic()
        runs = run_create_playbooks(twin, workdir, [(name, shared_tmp) for name in names])
        elapsed = time.monotonic() - started
        caches = twin.caches()
        log = twin.requests()
        lookups_met = twin.barrier_state(barrier)

    throttled = sum(1 for entry in log if entry['code'] == 'Throttling.User')
    creates = [entry for entry in log if entry['action'] == 'CreateImageCache' and entry['status'] == 200]
    race_creates = [entry for entry in creates if entry['params'].get('ImageCacheName') == RACE_NAME]
    rows = [(index, run['name'], run['rc'], run['result'].get('changed'), run['result'].get('changes'),
             (run['result'].get('image_cache') or {}).get('image_cache_id'), (run['result'].get('msg') or '')[:80])
            for index, run in enumerate(runs)]
    text = ('Concurrency: %d runs in %.1fs, %d requests throttled, %d caches, %d successful CreateImageCache '
            '(%d for %s); lookup barrier: %s, %d of %d arrived, released after %ss (bound %ds)\n' % (
                len(runs), elapsed, throttled, len(caches), len(creates), len(race_creates), RACE_NAME,
                lookups_met['outcome'], lookups_met['arrived'], lookups_met['size'], lookups_met['waited'], BARRIER_SECONDS)
            + twinlib.table(('run', 'name', 'rc', 'changed', 'changes', 'cache id', 'msg'), rows))
    path = twinlib.write_output('concurrency.txt', text)
    print('\n' + text + 'written to ' + path)
    return dict(runs=runs, caches=caches, throttled=throttled, race_creates=len(race_creates), lookups_met=lookups_met)


def test_the_lookups_met_at_the_barrier(race):
    """A real race: DISTINCT + 1 runs (each distinct one and one racer) were at their lookup together."""
    met = race['lookups_met']
    assert (met['outcome'], met['arrived']) == ('full', DISTINCT + 1), (
        'not a real race: %d of %d runs looked up within %d s (barrier %s)'
        % (met['arrived'], met['size'], met['seconds'], met['outcome']))


def test_twenty_runs_at_once(race):
    runs, caches, throttled = race['runs'], race['caches'], race['throttled']
    assert [run['name'] + ': ' + run['output'][-2000:] for run in runs if run['rc'] != 0] == []
    assert throttled > 0, 'the twin throttled nothing: the test did not test throttling'
    by_name = {}
    for cache in caches:
        by_name.setdefault(cache['ImageCacheName'], []).append(cache['ImageCacheId'])
    assert len(caches) == DISTINCT + 1, by_name
    assert dict((name, len(ids)) for name, ids in by_name.items() if len(ids) != 1) == {}
    # The racers all end up with the one cache.
    racer_ids = set((run['result'].get('image_cache') or {}).get('image_cache_id') for run in runs if run['name'] == RACE_NAME)
    assert racer_ids == set(by_name[RACE_NAME])
    # Every distinct run created its cache.
    assert [run['name'] for run in runs if run['name'] != RACE_NAME and run['result'].get('changed') is not True] == []


def test_only_the_racer_that_created_reports_changed(race):
    runs = race['runs']
    racers = [run['result'] for run in runs if run['name'] == RACE_NAME]
    assert [r.get('changed') for r in racers].count(True) == 1, (
        'racers reporting changed=true: %d of %d, but one request created %s' % (
            [r.get('changed') for r in racers].count(True), RACERS, RACE_NAME))
    creator = [r for r in racers if r.get('changed')][0]
    assert creator['changes'] == ['create']
    assert all(r['changes'] == [] for r in racers if r is not creator)
    # One CreateImageCache for the shared name: the others found the cache under the lock.
    assert race['race_creates'] == 1


OTHER_HOSTS = 4
HOSTS_NAME = 'race-hosts'


def test_racers_on_different_hosts_still_make_one_cache():
    """No shared lock (each run its own TMPDIR): all send CreateImageCache, the ClientToken keeps one cache."""
    workdir = tempfile.mkdtemp(prefix='eci-concurrency-hosts-')
    hosts = [tempfile.mkdtemp(prefix='host-%d-' % index, dir=workdir) for index in range(OTHER_HOSTS)]
    with twinlib.Twin(ready_after=0.5) as twin:
        # Each run's lookup is held until every run has sent its own: all find no cache, however late a run starts.
        barrier = twin.barrier('DescribeImageCaches', OTHER_HOSTS, BARRIER_SECONDS)
        runs = run_create_playbooks(twin, workdir, [(HOSTS_NAME, host_tmp) for host_tmp in hosts])
        caches = twin.caches()
        creates = [e for e in twin.requests() if e['action'] == 'CreateImageCache' and e['status'] == 200]
        lookups_met = twin.barrier_state(barrier)
    assert [run['output'][-2000:] for run in runs if run['rc'] != 0] == []
    assert (lookups_met['outcome'], lookups_met['arrived']) == ('full', OTHER_HOSTS), (
        'not a real race: %d of %d runs looked up within %d s' % (lookups_met['arrived'], OTHER_HOSTS, lookups_met['seconds']))
    results = [run['result'] for run in runs]
    assert len(creates) == OTHER_HOSTS, 'not a real race: only %d runs sent CreateImageCache' % len(creates)
    assert len(set(e['params']['ClientToken'] for e in creates)) == 1
    assert [c['ImageCacheName'] for c in caches] == [HOSTS_NAME]
    assert set(r['image_cache']['image_cache_id'] for r in results) == set([caches[0]['ImageCacheId']])
    # Each racer may report changed=true here (a token replay looks like a create): the documented limit.
    assert any(r['changed'] for r in results)


def test_sets_on_one_host_never_make_two_caches_of_one_name_under_a_lagging_listing():
    """Issue 22: three eci_image_caches runs on one host for one name, with other sizes and set values, under a listing
    that shows a new cache 15 s late (the hostile profile's value): the set holds the name's turn until its create is
    confirmed, so the later runs find the cache. One cache, whatever the profile."""
    import concurrent.futures

    from test_cloud_profiles import profile

    host_tmp = tempfile.mkdtemp(prefix='eci-set-turn-')
    with twinlib.Twin(ready_after=0.3, profile=profile(visibility_lag=15)) as twin:
        def one_run(index):
            item = dict(name='set-turn', images=['nginx:latest'], image_cache_size=20 + 20 * index,
                        security_group_id='sg-demo', vswitch_ids=['vsw-demo'], size_check='skip', take_over=True)
            args = twin.auth_args(caches=[item], management_tag_value='set-%d' % index, wait_timeout=120)
            return twinlib.run_module('eci_image_caches', args, timeout=240, env=dict(TMPDIR=host_tmp))
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            runs = list(pool.map(one_run, range(3)))
        caches = twin.caches_named('set-turn')
        creates = [e for e in twin.requests() if e['action'] == 'CreateImageCache' and e['status'] == 200]
    assert all(not run.failed for run in runs), [run.msg or run.stderr[-1500:] for run in runs]
    assert len(caches) == 1 and len(creates) == 1, (caches, creates)
