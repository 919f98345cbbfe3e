# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: image_cache_problems
short_description: Check eci_image_cache settings with the module's own rules, without calling the API
version_added: 0.1.0
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
description:
  - Returns the problems that P(alibabacloud.eci.eci_image_cache#module) would report for these settings before any
    API call - the image-reference grammar, the API limits (size, retention, numbers of images, vSwitches and tags,
    tag rules), duplicate images and vSwitches, registry host names - as a list of messages; an empty list when
    there are none.
  - It runs the module's validation function, so a play (or the C(alibabacloud.eci.image_cache) role, which uses it
    before it reads the network) refuses exactly what the module refuses, with the same messages.
  - Settings that a create needs (images, security group, vSwitches) are not required here; the module checks them
    once it knows that it creates.
positional: variable_prefix
options:
  _input:
    description:
      - The settings, as a dict keyed by P(alibabacloud.eci.eci_image_cache#module) option names. Keys that are no
        checked option are ignored; V(null) and empty strings count as not given.
      - Integer options accept an integer or a string of decimal digits (as templating may give them);
        C(image_cache_size) also accepts V(auto).
      - List options (C(images), C(vswitch_ids), ...) given as a string are split at commas, as the module's
        argument spec does (V(nginx) is V([nginx])); C(image_platform) and C(refresh) are checked as by the module.
    type: dict
    required: true
  variable_prefix:
    description:
      - A prefix for the option names in the messages, for callers whose variables are named after the options
        (the role's are C(image_cache_) plus the option, so V(image_cache_) turns C(images) into
        C(image_cache_images)). An option already starting with the prefix keeps its name.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Refuse bad settings before anything is read
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join(' ') }}"
  vars:
    problems: "{{ {'name': 'web', 'images': ['nginx', 'docker.io/library/nginx:latest'], 'image_cache_size': 10}
                  | alibabacloud.eci.image_cache_problems }}"
"""

RETURN = r"""
_value:
  description:
    - One message per problem, each starting with the option (or variable) at fault and naming the allowed values.
  type: list
  elements: str
"""

import re
from collections.abc import Mapping
from typing import Any, Callable

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.validation import check_type_list

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import normalize_desired_tags
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_SIZE_GIB, MIN_SIZE_GIB

INTEGER_OPTIONS = ("image_cache_size", "retention_days", "flash_copy_count", "standard_copy_count")
DICT_OPTIONS = ("tags", "annotations")
# The module's list options, converted as its argument spec converts them (check_type_list: a string is split at commas).
LIST_OPTIONS = tuple(sorted(option for option, spec in image_cache_settings_spec(defaults=False).items()
                            if spec.get("type") == "list"))
DICT_LIST_OPTIONS = tuple(option for option, spec in image_cache_settings_spec(defaults=False).items()
                          if spec.get("type") == "list" and spec.get("elements") == "dict")
# The option a message of validate_settings starts with.
_LEADING_OPTION = re.compile(r"^([a-z_]+)(?=[: ])")


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r"^\s*-?[0-9]+\s*\Z", value):
        return int(value)
    return None


def image_cache_problems(settings: Any, variable_prefix: str = "") -> list[str]:
    """The messages of validate_settings for eci_image_cache-style settings (option names prefixed)."""
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError(f"image_cache_problems: the input must be a dict of eci_image_cache settings, got "
                                 f"{type(settings).__name__}.")
    params = dict((key, value) for key, value in settings.items() if value is not None and value != "")
    # '' is a value of elimination_strategy (no strategy), so it is kept.
    if settings.get("elimination_strategy") == "":
        params["elimination_strategy"] = ""
    problems: list[str] = []
    for option in INTEGER_OPTIONS:
        if option not in params:
            continue
        if option == "image_cache_size" and isinstance(params[option], str) and params[option].strip().lower() == "auto":
            del params[option]
            continue
        number = _integer(params[option])
        if number is None:
            bounds = f" of GiB from {MIN_SIZE_GIB} to {MAX_SIZE_GIB}, or auto" if option == "image_cache_size" else ""
            problems.append(f"{option} must be a whole number{bounds}, got {params.pop(option)!r}.")
        else:
            params[option] = number
    for option in LIST_OPTIONS:
        if option in params:
            try:
                params[option] = check_type_list(params[option])
            except TypeError:
                problems.append(f"{option} must be a list, got {params.pop(option)!r}.")
                continue
            if option in DICT_LIST_OPTIONS and not all(isinstance(entry, Mapping) for entry in params[option]):
                problems.append(f"{option}: every entry must be a dict, got {params.pop(option)!r}.")
    for option in DICT_OPTIONS:
        if option in params:
            if isinstance(params[option], Mapping):
                params[option] = normalize_desired_tags(params[option])
            else:
                problems.append(f"{option} must be a dict, got {params.pop(option)!r}.")
    problems.extend(validate_settings(params, creating_possible=False))
    if variable_prefix:
        problems = [_LEADING_OPTION.sub(lambda m: m.group(1) if m.group(1).startswith(variable_prefix) else variable_prefix + m.group(1),
                                        problem, count=1)
                    for problem in problems]
    return problems


class FilterModule:
    """alibabacloud.eci filters."""

    def filters(self) -> dict[str, Callable[..., list[str]]]:
        return {"image_cache_problems": image_cache_problems}
