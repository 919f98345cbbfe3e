# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP front of the twin: authentication, routing per (product, action), faults, request log, control endpoints."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time
import uuid
from typing import Any, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import SplitResult, parse_qsl, urlsplit

from . import eci, network
from .auth import Authenticator, Identity
from .context import Context
from .errors import ApiError, invalid
from .params import Params
from .config import Config
from .fixtures import FixtureError
from .model import iso
from .state import ANSWER_FAULTS, FAULT_KINDS, State

# x-acs-version (or Version) -> product
PRODUCTS = {'2018-08-08': 'eci', '2016-04-28': 'vpc', '2014-05-26': 'ecs'}
HOSTS = {'eci': 'eci.aliyuncs.com', 'vpc': 'vpc.aliyuncs.com', 'ecs': 'ecs.aliyuncs.com'}
# (product, action) -> handler(Context) -> dict.
DISPATCH = {('eci', name): handler for name, handler in eci.ACTIONS.items()}
DISPATCH.update({('vpc', name): handler for name, handler in network.VPC_ACTIONS.items()})
DISPATCH.update({('ecs', name): handler for name, handler in network.ECS_ACTIONS.items()})
PRODUCT_NAMES = {'eci': 'Eci', 'vpc': 'Vpc', 'ecs': 'Ecs'}
TOKEN_ACTIONS = frozenset(('eci', name) for name in eci.TOKEN_ACTIONS)
SECRET_PARAM_RE = re.compile(r'password|secret|securitytoken|signature\Z', re.IGNORECASE)
CONTROL_PREFIX = '/_emulator/'
BARRIER_SECONDS_MAX = 3600  # a barrier's safety bound: held requests are answered after it at the latest


def new_request_id() -> str:
    return str(uuid.uuid4()).upper()


def masked(params: dict) -> dict:
    """Query parameters for the request log: secrets replaced by '***'."""
    return {k: ('***' if SECRET_PARAM_RE.search(k) else v) for k, v in sorted(params.items())}


def error_body(error: ApiError, request_id: str, host: str, product: str | None = None) -> dict:
    return {
        'RequestId': request_id,
        'Code': error.code,
        'Message': error.message,
        'HostId': host,
        'Recommend': f'https://api.aliyun.com/troubleshoot?q={error.code}&product={PRODUCT_NAMES.get(product or "eci", "Eci")}&requestId={request_id}',
    }


def malform(payload: dict, kind: str) -> None:
    """The answer faults (POST /_emulator/faults), applied after the action has acted: `malformed_no_list` drops
    the answer's lists (DescribeImageCaches' ImageCaches), `malformed_total` ends the listing here (no NextToken)
    with a TotalCount one above the true count, as a truncated listing would look."""
    if kind == 'malformed_no_list':
        for key in [key for key, value in payload.items() if isinstance(value, list)]:
            del payload[key]
    elif kind == 'malformed_total':
        payload['TotalCount'] = int(payload.get('TotalCount') or 0) + 1
        payload['NextToken'] = ''


class TwinServer(ThreadingHTTPServer):
    """The twin's HTTP server; the state and the authenticator hang off it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple, state: State) -> None:
        self.state = state
        config = state.config
        self.auth = Authenticator(config.access_key_id, config.access_key_secret, config.security_token, state.use_nonce)
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f'http://{host}:{port}'


class Handler(BaseHTTPRequestHandler):
    """One keep-alive connection."""

    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True
    server_version = 'AlibabaCloudTwin/1.0'
    sys_version = ''
    server: TwinServer

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Quiet: the request log is at GET /_emulator/requests."""

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        self._serve()

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        self._serve()

    def do_DELETE(self) -> None:  # pylint: disable=invalid-name
        self._serve()

    def do_PUT(self) -> None:  # pylint: disable=invalid-name
        self._serve()

    # -- plumbing -------------------------------------------------------------------------------------
    def _send(self, status: int, payload: Any, request_id: str | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json;charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        if request_id:
            self.send_header('x-acs-request-id', request_id)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        """Close the connection without answering (with a TCP reset)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass

    def _serve(self) -> None:
        if self.headers.get('Transfer-Encoding'):
            self.close_connection = True
            self._send(411, {'Code': 'MissingContentLength', 'Message': 'Send the body with a Content-Length.'})
            return
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b''
        url = urlsplit(self.path)
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url.path[len(CONTROL_PREFIX):].strip('/'), body)
        else:
            self._api(url, body)

    # -- the cloud API ----------------------------------------------------------------------------------
    def _api(self, url: SplitResult, body: bytes) -> None:  # pylint: disable=too-many-statements
        state = self.server.state
        request_id = new_request_id()
        now = state.clock()
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        version = (headers.get('x-acs-version') or [query.get('Version', '')])[0]
        entry = {
            'time': iso(now), 'request_id': request_id, 'method': self.command,
            'action': (headers.get('x-acs-action') or [query.get('Action')])[0], 'version': version,
            'product': PRODUCTS.get(version), 'auth': None, 'access_key_id': None,
            'region': query.get('RegionId'), 'client_token': query.get('ClientToken'), 'params': masked(query),
            'body_sha256': hashlib.sha256(body).hexdigest(), 'status': None, 'code': None, 'fault': None,
        }
        host = HOSTS.get(entry['product'] or '', self.headers.get('Host', ''))
        fault = None
        try:
            if url.path not in ('', '/'):
                raise ApiError(404, 'InvalidAction.NotFound', f'Specified path {url.path} is not found: RPC requests go to "/".')
            ident = self.server.auth.verify(self.command, url.path or '/', query, headers, body, now)
            product = PRODUCTS.get(ident.version)
            entry.update(action=ident.action, version=ident.version, product=product, auth=ident.auth_type,
                         access_key_id=ident.access_key_id, params=masked(ident.params))
            host = HOSTS.get(product or '', host)
            if product is None:
                raise ApiError(400, 'InvalidVersion', f'Specified parameter Version {ident.version!r} is not valid.')
            handler = DISPATCH.get((product, ident.action))
            if handler is None:
                raise ApiError(404, 'InvalidAction.NotFound', f'Specified api {ident.action} is not found, please check your url and method.')
            # Faults act after the signature check (a faulted request is a valid one) and before the action.
            fault = state.take_fault(ident.action)
            kind = fault['fault'] if fault else None
            entry['fault'] = kind
            if kind == 'throttle':
                raise ApiError(400, 'Throttling.User', 'Request was denied due to user flow control.')
            if kind == 'server_error':
                raise ApiError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.')
            if kind == 'reset':
                entry.update(code='ConnectionReset', committed=False)
                state.log(entry)
                self._drop()
                return
            status, payload = 200, dict({'RequestId': request_id}, **self._run(handler, product, ident, now))
            code = None
            if kind in ANSWER_FAULTS:
                malform(payload, kind)
        except ApiError as error:
            status, payload, code = error.status, error_body(error, request_id, host, entry['product']), error.code
        if fault and fault['fault'] == 'barrier':
            # Acted on when it arrived (as `delay`); the answer waits until the barrier's other requests have
            # arrived too, so all of them are answered together (or the safety bound ran out: outcome timeout).
            entry['barrier'] = state.wait_at_barrier(fault['id'])
        if fault and fault['fault'] == 'delay':
            # A slow answer, not a slow action: the request is acted on when it arrives and the
            # answer leaves late, as when the cloud is slow to respond (the client may time out).
            time.sleep(fault['seconds'])
        if fault and fault['fault'] == 'reset_after_commit':
            entry.update(code='ConnectionReset', committed=True, result_status=status, result_code=code)
            state.log(entry)
            self._drop()
            return
        entry.update(status=status, code=code)
        state.log(entry)
        self._send(status, payload, request_id)

    def _run(self, handler: Callable[[Context], dict], product: str, ident: Identity, now: float) -> dict:
        state = self.server.state
        params = Params(ident.params)
        with state.lock:
            state.settle(now)
            token = params.get_str('ClientToken') if (product, ident.action) in TOKEN_ACTIONS else None
            key = None
            if token:
                if len(token) > 64 or not token.isascii():
                    raise invalid('ClientToken', 'It must be ASCII and at most 64 characters long.')
                key = (ident.access_key_id, product, ident.action, token)
                seen = state.token_lookup(key, now)
                if seen is not None:
                    replay = self._replay(seen, params, ident.action)
                    if replay is not None:
                        return replay
                    del state.tokens[key]  # token_after_delete `create`: the token starts afresh
            result = handler(Context(state, params, now, ident))
            if key is not None:
                state.token_record(key, params.fingerprint(), dict(result), now)
            return result

    def _replay(self, seen: dict, params: Params, action: str) -> dict | None:
        """The answer to a ClientToken seen before: the first answer again (a new RequestId), an error, or None
        (act as if the token were new).

        PROFILE token_mismatch_code: the code for the same token with other parameters (ECS and VPC document
        IdempotentParameterMismatch; ECI's code is UNDOCUMENTED). PROFILE token_after_delete: what the token of a
        cache deleted since answers: `replay` its id, `mismatch` (that code), or `create` a new cache.
        """
        profile = self.server.state.profile
        if seen['fingerprint'] != params.fingerprint():
            raise ApiError(400, profile['token_mismatch_code'],
                           'Request uses a client token in a previous request but is not identical to that request.')
        created = seen['body'].get('ImageCacheId') if action == 'CreateImageCache' else None
        if created and created not in self.server.state.caches:
            if profile['token_after_delete'] == 'mismatch':
                raise ApiError(400, profile['token_mismatch_code'],
                               f'The client token was used by a request that created {created}, which no longer exists.')
            if profile['token_after_delete'] == 'create':
                return None
        return dict(seen['body'])

    # -- test-only control endpoints -----------------------------------------------------------------
    def _control(self, name: str, body: bytes) -> None:  # pylint: disable=too-many-return-statements
        state = self.server.state
        method = self.command
        if name == 'health' and method == 'GET':
            return self._send(200, {'status': 'ok'})
        if name == 'requests':
            with state.lock:
                if method == 'GET':
                    return self._send(200, list(state.requests))
                if method == 'DELETE':
                    count = len(state.requests)
                    state.requests = []
                    return self._send(200, {'cleared': count})
        if name == 'faults':
            if method == 'GET':
                with state.lock:
                    return self._send(200, [dict(f) for f in state.faults])
            if method == 'DELETE':
                return self._send(200, {'cleared': state.clear_faults()})
            if method == 'POST':
                return self._add_fault(body)
        if name == 'barriers' and method == 'GET':
            return self._send(200, state.barrier_views())
        if name == 'reset' and method == 'POST':
            try:
                overrides = json.loads(body.decode('utf-8') or '{}')
                state.reset(overrides)
            except (ValueError, FixtureError) as exc:
                return self._send(400, {'error': f'reset: {exc}'})
            return self._send(200, {'reset': True})
        if name == 'profile':
            if method == 'GET':
                with state.lock:
                    return self._send(200, dict(state.profile))
            if method == 'POST':
                try:
                    changes = json.loads(body.decode('utf-8') or '{}')
                    return self._send(200, state.set_profile(changes))
                except (ValueError, UnicodeDecodeError) as error:  # ProfileError is a ValueError
                    return self._send(400, {'error': str(error)})
        if name == 'state' and method == 'GET':
            with state.lock:
                now = state.clock()
                state.settle(now)
                return self._send(200, {'image_caches': [c.view(now) for c in sorted(state.caches.values(), key=lambda c: c.seq)],
                                        'network': {k: v for k, v in state.fixtures.items() if k not in ('image_caches',)}})
        return self._send(404, {'error': f'unknown control endpoint {method} {CONTROL_PREFIX}{name}'})

    def _add_fault(self, body: bytes) -> None:
        try:
            spec = json.loads(body.decode('utf-8') or '{}')
            if not isinstance(spec, dict):
                raise ValueError('the body must be a JSON object')
            kind = spec.get('fault')
            if kind not in FAULT_KINDS:
                raise ValueError(f'fault must be one of {", ".join(FAULT_KINDS)}')
            action = spec.get('action') or '*'
            times = spec.get('times', 1)
            seconds = spec.get('seconds', 0)
            if not isinstance(action, str) or not isinstance(times, int) or isinstance(times, bool) or times < 1:
                raise ValueError('action must be a string and times an integer >= 1')
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
                raise ValueError('seconds must be a number >= 0')
            if kind == 'barrier' and not 0 < seconds <= BARRIER_SECONDS_MAX:
                raise ValueError(f'a barrier needs seconds from 0 (exclusive) to {BARRIER_SECONDS_MAX}: the bound after which '
                                 'its held requests are answered anyway')
        except (ValueError, UnicodeDecodeError) as error:
            return self._send(400, {'error': str(error)})
        return self._send(200, self.server.state.add_fault(action, kind, times, float(seconds)))


class Emulator:
    """The twin in a background thread (for tests): Emulator(ready_after=0.3, profile='hostile').start() ... .stop()."""

    def __init__(self, host: str = '127.0.0.1', port: int = 0, config: Config | None = None, **settings) -> None:
        """settings: Config fields, e.g. ready_after=0.3, profile='hostile' (a name, a YAML file or a mapping)."""
        self.config = config or Config(**settings)
        self.state = State(self.config)
        self.server = TwinServer((host, port), self.state)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def endpoint(self) -> str:
        """host:port, the form the SDK's Config(endpoint=...) takes."""
        return self.url.split('://', 1)[1]

    def start(self) -> 'Emulator':
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.01},
                                       name='eci-twin', daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread is not None:
            self.server.shutdown()
            self.thread.join(5)
            self.thread = None
        self.server.server_close()

    def __enter__(self) -> 'Emulator':
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
