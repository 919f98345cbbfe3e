# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's store: everything it remembers (caches, fixtures, tokens, nonces, the request log, faults), behind one lock.

The parts it is built from live beside it: config.py, fixtures.py, model.py and registry_reader.py."""

from __future__ import annotations

import functools
import threading
import time
from typing import Callable

from . import profile as profiles
from .auth import NONCE_TTL
from .config import Config
from .fixtures import load_fixtures
from .model import ImageCache, default_image_size, new_id
from .registry_reader import registry_image_size

FAULT_KINDS = ('throttle', 'server_error', 'reset', 'reset_after_commit', 'delay')


class State:  # pylint: disable=too-many-instance-attributes
    """Everything the twin remembers; every access goes through self.lock."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.time) -> None:
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

    def listed(self, region: str, now: float) -> list[tuple[int, Callable[[], dict]]]:
        """(seq, show) of what DescribeImageCaches shows in a region: visible caches and caches within delete_lag.

        show() builds the view: a page without filters needs only its own views, and building every view for every
        page made listing 10000 caches quadratic.
        """
        echo = self.profile['echo_images']
        rows = [(c.seq, functools.partial(c.shown, now, echo)) for c in self.caches_in(region) if now >= c.visible_at]
        rows += [(g['seq'], functools.partial(dict, g['view'])) for g in self.deleted.values() if g['region'] == region]
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
