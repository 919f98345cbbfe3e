#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks of the collection against the local twin: API calls, module cost, scale, waiting.

Usage (from a collection tree, see `make collection-tree`):
  bench.py [--smoke] [--output results.json] [--markdown FILE] [--document FILE] [--plot FILE.png]
--document writes the whole of docs/benchmarks.md (what was measured, what it means, the tables), so
that the page holds exactly what the last `make bench` measured.
--smoke runs tiny sizes only (keeps the benchmark working in `make test`); without it the full sizes
of docs/benchmarks.md run (about 5 to 10 minutes). A benchmark reports; it does not fail on slow numbers,
only when a measurement cannot be taken.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'reliability'))
import twinlib  # noqa: E402  pylint: disable=wrong-import-position

PAGE = 20  # DescribeImageCaches page size the modules use (issue 13: works whether the cloud caps or rejects above 20)
PAGE_SIZES = (20, 100)  # section 5: the default beside the page size used before issue 13
CREATE = dict(name='bench', images=['nginx:latest'], security_group_id='sg-demo', vswitch_ids=['vsw-demo'], size_check='skip')
SEEDED = dict(name='bench', images=['nginx:latest'], size=20)
FULL = dict(info_n=250, scale=[100, 1000, 10000], noop_loop=100, waits=[5, 30, 120], cost_repeats=11,
            set_build=dict(caches=5, ready_after=20), set_noop=50, set_new=200)
SMOKE = dict(info_n=25, scale=[50], noop_loop=3, waits=[1], cost_repeats=1, set_build=dict(caches=2, ready_after=1), set_noop=3,
             set_new=3)
SET_TAG = {'ansible-eci-set': 'bench'}  # the management tag of SET_PLAYBOOK's set (there is no shared default)

# The runpy wrapper reports the module process's own peak RSS (KiB) on stderr.
RSS_WRAPPER = ("import atexit, resource, runpy, sys\n"
               "atexit.register(lambda: sys.stderr.write('MAXRSS %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
               "module = sys.argv.pop(1)\n"
               "runpy.run_module(module, run_name='__main__', alter_sys=True)\n")


def run_module_rss(module, args, timeout=900):
    """Run a module directly with its peak RSS; returns a twinlib.Run with max_rss_kib."""
    fd, path = tempfile.mkstemp(prefix='eci-bench-', suffix='.json')
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        json.dump(dict(ANSIBLE_MODULE_ARGS=args), handle)
    try:
        run = twinlib.run_process([twinlib.PYTHON, '-c', RSS_WRAPPER, twinlib.MODULE_PACKAGE + module, path],
                                  env=twinlib.clean_env(), timeout=timeout)
    finally:
        os.unlink(path)
    for line in run.stderr.splitlines():
        if line.startswith('MAXRSS '):
            run.max_rss_kib = int(line.split()[1])
    return run


def seeded(count, prefix='seed'):
    return [dict(name='%s-%05d' % (prefix, index), images=['nginx:latest'], size=20) for index in range(count)]


def by_action(log):
    counts = {}
    for entry in log:
        counts[entry['action']] = counts.get(entry['action'], 0) + 1
    return counts


# --------------------------------------------------------------------------- 1. API calls per operation
def api_calls(sizes):
    """Each operation once against a fresh twin; calls from the request log, beside the minimum."""
    info_n = sizes['info_n']
    pages = max(1, math.ceil(info_n / float(PAGE)))
    operations = [
        # (operation, module, args, seed, minimum, why)
        ('present, no change', 'eci_image_cache', CREATE, [SEEDED], 1, '1 DescribeImageCaches to find the cache'),
        ('create, wait', 'eci_image_cache', CREATE, [], 3,
         'find + CreateImageCache + 1 DescribeImageCaches that sees Ready (if the poll were timed perfectly)'),
        ('update, wait', 'eci_image_cache', dict(CREATE, images=['nginx:latest', 'busybox:1.36']), [SEEDED], 3,
         'find + UpdateImageCache + 1 DescribeImageCaches that sees Ready'),
        ('tags only', 'eci_image_cache', dict(CREATE, tags=dict(team='a'), purge_tags=False), [SEEDED], 2,
         'find + TagResources (the result can be computed from what was read and sent)'),
        ('delete, wait', 'eci_image_cache', dict(name='bench', state='absent'), [SEEDED], 3,
         'find + DeleteImageCache + 1 DescribeImageCaches that sees it gone'),
        ('absent, no change', 'eci_image_cache', dict(name='bench', state='absent'), [], 1, '1 DescribeImageCaches'),
        ('info over %d caches' % info_n, 'eci_image_cache_info', {}, seeded(info_n), pages,
         'ceil(%d / %d) pages of DescribeImageCaches' % (info_n, PAGE)),
    ]
    rows = []
    for name, module, args, seed, minimum, why in operations:
        with twinlib.Twin(ready_after=0.5) as twin:
            twin.reset(image_caches=seed)
            run = twinlib.run_module(module, twin.auth_args(**args))
            log = twin.requests()
        if run.failed:
            raise RuntimeError('%s failed: %s %s' % (name, run.msg, run.stderr[-500:]))
        rows.append(dict(operation=name, calls=len(log), minimum=minimum, by_action=by_action(log), why=why,
                         seconds=round(run.seconds, 2)))
    return rows


# --------------------------------------------------------------------------- 2. module cost
BARE_SCRIPT = """
import os, sys, time
from alibabacloud_eci20180808.client import Client
from alibabacloud_eci20180808 import models
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions
endpoint = os.environ['ALICLOUD_ECI_ENDPOINT'].split('://', 1)[1]
client = Client(Config(access_key_id=os.environ['ALICLOUD_ACCESS_KEY'], access_key_secret=os.environ['ALICLOUD_SECRET_KEY'],
                       endpoint=endpoint, protocol='http', region_id='cn-hangzhou'))
request = models.DescribeImageCachesRequest(region_id='cn-hangzhou', limit=100)
body = client.describe_image_caches_with_options(request, RuntimeOptions()).body
print(len(body.image_caches or []))
"""


def module_cost(sizes):
    """Median wall time of the info module via `ansible`, of ping via `ansible`, and of a bare SDK script."""
    ansible = os.path.join(twinlib.BIN, 'ansible')
    samples = dict(module=[], ping=[], bare=[])
    with twinlib.Twin() as twin:
        twin.reset(image_caches=seeded(5))
        env = twinlib.clean_env(twin.env())
        commands = dict(
            module=[ansible, 'localhost', '-c', 'local', '-i', 'localhost,', '-m', 'alibabacloud.eci.eci_image_cache_info'],
            ping=[ansible, 'localhost', '-c', 'local', '-i', 'localhost,', '-m', 'ansible.builtin.ping'],
            bare=[twinlib.PYTHON, '-c', BARE_SCRIPT],
        )
        for name in ('module', 'ping', 'bare'):  # warm-up: page cache, .pyc files
            twinlib.run_process(commands[name], env=env)
        for repeat in range(sizes['cost_repeats']):
            for name in ('module', 'ping', 'bare'):
                run = twinlib.run_process(commands[name], env=env)
                if run.rc != 0:
                    raise RuntimeError('%s failed (repeat %d): %s %s' % (name, repeat, run.stdout[-500:], run.stderr[-500:]))
                samples[name].append(run.seconds)
    medians = dict((name, statistics.median(values)) for name, values in samples.items())
    ratio = (medians['module'] - medians['ping']) / medians['bare']
    return dict(samples=samples, medians=medians, ratio=ratio, commands=dict((k, ' '.join(v[:1] + v[1:]) if k != 'bare'
                                                                             else 'python -c <bare SDK script>')
                                                                             for k, v in commands.items()))


# --------------------------------------------------------------------------- 5. page size
def page_sizes(sizes):
    """Info over info_n caches with each page size: DescribeImageCaches calls and wall time."""
    rows = []
    for page in PAGE_SIZES:
        with twinlib.Twin() as twin:
            twin.reset(image_caches=seeded(sizes['info_n']))
            run = twinlib.run_module('eci_image_cache_info', twin.auth_args(page_size=page))
            log = twin.requests()
        if run.failed:
            raise RuntimeError('info with page_size %d failed: %s %s' % (page, run.msg, run.stderr[-500:]))
        rows.append(dict(page_size=page, caches=sizes['info_n'], calls=len(log), seconds=round(run.seconds, 2),
                         returned=len(run.result.get('image_caches') or [])))
    return rows


# --------------------------------------------------------------------------- 3. scale
def scale(sizes):
    rows = []
    for count in sizes['scale']:
        with twinlib.Twin() as twin:
            twin.reset(image_caches=seeded(count))
            run = run_module_rss('eci_image_cache_info', twin.auth_args())
            log = twin.requests()
        if run.failed:
            raise RuntimeError('info over %d failed: %s %s' % (count, run.msg, run.stderr[-500:]))
        rows.append(dict(caches=count, seconds=round(run.seconds, 2), peak_rss_mib=round((run.max_rss_kib or 0) / 1024.0, 1),
                         calls=len(log), returned=len(run.result.get('image_caches') or []),
                         result_bytes=len(run.stdout)))
    return rows


NOOP_PLAYBOOK = """---
- name: No-op loop
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Every cache, already as wanted
      alibabacloud.eci.eci_image_cache:
        name: "{{ item }}"
        images: [nginx:latest]
        security_group_id: sg-demo
        vswitch_ids: [vsw-demo]
        size_check: skip
      loop: "{{ names }}"
"""


def noop_loop(sizes):
    count = sizes['noop_loop']
    names = ['loop-%05d' % index for index in range(count)]
    with tempfile.TemporaryDirectory(prefix='eci-bench-loop-') as workdir, twinlib.Twin() as twin:
        playbook = os.path.join(workdir, 'loop.yml')
        with open(playbook, 'w', encoding='utf-8') as handle:
            handle.write(NOOP_PLAYBOOK)
        twin.reset(image_caches=seeded(count, prefix='loop'))
        run = twinlib.run_playbook(playbook, twin, extra_args=['-e', json.dumps(dict(names=names))], timeout=3600)
        log = twin.requests()
    if run.rc != 0 or 'changed=0' not in run.stdout:
        bad = [line[:1500] for line in run.stdout.splitlines() if line.startswith(('failed:', 'fatal:', 'changed:'))]
        raise RuntimeError('no-op loop failed or changed something: %s %s' % (bad or run.stdout[-1000:], run.stderr[-500:]))
    return dict(caches=count, seconds=round(run.seconds, 2), seconds_per_cache=round(run.seconds / count, 3), calls=len(log))


# --------------------------------------------------------------------------- 4. waiting
def wait_one(ready_after):
    with twinlib.Twin(ready_after=ready_after) as twin:
        settings = dict(CREATE)
        settings['name'] = 'wait'
        run = twinlib.run_module('eci_image_cache', twin.auth_args(**settings),
                                 timeout=ready_after * 3 + 120)
        returned = time.time()
        log = twin.requests()
        caches = list(twin.emulator.state.caches.values())
    if run.failed or len(caches) != 1:
        raise RuntimeError('wait for %ss failed: %s' % (ready_after, run.msg))
    ready_at = caches[0].created + ready_after
    creates = [index for index, entry in enumerate(log) if entry['action'] == 'CreateImageCache']
    polls = sum(1 for entry in log[creates[0] + 1:] if entry['action'] == 'DescribeImageCaches')
    return dict(ready_after=ready_after, lag_seconds=round(returned - ready_at, 2), polls=polls,
                task_seconds=round(run.seconds, 2), calls=len(log))


def waiting(sizes):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(sizes['waits'])) as pool:
        return list(pool.map(wait_one, sizes['waits']))


# --------------------------------------------------------------------------- 6. sets of caches
SET_PLAYBOOK = """---
- name: A set of caches
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The whole set in one task
      alibabacloud.eci.eci_image_caches:
        defaults: {images: [nginx:latest], security_group_id: sg-demo, vswitch_ids: [vsw-demo], size_check: skip}
        caches: "{{ set_items }}"
        management_tag_value: bench
"""

ROLE_LOOP_PLAYBOOK = """---
- name: The same caches, one role run each
  hosts: localhost
  gather_facts: false
  tasks:
    - name: One cache per role run
      ansible.builtin.include_role:
        name: alibabacloud.eci.image_cache
      vars:
        image_cache_name: "{{ item }}"
        image_cache_images: [nginx:latest]
        image_cache_security_group_id: sg-demo
        image_cache_vswitch_ids: [vsw-demo]
        image_cache_size_check: skip
      loop: "{{ names }}"
"""

ONE_TASK_PLAYBOOK = """---
- name: One cache
  hosts: localhost
  gather_facts: false
  tasks:
    - name: One cache, already as wanted
      alibabacloud.eci.eci_image_cache:
        name: "{{ names[0] }}"
        images: [nginx:latest]
        security_group_id: sg-demo
        vswitch_ids: [vsw-demo]
        size_check: skip
"""


def _playbook(text, twin, names, timeout):
    with tempfile.TemporaryDirectory(prefix='eci-bench-set-') as workdir:
        path = os.path.join(workdir, 'play.yml')
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)
        extra = dict(names=names, set_items=[dict(name=name) for name in names])
        run = twinlib.run_playbook(path, twin, extra_args=['-e', json.dumps(extra)], timeout=timeout)
    if run.rc != 0:
        bad = [line[:1500] for line in run.stdout.splitlines() if line.startswith(('failed:', 'fatal:'))]
        raise RuntimeError('playbook failed: %s %s' % (bad or run.stdout[-1000:], run.stderr[-500:]))
    return run


def set_of_caches(sizes):
    """N caches that take B s to build: eci_image_caches beside a loop of the role; then a set already as wanted."""
    build = sizes['set_build']
    names = ['set-%02d' % index for index in range(build['caches'])]
    rows = []
    for how, text in (('eci_image_caches, one task', SET_PLAYBOOK), ('loop of the role image_cache', ROLE_LOOP_PLAYBOOK)):
        with twinlib.Twin(ready_after=build['ready_after']) as twin:
            run = _playbook(text, twin, names, timeout=build['caches'] * (build['ready_after'] + 60) + 300)
            log = twin.requests()
            built = len(twin.caches())
        if built != build['caches']:
            raise RuntimeError('%s built %d caches, not %d' % (how, built, build['caches']))
        rows.append(dict(how=how, caches=build['caches'], ready_after=build['ready_after'], seconds=round(run.seconds, 2),
                         build_times=round(run.seconds / build['ready_after'], 2), calls=len(log),
                         describe_calls=by_action(log).get('DescribeImageCaches', 0)))
    count = sizes['set_noop']
    names = ['noop-%03d' % index for index in range(count)]
    with twinlib.Twin() as twin:
        twin.reset(image_caches=[dict(name=name, images=['nginx:latest'], size=20, tags=SET_TAG) for name in names])
        one = _playbook(ONE_TASK_PLAYBOOK, twin, names, timeout=300)
        twin.clear_requests()
        run = _playbook(SET_PLAYBOOK, twin, names, timeout=600)
        log = twin.requests()
    if 'changed=0' not in run.stdout:
        raise RuntimeError('the set as wanted was changed: %s' % run.stdout[-1000:])
    noop = dict(caches=count, seconds=round(run.seconds, 2), one_task_seconds=round(one.seconds, 2), calls=len(log),
                describe_calls=by_action(log).get('DescribeImageCaches', 0), pages=math.ceil(count / float(PAGE)))
    return dict(build=rows, noop=noop, new=new_set(sizes['set_new']))


def new_set(count):
    """The cost of the host turn (issue 22): a set of `count` new caches, each name's turn held from before its create
    until a listing shows the create. The turn is a local lock; its API cost is the confirming listings."""
    names = ['new-%03d' % index for index in range(count)]
    with twinlib.Twin(ready_after=1) as twin:
        run = _playbook(SET_PLAYBOOK, twin, names, timeout=900)
        log = twin.requests()
        built = len(twin.caches())
    if built != count:
        raise RuntimeError('the set of %d new caches built %d' % (count, built))
    actions = by_action(log)
    return dict(caches=count, seconds=round(run.seconds, 2), calls=len(log), by_action=actions,
                calls_per_cache=round(len(log) / float(count), 2), pages=math.ceil(count / float(PAGE)))


# --------------------------------------------------------------------------- report
def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            names = [line.split(':', 1)[1].strip() for line in handle if line.startswith('model name')]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        with open('/proc/meminfo', encoding='utf-8') as handle:
            memory = '%.1f GiB' % (int(handle.readline().split()[1]) / 1024.0 / 1024.0)
    except (OSError, ValueError, IndexError):
        memory = 'unknown'
    core = subprocess.run([os.path.join(twinlib.BIN, 'ansible'), '--version'], capture_output=True, text=True,
                          check=False).stdout.splitlines()[:1]
    return dict(cpu=cpu, cores=os.cpu_count(), memory=memory, python=platform.python_version(),
                system=platform.platform(), ansible=core[0] if core else 'unknown')


def sets_markdown(results):
    """Section 6 (sets of caches) as Markdown."""
    lines = []
    add = lines.append
    add('\n## 6. Sets of caches\n')
    add('The same caches, each taking the same build time, brought to their settings by one eci_image_caches task '
        '(every create sent, then one wait for all, one listing per poll round) and by a loop of the role '
        'image_cache (one cache after another). Goal: the set in at most 1.3 build times.\n')
    add('| how | caches | build time (s) | seconds | build times | API calls | DescribeImageCaches |')
    add('|---|---|---|---|---|---|---|')
    for row in results['sets']['build']:
        add('| %s | %d | %s | %.2f | **%.2f** | %d | %d |' % (
            row['how'], row['caches'], row['ready_after'], row['seconds'], row['build_times'], row['calls'],
            row['describe_calls']))
    noop = results['sets']['noop']
    add('\nA set of %d caches already as wanted: one eci_image_caches task took %.2f s (one eci_image_cache task of '
        'one cache: %.2f s) with **%d DescribeImageCaches** calls (ceil(%d / %d) = %d pages) and %d API calls in all '
        '(goal: at most 3 calls, wall time close to one task\'s).' % (
            noop['caches'], noop['seconds'], noop['one_task_seconds'], noop['describe_calls'], noop['caches'], PAGE,
            noop['pages'], noop['calls']))
    new = results['sets'].get('new')
    if new:
        creates = new['by_action'].get('CreateImageCache', 0)
        add('\nA set of %d new caches (the host turn): %.2f s, **%d API calls** (%.2f per cache: %s). Under each name\'s '
            'turn the set reads the name again before its create (%d by-name DescribeImageCaches calls, one per create); '
            'the other %d DescribeImageCaches calls are listings of the region (%d pages each) that confirm every create '
            'of the set and wait for them together. Holding the turn until a listing shows the create adds no call: it '
            'only makes another run on the host for the same name wait.' % (
                new['caches'], new['seconds'], new['calls'], new['calls_per_cache'],
                ', '.join('%d %s' % (n, action) for action, n in sorted(new['by_action'].items())), creates,
                new['by_action'].get('DescribeImageCaches', 0) - creates, new['pages']))
    return '\n'.join(lines) + '\n'


def markdown(results):
    """The results as Markdown: the sections this run (or the results file) has, so a run of --only works too."""
    lines = []
    add = lines.append
    add('## Machine, date and command\n')
    info = results['machine']
    add('- Date: %s' % results['date'])
    add('- Machine: %s, %s cores, %s RAM; %s; Python %s; %s' % (info['cpu'], info['cores'], info['memory'], info['system'],
                                                                info['python'], info['ansible']))
    if results.get('load'):
        # Other work on the machine slows every number; the 1-minute load average says how much there was.
        add('- Load average (1 min) at the start and end of the run: %.2f, %.2f' % tuple(results['load']))
    add('- Command: `%s` (mode: %s); total %.0f s\n' % (results['command'], results['mode'], results['seconds']))
    for name, section in (('api_calls', _api_calls_markdown), ('module_cost', _module_cost_markdown),
                          ('scale', _scale_markdown), ('noop_loop', _noop_loop_markdown), ('waiting', _waiting_markdown),
                          ('page_sizes', _page_sizes_markdown), ('sets', sets_markdown)):
        if results.get(name):
            text = section(results)
            lines.extend((text[:-1] if text.endswith('\n') else text).split('\n'))
    return '\n'.join(lines) + '\n'


def _api_calls_markdown(results):
    lines = ['## 1. API calls per operation\n', '| operation | calls | minimum | calls by action | seconds | minimum because |',
             '|---|---|---|---|---|---|']
    for row in results['api_calls']:
        lines.append('| %s | %d | %d | %s | %.2f | %s |' % (
            row['operation'], row['calls'], row['minimum'],
            ', '.join('%s %d' % item for item in sorted(row['by_action'].items())), row['seconds'], row['why']))
    return '\n'.join(lines) + '\n'


def _module_cost_markdown(results):
    cost = results['module_cost']
    lines = ['\n## 2. Module cost\n', '| what | median seconds | samples |', '|---|---|---|']
    for name, label in (('module', '`ansible localhost -m alibabacloud.eci.eci_image_cache_info`'),
                        ('ping', '`ansible localhost -m ansible.builtin.ping`'),
                        ('bare', 'bare Python script, same SDK call (DescribeImageCaches)')):
        lines.append('| %s | %.3f | %s |' % (label, cost['medians'][name], ', '.join('%.3f' % s for s in cost['samples'][name])))
    lines.append('\n(module - ping) / bare = **%.2f** (goal: at most 1.2)\n' % cost['ratio'])
    return '\n'.join(lines) + '\n'


def _scale_markdown(results):
    lines = ['## 3. Scale\n', '| caches | seconds | peak RSS of the module (MiB) | API calls | caches returned | result JSON bytes |',
             '|---|---|---|---|---|---|']
    for row in results['scale']:
        lines.append('| %d | %.2f | %.1f | %d | %d | %d |' % (row['caches'], row['seconds'], row['peak_rss_mib'],
                                                              row['calls'], row['returned'], row['result_bytes']))
    return '\n'.join(lines) + '\n'


def _noop_loop_markdown(results):
    loop = results['noop_loop']
    return ('\nNo-op loop over %d caches (one ansible-playbook, one task with a loop): %.1f s, **%.3f s per cache**, '
            '%d API calls.\n\n' % (loop['caches'], loop['seconds'], loop['seconds_per_cache'], loop['calls']))


def _waiting_markdown(results):
    lines = ['## 4. Waiting\n', '| Ready after (s) | lag Ready -> task returned (s) | polls | task seconds | API calls |',
             '|---|---|---|---|---|']
    for row in results['waiting']:
        lines.append('| %s | %.2f | %d | %.2f | %d |' % (row['ready_after'], row['lag_seconds'], row['polls'],
                                                         row['task_seconds'], row['calls']))
    return '\n'.join(lines) + '\n'


def _page_sizes_markdown(results):
    lines = ['\n## 5. Page size\n', 'The default page of 20 (works whether the cloud caps or rejects pages above 20) '
             'beside 100 (the page size before issue 13), for eci_image_cache_info over the same caches.\n',
             '| page_size | caches | DescribeImageCaches calls | seconds | caches returned |', '|---|---|---|---|---|']
    for row in results['page_sizes']:
        lines.append('| %d | %d | %d | %.2f | %d |' % (row['page_size'], row['caches'], row['calls'], row['seconds'],
                                                       row['returned']))
    return '\n'.join(lines) + '\n'


DOCUMENT_INTRO = """# Benchmarks

Written by `make bench` (`tests/bench/bench.py --document docs/benchmarks.md` in the collection tree): every number
on this page, the sentences under "What the numbers mean for a user" included, comes from the run described under
"Machine, date and command". The runs go against the local twin of the cloud (tests/emulator) on loopback, so
they show the collection's own cost: the real API adds its network round trips (tens of milliseconds per call) and
its own build times. `make bench-smoke` (part of `make test`) runs the same code at tiny sizes only to keep it
working; its numbers mean nothing. A benchmark reports; it does not fail on slow numbers.

How the minimum of section 1 is derived: a run must read the cache once to decide anything (1 DescribeImageCaches);
a change needs its one write (Create, Update, Delete, TagResources); a wait needs at least one read that sees the end
state (Ready, or gone). Everything else is overhead. Info over N caches needs ceil(N / 20) pages (20 is the page
size that every plausible cloud serves; section 5 compares it with 100).

Module cost (section 2) is `(module - ping) / bare`: the wall time of the info module run by `ansible`, less that of
`ansible.builtin.ping` run the same way (Ansible's own start-up, inventory and module transfer), over the wall time of
a bare Python script making the same SDK call. Each is the median of interleaved runs.
"""


def sets_meaning(results):
    """The sentence of section 6 under 'What the numbers mean for a user'."""
    fast, slow = results['sets']['build']
    noop = results['sets']['noop']
    return ('- A set of %d caches that take %s s each to build is done by eci_image_caches in %.2f build times '
            '(goal: at most 1.3), where a loop of the role takes %.2f; a set of %d caches already as wanted costs '
            '%d DescribeImageCaches calls and %.1f s, against %.1f s for one eci_image_cache task.'
            % (fast['caches'], fast['ready_after'], fast['build_times'], slow['build_times'], noop['caches'],
               noop['describe_calls'], noop['seconds'], noop['one_task_seconds']))


def meaning(results):
    """What the numbers of one full run mean for a user, as Markdown bullet points."""
    rows = dict((row['operation'].split(' over ')[0], row) for row in results['api_calls'])
    over = [row for row in results['api_calls'] if row['calls'] > row['minimum']]
    lines = []
    noop, loop = rows['present, no change'], results['noop_loop']
    lines.append('- A no-op run, the usual case of a scheduled playbook, costs %d API call%s; a loop over %d caches '
                 'that are already as wanted takes %.2f s per cache, most of it Ansible\'s own per-task work, not the API.'
                 % (noop['calls'], '' if noop['calls'] == 1 else 's', loop['caches'], loop['seconds_per_cache']))
    if over:
        lines.append('- Operations above the minimum number of calls: %s. Each extra call counts against the API\'s '
                     'throttling quota when a fleet runs at once.' % '; '.join(
                         '%s %d (minimum %d)' % (row['operation'], row['calls'], row['minimum']) for row in over))
    else:
        lines.append('- Every operation makes the minimum number of API calls (section 1): create, update and delete '
                     'with wait read once to find the cache, write once, and poll until the end state is seen; a '
                     'tags-only change does not read the cache back.')
    waits = results['waiting']
    lags = [row['lag_seconds'] for row in waits]
    longest = max(waits, key=lambda row: row['ready_after'])
    lines.append('- Waiting returns %.1f to %.1f s after the cache becomes Ready: the poll interval grows from 1 s by 1.5x '
                 'up to 15 s, so a %s-second build costs %d polls and the task returns within one interval of Ready.'
                 % (min(lags), max(lags), longest['ready_after'], longest['polls']))
    rows = sorted(results['scale'], key=lambda row: row['caches'])
    largest = rows[-1]
    # The numbers, not a claim of linearity: on the twin the time per page also grows with the caches it holds.
    lines.append('- Info over N caches: %s. At %d caches that is %d pages of DescribeImageCaches, %.0f MiB in the '
                 'module process and %.1f MB of JSON in the result, which Ansible then holds in memory. Filter by '
                 'name, tags or status rather than listing everything.'
                 % (', '.join('%d caches take %.1f s' % (row['caches'], row['seconds']) for row in rows),
                    largest['caches'], largest['calls'], largest['peak_rss_mib'], largest['result_bytes'] / 1e6))
    if results.get('sets'):
        lines.append(sets_meaning(results))
    cost = results['module_cost']
    lines.append('- The module\'s overhead over a bare SDK call: (module - ping) / bare = %.2f (goal: at most 1.2; %s). '
                 'What the module adds to the bare call is its argument checks, the connection layer and turning the '
                 'answer into snake_case dicts; the SDK import and Python start-up are in both.'
                 % (cost['ratio'], 'met' if cost['ratio'] <= 1.2 else 'not met in this run'))
    return '\n'.join(lines) + '\n'


def document(results, plot_name):
    """The whole of docs/benchmarks.md for one full run."""
    return (DOCUMENT_INTRO + '\n## What the numbers mean for a user\n\n' + meaning(results)
            + '\n![eci_image_cache_info wall time against the number of caches; a set of caches against a loop of '
              'the role, in build times](%s)\n\n' % plot_name
            + 'Reproduce: `make bench` (about %d minutes; the plot needs `matplotlib>=3.8` from '
              'tests/bench/requirements.txt). The raw results are written to build/bench/results.json.\n\n'
            % max(1, round(results['seconds'] / 60.0))
            + markdown(results))


def plot(results, path):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('bench: matplotlib is not installed; no plot written (pip install -r tests/bench/requirements.txt)')
        return False
    rows = results['scale']
    sets = results.get('sets')
    figure, panels = plt.subplots(1, 2 if sets else 1, figsize=(11 if sets else 6, 4), squeeze=False)
    axes = panels[0][0]
    axes.plot([row['caches'] for row in rows], [row['seconds'] for row in rows], marker='o')
    axes.set_xscale('log')
    axes.set_xlabel('image caches in the region')
    axes.set_ylabel('eci_image_cache_info wall time (s)')
    axes.set_title('Info over N caches (local twin, %s)' % results['date'][:10])
    axes.grid(True, which='both', alpha=0.3)
    if sets:
        # The set against the loop of the role, in build times, with the goal drawn (section 6).
        axes = panels[0][1]
        build = sets['build']
        axes.bar([row['how'].split(',')[0].replace('loop of the role image_cache', 'loop of the role') for row in build],
                 [row['build_times'] for row in build], color=['tab:green', 'tab:gray'])
        axes.axhline(1.3, color='tab:red', linestyle='--', label='goal: 1.3 build times')
        axes.axhline(1.0, color='black', linewidth=0.8, label='one build time')
        for index, row in enumerate(build):
            axes.annotate('%.2f (%.0f s)' % (row['build_times'], row['seconds']), (index, row['build_times']),
                          xytext=(0, 9), textcoords='offset points', ha='center', va='bottom')
        axes.set_ylim(0, max(row['build_times'] for row in build) * 1.15)  # room for the labels
        axes.set_ylabel('wall time / build time of one cache')
        axes.set_title('%d caches, %s s build each' % (build[0]['caches'], build[0]['ready_after']))
        axes.legend(loc='upper left')
        axes.grid(True, axis='y', alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def splice_sets(path, results):
    """Section 6 and its sentence into a page --document wrote, for a run of --only sets (the rest keeps its run)."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    section = sets_markdown(results)
    if '\n## 6. Sets of caches\n' in text:
        text = text[:text.index('\n## 6. Sets of caches\n')].rstrip('\n') + '\n'
    text = text.rstrip('\n') + '\n' + section
    sentence = sets_meaning(results)
    lines = [line for line in text.split('\n') if not line.startswith('- A set of ')]
    marker = next(index for index, line in enumerate(lines) if line.startswith('![eci_image_cache_info'))
    while lines[marker - 1] == '':
        marker -= 1
    lines.insert(marker, sentence)
    text = '\n'.join(lines)
    text += '\nSection 6 measured %s with `tests/bench/bench.py --only sets` (the other sections keep the run above).\n' % (
        results['date'])
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def write_reports(args, results):
    if args.markdown:
        with open(args.markdown, 'w', encoding='utf-8') as handle:
            handle.write(markdown(results))
    if args.document:
        if results['mode'] != 'full':
            raise SystemExit('bench: --document needs a full run; smoke numbers mean nothing')
        plot_name = (os.path.relpath(args.plot, os.path.dirname(os.path.abspath(args.document))) if args.plot
                     else 'benchmarks/info-time.png')
        with open(args.document, 'w', encoding='utf-8') as handle:
            handle.write(document(results, plot_name))


SECTION_FUNCTIONS = (('api_calls', api_calls), ('module_cost', module_cost), ('scale', scale), ('noop_loop', noop_loop),
                     ('waiting', waiting), ('page_sizes', page_sizes), ('sets', set_of_caches))
SECTIONS = tuple(name for name, _function in SECTION_FUNCTIONS)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--smoke', action='store_true', help='tiny sizes (for make test)')
    parser.add_argument('--output', default=os.path.join(twinlib.COLLECTION_ROOT, 'tests', 'output', 'bench', 'results.json'))
    parser.add_argument('--markdown', help='write the results section as Markdown to this file')
    parser.add_argument('--plot', help='write a PNG of info time against the number of caches')
    parser.add_argument('--document', help='write the whole benchmarks page (docs/benchmarks.md) to this file; with '
                        '--plot, the page links the plot by its path relative to the page')
    parser.add_argument('--from-json', metavar='FILE', help='measure nothing: write --markdown/--plot from earlier results '
                        '(lets an interpreter with matplotlib but without the SDKs draw the plot)')
    parser.add_argument('--only', action='append', choices=SECTIONS, help='run only these sections (repeatable); the '
                        'results file keeps the other sections of an earlier --output, so --document still has them')
    parser.add_argument('--into-document', metavar='FILE', help='with --only sets: put section 6 and its sentence into '
                        'this existing benchmarks page (written by --document), replacing an earlier section 6')
    args = parser.parse_args(argv)
    if args.from_json:
        with open(args.from_json, encoding='utf-8') as handle:
            results = json.load(handle)
        if args.into_document and results.get('sets'):
            splice_sets(args.into_document, results)
            return 0
        write_reports(args, results)
        return 0 if not args.plot or plot(results, args.plot) else 1
    sizes = SMOKE if args.smoke else FULL
    started, load_at_start = time.monotonic(), os.getloadavg()[0]
    results = dict(mode='smoke' if args.smoke else 'full', sizes=sizes,
                   date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
                   command=' '.join(['tests/bench/bench.py'] + (argv if argv is not None else sys.argv[1:])),
                   machine=machine())
    if args.only and os.path.exists(args.output):
        with open(args.output, encoding='utf-8') as handle:
            earlier = json.load(handle)
        results.update((name, earlier[name]) for name in SECTIONS if name in earlier and name not in args.only)
    for name, function in SECTION_FUNCTIONS:
        if args.only and name not in args.only:
            continue
        step = time.monotonic()
        results[name] = function(sizes)
        print('bench: %s done in %.1fs' % (name, time.monotonic() - step), flush=True)
    results['seconds'] = time.monotonic() - started
    results['load'] = [load_at_start, os.getloadavg()[0]]
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, 'w', encoding='utf-8') as handle:
        json.dump(results, handle, indent=2, sort_keys=True)
    print(markdown(results))
    write_reports(args, results)
    if args.into_document and results.get('sets'):
        splice_sets(args.into_document, results)
    if args.plot:
        plot(results, args.plot)
    print('bench: results in %s (%.0f s)' % (args.output, results['seconds']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
