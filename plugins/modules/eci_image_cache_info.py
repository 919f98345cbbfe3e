#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eci_image_cache_info
short_description: List Alibaba Cloud ECI image caches
version_added: 0.1.0
description:
  - Finds Elastic Container Instance image caches by id, name, image, snapshot, resource group, tags,
    status or matching images, following every page of the DescribeImageCaches API.
  - Returns an empty list when nothing matches.
  - With O(check_stale=true), also says per cache whether it is stale - whether its images' tags have moved since
    the cache was built (see eci_image_cache's O(alibabacloud.eci.eci_image_cache#module:refresh) and the guide
    "Keeping caches fresh"). That reads the images' manifests from their registries, from where the module runs.
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
options:
  image_cache_ids:
    description:
      - Only the caches with these ids. One API call is made per id.
      - An id that does not exist is not an error; it just matches nothing.
    type: list
    elements: str
    aliases: [image_cache_id]
  name:
    description:
      - Only the cache with exactly this name (not a substring or prefix match).
    type: str
    aliases: [image_cache_name]
  image:
    description:
      - Only caches that contain this image, for example V(registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25).
    type: str
  snapshot_id:
    description:
      - Only the cache built on this snapshot.
    type: str
  resource_group_id:
    description:
      - Only caches in this resource group.
    type: str
  tags:
    description:
      - Only caches that carry every one of these tags, with these values.
    type: dict
  status:
    description:
      - Only caches in one of these states.
    type: list
    elements: str
    choices: [Preparing, Creating, Ready, Failed, Updating, UpdateFailed]
  idle_days:
    description:
      - Only caches idle for at least this many whole days (RV(image_caches[].idle_days)), for example to find the
        caches worth deleting (see the playbook C(alibabacloud.eci.prune_idle_caches)). V(0) keeps every cache whose
        idle time is known.
      - A cache whose times cannot be read is never idle.
    type: int
  match_images:
    description:
      - Only caches that can serve these images (the API's C(MatchImage)); at most 100 images.
    type: list
    elements: str
  image_full_match:
    description:
      - With O(match_images), only caches whose layers contain every layer of the images.
    type: bool
  image_match_count:
    description:
      - With O(match_images), how many matching caches the API should return.
    type: int
  page_size:
    description:
      - How many caches each DescribeImageCaches call asks for (1 to 100). Every page is read whatever the size.
      - The API documents 20 as the largest page in places; a cloud that caps the page at 20 is read page by page,
        and one that refuses a larger page is asked again with 20.
    type: int
    default: 20
  check_stale:
    description:
      - Report RV(image_caches[].stale) and RV(image_caches[].image_digests) for each cache - resolve the manifest digest of
        each image of the caches that carry the digest record eci_image_cache writes (tag C(alibabacloud.eci/digests)),
        for the platform the record names, and compare. Every image is read once, however many caches hold it.
      - Caches without a record are not read (their staleness is unknown), except that a cache whose images are all
        pinned by digest is never stale.
      - It reads registries from where the module runs, honouring E(HTTPS_PROXY) and E(NO_PROXY), with
        O(image_registry_credentials), O(plain_http_registries) and O(insecure_registries); an image that cannot be
        read makes its caches' staleness unknown, not stale.
    type: bool
    default: false
  find_held_by:
    description:
      - Return RV(image_caches[].held_by) for each cache - the other Ready caches of the result that hold every one of
        its images (compared after reference normalisation), for example to find caches that duplicate others.
    type: bool
    default: false
  measure_images:
    description:
      - Measure each cache's images in their registries (the size preflight of eci_image_cache, each image once) and
        return RV(image_caches[].images_size_gib) and RV(image_caches[].needed_size_gib), for example to find caches
        far larger than their images need (the playbook C(alibabacloud.eci.image_cache_report) does).
      - Reads registries from where the module runs, like O(check_stale), with the same registry options.
    type: bool
    default: false
  image_registry_credentials:
    description:
      - With O(check_stale) or O(measure_images), credentials for private registries, as in eci_image_cache.
    type: list
    elements: dict
    suboptions:
      server:
        description: Registry host or host:port, without a scheme.
        type: str
        required: true
      username:
        description: User name.
        type: str
        required: true
      password:
        description: Password. Never returned or logged.
        type: str
        required: true
  plain_http_registries:
    description:
      - With O(check_stale) or O(measure_images), registries (host or host:port) read over plain HTTP. Others are read over HTTPS, even on
        localhost.
    type: list
    elements: str
  insecure_registries:
    description:
      - With O(check_stale) or O(measure_images), registries (host or host:port) whose certificates are not checked.
    type: list
    elements: str
requirements:
  - alibabacloud-eci20180808 >= 2.1.0
extends_documentation_fragment:
  - alibabacloud.eci.common
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode runs it as usual.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
"""

EXAMPLES = r"""
- name: List every image cache in the region
  alibabacloud.eci.eci_image_cache_info:
    region: cn-hangzhou
  register: all_caches

- name: Find a cache by its exact name
  alibabacloud.eci.eci_image_cache_info:
    name: web-frontend
  register: found

- name: Caches that hold nginx, tagged for production, and Ready
  alibabacloud.eci.eci_image_cache_info:
    image: registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
    tags:
      env: production
    status: [Ready]
  register: ready_nginx

- name: Caches a container group with these images could use
  alibabacloud.eci.eci_image_cache_info:
    match_images:
      - registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
    image_full_match: true

- name: Look up two caches by id, with credentials from a CLI profile
  alibabacloud.eci.eci_image_cache_info:
    profile: production
    image_cache_ids:
      - imc-2zebxkiifuyzzlhl5jzq
      - imc-2zeg3l5d5eb5kvqp0o4f

- name: Caches tagged team=web that no container group used for 30 days or more
  alibabacloud.eci.eci_image_cache_info:
    tags:
      team: web
    idle_days: 30
  register: idle

- name: Which caches hold images whose tags have moved since they were built
  alibabacloud.eci.eci_image_cache_info:
    check_stale: true
  register: checked

- name: Name the stale caches
  ansible.builtin.debug:
    msg: "{{ checked.image_caches | selectattr('stale', 'true') | map(attribute='image_cache_name') | list }}"

- name: Point every module at one region with module_defaults
  module_defaults:
    group/alibabacloud.eci.eci:
      region: cn-shanghai
  block:
    - name: List caches in cn-shanghai
      alibabacloud.eci.eci_image_cache_info:
      register: shanghai
"""

RETURN = r"""
image_caches:
  description: The matching image caches, in the order the API returned them; empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    image_cache_id:
      description: Id of the cache.
      type: str
      sample: imc-2zebxkiifuyzzlhl5jzq
    image_cache_name:
      description: Name of the cache.
      type: str
      sample: web-frontend
    status:
      description: State of the cache - Preparing, Creating, Ready, Failed, Updating or UpdateFailed.
      type: str
      sample: Ready
    progress:
      description: Progress of the snapshot the cache is built on.
      type: str
      sample: 100%
    images:
      description: Images in the cache.
      type: list
      elements: str
      sample: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25]
    image_cache_size:
      description: Size of the cache in GiB.
      type: int
      sample: 20
    snapshot_id:
      description: Id of the snapshot behind the cache.
      type: str
      sample: s-2zeb1jnb9wuwhrh1a0qq
    flash_snapshot_id:
      description: Id of the local snapshot made when the instant (flash) cache is on.
      type: str
    container_group_id:
      description: Id of the temporary container group that built the cache.
      type: str
      sample: eci-2zelg8vwnlzdhf8hv5ao
    creation_time:
      description: When the cache was created (UTC, ISO 8601).
      type: str
      sample: "2026-11-23T10:00:00Z"
    expire_date_time:
      description: When the cache expires; empty when it never does.
      type: str
    retention_days:
      description:
        - Days from the creation to C(expire_date_time), rounded to the nearest whole day (the API does not return
          C(RetentionDays)); null when the cache never expires.
        - Left out for a C(Failed) cache, whose C(expire_date_time) is 24 hours after the failure, and when the times
          cannot be read.
      type: int
      sample: 30
    last_matched_time:
      description: When a container group last used the cache; empty when none ever did.
      type: str
    idle_days:
      description:
        - Whole days since a container group last used the cache (C(last_matched_time)), or since its creation when
          none ever did; null when neither time can be read. Counted from the clock of the host the module runs on.
      type: int
      sample: 12
    held_by:
      description:
        - With O(find_held_by), the ids of the other C(Ready) caches of this result that hold every image of this cache;
          empty when none does.
      returned: when O(find_held_by=true)
      type: list
      elements: str
    images_size_gib:
      description:
        - With O(measure_images), the sum of the cache's images as measured in their registries (uncompressed where
          the registry states it, else compressed), in GiB; null when an image could not be measured from here.
      returned: when O(measure_images=true)
      type: float
      sample: 1.25
    needed_size_gib:
      description:
        - With O(measure_images), the cache size the collection's rule asks for these images - twice their size,
          rounded up, at least 20 GiB; null when an image could not be measured.
      returned: when O(measure_images=true)
      type: int
      sample: 20
    elimination_strategy:
      description: V(LRU) when the cache may be removed automatically at the quota, empty when it is kept.
      type: str
    region_id:
      description: Region of the cache.
      type: str
      sample: cn-hangzhou
    resource_group_id:
      description: Resource group of the cache.
      type: str
    tags:
      description:
        - Tags of the cache, as a dict, as the API returns them - including the records C(alibabacloud.eci/digests)
          and C(alibabacloud.eci/build) that eci_image_cache writes.
      type: dict
      sample: {env: production}
    stale:
      description:
        - With O(check_stale) - V(true) when the cache's images resolve to other digests than those recorded when it was
          built, V(false) when to the same (or every image is pinned by digest), null when it cannot tell (no record, or
          an image could not be read) and for a cache that is not C(Ready) (the record is written before the cloud
          builds the cache, so a C(Failed), C(UpdateFailed) or building cache does not hold what it says; such caches
          are not read).
      type: bool
      returned: with O(check_stale)
    stale_reason:
      description:
        - With O(check_stale) - why RV(image_caches[].stale) is null (the cache is not C(Ready), carries no digest record,
          or an image could not be read, naming the image and the error); null when RV(image_caches[].stale) is known.
      type: str
      returned: with O(check_stale)
      sample: "the cache carries no record of its images' digests (tag alibabacloud.eci/digests): ..."
    image_digests:
      description:
        - With O(check_stale) - the digest each image resolves to now (C(image), C(digest), C(pinned), and C(error) when
          it could not be read), as eci_image_cache's RV(alibabacloud.eci.eci_image_cache#module:image_digests); empty
          for a cache that was not read.
      type: list
      elements: dict
      returned: with O(check_stale)
    events:
      description: Events of building the cache.
      type: list
      elements: dict
      contains:
        count:
          description: How many times the event happened.
          type: int
        first_timestamp:
          description: When it first happened.
          type: str
        last_timestamp:
          description: When it last happened.
          type: str
        message:
          description: What happened.
          type: str
        name:
          description: Name of the object the event is about.
          type: str
        reason:
          description: Short reason.
          type: str
        type:
          description: Normal or Warning.
          type: str
"""

import time

from ansible_collections.alibabacloud.eci.plugins.module_utils.eci import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, describe_image_caches
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_usage import idle_for, measure_needs, with_held_by, with_idle_days
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import judge_caches, stale_reason
from ansible_collections.alibabacloud.eci.plugins.module_utils.module import AlibabaCloudModule
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import DOCUMENTED

STATUSES = list(DOCUMENTED)


def validate(module: AlibabaCloudModule) -> None:
    """Reject what the API would reject, before any call."""
    params = module.params
    if not 1 <= params["page_size"] <= MAX_PAGE_SIZE:
        module.fail_json(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {params['page_size']}.")
    if params["match_images"] is not None and not 1 <= len(params["match_images"]) <= 100:
        module.fail_json(f"match_images takes 1 to 100 images, got {len(params['match_images'])}.")
    if params["idle_days"] is not None and params["idle_days"] < 0:
        module.fail_json(f"idle_days must be 0 or more, got {params['idle_days']}.")
    if params["image_match_count"] is not None and params["image_match_count"] < 1:
        module.fail_json(f"image_match_count must be 1 or more, got {params['image_match_count']}.")
    for option in ("image_cache_ids", "match_images"):
        if any(not (item or "").strip() for item in params[option] or []):
            module.fail_json(f"{option} must not contain empty strings.")


def list_caches(module: AlibabaCloudModule) -> None:
    params = module.params
    filters = dict(
        name=params["name"] or None,
        image=params["image"] or None,
        snapshot_id=params["snapshot_id"] or None,
        resource_group_id=params["resource_group_id"] or None,
        tags=dict((str(key), "" if value is None else str(value)) for key, value in (params["tags"] or {}).items()),
        match_images=params["match_images"],
        image_full_match=params["image_full_match"],
        image_match_count=params["image_match_count"],
        page_size=params["page_size"],
    )
    if params["image_cache_ids"]:
        caches = []
        for cache_id in dict.fromkeys(params["image_cache_ids"]):
            caches.extend(describe_image_caches(module.connection, image_cache_id=cache_id, **filters))
    else:
        caches = describe_image_caches(module.connection, **filters)
    # The API's name filter is not documented as exact, tags and status are not
    # filtered server-side by every version: check them here so the result is exact.
    if filters["name"]:
        caches = [cache for cache in caches if cache["image_cache_name"] == filters["name"]]
    if filters["tags"]:
        caches = [cache for cache in caches if all(cache["tags"].get(key) == value for key, value in filters["tags"].items())]
    if params["status"]:
        caches = [cache for cache in caches if cache["status"] in params["status"]]
    caches = with_idle_days(caches, time.time())
    if params["idle_days"] is not None:
        caches = idle_for(caches, params["idle_days"])
    if params["find_held_by"]:
        caches = with_held_by(caches)
    if params["measure_images"]:
        caches = measure_needs(caches, dict(connect_timeout=params["connect_timeout"], read_timeout=params["read_timeout"]),
                               params["image_registry_credentials"], params["plain_http_registries"], params["insecure_registries"])
    if params["check_stale"]:
        judged = judge_caches(
            caches, credentials=params["image_registry_credentials"], plain_http_registries=params["plain_http_registries"],
            insecure_registries=params["insecure_registries"], connect_timeout=params["connect_timeout"],
            read_timeout=params["read_timeout"], retries=1, max_seconds=params["read_timeout"])
        caches = [dict(cache, stale=stale, stale_reason=stale_reason(cache, stale, digests), image_digests=digests)
                  for cache, (stale, digests) in zip(caches, judged)]
    module.exit_json(changed=False, image_caches=caches)


def main() -> None:
    module = AlibabaCloudModule(
        argument_spec=dict(
            image_cache_ids=dict(type="list", elements="str", aliases=["image_cache_id"]),
            name=dict(type="str", aliases=["image_cache_name"]),
            image=dict(type="str"),
            snapshot_id=dict(type="str"),
            resource_group_id=dict(type="str"),
            tags=dict(type="dict"),
            status=dict(type="list", elements="str", choices=STATUSES),
            idle_days=dict(type="int"),
            match_images=dict(type="list", elements="str"),
            image_full_match=dict(type="bool"),
            image_match_count=dict(type="int"),
            page_size=dict(type="int", default=DEFAULT_PAGE_SIZE),
            check_stale=dict(type="bool", default=False),
            find_held_by=dict(type="bool", default=False),
            measure_images=dict(type="bool", default=False),
            image_registry_credentials=dict(type="list", elements="dict", options=dict(
                server=dict(type="str", required=True),
                username=dict(type="str", required=True),
                password=dict(type="str", required=True, no_log=True),
            )),
            plain_http_registries=dict(type="list", elements="str"),
            insecure_registries=dict(type="list", elements="str"),
        ),
        services=("eci",),
        required_by=dict(image_full_match="match_images", image_match_count="match_images"),
        supports_check_mode=True,
    )
    validate(module)
    module.run(list_caches)


if __name__ == "__main__":
    main()
