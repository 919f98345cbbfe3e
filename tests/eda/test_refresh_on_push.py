# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end (make eda): ansible-rulebook runs the rulebook alibabacloud.eci.refresh_on_push against the twin
and a local registry; an ACR push notification rebuilds exactly the cache of the pushed repository:tag, once.

Runs inside tests/eda/with_rulebook.py (EDA_VENV, JAVA_HOME), tests/utils/registry/with_registry.py
(REGISTRY_URL, REGISTRY_HOST) and tests/utils/with_emulator.py (EMULATOR_URL, ALICLOUD_*), from the collection
tree with ANSIBLE_COLLECTIONS_PATH set. The tests run in order, on one rulebook process.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'utils', 'registry'))
from push_images import Pusher  # noqa: E402  pylint: disable=wrong-import-position

REGION = 'cn-hangzhou'
# Generous deadlines, only so that a hung run fails instead of blocking (CI runs suites side by side on two cores):
# nothing asserts a duration.
START_DEADLINE = 300
RUN_DEADLINE = 600
# localhost with the interpreter of this run (the collection's Python requirements are there).
INVENTORY = os.path.join(HERE, 'inventory.yml')
# The calls that change a cache; none may name a cache the push does not concern.
CHANGING = ('CreateImageCache', 'UpdateImageCache', 'DeleteImageCache', 'TagResources', 'UntagResources')

MISSING = [name for name in ('EDA_VENV', 'EMULATOR_URL', 'REGISTRY_URL', 'REGISTRY_HOST', 'ANSIBLE_COLLECTIONS_PATH') if not os.environ.get(name)]
if MISSING:
    pytest.fail(f'tests/eda runs through `make eda` (missing {", ".join(MISSING)})', pytrace=False)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def http(method, url, body=None):
    """(status, text) of one request; HTTP errors are answers too."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def twin_log(clear=True):
    _status, text = http('GET', os.environ['EMULATOR_URL'] + '/_emulator/requests')
    if clear:
        http('DELETE', os.environ['EMULATOR_URL'] + '/_emulator/requests')
    return json.loads(text)


def changing_calls(log):
    """(action, the cache ids its parameters name) of every call that changes a cache."""
    return [(entry['action'], sorted(set(str(value) for value in (entry.get('params') or {}).values() if str(value).startswith('imc-'))))
            for entry in log if entry['action'] in CHANGING]


def acr_body(repository, tag, digest):
    namespace, name = repository.split('/')
    return {'push_data': {'digest': digest, 'pushed_at': '2026-12-07 10:25:46', 'tag': tag},
            'repository': {'date_created': '2026-10-28 21:31:42', 'name': name, 'namespace': namespace, 'region': REGION,
                           'repo_authentication_type': 'NO_CERTIFIED', 'repo_full_name': repository,
                           'repo_origin_type': 'NO_CERTIFIED', 'repo_type': 'PUBLIC'}}


class Rulebook:
    """One ansible-rulebook process with the collection's rulebook, its output in a file."""

    def __init__(self, workdir, variables):
        self.workdir = workdir
        self.output = os.path.join(workdir, 'rulebook.log')
        self.proc = None
        with open(os.path.join(workdir, 'vars.yml'), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(variables, handle)

    def start(self):
        command = [os.path.join(os.environ['EDA_VENV'], 'bin', 'ansible-rulebook'), '--rulebook', 'alibabacloud.eci.refresh_on_push',
                   '--inventory', INVENTORY, '--vars', 'vars.yml']
        with open(self.output, 'ab') as log:
            # pylint: disable-next=consider-using-with
            self.proc = subprocess.Popen(command, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def text(self):
        with open(self.output, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def recaps(self):
        """The PLAY RECAP lines of the playbook runs so far (one per run)."""
        lines = self.text().splitlines()
        return [lines[index + 1] for index, line in enumerate(lines[:-1]) if line.startswith('PLAY RECAP')]

    def wait_for_runs(self, count):
        deadline = time.monotonic() + RUN_DEADLINE
        while len(self.recaps()) < count:
            if self.proc.poll() is not None:
                pytest.fail(f'ansible-rulebook exited with {self.proc.returncode}:\n{self.text()[-4000:]}')
            if time.monotonic() > deadline:
                pytest.fail(f'{len(self.recaps())} playbook runs after {RUN_DEADLINE}s, expected {count}:\n{self.text()[-4000:]}')
            time.sleep(0.2)
        return self.recaps()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    """Images app:1.0, app:2.0 and other:1.0 in the registry, a cache of each, and the rulebook listening."""
    workdir = str(tmp_path_factory.mktemp('eda'))
    pusher = Pusher(os.environ['REGISTRY_URL'])
    host = os.environ['REGISTRY_HOST']
    images = {}
    for repository, tag, seed in (('acs/app', '1.0', 1), ('acs/app', '2.0', 2), ('acs/other', '1.0', 3)):
        digest, media_type, _length, _size = pusher.image(repository, [64 * 1024], seed=seed)
        pusher.tag(repository, tag, digest, media_type)
        images[f'{repository}:{tag}'] = digest
    caches = [{'name': 'eda-app-1', 'images': [f'{host}/acs/app:1.0']},
              {'name': 'eda-app-2', 'images': [f'{host}/acs/app:2.0']},
              {'name': 'eda-other', 'images': [f'{host}/acs/other:1.0']}]
    caches_file = os.path.join(workdir, 'caches.json')
    extra = json.dumps({'caches': caches, 'caches_file': caches_file, 'registry_host': host})
    subprocess.run(['ansible-playbook', '-i', INVENTORY, os.path.join(HERE, 'create_caches.yml'), '-e', extra], check=True)
    with open(caches_file, encoding='utf-8') as handle:
        created = dict((cache['image_cache_name'], cache) for cache in json.load(handle))

    port, token = free_port(), secrets.token_urlsafe(24)
    rulebook = Rulebook(workdir, {'acr_push_port': port, 'acr_push_token': token, 'acr_registries': {REGION: [host]},
                                  'refresh_registry_options': {'plain_http_registries': [host]}})
    rulebook.start()
    url = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            http('GET', url + '/')
            break
        except OSError:
            if rulebook.proc.poll() is not None or time.monotonic() > deadline:
                rulebook.stop()
                pytest.fail(f'the rulebook did not listen on {url}:\n{rulebook.text()[-4000:]}')
            time.sleep(0.2)
    twin_log()
    try:
        yield {'url': url, 'token': token, 'pusher': pusher, 'images': images, 'caches': created, 'rulebook': rulebook}
    finally:
        rulebook.stop()


def test_a_post_to_another_path_is_refused(world):
    assert http('POST', world['url'] + '/not-the-token', acr_body('acs/app', '1.0', world['images']['acs/app:1.0']))[0] == 404
    assert http('POST', world['url'] + '/' + world['token'][:-1], acr_body('acs/app', '1.0', world['images']['acs/app:1.0']))[0] == 404
    # That it started no playbook run is checked by the count of runs below, which counts only accepted deliveries.


def test_a_push_rebuilds_exactly_the_cache_of_that_tag_once(world):
    pusher, caches = world['pusher'], world['caches']
    digest, media_type, _length, _size = pusher.image('acs/app', [64 * 1024], seed=10)
    pusher.tag('acs/app', '1.0', digest, media_type)
    twin_log()
    # Two deliveries of the push arriving together (ACR retries; several triggers on one repository).
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda _n: http('POST', f"{world['url']}/{world['token']}", acr_body('acs/app', '1.0', digest))[0], range(2)))
    assert statuses == [202, 202]
    recaps = world['rulebook'].wait_for_runs(2)
    assert all('failed=0' in recap for recap in recaps), recaps
    log = twin_log()
    app = caches['eda-app-1']['image_cache_id']
    assert changing_calls(log) == [('UpdateImageCache', [app]), ('TagResources', [app])]
    record = 'alibabacloud.eci/digests'
    listed = dict((cache['image_cache_name'], cache) for cache in list_caches())
    assert listed['eda-app-1']['tags'][record] != caches['eda-app-1']['tags'][record]
    for name in ('eda-app-2', 'eda-other'):
        assert listed[name]['tags'] == caches[name]['tags']
        assert listed[name]['status'] == 'Ready'


def test_a_repeated_delivery_changes_nothing(world):
    digest = world['images']['acs/app:1.0']
    assert http('POST', f"{world['url']}/{world['token']}", acr_body('acs/app', '1.0', digest))[0] == 202
    recaps = world['rulebook'].wait_for_runs(3)
    assert all('failed=0' in recap for recap in recaps), recaps
    assert changing_calls(twin_log()) == []
    # Three accepted deliveries, three runs: the refused POSTs started none.
    assert len(world['rulebook'].recaps()) == 3


def list_caches():
    """The caches of the twin, as eci_image_cache_info returns them (through ansible, from the tree)."""
    result = subprocess.run(['ansible', 'localhost', '-i', INVENTORY, '-m', 'alibabacloud.eci.eci_image_cache_info',
                             '-a', f'region={REGION}', '-o'], stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(result.stdout.split('=>', 1)[1])['image_caches']
