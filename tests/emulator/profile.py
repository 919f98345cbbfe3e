# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Behaviour switches: how the twin plays the cloud where the cloud is not documented (see README.md, "Profiles").

A profile is a mapping of the switches below. Built-in profiles are tests/emulator/profiles/<name>.yml;
`default` is the friendliest plausible cloud (the twin's behaviour before profiles existed), `hostile` the most
demanding plausible value of every switch. A profile file may give any subset of the keys: the rest come from
`default`.
"""

from __future__ import annotations

import math
import os
from typing import Any

import yaml

PROFILE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'profiles')

# key -> (kind, allowed values or None). Kinds: seconds (number >= 0), count (integer >= 1), choice, code
# (non-empty string), statuses (list of status names), tags (mapping of acs: keys to string values).
SWITCHES = {
    'visibility_lag': ('seconds', None),
    'update_lag': ('seconds', None),
    'delete_lag': ('seconds', None),
    'page_limit_max': ('count', None),
    'page_limit_over': ('choice', ('reject', 'cap')),
    'busy_delete': ('choice', ('allow', 'reject')),
    'missing_id': ('choice', ('not_found', 'ignore')),
    'token_mismatch_code': ('code', None),
    'token_after_delete': ('choice', ('replay', 'mismatch', 'create')),
    'token_ttl': ('seconds', None),
    'echo_images': ('choice', ('verbatim', 'normalized')),
    'clear_elimination': ('choice', ('applied', 'ignored')),
    'extra_statuses': ('statuses', None),
    'system_tags': ('tags', None),
    'list_order': ('choice', ('oldest_first', 'newest_first')),
}
# The statuses the SDK documents; extra_statuses must be others.
SDK_STATUSES = ('Preparing', 'Creating', 'Ready', 'Failed', 'Updating', 'UpdateFailed')


class ProfileError(ValueError):
    """A profile names an unknown switch or gives a switch a value it cannot take (the message names the key)."""


def builtin_names() -> list:
    return sorted(name[:-4] for name in os.listdir(PROFILE_DIR) if name.endswith('.yml'))


def _check(key: str, value: Any) -> Any:
    """The value of one switch, normalised; ProfileError naming the key otherwise."""
    if key not in SWITCHES:
        raise ProfileError(f'profile: unknown key {key!r} (keys: {", ".join(SWITCHES)})')
    kind, allowed = SWITCHES[key]
    if kind == 'seconds':
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ProfileError(f'profile: {key} must be a number of seconds >= 0, got {value!r}')
        return float(value)
    if kind == 'count':
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ProfileError(f'profile: {key} must be an integer >= 1, got {value!r}')
        return value
    if kind == 'choice':
        if value not in allowed:
            raise ProfileError(f'profile: {key} must be one of {", ".join(allowed)}, got {value!r}')
        return value
    if kind == 'code':
        if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
            raise ProfileError(f'profile: {key} must be an error code (a non-empty string without spaces), got {value!r}')
        return value
    if kind == 'statuses':
        if not isinstance(value, list) or not all(isinstance(s, str) and s.isalnum() for s in value):
            raise ProfileError(f'profile: {key} must be a list of status names (letters and digits), got {value!r}')
        known = [s for s in value if s in SDK_STATUSES]
        if known:
            raise ProfileError(f'profile: {key} lists statuses the SDK already documents: {", ".join(known)}')
        return list(value)
    # tags: the system tags the cloud adds; users can neither set nor remove keys with these prefixes.
    if not isinstance(value, dict) or not all(isinstance(k, str) and k.lower().startswith(('acs:', 'aliyun')) for k in value):
        raise ProfileError(f'profile: {key} must be a mapping of tag keys starting with "acs:" or "aliyun" to values, got {value!r}')
    if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value.values()):
        raise ProfileError(f'profile: {key} values must be strings, got {value!r}')
    return {k: str(v) for k, v in value.items()}


def validate(data: Any, source: str = 'profile') -> dict:
    """Check a (partial) profile mapping; returns the normalised values of the keys it gives."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProfileError(f'{source}: a profile must be a mapping of switch names to values')
    result = {}
    for key, value in data.items():
        try:
            result[key] = _check(key, value)
        except ProfileError as error:
            raise ProfileError(f'{source}: {str(error).removeprefix("profile: ")}') from None
    return result


def _read(path: str) -> dict:
    try:
        with open(path, encoding='utf-8') as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise ProfileError(f'{path}: not YAML: {error}') from None
    return validate(data, f'profile {path}')


def default() -> dict:
    return _read(os.path.join(PROFILE_DIR, 'default.yml'))


def load(spec: str | dict | None = None) -> dict:
    """The full profile for spec: None (default), a built-in name, a YAML file path, or a mapping (any subset)."""
    profile = default()
    if spec is None or spec == 'default':
        return profile
    if isinstance(spec, dict):
        profile.update(validate(spec))
        return profile
    if not isinstance(spec, str):
        raise ProfileError(f'profile: give a built-in name ({", ".join(builtin_names())}), a YAML file or a mapping, got {spec!r}')
    builtin = os.path.join(PROFILE_DIR, spec + '.yml')
    if os.sep not in spec and not spec.endswith(('.yml', '.yaml')) and os.path.isfile(builtin):
        path = builtin
    elif os.path.isfile(spec):
        path = spec
    else:
        raise ProfileError(f'profile: {spec!r} is neither a built-in profile ({", ".join(builtin_names())}) nor a readable file')
    profile.update(_read(path))
    return profile
