# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The argument spec of one image cache's settings: eci_image_cache's options, and each item of eci_image_caches.

One spec for both modules, so an option added to eci_image_cache is an option of every item of a set at once
(tests/unit/plugins/module_utils/test_image_cache_fleet.py checks both modules build from it). The settings' entries
come from their rows of the settings table, so a CreateImageCache parameter is added in one place.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import REFRESH_CHOICES
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import SETTINGS

# The options that are no setting of the cache: what to do, how to find it, how to check and refresh it.
# Every other option is a row of the settings table (settings.SETTINGS), which carries its spec entry.
_NOT_SETTINGS = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    image_cache_id=dict(type="str"),
    purge_tags=dict(type="bool", default=True),
    size_check=dict(type="str", default="warn", choices=["fail", "warn", "skip"]),
    image_platform=dict(type="str", default="linux/amd64"),
    force_update=dict(type="bool", default=False),
    refresh=dict(type="str", default="never", choices=list(REFRESH_CHOICES)),
    lock_dir=dict(type="path"),
)


def _build() -> dict[str, dict[str, Any]]:
    spec = copy.deepcopy(_NOT_SETTINGS)
    for setting in SETTINGS:
        spec[setting.option] = copy.deepcopy(setting.spec)
    return spec


_SPEC = _build()


def image_cache_settings_spec(defaults: bool = True) -> dict[str, dict[str, Any]]:
    """A fresh copy of the spec. defaults=False: no option has a default, for specs whose values are merged
    (eci_image_caches' `defaults` under each item) before the defaults apply (see settings_defaults)."""
    spec = copy.deepcopy(_SPEC)
    if not defaults:
        for option in spec.values():
            option.pop("default", None)
    return spec


def set_item_spec() -> dict[str, dict[str, Any]]:
    """The options of one item of eci_image_caches (and of its `defaults`): the spec without defaults, and take_over,
    which only a set has (a cache that carries another set's management value is that set's unless the item says so)."""
    return dict(image_cache_settings_spec(defaults=False), take_over=dict(type="bool"))


def settings_defaults() -> dict[str, Any]:
    """The default of each option that has one."""
    return dict((name, option["default"]) for name, option in _SPEC.items() if "default" in option)


def parse_size(value: Any) -> tuple[bool, int | None]:
    """image_cache_size as (auto, GiB or None); ValueError for anything else."""
    if value is None:
        return False, None
    if isinstance(value, str) and value.strip().lower() == "auto":
        return True, None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return False, int(str(value).strip()) if isinstance(value, str) else int(value)
