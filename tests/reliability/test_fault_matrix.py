# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault matrix: every API action the collection calls x every fault kind of the twin.

Each cell runs, against a fresh twin, the operation that uses the action, with the fault armed on that
action, and records the outcome: success (and the extra calls it cost, from the request log, against a
run of the same operation without faults) or failure (with its message). Then it checks the twin's
state: never a duplicate cache, never a cache lost that should still be there, never a run longer than
the bound the retry and timeout options allow. A second set of cells makes the fault outlast the
retries, so the run fails: its message must say what state the cache may be in.
The matrix is printed and written to tests/output/reliability/fault_matrix.txt.
"""

from __future__ import annotations

import collections
import concurrent.futures
import re

import pytest

import twinlib

NAME = 'fault-matrix'
IMAGES = ['nginx:latest']
# Small bounds so a cell ends fast; the wall-time bound of a cell is derived from them.
CLIENT = dict(api_retries=4, api_retry_max_seconds=8.0, read_timeout=1.0, connect_timeout=1.0)
DELAY_SECONDS = 2.0  # longer than read_timeout: the client gives up before the (already applied) answer
# Process start, imports and the fault-free calls of one operation on a loaded 2-core machine.
STARTUP_ALLOWANCE = 15.0
# One faulted call may take every attempt's read timeout plus the retry budget.
CELL_BOUND = STARTUP_ALLOWANCE + CLIENT['api_retry_max_seconds'] + (CLIENT['api_retries'] + 1) * (
    CLIENT['read_timeout'] + CLIENT['connect_timeout'])

CREATE = dict(name=NAME, images=IMAGES, security_group_id='sg-demo', vswitch_ids=['vsw-demo'], size_check='skip', wait=False)
SEEDED = dict(name=NAME, images=IMAGES, size=20)
OPERATIONS = {
    # operation: (module, module arguments, caches seeded before the run)
    'create': ('eci_image_cache', CREATE, []),
    'update': ('eci_image_cache', dict(name=NAME, images=IMAGES + ['busybox:1.36'], size_check='skip', wait=False),
               [SEEDED]),
    'tag': ('eci_image_cache', dict(name=NAME, tags=dict(env='dev', team='a'), purge_tags=False, wait=False),
            [dict(SEEDED, tags=dict(env='dev'))]),
    'untag': ('eci_image_cache', dict(name=NAME, tags=dict(env='dev'), purge_tags=True, wait=False),
              [dict(SEEDED, tags=dict(env='dev', team='a'))]),
    'delete': ('eci_image_cache', dict(name=NAME, state='absent', wait=False), [SEEDED]),
    'network': ('eci_network_info', dict(vswitch_ids=['vsw-demo'], security_group_id='sg-demo', eip_instance_id='eip-demo'), []),
}
ACTIONS = [
    ('DescribeImageCaches', 'create'), ('CreateImageCache', 'create'), ('UpdateImageCache', 'update'),
    ('DeleteImageCache', 'delete'), ('TagResources', 'tag'), ('UntagResources', 'untag'),
    ('DescribeVSwitches', 'network'), ('DescribeVpcs', 'network'), ('DescribeNatGateways', 'network'),
    ('DescribeSnatTableEntries', 'network'), ('DescribeEipAddresses', 'network'), ('DescribeSecurityGroups', 'network'),
]
# fault kind: (times, seconds). Bursts stay within api_retries, so every cell can end in success.
FAULTS = collections.OrderedDict([
    ('throttle', (3, None)),
    ('server_error', (3, None)),
    ('reset', (1, None)),
    ('reset_after_commit', (1, None)),
    ('delay', (1, DELAY_SECONDS)),
])
# Faults that outlast the retries on the actions that change something: the run must fail and say so clearly.
PERSISTENT = [(action, op, fault) for action, op in ACTIONS if op in ('create', 'update', 'tag', 'untag', 'delete')
              and action != 'DescribeImageCaches' for fault in ('reset_after_commit', 'delay')]
# What a failure message must convey when the request may have been applied.
STATE_WORDS = re.compile(r'(?i)\b(may|might) (have|be|already)|\bwhether\b|\bunknown\b|\bmay not\b')


def run_cell(action, operation, fault, times, seconds):
    """One cell against its own twin; returns a dict describing the outcome."""
    module, args, seeded = OPERATIONS[operation]
    with twinlib.Twin(ready_after=0.3) as twin:
        twin.reset(image_caches=seeded)
        if fault:
            twin.fault(action, fault, times=times, seconds=seconds)
        run = twinlib.run_module(module, twin.auth_args(**dict(CLIENT, **args)), timeout=3 * CELL_BOUND)
        log = twin.requests()
        caches = twin.caches_named(NAME)
    return dict(action=action, operation=operation, fault=fault or 'none', times=times, run=run, log=log, caches=caches)


def judge(cell, baseline_calls):
    """Fill outcome, extra calls and problems (duplicate, loss, hang, unclear failure, wrong result)."""
    run, caches, operation = cell['run'], cell['caches'], cell['operation']
    cell['calls'] = len(cell['log'])
    cell['extra'] = cell['calls'] - baseline_calls.get(operation, 0)
    cell['problems'] = problems = []
    if len(caches) > 1:
        problems.append('DUPLICATE: %d caches named %s' % (len(caches), NAME))
    if operation in ('update', 'tag', 'untag') and not caches:
        problems.append('LOSS: the cache was deleted')
    if run.seconds > CELL_BOUND or run.timed_out:
        problems.append('HANG: %.1fs > bound %.1fs' % (run.seconds, CELL_BOUND))
    if not run.failed:
        cell['outcome'] = 'ok'
        cache = caches[0] if caches else {}
        expected = {
            'create': len(caches) == 1 and run.result.get('changed') is True,
            'update': sorted(cache.get('Images') or []) == sorted(IMAGES + ['busybox:1.36']),
            'tag': dict((t['Key'], t['Value']) for t in cache.get('Tags') or []) == dict(env='dev', team='a'),
            'untag': dict((t['Key'], t['Value']) for t in cache.get('Tags') or []) == dict(env='dev'),
            'delete': not caches,
            'network': bool(run.result.get('vswitches')) and bool(run.result.get('security_group', {}).get('exists')),
        }[operation]
        if not expected:
            problems.append('WRONG: reported success but the change is not there')
    else:
        cell['outcome'] = 'FAILED'
        cell['message'] = run.msg or (run.stderr.strip().splitlines() or [''])[-1]
    return cell


@pytest.fixture(scope='module')
def matrix():
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        baselines = dict((op, pool.submit(run_cell, '(no fault)', op, None, 0, None)) for op in OPERATIONS)
        cells = [pool.submit(run_cell, action, op, fault, times, seconds)
                 for action, op in ACTIONS for fault, (times, seconds) in FAULTS.items()]
        persistent = [pool.submit(run_cell, action, op, fault, CLIENT['api_retries'] + 1, FAULTS[fault][1])
                      for action, op, fault in PERSISTENT]
        baselines = dict((op, future.result()) for op, future in baselines.items())
        baseline_calls = dict((op, len(cell['log'])) for op, cell in baselines.items())
        result = dict(
            baselines=[judge(cell, baseline_calls) for cell in baselines.values()],
            cells=[judge(future.result(), baseline_calls) for future in cells],
            persistent=[judge(future.result(), baseline_calls) for future in persistent],
        )
    rows = []
    for group in ('baselines', 'cells', 'persistent'):
        for cell in result[group]:
            detail = ('+%d calls' % cell['extra']) if cell['outcome'] == 'ok' else cell.get('message', '')[:150]
            rows.append((group, cell['action'], cell['fault'], cell['times'], cell['outcome'], cell['calls'], detail,
                         len(cell['caches']), '%.1f' % cell['run'].seconds, '; '.join(cell['problems']) or '-'))
    text = ('Fault matrix (client: %s; cell bound %.1fs; delay %.1fs)\n' % (CLIENT, CELL_BOUND, DELAY_SECONDS)
            + twinlib.table(('group', 'action', 'fault', 'times', 'outcome', 'calls', 'extra calls / message', 'caches',
                             'seconds', 'problems'), rows))
    path = twinlib.write_output('fault_matrix.txt', text)
    print('\n' + text + '\nwritten to ' + path)
    return result


def all_cells(matrix):
    return matrix['baselines'] + matrix['cells'] + matrix['persistent']


def problems_of(matrix, kind):
    return ['%s/%s x%d: %s' % (c['action'], c['fault'], c['times'], p) for c in all_cells(matrix) for p in c['problems']
            if p.startswith(kind)]


def test_baselines_succeed(matrix):
    assert [c['operation'] for c in matrix['baselines'] if c['outcome'] != 'ok'] == []


def test_no_duplicate_cache(matrix):
    assert problems_of(matrix, 'DUPLICATE') == []


def test_no_cache_lost(matrix):
    assert problems_of(matrix, 'LOSS') == []


def test_no_hang(matrix):
    assert problems_of(matrix, 'HANG') == []


def test_success_is_real(matrix):
    assert problems_of(matrix, 'WRONG') == []


def test_faults_within_retries_are_absorbed(matrix):
    """A burst shorter than api_retries never reaches the user."""
    assert ['%s/%s: %s' % (c['action'], c['fault'], c.get('message')) for c in matrix['cells'] if c['outcome'] != 'ok'] == []


def test_faults_cost_only_the_retries(matrix):
    """Each absorbed fault costs at most the retried requests (times), never a second operation."""
    assert ['%s/%s: +%d calls for %d faults' % (c['action'], c['fault'], c['extra'], c['times'])
            for c in matrix['cells'] if c['outcome'] == 'ok' and c['extra'] > c['times']] == []


def test_persistent_faults_fail_clearly(matrix):
    """When the retries run out, the failure names the action and says what state the cache may be in."""
    unclear = []
    for cell in matrix['persistent']:
        if cell['outcome'] == 'ok':
            continue
        message = cell.get('message', '')
        if cell['action'] not in message or not STATE_WORDS.search(message):
            unclear.append('%s/%s: %s' % (cell['action'], cell['fault'], message))
    assert unclear == []
