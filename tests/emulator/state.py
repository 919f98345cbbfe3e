# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's state: configuration, fixtures, image caches and their lazy lifecycle, tokens, nonces, log, faults."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import yaml

from . import profile as profiles
from .auth import NONCE_TTL

DEFAULT_ACCESS_KEY_ID = 'LTAI5tEmulatorAccessKey'
DEFAULT_ACCESS_KEY_SECRET = 'emulator-secret-not-for-production'
DEFAULT_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'default_fixtures.yml')
DEFAULT_REGION = 'cn-hangzhou'
DEFAULT_RESOURCE_GROUP_ID = 'rg-acfmdefault0001'
FAILED_RETENTION = 86400.0  # the cloud keeps failed caches about one day
PREPARING_SHARE = 0.2  # the first 20 % of ready_after is Preparing, the rest Creating/Updating

FAULT_KINDS = ('throttle', 'server_error', 'reset', 'reset_after_commit', 'delay')


def iso(stamp: float) -> str:
    """Epoch seconds to the cloud's ISO 8601 UTC form, e.g. 2026-11-23T10:00:00Z."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(stamp))


def new_id(prefix: str, length: int = 20) -> str:
    return prefix + secrets.token_hex(length // 2)


def normalize_image(image: str) -> str:
    """Docker's canonical form of a reference (profile echo_images: normalized): Docker Hub images get
    docker.io/ and, without a namespace, library/; a reference without tag or digest gets :latest.
    nginx:1.25 -> docker.io/library/nginx:1.25; registry.example.com/app -> registry.example.com/app:latest."""
    name, at, digest = image.partition('@')
    tag = ''
    if ':' in name.rsplit('/', 1)[-1]:
        name, tag = name.rsplit(':', 1)
    first, sep, rest = name.partition('/')
    if sep and ('.' in first or ':' in first or first == 'localhost'):
        if first.lower() in ('docker.io', 'index.docker.io', 'registry-1.docker.io'):
            name = 'docker.io/' + (rest if '/' in rest else 'library/' + rest)
    else:
        name = 'docker.io/' + (name if sep else 'library/' + name)
    if at:
        return f'{name}{":" + tag if tag else ""}@{digest}'
    return f'{name}:{tag or "latest"}'


def default_image_size(image: str) -> float:
    """Deterministic size (GiB) of an image without a fixture entry: 0.1 .. 1.0 from sha256 of the reference."""
    digest = hashlib.sha256(image.encode('utf-8')).digest()
    return round(0.1 + 0.9 * int.from_bytes(digest[:4], 'big') / 0xFFFFFFFF, 3)


@dataclass
class Config:
    """Run-time settings (the command-line flags)."""

    access_key_id: str = DEFAULT_ACCESS_KEY_ID
    access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET
    security_token: str | None = None
    ready_after: float = 3.0
    token_ttl: float | None = None  # --token-ttl: overrides the profile's token_ttl when given
    fixtures: str | None = None
    registry: str | None = None  # --registry: image sizes of images on this registry are read from it
    profile: object = None  # --profile: a built-in name, a YAML file or a mapping (profile.load); None = default


class FixtureError(ValueError):
    """The fixtures file is not in the expected format."""


def _items(data: dict, key: str, region: str, required: tuple = ()) -> list[dict]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise FixtureError(f'fixtures: {key} must be a list')
    result = []
    for item in items:
        if not isinstance(item, dict) or not item.get('id'):
            raise FixtureError(f'fixtures: every entry of {key} must be a mapping with an id')
        for name in required:
            if not item.get(name):
                raise FixtureError(f'fixtures: {key} entry {item["id"]} needs {name}')
        entry = dict(item)
        entry.setdefault('region', region)
        result.append(entry)
    return result


def load_fixtures(path: str | None, overrides: dict | None = None) -> dict:
    """Read and normalise a fixtures YAML file (the default one when path is None).

    overrides (from POST /_emulator/reset) replace whole top-level keys of the file.
    """
    with open(path or DEFAULT_FIXTURES, encoding='utf-8') as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict) or not isinstance(overrides or {}, dict):
        raise FixtureError('fixtures: the top level must be a mapping')
    data.update(overrides or {})
    region = str(data.get('region') or DEFAULT_REGION)
    sizes = data.get('image_sizes') or {}
    if not isinstance(sizes, dict):
        raise FixtureError('fixtures: image_sizes must be a mapping of image reference to GiB')
    caches = data.get('image_caches') or []
    if not isinstance(caches, list) or not all(isinstance(c, dict) and c.get('name') and c.get('images') for c in caches):
        raise FixtureError('fixtures: image_caches must be a list of mappings with name and images')
    fixtures = {
        'region': region,
        'default_resource_group_id': str(data.get('default_resource_group_id') or DEFAULT_RESOURCE_GROUP_ID),
        'vpcs': _items(data, 'vpcs', region),
        'vswitches': _items(data, 'vswitches', region, ('vpc_id', 'zone_id')),
        'security_groups': _items(data, 'security_groups', region, ('vpc_id',)),
        'nat_gateways': _items(data, 'nat_gateways', region, ('vpc_id',)),
        'eips': _items(data, 'eips', region),
        'image_sizes': {str(k): float(v) for k, v in sizes.items()},
        'image_caches': caches,
        # Registry hosts (host or host:port) inside the VPCs: reached without the internet (self-hosted registries).
        'private_registries': _registries(data),
    }
    _normalise_network(fixtures)
    return fixtures


def _registries(data: dict) -> list:
    registries = data.get('private_registries') or []
    if not isinstance(registries, list) or not all(isinstance(r, str) and r for r in registries):
        raise FixtureError('fixtures: private_registries must be a list of registry hosts (host or host:port)')
    return [r.lower() for r in registries]


def _tags_of(item: dict, key: str) -> dict:
    tags = item.get('tags') or {}
    if not isinstance(tags, dict):
        raise FixtureError(f'fixtures: {key} entry {item["id"]}: tags must be a mapping of key to value')
    return {str(k): '' if v is None else str(v) for k, v in tags.items()}


def _free_ips(cidr: str | None) -> int:
    """Free addresses of a new vSwitch: the block minus the 4 addresses Alibaba Cloud reserves (252 for a /24)."""
    try:
        return max(0, ipaddress.ip_network(cidr or '192.168.0.0/24', strict=False).num_addresses - 4)
    except ValueError as exc:
        raise FixtureError(f'fixtures: {cidr!r} is not a CIDR block') from exc


def _check_cidr(item: dict, key: str, name: str) -> None:
    if item.get(name):
        try:
            ipaddress.ip_network(str(item[name]), strict=False)
        except ValueError as exc:
            raise FixtureError(f'fixtures: {key} entry {item["id"]}: {name} {item[name]!r} is not a CIDR block') from exc


def _normalise_network(fixtures: dict) -> None:
    """Fill the defaults the VPC/ECS read actions and the CreateImageCache checks rely on.

    Every entry gets status, tags, resource group and creation time; vSwitches their free IP count (from the
    CIDR block when not given); security groups their type; NAT gateways their SNAT table id
    (`stb-` + the gateway id without `ngw-`, unless `snat_table_id` is given) and normalised SNAT entries;
    EIPs their status (InUse when bound to an instance, Available otherwise).
    """
    created = iso(time.time())
    group = fixtures['default_resource_group_id']
    for key in ('vpcs', 'vswitches', 'security_groups', 'nat_gateways', 'eips'):
        for item in fixtures[key]:
            item['id'] = str(item['id'])
            item['tags'] = _tags_of(item, key)
            item.setdefault('resource_group_id', group)
            item['creation_time'] = str(item.get('creation_time') or created)
            item.setdefault('name', '')
            item.setdefault('description', '')
    for vpc in fixtures['vpcs']:
        _check_cidr(vpc, 'vpcs', 'cidr_block')
        vpc.setdefault('status', 'Available')
    for vsw in fixtures['vswitches']:
        _check_cidr(vsw, 'vswitches', 'cidr_block')
        vsw.setdefault('status', 'Available')
        count = vsw.get('available_ip_address_count')
        vsw['available_ip_address_count'] = _free_ips(vsw.get('cidr_block')) if count is None else int(count)
    for sg in fixtures['security_groups']:
        sg.setdefault('type', 'normal')
        if sg['type'] not in ('normal', 'enterprise'):
            raise FixtureError(f'fixtures: security group {sg["id"]}: type must be normal or enterprise')
    for gateway in fixtures['nat_gateways']:
        _normalise_gateway(gateway, fixtures['vswitches'])
    for eip in fixtures['eips']:
        eip.setdefault('ip_address', '')
        eip['instance_type'] = str(eip.get('instance_type') or '')
        eip['instance_id'] = str(eip.get('instance_id') or '')
        eip.setdefault('status', 'InUse' if eip['instance_id'] else 'Available')


def _normalise_gateway(gateway: dict, vswitches: list) -> None:
    ident = gateway['id']
    gateway.setdefault('status', 'Available')
    gateway['snat_table_id'] = str(gateway.get('snat_table_id') or 'stb-' + (ident[4:] if ident.startswith('ngw-') else ident))
    entries = gateway.get('snat_entries') or []
    if not isinstance(entries, list):
        raise FixtureError(f'fixtures: NAT gateway {ident}: snat_entries must be a list')
    normalised = []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise FixtureError(f'fixtures: NAT gateway {ident}: every SNAT entry must be a mapping')
        entry = dict(entry)
        entry['id'] = str(entry.get('id') or f'snat-{gateway["snat_table_id"][4:]}-{index}')
        vsw_id = str(entry.get('source_vswitch_id') or '')
        cidr = str(entry.get('source_cidr') or '')
        if not cidr and vsw_id:
            # A vSwitch-granular entry covers the vSwitch's CIDR block (the cloud shows it as SourceCIDR).
            vsw = next((v for v in vswitches if v['id'] == vsw_id and v['region'] == gateway['region']), None)
            cidr = str((vsw or {}).get('cidr_block') or '')
        if not cidr and not vsw_id:
            raise FixtureError(f'fixtures: SNAT entry {entry["id"]} of {ident} needs source_vswitch_id or source_cidr')
        entry.update(source_vswitch_id=vsw_id, source_cidr=cidr, snat_ip=str(entry.get('snat_ip') or ''),
                     name=str(entry.get('name') or ''), status=str(entry.get('status') or 'Available'))
        _check_cidr(entry, 'snat_entries', 'source_cidr')
        normalised.append(entry)
    gateway['snat_entries'] = normalised


@dataclass
class Operation:
    """A create or update in progress; its outcome is fixed when it starts."""

    kind: str  # 'create' or 'update'
    start: float
    end: float
    ok: bool
    fail_progress: int
    snapshot_id: str


@dataclass
class ImageCache:  # pylint: disable=too-many-instance-attributes
    """One image cache as the service keeps it."""

    id: str
    name: str
    region: str
    images: list
    size: int
    created: float
    seq: int
    container_group_id: str
    resource_group_id: str
    retention_days: int | None = None
    elimination_strategy: str = ''
    tags: dict = field(default_factory=dict)
    flash: bool = False
    flash_snapshot_id: str = ''
    snapshot_id: str = ''
    status: str = 'Preparing'
    progress: str = '0%'
    failed_at: float | None = None
    events: list = field(default_factory=list)
    op: Operation | None = None
    settings: dict = field(default_factory=dict)  # accepted but never returned (network, registries, ...)
    system_tags: dict = field(default_factory=dict)  # profile system_tags: shown with the tags, never removable
    visible_at: float = 0.0  # profile visibility_lag: DescribeImageCaches shows the cache from then on
    stale: dict | None = None  # profile update_lag: the view shown until stale_until
    stale_until: float = 0.0

    @property
    def expire_at(self) -> float | None:
        # ExpireDateTime counts from the creation time, also after an update changed RetentionDays.
        return self.created + self.retention_days * 86400 if self.retention_days else None

    def event(self, at: float, kind: str, reason: str, message: str) -> None:
        self.events.append({'at': at, 'Type': kind, 'Reason': reason, 'Message': message})

    def begin(self, kind: str, now: float, duration: float, total_size: float, blocker: str | None = None,
              delay: float = 0.0) -> None:
        """Start a create/update: events are scheduled now and become visible when their time comes.

        blocker: why the temporary instance cannot pull the images (no route to the internet): the operation
        then fails with that message, whatever the size.
        delay: the profile's update_lag: the operation (and its events) starts that much later.
        """
        now = now + delay
        ok = blocker is None and total_size <= self.size
        fail_progress = 0 if ok or blocker else max(0, min(99, int(100 * self.size / total_size)))
        self.op = Operation(kind, now, now + duration, ok, fail_progress, new_id('s-'))
        if kind == 'create':
            self.event(now, 'Normal', 'Created', f'Image cache {self.id} created; temporary instance {self.container_group_id} is preparing.')
        else:
            self.event(now, 'Normal', 'Updating', f'Image cache {self.id} is being updated.')
        self.event(now + duration * PREPARING_SHARE, 'Normal', 'Pulling', f'Pulling images: {", ".join(self.images)}.')
        if ok:
            self.event(now + duration, 'Normal', 'Ready', f'Image cache {self.id} is ready (snapshot {self.op.snapshot_id}).')
        elif blocker:
            self.event(now + duration, 'Warning', 'Failed' if kind == 'create' else 'UpdateFailed', blocker)
        else:
            message = (f'The images ({total_size:g} GiB in total) are bigger than the image cache size ({self.size} GiB): '
                       'increase ImageCacheSize (at least twice the images\' size is recommended).')
            self.event(now + duration, 'Warning', 'Failed' if kind == 'create' else 'UpdateFailed', message)

    def settle(self, now: float) -> None:
        """Finish the operation whose time has come."""
        op = self.op
        if op is None or now < op.end:
            return
        self.op = None
        if op.ok:
            self.status, self.progress, self.snapshot_id = 'Ready', '100%', op.snapshot_id
        elif op.kind == 'create':
            self.status, self.progress, self.failed_at = 'Failed', f'{op.fail_progress}%', op.end
        else:
            self.status, self.progress = 'UpdateFailed', f'{op.fail_progress}%'

    def current(self, now: float) -> tuple[str, str]:
        """Status and Progress at time now (after settle)."""
        op = self.op
        if op is None:
            return self.status, self.progress
        if now < op.start:
            # Within update_lag: the cloud has accepted the update (so the cache is busy) but does not show it yet.
            return 'Updating', '0%'
        elapsed = now - op.start
        duration = op.end - op.start
        if op.kind == 'create' and elapsed < duration * PREPARING_SHARE:
            return 'Preparing', '0%'
        percent = max(1, min(99, int(100 * elapsed / duration))) if duration > 0 else 99
        if not op.ok:
            percent = min(percent, max(op.fail_progress, 1))
        return ('Creating' if op.kind == 'create' else 'Updating'), f'{percent}%'

    def gone(self, now: float) -> bool:
        """Expired (RetentionDays) or a failed cache past its day of grace."""
        if self.expire_at is not None and now >= self.expire_at:
            return True
        return self.status == 'Failed' and self.failed_at is not None and now >= self.failed_at + FAILED_RETENTION

    def shown(self, now: float, echo: str = 'verbatim') -> dict:
        """What DescribeImageCaches shows at time now: within update_lag the view from before the update."""
        if self.stale is not None and now < self.stale_until:
            return dict(self.stale)
        self.stale = None
        return self.view(now, echo)

    def view(self, now: float, echo: str = 'verbatim') -> dict:
        """The cache as DescribeImageCaches returns it (absent values are left out, as the cloud does).

        echo: the profile's echo_images (normalized: references in Docker's canonical form).
        """
        status, progress = self.current(now)
        body = {
            'ImageCacheId': self.id,
            'ImageCacheName': self.name,
            'Status': status,
            'Progress': progress,
            'Images': [normalize_image(i) for i in self.images] if echo == 'normalized' else list(self.images),
            'ImageCacheSize': self.size,
            'ContainerGroupId': self.container_group_id,
            'CreationTime': iso(self.created),
            'EliminationStrategy': self.elimination_strategy,
            'RegionId': self.region,
            'ResourceGroupId': self.resource_group_id,
            'Tags': [{'Key': k, 'Value': v} for k, v in dict(self.system_tags, **self.tags).items()],
            'Events': [{'Count': 1, 'FirstTimestamp': iso(e['at']), 'LastTimestamp': iso(e['at']), 'Message': e['Message'],
                        'Name': self.id, 'Reason': e['Reason'], 'Type': e['Type']} for e in self.events if e['at'] <= now],
        }
        if self.snapshot_id:
            body['SnapshotId'] = self.snapshot_id
        if self.flash_snapshot_id:
            body['FlashSnapshotId'] = self.flash_snapshot_id
        if self.expire_at is not None:
            body['ExpireDateTime'] = iso(self.expire_at)
        return body


class State:  # pylint: disable=too-many-instance-attributes
    """Everything the twin remembers; every access goes through self.lock."""

    def __init__(self, config: Config, clock=time.time):
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        # The behaviour switches (profile.py); kept across /_emulator/reset, changed by POST /_emulator/profile.
        self.profile = profiles.load(config.profile)
        if config.token_ttl is not None:
            self.profile['token_ttl'] = float(config.token_ttl)
        self.deleted: dict = {}  # profile delete_lag: id -> {'view': ..., 'until': ..., 'seq': ...}
        self.fixtures: dict = {}
        self.caches: dict[str, ImageCache] = {}
        self.seq = 0
        self.tokens: dict = {}
        self.nonces: dict = {}
        self.requests: list = []
        self.faults: list = []
        self.reset()

    # -- whole state ---------------------------------------------------------------------------
    def reset(self, overrides: dict | None = None) -> None:
        """Forget everything and reload the fixtures, with top-level keys replaced by overrides."""
        fixtures = load_fixtures(self.config.fixtures, overrides)
        with self.lock:
            self.fixtures = fixtures
            self.caches = {}
            self.deleted = {}
            self.seq = 0
            self.tokens = {}
            self.nonces = {}
            self.requests = []
            self.faults = []
            now = self.clock()
            for seed in fixtures['image_caches']:
                self._seed(seed, now)

    def _seed(self, seed: dict, now: float) -> None:
        cache = self.new_cache(
            name=str(seed['name']), region=str(seed.get('region') or self.fixtures['region']),
            images=[str(i) for i in seed['images']], size=int(seed.get('size', 20)), now=now,
            resource_group_id=seed.get('resource_group_id'), cache_id=seed.get('id'))
        cache.retention_days = seed.get('retention_days')
        cache.elimination_strategy = str(seed.get('elimination_strategy') or '')
        cache.tags = {str(k): '' if v is None else str(v) for k, v in (seed.get('tags') or {}).items()}
        cache.snapshot_id = str(seed.get('snapshot_id') or new_id('s-'))
        cache.event(now, 'Normal', 'Created', f'Image cache {cache.id} created.')
        if seed.get('status') == 'Failed':
            # A seeded failure, for tests of what modules do with a cache the cloud could not build.
            cache.status, cache.progress = 'Failed', '0%'
            cache.event(now, 'Warning', 'Failed', f'Image cache {cache.id} failed: seeded as Failed by the fixtures.')
        else:
            cache.status, cache.progress = 'Ready', '100%'
            cache.event(now, 'Normal', 'Ready', f'Image cache {cache.id} is ready (snapshot {cache.snapshot_id}).')

    # -- image caches ----------------------------------------------------------------------------
    def new_cache(self, name: str, region: str, images: list, size: int, now: float,
                  resource_group_id: str | None = None, cache_id: str | None = None) -> ImageCache:
        self.seq += 1
        cache = ImageCache(id=cache_id or new_id('imc-'), name=name, region=region, images=images, size=size, created=now,
                           seq=self.seq, container_group_id=new_id('eci-'),
                           resource_group_id=resource_group_id or self.fixtures['default_resource_group_id'])
        self.caches[cache.id] = cache
        return cache

    def image_size(self, image: str, credentials: list | None = None) -> float:
        """Size of an image in GiB: from the --registry registry when the image is on it and can be read there,
        otherwise from the fixtures' image_sizes, otherwise the deterministic default."""
        if self.config.registry:
            measured = registry_image_size(self.config.registry, image, credentials)
            if measured is not None:
                return measured
        sizes = self.fixtures['image_sizes']
        return sizes[image] if image in sizes else default_image_size(image)

    def total_size(self, images: list, credentials: list | None = None) -> float:
        """credentials: the request's ImageRegistryCredential.N (see registry_credentials) for images on --registry."""
        return round(sum(self.image_size(i, credentials) for i in images), 3)

    def settle(self, now: float) -> None:
        """Apply everything time has done since the last request (lifecycle, expiry)."""
        for cache in list(self.caches.values()):
            cache.settle(now)
            if cache.gone(now):
                del self.caches[cache.id]
        for ident, ghost in list(self.deleted.items()):
            if now >= ghost['until']:
                del self.deleted[ident]

    def set_profile(self, changes: dict) -> dict:
        """POST /_emulator/profile: validate a partial profile, apply it, return the whole profile."""
        values = profiles.validate(changes, 'POST /_emulator/profile')
        with self.lock:
            self.profile.update(values)
            return dict(self.profile)

    def forget(self, cache: ImageCache, now: float) -> None:
        """DeleteImageCache: the cache is gone, but stays listed for the profile's delete_lag."""
        del self.caches[cache.id]
        lag = self.profile['delete_lag']
        if lag > 0 and now >= cache.visible_at:
            shown = cache.shown(now, self.profile['echo_images'])
            if self.profile['extra_statuses']:
                shown['Status'] = self.profile['extra_statuses'][0]
            self.deleted[cache.id] = {'view': shown, 'until': now + lag, 'seq': cache.seq, 'region': cache.region}

    def listed(self, region: str, now: float) -> list:
        """(seq, view) of what DescribeImageCaches shows in a region: visible caches and caches within delete_lag."""
        echo = self.profile['echo_images']
        rows = [(c.seq, c.shown(now, echo)) for c in self.caches_in(region) if now >= c.visible_at]
        rows += [(g['seq'], dict(g['view'])) for g in self.deleted.values() if g['region'] == region]
        return sorted(rows, key=lambda row: row[0])

    def caches_in(self, region: str) -> list[ImageCache]:
        return sorted((c for c in self.caches.values() if c.region == region), key=lambda c: c.seq)

    # -- network fixtures --------------------------------------------------------------------------
    def network(self, kind: str, region: str, ident: str) -> dict | None:
        for item in self.fixtures[kind]:
            if item['id'] == ident and item['region'] == region:
                return item
        return None

    # -- nonces, tokens ----------------------------------------------------------------------------
    def use_nonce(self, access_key_id: str, nonce: str, now: float) -> bool:
        """Remember a signature nonce; False when it was seen within NONCE_TTL."""
        with self.lock:
            if len(self.nonces) > 10000:
                self.nonces = {k: v for k, v in self.nonces.items() if v > now}
            key = (access_key_id, nonce)
            if self.nonces.get(key, 0) > now:
                return False
            self.nonces[key] = now + NONCE_TTL
            return True

    def token_lookup(self, key: tuple, now: float) -> dict | None:
        entry = self.tokens.get(key)
        if entry is not None and entry['expires'] <= now:
            del self.tokens[key]
            return None
        return entry

    def token_record(self, key: tuple, fingerprint: tuple, body: dict, now: float) -> None:
        self.tokens[key] = {'fingerprint': fingerprint, 'body': body, 'expires': now + self.profile['token_ttl']}

    # -- faults and the request log -----------------------------------------------------------------
    def add_fault(self, action: str, kind: str, times: int, seconds: float) -> dict:
        with self.lock:
            fault = {'id': new_id('f-', 8), 'action': action, 'fault': kind, 'times': times, 'seconds': seconds}
            self.faults.append(fault)
            return dict(fault)

    def take_fault(self, action: str) -> dict | None:
        """The first pending fault for this action (or '*'), consuming one of its times."""
        with self.lock:
            for fault in self.faults:
                if fault['action'] in ('*', action):
                    fault['times'] -= 1
                    if fault['times'] <= 0:
                        self.faults.remove(fault)
                    return dict(fault)
            return None

    def log(self, entry: dict) -> None:
        with self.lock:
            self.requests.append(entry)


# -- image sizes from a real registry (--registry URL) -----------------------------------------------------
# The twin imports nothing from plugins/: this is its own small reader (anonymous or HTTP Basic, urllib).
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
