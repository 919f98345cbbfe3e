# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECI 2018-08-08 image cache calls: one function per API action, results as snake_case dicts."""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError

# The documented maximum page size was not found; 100 is what the twin enforces
# and what the info module allows.
MAX_PAGE_SIZE = 100


def _models():
    from alibabacloud_eci20180808 import models
    return models


def normalize_tags(tags):
    """[{'Key': k, 'Value': v}] (or the snake form) -> {k: v}."""
    result = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key"))
        if key is not None:
            result[key] = tag.get("Value", tag.get("value")) or ""
    return result


def normalize_image_cache(cache):
    """An SDK ImageCache model as the dict every module returns (RETURN docs describe exactly this)."""
    raw = cache.to_map()
    tags = normalize_tags(raw.pop("Tags", None))
    events = raw.pop("Events", None) or []
    result = camel_dict_to_snake_dict(raw)
    result.setdefault("images", [])
    result["images"] = list(result["images"] or [])
    result["tags"] = tags
    result["events"] = [camel_dict_to_snake_dict(event) for event in events]
    for key in ("image_cache_id", "image_cache_name", "status", "progress", "image_cache_size", "snapshot_id",
                "flash_snapshot_id", "container_group_id", "creation_time", "expire_date_time",
                "last_matched_time", "elimination_strategy", "region_id", "resource_group_id"):
        result.setdefault(key, None)
    return result


def describe_image_caches(connection, image_cache_id=None, name=None, image=None, snapshot_id=None,
                          resource_group_id=None, tags=None, match_images=None, image_full_match=None,
                          image_match_count=None, page_size=MAX_PAGE_SIZE):
    """DescribeImageCaches over every page; returns a list of normalised caches.

    An unknown ImageCacheId gives an empty list (the API answers that way, not with an error).
    """
    models = _models()
    request = models.DescribeImageCachesRequest(
        region_id=connection.region,
        image_cache_id=image_cache_id,
        image_cache_name=name,
        image=image,
        snapshot_id=snapshot_id,
        resource_group_id=resource_group_id,
        tag=[models.DescribeImageCachesRequestTag(key=key, value=value) for key, value in (tags or {}).items()] or None,
        match_image=list(match_images) if match_images else None,
        image_full_match=image_full_match,
        image_match_count_request=image_match_count,
        limit=page_size,
    )
    caches = []
    seen_tokens = set()
    while True:
        body = connection.call("eci", "DescribeImageCaches", "describe_image_caches_with_options", request)
        if body is None:
            raise AlibabaCloudError("DescribeImageCaches", "UnexpectedResponse", "the response had no body the SDK could parse")
        caches.extend(normalize_image_cache(cache) for cache in (body.image_caches or []))
        token = body.next_token
        if not token:
            return caches
        if token in seen_tokens:
            # Following it would loop forever; a partial list must not pass for the whole one.
            raise AlibabaCloudError("DescribeImageCaches", "PaginationLoop",
                                    "the API returned page token %r twice; the listing is incomplete" % token,
                                    request_id=body.request_id)
        seen_tokens.add(token)
        request.next_token = token
