#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eci_image_caches
short_description: Bring a set of Alibaba Cloud ECI image caches to their settings in one step, built in parallel
version_added: 0.1.0
description:
  - Manages a list of image caches of one region in one task; each item of O(caches) is what one
    M(alibabacloud.eci.eci_image_cache) task takes, and it is decided and acted on by the same code, so each cache
    keeps every rule of that module (refusals, C(Failed) caches, tags, refresh, the host turn, check and diff mode).
  - The set adds only parallelism - one region listing finds every cache, the writes of all caches are sent without
    waiting between them, and one shared wait follows - so a set takes about one build time.
  - O(wait_timeout) is one deadline for the whole task.
  - One cache's failure does not stop the others; the task fails at the end, names every cache that failed, and
    keeps every cache's result in RV(results).
  - With O(management_tag_value), every cache of the set carries the management tag, and O(purge=true) deletes the
    caches that carry it and that the list does not name, each read again by id right before its delete.
  - The play's C(module_defaults) for M(alibabacloud.eci.eci_image_cache) and for the group apply to the items and to
    the connection; C(async) and diff mode work.
  - The guide "Image cache sets" tells the costs, the purge's ownership rules and the host turn.
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
options:
  caches:
    description:
      - The caches of the set, each a dict of the options of M(alibabacloud.eci.eci_image_cache) (C(name),
        C(images), C(image_cache_size), C(tags), C(state), ...), except the
        connection options and O(wait) and O(wait_timeout), which are options of the set. The items are checked by
        the same argument spec as M(alibabacloud.eci.eci_image_cache)'s options, so a password is hidden everywhere
        and an unknown key is an error.
      - Values in O(defaults) apply to every item that does not set them (an item's null counts as not set); then
        the option's default.
      - A cache may be listed once (by name, or by image_cache_id; two items that find one cache are refused
        before any change).
      - An item's O(caches[].tags) must not carry O(management_tag_key); the set adds it.
    type: list
    elements: dict
    required: true
    suboptions: &item_options
      state:
        description: As O(alibabacloud.eci.eci_image_cache#module:state); not set anywhere - V(present).
        type: str
        choices: [present, absent]
      name:
        description: As O(alibabacloud.eci.eci_image_cache#module:name).
        type: str
        aliases: [image_cache_name]
      image_cache_id:
        description: As O(alibabacloud.eci.eci_image_cache#module:image_cache_id).
        type: str
      images:
        description: As O(alibabacloud.eci.eci_image_cache#module:images).
        type: list
        elements: str
      image_cache_size:
        description: As O(alibabacloud.eci.eci_image_cache#module:image_cache_size).
        type: raw
      retention_days:
        description: As O(alibabacloud.eci.eci_image_cache#module:retention_days).
        type: int
      security_group_id:
        description: As O(alibabacloud.eci.eci_image_cache#module:security_group_id).
        type: str
      vswitch_ids:
        description: As O(alibabacloud.eci.eci_image_cache#module:vswitch_ids).
        type: list
        elements: str
        aliases: [vswitch_id]
      zone_id:
        description: As O(alibabacloud.eci.eci_image_cache#module:zone_id).
        type: str
      eip_instance_id:
        description: As O(alibabacloud.eci.eci_image_cache#module:eip_instance_id).
        type: str
      resource_group_id:
        description: As O(alibabacloud.eci.eci_image_cache#module:resource_group_id).
        type: str
      auto_match_image_cache:
        description: As O(alibabacloud.eci.eci_image_cache#module:auto_match_image_cache).
        type: bool
      flash:
        description: As O(alibabacloud.eci.eci_image_cache#module:flash).
        type: bool
      flash_copy_count:
        description: As O(alibabacloud.eci.eci_image_cache#module:flash_copy_count).
        type: int
      standard_copy_count:
        description: As O(alibabacloud.eci.eci_image_cache#module:standard_copy_count).
        type: int
      elimination_strategy:
        description: As O(alibabacloud.eci.eci_image_cache#module:elimination_strategy).
        type: str
        choices: ['', LRU]
      insecure_registries:
        description: As O(alibabacloud.eci.eci_image_cache#module:insecure_registries).
        type: list
        elements: str
      plain_http_registries:
        description: As O(alibabacloud.eci.eci_image_cache#module:plain_http_registries).
        type: list
        elements: str
      image_registry_credentials:
        description: As O(alibabacloud.eci.eci_image_cache#module:image_registry_credentials).
        type: list
        elements: dict
        suboptions:
          server:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
            required: true
          username:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
            required: true
          password:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
            required: true
      acr_registry_info:
        description: As O(alibabacloud.eci.eci_image_cache#module:acr_registry_info).
        type: list
        elements: dict
        suboptions:
          instance_id:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
            required: true
          instance_name:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
          region_id:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
          domains:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: list
            elements: str
          arn_service:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
          arn_user:
            description: As in M(alibabacloud.eci.eci_image_cache).
            type: str
      annotations:
        description: As O(alibabacloud.eci.eci_image_cache#module:annotations).
        type: dict
      tags:
        description:
          - As O(alibabacloud.eci.eci_image_cache#module:tags), but at most 17 tags - every cache of the set also
            carries the management tag (O(management_tag_key)) and the collection's records
            C(alibabacloud.eci/digests) and C(alibabacloud.eci/build), and the cloud allows 20 tags per cache. More is
            refused before any API call.
        type: dict
      purge_tags:
        description: As O(alibabacloud.eci.eci_image_cache#module:purge_tags); not set anywhere - V(true).
        type: bool
      size_check:
        description: As O(alibabacloud.eci.eci_image_cache#module:size_check); not set anywhere - V(warn).
        type: str
        choices: [fail, warn, skip]
      image_platform:
        description:
          - As O(alibabacloud.eci.eci_image_cache#module:image_platform); not set anywhere - V(linux/amd64).
          - Checked before any API call (C(os/architecture[/variant]); V(amd64) alone is refused).
        type: str
      force_update:
        description: As O(alibabacloud.eci.eci_image_cache#module:force_update); not set anywhere - V(false).
        type: bool
      refresh:
        description:
          - As O(alibabacloud.eci.eci_image_cache#module:refresh); not set anywhere - V(never).
          - With V(digest), a cache whose images' tags have moved since it was built is rebuilt in place, sent with
            the set's other updates and waited for with them.
        type: str
        choices: [never, digest]
      lock_dir:
        description: As O(alibabacloud.eci.eci_image_cache#module:lock_dir).
        type: path
      take_over:
        description:
          - A cache found with O(management_tag_key) set to another set's value belongs to that set; the item is refused,
            naming the other set, unless O(caches[].take_over=true), which makes the cache this set's.
          - Not set anywhere - V(false).
        type: bool
  defaults:
    description:
      - Options of M(alibabacloud.eci.eci_image_cache) that every item of O(caches) takes unless it sets them itself,
        for example the network (C(vswitch_ids), C(security_group_id)) or tags.
      - The play's C(module_defaults) for M(alibabacloud.eci.eci_image_cache) (and the group C(group/alibabacloud.eci.eci))
        apply to every item too, below O(defaults), as they do to an M(alibabacloud.eci.eci_image_cache) task.
    type: dict
    default: {}
    suboptions: *item_options
  labels:
    description:
      - How messages name an item's option and an option of O(defaults), for a caller that builds O(caches) and
        O(defaults) from its own variables, so that its users read the names they wrote. The role
        C(alibabacloud.eci.image_cache) passes V(image_cache_list) as O(labels.caches) and V(image_cache_) as
        O(labels.defaults), so a message names C(image_cache_list[2].image_cache_size) or the role variable
        C(image_cache_size_check).
    type: dict
    default: {}
    suboptions:
      caches:
        description: The name of the list; an item's option is then C(<caches>[2].image_cache_size).
        type: str
        default: caches
      defaults:
        description: The prefix of an option of O(defaults) (C(<defaults>size_check)); an option that already starts
          with it is named as it is.
        type: str
        default: defaults.
  purge:
    description:
      - Delete the caches of the region that carry the set's management tag with this set's O(management_tag_value)
        and that O(caches) does not name. Needs O(management_tag_value).
      - Right before each delete the cache is read again by id, and deleted only if it still carries this set's value
        and the list does not name it; otherwise it is left alone with a warning.
      - Caches without the tag are never touched. In check mode, RV(results) shows what would be deleted.
      - With an empty O(caches), every cache of the set would be deleted; that needs O(purge_all=true) too.
    type: bool
    default: false
  purge_all:
    description:
      - Confirms that O(purge=true) with an empty O(caches) deletes every cache of the set.
    type: bool
    default: false
  management_tag_key:
    description:
      - Key of the tag that marks the caches of this set. It is set on every cache the task manages.
      - The rules of tag keys apply - 1 to 128 characters, not starting with C(aliyun) or C(acs:), no C(http://) or
        C(https://).
    type: str
    default: ansible-eci-set
  management_tag_value:
    description:
      - Value of the management tag, naming this set; give each set (per application, team or playbook) its own
        value. There is no default - without it the caches carry no management tag and O(purge) is refused.
      - The rules of tag values apply - up to 128 characters, not starting with C(aliyun) or C(acs:), no C(http://) or
        C(https://).
    type: str
  wait:
    description:
      - Wait for every created or updated cache to be C(Ready), and every deleted cache to be gone, all together.
      - Without it, the task returns once the API accepted every request.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds of wall time for the whole task (as in M(alibabacloud.eci.eci_image_cache)), from its start to the end of its last wait (one deadline for every
        cache, not one per cache or per wait). On timeout, every cache not yet done fails with its last status,
        progress and events. No API call runs past it.
    type: int
    default: 1800
requirements:
  - alibabacloud-eci20180808 >= 2.1.0
extends_documentation_fragment:
  - alibabacloud.eci.common
attributes:
  check_mode:
    support: full
    description: Makes no change; reports per cache the changes a real run would make, with the predicted cache.
  diff_mode:
    support: full
    description: Shows each cache's settings before and after (one diff per cache); passwords never appear.
seealso:
  - module: alibabacloud.eci.eci_image_cache
  - module: alibabacloud.eci.eci_image_cache_info
"""

EXAMPLES = r"""
- name: The caches of the web team, built in parallel
  alibabacloud.eci.eci_image_caches:
    region: cn-hangzhou
    management_tag_value: web-team
    defaults:
      vswitch_ids: [vsw-demo]
      security_group_id: sg-demo
      tags: {team: web}
    caches:
      - name: web-frontend
        images: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25]
      - name: web-api
        images: [registry.cn-hangzhou.aliyuncs.com/acs/python:3.12]
        image_cache_size: 40

- name: Same set, and delete the team's caches the list no longer names
  alibabacloud.eci.eci_image_caches:
    region: cn-hangzhou
    management_tag_value: web-team
    purge: true
    defaults:
      vswitch_ids: [vsw-demo]
      security_group_id: sg-demo
    caches:
      - name: web-frontend
        images: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25]
"""

RETURN = r"""
results:
  description:
    - One entry per item of O(caches), in their order, then one per cache deleted by O(purge).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The cache's name (or id, when the item gave only image_cache_id).
      type: str
    index:
      description: The item's index in O(caches); null for a purged cache.
      type: int
    purged:
      description: Present and true for a cache deleted by O(purge).
      type: bool
    changed:
      description: Whether the cloud accepted a change of this cache (in check mode, whether it would).
      type: bool
    changes:
      description: What was changed, as RV(alibabacloud.eci.eci_image_cache#module:changes).
      type: list
      elements: str
    image_cache:
      description: The cache as eci_image_cache_info returns it; V({}) when deleted or absent; predicted in check mode.
      type: dict
    failure:
      description: Null, or why this cache failed (C(msg), C(code), C(request_id)).
      type: dict
    image_sizes:
      description: The size check's measurements, as RV(alibabacloud.eci.eci_image_cache#module:image_sizes).
      type: list
      elements: dict
    size_note:
      description: As RV(alibabacloud.eci.eci_image_cache#module:size_note), when such images were not measured.
      type: str
    stale:
      description:
        - As RV(alibabacloud.eci.eci_image_cache#module:stale) - V(true) when a tag of the cache's images has moved since
          it was built, V(false) when not, null when that could not be told (also for a cache deleted by O(purge)).
      type: bool
    stale_reason:
      description:
        - Why RV(results[].stale) is null, as RV(alibabacloud.eci.eci_image_cache#module:stale_reason); null when it is known.
      type: str
    image_digests:
      description:
        - The images' digests read for this cache, as RV(alibabacloud.eci.eci_image_cache#module:image_digests);
          V([]) for a cache deleted by O(purge).
      type: list
      elements: dict
    diff:
      description: The cache's settings before and after, in diff mode.
      type: dict
failed_caches:
  description: Names of the caches that failed.
  returned: always
  type: list
  elements: str
"""

from typing import Any

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_fleet import (
    ITEM_SPEC,
    SetProblem,
    management_tag_problems,
    run_set,
    validate_items,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.module import AlibabaCloudModule


def run(module: AlibabaCloudModule, items: list[dict[str, Any]]) -> None:
    params = module.params
    try:
        members = run_set(module.connection, items, params["wait"], params["wait_timeout"], module.check_mode,
                          (params["management_tag_key"], params["management_tag_value"]), params["purge"],
                          registry_timeouts=dict(connect_timeout=params["connect_timeout"],
                                                 read_timeout=params["read_timeout"]), labels=params["labels"])
    except SetProblem as problem:
        module.fail_json(str(problem), changed=False)
    results = []
    for member in members:
        for warning in member.warnings:
            module.warn(warning)
        results.append(member.result(module.diff_mode))
    failed = [r for r in results if r["failure"]]
    outcome = dict(changed=any(r["changed"] for r in results), results=results, failed_caches=[r["name"] for r in failed])
    if module.diff_mode:
        # At the task level, one diff per cache (Ansible shows a list of diffs one after another).
        outcome["diff"] = [dict(r["diff"], before_header=r["name"], after_header=r["name"]) for r in results
                           if r.get("diff") and r["diff"]["before"] != r["diff"]["after"]]
    if failed:
        module.fail_json(f"{len(failed)} of {len(results)} image caches failed: " + "; ".join(
            f"{r['name']}: {r['failure']['msg']}" for r in failed), **outcome)
    module.exit_json(**outcome)


def main() -> None:
    module = AlibabaCloudModule(
        argument_spec=dict(
            caches=dict(type="list", elements="dict", required=True, options=ITEM_SPEC),
            defaults=dict(type="dict", default={}, options=ITEM_SPEC),
            labels=dict(type="dict", default={}, options=dict(
                caches=dict(type="str", default="caches"),
                defaults=dict(type="str", default="defaults."),
            )),
            purge=dict(type="bool", default=False),
            purge_all=dict(type="bool", default=False),
            management_tag_key=dict(type="str", default="ansible-eci-set", no_log=False),
            management_tag_value=dict(type="str"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
        ),
        services=("eci",),
        supports_check_mode=True,
    )
    params = module.params
    management_tag = (params["management_tag_key"], params["management_tag_value"])
    problems = management_tag_problems(*management_tag)
    items, item_problems = validate_items(params["caches"], params["defaults"], management_tag, params["labels"])
    problems.extend(item_problems)
    if params["wait_timeout"] < 0:
        problems.append(f"wait_timeout must be 0 or more seconds, got {params['wait_timeout']}.")
    if params["purge"] and not params["management_tag_value"]:
        problems.append("purge: true needs management_tag_value, the value that names this set; there is no shared default, "
                        "so that one set's purge never deletes another set's caches.")
    if params["purge"] and not params["caches"] and not params["purge_all"]:
        problems.append("purge: true with an empty caches deletes every cache of the set; set purge_all: true to confirm.")
    if problems:
        module.fail_json(" ".join(problems), problems=problems)
    module.run(lambda alibaba_module: run(alibaba_module, items))


if __name__ == "__main__":
    main()
