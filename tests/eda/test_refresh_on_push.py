# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end (make eda): the guide's commands (docs/docsite/rst/refresh_on_push.rst), as written, against the twin
and a local registry; an ACR push notification rebuilds exactly the cache of the pushed repository:tag of the
event's region, once.

Taken from the guide and run: the twin's start and the line that points ALICLOUD_* at it ("Try it against the
twin"), the TOKEN line, vars.yml (with the twin paragraph's registry changes), inventory.yml, the ansible-rulebook
line and the curl line. What the test changes, and only that: the port 5080 becomes a free port and the twin's 8080
port 0 (suites run side by side), the twin gets tests/eda/fixtures.yml (a second region) and --ready-after 1,
"<the value of $TOKEN>" becomes $TOKEN, the registry address becomes the local registry's (with credentials:
refresh_registry_options' image_registry_credentials must reach the module), and ALICLOUD_REGION is cn-shanghai
while the pushes are in cn-hangzhou (the caches must be those of the event's region).

Runs inside tests/eda/with_rulebook.py (EDA_VENV, JAVA_HOME) and tests/utils/registry/with_registry.py --auth
(REGISTRY_AUTH_*), from the collection tree with ANSIBLE_COLLECTIONS_PATH set. The tests run in order, on one
rulebook process.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils', 'registry'))
from push_images import Pusher  # noqa: E402  pylint: disable=wrong-import-position

GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'refresh_on_push.rst')
FIXTURES = os.path.join(HERE, 'fixtures.yml')
# The guide's region (its curl's push) and the region of the environment, another one.
REGION = 'cn-hangzhou'
OTHER_REGION = 'cn-shanghai'
NETWORKS = {REGION: {'security_group_id': 'sg-demo', 'vswitch_ids': ['vsw-demo']},
            OTHER_REGION: {'security_group_id': 'sg-sh', 'vswitch_ids': ['vsw-sh']}}
# Generous deadlines, only so that a hung run fails instead of blocking (CI runs suites side by side on two cores):
# nothing asserts a duration.
START_DEADLINE = 300
RUN_DEADLINE = 600
# The calls that change a cache; none may name a cache the push does not concern.
CHANGING = ('CreateImageCache', 'UpdateImageCache', 'DeleteImageCache', 'TagResources', 'UntagResources')

MISSING = [name for name in ('EDA_VENV', 'REGISTRY_AUTH_URL', 'REGISTRY_AUTH_HOST', 'REGISTRY_AUTH_USER', 'REGISTRY_AUTH_PASSWORD',
                             'ANSIBLE_COLLECTIONS_PATH') if not os.environ.get(name)]
if MISSING:
    pytest.fail(f'tests/eda runs through `make eda` (missing {", ".join(MISSING)})', pytrace=False)


def guide_blocks():
    """The code blocks of the guide, in order: (language, text); a literal block (`::`) has language ''."""
    with open(GUIDE, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    blocks = []
    for index, line in enumerate(lines):
        match = re.match(r'(\s*)\.\. code-block:: *(\S+)\s*$', line)
        if match:
            indent, language = len(match.group(1)), match.group(2)
        elif line.rstrip().endswith('::') and not line.lstrip().startswith('..'):
            indent, language = len(line) - len(line.lstrip()), ''
        else:
            continue
        body = []
        for following in lines[index + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        text = '\n'.join(body).strip('\n')
        margin = min(len(row) - len(row.lstrip()) for row in text.splitlines() if row.strip())
        blocks.append((language, '\n'.join(row[margin:] for row in text.splitlines())))
    return blocks


def guide_block(language, marker):
    """The one block of the guide in this language that contains marker."""
    found = [text for lang, text in guide_blocks() if lang == language and marker in text]
    assert len(found) == 1, f'the guide has {len(found)} {language or "literal"} blocks with {marker!r}, expected one'
    return found[0]


def guide_line(language, marker):
    """The one line of the guide's blocks in this language that contains marker."""
    found = [line for lang, text in guide_blocks() if lang == language for line in text.splitlines() if marker in line]
    assert len(found) == 1, f'the guide has {len(found)} lines with {marker!r}, expected one'
    return found[0]


def replaced(text, old, new):
    """text with old replaced by new; old must be there (the guide changed otherwise)."""
    assert old in text, f'{old!r} is no longer in the guide: {text}'
    return text.replace(old, new)


def bash(script, env, **kwargs):
    """Run script as bash runs a user's line; its stdout."""
    return subprocess.run(['bash', '-c', script], env=env, stdout=subprocess.PIPE, text=True, check=True, **kwargs).stdout


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


def changing_calls(url, clear=True):
    """(action, region, the cache ids its parameters name) of every call that changed a cache since the last clear."""
    _status, text = http('GET', url + '/_emulator/requests')
    if clear:
        http('DELETE', url + '/_emulator/requests')
    return [(entry['action'], (entry.get('params') or {}).get('RegionId'),
             sorted(set(str(value) for value in (entry.get('params') or {}).values() if str(value).startswith('imc-'))))
            for entry in json.loads(text) if entry['action'] in CHANGING]


class Process:
    """A process started the way the guide's line says, in its own session, its output in a file."""

    def __init__(self, argv, cwd, env, output):
        self.output = output
        with open(output, 'ab') as log:
            # pylint: disable-next=consider-using-with
            self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
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
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


def start_twin(workdir):
    """The guide's twin lines: the twin started (port 0, the test's fixtures) and the environment its eval line makes."""
    start, point = guide_block('console', 'python -m tests.emulator --port').splitlines()
    argv = shlex.split(replaced(start.rstrip(' &'), '--port 8080', '--port 0')) + ['--fixtures', FIXTURES, '--ready-after', '1']
    twin = Process(argv, ROOT, dict(os.environ, PYTHONUNBUFFERED='1'), os.path.join(workdir, 'twin.log'))
    deadline = time.monotonic() + 30
    while not twin.text().startswith('http') or '\n' not in twin.text():
        if twin.proc.poll() is not None or time.monotonic() > deadline:
            twin.stop()
            pytest.fail(f'the twin did not start as the guide says ({start}):\n{twin.text()}')
        time.sleep(0.1)
    url = twin.text().splitlines()[0].strip()
    exported = bash(replaced(point, 'http://127.0.0.1:8080', url) + '\nenv -0', os.environ, cwd=ROOT)
    env = dict(entry.split('=', 1) for entry in exported.split('\0') if '=' in entry)
    assert env['ALICLOUD_ECI_ENDPOINT'] == url and env['ALICLOUD_REGION'] == REGION, env
    return twin, env


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    """The guide's files and commands on a twin with the caches below and a registry holding their images."""
    workdir = str(tmp_path_factory.mktemp('eda'))
    host, user, password = (os.environ[f'REGISTRY_AUTH_{name}'] for name in ('HOST', 'USER', 'PASSWORD'))
    pusher = Pusher(os.environ['REGISTRY_AUTH_URL'], user, password)
    for repository, tag, seed in (('acs/nginx', '1.25', 1), ('acs/nginx', '1.24', 2), ('acs/other', '1.25', 3)):
        digest, media_type, _length, _size = pusher.image(repository, [64 * 1024], seed=seed)
        pusher.tag(repository, tag, digest, media_type)

    twin, env = start_twin(workdir)
    try:
        # The guide's inventory, and its vars.yml with the twin paragraph's changes (a registry of our own).
        with open(os.path.join(workdir, 'inventory.yml'), 'w', encoding='utf-8') as handle:
            handle.write(guide_block('yaml', 'ansible_connection: local') + '\n')
        variables = yaml.safe_load(replaced(guide_block('yaml', 'acr_registries:'), 'registry.cn-hangzhou.aliyuncs.com', host))
        plain_http = yaml.safe_load(replaced(guide_block('yaml', 'plain_http_registries:'), '127.0.0.1:5000', host))
        variables['refresh_registry_options'].update(plain_http)
        token = bash(guide_line('', 'export TOKEN=') + '\nprintf %s "$TOKEN"', env)
        assert len(token) >= 16
        assert variables['acr_push_token'] == '<the value of $TOKEN>' and variables['acr_push_port'] == 5080, variables
        port = free_port()
        variables.update(acr_push_token=token, acr_push_port=port)
        with open(os.path.join(workdir, 'vars.yml'), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(variables, handle)
        env.update(TOKEN=token, ACR_USER=user, ACR_PASSWORD=password,
                   # ansible-rulebook is found on PATH, after the project's ansible-playbook (.venv first).
                   PATH=env['PATH'] + os.pathsep + os.path.join(os.environ['EDA_VENV'], 'bin'))

        # A cache of the pushed tag, of another tag, of another repository, and of the pushed tag in another region.
        caches = {REGION: [{'name': 'eda-nginx', 'images': [f'{host}/acs/nginx:1.25']},
                           {'name': 'eda-nginx-old', 'images': [f'{host}/acs/nginx:1.24']},
                           {'name': 'eda-other', 'images': [f'{host}/acs/other:1.25']}],
                  OTHER_REGION: [{'name': 'eda-nginx-elsewhere', 'images': [f'{host}/acs/nginx:1.25']}]}
        caches_file = os.path.join(workdir, 'caches.json')
        registry_options = {'plain_http_registries': [host],
                            'image_registry_credentials': [{'server': host, 'username': user, 'password': password}]}
        extra = json.dumps({'regions': {region: {'caches': items, 'network': NETWORKS[region]} for region, items in caches.items()},
                            'registry_options': registry_options, 'caches_file': caches_file})
        subprocess.run(['ansible-playbook', '-i', 'inventory.yml', os.path.join(HERE, 'create_caches.yml'), '-e', extra],
                       cwd=workdir, env=env, check=True)
        with open(caches_file, encoding='utf-8') as handle:
            created = dict((cache['image_cache_name'], cache) for cache in json.load(handle))

        # The caches must be those of the event's region, not the environment's.
        env['ALICLOUD_REGION'] = OTHER_REGION
        rulebook = Process(shlex.split(guide_block('console', 'ansible-rulebook --rulebook')), workdir, env,
                           os.path.join(workdir, 'rulebook.log'))
        try:
            url = f'http://127.0.0.1:{port}'
            deadline = time.monotonic() + START_DEADLINE
            while True:
                try:
                    http('GET', url + '/')
                    break
                except OSError:
                    if rulebook.proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f'the rulebook did not listen on {url}:\n{rulebook.text()[-4000:]}')
                    time.sleep(0.2)
            changing_calls(env['EMULATOR_URL'])
            curl = replaced(guide_block('console', 'curl '), 'http://127.0.0.1:5080/$TOKEN', f'http://127.0.0.1:{port}/$TOKEN')
            yield {'url': url, 'token': token, 'pusher': pusher, 'caches': created, 'rulebook': rulebook, 'env': env,
                   'twin': env['EMULATOR_URL'], 'curl': curl, 'workdir': workdir}
        finally:
            rulebook.stop()
    finally:
        twin.stop()


def push(world):
    """The guide's curl line, run by bash as written: the HTTP status it prints."""
    output = bash(world['curl'], world['env'])
    return int(re.match(r'HTTP/[\d.]+ (\d+)', output).group(1))


def list_caches(world, region):
    """The caches of the twin in region, as eci_image_cache_info returns them (through ansible, from the tree)."""
    result = subprocess.run(['ansible', 'localhost', '-i', 'inventory.yml', '-m', 'alibabacloud.eci.eci_image_cache_info',
                             '-a', f'region={region}', '-o'], cwd=world['workdir'], env=world['env'],
                            stdout=subprocess.PIPE, text=True, check=True)
    return dict((cache['image_cache_name'], cache) for cache in json.loads(result.stdout.split('=>', 1)[1])['image_caches'])


def test_a_post_to_another_path_is_refused(world):
    argv = shlex.split(world['curl'])
    body = json.loads(argv[argv.index('-d') + 1])
    assert http('POST', world['url'] + '/not-the-token', body)[0] == 404
    assert http('POST', world['url'] + '/' + world['token'][:-1], body)[0] == 404
    # That it started no playbook run is checked by the count of runs below, which counts only accepted deliveries.


def test_a_push_rebuilds_exactly_the_cache_of_that_tag_in_the_events_region_once(world):
    pusher, caches = world['pusher'], world['caches']
    digest, media_type, _length, _size = pusher.image('acs/nginx', [64 * 1024], seed=10)
    pusher.tag('acs/nginx', '1.25', digest, media_type)
    changing_calls(world['twin'])
    # Two deliveries of the push arriving together (ACR retries; several triggers on one repository).
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda _n: push(world), range(2)))
    assert statuses == [202, 202]
    recaps = world['rulebook'].wait_for_runs(2)
    assert all('failed=0' in recap for recap in recaps), recaps
    nginx = caches['eda-nginx']['image_cache_id']
    # Only the cache of the event's region: the one of the environment's region holds the same reference and is stale
    # too, and the registry is read with the credentials of refresh_registry_options (without them nothing is judged).
    assert changing_calls(world['twin']) == [('UpdateImageCache', REGION, [nginx]), ('TagResources', REGION, [nginx])]
    record = 'alibabacloud.eci/digests'
    listed = list_caches(world, REGION)
    assert listed['eda-nginx']['tags'][record] != caches['eda-nginx']['tags'][record]
    for name in ('eda-nginx-old', 'eda-other'):
        assert listed[name]['tags'] == caches[name]['tags']
        assert listed[name]['status'] == 'Ready'


def test_a_repeated_delivery_changes_nothing(world):
    assert push(world) == 202
    recaps = world['rulebook'].wait_for_runs(3)
    assert all('failed=0' in recap for recap in recaps), recaps
    assert changing_calls(world['twin']) == []
    # Three accepted deliveries, three runs: the refused POSTs started none.
    assert len(world['rulebook'].recaps()) == 3
