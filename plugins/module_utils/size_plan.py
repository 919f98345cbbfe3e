# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The image size preflight's judgement, as pure functions over registry.measure_images() reports.

The rule the docs state: a cache of at least twice its images. The size of an image is its
uncompressed size where the registry states it, else its compressed size (the sum of its layers),
and every message says which was used. The module calls, in this order:

1. needs_measurement(...)      - whether to measure at all (only when images or size change).
2. registry.measure_images(...) - where the module runs, before it takes the host lock.
3. plan_sizes(reports)          - totals, the size basis, and which images were not measured and why.
4. unmeasured_verdict(plan, size_check), size_verdict(size_gib, plan, size_check) and
   not_measured_note(plan, region) - what to say, and whether to fail or warn.
5. auto_size(plan, live_size)   - the size image_cache_size auto sets (never smaller than the live cache).

Nothing here does I/O, so every rule is unit-tested directly.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any, Iterable, Sized

from ansible_collections.alibabacloud.eci.plugins.module_utils.egress import acr_vpc_region, other_region_images
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import registry_host
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_SIZE_GIB, MIN_SIZE_GIB

GIB = 1024 ** 3

_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(net) for net in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))


def required_cache_size_gib(total_bytes: float) -> int:
    """The smallest image cache size (GiB) allowed for images of total_bytes: at least twice their size,
    rounded up to whole GiB, at least 20. ValueError when that is more than 32768 GiB or total_bytes < 0."""
    if isinstance(total_bytes, bool) or not isinstance(total_bytes, (int, float)) or total_bytes < 0:
        raise ValueError(f"total image size must be a number of bytes >= 0, got {total_bytes!r}")
    if isinstance(total_bytes, float):
        needed = int(math.ceil(2 * total_bytes / float(GIB)))
    else:
        needed = -(-2 * total_bytes // GIB)  # exact ceiling for integers of any size
    size = max(MIN_SIZE_GIB, needed)
    if size > MAX_SIZE_GIB:
        raise ValueError(f"the images need an image cache of at least {size} GiB (twice their {int(total_bytes)} bytes), more than "
                         f"the maximum {MAX_SIZE_GIB} GiB")
    return size


def _plural(items: Sized, one: str, many: str) -> str:
    return one if len(items) == 1 else many


def vpc_only_registry(registry: str | None) -> bool:
    """Whether a registry (host[:port]) is typically reachable only from inside a VPC: an ACR VPC endpoint,
    or a private address (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)."""
    value = (registry or "").strip().lower()
    if acr_vpc_region(value):  # registry-vpc.<region>.aliyuncs.com, <instance>-registry-vpc.<region>.cr.aliyuncs.com
        return True
    host = value[1:].split("]", 1)[0] if value.startswith("[") else (value.split(":", 1)[0] if value.count(":") == 1 else value)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address.version == net.version and address in net for net in _PRIVATE_NETWORKS)


def needs_measurement(size_check: str, size_auto: bool, creating: bool, images_change: bool, size_change: bool,
                      force_update: bool = False) -> bool:
    """Whether the preflight measures: for image_cache_size auto always (it needs the sizes), else not with
    size_check skip, and otherwise only for a create or an update that changes the images or the size (a
    rename, tags, elimination strategy or retention never change what the cache must hold). force_update
    re-sends the settings, but the content does not change: no measurement either."""
    if size_auto:
        return True
    if size_check == "skip":
        return False
    return bool(creating or images_change or size_change)


def plan_sizes(reports: Iterable[dict[str, Any]] | None) -> dict[str, Any]:
    """Judge measure_images() reports. Returns a dict:

    total_bytes: the sum of the measured images' sizes (uncompressed where stated, else compressed);
    basis: "uncompressed", "compressed" or "mixed" (None when nothing was measured);
    measured: [{"image", "bytes", "basis"}] in order;
    not_measured_here: images whose registry cannot be reached from where the module runs (an ACR VPC
    endpoint or a private address that was unreachable): the cloud builds the cache inside the VPC;
    failed: [{"image", "message", "kind", "registry"}] the images that could not be measured for another reason.
    """
    measured, not_here, failed = [], [], []
    for report in reports or []:
        error = report.get("error")
        if error:
            registry = error.get("registry") or report.get("registry") or registry_host(report["image"])
            if error.get("kind") == "unreachable" and vpc_only_registry(registry):
                not_here.append(report["image"])
            else:
                failed.append(dict(image=report["image"], kind=error.get("kind"), message=error.get("message"),
                                   registry=error.get("registry")))
            continue
        uncompressed = report.get("uncompressed_size")
        if isinstance(uncompressed, int) and not isinstance(uncompressed, bool) and uncompressed >= 0:
            measured.append(dict(image=report["image"], bytes=uncompressed, basis="uncompressed"))
        else:
            measured.append(dict(image=report["image"], bytes=int(report.get("compressed_size") or 0), basis="compressed"))
    bases = set(entry["basis"] for entry in measured)
    basis = None if not bases else bases.pop() if len(bases) == 1 else "mixed"
    return dict(total_bytes=sum(entry["bytes"] for entry in measured), basis=basis, measured=measured,
                not_measured_here=not_here, failed=failed)


def describe_basis(basis: str | None) -> str:
    """The words that say which size the rule used."""
    return {
        "uncompressed": "uncompressed, as the registries state it",
        "compressed": "compressed: the registries state no uncompressed size",
        "mixed": "uncompressed where the registry states it, else compressed",
    }.get(basis, "nothing measured")


def size_verdict(size_gib: int, plan: dict[str, Any], size_check: str) -> dict[str, Any]:
    """Whether a cache of size_gib holds the measured images by the rule (at least twice their size).

    Returns {"level": "ok" | "warn" | "fail", "message": str or None, "required_gib": int or None}.
    "fail" only with size_check fail; size_check warn gives "warn"; skip gives "ok". required_gib is the
    smallest allowed size by the rule (None when nothing was measured, or more than the maximum).
    """
    total = plan["total_bytes"]
    if not plan["measured"] or size_check == "skip":
        return dict(level="ok", message=None, required_gib=None)
    try:
        required = required_cache_size_gib(total)
    except ValueError:
        required = None
    if size_gib * GIB >= 2 * total and required is not None:
        return dict(level="ok", message=None, required_gib=required)
    images = plan["measured"]
    least = required if required is not None else "twice that (more than the maximum)"
    message = (f"image_cache_size {size_gib} GiB is less than twice the {_plural(images, 'image', 'images')} it must hold "
               f"({float(total) / GIB:.2f} GiB together, {describe_basis(plan['basis'])}), the size the documentation requires; "
               f"the cache could end Failed. Set image_cache_size to at least {least}, or image_cache_size: auto.")
    return dict(level="fail" if size_check == "fail" else "warn", message=message, required_gib=required)


def unmeasured_verdict(plan: dict[str, Any], size_check: str) -> dict[str, Any]:
    """What to say about the images that could not be measured (for a reason other than "not from here").

    Returns {"level": "ok" | "warn" | "fail", "message": str or None, "lines": [(key, text)]}. An image its registry
    does not have (not_found: no such repository, tag or platform) fails unless size_check is skip: the cache's build
    would fail. With size_check fail any image not measured fails, since the size check cannot be made. Otherwise each
    line is a warning: one per registry that could not be reached (whichever images it holds), one per image for the
    other reasons; key names the line, so that a run says it once (image_reads.settle_size).
    """
    failed = plan["failed"]
    if not failed or size_check == "skip":
        return dict(level="ok", message=None, lines=[])
    missing = [entry for entry in failed if entry["kind"] == "not_found"]
    others = [entry for entry in failed if entry["kind"] != "not_found"]
    parts = []
    if missing:
        images = ", ".join(entry["image"] for entry in missing)
        reasons = "; ".join(entry["message"] or entry["kind"] for entry in missing)
        parts.append(f"{images} {_plural(missing, 'is', 'are')} not in {_plural(missing, 'its registry', 'their registries')} "
                     f"(no such repository, tag or platform): {reasons}. The cache's build would fail. Fix the "
                     f"{_plural(missing, 'reference', 'references')} or image_platform, or set size_check: skip to go on.")
    if others and (size_check == "fail" or not missing):
        images = ", ".join(entry["image"] for entry in others)
        reasons = "; ".join(entry["message"] or entry["kind"] or "unknown error" for entry in others)
        if size_check == "fail":
            parts.append(f"Could not measure {images}, so the size check cannot judge the cache size: {reasons}. "
                         f"Fix the registry access, or set size_check: warn to go on without {_plural(others, 'it', 'them')}.")
    if parts:
        return dict(level="fail", message=" ".join(parts), lines=[])
    lines = []
    by_registry = {}  # registry -> its unreachable entries, in order
    for entry in others:
        if entry["kind"] == "unreachable" and entry.get("registry"):
            by_registry.setdefault(entry["registry"], []).append(entry)
        else:
            lines.append((("image", entry["image"]), f"Could not measure {entry['image']}, so the size check leaves it out: "
                                                     f"{entry['message'] or entry['kind'] or 'unknown error'}."))
    for registry, entries in by_registry.items():
        images = [entry["image"] for entry in entries]
        lines.append((("registry", registry), f"Could not reach registry {registry}, so the size check leaves out "
                                              f"{', '.join(images)}: {entries[0]['message'] or 'unreachable'}."))
    return dict(level="warn", message=" ".join(text for _key, text in lines), lines=lines)


def not_measured_note(plan: dict[str, Any], region: str | None = None) -> str | None:
    """One line for the images whose registry is reached only from inside a VPC (None when there are none).

    Not a warning: where the module runs is not where the cache is built, and nothing is wrong with them when the
    cache's VPC reaches them. region: the region the cache is built in (None: not known, every such image is said to
    be reached from the cache's VPC). An image on a Container Registry VPC endpoint of another region
    (egress.other_region_images) is not reached from the VPCs of region either, unless they are connected to that
    region's by CEN: the line says so, that the build will most likely fail to pull it, and what to do.
    """
    images = plan["not_measured_here"]
    if not images:
        return None
    elsewhere: dict[tuple[str, str], list[str]] = {}  # (endpoint, its region) -> the images on it, in order
    for entry in other_region_images(images, region) if region else []:
        elsewhere.setdefault((registry_host(entry["image"]), entry["registry_region"]), []).append(entry["image"])
    away = set(image for held in elsewhere.values() for image in held)
    here = [image for image in images if image not in away]
    parts = []
    if here:
        parts.append(f"Not measured from here: {', '.join(here)} ({_plural(here, 'its registry is', 'their registries are')} reached "
                     f"only from inside the VPC, where the cache is built); the size check leaves {_plural(here, 'it', 'them')} out. "
                     "Measure from a host in the VPC, or set size_check: skip.")
    for (endpoint, endpoint_region), held in elsewhere.items():
        parts.append(f"Not measured from here: {', '.join(held)} ({_plural(held, 'its', 'their')} registry {endpoint} is the VPC "
                     f"endpoint of Container Registry in region {endpoint_region}, but the cache is built in region {region}, "
                     f"whose VPCs do not reach it unless connected to a VPC of {endpoint_region} by CEN, so the build will most "
                     f"likely fail to pull {_plural(held, 'it', 'them')}); the size check leaves {_plural(held, 'it', 'them')} out. "
                     f"Pull from the registry's public endpoint ({public_endpoint(endpoint)}) or from a VPC endpoint in {region} "
                     f"(after replicating the {_plural(held, 'image', 'images')} there), or connect the VPCs with CEN.")
    return " ".join(parts)


def public_endpoint(vpc_endpoint: str) -> str:
    """The internet endpoint of a Container Registry VPC endpoint: registry-vpc.<region>.aliyuncs.com ->
    registry.<region>.aliyuncs.com, <instance>-registry-vpc.<region>.cr.aliyuncs.com -> <instance>-registry.<region>.cr.aliyuncs.com."""
    return vpc_endpoint.replace("registry-vpc.", "registry.", 1)


def auto_size(plan: dict[str, Any], live_size: int | None) -> int:
    """The size image_cache_size=auto asks for: at least twice the measured images (required_cache_size_gib), and
    never less than the live cache's size, since a smaller cache would have to be rebuilt. ValueError when the
    images need more than the API allows."""
    return max(required_cache_size_gib(plan["total_bytes"]), live_size or 0)
