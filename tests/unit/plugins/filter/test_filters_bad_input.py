# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's filters never raise a Python error on bad input (issue 23): every option of eci_image_cache given every
kind of wrong value gives problems (image_cache_problems) or an AnsibleFilterError naming the option
(image_cache_manifest), never a TypeError or AttributeError; and no field lets a trailing newline through."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_manifest import image_cache_manifest
from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_problems import image_cache_problems
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec

OPTIONS = sorted(image_cache_settings_spec(defaults=False)) + ["name"]
BAD_VALUES = [1, 1.5, True, [1], [None], [[1]], [{"a": 1}], {"a": [1]}, {1: 2}, {"k": {"x": 1}}, "x\n", " x", "\x1b[31m",
              [" x"], ["x\n"], [{"server": 1, "username": [1], "password": {"a": 1}}], [{"instance_id": 5, "domains": [1]}],
              -1, "a" * 300, {"": ""}]
BASE = {"name": "web", "images": ["nginx:1.25"], "vswitch_ids": ["vsw-1"], "security_group_id": "sg-1"}


# One test per option, every bad value inside it: each case is a call of microseconds, while ansible-test runs every
# test in a fork of its own (about 65 ms of CPU each); a failure lists every value that broke the option.
def failures_of(call, option, allowed=()):
    """The bad values of option for which call(settings) broke its contract (returned a description of the breach, or
    raised an error other than allowed), each with what happened."""
    failures = []
    for value in BAD_VALUES:
        try:
            broken = call(dict(BASE, **{option: value}))
        except allowed:
            continue
        except Exception as exc:  # pylint: disable=broad-exception-caught  # any other error is the failure sought
            broken = f"{type(exc).__name__}: {exc}"
        if broken:
            failures.append(f"{value!r}: {broken}")
    return failures


@pytest.mark.parametrize("option", OPTIONS)
def test_image_cache_problems_never_raises(option):
    def call(settings):
        problems = image_cache_problems(settings, "image_cache_")
        return None if isinstance(problems, list) and all(isinstance(p, str) for p in problems) else f"returned {problems!r}"
    assert failures_of(call, option) == []


@pytest.mark.parametrize("option", OPTIONS)
def test_image_cache_manifest_never_raises_a_python_error(option):
    def call(settings):
        manifest = image_cache_manifest(settings)
        return None if isinstance(manifest, dict) else f"returned {manifest!r}"
    assert failures_of(call, option, allowed=AnsibleFilterError) == []


def test_vswitch_ids_of_numbers_is_a_problem_naming_the_role_variable():
    problems = image_cache_problems({"vswitch_ids": [1]}, "image_cache_")
    assert any(p.startswith("image_cache_vswitch_ids") for p in problems), problems


@pytest.mark.parametrize("field, value", [
    ("name", "web\n"), ("vswitch_ids", ["vsw-1\n"]), ("security_group_id", "sg-1\n"), ("resource_group_id", "rg-1\n"),
    ("eip_instance_id", "eip-1\n"), ("zone_id", "cn-hangzhou-h\n"), ("image_pull_secrets", ["ns:secret\n"]),
    ("acr_registry_info", [{"instance_id": "cri-1\n"}]), ("images", ["nginx:1.25\n"]),
])
def test_a_trailing_newline_is_never_let_through(field, value):
    problems = image_cache_problems(dict(BASE, **{field: value}))
    try:
        image_cache_manifest(dict(BASE, **{field: value}))
        manifest_refused = False
    except AnsibleFilterError:
        manifest_refused = True
    assert manifest_refused, field
    if field not in ("image_pull_secrets",):  # a manifest-only setting: the module has no such option
        assert problems, (field, problems)
