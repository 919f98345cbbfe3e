# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's --registry URL: image sizes read from a real local registry (Debian's docker-registry)."""

from __future__ import annotations

import os
import socket
import time

import pytest

from ansible_collections.alibabacloud.eci.tests.emulator import __main__ as twin_main
from ansible_collections.alibabacloud.eci.tests.emulator.model import default_image_size
from ansible_collections.alibabacloud.eci.tests.emulator.registry_reader import (
    parse_registry_url,
    registry_credentials,
    registry_image_size,
    split_image,
)

PASSWORD = 'twin-registry-S3cret'
MIB = 1024 * 1024


@pytest.fixture(scope='module')
def registries(tmp_path_factory):
    """An anonymous and an HTTP Basic registry with the test images of tests/utils/registry/push_images.py."""
    helpers = pytest.importorskip('ansible_collections.alibabacloud.eci.tests.utils.registry.with_registry')
    try:
        helpers.ensure_installed(install=os.environ.get('REGISTRY_NO_INSTALL') is None)
    except helpers.RegistryUnavailable as error:
        pytest.skip(f'docker-registry cannot be installed here: {error}')
    public = helpers.Registry(str(tmp_path_factory.mktemp('anon'))).start()
    private = helpers.Registry(str(tmp_path_factory.mktemp('basic')), ('alice', PASSWORD)).start()
    try:
        helpers.push_images.push_all(public.url, private.url, 'alice', PASSWORD)
        yield public, private
    finally:
        public.stop()
        private.stop()


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_final(client, helpers, cache_id, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.describe_image_caches(helpers.models.DescribeImageCachesRequest(region_id='cn-hangzhou', image_cache_id=cache_id)).body
        cache = body.image_caches[0]
        if cache.status in ('Ready', 'Failed', 'UpdateFailed'):
            return cache
        time.sleep(0.05)
    raise AssertionError(f'cache {cache_id} did not settle')


# -- pure helpers (no registry needed) ----------------------------------------------------------------
@pytest.mark.parametrize('url, expected', [
    ('http://127.0.0.1:5000', {'url': 'http://127.0.0.1:5000', 'host': '127.0.0.1:5000', 'auth': None}),
    ('http://127.0.0.1:5000/', {'url': 'http://127.0.0.1:5000', 'host': '127.0.0.1:5000', 'auth': None}),
    ('https://Reg.Example.com', {'url': 'https://reg.example.com', 'host': 'reg.example.com', 'auth': None}),
    ('http://u:p@localhost:5000', {'url': 'http://localhost:5000', 'host': 'localhost:5000', 'auth': ('u', 'p')}),
])
def test_parse_registry_url(url, expected):
    assert parse_registry_url(url) == expected


@pytest.mark.parametrize('url', ['127.0.0.1:5000', 'ftp://x', 'http://', 'http://x/v2/app', ''])
def test_parse_registry_url_rejects(url):
    with pytest.raises(ValueError, match='--registry takes a base URL'):
        parse_registry_url(url)


def test_main_rejects_a_bad_registry_flag(capsys):
    with pytest.raises(SystemExit):
        twin_main.parse_args(['--registry', 'localhost:5000'])
    assert '--registry takes a base URL' in capsys.readouterr().err
    assert twin_main.parse_args(['--registry', 'http://127.0.0.1:5000']).registry == 'http://127.0.0.1:5000'
    assert twin_main.parse_args([]).registry is None


@pytest.mark.parametrize('image, expected', [
    ('127.0.0.1:5000/test/app:1.0', ('127.0.0.1:5000', 'test/app', '1.0')),
    ('localhost/app', ('localhost', 'app', 'latest')),
    ('nginx', ('docker.io', 'library/nginx', 'latest')),
    ('reg.io/a/b@sha256:' + 'a' * 64, ('reg.io', 'a/b', 'sha256:' + 'a' * 64)),
])
def test_split_image(image, expected):
    assert split_image(image) == expected


def test_registry_credentials_from_the_query():
    raw = {'ImageRegistryCredential.2.Server': 'b', 'ImageRegistryCredential.2.UserName': 'ub', 'ImageRegistryCredential.2.Password': 'pb',
           'ImageRegistryCredential.1.Server': 'a', 'ImageRegistryCredential.1.UserName': 'ua', 'ImageRegistryCredential.1.Password': 'pa',
           'Image.1': 'x'}
    assert registry_credentials(raw) == [{'Server': 'a', 'UserName': 'ua', 'Password': 'pa'}, {'Server': 'b', 'UserName': 'ub', 'Password': 'pb'}]


def test_unreachable_registry_falls_back(make_twin):
    url = f'http://127.0.0.1:{_closed_port()}'
    image = url.split('//')[1] + '/test/single:1.0'
    assert registry_image_size(url, image) is None
    twin = make_twin(registry=url)
    assert twin.state.image_size(image) == default_image_size(image)


# -- against the real registry -------------------------------------------------------------------------
def test_sizes_read_from_the_registry(registries, make_twin):
    public, private = registries
    twin = make_twin(registry=public.url)
    assert twin.state.image_size(f'{public.host}/test/single:1.0') == round(4 * MIB / 1024 ** 3, 6)
    # an index: the linux/amd64 manifest (2 MiB + 512 KiB), not the arm64 one
    assert twin.state.image_size(f'{public.host}/test/multi:1.0') == round(2.5 * MIB / 1024 ** 3, 6)
    assert twin.state.image_size(f'{public.host}/test/huge:1.0') == 30.0
    # not on that registry: the existing rules (fixtures, then the deterministic default)
    assert twin.state.image_size('registry.example.com/huge/image:latest') == 64
    assert twin.state.image_size('nginx:latest') == default_image_size('nginx:latest')
    # on that registry but not there: the existing rules too
    assert twin.state.image_size(f'{public.host}/test/absent:1') == default_image_size(f'{public.host}/test/absent:1')


def test_private_image_with_request_credentials(registries, make_twin):
    _public, private = registries
    twin = make_twin(registry=private.url)
    image = f'{private.host}/test/private:1.0'
    good = [{'Server': private.host, 'UserName': 'alice', 'Password': PASSWORD}]
    bad = [{'Server': private.host, 'UserName': 'alice', 'Password': 'wrong'}]
    assert twin.state.image_size(image, good) == round(1.5 * MIB / 1024 ** 3, 6)
    assert twin.state.total_size([image, image], good) == round(2 * 1.5 * MIB / 1024 ** 3, 3)
    # without (or with wrong) credentials the registry cannot be read: fallback
    assert twin.state.image_size(image) == default_image_size(image)
    assert twin.state.image_size(image, bad) == default_image_size(image)
    # credentials in the --registry URL are used when the request brings none
    with_auth = make_twin(registry=f'http://alice:{PASSWORD}@{private.host}')
    assert with_auth.state.image_size(image) == round(1.5 * MIB / 1024 ** 3, 6)


def test_cache_too_small_for_registry_images_fails(registries, make_twin, make_client, helpers):
    public, _private = registries
    twin = make_twin(registry=public.url)
    client = make_client(target=twin)
    huge = f'{public.host}/test/huge:1.0'
    small = f'{public.host}/test/single:1.0'

    created = client.create_image_cache(helpers.create_request(image_cache_name='too-small', image=[huge, small], image_cache_size=20)).body
    cache = wait_final(client, helpers, created.image_cache_id)
    assert cache.status == 'Failed'
    warning = [e for e in cache.events if e.type == 'Warning'][0]
    assert 'bigger than the image cache size (20 GiB)' in warning.message
    assert '30.004 GiB' in warning.message

    created = client.create_image_cache(helpers.create_request(image_cache_name='big-enough', image=[huge, small], image_cache_size=61)).body
    assert wait_final(client, helpers, created.image_cache_id).status == 'Ready'

    created = client.create_image_cache(helpers.create_request(image_cache_name='small', image=[small])).body
    cache = wait_final(client, helpers, created.image_cache_id)
    assert cache.status == 'Ready'

    # an update to images bigger than the cache ends UpdateFailed
    client.update_image_cache(helpers.models.UpdateImageCacheRequest(region_id='cn-hangzhou', image_cache_id=created.image_cache_id, image=[huge]))
    assert wait_final(client, helpers, created.image_cache_id).status == 'UpdateFailed'
