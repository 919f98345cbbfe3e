# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Caches in use: which Ready cache holds a set of images (lookup image_cache_id), and how long a cache has sat idle
(eci_image_cache_info's idle_days). Pure decisions over normalised caches, plus the one listing they need."""

from __future__ import annotations

from typing import Any, Iterable

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import Connection
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import canonical_image
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import READY

SECONDS_PER_DAY = 86400


def idle_days(cache: dict[str, Any], now: float) -> int | None:
    """Whole days since the cache was last matched to a container group (LastMatchedTime), or since its creation
    when it never was; None when neither time can be read. A time in the future counts as 0 days."""
    moment = eci.epoch_of(cache.get("last_matched_time") or None) or eci.epoch_of(cache.get("creation_time") or None)
    if moment is None:
        return None
    return max(0, int((now - moment) // SECONDS_PER_DAY))


def with_idle_days(caches: Iterable[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    return [dict(cache, idle_days=idle_days(cache, now)) for cache in caches]


def idle_for(caches: Iterable[dict[str, Any]], days: int) -> list[dict[str, Any]]:
    """The caches (with idle_days) idle for at least `days` days; a cache whose idle time is unknown is never idle."""
    return [cache for cache in caches if cache.get("idle_days") is not None and cache["idle_days"] >= days]


def _canonical_set(images: Iterable[str]) -> set[str]:
    return {canonical_image(image) for image in images}


def choose_cache(caches: Iterable[dict[str, Any]], images: Iterable[str]) -> dict[str, Any] | None:
    """The Ready cache that holds every image (compared in Docker's canonical form), with the fewest other images,
    the newest on a tie (then the smallest id, so the answer is the same on every run); None when no cache does."""
    wanted = _canonical_set(images)
    candidates = []
    for cache in caches:
        if cache.get("status") != READY:
            continue
        held = _canonical_set(cache.get("images") or [])
        if wanted <= held:
            created = eci.epoch_of(cache.get("creation_time")) or 0.0
            candidates.append((len(held - wanted), -created, cache.get("image_cache_id") or "", cache))
    if not candidates:
        return None
    return min(candidates, key=lambda row: row[:3])[3]


def find_cache_for_images(connection: Connection, images: list[str]) -> dict[str, Any] | None:
    """The cache choose_cache picks among every cache of the region (one DescribeImageCaches listing, every page).

    The cloud's own matching (MatchImage with ImageFullMatch) is not asked: it matches image layers, and how it
    compares references is not documented; a cloud that compares them verbatim (the twin's default profile) leaves
    out a cache that holds docker.io/library/nginx:1.25 when nginx:1.25 is asked, which may be the cache with the
    fewest other images, so its answer cannot decide the choice and a second listing would be needed anyway.
    Raises AlibabaCloudError (the listing's failure).
    """
    return choose_cache(eci.describe_image_caches(connection), images)


def measure_needs(caches: Iterable[dict[str, Any]], timeouts: dict[str, float], credentials: list[dict[str, Any]] | None,
                  plain_http_registries: list[str] | None, insecure_registries: list[str] | None) -> list[dict[str, Any]]:
    """The caches with what their images need, measured in their registries (the size preflight's reads, each image
    once): images_size_gib (the images' sum) and needed_size_gib (the size the collection's rule asks for: twice the
    images, at least the API's minimum); both None when an image of the cache could not be measured from here."""
    # Imported here: a listing that measures nothing never loads the registry code.
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reads import RegistryReads
    from ansible_collections.alibabacloud.eci.plugins.module_utils.size_plan import GIB, plan_sizes, required_cache_size_gib

    reads = RegistryReads(timeouts)
    result = []
    for cache in caches:
        images = list(cache.get("images") or [])
        plan = plan_sizes(reads.sizes(images, None, credentials, plain_http_registries, insecure_registries)) if images else None
        complete = plan is not None and not plan["failed"] and not plan["not_measured_here"] and len(plan["measured"]) == len(images)
        size_gib, needed = None, None
        if complete:
            size_gib = round(plan["total_bytes"] / float(GIB), 3)
            try:
                needed = required_cache_size_gib(plan["total_bytes"])
            except ValueError:
                needed = None
        result.append(dict(cache, images_size_gib=size_gib, needed_size_gib=needed))
    return result


def with_held_by(caches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each cache with held_by: the ids of the other Ready caches of the list that hold every one of its images
    (compared in canonical form), in list order; empty for a cache without images. An index of image -> caches keeps
    it near linear for listings whose caches share few images."""
    held = [_canonical_set(cache.get("images") or []) for cache in caches]
    holders: dict[str, set[int]] = {}
    for index, cache in enumerate(caches):
        if cache.get("status") == READY:
            for image in held[index]:
                holders.setdefault(image, set()).add(index)
    result = []
    for index, cache in enumerate(caches):
        others: set[int] = set()
        if held[index]:
            others = set.intersection(*(holders.get(image, set()) for image in held[index])) - {index}
        result.append(dict(cache, held_by=[caches[other].get("image_cache_id") for other in sorted(others)]))
    return result
