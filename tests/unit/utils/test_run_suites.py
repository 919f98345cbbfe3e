# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/utils/run_suites.py, the lanes of make test, with a stand-in for make.

The stand-in records each call (suite and BUILD) and passes (ok-*), fails (bad-*) or waits until it is
stopped (slow-*), so the tests see the lanes, the BUILD folders, the stop at the first failure and the report.
"""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RUNNER = os.path.join(ROOT, 'tests', 'utils', 'run_suites.py')

FAKE_MAKE = '''#!{python}
import os, sys, time
suite = sys.argv[2]
build = [a.split('=', 1)[1] for a in sys.argv[3:] if a.startswith('BUILD=')]
with open(os.path.join({calls!r}, suite), 'w') as handle:
    handle.write(build[0] if build else '-')
running = os.path.join({calls!r}, '..', 'running')
os.makedirs(running, exist_ok=True)
open(os.path.join(running, suite), 'w').close()
with open(os.path.join({calls!r}, '..', 'peak-' + suite), 'w') as handle:
    handle.write(str(len(os.listdir(running))))
print('output of', suite)
if suite.startswith('nap'):
    time.sleep(0.5)
if suite.startswith('bad'):
    # fails only once BAD_WAITS_FOR slow or bad suites run (itself included), so that the stop finds them running
    deadline = time.time() + 60
    while len([n for n in os.listdir(running) if n.startswith(('slow', 'bad'))]) < int(os.environ.get('BAD_WAITS_FOR', '1')) and time.time() < deadline:
        time.sleep(0.05)
    print('the reason', suite, 'failed')
    sys.exit(3)
if suite.startswith('slow'):
    time.sleep(600)
os.remove(os.path.join(running, suite))
'''


def run(tmp_path, *args, bad_waits_for=1):
    calls = tmp_path / 'calls'
    calls.mkdir(exist_ok=True)
    make = tmp_path / 'make'
    make.write_text(FAKE_MAKE.format(python=sys.executable, calls=str(calls)))
    make.chmod(0o755)
    result = subprocess.run([sys.executable, RUNNER, '--build', str(tmp_path / 'build'), '--make', str(make), *args],
                            capture_output=True, text=True, timeout=120, check=False,
                            env=dict(os.environ, BAD_WAITS_FOR=str(bad_waits_for)))
    called = {p.name: p.read_text() for p in calls.iterdir()}
    return result, called


def table(output):
    rows = {}
    for line in output.splitlines():
        if not line.startswith('make test: '):
            continue
        parts = line[len('make test: '):].split()
        if len(parts) >= 4 and parts[1][:-1].isdigit() and parts[1].endswith('s') and parts[2].endswith('s'):
            rows[parts[0]] = ' '.join(parts[3:])
    return rows


def test_every_suite_passes_with_its_times_and_build(tmp_path):
    result, called = run(tmp_path, '--alone', 'ok-twin-1 ok-twin-2', '--', 'ok-a', 'ok-twin-1', 'ok-b', 'ok-twin-2')
    assert result.returncode == 0, result.stdout + result.stderr
    build = str(tmp_path / 'build')
    # the lane of their own: BUILD/suites/SUITE; the others: the main BUILD (no BUILD= given)
    assert called == {'ok-a': '-', 'ok-b': '-', 'ok-twin-1': f'{build}/suites/ok-twin-1', 'ok-twin-2': f'{build}/suites/ok-twin-2'}
    assert table(result.stdout) == {name: 'passed' for name in ('ok-a', 'ok-b', 'ok-twin-1', 'ok-twin-2')}
    for name in called:
        assert f'make test: {name} passed in ' in result.stdout and '(CPU ' in result.stdout
        assert (tmp_path / 'build' / 'logs' / f'{name}.log').read_text() == f'output of {name}\n'
    assert 'make test: PASSED (ok-a ok-twin-1 ok-b ok-twin-2) in ' in result.stdout


def test_the_first_failure_stops_the_others_and_is_named(tmp_path):
    result, called = run(tmp_path, '--alone', 'slow-twin bad-twin', '--', 'ok-a', 'slow-b', 'ok-c', 'slow-twin', 'bad-twin',
                         bad_waits_for=3)
    assert result.returncode == 1
    rows = table(result.stdout)
    assert rows['bad-twin'] == 'FAILED (exit 3)'
    assert rows['slow-b'] == 'stopped' and rows['slow-twin'] == 'stopped'
    assert rows['ok-c'] == 'not run' and 'ok-c' not in called  # the main lane goes no further
    log = str(tmp_path / 'build' / 'logs' / 'bad-twin.log')
    assert 'make test: FAILED in bad-twin after ' in result.stdout and f'(log {log})' in result.stdout
    assert 'the reason bad-twin failed' in result.stdout  # the end of its log


def test_serial_runs_every_suite_in_one_lane_on_the_main_build(tmp_path):
    result, called = run(tmp_path, '--serial', '--alone', 'ok-twin', '--', 'ok-a', 'bad-b', 'ok-twin')
    assert result.returncode == 1
    assert called == {'ok-a': '-', 'bad-b': '-'}
    assert table(result.stdout) == {'ok-a': 'passed', 'bad-b': 'FAILED (exit 3)', 'ok-twin': 'not run'}


def test_keep_build_leaves_build_to_the_suites(tmp_path):
    result, called = run(tmp_path, '--keep-build', '--alone', 'ok-x ok-y', '--label', 'make test', '--', 'ok-x', 'ok-y')
    assert result.returncode == 0 and called == {'ok-x': '-', 'ok-y': '-'}


def test_jobs_caps_the_suites_running_at_once(tmp_path):
    naps = [f'nap-{n}' for n in range(5)]
    result, called = run(tmp_path, '--jobs', '2', '--alone', ' '.join(naps[1:]), '--', *naps)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(called) == naps and table(result.stdout) == {name: 'passed' for name in naps}
    peaks = [int((tmp_path / f'peak-{name}').read_text()) for name in naps]
    assert max(peaks) <= 2, peaks  # each suite counted those running when it started, itself included


def test_with_jobs_the_lanes_start_in_the_order_of_alone_and_the_main_lane_keeps_its_place(tmp_path):
    """The lanes of their own start longest first (the order of --alone, not of the suites), whichever thread runs
    first; the main lane, listed first, takes the next free slot between its suites."""
    alone = ['nap-c', 'nap-a', 'nap-b']
    result, _called = run(tmp_path, '--jobs', '1', '--alone', ' '.join(alone), '--', 'ok-1', 'nap-a', 'nap-b', 'ok-2', 'nap-c')
    assert result.returncode == 0, result.stdout + result.stderr
    started = [line.split()[4].rstrip(',') for line in result.stdout.splitlines() if line.startswith('make test: ==> make ')]
    assert started == ['ok-1', 'ok-2'] + alone, started


def test_a_suite_that_could_not_start_fails_the_run(tmp_path):
    """A make command that does not exist: the lane ends without running its suites; the run fails, never PASSED."""
    result = subprocess.run([sys.executable, RUNNER, '--build', str(tmp_path / 'build'), '--make', str(tmp_path / 'no-make'),
                             '--alone', 'ok-x', '--', 'ok-a', 'ok-x'], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1 and 'PASSED' not in result.stdout and 'make test: FAILED in ' in result.stdout, result.stdout


def test_a_suite_named_twice_in_alone_runs_once(tmp_path):
    result, _called = run(tmp_path, '--alone', 'nap-a nap-a', '--', 'ok-1', 'nap-a')
    started = [line for line in result.stdout.splitlines() if line.startswith('make test: ==> make nap-a')]
    assert result.returncode == 0 and len(started) == 1, result.stdout
