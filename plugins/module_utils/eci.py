# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECI 2018-08-08 image cache calls: one function per API action, results as snake_case dicts."""

from __future__ import annotations

import contextvars
import datetime
import re
from types import ModuleType
from typing import Any, Iterable

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import FAILED

# DescribeImageCaches' page limit: the current API page gives 20 as its example and no maximum;
# the older page and the sibling ECI lists say at most 20. A cloud may accept more, cap at 20 or
# reject more, so 20 works with all three (make bench measures its cost against 100). A larger
# page size that the cloud refuses falls back to 20.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Pages beyond what TotalCount allows, for caches created while listing; a listing that needs
# more (e.g. a NextToken that is new on every page) is an error, not an endless loop.
EXTRA_PAGES = 2
# Without a TotalCount, no listing may take more pages than this.
MAX_PAGES = 1000
# A listing whose count does not add up (caches created or deleted between its pages) is read again this many
# times before it is reported as malformed.
RELISTS = 2
# The code of AlibabaCloudError for an answer that cannot be read as a listing (no list; a count that does not add up).
MALFORMED = "MalformedResponse"


# The top-level keys of the DescribeImageCaches answer being read (see _answer_keys).
_ANSWER_KEYS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("alibabacloud_eci_answer_keys", default=None)


def _record_answer_keys(connection: Any) -> None:
    """Make this connection's ECI client record the keys of each answer's JSON body.

    The SDK's response model turns an answer without ImageCaches into an empty list, the same as "no caches"; only
    the raw answer tells them apart. The client's call_api is wrapped on this one client object (not on the SDK's
    class); a connection without SDK clients (a test double) is left as it is.
    """
    client_of = getattr(connection, "client", None)
    if not callable(client_of):
        return
    client = client_of("eci")
    original = getattr(client, "call_api", None)
    if original is None or getattr(client, "_alibabacloud_eci_records_keys", False):
        return

    def call_api(params: Any, request: Any, runtime: Any) -> Any:
        result = original(params, request, runtime)
        holder = _ANSWER_KEYS.get()
        if holder is not None and isinstance(result, dict):
            body = result.get("body")
            holder["keys"] = set(body) if isinstance(body, dict) else None
        return result

    client.call_api = call_api
    client._alibabacloud_eci_records_keys = True  # pylint: disable=protected-access


def _models() -> ModuleType:
    from alibabacloud_eci20180808 import models
    return models


def normalize_tags(tags: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """[{'Key': k, 'Value': v}] (or the snake form) -> {k: v}."""
    result = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key"))
        if key is not None:
            result[key] = tag.get("Value", tag.get("value")) or ""
    return result


_STAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)?\Z")


def _epoch(stamp: str | None) -> float | None:
    """An ISO 8601 time of the API (2026-11-23T10:00:00Z) as epoch seconds, or None when it is not one."""
    match = _STAMP.match(stamp or "")
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    offset = datetime.timedelta(0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                               tzinfo=datetime.timezone.utc) - offset
    return moment.timestamp()


def epoch_of(stamp: str | None) -> float | None:
    """An API time (CreationTime, LastMatchedTime, ...) as epoch seconds, or None when it is not one."""
    return _epoch(stamp)


def retention_days_of(status: str | None, creation_time: str | None, expire_date_time: str | None) -> tuple[bool, int | None]:
    """RetentionDays as the cache shows it: ExpireDateTime - CreationTime, rounded to the nearest whole day.

    The API does not return RetentionDays; it sets ExpireDateTime from the creation time (also after an
    update changes RetentionDays). Rounding to the nearest day absorbs seconds between the two stamps.
    Returns (known, days): days None with known True means the cache never expires (no ExpireDateTime).
    Unknown (known False): a Failed cache, whose ExpireDateTime is 24 h after the failure whatever its
    retention (API reference), or stamps that cannot be read; an unknown value is never compared.
    """
    if status == FAILED:
        return False, None
    if not expire_date_time:
        return True, None
    created, expires = _epoch(creation_time), _epoch(expire_date_time)
    if created is None or expires is None:
        return False, None
    return True, int((expires - created + 43200) // 86400)


def normalize_image_cache(cache: Any) -> dict[str, Any]:
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
    known, days = retention_days_of(result["status"], result["creation_time"], result["expire_date_time"])
    # Unknown retention is left out (not None, which means never expires), so it is never compared.
    if known:
        result["retention_days"] = days
    return result


def describe_image_caches(connection: Connection, image_cache_id: str | None = None, name: str | None = None, image: str | None = None,
                          snapshot_id: str | None = None, resource_group_id: str | None = None, tags: dict[str, str] | None = None,
                          match_images: Iterable[str] | None = None, image_full_match: bool | None = None,
                          image_match_count: int | None = None, page_size: int = DEFAULT_PAGE_SIZE) -> list[dict[str, Any]]:
    """DescribeImageCaches over every page; returns a list of normalised caches, each id once.

    An unknown ImageCacheId gives an empty list (the API answers that way, not with an error). A malformed
    answer (no ImageCaches list, or pages ending with fewer caches than TotalCount: the smaller of the first and
    the last page's) raises
    AlibabaCloudError with code MalformedResponse, naming the action and the request id: it is never read as
    "no caches". A listing whose count does not add up is read again first (up to RELISTS times), since caches
    created or deleted between two pages shift a listing the cloud serves newest first.
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
    attempt = 0
    while True:
        # ImageMatchCountRequest cuts the answer to that many caches; whether TotalCount counts before or after
        # the cut is not documented, so it is not compared then.
        caches, shortfall = _list_pages(connection, request, count_checked=image_match_count is None)
        if shortfall is None:
            return caches
        attempt += 1
        if attempt > RELISTS:
            raise shortfall
        request.next_token = None


def _list_pages(connection: Connection, request: Any, count_checked: bool = True) -> tuple[list[dict[str, Any]], AlibabaCloudError | None]:
    """One pass over the pages: (the caches de-duplicated by id, in the order first seen, with the latest view
    of each; None) or (them, the error to raise when the count still does not add up after re-reading)."""
    caches: dict[str, dict[str, Any]] = {}
    _record_answer_keys(connection)
    answer: dict[str, Any] = {}
    seen_tokens = set()
    first_total = None
    page_cap = MAX_PAGES
    pages = 0
    while True:
        answer["keys"] = None
        scope = _ANSWER_KEYS.set(answer)
        try:
            body = connection.call("eci", "DescribeImageCaches", "describe_image_caches_with_options", request)
        except AlibabaCloudError as error:
            if request.limit and request.limit > DEFAULT_PAGE_SIZE and "limit" in (error.code or "").lower():
                request.limit = DEFAULT_PAGE_SIZE  # this cloud refuses pages above its maximum
                continue
            raise
        finally:
            _ANSWER_KEYS.reset(scope)
        if body is None:
            raise AlibabaCloudError("DescribeImageCaches", "UnexpectedResponse", "the response had no body the SDK could parse")
        if body.image_caches is None or (answer["keys"] is not None and "ImageCaches" not in answer["keys"]):
            # An answer without its list says nothing about which caches exist: reading it as "none" would make
            # a module create again (under another ClientToken) what may well exist.
            raise AlibabaCloudError("DescribeImageCaches", MALFORMED,
                                    "the answer has no ImageCaches list (an empty listing has an empty list); "
                                    "nothing can be concluded from it about which image caches exist",
                                    request_id=body.request_id, retryable=False)
        pages += 1
        page = body.image_caches
        for cache in page:
            item = normalize_image_cache(cache)
            # A cloud listing newest first repeats a cache across a page boundary when one is created between
            # two pages: the same id twice is one cache (its later view is the fresher one).
            caches[item["image_cache_id"] or f"#{len(caches)}"] = item
        total = getattr(body, "total_count", None)
        if isinstance(total, int) and total >= 0 and pages == 1:
            # Pages of at least one cache each (a cloud that caps the limit sends fewer than asked).
            page_cap = min(MAX_PAGES, -(-total // max(1, len(page) or 1)) + EXTRA_PAGES)
            first_total = total
        token = body.next_token
        if not token:
            # Compared with the smaller of the first and the last count: caches created while listing raise the
            # last one (and a newest-first cloud then shows one cache twice instead of the new one), caches deleted
            # while listing lower it; neither is a malformed answer.
            expected = min(total, first_total) if isinstance(total, int) and first_total is not None else None
            if count_checked and expected is not None and expected > len(caches):
                return list(caches.values()), AlibabaCloudError(
                    "DescribeImageCaches", MALFORMED,
                    f"the last page (no NextToken) gives TotalCount {total}, but the {pages} page(s) held "
                    f"{len(caches)} distinct image cache(s); the listing is incomplete",
                    request_id=body.request_id, retryable=False)
            return list(caches.values()), None
        if pages >= page_cap:
            raise AlibabaCloudError("DescribeImageCaches", "PaginationLimit",
                                    f"the API kept returning page tokens after {pages} pages "
                                    f"({f'total count {total}' if total is not None else 'no total count'}); the listing is incomplete",
                                    request_id=body.request_id)
        if token in seen_tokens:
            # Following it would loop forever; a partial list must not pass for the whole one.
            raise AlibabaCloudError("DescribeImageCaches", "PaginationLoop",
                                    f"the API returned page token {token!r} twice; the listing is incomplete",
                                    request_id=body.request_id)
        seen_tokens.add(token)
        request.next_token = token


def get_image_cache(connection: Connection, image_cache_id: str) -> dict[str, Any] | None:
    """The cache with this id, or None."""
    caches = describe_image_caches(connection, image_cache_id=image_cache_id)
    return next((cache for cache in caches if cache["image_cache_id"] == image_cache_id), None)


def find_image_caches_by_name(connection: Connection, name: str) -> list[dict[str, Any]]:
    """Every cache whose name is exactly `name` (the API filter is not documented as exact)."""
    return [cache for cache in describe_image_caches(connection, name=name) if cache["image_cache_name"] == name]


def _entries(model_class: type, entries: list[dict[str, Any]] | None) -> list[Any] | None:
    return [model_class(**entry) for entry in entries] if entries is not None else None


def _request(request_class: type, fields: dict[str, Any], tag_class: type | None = None, credential_class: type | None = None,
             acr_class: type | None = None) -> Any:
    """An SDK request from canonical fields (plugins/module_utils/settings.py builds them)."""
    fields = dict(fields)
    if "tag" in fields:
        fields["tag"] = _entries(tag_class, fields["tag"])
    if "image_registry_credential" in fields:
        fields["image_registry_credential"] = _entries(credential_class, fields["image_registry_credential"])
    if "acr_registry_info" in fields:
        fields["acr_registry_info"] = _entries(acr_class, fields["acr_registry_info"])
    return request_class(**fields)


def create_image_cache(connection: Connection, fields: dict[str, Any], client_token: str) -> str | None:
    """CreateImageCache with canonical fields; returns the new (or, for a known ClientToken, the earlier)
    cache id, or None when the answer names none."""
    models = _models()
    request = _request(models.CreateImageCacheRequest, fields, tag_class=models.CreateImageCacheRequestTag,
                       credential_class=models.CreateImageCacheRequestImageRegistryCredential,
                       acr_class=models.CreateImageCacheRequestAcrRegistryInfo)
    request.region_id = connection.region
    request.client_token = client_token
    body = connection.call("eci", "CreateImageCache", "create_image_cache_with_options", request)
    return getattr(body, "image_cache_id", None) or None


def update_image_cache(connection: Connection, image_cache_id: str, fields: dict[str, Any], client_token: str) -> None:
    """UpdateImageCache with canonical fields (tags go through TagResources)."""
    models = _models()
    request = _request(models.UpdateImageCacheRequest, fields,
                       credential_class=models.UpdateImageCacheRequestImageRegistryCredential,
                       acr_class=models.UpdateImageCacheRequestAcrRegistryInfo)
    request.region_id = connection.region
    request.image_cache_id = image_cache_id
    request.client_token = client_token
    connection.call("eci", "UpdateImageCache", "update_image_cache_with_options", request)


def delete_image_cache(connection: Connection, image_cache_id: str, client_token: str) -> None:
    models = _models()
    request = models.DeleteImageCacheRequest(region_id=connection.region, image_cache_id=image_cache_id,
                                             client_token=client_token)
    connection.call("eci", "DeleteImageCache", "delete_image_cache_with_options", request)


def tag_image_cache(connection: Connection, image_cache_id: str, tags: dict[str, str]) -> None:
    """TagResources: add or overwrite tags in place."""
    models = _models()
    request = models.TagResourcesRequest(region_id=connection.region, resource_type="ImageCache",
                                         resource_id=[image_cache_id],
                                         tag=[models.TagResourcesRequestTag(key=k, value=v) for k, v in sorted(tags.items())])
    connection.call("eci", "TagResources", "tag_resources_with_options", request)


def untag_image_cache(connection: Connection, image_cache_id: str, keys: Iterable[str], client_token: str) -> None:
    """UntagResources: remove tags by key."""
    models = _models()
    request = models.UntagResourcesRequest(region_id=connection.region, resource_type="ImageCache",
                                           resource_id=[image_cache_id], tag_key=list(keys), client_token=client_token)
    connection.call("eci", "UntagResources", "untag_resources_with_options", request)
