# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The registry reads of a run: image sizes (the size preflight) and digests (stale caches).

eci_image_cache and every cache of eci_image_caches decide alike: the rules are size_plan's and image_digests';
this file applies them to a cache found (or none) and reads the registries through one RegistryReads per run, so
an image is read once whichever caches hold it. Nothing here calls Ansible: verdicts come back as data, and the
caller reports them (the module: fail_json and warn; a cache of a set: its failure and warnings).

The size preflight has two phases, because the module measures before it takes the host lock (a slow registry
must not hold other runs) and settles the size under the lock with the cache found there:
measure_sizes(...) then settle_size(...); check_sizes(...) does both at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import current_from, is_pinned, normal_platform, read_current
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import canonical_image
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MIN_SIZE_GIB
from ansible_collections.alibabacloud.eci.plugins.module_utils.size_plan import (
    auto_size,
    needs_measurement,
    not_measured_note,
    plan_sizes,
    size_verdict,
    unmeasured_verdict,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import FAILED

if TYPE_CHECKING:  # for the hints only: image_cache_fleet imports this file
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_fleet import Deadline


def _registry() -> Any:
    """registry.py, imported on first use: a run that reads no registry never loads it (its HTTP, TLS and proxy code)."""
    from ansible_collections.alibabacloud.eci.plugins.module_utils import registry
    return registry


def measure_images(images: Iterable[str], **options: Any) -> tuple[list[dict[str, Any]], int, list[str]]:
    """registry.measure_images (the one read of sizes), loading the registry code only now."""
    return _registry().measure_images(images, **options)


DEADLINE_SPENT = "image %s: not read, the task's deadline (wait_timeout) is spent"


class RegistryReads:
    """The registry reads of one run: each image is measured and resolved at most once per platform, credentials and
    registry options, whichever caches hold it. With a deadline (eci_image_caches: wait_timeout) all reads together
    stay within it; without one each image's read is bounded by read_timeout."""

    def __init__(self, timeouts: dict[str, float], deadline: Deadline | None = None, region: str | None = None) -> None:
        self.timeouts = timeouts
        self.deadline = deadline
        self.region = region  # where the caches are built (the size note names another region's VPC endpoint); None: not known
        self.measured = {}  # access -> {image: measure_images report}
        self.reports = {}   # access -> {image: resolve_digests-style report}
        self.said = set()   # the keys of the size check's warning lines given in this run (size_plan.unmeasured_verdict)

    def seconds_per_image(self, count: int) -> float:
        """max_seconds of a read of count images (a bound per image): the read timeout, or an equal share of what is
        left of the deadline when that is less; 0 once the deadline is spent."""
        seconds = float(self.timeouts["read_timeout"])
        if self.deadline is not None:
            seconds = min(seconds, self.deadline.remaining() / max(1, count))
        return seconds

    @staticmethod
    def access(platform: str | None, credentials: Iterable[dict[str, Any]] | None, plain_http_registries: Iterable[str] | None,
               insecure_registries: Iterable[str] | None) -> tuple[str, tuple[tuple[tuple[str, Any], ...], ...], tuple[str, ...], tuple[str, ...]]:
        """What a read depends on besides the image: (platform, credentials, plain http, insecure)."""
        try:
            platform = normal_platform(platform)
        except ValueError:
            pass  # every read of it fails as invalid, once
        return (platform, tuple(tuple(sorted((c or {}).items())) for c in credentials or []),
                tuple(plain_http_registries or ()), tuple(insecure_registries or ()))

    def _options(self, seconds: float) -> dict[str, Any]:
        # One retry at most: a preflight must not hold the task much longer than the registry takes to answer.
        return dict(connect_timeout=self.timeouts["connect_timeout"], read_timeout=self.timeouts["read_timeout"],
                    retries=1, max_seconds=seconds)

    def sizes(self, images: list[str], platform: str | None, credentials: Iterable[dict[str, Any]] | None,
              plain_http_registries: Iterable[str] | None, insecure_registries: Iterable[str] | None) -> list[dict[str, Any]]:
        """measure_images() reports for images, measuring only the images not measured before with the same access.
        Once the deadline is spent an image not measured yet gets an error report (its size is unknown)."""
        access = self.access(platform, credentials, plain_http_registries, insecure_registries)
        measured = self.measured.setdefault(access, {})
        to_read = [image for image in dict.fromkeys(images) if image not in measured]
        spent = {}
        if to_read:
            seconds = self.seconds_per_image(len(to_read))
            if seconds <= 0:
                spent = dict((image, dict(image=image, error=dict(kind="unreachable", reason="read_timeout", registry=None,
                                                                  message=DEADLINE_SPENT % image))) for image in to_read)
            else:
                reports, _total, _unmeasured = measure_images(
                    to_read, credentials=credentials, platform=platform, plain_http_registries=plain_http_registries,
                    insecure_registries=insecure_registries, **self._options(seconds))
                measured.update((report["image"], report) for report in reports)
                # A measured image's digest is the one a digest read would give: not read again.
                digests = self.reports.setdefault(access, {})
                for report in reports:
                    if report.get("digest"):
                        digests.setdefault(report["image"], dict(image=report["image"], digest=report["digest"]))
        return [measured.get(image) or spent[image] for image in images if image in measured or image in spent]

    def current(self, images: Iterable[str], platform: str | None, known: dict[str, str] | None,
                credentials: Iterable[dict[str, Any]] | None, plain_http_registries: Iterable[str] | None,
                insecure_registries: Iterable[str] | None) -> dict[str, Any] | None:
        """read_current()'s result for images, reading only the images not read before with the same access (known:
        {image: digest} read otherwise); None when some must be read and the deadline is spent (staleness unknown)."""
        images = list(dict.fromkeys(images))
        access = self.access(platform, credentials, plain_http_registries, insecure_registries)
        platform = access[0]
        reports = self.reports.setdefault(access, {})
        for image, digest in (known or {}).items():
            reports.setdefault(image, dict(image=image, digest=digest))
        to_read = [image for image in images if image not in reports and not is_pinned(image)]
        if to_read:
            seconds = self.seconds_per_image(len(to_read))
            if seconds <= 0:
                return None
            read = read_current(to_read, platform=platform, credentials=credentials,
                                plain_http_registries=plain_http_registries, insecure_registries=insecure_registries,
                                **self._options(seconds))
            reports.update((entry["image"], entry) for entry in read["digests"])
        return current_from(images, platform, reports)


def live_cache(cache: dict[str, Any] | None) -> dict[str, Any] | None:
    """The cache found, unless Failed: a Failed cache is replaced, so its images and size count for nothing."""
    return cache if cache is not None and cache["status"] != FAILED else None


def measure_sizes(reads: RegistryReads, params: dict[str, Any], cache: dict[str, Any] | None, size: int | None,
                  size_auto: bool) -> dict[str, Any] | None:
    """The size preflight's first phase: measure the images (the task's, else the cache's) when they or the size
    change (size_plan.needs_measurement). params: the task's (images, size_check, force_update, image_platform,
    image_registry_credentials, plain_http_registries, insecure_registries); size: the image_cache_size asked for.
    Returns dict(image_sizes, plan), or None when nothing is to be measured."""
    live = live_cache(cache)
    images = params["images"] or (live or {}).get("images") or []
    if not images:
        return None
    images_change = params["images"] is not None and live is not None and (
        set(map(canonical_image, params["images"])) != set(map(canonical_image, live.get("images") or [])))
    size_change = size is not None and live is not None and size != live.get("image_cache_size")
    if not needs_measurement(params["size_check"], size_auto, live is None, images_change, size_change,
                             params["force_update"]):
        return None
    reports = reads.sizes(images, params["image_platform"], params["image_registry_credentials"],
                          params["plain_http_registries"], params["insecure_registries"])
    return dict(image_sizes=reports, plan=plan_sizes(reports), said=reads.said, region=reads.region)


def settle_size(measured: dict[str, Any], params: dict[str, Any], cache: dict[str, Any] | None, size: int | None,
                size_auto: bool) -> dict[str, Any]:
    """The second phase: judge the measured images against the cache found. Returns a dict:

    measured: measure_sizes()'s dict. image_sizes: the reports; size_note: the line for images only a VPC reaches, and for
    those on another region's VPC endpoint, which the cache's VPC does not reach either (size_plan.not_measured_note; or
    None); image_cache_size: the size to ask for (auto's pick, else size unchanged); warnings: messages; failure: None, or dict(message, option) where
    option is "size_check" (a failing verdict) or "image_cache_size" (auto cannot pick a size allowed)."""
    plan = measured["plan"]
    live_size = (live_cache(cache) or {}).get("image_cache_size")
    # Images only a VPC reaches: one line in the result, not a warning on every run.
    outcome = dict(image_sizes=measured["image_sizes"], size_note=not_measured_note(plan, measured.get("region")), image_cache_size=size,
                   warnings=[], failure=None)
    verdict = unmeasured_verdict(plan, params["size_check"])
    if verdict["level"] == "fail":
        outcome["failure"] = dict(message=verdict["message"], option="size_check")
        return outcome
    # One line per unreachable registry (or unmeasured image) per run, however many caches hold its images.
    said = measured.get("said", set())
    for key, text in verdict["lines"]:
        if key not in said:
            said.add(key)
            outcome["warnings"].append(text)
    if size_auto:
        try:
            outcome["image_cache_size"] = auto_size(plan, live_size)
        except ValueError as error:
            outcome["failure"] = dict(message=str(error), option="image_cache_size")
            return outcome
    size = outcome["image_cache_size"] or live_size or MIN_SIZE_GIB
    verdict = size_verdict(size, plan, "warn" if size_auto and params["size_check"] == "skip" else params["size_check"])
    if verdict["level"] == "fail":
        outcome["failure"] = dict(message=verdict["message"], option="size_check")
    elif verdict["level"] == "warn":
        outcome["warnings"].append(verdict["message"])
    return outcome


def check_sizes(reads: RegistryReads, params: dict[str, Any], cache: dict[str, Any] | None, size: int | None,
                size_auto: bool) -> dict[str, Any] | None:
    """Both phases at once, for a caller that decides once: settle_size()'s dict, or None when nothing is measured."""
    measured = measure_sizes(reads, params, cache, size, size_auto)
    return None if measured is None else settle_size(measured, params, cache, size, size_auto)


def digest_images(params: dict[str, Any], cache: dict[str, Any] | None) -> list[str]:
    """The images whose digests are read: the task's, else those of the cache found (unless Failed)."""
    return params["images"] if params["images"] is not None else (live_cache(cache) or {}).get("images") or []


def read_digests(reads: RegistryReads, params: dict[str, Any], cache: dict[str, Any] | None) -> dict[str, Any] | None:
    """read_current()'s result for the images the cache is to hold (digest_images), reusing every earlier read of
    reads (a size read records the digest it saw: RegistryReads.sizes); None when there are no images, or when the
    deadline is spent before all could be read (staleness unknown)."""
    images = digest_images(params, cache)
    if not images:
        return None
    return reads.current(images, params["image_platform"], None, params["image_registry_credentials"],
                         params["plain_http_registries"], params["insecure_registries"])
