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


def get_image_cache(connection, image_cache_id):
    """The cache with this id, or None."""
    caches = describe_image_caches(connection, image_cache_id=image_cache_id)
    return next((cache for cache in caches if cache["image_cache_id"] == image_cache_id), None)


def find_image_caches_by_name(connection, name):
    """Every cache whose name is exactly `name` (the API filter is not documented as exact)."""
    return [cache for cache in describe_image_caches(connection, name=name) if cache["image_cache_name"] == name]


def _joined(values):
    return ",".join(values) if values else None


def _settings_request(request_class, params, tag_class=None, credential_class=None, acr_class=None, acr_arns=True):
    """Fill a Create or Update request from the module's settings (None leaves a parameter out)."""
    credentials = params.get("image_registry_credentials")
    acr = params.get("acr_registry_info")
    fields = dict(
        image_cache_name=params.get("name"),
        image=list(params["images"]) if params.get("images") else None,
        image_cache_size=params.get("image_cache_size"),
        retention_days=params.get("retention_days"),
        security_group_id=params.get("security_group_id"),
        v_switch_id=_joined(params.get("vswitch_ids")),
        eip_instance_id=params.get("eip_instance_id"),
        resource_group_id=params.get("resource_group_id"),
        auto_match_image_cache=params.get("auto_match_image_cache"),
        flash=params.get("flash"),
        flash_copy_count=params.get("flash_copy_count"),
        standard_copy_count=params.get("standard_copy_count"),
        elimination_strategy=params.get("elimination_strategy"),
    )
    if credentials is not None and credential_class is not None:
        fields["image_registry_credential"] = [
            credential_class(server=c["server"], user_name=c["username"], password=c["password"]) for c in credentials]
    if acr is not None and acr_class is not None:
        entries = []
        for info in acr:
            entry = dict(instance_id=info["instance_id"], instance_name=info.get("instance_name"),
                         region_id=info.get("region_id"), domain=list(info["domains"]) if info.get("domains") else None)
            if acr_arns:
                entry.update(arn_service=info.get("arn_service"), arn_user=info.get("arn_user"))
            entries.append(acr_class(**entry))
        fields["acr_registry_info"] = entries
    if tag_class is not None and params.get("tags"):
        fields["tag"] = [tag_class(key=key, value=value) for key, value in params["tags"].items()]
    return request_class(**dict((key, value) for key, value in fields.items() if value is not None))


def create_image_cache(connection, params, client_token):
    """CreateImageCache; returns the new (or, for a known ClientToken, the earlier) cache id."""
    models = _models()
    request = _settings_request(models.CreateImageCacheRequest, params, tag_class=models.CreateImageCacheRequestTag,
                                credential_class=models.CreateImageCacheRequestImageRegistryCredential,
                                acr_class=models.CreateImageCacheRequestAcrRegistryInfo)
    request.region_id = connection.region
    request.client_token = client_token
    request.zone_id = params.get("zone_id") or None
    request.insecure_registry = _joined(params.get("insecure_registries"))
    request.plain_http_registry = _joined(params.get("plain_http_registries"))
    body = connection.call("eci", "CreateImageCache", "create_image_cache_with_options", request)
    return body.image_cache_id


def update_image_cache(connection, image_cache_id, params, client_token):
    """UpdateImageCache with every setting the module was given (tags go through TagResources)."""
    models = _models()
    request = _settings_request(models.UpdateImageCacheRequest, params,
                                credential_class=models.UpdateImageCacheRequestImageRegistryCredential,
                                acr_class=models.UpdateImageCacheRequestAcrRegistryInfo, acr_arns=False)
    request.region_id = connection.region
    request.image_cache_id = image_cache_id
    request.client_token = client_token
    connection.call("eci", "UpdateImageCache", "update_image_cache_with_options", request)


def delete_image_cache(connection, image_cache_id, client_token):
    models = _models()
    request = models.DeleteImageCacheRequest(region_id=connection.region, image_cache_id=image_cache_id,
                                             client_token=client_token)
    connection.call("eci", "DeleteImageCache", "delete_image_cache_with_options", request)


def tag_image_cache(connection, image_cache_id, tags):
    """TagResources: add or overwrite tags in place."""
    models = _models()
    request = models.TagResourcesRequest(region_id=connection.region, resource_type="ImageCache",
                                         resource_id=[image_cache_id],
                                         tag=[models.TagResourcesRequestTag(key=k, value=v) for k, v in sorted(tags.items())])
    connection.call("eci", "TagResources", "tag_resources_with_options", request)


def untag_image_cache(connection, image_cache_id, keys, client_token):
    """UntagResources: remove tags by key."""
    models = _models()
    request = models.UntagResourcesRequest(region_id=connection.region, resource_type="ImageCache",
                                           resource_id=[image_cache_id], tag_key=list(keys), client_token=client_token)
    connection.call("eci", "UntagResources", "untag_resources_with_options", request)
