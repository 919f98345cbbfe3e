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
  - Creates, updates in place and deletes Elastic Container Instance image caches, idempotently, with check mode and
    diff mode. The cache is found by O(image_cache_id), else by its exact O(name); several caches of one name fail
    the task, listing their ids.
  - A create sends a C(ClientToken) derived from the canonical request and is confirmed by the id it answers, so
    retries and runs with settings that mean the same make one cache. Runs on one host (see O(lock_dir)) take turns
    from the lookup until the create is confirmed.
  - The settings the API returns are compared and updated in place (C(UpdateImageCache), then tag calls); the others
    are sent at creation and, where C(UpdateImageCache) takes them, with any update and O(force_update=true).
  - A C(Failed) cache is built again only when O(images), O(image_cache_size) or the network and registries (the tag
    C(alibabacloud.eci/build)) differ from the failed build, or with O(force_update=true); else the task fails.
  - O(wait_timeout) is one deadline for the whole task.
  - RV(stale) tells whether the images' tags moved since the cache was built; O(refresh=digest) rebuilds it.
  - The same engine decides every item of M(alibabacloud.eci.eci_image_caches). The rules in detail are in the
    guides "How one cache is decided" (docs/docsite/rst/one_cache.rst) and "Keeping caches fresh".
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
      - At most 18 - the cloud allows 20 per cache, and two are the collection's records C(alibabacloud.eci/digests)
        and C(alibabacloud.eci/build) (see the description), which are reserved. Counting the tags the cache keeps, a
        cache carries at most 20; keys 1 to 128 characters, values up to 128; neither may start with C(aliyun) or
        C(acs:) or contain C(http://) or C(https://) (in any case). The limits are checked before any change.
      - The records are not user tags - they are never compared with O(tags), never removed by O(purge_tags), and
        diffs show them as C(image_digest_record) and C(build_record), apart from C(tags).
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
        reached from here is reported in one line in RV(size_note), not as a warning or a failure. For a
        C(registry-vpc) endpoint of another region than O(region), which the cache's VPC does not reach either
        (unless the VPCs are connected by CEN), the line names both regions and says what to do.
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
      - Seconds of wall time for the whole task - one deadline for the create's confirmation, every wait and, with
        O(wait), the registry reads. On timeout the task fails with the cache's last status, progress and events. No
        API call of a wait runs past it.
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
    - Images on a Container Registry VPC endpoint of another region than the cache's are named with both regions; the
      cache's VPC does not reach that endpoint unless the VPCs are connected by CEN, so the build will most likely fail
      to pull them; the line says to use the registry's public endpoint or a VPC endpoint of the cache's region, or CEN.
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
stale_reason:
  description:
    - Why RV(stale) is null - the cache is absent or not C(Ready), carries no digest record, or an image could not be
      read (naming the image and the error); null when RV(stale) is known.
  returned: always
  type: str
  sample: "the cache carries no record of its images' digests (tag alibabacloud.eci/digests): ..."
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

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_cache_service, image_reads
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_engine import CacheEngine, Deadline, Refusal
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec, parse_size
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.module import AlibabaCloudModule
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import normalize_desired_tags


def run(module: AlibabaCloudModule, size_auto: bool, size: int | None) -> None:
    """The engine decides and acts (image_cache_engine); this says what it did, or why not, to Ansible."""
    params = module.params
    # One deadline for the whole task: the create's confirmation, every wait and the registry reads.
    deadline = Deadline(params["wait_timeout"], image_cache_service.CLOCK)
    reads = image_reads.RegistryReads(dict(connect_timeout=params["connect_timeout"], read_timeout=params["read_timeout"]),
                                      deadline if params["wait"] else None, region=module.connection.region)
    engine = CacheEngine(module.connection, dict(params, image_cache_size=size, size_auto=size_auto), module.check_mode,
                         deadline, reads)
    try:
        engine.run()
    except Refusal as refusal:
        for warning in engine.warnings:
            module.warn(warning)
        fields = engine.refused(refusal)
        module.fail_json(refusal.message, **dict(engine.result(module.diff_mode), **fields))
    except AlibabaCloudError as error:
        for warning in engine.warnings:
            module.warn(warning)
        done = engine.service.done
        if done:
            # A failure after an accepted write is still a change: say what was done and the cache as last seen.
            module.fail_error(error, changed=True, changes=done, image_sizes=engine.image_sizes,
                              image_cache=getattr(error, "image_cache", None) or engine.service.last_seen or {})
        raise
    for warning in engine.warnings:
        module.warn(warning)
    module.exit_json(**engine.result(module.diff_mode))


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
