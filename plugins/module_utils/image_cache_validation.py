# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Validation of one image cache's settings: every rule the API enforces, checked before any call.

validate_settings is the one validation that eci_image_cache, each item of eci_image_caches and the role
(through the image_cache_problems filter) use. Pure functions: no API call, no clock.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import REFRESH_CHOICES, platform_problem
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import (
    IMAGE_REFERENCE,
    REGISTRY_HOST,
    canonical_image,
    image_problem,
    port_problem,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import (
    MAX_CREDENTIALS,
    MAX_IMAGES,
    MAX_NAME_LENGTH,
    MAX_RETENTION_DAYS,
    MAX_SIZE_GIB,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_VSWITCHES,
    MIN_RETENTION_DAYS,
    MIN_SIZE_GIB,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import COLLECTION_TAG_KEYS, MAX_USER_TAGS, SYSTEM_TAG_PREFIXES, is_system_tag


# C0 and C1 control characters and DEL (new lines, tabs, escapes): no name or id of the cloud has them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Options naming a cloud resource by id: text without control characters or surrounding blanks.
ID_OPTIONS = ("security_group_id", "resource_group_id", "eip_instance_id", "zone_id")
SCALAR_TYPES = (str, int, float, bool)


def text_problem(value: Any, option: str, max_length: int | None = None, what: str = "") -> str | None:
    """Why a name or id is refused before any call (a message naming the option), or None: not a string, empty, a
    control character (a new line, a tab, an escape), blanks around it, or more than max_length characters."""
    label = f"{option}{what}"
    if not isinstance(value, str):
        return f"{label} must be a string, got {kind(value)} {value!r}."
    if not value:
        return f"{label} must not be empty."
    if CONTROL_CHARACTERS.search(value):
        return f"{label}: {value!r} contains a control character (a new line, a tab, an escape); only printable text is allowed."
    if value != value.strip():
        return f"{label}: {value!r} has blanks around it; give it without leading or trailing white space."
    if max_length is not None and len(value) > max_length:
        return f"{label} is {len(value)} characters long; at most {max_length} are allowed."
    return None


def kind(value: Any) -> str:
    """The kind of a value for a message: list, dict, ... (not the class of a templating wrapper)."""
    for name, types in (("list", (list, tuple, set)), ("dict", Mapping), ("string", str), ("boolean", bool), ("number", (int, float))):
        if isinstance(value, types):
            return name
    return type(value).__name__


def name_problem(name: Any, option: str = "name") -> str | None:
    """Why an image cache name (API ImageCacheName) is refused before any call, or None.

    The sources state no grammar for ImageCacheName: the CreateImageCache reference (seeds 000; reference
    eci-image-cache-api.md) gives only "string", example testcache. So the local check is what no name can have:
    control characters, surrounding blanks, more than MAX_NAME_LENGTH characters (limits.py); the rest is the cloud's."""
    return text_problem(name, option, MAX_NAME_LENGTH)


def tag_problem(key: Any, value: Any, option: str = "tags") -> str | None:
    """Why the cloud would refuse this tag, or None. Rules of TagResources; keys and values are scalars (a list or a
    dict would be sent as its Python text)."""
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_TAG_LENGTH:
        return f"{option}: tag keys must be 1 to {MAX_TAG_LENGTH} characters, got {key!r}."
    if value is not None and not isinstance(value, SCALAR_TYPES):
        return f"{option}: the value of tag {key!r} must be a string, number or boolean, got {kind(value)} {value!r}."
    value = "" if value is None else str(value)
    for what, text in (("key", key), ("value", value)):
        # The reference gives values the key's limits except that they may be empty.
        if is_system_tag(text):
            return (f"{option}: tag {what} {text!r} must not start with "
                    f"{' or '.join(repr(prefix) for prefix in sorted(SYSTEM_TAG_PREFIXES, reverse=True))}.")
        # The cloud's rule is case-insensitive (HTTPS://x is refused too).
        if "http://" in text.lower() or "https://" in text.lower():
            return f"{option}: tag {what} {text!r} of key {key!r} must not contain 'http://' or 'https://'."
    if len(value) > MAX_TAG_LENGTH:
        return f"{option}: the value of tag {key!r} is longer than {MAX_TAG_LENGTH} characters."
    return None


def validate_tags(tags: Mapping[Any, Any] | None, option: str = "tags") -> list[str]:
    problems: list[str] = []
    if tags is None:
        return problems
    # Two of the cloud's tags are the collection's records (tags.COLLECTION_TAG_KEYS).
    if len(tags) > MAX_USER_TAGS:
        problems.append(f"{option}: at most {MAX_USER_TAGS} tags are allowed (the cloud's {MAX_TAGS}, less the tags "
                        f"{' and '.join(COLLECTION_TAG_KEYS)} the collection keeps), got {len(tags)}.")
    for key, value in tags.items():
        if key in COLLECTION_TAG_KEYS:
            problems.append(f"{option}: the tag key {key} is reserved for the collection's records "
                            "(the images' digests, the build settings).")
            continue
        problem = tag_problem(key, value, option)
        if problem:
            problems.append(problem)
    return problems


def validate_settings(params: Mapping[str, Any], creating_possible: bool) -> list[str]:  # noqa: C901
    """Every rule the API enforces, checked before any call. Returns a list of messages; never raises on values of
    the wrong type (the role's filters pass what templating gives)."""
    problems: list[str] = []
    if params.get("name") is not None:
        problems.extend(filter(None, [name_problem(params["name"])]))
    for option in ID_OPTIONS:
        if params.get(option) not in (None, ""):
            problems.extend(filter(None, [text_problem(params[option], option)]))
    images = params.get("images")
    if images is not None:
        if not images:
            problems.append("images: give at least one image.")
        if len(images) > MAX_IMAGES:
            problems.append(f"images: at most {MAX_IMAGES} images are allowed, got {len(images)}.")
        problems.extend(filter(None, (image_problem(image) for image in images)))
        problems.extend(duplicate_images(images))
    size = params.get("image_cache_size")
    if size is not None and (not _number(size) or not MIN_SIZE_GIB <= size <= MAX_SIZE_GIB):
        problems.append(f"image_cache_size must be {MIN_SIZE_GIB} to {MAX_SIZE_GIB} (GiB), got {size!r}.")
    days = params.get("retention_days")
    if days is not None and (not _number(days) or not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS):
        problems.append(f"retention_days must be {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS}, got {days!r}.")
    vswitches = params.get("vswitch_ids")
    if vswitches is not None:
        if not 1 <= len(vswitches) <= MAX_VSWITCHES:
            problems.append(f"vswitch_ids: give 1 to {MAX_VSWITCHES} vSwitch ids, got {len(vswitches)}.")
        if any(not isinstance(v, str) or not v.strip() or "," in v for v in vswitches):
            problems.append(f"vswitch_ids: ids must be non-empty strings without commas, got {vswitches!r}.")
        problems.extend(filter(None, (text_problem(v, "vswitch_ids", what=" entries") for v in vswitches
                                      if isinstance(v, str) and v.strip() and "," not in v)))
        # Refused, not de-duplicated: a repeated id is usually a typo for another vSwitch (amazon.aws modules
        # refuse lists the API would refuse rather than silently changing them).
        repeated = sorted(set(str(v) for v in vswitches if _hashable(v) and vswitches.count(v) > 1))
        if repeated:
            problems.append(f"vswitch_ids: {', '.join(repeated)} listed more than once; give each vSwitch once.")
    for option in ("flash_copy_count", "standard_copy_count"):
        if params.get(option) is not None and (not _number(params[option]) or params[option] < 0):
            problems.append(f"{option} must be 0 or more, got {params[option]!r}.")
    credentials = params.get("image_registry_credentials")
    if credentials is not None:
        if len(credentials) > MAX_CREDENTIALS:
            problems.append(f"image_registry_credentials: at most {MAX_CREDENTIALS} are allowed, got {len(credentials)}.")
        for credential in credentials:
            server = credential.get("server") if isinstance(credential, Mapping) else None
            if not isinstance(server, str) or "://" in server or not REGISTRY_HOST.match(server):
                problems.append(f"image_registry_credentials: server {server!r} must be a registry host[:port] without a scheme "
                                "or path.")
            elif port_problem(server):
                problems.append(f"image_registry_credentials: server {server!r}: {port_problem(server)}")
    for option in ("insecure_registries", "plain_http_registries"):
        for registry in params.get(option) or []:
            if not isinstance(registry, str) or "://" in registry or not REGISTRY_HOST.match(registry):
                problems.append(f"{option}: {registry!r} must be a registry host[:port] without a scheme or path.")
            elif port_problem(registry):
                problems.append(f"{option}: {registry!r}: {port_problem(registry)}")
    for info in params.get("acr_registry_info") or []:
        instance = info.get("instance_id") if isinstance(info, Mapping) else None
        if not isinstance(instance, str) or not instance.strip():
            problems.append("acr_registry_info: every entry needs instance_id (a string).")
        else:
            problems.extend(filter(None, [text_problem(instance, "acr_registry_info", what=" instance_id")]))
    problems.extend(validate_tags(params.get("tags")))
    problems.extend(filter(None, [platform_problem(params.get("image_platform"))]))
    refresh = params.get("refresh")
    if refresh is not None and refresh not in REFRESH_CHOICES:
        problems.append(f"refresh must be one of {', '.join(REFRESH_CHOICES)}, got {refresh!r}.")
    annotations = params.get("annotations")
    if annotations is not None:
        for key, value in annotations.items():
            if not isinstance(key, str) or not key.strip():
                problems.append(f"annotations: keys must be non-empty strings, got {key!r}.")
            elif value is not None and not isinstance(value, SCALAR_TYPES):
                problems.append(f"annotations: the value of {key!r} must be a string, number or boolean, got {kind(value)} "
                                f"{value!r}.")
    if creating_possible:
        needed = ("name", "images", "security_group_id", "vswitch_ids")
        missing = [option for option in needed if not params.get(option)]
        if missing:
            problems.append(f"Creating an image cache needs {', '.join(needed)} (missing: {', '.join(missing)}).")
    return problems


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _hashable(value: Any) -> bool:
    return isinstance(value, SCALAR_TYPES)


def duplicate_images(images: Iterable[Any]) -> list[str]:
    """Messages for references that name the same image in Docker's canonical form (nginx and
    docker.io/library/nginx:latest), naming every reference of each image."""
    groups: dict[str, list[str]] = {}
    for image in images:
        if isinstance(image, str) and IMAGE_REFERENCE.match(image):
            groups.setdefault(canonical_image(image), []).append(image)
    problems: list[str] = []
    for canonical, given in sorted(groups.items()):
        if len(given) > 1:
            if len(set(given)) == 1:
                problems.append(f"images: {given[0]} listed more than once.")
            else:
                problems.append(f"images: {' and '.join(repr(image) for image in given)} are the same image ({canonical}); "
                                "list it once.")
    return problems
