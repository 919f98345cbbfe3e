# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Comparison of an image cache with the settings asked for: what differs, the cache as it will be after the
run (check mode, diffs) and what --diff shows.

Named for what it holds rather than image_cache.py: that name once held every pure decision about a cache
(validation, tags, comparison, tokens, the waiter), and those now have their own homes
(image_cache_validation.py, tags.py, settings.py, waiters.py). Pure functions built from the settings table
(settings.py), so unit tests cover them without a cloud.
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import canonical_image
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MIN_SIZE_GIB
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import BUILD_TAG_KEY, BY_OPTION, COMPARED
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import PREPARING, READY
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import normalize_desired_tags, tag_changes, tags_after, user_tags


def desired_view(params: Mapping[str, Any]) -> dict[str, Any]:
    """The compared settings as the API would show them; None where the user left a setting alone."""
    return dict((BY_OPTION[option].read_back, params.get(option)) for option in COMPARED)


def compare(current: Mapping[str, Any], params: Mapping[str, Any]) -> list[str]:
    """Names of the compared settings that differ; images compare as sets in canonical form."""
    differences: list[str] = []
    for key, wanted in desired_view(params).items():
        if wanted is None:
            continue
        have = current.get(key)
        if key == "images":
            if set(map(canonical_image, wanted)) != set(map(canonical_image, have or [])):
                differences.append(key)
        elif key == "retention_days":
            # Unknown (a Failed cache, unreadable stamps: no key) is never a difference.
            if "retention_days" in current and have != wanted:
                differences.append(key)
        elif key == "elimination_strategy":
            if (have or "") != wanted:
                differences.append(key)
        elif have != wanted:
            differences.append(key)
    return differences


def predict(current: Mapping[str, Any] | None, params: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The cache as DescribeImageCaches would show it after this run (for check mode and diffs)."""
    after = dict(current) if current else dict(
        image_cache_id=None, image_cache_name=params.get("name"), images=[], image_cache_size=MIN_SIZE_GIB,
        elimination_strategy="", resource_group_id=None, tags={}, region_id=region, status=PREPARING)
    for key, wanted in desired_view(params).items():
        if wanted is not None:
            after[key] = list(wanted) if key == "images" else wanted
    desired_tags = normalize_desired_tags(params.get("tags"))
    if desired_tags is not None:
        to_set, to_unset = tag_changes(after.get("tags") or {}, desired_tags, params.get("purge_tags", True))
        after["tags"] = tags_after(after.get("tags"), to_set, to_unset)
    if params.get("wait"):
        after["status"] = READY
        after["progress"] = "100%"
    return after


def diff_view(cache: Mapping[str, Any] | None) -> dict[str, Any]:
    """What --diff shows of a cache: the settings, not the moving parts (progress, events)."""
    if not cache:
        return {}
    keys = ("image_cache_id", "image_cache_name", "image_cache_size", "elimination_strategy", "resource_group_id", "status")
    view = dict((key, cache.get(key)) for key in keys)
    view["images"] = sorted(cache.get("images") or [])
    # The records are shown apart, so that a refresh shows as a digest move, not as a change of the user's tags.
    view["tags"] = user_tags(cache.get("tags"))
    view["image_digest_record"] = (cache.get("tags") or {}).get(DIGESTS_TAG_KEY)
    view["build_record"] = (cache.get("tags") or {}).get(BUILD_TAG_KEY)
    return view
