#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eci_image_cache
short_description: Create, update and delete Alibaba Cloud ECI image caches
version_added: 0.1.0
description:
  - Creates, updates in place and deletes Elastic Container Instance image caches, idempotently,
    with check mode and diff mode.
  - The cache is found by O(image_cache_id) when given, else by its exact O(name). When several caches
    carry the name, the module fails and lists their ids; pass O(image_cache_id) to pick one.
  - A create sends a C(ClientToken) that is a hash of the region and the canonical request actually sent (images,
    tags, registries and credentials sorted, the default size 20 filled in, registry passwords left out), so a retried
    request, or runs creating the same cache at the same moment with settings that mean the same, make one cache.
  - The cache a create answers is confirmed by its id before the module goes on; a listing that lags (up to 90 seconds,
    within O(wait_timeout)) never leads to a second create. A new token (the next of a chain all runs compute alike) is
    used only on evidence that the answered cache is gone or is another cache - it is listed under another name (it was
    renamed), this run deleted it, the cloud answers UntagResources of a key no cache carries with NotFound, or it stays
    unlisted for 90 seconds - or when the cloud refuses the token as used with other parameters (for example a rotated
    registry password) and a fresh lookup by name finds no cache.
  - Runs that see one lock directory (forks and playbooks run in parallel by one user on one machine or in one container)
    that would create or delete a cache of the same name take turns, with a lock file in a private directory of the user
    (under the system temporary directory, else E(XDG_RUNTIME_DIR), else C(~/.ansible/tmp)), or in O(lock_dir), from the
    lookup to the create (or to the end of the delete). AWX and AAP run each job in its own container, so their jobs take
    turns only with a shared O(lock_dir) mounted into every container. So the first run creates (or deletes) the cache and reports
    C(changed=true) and the others find it (or find it gone) and report what they did. Runs on different hosts with
    settings that mean the same make one cache, thanks to the token, but each may report C(changed=true), because the
    cloud answers a known token with the first request's answer. Runs on different hosts racing with settings that
    differ (other images, size, tags or password) send different requests; they may make two caches of one name, and
    later runs then fail and list both ids until one is deleted. A lock that cannot be taken within 120 seconds is a
    warning, not an error.
  - Every failure after the cloud accepted a change (a wait that times out after a create, a cache that ends Failed, a
    tag error after an update) reports C(changed=true), RV(changes) with what was done and RV(image_cache) as last seen.
  - A cache that goes away between the lookup and a call on it is looked up again and decided again; a delete that finds
    it gone is success.
  - Only the settings that DescribeImageCaches returns are compared with the cache - O(name), O(images)
    (as a set, in Docker's canonical form, so V(nginx:1.25) equals V(docker.io/library/nginx:1.25)), O(image_cache_size),
    O(elimination_strategy), O(resource_group_id), O(retention_days) (as C(ExpireDateTime) minus C(CreationTime)) and
    O(tags). A difference in them updates the cache in place with
    C(UpdateImageCache); tags change with C(UntagResources), then C(TagResources). With O(wait), an update counts as done
    only once the cache shows it (it left Ready, or shows the new settings).
  - An empty O(elimination_strategy) against a cache with C(LRU) is sent only with an update of another setting, since every
    update rebuilds the cache and some clouds ignore an empty strategy; a setting the cloud did not apply is a warning.
  - The API never returns O(security_group_id), O(vswitch_ids), O(eip_instance_id),
    O(auto_match_image_cache), O(flash), O(flash_copy_count), O(standard_copy_count),
    O(image_registry_credentials) or O(acr_registry_info), so drift in them cannot be detected. They are applied
    when the cache is created, sent again with any update, and sent on demand with O(force_update=true).
  - O(zone_id), O(insecure_registries), O(plain_http_registries) and O(annotations) can be neither read back nor updated. They
    apply when the cache is created and are ignored for an existing cache.
  - A cache found in state C(Failed) cannot be updated. O(state=present) deletes and creates it again, with a
    warning that carries its failure events; it waits for the deletion whatever O(wait) says, and it needs the
    settings of a create (O(name), O(images), O(security_group_id), O(vswitch_ids)) before it deletes anything.
    With O(image_cache_id) the module refuses instead, before any change, since the new cache would have a new id -
    manage a Failed cache by O(name).
  - A rename (O(image_cache_id) with another O(name)) onto a name another cache has is refused before any change.
  - A cache in state C(UpdateFailed) is updated again with the given settings on every run until an update succeeds.
  - Stale caches. A cache holds the layers its image references pointed to when it was built; tags such as
    V(nginx:1.25) move. With O(state=present) the module resolves each image's manifest digest from its registry (one
    manifest read per image, from where the module runs, for O(image_platform), with O(image_registry_credentials),
    O(plain_http_registries), O(insecure_registries), E(HTTPS_PROXY) and E(NO_PROXY); reads the size check made are
    reused). When it creates or updates the cache and every image could be read, it records the digests on the cache
    in the tag C(alibabacloud.eci/digests), and RV(stale) compares that record with the digests the images resolve to
    now. See the guide "Keeping caches fresh" and O(refresh).
  - The record's value is C(v1:<platform>:sha256:<hex>) - the platform the digests were resolved for, and the sha256 of
    one line per image, C(<name>[:<tag>]@<digest>) in Docker's full form (C(docker.io/library/nginx:1.25@sha256:...)),
    sorted and joined by newlines. It is written only when the cache is built (a create or an update), since only then
    is the cache known to hold what the registries serve; an update when an image cannot be read removes it.
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
options:
  state:
    description:
      - V(present) creates the cache or brings it to the given settings; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - Name of the cache (API C(ImageCacheName)).
      - Identifies the cache when O(image_cache_id) is not given; then it is required.
      - With O(image_cache_id), a different name renames the cache.
    type: str
    aliases: [image_cache_name]
  image_cache_id:
    description:
      - Id of an existing cache to manage (API C(ImageCacheId)). The module never creates a cache with this option;
        an unknown id fails with O(state=present) and is not a change with O(state=absent); a C(Failed) cache (which
        only a new cache under a new id could replace) fails with O(state=present), before any change.
    type: str
  images:
    description:
      - Container images to cache (API C(Image.N)), 1 to 20 references such as
        V(registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25). Order does not matter.
      - Each image at most once, in Docker's canonical form - V(nginx) and V(docker.io/library/nginx:latest) are one
        image, and listing both is refused.
      - Required to create a cache.
    type: list
    elements: str
  image_cache_size:
    description:
      - Size of the cache in GiB (API C(ImageCacheSize)), 20 to 32768, or V(auto). The cloud's default is 20.
      - Creating a cache fails when the images are bigger than the cache; the product documents advise at least
        twice the images' size.
      - V(auto) measures the images in their registries (see O(size_check)) and picks the smallest allowed size that is
        at least twice their compressed size, rounded up to whole GiB, at least 20. It never shrinks an existing cache.
        An image that cannot be measured is left out of the sum, with a warning (or a failure with O(size_check=fail)).
    type: raw
  retention_days:
    description:
      - Days until the cache expires and is deleted (API C(RetentionDays)), 1 to 65536. Not set - never expires.
      - The API does not return it; the module reads it as C(ExpireDateTime) minus C(CreationTime), rounded to the
        nearest whole day, so a change (for example from 30 to 7) is detected and sent with C(UpdateImageCache), in
        check mode too. A cache without C(ExpireDateTime) never expires. The retention of a C(Failed) cache is
        unknown (its C(ExpireDateTime) is 24 hours after the failure) and never compared.
    type: int
  security_group_id:
    description:
      - Security group of the temporary instance that builds the cache (API C(SecurityGroupId)).
      - Required to create a cache. Not returned by the API.
    type: str
  vswitch_ids:
    description:
      - vSwitches of the temporary instance, 1 to 10 (API C(VSwitchId), sent comma-separated), each at most once - a
        repeated id is refused (not silently de-duplicated), since it is usually a typo for another vSwitch.
      - Required to create a cache. Not returned by the API.
    type: list
    elements: str
    aliases: [vswitch_id]
  zone_id:
    description:
      - Zone of the temporary instance (API C(ZoneId)). Applies at creation only; it can be neither read back nor
        updated.
    type: str
  eip_instance_id:
    description:
      - Elastic IP to bind to the temporary instance, for images on the internet when the VPC has no NAT gateway
        (API C(EipInstanceId)). Not returned by the API.
    type: str
  resource_group_id:
    description:
      - Resource group of the cache (API C(ResourceGroupId)).
    type: str
  auto_match_image_cache:
    description:
      - Reuse the layers of existing caches when building this one (API C(AutoMatchImageCache)).
        Not returned by the API.
    type: bool
  flash:
    description:
      - Build an instant cache from a local snapshot first (API C(Flash)). Not returned by the API.
    type: bool
  flash_copy_count:
    description:
      - Number of local snapshot copies for the instant cache (API C(FlashCopyCount)), 0 or more.
        Not returned by the API.
    type: int
  standard_copy_count:
    description:
      - Number of standard snapshot copies (API C(StandardCopyCount)), 0 or more. Not returned by the API.
    type: int
  elimination_strategy:
    description:
      - V(LRU) lets the cloud delete the cache when the quota is reached and it is the least recently used;
        an empty string keeps it (API C(EliminationStrategy)).
    type: str
    choices: ['', LRU]
  insecure_registries:
    description:
      - Registries, as host or host:port, whose certificates are not checked (API C(InsecureRegistry)).
        Applies at creation only.
    type: list
    elements: str
  plain_http_registries:
    description:
      - Registries, as host or host:port, reached over plain HTTP (API C(PlainHttpRegistry)). Applies at creation only.
    type: list
    elements: str
  image_registry_credentials:
    description:
      - Credentials for private registries, at most 10 (API C(ImageRegistryCredential.N)). Not returned by the API.
    type: list
    elements: dict
    suboptions:
      server:
        description: Registry host or host:port, without a scheme (API C(Server)).
        type: str
        required: true
      username:
        description: User name (API C(UserName)).
        type: str
        required: true
      password:
        description: Password (API C(Password)). Never returned, logged or shown in a diff.
        type: str
        required: true
  acr_registry_info:
    description:
      - Container Registry Enterprise Edition instances to pull from without a password (API C(AcrRegistryInfo.N)).
        Not returned by the API.
    type: list
    elements: dict
    suboptions:
      instance_id:
        description: Id of the ACR instance (API C(InstanceId)).
        type: str
        required: true
      instance_name:
        description: Name of the ACR instance (API C(InstanceName)).
        type: str
      region_id:
        description: Region of the ACR instance (API C(RegionId)).
        type: str
      domains:
        description: Domain names of the ACR instance (API C(Domain.N)).
        type: list
        elements: str
      arn_service:
        description: ARN of the RAM role of the ECI service for a cross-account instance (API C(ArnService)).
          Applies at creation only; UpdateImageCache does not take it.
        type: str
      arn_user:
        description: ARN of the RAM role of the ACR instance's account (API C(ArnUser)). Applies at creation only.
        type: str
  annotations:
    description:
      - Annotations of the cache, as a dict of strings (API C(Annotations) of C(CreateImageCache), sent as one JSON
        object with sorted keys).
      - Applies at creation only - C(UpdateImageCache) does not take them and the API does not return them, so they are
        neither compared nor updated. They are part of the create's C(ClientToken).
    type: dict
  tags:
    description:
      - Tags of the cache, as a dict (API C(Tag.N) at creation, then C(TagResources)/C(UntagResources)).
      - At most 19 - the cloud allows 20 per cache, and one is the collection's digest record C(alibabacloud.eci/digests)
        (see the description), which is reserved. Counting the tags the cache keeps, a cache carries at most 20; keys 1
        to 128 characters, values up to 128; neither may start with C(aliyun) or C(acs:) or contain C(http://) or
        C(https://) (in any case). The limits are checked before any change.
      - The digest record is not a user tag - it is never compared with O(tags), never removed by O(purge_tags), and
        diffs show it as C(image_digest_record), apart from C(tags).
      - Not set - the cache's tags are left alone.
    type: dict
  purge_tags:
    description:
      - With O(tags), remove the tags the cache has that O(tags) does not list.
      - System tags (keys starting with C(acs:) or C(aliyun)), which the cloud sets and users cannot remove, are never
        removed.
    type: bool
    default: true
  size_check:
    description:
      - Before a create, or an update that changes the images or the size (never for a rename, tags, retention or
        elimination strategy alone), read each image's manifest from its registry and sum the images' sizes - the
        uncompressed size where the registry states it, else the compressed size (the sum of the layers); the message
        says which was used. A multi-arch image is measured for O(image_platform). Registry credentials come from
        O(image_registry_credentials); O(plain_http_registries) and O(insecure_registries) apply.
      - The rule is a cache of at least twice its images. V(fail) stops the task before any change when the cache is
        smaller than that, or when an image cannot be measured; V(warn) warns instead and goes on; V(skip) does not
        measure (except for O(image_cache_size=auto), which needs the sizes).
      - It runs where the module runs, before the host lock is taken, honouring E(HTTPS_PROXY) and E(NO_PROXY). A
        registry reached only from inside the VPC (a C(registry-vpc) endpoint or a private address) that cannot be
        reached from here is reported in one line in RV(size_note), not as a warning or a failure.
      - The measurements are returned in RV(image_sizes); they are made in check mode too.
    type: str
    choices: [fail, warn, skip]
    default: warn
  image_platform:
    description:
      - The platform measured for multi-arch images, as os/architecture[/variant], and the platform whose manifest
        digest is resolved and recorded for stale caches (see O(refresh)).
      - At most 53 characters as recorded (lower case), so that the digest record fits in a tag value; checked before
        any call.
    type: str
    default: linux/amd64
  force_update:
    description:
      - Send C(UpdateImageCache) with every given setting even when the compared settings match, to apply the
        settings that cannot be read back (see the description).
      - Reports a change each time it sends an update.
    type: bool
    default: false
  refresh:
    description:
      - V(never) only reports whether the cache is stale (RV(stale)).
      - V(digest) rebuilds a stale cache in place - C(UpdateImageCache) with the same settings, so the cache keeps its
        id - and records the new digests. The update names the images (C(Image.N)) - the cache's own when O(images) is
        not given. RV(changes) names it C(update stale image digests), in check mode too, and the diff shows
        C(image_digest_record) moving. A cache whose staleness is unknown (RV(stale) null - not C(Ready), no record, or
        an image that cannot be read) is not rebuilt for its digests (an C(UpdateFailed) cache is updated again
        anyway); a cache without a record gets a warning, and O(force_update=true) rebuilds it once and records its
        digests.
      - Each rebuild is billed like an update. Images pinned by digest are never stale.
    type: str
    choices: [never, digest]
    default: never
  wait:
    description:
      - Wait for the cache to be C(Ready) after a create or an update, for it to disappear after a delete, and for a
        cache that is still being built or updated to settle before updating it.
      - Without it, the module returns once the API accepted the request, and fails when the cache must be updated
        but is not in C(Ready) or C(UpdateFailed).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds of wall time to wait, for each wait. On timeout the task fails with the cache's last status,
        progress and events. No API call of a wait runs past it.
      - A create confirms the cache it made for up to 90 seconds within this time; with less than 90 seconds, a cloud
        whose listing lags longer fails the task (with C(changed=true); a rerun finds the cache).
    type: int
    default: 1800
  lock_dir:
    description:
      - A directory shared by the runs that must take turns (see the description), for example a volume mounted into
        every AWX execution environment container. Created when missing; its lock files are group-writable.
      - If not set, the environment variable E(ALICLOUD_ECI_LOCK_DIR) is used, then a private directory of the user.
      - The lock covers runs that see the same directory; runs on other hosts rely on the C(ClientToken) alone.
    type: path
requirements:
  - alibabacloud-eci20180808 >= 2.1.0
extends_documentation_fragment:
  - alibabacloud.eci.common
attributes:
  check_mode:
    support: full
    description: Makes no change; reports the change a real run would make, with the predicted cache.
  diff_mode:
    support: full
    description: Shows the cache's settings before and after (predicted in check mode); passwords never appear.
"""

EXAMPLES = r"""
- name: Cache two images, waiting until the cache is Ready
  alibabacloud.eci.eci_image_cache:
    name: web-frontend
    images:
      - registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
      - registry.cn-hangzhou.aliyuncs.com/acs/redis:7
    image_cache_size: 40
    retention_days: 30
    security_group_id: sg-bp1fg655nh68xyz9****
    vswitch_ids: [vsw-bp1xpiowfm5vo8o3c****]
    tags:
      env: production
  register: cache

- name: Let the module size the cache from the images' real sizes (twice their size, at least 20 GiB)
  alibabacloud.eci.eci_image_cache:
    name: ml-runtime
    images:
      - registry.cn-hangzhou.aliyuncs.com/acs/python:3.11
    image_cache_size: auto
    size_check: fail
    security_group_id: sg-bp1fg655nh68xyz9****
    vswitch_ids: [vsw-bp1xpiowfm5vo8o3c****]
  register: sized

- name: Add an image in place; the cache keeps its id
  alibabacloud.eci.eci_image_cache:
    name: web-frontend
    images:
      - registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
      - registry.cn-hangzhou.aliyuncs.com/acs/redis:7
      - registry.cn-hangzhou.aliyuncs.com/acs/busybox:1.36

- name: Add a tag and keep the others
  alibabacloud.eci.eci_image_cache:
    name: web-frontend
    tags:
      owner: platform-team
    purge_tags: false

- name: Images from a private registry, with an EIP for the way out
  alibabacloud.eci.eci_image_cache:
    name: private-app
    images: [registry.example.com/team/app:2.3.1]
    security_group_id: sg-bp1fg655nh68xyz9****
    vswitch_ids: [vsw-bp1xpiowfm5vo8o3c****]
    eip_instance_id: eip-bp1q5ssmx8jmq7k8****
    image_registry_credentials:
      - server: registry.example.com
        username: puller
        password: "{{ vault_registry_password }}"

- name: Start a create and come back later
  alibabacloud.eci.eci_image_cache:
    name: nightly
    images: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25]
    security_group_id: sg-bp1fg655nh68xyz9****
    vswitch_ids: [vsw-bp1xpiowfm5vo8o3c****]
    wait: false

- name: Re-send the settings the API cannot read back (retention, network, credentials)
  alibabacloud.eci.eci_image_cache:
    name: web-frontend
    retention_days: 60
    force_update: true

- name: Annotations for the cache, sent with the create only
  alibabacloud.eci.eci_image_cache:
    name: annotated
    images: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25]
    security_group_id: sg-bp1fg655nh68xyz9****
    vswitch_ids: [vsw-bp1xpiowfm5vo8o3c****]
    annotations:
      team: web

- name: Rename a cache, found by its id
  alibabacloud.eci.eci_image_cache:
    image_cache_id: imc-2zebxkiifuyzzlhl5jzq
    name: web-frontend-v2

- name: Rebuild the cache in place when an image's tag has moved since it was built
  alibabacloud.eci.eci_image_cache:
    name: web-frontend
    images:
      - registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
      - registry.cn-hangzhou.aliyuncs.com/acs/redis:7
    refresh: digest
  register: refreshed

- name: Only report whether a cache is stale
  alibabacloud.eci.eci_image_cache:
    name: web-frontend
  register: checked
  check_mode: true

- name: Say which caches are stale
  ansible.builtin.debug:
    msg: "web-frontend is stale: {{ checked.stale }}"

- name: Delete a cache and wait until it is gone
  alibabacloud.eci.eci_image_cache:
    name: web-frontend
    state: absent
"""

RETURN = r"""
image_cache:
  description:
    - The cache as eci_image_cache_info returns it (see that module for every key); V({}) after a delete or when
      absent. In check mode, the predicted cache.
  returned: always
  type: dict
  sample:
    image_cache_id: imc-2zebxkiifuyzzlhl5jzq
    image_cache_name: web-frontend
    status: Ready
    progress: 100%
    images: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25]
    image_cache_size: 40
    tags: {env: production}
image_sizes:
  description:
    - The images measured by the size preflight (see O(size_check)); empty when nothing was measured.
    - Each entry is either the sizes of one image or, when it could not be measured, its C(image) and an C(error)
      with C(kind) (unreachable, unauthorized, not_found, invalid) and C(message).
  returned: always
  type: list
  elements: dict
  contains:
    image:
      description: The image as given.
      type: str
    registry:
      description: The registry host the manifest was read from.
      type: str
    platform:
      description: The platform measured.
      type: str
      sample: linux/amd64
    digest:
      description: Digest of the measured image manifest.
      type: str
    compressed_size:
      description: Sum of the layer sizes, in bytes.
      type: int
      sample: 4194304
    uncompressed_size:
      description: Uncompressed size in bytes when the registry states it, else null.
      type: int
    layers:
      description: Number of layers.
      type: int
    error:
      description: Why the image could not be measured.
      type: dict
size_note:
  description:
    - One line naming the images whose registry is reached only from inside the VPC and could not be measured from where
      the module runs (see O(size_check)).
  returned: when such images were not measured
  type: str
stale:
  description:
    - Whether the cache, as this run leaves it (predicted in check mode), holds older image content than its image
      references resolve to now - V(true) when the digest record on the cache differs from the digests the registries
      resolve now, V(false) when they are the same, when the cache was just built (is C(Ready)) and its digests
      recorded, or when every image is pinned by digest.
    - The record is written with the create (a tag of C(CreateImageCache)) and once an update is accepted, before the
      cloud has built the cache; so a cache that is not C(Ready) - C(Preparing), C(Creating), C(Updating) (also after
      this run with O(wait=false)), C(Failed) or C(UpdateFailed) - is V(null).
    - V(null) also when it cannot tell otherwise - the cache carries no digest record, an image could not be read (see
      RV(image_digests)), or the cache is absent.
  returned: always
  type: bool
  sample: false
image_digests:
  description:
    - The manifest digest each image of the cache resolves to now, for O(image_platform); empty when no image was read
      (O(state=absent), or no images known).
  returned: always
  type: list
  elements: dict
  contains:
    image:
      description: The image reference.
      type: str
      sample: registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
    digest:
      description:
        - The digest - for a multi-platform index, that of the entry for O(image_platform); for an image manifest, the
          registry's C(Docker-Content-Digest), or the sha256 of the manifest when the registry sends none. Null when the
          image could not be read.
      type: str
      sample: sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac
    pinned:
      description: Whether the reference is pinned by digest (never stale; not read from the registry).
      type: bool
    error:
      description: Why the image could not be read - C(kind) (unreachable, unauthorized, not_found, invalid) and C(message).
      type: dict
      returned: when the image could not be read
changes:
  description: What the run changed or, in check mode, would change.
  returned: always
  type: list
  elements: str
  sample: [update images, image_cache_size, tag env, record image digests]
"""

from typing import Any, NoReturn

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_reads
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.module_utils.host_lock import HostLock, configured_directory
from ansible_collections.alibabacloud.eci.plugins.module_utils.comparison import compare, diff_view, predict
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_TAGS
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import is_system_tag, normalize_desired_tags, tag_changes, tags_after
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_service import CacheGone, ImageCacheService, tag_change_names
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import (
    DIGESTS_TAG_KEY,
    REFRESH_CHANGE,
    decide_refresh,
    is_built,
    record_tag_changes,
    stale_after,
    unrecorded_warning,
    with_record,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec, parse_size
from ansible_collections.alibabacloud.eci.plugins.module_utils.module import AlibabaCloudModule
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import FAILED, UPDATABLE, is_deleting, is_transitional
from ansible_collections.alibabacloud.eci.plugins.module_utils.waiters import describe_events

# How long a run waits for its turn behind another run on this host that may be creating or deleting
# a cache of the same name; the holder needs one lookup, the size check and one create: seconds, normally.
CREATE_TURN_SECONDS = 120
# How often a run looks again and decides again when a cache it found is gone before it could act on it.
MAX_REDECISIONS = 3


class ImageCacheManager:
    """One run of the module: find the cache, decide, and let the image cache service act."""

    def __init__(self, module: AlibabaCloudModule, size_auto: bool, size: int | None) -> None:
        self.module = module
        self.connection = module.connection
        self.params = module.params
        self.size_auto = size_auto
        self.settings = dict(self.params, tags=normalize_desired_tags(self.params["tags"]), image_cache_size=size,
                             annotations=normalize_desired_tags(self.params["annotations"]))
        self.service = ImageCacheService(self.connection, self.params["wait_timeout"])
        self.planned = []        # in check mode: the changes a real run would make
        self.image_sizes = []
        self.size_note = None
        self.digests = None       # image_digests.read_current() of the images the cache is to hold, once read
        # Each image is measured and resolved once a run, each read bounded by read_timeout.
        self.reads = image_reads.RegistryReads(dict(connect_timeout=self.params["connect_timeout"],
                                                    read_timeout=self.params["read_timeout"]))
        self.stale = None         # what `stale` reports: the cache as this run leaves it
        self.found = None         # the preflight's lookup, when it can be reused
        self.create_turn = HostLock(
            f"create\n{self.connection.endpoints.get('eci')}\n{self.connection.region}\n"
            f"{self.params['name'] if not self.params['image_cache_id'] else 'id ' + self.params['image_cache_id']}",
            shared_directory=configured_directory(self.params["lock_dir"]))

    @property
    def changes(self) -> list[str]:
        return self.planned if self.module.check_mode else self.service.done

    def take_turn(self) -> None:
        """Wait for other runs on this host that may be creating or deleting this cache, so this run sees their work."""
        if not self.create_turn.acquire(CREATE_TURN_SECONDS):
            self.module.warn(f"Going on without the lock that makes runs on this host that create image cache {self.params['name']} take "
                             f"turns ({self.create_turn.problem}). No duplicate cache can result, but this run may report changed for a cache "
                             "another run created.")

    # ------------------------------------------------------------ lookups

    def find(self) -> dict[str, Any] | None:
        if self.found is not None:
            found, self.found = self.found, None
            return found
        if self.params["image_cache_id"]:
            return self.service.get(self.params["image_cache_id"])
        caches = self.service.find_by_name(self.params["name"])
        if len(caches) > 1:
            self.module.fail_json(
                f"{len(caches)} image caches are named {self.params['name']!r}: "
                f"{', '.join(sorted(c['image_cache_id'] for c in caches))}. Pass image_cache_id to choose one.",
                image_cache_ids=sorted(c["image_cache_id"] for c in caches))
        if caches:
            self.service.last_seen = caches[0]
        return caches[0] if caches else None

    # ------------------------------------------------------------ decisions

    def absent(self, cache: dict[str, Any] | None) -> NoReturn:
        if cache is None:
            return self.finish(None, {})
        if self.module.check_mode:
            self.planned.append("delete")
            return self.finish(cache, {})
        # A cache the cloud already shows as being deleted needs no second delete.
        if not is_deleting(cache["status"]):
            self.service.delete(cache, wait=self.params["wait"])
        if self.params["wait"]:
            self.service.wait_gone(cache["image_cache_id"])
        return self.finish(cache, {})

    def present(self, cache: dict[str, Any] | None) -> NoReturn:
        if cache is None and self.params["image_cache_id"]:
            self.module.fail_json(f"No image cache has the id {self.params['image_cache_id']} in region {self.connection.region}; "
                                  "image_cache_id only manages an existing cache. Leave it out and give name to create one.")
        chain = []
        if cache is not None and cache["status"] != FAILED and not is_deleting(cache["status"]):
            self.create_turn.release()  # nothing to create: runs waiting behind this one may go on
        if cache is not None and is_deleting(cache["status"]) and not self.params["wait"]:
            self.module.fail_json(f"Image cache {cache['image_cache_id']} is {cache['status']}; it cannot be kept or changed. Set wait: "
                                  "true to wait until it is gone and create it again, or run again later.",
                                  image_cache=cache)
        if cache is not None and is_transitional(cache["status"]) and self.params["wait"]:
            cache_id = cache["image_cache_id"]
            cache = self.service.wait_settled(cache_id, current=cache)
            if cache is None:
                raise CacheGone(cache_id, "WaitForImageCache")
        self.settle_size(cache, self.measure_sizes(cache))
        if cache is not None and cache["status"] == FAILED and self.params["image_cache_id"]:
            # Replacing a Failed cache creates one under a new id, which image_cache_id promises never to do.
            self.module.fail_json(
                f"Image cache {cache['image_cache_id']} ({cache['image_cache_name']}) is Failed and cannot be updated; replacing it "
                "would create a cache with a new id, and image_cache_id never creates. Nothing was changed. Manage it by name "
                f"(name: {cache['image_cache_name']}, without image_cache_id) to have it deleted and created again, or delete it "
                f"with state: absent. Its events: {describe_events(cache)}",
                image_cache=cache)
        if cache is not None and cache["status"] == FAILED:
            # Replacing means creating: check that a create can work before deleting anything.
            self.require_create_settings()
            self.module.warn(f"Image cache {cache['image_cache_name']} ({cache['image_cache_id']}) is Failed and cannot be updated; "
                             f"it is deleted and created again. Its events: {describe_events(cache)}")
            if self.module.check_mode:
                self.planned.append(f"replace failed cache {cache['image_cache_id']}")
            else:
                self.service.delete(cache, wait=True)
                self.service.wait_gone(cache["image_cache_id"])
            # This run deleted it: evidence that a token answered with it is answered with a gone cache.
            chain.append(cache["image_cache_id"])
            before, cache = cache, None
        else:
            before = cache
        self.read_digests(cache)  # reads only when the cache found now holds other images than the preflight's
        if cache is None:
            return self.create_new(before, chain)
        return self.converge(cache)

    def require_create_settings(self) -> None:
        problems = validate_settings(self.settings, creating_possible=True)
        if problems:
            self.module.fail_json(" ".join(problems))

    # ------------------------------------------------------------ size preflight

    def preflight(self) -> None:
        """Measure the images before the host lock is taken, so a slow registry never holds other runs.

        Looks the cache up (without the lock) to know whether the images or the size change; present()
        measures again only when the cache it finds under the lock needs other images measured.
        """
        measure = self.size_auto or self.params["size_check"] != "skip"
        if not self.size_auto and self.params["images"] is None and self.settings["image_cache_size"] is None:
            measure = False  # neither the images nor the size change: nothing to measure
        # The digests need the cache's images when the task does not give them.
        if not measure and self.params["images"] is not None:
            self.read_digests(None)
            return
        cache = self.find()
        if measure:
            self.measure_sizes(cache)
        self.read_digests(cache)
        # A live cache needs no create, so no turn: the lookup is reused (one call less).
        if cache is not None and cache["status"] != FAILED and not is_deleting(cache["status"]):
            self.found = cache

    def read_digests(self, cache: dict[str, Any] | None) -> None:
        """Resolve the digests of the images the cache is to hold (stale caches, image_digests.py), from where the
        module runs; an image that cannot be read is unknown. Reuses the size preflight's reads; reads each image once."""
        if image_reads.digest_images(self.params, cache):
            self.digests = image_reads.read_digests(self.reads, self.params, cache)

    def measure_sizes(self, cache: dict[str, Any] | None) -> dict[str, Any] | None:
        """Measure the images when they or the size change (image_reads.measure_sizes), each image once a run.
        Returns what settle_size() judges, or None when nothing is to be measured."""
        measured = image_reads.measure_sizes(self.reads, self.params, cache, self.settings["image_cache_size"], self.size_auto)
        if measured is not None:
            self.image_sizes = measured["image_sizes"]
        return measured

    def settle_size(self, cache: dict[str, Any] | None, measured: dict[str, Any] | None) -> None:
        """Sets settings["image_cache_size"] for auto from the measured images (None: nothing to do), and fails or
        warns when the size breaks the rule (at least twice the images). Changes the settings, so it runs under the
        host lock with the plan of the cache found there."""
        if measured is None:
            return
        outcome = image_reads.settle_size(measured, self.params, cache, self.settings["image_cache_size"], self.size_auto)
        self.size_note = outcome["size_note"]
        for warning in outcome["warnings"]:
            self.module.warn(warning)
        failure = outcome["failure"]
        if failure and failure["option"] == "image_cache_size":
            self.module.fail_json(f"image_cache_size auto: {failure['message']}.", image_sizes=self.image_sizes)
        if failure:
            self.module.fail_json(failure["message"], image_sizes=self.image_sizes, size_note=self.size_note)
        self.settings["image_cache_size"] = outcome["image_cache_size"]

    def create_new(self, before: dict[str, Any] | None, chain: list[str]) -> NoReturn:
        self.require_create_settings()
        # The digest record goes with the create's tags (the ClientToken leaves it out: settings.client_token).
        settings = dict(self.settings, tags=with_record(self.settings["tags"], self.digests))
        self.stale = stale_after(None, self.digests, True)
        if self.module.check_mode:
            self.planned.append("create")
            return self.finish(before, predict(None, settings, self.connection.region))
        cache, found = self.service.create(settings, chain, then_wait=self.params["wait"])
        self.create_turn.release()  # the next run in line now finds this cache
        if found:
            # The cloud refused this run's token as another request's, and a cache of this name exists now.
            return self.converge(cache)
        if self.params["wait"]:
            cache = self.service.wait_ready(cache["image_cache_id"], "be Ready", current=cache)
        return self.finish(before, cache)

    def converge(self, cache: dict[str, Any]) -> NoReturn:
        differences = compare(cache, self.settings)
        if differences == ["elimination_strategy"] and not self.settings["elimination_strategy"]:
            # Clearing LRU rebuilds the cache (billed) and some clouds ignore an empty strategy in an update:
            # never send it alone on every run; it goes with the next update of another setting.
            self.module.warn(f"Image cache {cache['image_cache_id']} has elimination_strategy {cache['elimination_strategy']} "
                             "and elimination_strategy '' asks to clear it; "
                             "an update is not sent for that alone, since the cloud may ignore it and each update "
                             "rebuilds the cache. It is sent with the next update of another setting; to be sure, "
                             "delete the cache and create it again.")
            differences = []
        if "image_cache_name" in differences:
            self.refuse_name_taken(cache)
        refresh = self.refresh_decision(cache)
        needs_update = (bool(differences) or self.params["force_update"] or cache["status"] == "UpdateFailed"
                        or refresh["refresh"])
        to_set, to_unset = tag_changes(cache["tags"], self.settings["tags"], self.params["purge_tags"])
        # The digest record changes only with a rebuild, after the update was accepted (set_tags follows update).
        record_set, record_unset = record_tag_changes(cache["tags"], self.digests, needs_update)
        to_set = dict(to_set)
        to_set.update(record_set)
        to_unset = sorted(to_unset + record_unset)
        self.stale = stale_after(refresh["stale"], self.digests, needs_update)
        warning = unrecorded_warning(cache, self.digests, self.params["refresh"], needs_update)
        if warning:
            self.module.warn(warning)
        final_tags = tags_after(cache["tags"], to_set, to_unset)
        if len(final_tags) > MAX_TAGS:
            kept = sorted(key for key in final_tags if is_system_tag(key) or key == DIGESTS_TAG_KEY)
            kept_note = f"system tags and the digest record kept: {', '.join(kept)}" if kept else "no system tags"
            purge_hint = "" if self.params["purge_tags"] else ", or purge_tags: true to remove the ones not listed"
            self.module.fail_json(
                f"tags: image cache {cache['image_cache_id']} would carry {len(final_tags)} tags, more than the {MAX_TAGS} the "
                f"cloud allows ({kept_note}). Nothing was changed. Give fewer tags{purge_hint}.",
                image_cache=cache)
        if needs_update and cache["status"] not in UPDATABLE:
            self.module.fail_json(
                f"Image cache {cache['image_cache_id']} is {cache['status']}; UpdateImageCache is only allowed in Ready or "
                "UpdateFailed. Set wait: true to wait for it to settle, or run again later.",
                image_cache=cache)
        reasons = differences + ([REFRESH_CHANGE] if refresh["refresh"] else [])
        update_change = "update " + ", ".join(reasons or (["force_update"] if self.params["force_update"]
                                                          else ["retry UpdateFailed"]))
        if self.module.check_mode or not (needs_update or to_set or to_unset):
            if needs_update:
                self.planned.append(update_change)
            untag_names, tag_names = tag_change_names(to_set, to_unset)
            self.planned.extend(untag_names + tag_names)
            after = cache
            if self.planned:
                after = predict(cache, self.settings, self.connection.region)
                after["tags"] = tags_after(after["tags"], record_set, record_unset)
            return self.finish(cache, after)
        if needs_update:
            # Without images in the task the update still names the cache's images (Image.N): whether the cloud
            # pulls them again for an update without any is undocumented, and a rebuild for stale digests needs it.
            update_settings = self.settings if self.settings["images"] is not None else dict(
                self.settings, images=list(cache.get("images") or []) or None)
            self.service.update(cache, update_settings, update_change, wait=self.params["wait"])
        self.service.set_tags(cache, to_set, to_unset)
        if needs_update and self.params["wait"]:
            readable = [key for key in differences if key != "elimination_strategy"]
            after = self.service.wait_updated(
                cache["image_cache_id"],
                lambda c: bool(readable) and not [key for key in compare(c, self.settings) if key in readable])
            ignored = compare(after, self.settings)
            if ignored:
                shown = ", ".join(f"{key}={after.get(key)!r}" for key in ignored)
                self.module.warn(f"The update of image cache {cache['image_cache_id']} was applied without {', '.join(ignored)}: "
                                 f"the cache shows {shown}. The cloud "
                                 f"did not apply {', '.join(ignored)}; this run does not send it again.")
        elif needs_update:
            after = self.service.get(cache["image_cache_id"]) or {}
        else:
            # Only tags changed, and the tag calls succeeded: the cache is what was predicted.
            after = predict(cache, self.settings, self.connection.region)
        return self.finish(cache, after)

    def refresh_decision(self, cache: dict[str, Any]) -> dict[str, Any]:
        """image_digests.decide_refresh for this cache."""
        if self.digests is None:
            return dict(stale=None, refresh=False, change=REFRESH_CHANGE, record_before=None)
        return decide_refresh(cache, self.digests, self.params["refresh"])

    def refuse_name_taken(self, cache: dict[str, Any]) -> None:
        """A rename onto a name another cache has would leave two caches of one name: every later run by name fails."""
        others = sorted(c["image_cache_id"] for c in self.service.find_by_name(self.params["name"])
                        if c["image_cache_id"] != cache["image_cache_id"])
        if others:
            self.module.fail_json(
                f"Cannot rename image cache {cache['image_cache_id']} to {self.params['name']!r}: image cache {', '.join(others)} "
                "already has that name, and two caches of one name cannot be managed by name. Nothing was changed. Choose "
                f"another name, or delete or rename {', '.join(others)} first.",
                image_cache=cache, image_cache_ids=others)

    def finish(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> NoReturn:
        result = dict(changed=bool(self.changes), changes=self.changes, image_cache=after or {}, image_sizes=self.image_sizes,
                      # A cache not built (yet, or failed) does not hold what its record says: stale unknown.
                      stale=self.stale if after and is_built(after.get("status")) else None,
                      image_digests=(self.digests or {}).get("digests") or [])
        if self.size_note:
            result["size_note"] = self.size_note
        if self.module.diff_mode:
            result["diff"] = dict(before=diff_view(before), after=diff_view(after))
        self.module.exit_json(**result)


def run(module: AlibabaCloudModule, size_auto: bool, size: int | None) -> None:
    manager = ImageCacheManager(module, size_auto, size)
    # Runs on this host take turns from the lookup to the create or delete (check mode changes nothing;
    # a lookup by id never creates).
    if module.params["state"] == "present":
        manager.preflight()  # before the lock: a slow registry must not hold other runs
    if not module.check_mode and manager.found is None and (
            module.params["state"] == "absent" or not module.params["image_cache_id"]):
        manager.take_turn()
    try:
        for attempt in range(MAX_REDECISIONS + 1):
            try:
                if module.params["state"] == "absent":
                    manager.absent(manager.find())
                else:
                    manager.present(manager.find())
            except CacheGone as gone:
                if not module.check_mode and not manager.create_turn.held and not module.params["image_cache_id"]:
                    manager.take_turn()  # the preflight's cache is gone: a create may follow, under the turn
                # The cache went away between the lookup and a call on it: look again and decide again.
                if attempt == MAX_REDECISIONS:
                    raise AlibabaCloudError(gone.action, "ImageCacheGone", f"image cache {gone.cache_id} went away {attempt + 1} "
                                            "times between the lookup and the change; giving up")
    except AlibabaCloudError as error:
        done = manager.service.done
        if done:
            # A failure after an accepted write is still a change: say what was done and the cache as last seen.
            module.fail_error(error, changed=True, changes=done, image_sizes=manager.image_sizes,
                              image_cache=getattr(error, "image_cache", None) or manager.service.last_seen or {})
        raise
    finally:
        manager.create_turn.release()


def main() -> None:
    module = AlibabaCloudModule(
        argument_spec=dict(
            image_cache_settings_spec(),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
        ),
        services=("eci",),
        required_one_of=[("name", "image_cache_id")],
        supports_check_mode=True,
    )
    params = module.params
    try:
        size_auto, size = parse_size(params["image_cache_size"])
    except (TypeError, ValueError):
        module.fail_json(f"image_cache_size must be a whole number of GiB from 20 to 32768, or auto; got {params['image_cache_size']!r}.")
    # What a create needs (images, security group, vSwitches) is checked once the lookup
    # shows that the cache must be created; everything else before any call.
    problems = validate_settings(dict(params, tags=normalize_desired_tags(params["tags"]), image_cache_size=size,
                                      annotations=normalize_desired_tags(params["annotations"])),
                                 creating_possible=False)
    if params["wait_timeout"] < 0:
        problems.append(f"wait_timeout must be 0 or more seconds, got {params['wait_timeout']}.")
    if problems:
        module.fail_json(" ".join(problems))
    module.run(lambda alibaba_module: run(alibaba_module, size_auto, size))


if __name__ == "__main__":
    main()
