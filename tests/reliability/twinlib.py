# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by tests/reliability and tests/bench: a twin of the cloud, module and playbook runs.

Everything runs from a collection tree (a path ending in ansible_collections/alibabacloud/eci, see
`make collection-tree`): the modules are started as `python -m ansible_collections.alibabacloud.eci.plugins.modules.X`
with that tree's parent on PYTHONPATH, and playbooks with ANSIBLE_COLLECTIONS_PATH pointing at it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS_PATH = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
IN_TREE = COLLECTION_ROOT.replace(os.sep, '/').endswith('ansible_collections/alibabacloud/eci')
if IN_TREE and COLLECTIONS_PATH not in sys.path:
    sys.path.insert(0, COLLECTIONS_PATH)

# pylint: disable-next=wrong-import-position
from ansible_collections.alibabacloud.eci.tests.emulator import Emulator  # noqa: E402

REGION = 'cn-hangzhou'
PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)
MODULE_PACKAGE = 'ansible_collections.alibabacloud.eci.plugins.modules.'
OUTPUT_DIR = os.environ.get('RELIABILITY_OUTPUT') or os.path.join(COLLECTION_ROOT, 'tests', 'output', 'reliability')


def new_secret():
    """A random secret with characters that URL-encoding changes ('/', '+', '=')."""
    return secrets.token_urlsafe(18) + '/+=' + secrets.token_hex(4)


def encoded_forms(secret):
    """The secret as it could appear in a log: plain, URL-encoded (quote and quote_plus), JSON-escaped."""
    from urllib.parse import quote, quote_plus
    forms = {secret, quote(secret, safe=''), quote_plus(secret), quote(secret), json.dumps(secret)[1:-1]}
    return sorted(form for form in forms if form)


# The twin's behaviour switches for the whole suite: `make reliability PROFILE=hostile` (default: default).
PROFILE = os.environ.get('TWIN_PROFILE') or 'default'


class Twin:
    """The local twin of the cloud in a thread of this process, with random credentials."""

    def __init__(self, ready_after=0.3, security_token=None, access_key_secret=None, profile=None):
        self.access_key = 'LTAI' + secrets.token_hex(8)
        self.secret_key = access_key_secret or new_secret()
        self.security_token = security_token
        self.profile = profile or PROFILE
        self.emulator = Emulator(ready_after=ready_after, access_key_id=self.access_key,
                                 access_key_secret=self.secret_key, security_token=security_token,
                                 profile=self.profile).start()
        self.url = self.emulator.url

    def stop(self):
        self.emulator.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ----------------------------------------------------------- control endpoints
    def control(self, method, name, body=None):
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(self.url + '/_emulator/' + name, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read().decode('utf-8')
        return json.loads(text) if text.strip() else None

    def requests(self):
        return self.control('GET', 'requests')

    def clear_requests(self):
        self.control('DELETE', 'requests')

    def fault(self, action, fault, times=1, seconds=None):
        body = dict(action=action, fault=fault, times=times)
        if seconds is not None:
            body['seconds'] = seconds
        return self.control('POST', 'faults', body)

    def barrier(self, action, size, seconds):
        """Hold the next `size` requests of action until all have arrived, then answer them together (the twin's
        `barrier` fault); after `seconds` from the first arrival they are answered anyway. Returns the barrier's id
        for barrier_state()."""
        return self.fault(action, 'barrier', times=size, seconds=seconds)['id']

    def barrier_state(self, barrier_id):
        """The barrier's record: size, arrived, outcome (waiting, full, timeout or cleared), timed_out."""
        return next(b for b in self.control('GET', 'barriers') if b['id'] == barrier_id)

    def clear_faults(self):
        self.control('DELETE', 'faults')

    def reset(self, **fixtures):
        self.control('POST', 'reset', fixtures or None)

    def caches(self):
        return self.control('GET', 'state')['image_caches']

    def caches_named(self, name):
        return [cache for cache in self.caches() if cache['ImageCacheName'] == name]

    # ----------------------------------------------------------- what modules need
    def auth_args(self, **extra):
        args = dict(access_key=self.access_key, secret_key=self.secret_key, region=REGION,
                    eci_endpoint=self.url, vpc_endpoint=self.url, ecs_endpoint=self.url)
        if self.security_token:
            args['security_token'] = self.security_token
        args.update(extra)
        return args

    def env(self):
        """Environment for playbooks: the ALICLOUD_* variables the modules read."""
        env = dict(ALICLOUD_ACCESS_KEY=self.access_key, ALICLOUD_SECRET_KEY=self.secret_key, ALICLOUD_REGION=REGION,
                   ALICLOUD_ECI_ENDPOINT=self.url, ALICLOUD_VPC_ENDPOINT=self.url, ALICLOUD_ECS_ENDPOINT=self.url)
        if self.security_token:
            env['ALICLOUD_SECURITY_TOKEN'] = self.security_token
        return env


def clean_env(extra=None):
    """os.environ without any credential variable of the caller, plus PYTHONPATH to the tree."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('ALICLOUD_', 'ALIBABA_CLOUD_')))
    env['PYTHONPATH'] = COLLECTIONS_PATH
    env['ANSIBLE_COLLECTIONS_PATH'] = COLLECTIONS_PATH
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    env.setdefault('ANSIBLE_LOCALHOST_WARNING', 'false')
    env.setdefault('ANSIBLE_INVENTORY_UNPARSED_WARNING', 'false')
    env.setdefault('ANSIBLE_PYTHON_INTERPRETER', PYTHON)
    env.update(extra or {})
    return env


class Run:
    """One finished process: rc, the parsed result (module runs), stdout, stderr, wall seconds, peak RSS (KiB)."""

    def __init__(self, rc, stdout, stderr, seconds, max_rss_kib=None, timed_out=False):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.max_rss_kib = max_rss_kib
        self.timed_out = timed_out
        self.result = {}
        for line in reversed(stdout.strip().splitlines() or ['']):
            if line.startswith('{'):
                try:
                    self.result = json.loads(line)
                except ValueError:
                    continue
                break

    @property
    def failed(self):
        return self.rc != 0 or bool(self.result.get('failed')) or self.timed_out

    @property
    def msg(self):
        return self.result.get('msg') or ''


def run_process(cmd, env=None, timeout=300, cwd=None):
    """Run cmd; return a Run with wall time and the child's peak RSS (from wait4)."""
    started = time.monotonic()
    # pylint: disable-next=consider-using-with
    proc = subprocess.Popen(cmd, env=env, cwd=cwd or COLLECTION_ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, 9)
        stdout, stderr = proc.communicate()
    seconds = time.monotonic() - started
    return Run(proc.returncode, stdout, stderr, seconds, timed_out=timed_out)


def run_module(module, args, timeout=120, env=None):
    """Run one module of the collection directly (no ansible-playbook); returns a Run."""
    fd, path = tempfile.mkstemp(prefix='eci-args-', suffix='.json')
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        json.dump(dict(ANSIBLE_MODULE_ARGS=args), handle)
    try:
        return run_process([PYTHON, '-m', MODULE_PACKAGE + module, path], env=clean_env(env), timeout=timeout)
    finally:
        os.unlink(path)


def run_playbook(playbook, twin=None, extra_args=(), env=None, timeout=300):
    """ansible-playbook on localhost with the twin's ALICLOUD_* variables; returns a Run."""
    extra = dict(twin.env()) if twin is not None else {}
    extra.update(env or {})
    cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook] + list(extra_args)
    return run_process(cmd, env=clean_env(extra), timeout=timeout)


def write_output(name, text):
    """Write a report under tests/output/reliability (or $RELIABILITY_OUTPUT); returns the path."""
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    path = os.path.join(OUTPUT_DIR, name)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    return path


def table(headers, rows):
    """A plain-text table with aligned columns."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max([len(header)] + [len(row[index]) for row in cells]) for index, header in enumerate(headers)]
    lines = [' | '.join(header.ljust(width) for header, width in zip(headers, widths)),
             '-+-'.join('-' * width for width in widths)]
    lines.extend(' | '.join(value.ljust(width) for value, width in zip(row, widths)) for row in cells)
    return '\n'.join(lines) + '\n'


CALLBACK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
PLAYBOOK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'playbooks')


def callback_env(log_file):
    """Environment that makes ansible-playbook write every result as JSON to log_file (callback result_log)."""
    return dict(ANSIBLE_CALLBACK_PLUGINS=CALLBACK_DIR, ANSIBLE_CALLBACKS_ENABLED='result_log', RESULT_LOG_FILE=log_file)


def read_results(log_file):
    """The records the result_log callback wrote: dicts with status, task, host, result."""
    if not os.path.exists(log_file):
        return []
    with open(log_file, encoding='utf-8') as handle:
        return [json.loads(line) for line in handle if line.strip()]
