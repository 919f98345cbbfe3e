# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decisions about image caches that need no API: validation, comparison, client tokens, waiting.

Everything here is a pure function or takes its clock and poller as arguments,
so unit tests cover it without a cloud.
"""

from __future__ import annotations

import hashlib
import json
import re
import time

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError

MIN_SIZE_GIB = 20
MAX_SIZE_GIB = 32768
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 65536
MAX_IMAGES = 20
MAX_VSWITCHES = 10
MAX_CREDENTIALS = 10
MAX_TAGS = 20
MAX_TAG_LENGTH = 128
ELIMINATION_STRATEGIES = ("", "LRU")

UPDATABLE_STATES = ("Ready", "UpdateFailed")
TRANSITIONAL_STATES = ("Preparing", "Creating", "Updating")

# The reference grammar of the container distribution project (docker/distribution
# reference.go), anchored: [registry[:port]/]path[:tag][@digest].
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?"
IMAGE_REFERENCE = re.compile(
    r"^(?:%s/)?%s(?:/%s)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
    % (_DOMAIN, _COMPONENT, _COMPONENT))
REGISTRY_SERVER = re.compile(r"^%s$" % _DOMAIN)


class WaitError(AlibabaCloudError):
    """Waiting ended badly: a timeout, or the cache failed. Carries the last state seen."""

    def __init__(self, action, code, message, image_cache=None):
        super().__init__(action, code, message)
        self.image_cache = image_cache or {}

    def to_result(self):
        result = super().to_result()
        result["image_cache"] = self.image_cache
        return result


def tag_problem(key, value, option="tags"):
    """Why the cloud would refuse this tag, or None. Rules of TagResources."""
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_TAG_LENGTH:
        return "%s: tag keys must be 1 to %d characters, got %r." % (option, MAX_TAG_LENGTH, key)
    for what, text in (("key", key), ("value", value)):
        # The reference gives values the key's limits except that they may be empty.
        if text.lower().startswith("aliyun") or text.lower().startswith("acs:"):
            return "%s: tag %s %r must not start with 'aliyun' or 'acs:'." % (option, what, text)
        if "http://" in text or "https://" in text:
            return "%s: tag %s %r of key %r must not contain 'http://' or 'https://'." % (option, what, text, key)
    if len(value) > MAX_TAG_LENGTH:
        return "%s: the value of tag %r is longer than %d characters." % (option, key, MAX_TAG_LENGTH)
    return None


def normalize_desired_tags(tags):
    """User tags as {str: str}; None stays None (leave tags alone)."""
    if tags is None:
        return None
    return dict((str(key), "" if value is None else str(value)) for key, value in tags.items())


def validate_tags(tags, option="tags"):
    problems = []
    if tags is None:
        return problems
    if len(tags) > MAX_TAGS:
        problems.append("%s: at most %d tags are allowed, got %d." % (option, MAX_TAGS, len(tags)))
    for key, value in tags.items():
        problem = tag_problem(key, value, option)
        if problem:
            problems.append(problem)
    return problems


def validate_image(image, option="images"):
    if not isinstance(image, str) or not image.strip():
        return "%s: image references must not be empty." % option
    if "://" in image:
        return "%s: %r has a URL scheme; give a reference like registry.example.com/ns/app:1.0." % (option, image)
    if not IMAGE_REFERENCE.match(image) or len(image) > 1024:
        return ("%s: %r is not a valid image reference ([registry[:port]/]repository[:tag][@digest], "
                "lower-case repository)." % (option, image))
    return None


def validate_settings(params, creating_possible):
    """Every rule the API enforces, checked before any call. Returns a list of messages."""
    problems = []
    images = params.get("images")
    if images is not None:
        if not images:
            problems.append("images: give at least one image.")
        if len(images) > MAX_IMAGES:
            problems.append("images: at most %d images are allowed, got %d." % (MAX_IMAGES, len(images)))
        problems.extend(filter(None, (validate_image(image) for image in images)))
        duplicates = sorted(set(image for image in images if images.count(image) > 1))
        if duplicates:
            problems.append("images: %s listed more than once." % ", ".join(duplicates))
    size = params.get("image_cache_size")
    if size is not None and not MIN_SIZE_GIB <= size <= MAX_SIZE_GIB:
        problems.append("image_cache_size must be %d to %d (GiB), got %d." % (MIN_SIZE_GIB, MAX_SIZE_GIB, size))
    days = params.get("retention_days")
    if days is not None and not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        problems.append("retention_days must be %d to %d, got %d." % (MIN_RETENTION_DAYS, MAX_RETENTION_DAYS, days))
    vswitches = params.get("vswitch_ids")
    if vswitches is not None:
        if not 1 <= len(vswitches) <= MAX_VSWITCHES:
            problems.append("vswitch_ids: give 1 to %d vSwitch ids, got %d." % (MAX_VSWITCHES, len(vswitches)))
        if any(not v or not v.strip() or "," in v for v in vswitches):
            problems.append("vswitch_ids: ids must be non-empty and must not contain commas.")
    for option in ("flash_copy_count", "standard_copy_count"):
        if params.get(option) is not None and params[option] < 0:
            problems.append("%s must be 0 or more, got %d." % (option, params[option]))
    credentials = params.get("image_registry_credentials")
    if credentials is not None:
        if len(credentials) > MAX_CREDENTIALS:
            problems.append("image_registry_credentials: at most %d are allowed, got %d." % (MAX_CREDENTIALS, len(credentials)))
        for credential in credentials:
            server = credential.get("server") or ""
            if "://" in server or not REGISTRY_SERVER.match(server):
                problems.append("image_registry_credentials: server %r must be a registry host[:port] without a scheme "
                                "or path." % server)
    for option in ("insecure_registries", "plain_http_registries"):
        for registry in params.get(option) or []:
            if "://" in registry or not REGISTRY_SERVER.match(registry or ""):
                problems.append("%s: %r must be a registry host[:port] without a scheme or path." % (option, registry))
    for info in params.get("acr_registry_info") or []:
        if not (info.get("instance_id") or "").strip():
            problems.append("acr_registry_info: every entry needs instance_id.")
    problems.extend(validate_tags(params.get("tags")))
    if creating_possible:
        needed = ("name", "images", "security_group_id", "vswitch_ids")
        missing = [option for option in needed if not params.get(option)]
        if missing:
            problems.append("Creating an image cache needs %s (missing: %s)." % (", ".join(needed), ", ".join(missing)))
    return problems


def tag_changes(current, desired, purge_tags):
    """(to_set, to_unset) from current and desired tag dicts; desired None leaves tags alone."""
    if desired is None:
        return {}, []
    to_set = dict((key, value) for key, value in desired.items() if current.get(key) != value)
    to_unset = sorted(key for key in current if key not in desired) if purge_tags else []
    return to_set, to_unset


def desired_view(params):
    """The compared settings as the API would show them; None where the user left a setting alone."""
    return dict(
        image_cache_name=params.get("name"),
        images=params.get("images"),
        image_cache_size=params.get("image_cache_size"),
        elimination_strategy=params.get("elimination_strategy"),
        resource_group_id=params.get("resource_group_id"),
    )


def compare(current, params):
    """Names of the compared settings that differ; images compare as sets."""
    differences = []
    for key, wanted in desired_view(params).items():
        if wanted is None:
            continue
        have = current.get(key)
        if key == "images":
            if set(wanted) != set(have or []):
                differences.append(key)
        elif key == "elimination_strategy":
            if (have or "") != wanted:
                differences.append(key)
        elif have != wanted:
            differences.append(key)
    return differences


def predict(current, params, region):
    """The cache as DescribeImageCaches would show it after this run (for check mode and diffs)."""
    after = dict(current) if current else dict(
        image_cache_id=None, image_cache_name=params.get("name"), images=[], image_cache_size=MIN_SIZE_GIB,
        elimination_strategy="", resource_group_id=None, tags={}, region_id=region, status="Preparing")
    for key, wanted in desired_view(params).items():
        if wanted is not None:
            after[key] = list(wanted) if key == "images" else wanted
    desired_tags = normalize_desired_tags(params.get("tags"))
    if desired_tags is not None:
        to_set, to_unset = tag_changes(after.get("tags") or {}, desired_tags, params.get("purge_tags", True))
        tags = dict((k, v) for k, v in (after.get("tags") or {}).items() if k not in to_unset)
        tags.update(to_set)
        after["tags"] = tags
    if params.get("wait"):
        after["status"] = "Ready"
        after["progress"] = "100%"
    return after


def diff_view(cache):
    """What --diff shows of a cache: the settings, not the moving parts (progress, events)."""
    if not cache:
        return {}
    keys = ("image_cache_id", "image_cache_name", "image_cache_size", "elimination_strategy", "resource_group_id", "status", "tags")
    view = dict((key, cache.get(key)) for key in keys)
    view["images"] = sorted(cache.get("images") or [])
    return view


def creation_material(region, params):
    """What identifies a create request: region, name and every setting, minus secrets.

    Registry passwords are left out on purpose: the token is sent to the cloud
    and may be logged, and a hash of a short password can be brute-forced.
    """
    credentials = [dict(server=c.get("server"), username=c.get("username"))
                   for c in params.get("image_registry_credentials") or []]
    material = dict((key, params.get(key)) for key in (
        "name", "image_cache_size", "retention_days", "security_group_id", "zone_id", "eip_instance_id",
        "resource_group_id", "auto_match_image_cache", "flash", "flash_copy_count", "standard_copy_count",
        "elimination_strategy", "acr_registry_info"))
    material.update(
        region=region,
        images=sorted(params.get("images") or []),
        vswitch_ids=list(params.get("vswitch_ids") or []),
        insecure_registries=sorted(params.get("insecure_registries") or []),
        plain_http_registries=sorted(params.get("plain_http_registries") or []),
        image_registry_credentials=sorted(credentials, key=lambda c: (c["server"] or "", c["username"] or "")),
        tags=sorted((normalize_desired_tags(params.get("tags")) or {}).items()),
    )
    return material


def create_client_token(region, params, superseded_ids=()):
    """A ClientToken for CreateImageCache, the same for the same cache wherever and whenever it is asked for.

    The same region, name and settings give the same token, so a retried request
    and two runs racing to create the same cache make one cache. The ids of caches
    this token chain already made and that have since been deleted are folded in
    (superseded_ids): when the cloud answers a token with a cache that no longer
    exists, the module extends the chain with that id and asks again, so a cache
    deleted and created again with the same settings is really created again,
    and racing runs still agree on the next token.
    """
    text = json.dumps(creation_material(region, params), sort_keys=True, separators=(",", ":"))
    for cache_id in superseded_ids:
        text += "\n" + cache_id
    return "ansible-eci-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


class Waiter:
    """Polls until a condition holds or wait_timeout seconds of wall time pass.

    The first pause is short and each next one grows by `factor` up to `max_delay`;
    no pause ends after the deadline: the last poll happens at the deadline.
    """

    def __init__(self, timeout, first_delay=1.0, factor=1.5, max_delay=15.0, sleep=time.sleep, clock=time.monotonic):
        self.timeout = float(timeout)
        self.first_delay = first_delay
        self.factor = factor
        self.max_delay = max_delay
        self._sleep = sleep
        self._clock = clock
        self.polls = 0

    def schedule(self):
        """The pauses between polls, for as long as the deadline allows (used by tests and docs)."""
        pauses, spent, delay = [], 0.0, self.first_delay
        while spent < self.timeout:
            pause = min(delay, self.timeout - spent)
            pauses.append(pause)
            spent += pause
            delay = min(delay * self.factor, self.max_delay)
        return pauses

    def until(self, poll, done, last=None, sleep_first=False):
        """Call poll() until done(result) is true; returns (True, result) or (False, last result) at the deadline.

        last: a result already in hand (checked first, so no poll repeats a read just made);
        sleep_first: pause before the first poll (after a change the cloud has only just accepted).
        """
        deadline = self._clock() + self.timeout
        delay = self.first_delay
        result = last
        if last is not None and done(last):
            return True, last
        waited_for = last is not None or sleep_first
        polled = last is not None
        while True:
            if waited_for:
                remaining = deadline - self._clock()
                if remaining <= 0 and polled:
                    return False, result
                # At least one poll, even when the deadline has passed during a sleep_first.
                self._sleep(max(0.0, min(delay, remaining)))
                delay = min(delay * self.factor, self.max_delay)
            result = poll()
            self.polls += 1
            polled = waited_for = True
            if done(result):
                return True, result


def describe_events(cache):
    """The cache's events as one readable line each (Reason: Message)."""
    lines = []
    for event in (cache or {}).get("events") or []:
        lines.append("%s: %s" % (event.get("reason") or event.get("type") or "Event", event.get("message") or ""))
    return "; ".join(lines) or "no events"
