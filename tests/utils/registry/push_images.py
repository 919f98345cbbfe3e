#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Push small test images with known layer sizes to a local registry over its HTTP API.

Usage: push_images.py --url http://127.0.0.1:PORT [--auth-url http://127.0.0.1:PORT2 --user U --password P] [--output FILE]

Images (layers are random bytes labelled gzip: the registry does not look inside blobs):
- <url host>/test/single:1.0       Docker v2 manifest, linux/amd64, layers of 1 MiB and 3 MiB
- <url host>/test/multi:1.0        OCI index: linux/amd64 (2 MiB + 512 KiB) and linux/arm64/v8 (1 MiB)
- <url host>/test/huge:1.0         Docker v2 manifest whose one layer descriptor states 30 GiB (the blob is
                                   1 KiB: the registry checks that a blob exists, not its size), to make a
                                   cache of 20 GiB too small without pushing gigabytes
- <auth-url host>/test/private:1.0 (with --auth-url) Docker v2 manifest, 1.5 MiB, behind HTTP Basic

Writes (stdout or --output) JSON: {"registry": host, "auth_registry": host or null, "images": {reference:
{"private": bool, "platforms": {"linux/amd64": {"compressed_size", "layers", "digest", "media_type"}},
"default_platform": "linux/amd64"}}}. Uses only the standard library; importable (push_all()).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import sys
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

MIB = 1024 * 1024
GIB = 1024 * MIB
LAYER_GZIP_DOCKER = 'application/vnd.docker.image.rootfs.diff.tar.gzip'
LAYER_GZIP_OCI = 'application/vnd.oci.image.layer.v1.tar+gzip'
CONFIG_DOCKER = 'application/vnd.docker.container.image.v1+json'
CONFIG_OCI = 'application/vnd.oci.image.config.v1+json'
MANIFEST_DOCKER = 'application/vnd.docker.distribution.manifest.v2+json'
MANIFEST_OCI = 'application/vnd.oci.image.manifest.v1+json'
INDEX_OCI = 'application/vnd.oci.image.index.v1+json'
TIMEOUT = 30


class Pusher:
    """Pushes blobs and manifests to one registry (optionally with HTTP Basic credentials)."""

    def __init__(self, url, user=None, password=None):
        self.url = url.rstrip('/')
        self.host = urlsplit(self.url).netloc
        self.auth = None
        if user is not None:
            self.auth = 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode()

    def _request(self, method, url, data=None, headers=None):
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if self.auth:
            request.add_unredirected_header('Authorization', self.auth)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def blob(self, repository, data):
        """Upload data as a blob (monolithic POST + PUT ?digest=); returns its digest."""
        digest = 'sha256:' + hashlib.sha256(data).hexdigest()
        status, _headers, _body = self._request('HEAD', f'{self.url}/v2/{repository}/blobs/{digest}')
        if status == 200:
            return digest
        status, headers, body = self._request('POST', f'{self.url}/v2/{repository}/blobs/uploads/', data=b'')
        if status != 202:
            raise RuntimeError(f'blob upload to {self.host}/{repository} not started: HTTP {status} {body[:200]!r}')
        location = urljoin(self.url + '/', headers.get('Location') or headers.get('location'))
        location += ('&' if '?' in location else '?') + 'digest=' + digest
        headers = {'Content-Type': 'application/octet-stream', 'Content-Length': str(len(data))}
        status, _headers, body = self._request('PUT', location, data=data, headers=headers)
        if status != 201:
            raise RuntimeError(f'blob upload to {self.host}/{repository} failed: HTTP {status} {body[:200]!r}')
        return digest

    def manifest(self, repository, reference, document, media_type):
        """PUT a manifest (or index); returns its digest."""
        data = json.dumps(document, separators=(',', ':')).encode()
        status, _headers, body = self._request('PUT', f'{self.url}/v2/{repository}/manifests/{reference}', data=data,
                                               headers={'Content-Type': media_type})
        if status != 201:
            raise RuntimeError(f'manifest {self.host}/{repository}:{reference} refused: HTTP {status} {body[:300]!r}')
        return 'sha256:' + hashlib.sha256(data).hexdigest()

    def image(self, repository, layer_sizes, platform='linux/amd64', oci=False, seed=0, stated_sizes=None):
        """Push one image manifest (not tagged); returns (digest, media type, manifest bytes length, sum of stated sizes).

        stated_sizes: sizes written in the layer descriptors instead of the real ones (for huge images).
        """
        rng = random.Random(f'{repository}/{platform}/{seed}')
        os_name, arch, *variant = platform.split('/')
        layers = []
        diff_ids = []
        for index, size in enumerate(layer_sizes):
            data = rng.randbytes(size)
            digest = self.blob(repository, data)
            stated = stated_sizes[index] if stated_sizes else size
            layers.append({'mediaType': LAYER_GZIP_OCI if oci else LAYER_GZIP_DOCKER, 'size': stated, 'digest': digest})
            diff_ids.append('sha256:' + hashlib.sha256(b'diff' + data[:64]).hexdigest())  # not real tar diff IDs: never checked
        config = {'architecture': arch, 'os': os_name, 'rootfs': {'type': 'layers', 'diff_ids': diff_ids},
                  'config': {'Cmd': ['/bin/true']}}
        if variant:
            config['variant'] = variant[0]
        config_data = json.dumps(config, separators=(',', ':')).encode()
        config_digest = self.blob(repository, config_data)
        media_type = MANIFEST_OCI if oci else MANIFEST_DOCKER
        manifest = {'schemaVersion': 2, 'mediaType': media_type,
                    'config': {'mediaType': CONFIG_OCI if oci else CONFIG_DOCKER, 'size': len(config_data), 'digest': config_digest},
                    'layers': layers}
        data = json.dumps(manifest, separators=(',', ':')).encode()
        digest = self.manifest(repository, 'sha256:' + hashlib.sha256(data).hexdigest(), manifest, media_type)
        return digest, media_type, len(data), sum(layer['size'] for layer in layers)

    def tag(self, repository, tag, digest, media_type):
        """Tag an already pushed manifest by pushing the same bytes under the tag."""
        status, _headers, body = self._request('GET', f'{self.url}/v2/{repository}/manifests/{digest}', headers={'Accept': media_type})
        if status != 200:
            raise RuntimeError(f'manifest {digest} not readable: HTTP {status}')
        status, _headers, body = self._request('PUT', f'{self.url}/v2/{repository}/manifests/{tag}', data=body,
                                               headers={'Content-Type': media_type})
        if status != 201:
            raise RuntimeError(f'tag {repository}:{tag} refused: HTTP {status} {body[:300]!r}')


def _entry(private, platforms, default='linux/amd64'):
    return {'private': private, 'default_platform': default, 'platforms': platforms}


def push_all(url, auth_url=None, user=None, password=None):
    """Push every test image; returns the expected-sizes document (see the module docstring)."""
    public = Pusher(url)
    images = {}

    digest, media_type, _length, size = public.image('test/single', [1 * MIB, 3 * MIB])
    public.tag('test/single', '1.0', digest, media_type)
    images[f'{public.host}/test/single:1.0'] = _entry(False, {
        'linux/amd64': {'compressed_size': size, 'layers': 2, 'digest': digest, 'media_type': media_type}})

    amd_digest, amd_type, amd_length, amd_size = public.image('test/multi', [2 * MIB, MIB // 2], 'linux/amd64', oci=True)
    arm_digest, arm_type, arm_length, arm_size = public.image('test/multi', [1 * MIB], 'linux/arm64/v8', oci=True)
    index = {'schemaVersion': 2, 'mediaType': INDEX_OCI, 'manifests': [
        {'mediaType': amd_type, 'size': amd_length, 'digest': amd_digest, 'platform': {'architecture': 'amd64', 'os': 'linux'}},
        {'mediaType': arm_type, 'size': arm_length, 'digest': arm_digest, 'platform': {'architecture': 'arm64', 'os': 'linux', 'variant': 'v8'}},
    ]}
    index_digest = public.manifest('test/multi', '1.0', index, INDEX_OCI)
    images[f'{public.host}/test/multi:1.0'] = _entry(False, {
        'linux/amd64': {'compressed_size': amd_size, 'layers': 2, 'digest': amd_digest, 'media_type': amd_type, 'index_digest': index_digest},
        'linux/arm64': {'compressed_size': arm_size, 'layers': 1, 'digest': arm_digest, 'media_type': arm_type, 'index_digest': index_digest},
    })

    digest, media_type, _length, size = public.image('test/huge', [1024], stated_sizes=[30 * GIB])
    public.tag('test/huge', '1.0', digest, media_type)
    images[f'{public.host}/test/huge:1.0'] = _entry(False, {
        'linux/amd64': {'compressed_size': size, 'layers': 1, 'digest': digest, 'media_type': media_type}})

    auth_host = None
    if auth_url:
        private = Pusher(auth_url, user, password)
        auth_host = private.host
        digest, media_type, _length, size = private.image('test/private', [3 * MIB // 2])
        private.tag('test/private', '1.0', digest, media_type)
        images[f'{private.host}/test/private:1.0'] = _entry(True, {
            'linux/amd64': {'compressed_size': size, 'layers': 1, 'digest': digest, 'media_type': media_type}})
    return {'registry': public.host, 'auth_registry': auth_host, 'images': images}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--url', required=True, help='base URL of the anonymous registry, e.g. http://127.0.0.1:5000')
    parser.add_argument('--auth-url', help='base URL of the registry with HTTP Basic authentication')
    parser.add_argument('--user', help='user name for --auth-url')
    parser.add_argument('--password', help='password for --auth-url')
    parser.add_argument('--output', help='write the expected sizes here (default: stdout)')
    args = parser.parse_args(argv)
    if args.auth_url and (args.user is None or args.password is None):
        parser.error('--auth-url needs --user and --password')
    result = push_all(args.url, args.auth_url, args.user, args.password)
    text = json.dumps(result, indent=2, sort_keys=True) + '\n'
    if args.output:
        with open(args.output, 'w', encoding='utf-8') as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
