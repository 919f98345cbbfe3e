# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Timeouts: an endpoint that accepts the connection and never answers fails within the bound, clearly."""

from __future__ import annotations

import socket
import threading

import pytest

import twinlib

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import auth_argument_spec

STARTUP_ALLOWANCE = 10.0

# The endpoints are silent sockets: no twin takes part.
pytestmark = pytest.mark.profile_independent('the endpoints are silent sockets, not the twin')


class SilentServer:
    """Accepts every connection on 127.0.0.1 and never answers (until stopped)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.accepted = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.sock.getsockname()[1]

    def serve(self):
        while not self.stopped.is_set():
            try:
                conn = self.sock.accept()[0]
            except socket.timeout:
                continue
            self.accepted.append(conn)  # held open, never read or answered

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def test_timeouts_are_options_with_sane_defaults():
    spec = auth_argument_spec()
    assert spec['connect_timeout']['type'] == 'float' and 0 < spec['connect_timeout']['default'] <= 30
    assert spec['read_timeout']['type'] == 'float' and 0 < spec['read_timeout']['default'] <= 120
    assert spec['api_retries']['default'] >= 0 and spec['api_retry_max_seconds']['default'] <= 300


@pytest.mark.parametrize('module,args', [
    ('eci_image_cache_info', {}),
    ('eci_image_cache', dict(name='silent', state='absent')),
    ('eci_network_info', dict(vswitch_ids=['vsw-demo'])),
])
def test_silent_endpoint_fails_within_bound(module, args):
    server = SilentServer()
    client = dict(read_timeout=1.0, connect_timeout=1.0, api_retries=2, api_retry_max_seconds=4.0)
    bound = STARTUP_ALLOWANCE + (client['api_retries'] + 1) * (client['read_timeout'] + client['connect_timeout']) \
        + client['api_retry_max_seconds']
    try:
        full = dict(client, access_key='LTAItimeouttest', secret_key=twinlib.new_secret(), region=twinlib.REGION,
                    eci_endpoint=server.url, vpc_endpoint=server.url, ecs_endpoint=server.url, **args)
        run = twinlib.run_module(module, full, timeout=3 * bound)
    finally:
        server.stop()
    print('%s: %.1fs (bound %.1fs): %s' % (module, run.seconds, bound, run.msg))
    assert server.accepted, 'the module never connected'
    assert run.failed and not run.timed_out
    assert run.seconds <= bound, '%.1fs > bound %.1fs' % (run.seconds, bound)
    assert 'timed out' in run.msg.lower() or 'timeout' in run.msg.lower(), run.msg
    assert 'Describe' in run.msg, run.msg
