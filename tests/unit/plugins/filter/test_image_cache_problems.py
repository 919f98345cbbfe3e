# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""image_cache_problems: the module's validation for plays and the role, with the role's variable names."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_problems import FilterModule, image_cache_problems
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import normalize_desired_tags
from ansible_collections.alibabacloud.eci.tests.unit.plugins.modules.test_registry_loaded_when_used import PLATFORM_CASES, forbid_registry_code

GOOD = dict(name="web", images=["nginx:1.25"], vswitch_ids=["vsw-1"], security_group_id="sg-1")


def test_good_settings_have_no_problems():
    assert image_cache_problems(dict(GOOD, image_cache_size="auto", retention_days="7", tags={"team": "web"})) == []


@pytest.mark.parametrize("settings", [
    dict(images=["nginx", "docker.io/library/nginx:latest"], image_cache_size=10),
    dict(images=["Nginx"], retention_days=0, vswitch_ids=["vsw-1", "vsw-1"]),
    dict(images=["https://r.example.com/a:1"] + ["app%d" % n for n in range(20)]),
    dict(tags={"aliyun-owner": "me", "site": "HTTPS://example.com"}, insecure_registries=["http://r.example.com"]),
])
def test_the_same_messages_as_the_module(settings):
    """Not a copy of the rules: the filter returns validate_settings' own messages."""
    expected = validate_settings(dict(settings, tags=normalize_desired_tags(settings.get("tags"))), creating_possible=False)
    assert expected
    assert image_cache_problems(settings) == expected


def test_role_variable_names_and_allowed_values():
    problems = image_cache_problems(dict(GOOD, name="web", images=["nginx", "docker.io/library/nginx:latest"],
                                         image_cache_size=10, retention_days=70000, vswitch_ids=["vsw-1", "vsw-1"],
                                         tags={"aliyun-owner": "me"}), "image_cache_")
    text = " ".join(problems)
    for words in ("image_cache_images: 'nginx' and 'docker.io/library/nginx:latest' are the same image",
                  "image_cache_size must be 20 to 32768 (GiB), got 10.",
                  "image_cache_retention_days must be 1 to 65536, got 70000.",
                  "image_cache_vswitch_ids: vsw-1 listed more than once",
                  "image_cache_tags: tag key 'aliyun-owner'"):
        assert words in text
    assert "image_cache_image_cache_size" not in text


@pytest.mark.parametrize("option, value, words", [
    ("image_cache_size", "big", "image_cache_size must be a whole number of GiB from 20 to 32768, or auto, got 'big'."),
    ("retention_days", True, "retention_days must be a whole number, got True."),
    ("tags", ["a"], "tags must be a dict, got ['a']."),
])
def test_wrong_types(option, value, words):
    assert words in image_cache_problems(dict(GOOD, **{option: value}))


def test_unset_values_count_as_not_given_but_empty_elimination_strategy_is_kept():
    assert image_cache_problems(dict(GOOD, retention_days="", image_cache_size=None, elimination_strategy="")) == []


def test_input_must_be_a_dict():
    with pytest.raises(AnsibleFilterError, match="must be a dict"):
        image_cache_problems(["nginx"])
    assert FilterModule().filters()["image_cache_problems"] is image_cache_problems


# -- the module's conversions and checks, not only validate_settings' ------------------------------------
@pytest.mark.parametrize("given, as_module", [
    (dict(images="nginx"), dict(images=["nginx"])),
    (dict(images="nginx:1.25,nginx:1.25"), dict(images=["nginx:1.25", "nginx:1.25"])),
    (dict(vswitch_ids="vsw-1,vsw-2"), dict(vswitch_ids=["vsw-1", "vsw-2"])),
    (dict(plain_http_registries="reg.example.com\n"), dict(plain_http_registries=["reg.example.com\n"])),
])
def test_a_list_option_given_as_a_string_is_converted_as_the_module_does(given, as_module):
    """The module's argument spec turns a string into a list (split at commas); the filter must not read it
    character by character ('n listed more than once')."""
    assert image_cache_problems(given) == validate_settings(as_module, creating_possible=False)
    assert image_cache_problems(dict(images="nginx")) == []


def test_list_entries_that_must_be_dicts():
    problems = image_cache_problems(dict(image_registry_credentials="reg.example.com"))
    assert problems == ["image_registry_credentials: every entry must be a dict, got ['reg.example.com']."]


@pytest.mark.parametrize("settings, words", [
    (dict(image_platform="amd64"), ["image_platform", "os/architecture"]),
    (dict(image_platform="linux/arm64/" + "v" * 60), ["image_platform", "at most"]),
    (dict(refresh="always"), ["refresh", "never", "digest"]),
])
def test_image_platform_and_refresh_are_checked_as_by_the_module(settings, words):
    problems = image_cache_problems(settings, "image_cache_")
    assert len(problems) == 1 and all(word in problems[0] for word in words), problems
    assert problems[0].startswith("image_cache_" + words[0])
    assert image_cache_problems(dict(image_platform="linux/arm64/v8", refresh="digest")) == []


@pytest.mark.parametrize("platform, problem", PLATFORM_CASES)
def test_validating_image_platform_does_not_load_the_registry_code(monkeypatch, platform, problem):
    """As eci_image_cache's validation (issue 24): the role's check of image_platform needs no HTTP/TLS code."""
    forbid_registry_code(monkeypatch)
    problems = image_cache_problems(dict(image_platform=platform))
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(problem), problems
