# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stale caches (issue 18): the digest record a cache carries, and whether its images' tags have moved since.

A cache holds the layers its image references pointed to when it was built; tags move. When eci_image_cache
creates or updates (rebuilds) a cache and can read every image from where it runs, it records the images'
manifest digests on the cache in the collection-reserved tag DIGESTS_TAG_KEY. Later runs read the digests again
and compare.

The record (the tag's value, at most 128 characters): ``v1:<platform>:sha256:<64 hex>``
- ``<platform>`` is the platform the digests were resolved for (os/architecture[/variant], e.g. linux/amd64);
- the hex is the sha256 of the UTF-8 text of one line per image, sorted, joined by "\\n" (no final newline);
  each line is ``<name>[:<tag>]@<digest>``: name is Docker's full name (docker.io/library/nginx), digest is the
  manifest digest the registry resolves for the platform (registry.RegistryClient.resolve); a reference pinned
  by digest gives its own digest.
So the record says whether the images resolve as they did, not which one moved (20 digests do not fit in 128
characters).

The tag counts in the cloud's 20 tags per cache (with the build record, settings.BUILD_TAG_KEY: at most 18 user
tags, tags.MAX_USER_TAGS), is never removed by purge_tags, is
ignored when tags are compared and is shown apart from the user's tags in diffs (tags.py, comparison.py).

When the record is written: with the CreateImageCache request (a tag of the create), and after an
UpdateImageCache request is accepted (TagResources) - both before the cloud has built the cache. So the record
says what the cache was asked to hold; only a built cache (status Ready, statuses.py) holds it.

Staleness: a cache that is not built (Preparing, Creating, Updating, Failed, UpdateFailed or any status the API does
not document) is unknown (None), whatever its record says: a failed build holds no image of the record, and a build
under way may still fail. Of a built cache: one whose images are all pinned by digest is never stale; otherwise it
is unknown (None) when it carries no readable record or an image cannot be read, stale (True) when the record
differs from the one the images resolve to now, and fresh (False) when it is the same.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import (
    DEFAULT_PLATFORM,
    format_platform,
    parse_platform,
    parse_reference,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import READY

# Not starting with aliyun or acs: (the cloud's rule for user tag keys), and named for the collection.
DIGESTS_TAG_KEY = "alibabacloud.eci/digests"
RECORD_VERSION = "v1"
RECORD_RE = re.compile(r"v1:([a-z0-9._-]+/[a-z0-9._-]+(?:/[a-z0-9._-]+)?):(sha256:[0-9a-f]{64})", re.ASCII)  # fullmatch
MAX_RECORD_LENGTH = 128
# The longest platform (as recorded: lower case, os/architecture[/variant]) a record can hold: 128 less "v1:", ":"
# and "sha256:<64 hex>".
MAX_PLATFORM_LENGTH = MAX_RECORD_LENGTH - len(RECORD_VERSION + "::sha256:") - 64
# The statuses of a cache that holds the images it was built with (the others: see "Staleness" above).
BUILT_STATUSES = (READY,)
REFRESH_CHOICES = ("never", "digest")
# The change named in `changes` when a stale cache is rebuilt, and for the record's tag calls.
REFRESH_CHANGE = "stale image digests"
RECORD_CHANGE = "record image digests"
UNRECORD_CHANGE = "remove image digest record"


def resolve_digests(images: Iterable[str], **options: Any) -> list[dict[str, Any]]:
    """registry.resolve_digests (the one read of digests), loading the registry code (HTTP, TLS, proxies) only now:
    a run that reads no registry never loads it. Parsing references and platforms (the record, validation) needs
    only image_reference.py."""
    from ansible_collections.alibabacloud.eci.plugins.module_utils import registry
    return registry.resolve_digests(images, **options)


def default_platform() -> str:
    return DEFAULT_PLATFORM


def normal_platform(platform: str | None) -> str:
    """A platform as records hold it (os/architecture[/variant], lower case); None: the default. ValueError if invalid."""
    return format_platform(parse_platform(platform or DEFAULT_PLATFORM))


def is_pinned(image: str) -> bool:
    return "@" in image


def is_built(status: str | None) -> bool:
    """Whether a cache of this status holds the images of its last create or update (its record can be judged)."""
    return status in BUILT_STATUSES


def platform_problem(platform: Any, option: str = "image_platform") -> str | None:
    """Why a platform is refused (a message naming the option), or None; None stands for the default platform.

    Checked before any call (image_cache_validation.validate_settings), so that a platform the digest record cannot hold is
    refused up front, not found out by make_record after the cache was changed."""
    if platform is None:
        return None
    if not isinstance(platform, str):
        return f"{option} must be a string os/architecture[/variant], got {platform!r}."
    try:
        text = normal_platform(platform)
    except ValueError as error:
        return f"{option}: {error}."
    if len(text) > MAX_PLATFORM_LENGTH:
        return (f"{option}: {platform!r} is {len(text)} characters long; at most {MAX_PLATFORM_LENGTH} are allowed, so that "
                f"the digest record (tag {DIGESTS_TAG_KEY}, at most {MAX_RECORD_LENGTH} characters) can hold it.")
    return None


def record_line(image: str, digest: str) -> str:
    """One line of the record: <name>[:<tag>]@<digest> (Docker's full name; a pinned reference's own digest)."""
    ref = parse_reference(image)
    return ref["name"] + (":" + ref["tag"] if ref["tag"] else "") + "@" + (ref["digest"] or digest)


def make_record(digests: dict[str, str], platform: str | None = None) -> str:
    """The record for {image: digest} resolved for platform; ValueError when it would not fit in a tag value (a platform
    longer than MAX_PLATFORM_LENGTH, which platform_problem refuses before any call)."""
    lines = sorted(record_line(image, digest) for image, digest in digests.items())
    text = "\n".join(lines).encode("utf-8")
    value = f"{RECORD_VERSION}:{normal_platform(platform)}:sha256:{hashlib.sha256(text).hexdigest()}"
    if len(value) > MAX_RECORD_LENGTH:
        raise ValueError(f"the platform {platform!r} is too long for the digest record")
    return value


def parse_record(value: Any) -> tuple[str, str] | None:
    """(platform, digest) of a record; None when the value is not a record of this format."""
    match = RECORD_RE.fullmatch(value or "") if isinstance(value, str) else None
    return (match.group(1), match.group(2)) if match else None


def recorded(tags: dict[str, str] | None) -> str | None:
    """The record a cache carries (its tags as a dict), or None."""
    return (tags or {}).get(DIGESTS_TAG_KEY)


def read_current(images: Iterable[str] | None, platform: str | None = None, known: dict[str, str] | None = None,
                 **reader_options: Any) -> dict[str, Any]:
    """Resolve the images' digests now. Returns a dict:

    images: the images; platform; digests: one dict per image (image, digest or None, pinned, and error
    {kind, message} when it could not be read); record: the record they make, or None when an image could not
    be read. known: {image: digest} already read in this run (the size preflight's), not read again.
    reader_options: registry.resolve_digests's (credentials, plain_http_registries, insecure_registries,
    connect_timeout, read_timeout, retries, max_seconds).
    """
    images = list(dict.fromkeys(images or []))
    platform = normal_platform(platform)
    known = dict(known or {})
    to_read = [image for image in images if image not in known and not is_pinned(image)]
    reports = dict((r["image"], r) for r in resolve_digests(to_read, platform=platform, **reader_options)) if to_read else {}
    reports.update((image, dict(image=image, digest=digest)) for image, digest in known.items())
    return current_from(images, platform, reports)


def current_from(images: list[str], platform: str, reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """read_current()'s result for images from reports ({image: resolve_digests report}; pinned images need none)."""
    digests = []
    for image in images:
        if is_pinned(image):
            try:
                digests.append(dict(image=image, digest=parse_reference(image)["digest"], pinned=True))
            except ValueError as error:
                digests.append(dict(image=image, digest=None, pinned=True, error=dict(kind="invalid", message=str(error))))
        elif "error" in reports[image]:
            error = reports[image]["error"]
            digests.append(dict(image=image, digest=None, pinned=False,
                                error=dict(kind=error["kind"], message=error["message"])))
        else:
            digests.append(dict(image=image, digest=reports[image]["digest"], pinned=False))
    record = None
    if images and all(entry["digest"] for entry in digests):
        record = make_record(dict((entry["image"], entry["digest"]) for entry in digests), platform)
    return dict(images=images, platform=platform, digests=digests, record=record)


def judge_caches(caches: list[dict[str, Any]], **reader_options: Any) -> list[tuple[bool | None, list[dict[str, Any]]]]:
    """(stale, digests) for each cache of a listing (eci_image_cache_info's check_stale), reading every image once.

    Only built caches (is_built) carrying a record are read, for the platform the record names (without a record,
    or before the cache is built, the answer is unknown whatever the registries say), except that a built cache
    whose images are all pinned is never stale. reader_options: as read_current's.
    """
    wanted = {}  # platform -> images to read
    for cache in caches:
        if not is_built(cache.get("status")):
            continue
        parsed = parse_record(recorded(cache.get("tags")))
        if parsed:
            wanted.setdefault(parsed[0], []).extend(i for i in cache.get("images") or [] if not is_pinned(i))
    reports = {}
    for platform, images in wanted.items():
        images = list(dict.fromkeys(images))
        reports[platform] = dict((r["image"], r) for r in resolve_digests(images, platform=platform, **reader_options))
    results = []
    for cache in caches:
        images = cache.get("images") or []
        parsed = parse_record(recorded(cache.get("tags")))
        if not is_built(cache.get("status")):
            results.append((None, []))
            continue
        if parsed:
            current = current_from(images, parsed[0], reports[parsed[0]])
        elif images and all(is_pinned(image) for image in images):
            current = current_from(images, default_platform(), {})
        else:
            results.append((None, []))
            continue
        results.append((judge(recorded(cache.get("tags")), current), current["digests"]))
    return results


def judge(found_record: str | None, current: dict[str, Any]) -> bool | None:
    """Whether a cache carrying found_record is stale against current (read_current's result): True, False or None."""
    if current["images"] and all(is_pinned(image) for image in current["images"]):
        return False  # pinned references never move
    if not parse_record(found_record) or current["record"] is None:
        return None
    return found_record != current["record"]


def decide_refresh(cache: dict[str, Any], current: dict[str, Any], refresh: str) -> dict[str, Any]:
    """The refresh decision for one existing cache (eci_image_cache and, per member, the fleet):

    cache: the cache as listed (its tags hold the record); current: read_current()'s result for its images;
    refresh: 'never' or 'digest'. Returns dict(stale=True/False/None as found, refresh=True when the cache must
    be rebuilt in place with UpdateImageCache (same settings), change=the name of that change, record_before=the
    record found). A cache that is not built (is_built) is unknown and never refreshed for its digests (an
    UpdateFailed cache is updated again anyway: the callers retry it).
    """
    found = recorded(cache.get("tags"))
    stale = judge(found, current) if is_built(cache.get("status")) else None
    return dict(stale=stale, refresh=refresh == "digest" and stale is True, change=REFRESH_CHANGE, record_before=found)


def record_tag_changes(cache_tags: dict[str, str] | None, current: dict[str, Any] | None, rebuilt: bool) -> tuple[dict[str, str], list[str]]:
    """(to_set, to_unset) of the reserved tag for a cache (cache_tags: its tags; None for a cache being created).

    Only a create or an update (rebuilt: true) writes the record: a create carries it as a tag of the
    CreateImageCache request (with_record), an update sets it once UpdateImageCache was accepted. Both are before the
    cache is built, so the record says what the cache was asked to hold; until the cache is Ready again (and if the
    build fails) its staleness is unknown (is_built, judge_caches, decide_refresh, stale_after). An update when an
    image could not be read removes the earlier record, which no longer describes the cache. Nothing changes
    otherwise.
    """
    if not rebuilt:
        return {}, []
    if current is not None and current["record"] is not None:
        if (cache_tags or {}).get(DIGESTS_TAG_KEY) == current["record"]:
            return {}, []
        return {DIGESTS_TAG_KEY: current["record"]}, []
    if cache_tags and DIGESTS_TAG_KEY in cache_tags:
        return {}, [DIGESTS_TAG_KEY]
    return {}, []


def stale_after(found_stale: bool | None, current: dict[str, Any] | None, rebuilt: bool, status: str | None = READY) -> bool | None:
    """What `stale` reports after a run: a rebuilt (created or updated) cache is fresh when the record was written.

    status: the cache's status as the run leaves it; a cache that is not built (still building, or failed) is unknown.
    """
    if not is_built(status):
        return None
    if not rebuilt:
        return found_stale
    if current is not None and current["images"] and all(is_pinned(image) for image in current["images"]):
        return False
    return False if current is not None and current["record"] is not None else None


def with_record(tags: dict[str, str] | None, current: dict[str, Any] | None) -> dict[str, str]:
    """The tags of a create: the user's tags (None: none) and the record when every image could be read."""
    tags = dict(tags or {})
    if current is not None and current["record"] is not None:
        tags[DIGESTS_TAG_KEY] = current["record"]
    return tags


def unrecorded_warning(cache: dict[str, Any], current: dict[str, Any] | None, refresh: str, rebuilt: bool) -> str | None:
    """The warning of eci_image_cache and of each cache of eci_image_caches when refresh: digest cannot tell whether
    an existing cache is stale for want of a digest record (the images were read, the cache was not rebuilt by this
    run, which would record them); None otherwise. cache: as listed; current: read_current()'s result or None."""
    if refresh != "digest" or rebuilt or current is None or current["record"] is None:
        return None
    found = recorded(cache.get("tags"))
    if found is not None or judge(found, current) is not None:
        return None  # a record (even an unreadable one) or images all pinned: not this case
    return (f"Image cache {cache['image_cache_id']} carries no record of its images' digests (tag {DIGESTS_TAG_KEY}): it was built before this collection "
            "recorded them, or by other tools, so refresh: digest cannot tell whether it is stale. force_update: true "
            "rebuilds it once and records the digests.")


def stale_reason(cache: dict[str, Any] | None, stale: bool | None, digests: list[dict[str, Any]] | None) -> str | None:
    """Why `stale` is null (the `stale_reason` next to it), from what the result holds; None when stale is known.

    cache: the cache as the result shows it (status, tags); digests: the result's image_digests. The reasons follow
    the order in which judge_caches, decide_refresh and stale_after give up (see "Staleness" above).
    """
    if stale is not None:
        return None
    if not cache:
        return "there is no cache"
    status = cache.get("status")
    if not is_built(status):
        return (f"the cache is {status or 'of unknown status'}, not {' or '.join(BUILT_STATUSES)}: until it is built it does "
                "not hold the images its record names (a failed build holds none), so it is not judged")
    unread = [entry for entry in digests or () if entry.get("error")]
    if unread:
        return "; ".join(f"{entry['image']} could not be read ({entry['error'].get('kind')}: {entry['error'].get('message')})"
                         for entry in unread)
    found = recorded(cache.get("tags"))
    if found is None:
        return (f"the cache carries no record of its images' digests (tag {DIGESTS_TAG_KEY}): it was built before this "
                "collection recorded them, or by other tools; eci_image_cache with force_update: true rebuilds it once "
                "and records them")
    if not parse_record(found):
        return f"the cache's tag {DIGESTS_TAG_KEY} is not a record this collection writes: {found[:MAX_RECORD_LENGTH]!r}"
    return "the images were not read (the run's time for registry reads was spent, or nothing asked for them)"
