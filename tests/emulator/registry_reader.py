# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image sizes from a real registry (--registry URL): the twin's own small reader (it imports nothing from plugins/)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit


REGISTRY_TIMEOUT = 5.0
REGISTRY_PLATFORM = ('linux', 'amd64')  # the temporary instance that pulls the images is linux/amd64
MANIFEST_ACCEPT = ', '.join((
    'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'))
GIB = 1024 ** 3


def parse_registry_url(url: str) -> dict:
    """--registry value -> {'url': scheme://host:port, 'host': host:port (lower case), 'auth': (user, password) or None}.

    The URL may carry credentials (http://user:pass@127.0.0.1:5000): they are used when a request brings none
    for that registry. ValueError when it is not an http(s) URL with a host.
    """
    parts = urlsplit(url or '')
    if parts.scheme not in ('http', 'https') or not parts.hostname or parts.path not in ('', '/') or parts.query:
        raise ValueError(f'--registry takes a base URL like http://127.0.0.1:5000, got {url!r}')
    host = parts.hostname.lower() + (f':{parts.port}' if parts.port else '')
    if ':' in parts.hostname:
        host = f'[{parts.hostname}]' + (f':{parts.port}' if parts.port else '')
    auth = (parts.username, parts.password or '') if parts.username else None
    return {'url': f'{parts.scheme}://{host}', 'host': host, 'auth': auth}


def split_image(image: str) -> tuple[str, str, str]:
    """'127.0.0.1:5000/test/app:1.0' -> ('127.0.0.1:5000', 'test/app', '1.0'); Docker Hub images get 'docker.io'
    (the same host rule as network.registry_host: the first part is a registry when it has '.' or ':' or is localhost)."""
    name, _sep, digest = image.partition('@')
    tag = 'latest'
    last = name.rsplit('/', 1)[-1]
    if ':' in last:
        name, tag = name.rsplit(':', 1)
    first, sep, rest = name.partition('/')
    if sep and ('.' in first or ':' in first or first == 'localhost'):
        host, repository = first.lower(), rest
    else:
        host, repository = 'docker.io', name if '/' in name else 'library/' + name
    return host, repository, digest or tag


def registry_credentials(raw: dict) -> list:
    """ImageRegistryCredential.N.{Server,UserName,Password} of a request's flattened query -> list of dicts
    (the passwords stay in memory for this request only; nothing here is stored)."""
    found: dict = {}
    for key, value in (raw or {}).items():
        parts = key.split('.')
        if len(parts) == 3 and parts[0] == 'ImageRegistryCredential' and parts[1].isdigit():
            found.setdefault(int(parts[1]), {})[parts[2]] = value
    return [found[i] for i in sorted(found) if found[i].get('Server')]


def _registry_get(url: str, accept: str | None, auth: tuple | None) -> tuple[int, bytes, str]:
    """One GET; on a 401 with a Basic challenge and credentials, one retry with them. (status, body, content type)."""
    headers = {'Accept': accept} if accept else {}
    for attempt in (1, 2):
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=REGISTRY_TIMEOUT) as response:
                return response.status, response.read(16 * 1024 * 1024), response.headers.get('Content-Type', '')
        except urllib.error.HTTPError as error:
            challenge = (error.headers.get('WWW-Authenticate') or '').lower()
            if error.code == 401 and attempt == 1 and auth and challenge.startswith('basic'):
                headers['Authorization'] = 'Basic ' + base64.b64encode(f'{auth[0]}:{auth[1]}'.encode('utf-8')).decode('ascii')
                continue
            return error.code, b'', ''
    return 401, b'', ''


def registry_image_size(registry_url: str, image: str, credentials: list | None = None) -> float | None:
    """Compressed size (GiB, sum of the layer sizes of the linux/amd64 manifest) of an image on the --registry
    registry, read over HTTP; None when the image is not on that registry or cannot be read there.

    CHOICE: None (the caller falls back to the fixtures' image_sizes and then the deterministic default) both
    for images on other registries and for images the registry does not serve (unreachable, 401, 404, malformed):
    the twin's size model does not invent pull failures; the twin judges reachability elsewhere (network rules).
    """
    try:
        registry = parse_registry_url(registry_url)
        host, repository, reference = split_image(image)
    except ValueError:
        return None
    if host != registry['host']:
        return None
    auth = registry['auth']
    for cred in credentials or []:
        if str(cred.get('Server', '')).lower() == host:
            auth = (cred.get('UserName') or '', cred.get('Password') or '')
            break
    base = f'{registry["url"]}/v2/{repository}/manifests/'
    try:
        status, body, _type = _registry_get(base + reference, MANIFEST_ACCEPT, auth)
        if status != 200:
            return None
        document = json.loads(body)
        if 'manifests' in document:  # an index / manifest list: the linux/amd64 entry
            entry = next((m for m in document['manifests'] if (m.get('platform') or {}).get('os') == REGISTRY_PLATFORM[0]
                          and (m.get('platform') or {}).get('architecture') == REGISTRY_PLATFORM[1]), None)
            if entry is None:
                return None
            status, body, _type = _registry_get(base + entry['digest'], MANIFEST_ACCEPT, auth)
            if status != 200:
                return None
            document = json.loads(body)
        total = sum(int(layer['size']) for layer in document['layers'])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return round(total / GIB, 6)
