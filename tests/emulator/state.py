# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's store: everything it remembers (caches, fixtures, tokens, nonces, the request log, faults), behind one lock.

The parts it is built from live beside it: config.py, fixtures.py, model.py and registry_reader.py."""

from __future__ import annotations

import bisect
import functools
import threading
import time
from typing import Callable

from . import profile as profiles
from .auth import NONCE_TTL
from .config import Config
from .fixtures import load_fixtures, seed_times
from .model import ImageCache, default_image_size, new_id
from .registry_reader import registry_image_size

FAULT_KINDS = ('throttle', 'server_error', 'reset', 'reset_after_commit', 'delay', 'malformed_no_list', 'malformed_total', 'barrier')
# The faults that change a listing's answer instead of its delivery (server.py applies them to the JSON body).
ANSWER_FAULTS = ('malformed_no_list', 'malformed_total')


class Barrier:
    """A `barrier` fault (POST /_emulator/faults): its `size` requests each wait, after acting, until `size` of them
    have arrived, then all are answered together. `seconds` bounds the wait from the first arrival: then the held
    requests are answered anyway and the barrier is `timeout` (a test asserts `full` to know its race was real)."""

    def __init__(self, fault_id: str, action: str, size: int, seconds: float) -> None:
        self.id = fault_id
        self.action = action
        self.size = size
        self.seconds = seconds
        self.arrived = 0
        self.outcome: str | None = None  # full | timeout | cleared, once released
        self.deadline: float | None = None
        self.first_arrival: float | None = None
        self.waited: float | None = None  # seconds from the first arrival to the release
        self.cond = threading.Condition(threading.Lock())

    def wait(self) -> tuple[str, bool]:
        """One request arrives and waits for the others (or the bound); returns (outcome, whether the bound ran out now)."""
        with self.cond:
            self.arrived += 1
            if self.outcome is not None:
                return self.outcome, False  # took the fault just before a timeout or a clear released the rest
            if self.first_arrival is None:
                self.first_arrival = time.monotonic()
                self.deadline = self.first_arrival + self.seconds
            if self.arrived >= self.size:
                self._set('full')
                return self.outcome, False
            while self.outcome is None:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    self._set('timeout')
                    return self.outcome, True
                self.cond.wait(remaining)
            return self.outcome, False

    def _set(self, outcome: str) -> None:
        """Release every held request (self.cond held)."""
        self.outcome = outcome
        if self.first_arrival is not None:
            self.waited = round(time.monotonic() - self.first_arrival, 3)
        self.cond.notify_all()

    def release(self, outcome: str) -> None:
        with self.cond:
            if self.outcome is None:
                self._set(outcome)

    def view(self) -> dict:
        with self.cond:
            return {'id': self.id, 'action': self.action, 'size': self.size, 'seconds': self.seconds,
                    'arrived': self.arrived, 'outcome': self.outcome or 'waiting', 'timed_out': self.outcome == 'timeout',
                    'waited': self.waited}


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
        # The listing index (O(page) listings): per region the creation sequence numbers of what DescribeImageCaches
        # may show, in creation order (appended, never re-sorted), each seq's id, and how many entries are dead.
        self.order: dict[str, list[int]] = {}
        self.seq_ids: dict[int, str] = {}
        self.dead: dict[str, int] = {}
        self.recent: set[str] = set()  # caches that may still be within visibility_lag
        self.timed: set[str] = set()  # caches with something to settle (an operation, an expiry, a failure)
        self.seq = 0
        self.tokens: dict = {}
        self.nonces: dict = {}
        self.requests: list = []
        self.faults: list = []
        self.barriers: dict[str, Barrier] = {}  # barrier faults by id, kept (with their outcome) until a reset
        self.reset()

    # -- whole state ---------------------------------------------------------------------------
    def reset(self, overrides: dict | None = None) -> None:
        """Forget everything and reload the fixtures, with top-level keys replaced by overrides."""
        fixtures = load_fixtures(self.config.fixtures, overrides)
        with self.lock:
            self.release_barriers()
            self.barriers = {}
            self.fixtures = fixtures
            self.caches = {}
            self.deleted = {}
            self.order, self.seq_ids, self.dead, self.recent, self.timed = {}, {}, {}, set(), set()
            self.seq = 0
            self.tokens = {}
            self.nonces = {}
            self.requests = []
            self.faults = []
            now = self.clock()
            for seed in fixtures['image_caches']:
                self._seed(seed, now)

    def _seed(self, seed: dict, now: float) -> None:
        # creation_time / last_matched_time: for tests of idle caches (nothing in the twin matches caches to
        # container groups, so LastMatchedTime only ever comes from a seed).
        created, matched = seed_times(seed, now)
        now = created if created is not None else now
        cache = self.new_cache(
            name=str(seed['name']), region=str(seed.get('region') or self.fixtures['region']),
            images=[str(i) for i in seed['images']], size=int(seed.get('size', 20)), now=now,
            resource_group_id=seed.get('resource_group_id'), cache_id=seed.get('id'))
        cache.last_matched = matched
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
        self.order.setdefault(region, []).append(cache.seq)
        self.seq_ids[cache.seq] = cache.id
        self.recent.add(cache.id)
        self.timed.add(cache.id)
        return cache

    def watch(self, cache: ImageCache) -> None:
        """The cache has something for settle() to do (an update began, a retention was set)."""
        self.timed.add(cache.id)

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
        """Apply everything time has done since the last request (lifecycle, expiry).

        Only the caches in self.timed can change by themselves: a request costs what is in progress, not the region.
        """
        for ident in list(self.timed):
            cache = self.caches.get(ident)
            if cache is None:
                self.timed.discard(ident)
                continue
            cache.settle(now)
            if cache.gone(now):
                del self.caches[cache.id]
                self.timed.discard(ident)
                self._unlisted(cache.region)
            elif cache.op is None and cache.expire_at is None and cache.status != 'Failed':
                self.timed.discard(ident)
        for ident, ghost in list(self.deleted.items()):
            if now >= ghost['until']:
                del self.deleted[ident]
                self._unlisted(ghost['region'])

    def _unlisted(self, region: str) -> None:
        """One entry of the region's listing index is dead; rebuild the index when the dead outnumber the rest."""
        self.dead[region] = self.dead.get(region, 0) + 1
        order = self.order.get(region, [])
        if self.dead[region] * 2 > len(order):
            self.order[region] = [seq for seq in order if self._entry(seq, region) is not None]
            for seq in set(order) - set(self.order[region]):
                self.seq_ids.pop(seq, None)
            self.dead[region] = 0

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
        else:
            self._unlisted(cache.region)

    def _entry(self, seq: int, region: str) -> ImageCache | dict | None:
        """What the listing index's seq stands for: the cache, its ghost (within delete_lag), or None (dead)."""
        ident = self.seq_ids.get(seq)
        cache = self.caches.get(ident) if ident else None
        if cache is not None and cache.seq == seq and cache.region == region:
            return cache
        ghost = self.deleted.get(ident) if ident else None
        if ghost is not None and ghost['seq'] == seq and ghost['region'] == region:
            return ghost
        return None

    def _row(self, seq: int, region: str, now: float) -> tuple[int, Callable[[], dict]] | None:
        """(seq, show) of one index entry when DescribeImageCaches shows it now, else None."""
        entry = self._entry(seq, region)
        if isinstance(entry, ImageCache):
            if now < entry.visible_at:
                return None
            return seq, functools.partial(entry.shown, now, self.profile['echo_images'])
        if entry is not None:
            return seq, functools.partial(dict, entry['view'])
        return None

    def listed(self, region: str, now: float) -> list[tuple[int, Callable[[], dict]]]:
        """(seq, show) of what DescribeImageCaches shows in a region, in creation order: visible caches and caches
        within delete_lag. For filtered listings, which must look at every cache; show() builds the view."""
        rows = (self._row(seq, region, now) for seq in self.order.get(region, []))
        return [row for row in rows if row is not None]

    def listed_count(self, region: str, now: float) -> int:
        """How many rows listed() would give, without building them: O(caches still within visibility_lag)."""
        return len(self.order.get(region, [])) - self.dead.get(region, 0) - self._hidden(region, now)

    def _hidden(self, region: str, now: float) -> int:
        """How many caches of the region are still within visibility_lag (forgetting those no longer)."""
        for ident in [i for i in self.recent if i not in self.caches or self.caches[i].visible_at <= now]:
            self.recent.discard(ident)
        return sum(1 for i in self.recent if self.caches[i].region == region)

    def listed_page(self, region: str, now: float, limit: int, after: int | None = None,
                    skip: int = 0, newest_first: bool = False) -> tuple[list[tuple[int, Callable[[], dict]]], bool]:
        """One page of an unfiltered listing: (rows, more). Oldest first, the rows after seq `after`; newest first, the
        rows after the first `skip` (the offset a newest-first cloud pages by). O(page), except newest first while
        the index holds deleted or not yet visible caches: O(skip + page) then."""
        order = self.order.get(region, [])
        if newest_first:
            start = len(order) - 1
            if not self.dead.get(region) and not self._hidden(region, now):
                # Every entry is listed: the offset is a position (O(page)); otherwise entries are counted (O(skip)).
                start, skip = start - skip, 0
            positions = range(start, -1, -1)
        else:
            positions = range(bisect.bisect_right(order, after) if after is not None else 0, len(order))
        rows: list = []
        for position in positions:
            row = self._row(order[position], region, now)
            if row is None:
                continue
            if skip > 0:
                skip -= 1
                continue
            if len(rows) == limit:
                return rows, True
            rows.append(row)
        return rows, False

    def caches_in(self, region: str) -> list[ImageCache]:
        return [entry for entry in (self._entry(seq, region) for seq in self.order.get(region, []))
                if isinstance(entry, ImageCache)]

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
            if kind == 'barrier':
                self.barriers[fault['id']] = Barrier(fault['id'], action, times, seconds)
            return dict(fault)

    def clear_faults(self) -> int:
        """Forget the pending faults; requests held at a barrier are answered at once (outcome `cleared`)."""
        with self.lock:
            count = len(self.faults)
            self.faults = []
            self.release_barriers()
            return count

    def release_barriers(self) -> None:
        with self.lock:
            for barrier in self.barriers.values():
                barrier.release('cleared')

    def wait_at_barrier(self, fault_id: str) -> str:
        """Hold a request that took a barrier fault until the barrier is full or its bound ran out; returns the outcome.
        Called without self.lock held (the other requests must get in)."""
        with self.lock:
            barrier = self.barriers.get(fault_id)
        if barrier is None:
            return 'cleared'  # a reset forgot it meanwhile
        outcome, timed_out_now = barrier.wait()
        if timed_out_now:
            with self.lock:  # a timed-out barrier holds nothing more: its unused times are dropped
                self.faults = [fault for fault in self.faults if fault['id'] != fault_id]
        return outcome

    def barrier_views(self) -> list:
        with self.lock:
            barriers = list(self.barriers.values())
        return [barrier.view() for barrier in barriers]

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
