# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local checks before any call (issue 23), through validate_settings (the modules) and image_cache_problems (the
role): cache names, ids, tag values that are no scalars, registry ports out of range; each message names the option
(or the role variable) and what is allowed."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_problems import image_cache_problems
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import image_problem
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_NAME_LENGTH
from ansible_collections.alibabacloud.eci.plugins.module_utils.registry import parse_reference
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import normalize_desired_tags

BAD_NAMES = ["web\n", "web\r", "we\tb", "\x00web", "web\x1b[0m", "web\x7f", "web\x85", " web", "web ", "\u00a0web", "",
             "a" * (MAX_NAME_LENGTH + 1), 5, ["web"], {"a": 1}]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_cache_names_are_refused_before_any_call(name):
    problems = validate_settings({"name": name}, creating_possible=False)
    assert problems and problems[0].startswith("name"), problems


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_the_role_names_its_variable(name):
    if name == "":
        pytest.skip("an empty role variable counts as not given")
    problems = image_cache_problems({"name": name}, "image_cache_")
    assert problems and problems[0].startswith("image_cache_name"), problems


@pytest.mark.parametrize("name", ["web", "a" * MAX_NAME_LENGTH, "my-cache-1", "Cache_2.x"])
def test_names_without_those_faults_are_left_to_the_cloud(name):
    assert validate_settings({"name": name}, creating_possible=False) == []


@pytest.mark.parametrize("option", ["security_group_id", "resource_group_id", "eip_instance_id", "zone_id"])
@pytest.mark.parametrize("value", ["sg-1\n", " sg-1", "sg\t1"])
def test_ids_with_control_characters_or_blanks_are_refused(option, value):
    problems = validate_settings({option: value}, creating_possible=False)
    assert problems and problems[0].startswith(option)


@pytest.mark.parametrize("value", [["a", "b"], {"k": "v"}, ("x",), {1, 2}])
def test_tag_values_that_are_not_scalars_are_refused_not_sent_as_text(value):
    tags = normalize_desired_tags({"team": value})
    problems = validate_settings({"tags": tags}, creating_possible=False)
    assert len(problems) == 1 and problems[0].startswith("tags") and "string, number or boolean" in problems[0]
    assert image_cache_problems({"tags": {"team": value}}, "image_cache_")[0].startswith("image_cache_tags")


@pytest.mark.parametrize("value, text", [(1, "1"), (True, "True"), (None, ""), (1.5, "1.5")])
def test_scalar_tag_values_are_taken_as_text(value, text):
    tags = normalize_desired_tags({"team": value})
    assert tags == {"team": text} and validate_settings({"tags": tags}, creating_possible=False) == []


@pytest.mark.parametrize("image", ["reg.example.com:99999/app:1", "reg.example.com:0/app:1", "reg.example.com:65536/app"])
def test_registry_ports_out_of_range_are_refused(image):
    assert "out of range" in image_problem(image)
    with pytest.raises(ValueError, match="out of range"):
        parse_reference(image)


def test_registry_port_65535_is_taken():
    assert image_problem("reg.example.com:65535/app:1") is None


@pytest.mark.parametrize("option", ["insecure_registries", "plain_http_registries"])
def test_registry_lists_refuse_ports_out_of_range(option):
    problems = validate_settings({option: ["reg.example.com:70000"]}, creating_possible=False)
    assert problems and problems[0].startswith(option) and "out of range" in problems[0]


def test_credential_server_port_out_of_range():
    credential = {"server": "reg.example.com:123456", "username": "u", "password": "p"}
    problems = validate_settings({"image_registry_credentials": [credential]}, creating_possible=False)
    assert problems and "out of range" in problems[0]
