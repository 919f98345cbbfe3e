# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: the twin in a thread on a free port, and the real ECI SDK client pointed at it."""

from __future__ import annotations

import hashlib
import http.client
import json
import urllib.request
import uuid
from urllib.parse import urlencode

import pytest

from alibabacloud_eci20180808 import models as eci_models
from alibabacloud_eci20180808.client import Client
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest
from darabonba.exceptions import DaraException

from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

READY_AFTER = 0.5  # short, yet long enough for a transitional state to be seen on a loaded machine


@pytest.fixture
def make_twin():
    """Factory: make_twin(ready_after=..., fixtures=..., token_ttl=..., security_token=...) -> started Emulator."""
    twins = []

    def factory(**settings):
        settings.setdefault('ready_after', READY_AFTER)
        twin = Emulator(**settings).start()
        twins.append(twin)
        return twin

    yield factory
    for twin in twins:
        twin.stop()


@pytest.fixture
def twin(make_twin):
    return make_twin()


@pytest.fixture
def make_client(twin):
    """Factory for real SDK clients against the twin (wrong secrets, legacy signing, other twins...)."""

    def factory(access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET, target=None, **extra):
        config = Config(access_key_id=access_key_id, access_key_secret=access_key_secret, endpoint=(target or twin).endpoint,
                        protocol='http', region_id='cn-hangzhou', **extra)
        return Client(config)

    return factory


@pytest.fixture
def client(make_client):
    return make_client()


def control(twin, method, path, payload=None):
    """Call a /_emulator/ endpoint; returns (status, decoded JSON)."""
    data = json.dumps(payload).encode('utf-8') if payload is not None else None
    request = urllib.request.Request(f'{twin.url}/_emulator/{path}', data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b'null')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'null')


def create_request(**kwargs):
    """A valid CreateImageCacheRequest on the default network; keyword arguments override."""
    values = {'region_id': 'cn-hangzhou', 'image_cache_name': 'demo', 'image': ['registry.example.com/app/web:1.0'],
              'security_group_id': 'sg-demo', 'v_switch_id': 'vsw-demo'}
    values.update(kwargs)
    return eci_models.CreateImageCacheRequest(**values)


def api_error(call, *args, **kwargs):
    """Run an SDK call that must fail; return the SDK exception."""
    with pytest.raises(DaraException) as info:
        call(*args, **kwargs)
    return info.value


def sign(twin, query=None, action='DescribeImageCaches', body=b'', secret=DEFAULT_ACCESS_KEY_SECRET, access_key_id=DEFAULT_ACCESS_KEY_ID,
         date=None, nonce=None):
    """Headers of a request signed now by the SDK's signer."""
    request = DaraRequest()
    request.method, request.pathname = 'POST', '/'
    request.query = dict(query if query is not None else {'RegionId': 'cn-hangzhou'})
    request.headers = {'host': twin.endpoint, 'x-acs-version': '2018-08-08', 'x-acs-action': action,
                       'x-acs-date': date or Utils.get_timestamp(), 'x-acs-signature-nonce': nonce or uuid.uuid4().hex,
                       'accept': 'application/json', 'x-acs-content-sha256': hashlib.sha256(body).hexdigest()}
    request.headers['Authorization'] = Utils.get_authorization(request, 'ACS3-HMAC-SHA256', hashlib.sha256(body).hexdigest(), access_key_id, secret)
    return request.query, request.headers


def send(twin, query, headers, body=b''):
    host, port = twin.endpoint.split(':')
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request('POST', '/?' + urlencode(query), body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.fixture
def helpers():
    """The helper functions above, for the test modules (they cannot import conftest)."""

    class Helpers:  # pylint: disable=too-few-public-methods
        control = staticmethod(control)
        create_request = staticmethod(create_request)
        api_error = staticmethod(api_error)
        models = eci_models
        sign = staticmethod(sign)
        send = staticmethod(send)

    return Helpers
