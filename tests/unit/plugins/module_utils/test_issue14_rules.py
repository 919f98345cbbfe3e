# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue 14's pure rules: retention read back, the one validation, annotations in the settings table."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import connection_option_problems
from ansible_collections.alibabacloud.eci.plugins.module_utils.eci import retention_days_of
from ansible_collections.alibabacloud.eci.plugins.module_utils.comparison import compare
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import duplicate_images, validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import client_token, request_fields

CREATED = "2026-11-01T10:00:00Z"


@pytest.mark.parametrize("expires, days", [
    ("2026-12-01T10:00:00Z", 30),
    ("2026-11-08T10:00:00Z", 7),
    ("2026-11-08T10:00:05Z", 7),    # seconds between the two stamps round away
    ("2026-11-08T21:59:59Z", 7),    # nearest whole day: under half a day more stays 7
    ("2026-11-08T22:00:00Z", 8),    # half a day or more rounds up
    ("2026-11-08T18:00:00+08:00", 7),  # an offset is honoured
])
def test_retention_is_expiry_minus_creation_to_the_nearest_day(expires, days):
    assert retention_days_of("Ready", CREATED, expires) == (True, days)


def test_retention_of_a_cache_that_never_expires_is_none():
    assert retention_days_of("Ready", CREATED, None) == (True, None)


@pytest.mark.parametrize("status, expires", [("Failed", "2026-11-02T10:00:00Z"), ("Ready", "tomorrow")])
def test_retention_of_a_failed_cache_or_unreadable_stamps_is_unknown(status, expires):
    assert retention_days_of(status, CREATED, expires) == (False, None)


def test_unknown_retention_is_never_a_difference():
    assert compare(dict(status="Failed"), dict(retention_days=30)) == []
    assert compare(dict(retention_days=30), dict(retention_days=7)) == ["retention_days"]
    assert compare(dict(retention_days=None), dict(retention_days=7)) == ["retention_days"]
    assert compare(dict(retention_days=7), dict(retention_days=7)) == []


def test_annotations_are_create_only_json_and_part_of_the_token():
    settings = dict(name="web", images=["nginx"], annotations={"b": "2", "a": "1"})
    create = request_fields(settings, "create")
    assert create["annotations"] == '{"a":"1","b":"2"}' and json.loads(create["annotations"]) == {"a": "1", "b": "2"}
    assert "annotations" not in request_fields(settings, "update")
    other = request_fields(dict(settings, annotations={"a": "1"}), "create")
    assert client_token("cn-hangzhou", create) != client_token("cn-hangzhou", other)
    assert "annotations" not in request_fields(dict(settings, annotations={}), "create")


@pytest.mark.parametrize("images, expected", [
    (["nginx", "docker.io/library/nginx:latest"], ["images: 'nginx' and 'docker.io/library/nginx:latest' are the same image "
                                                   "(docker.io/library/nginx:latest); list it once."]),
    (["nginx:1.25", "index.docker.io/library/nginx:1.25"],
     ["images: 'nginx:1.25' and 'index.docker.io/library/nginx:1.25' are the same image (docker.io/library/nginx:1.25); "
      "list it once."]),
    (["nginx", "nginx"], ["images: nginx listed more than once."]),
    (["nginx", "nginx:1.25", "example.com/nginx"], []),
])
def test_images_are_duplicates_in_dockers_canonical_form(images, expected):
    assert duplicate_images(images) == expected


@pytest.mark.parametrize("params, text", [
    (dict(vswitch_ids=["vsw-demo", "vsw-demo"]), "vswitch_ids: vsw-demo listed more than once; give each vSwitch once."),
    (dict(tags={"k": "HTTPS://x"}), "must not contain 'http://' or 'https://'"),
    (dict(tags={"k": "see Http://x"}), "must not contain 'http://' or 'https://'"),
    (dict(tags={"HTTP://k": "v"}), "must not contain 'http://' or 'https://'"),
    (dict(images=["nginx", "docker.io/library/nginx:latest"]), "are the same image"),
    (dict(annotations={"": "x"}), "annotations: keys must be non-empty strings"),
])
def test_the_one_validation_refuses(params, text):
    assert any(text in problem for problem in validate_settings(params, creating_possible=False))


@pytest.mark.parametrize("option, value", [
    ("connect_timeout", float("nan")), ("connect_timeout", float("inf")), ("connect_timeout", 0), ("connect_timeout", -1),
    ("read_timeout", float("inf")), ("read_timeout", float("-inf")), ("api_retry_max_seconds", float("nan")),
    ("api_retry_max_seconds", float("inf")), ("api_retry_max_seconds", -0.5),
])
def test_seconds_options_must_be_finite_and_in_range(option, value):
    problems = connection_option_problems({option: value})
    assert len(problems) == 1 and problems[0].startswith("%s must be a finite number of seconds" % option)


def test_seconds_options_in_range_pass():
    assert connection_option_problems(dict(connect_timeout=0.5, read_timeout=60, api_retry_max_seconds=0, api_retries=0)) == []
