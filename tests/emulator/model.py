# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's model of an image cache: its settings, its lazy lifecycle (operations, events, status) and its API view."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field

FAILED_RETENTION = 86400.0  # the cloud keeps failed caches about one day
PREPARING_SHARE = 0.2  # the first 20 % of ready_after is Preparing, the rest Creating/Updating


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
    last_matched: float | None = None  # LastMatchedTime: only seeds set it (nothing here runs container groups)

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
        if self.last_matched is not None:
            body['LastMatchedTime'] = iso(self.last_matched)
        return body
