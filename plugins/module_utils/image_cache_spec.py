# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The argument spec of one image cache's settings: eci_image_cache's options, and each item of eci_image_caches.

One spec for both modules, so an option added to eci_image_cache is an option of every item of a set at once
(tests/unit/plugins/module_utils/test_image_cache_fleet.py checks both modules build from it).
"""

from __future__ import annotations

import copy

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import ELIMINATION_STRATEGIES
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import REFRESH_CHOICES

_SPEC = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    name=dict(type="str", aliases=["image_cache_name"]),
    image_cache_id=dict(type="str"),
    images=dict(type="list", elements="str"),
    image_cache_size=dict(type="raw"),
    retention_days=dict(type="int"),
    security_group_id=dict(type="str"),
    vswitch_ids=dict(type="list", elements="str", aliases=["vswitch_id"]),
    zone_id=dict(type="str"),
    eip_instance_id=dict(type="str"),
    resource_group_id=dict(type="str"),
    auto_match_image_cache=dict(type="bool"),
    flash=dict(type="bool"),
    flash_copy_count=dict(type="int"),
    standard_copy_count=dict(type="int"),
    elimination_strategy=dict(type="str", choices=list(ELIMINATION_STRATEGIES)),
    insecure_registries=dict(type="list", elements="str"),
    plain_http_registries=dict(type="list", elements="str"),
    image_registry_credentials=dict(type="list", elements="dict", options=dict(
        server=dict(type="str", required=True),
        username=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
    )),
    acr_registry_info=dict(type="list", elements="dict", options=dict(
        instance_id=dict(type="str", required=True),
        instance_name=dict(type="str"),
        region_id=dict(type="str"),
        domains=dict(type="list", elements="str"),
        arn_service=dict(type="str"),
        arn_user=dict(type="str"),
    )),
    annotations=dict(type="dict"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    size_check=dict(type="str", default="warn", choices=["fail", "warn", "skip"]),
    image_platform=dict(type="str", default="linux/amd64"),
    force_update=dict(type="bool", default=False),
    refresh=dict(type="str", default="never", choices=list(REFRESH_CHOICES)),
    lock_dir=dict(type="path"),
)


def image_cache_settings_spec(defaults=True):
    """A fresh copy of the spec. defaults=False: no option has a default, for specs whose values are merged
    (eci_image_caches' `defaults` under each item) before the defaults apply (see settings_defaults)."""
    spec = copy.deepcopy(_SPEC)
    if not defaults:
        for option in spec.values():
            option.pop("default", None)
    return spec


def settings_defaults():
    """The default of each option that has one."""
    return dict((name, option["default"]) for name, option in _SPEC.items() if "default" in option)


def parse_size(value):
    """image_cache_size as (auto, GiB or None); ValueError for anything else."""
    if value is None:
        return False, None
    if isinstance(value, str) and value.strip().lower() == "auto":
        return True, None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return False, int(str(value).strip()) if isinstance(value, str) else int(value)
