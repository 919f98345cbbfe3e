# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eci_image_cache against a hostile registry on loopback (127.0.0.2 where it can be bound), issue 23: the size check
(size_check: warn, check mode) reads images from a registry that redirects https to http, echoes the Authorization
header, trickles its status line one byte a second, answers deeply nested JSON, or redirects to file:// and ftp://.
Each run: no traceback, a warning naming the registry and the image, no form of the password anywhere in the
output, no password in clear text, and the run ends within read_timeout and a little."""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
from urllib.parse import quote

import pytest

import twinlib

# The hostile registry of the units too (tests/utils/registry/hostile_server.py, standard library only).
sys.path.insert(0, os.path.join(twinlib.COLLECTION_ROOT, 'tests', 'utils', 'registry'))
import hostile_server  # noqa: E402  pylint: disable=wrong-import-position
from hostile_server import HostileServer, authorization, send  # noqa: E402  pylint: disable=wrong-import-position

USER = 'puller'
PASSWORD = twinlib.new_secret()
BASIC = 'Basic ' + base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()


def challenge_then(then):
    def behaviour(request, conn, server):
        if authorization(request) is None:
            return send(conn, 401, b'{}', {'WWW-Authenticate': 'Basic realm="r"'})
        return then(request, conn, server)
    return behaviour


def redirect_to(location):
    return challenge_then(lambda request, conn, server: send(conn, 302, headers={'Location': location.format(netloc=server.netloc)}))


def echo(request, conn, server):
    header = authorization(request)
    body = {'errors': [{'code': 'DENIED', 'message': 'got %s, %s, %s' % (header, quote(PASSWORD, safe=''), json.dumps(PASSWORD))}]}
    send(conn, 403, json.dumps(body).encode())


def trickle(request, conn, server):
    for byte in b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n':
        if server.stop.wait(1.0):
            return
        conn.sendall(bytes([byte]))


def nested(request, conn, server):
    send(conn, 200, b'[' * 100000 + b']' * 100000, {'Content-Type': 'application/vnd.oci.image.manifest.v1+json'})


CASES = [
    # (id, behaviour, tls, words of the warning)
    ('https-redirects-to-http-same-host', redirect_to('http://{netloc}/v2/app/manifests/1'), True, ['plain http']),
    ('echoes-authorization', challenge_then(echo), False, ['DENIED']),
    ('trickles-status-line', trickle, False, ['max_seconds', 'read_timeout', 'did not answer']),
    ('nested-json', challenge_then(nested), False, ['not JSON', 'nested']),
    ('redirects-to-file', redirect_to('file:///etc/passwd'), False, ['file://']),
    ('redirects-to-ftp', redirect_to('ftp://{netloc}/v2/app/manifests/1'), False, ['ftp://']),
]


@pytest.fixture(scope='module')
def tls_context():
    context = hostile_server.tls_context(tempfile.mkdtemp(prefix='eci-tls-'))
    if context is None:
        pytest.skip('openssl is needed to make a certificate')
    return context


def password_forms():
    token = base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()
    return set(twinlib.encoded_forms(PASSWORD)) | {token, token.rstrip('=')}


@pytest.mark.parametrize('case', CASES, ids=[case[0] for case in CASES])
def test_a_hostile_registry_gives_a_warning_never_a_traceback_or_a_secret(twin, tls_context, case):
    name, behaviour, tls, words = case
    registry = HostileServer(behaviour, tls_context if tls else None)
    image = '%s/app:1' % registry.netloc
    listing = dict(insecure_registries=[registry.netloc]) if tls else dict(plain_http_registries=[registry.netloc])
    args = twin.auth_args(name='hostile-' + name.replace('_', '-'), images=[image], security_group_id='sg-demo',
                          vswitch_ids=['vsw-demo'], size_check='warn', read_timeout=3, connect_timeout=2,
                          image_registry_credentials=[dict(server=registry.netloc, username=USER, password=PASSWORD)],
                          _ansible_check_mode=True, **listing)
    try:
        run = twinlib.run_module('eci_image_cache', args, timeout=120)
    finally:
        registry.close()
    output = run.stdout + run.stderr
    twinlib.write_output('hostile-registry-%s.txt' % name, output)
    assert 'Traceback' not in output and 'exception' not in run.result, output[-3000:]
    assert not run.failed, run.msg
    warnings = ' '.join(str(w) for w in run.result.get('warnings') or [])
    assert image in warnings and registry.netloc in warnings, warnings
    assert any(word in warnings for word in words), warnings
    leaked = [form[:4] for form in password_forms() if form in output]
    assert not leaked, 'a form of the password is in the output'
    assert all(BASIC not in text for text in registry.raw), 'the password went over plain http'
    assert run.seconds < 60, run.seconds  # read_timeout 3 bounds the read; a trickle took minutes before


@pytest.mark.profile_independent('the registry is the hostile party here')
def test_an_echoed_password_reaches_no_ansible_runner_artifact(twin, tmp_path):
    """The echoing registry through ansible-runner, as AWX runs a job (-vvv, --check --diff): no form of the password
    in the runner's stdout, its job events or any other artifact, while the warning that names the registry is there."""
    import ansible_runner  # pylint: disable=import-outside-toplevel
    registry = HostileServer(challenge_then(echo))
    image = '%s/app:1' % registry.netloc
    args = dict(name='hostile-runner', images=[image], security_group_id='sg-demo', vswitch_ids=['vsw-demo'],
                size_check='warn', read_timeout=3, connect_timeout=2, plain_http_registries=[registry.netloc],
                image_registry_credentials=[dict(server=registry.netloc, username=USER, password=PASSWORD)])
    project = tmp_path / 'project'
    project.mkdir()
    (project / 'echo.yml').write_text(json.dumps([dict(hosts='localhost', gather_facts=False, tasks=[
        {'name': 'A cache whose registry echoes the Authorization header', 'alibabacloud.eci.eci_image_cache': args}])]))
    (tmp_path / 'inventory').mkdir()
    (tmp_path / 'inventory' / 'hosts').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n'
                                                  % twinlib.PYTHON)
    env = twinlib.clean_env(twin.env())
    try:
        result = ansible_runner.run(private_data_dir=str(tmp_path), playbook='echo.yml', verbosity=3, quiet=True,
                                    cmdline='--check --diff', envvars=env)
    finally:
        registry.close()
    artifacts = []
    for folder, _dirs, files in os.walk(os.path.join(str(tmp_path), 'artifacts')):
        for name in files:
            with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as handle:
                artifacts.append(handle.read())
    everything = '\n'.join(artifacts)
    assert result.status == 'successful', everything[-3000:]
    # The registry's echo reached the warning (masked): the path the test guards is taken.
    assert 'got Basic ' in everything and registry.netloc in everything, 'the echoing warning is not in the artifacts'
    leaked = [form[:4] for form in password_forms() if form in everything]
    assert not leaked, 'a form of the password is in the ansible-runner artifacts'
