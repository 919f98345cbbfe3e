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
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
from urllib.parse import quote

import pytest

import twinlib

USER = 'puller'
PASSWORD = twinlib.new_secret()
BASIC = 'Basic ' + base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()


def loopback():
    probe = socket.socket()
    try:
        probe.bind(('127.0.0.2', 0))
        return '127.0.0.2'
    except OSError:
        return '127.0.0.1'
    finally:
        probe.close()


HOST = loopback()


class HostileRegistry:
    """behaviour(request, conn, server) answers each request; plain-text bytes sent to a TLS port are kept in raw."""

    def __init__(self, behaviour, tls=None):
        self.behaviour = behaviour
        self.tls = tls
        self.requests = []
        self.raw = []
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind((HOST, 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.netloc = '%s:%d' % (HOST, self.listener.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            conn.settimeout(10)
            if self.tls is not None:
                if not conn.recv(5, socket.MSG_PEEK).startswith(b'\x16'):
                    self.raw.append(conn.recv(65536).decode('latin-1'))
                    return
                conn = self.tls.wrap_socket(conn, server_side=True)
            data = b''
            while b'\r\n\r\n' not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            request = data.decode('latin-1')
            self.requests.append(request)
            self.behaviour(request, conn, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.listener.close()


def send(conn, status, body=b'', headers=None):
    head = 'HTTP/1.1 %d X\r\nContent-Length: %d\r\nConnection: close\r\n' % (status, len(body))
    for key, value in (headers or {}).items():
        head += '%s: %s\r\n' % (key, value)
    conn.sendall(head.encode('latin-1') + b'\r\n' + body)


def authorization(request):
    for line in request.split('\r\n'):
        if line.lower().startswith('authorization:'):
            return line.split(':', 1)[1].strip()
    return None


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
    if not shutil.which('openssl'):
        pytest.skip('openssl is needed to make a certificate')
    folder = tempfile.mkdtemp(prefix='eci-tls-')
    key, cert = os.path.join(folder, 'key.pem'), os.path.join(folder, 'cert.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
                    '-subj', '/CN=%s' % HOST], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def password_forms():
    token = base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()
    return set(twinlib.encoded_forms(PASSWORD)) | {token, token.rstrip('=')}


@pytest.mark.parametrize('case', CASES, ids=[case[0] for case in CASES])
def test_a_hostile_registry_gives_a_warning_never_a_traceback_or_a_secret(twin, tls_context, case):
    name, behaviour, tls, words = case
    registry = HostileRegistry(behaviour, tls_context if tls else None)
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
