# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The info module's decisions, with the API layer replaced by a recorder."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache_info

BASE_ARGS = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")


def cache(name, cache_id, status="Ready", tags=None):
    return dict(image_cache_name=name, image_cache_id=cache_id, status=status, tags=tags or {}, images=["nginx"])


@pytest.fixture
def api(monkeypatch):
    """Replaces describe_image_caches; records every call's filters."""
    recorder = dict(calls=[], caches=[], error=None)

    def describe(connection, **filters):
        recorder["calls"].append(filters)
        error = recorder["error"]
        if error is not None:
            raise error
        wanted = filters.get("image_cache_id")
        return [c for c in recorder["caches"] if wanted is None or c["image_cache_id"] == wanted]

    monkeypatch.setattr(eci_image_cache_info, "describe_image_caches", describe)
    return recorder


def test_name_is_an_exact_match(run_module, api):
    api["caches"] = [cache("web", "imc-1"), cache("web-2", "imc-2")]
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, name="web"))
    assert not failed and not result["changed"]
    assert [c["image_cache_id"] for c in result["image_caches"]] == ["imc-1"]
    assert api["calls"][0]["name"] == "web"


def test_one_call_per_distinct_id(run_module, api):
    api["caches"] = [cache("web", "imc-1"), cache("api", "imc-2")]
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, image_cache_ids=["imc-1", "imc-9", "imc-1"]))
    assert not failed
    assert [call["image_cache_id"] for call in api["calls"]] == ["imc-1", "imc-9"]
    assert [c["image_cache_id"] for c in result["image_caches"]] == ["imc-1"]


def test_tags_must_all_match_and_values_are_strings(run_module, api):
    api["caches"] = [cache("a", "imc-1", tags={"env": "prod", "n": "1"}), cache("b", "imc-2", tags={"env": "prod"})]
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, tags={"env": "prod", "n": 1}))
    assert not failed
    assert [c["image_cache_id"] for c in result["image_caches"]] == ["imc-1"]
    assert api["calls"][0]["tags"] == {"env": "prod", "n": "1"}


def test_status_filter(run_module, api):
    api["caches"] = [cache("a", "imc-1", status="Failed"), cache("b", "imc-2")]
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, status=["Failed"]))
    assert not failed and [c["image_cache_id"] for c in result["image_caches"]] == ["imc-1"]


def test_empty_result_is_an_empty_list(run_module, api):
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, name="nothing"))
    assert not failed and result["image_caches"] == []


@pytest.mark.parametrize("args, words", [
    (dict(page_size=0), ["page_size", "100"]),
    (dict(page_size=101), ["page_size", "100"]),
    (dict(match_images=[]), ["match_images", "1 to 100"]),
    (dict(match_images=["i%d" % n for n in range(101)]), ["match_images", "101"]),
    (dict(match_images=["a"], image_match_count=0), ["image_match_count"]),
    (dict(image_cache_ids=["imc-1", ""]), ["image_cache_ids", "empty"]),
    (dict(image_full_match=True), ["match_images"]),
    (dict(status=["Expired"]), ["status", "Ready", "UpdateFailed"]),
    (dict(region=""), ["region", "ALICLOUD_REGION"]),
    (dict(profile="p"), ["profile", "access_key"]),
    (dict(eci_endpoint="ftp://x"), ["eci_endpoint"]),
])
def test_bad_input_fails_before_any_call(run_module, api, monkeypatch, args, words):
    monkeypatch.delenv("ALICLOUD_REGION", raising=False)
    monkeypatch.delenv("ALIBABA_CLOUD_REGION_ID", raising=False)
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, **args))
    assert failed
    for word in words:
        assert word in result["msg"]
    assert api["calls"] == []


def test_api_error_is_reported_with_code_and_request_id(run_module, api):
    api["error"] = AlibabaCloudError("DescribeImageCaches", "Forbidden.RAM", "not allowed", request_id="REQ-1", status_code=403)
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS))
    assert failed
    assert result["msg"] == "DescribeImageCaches failed: Forbidden.RAM: not allowed (request id: REQ-1)"
    assert result["error"]["code"] == "Forbidden.RAM" and result["error"]["request_id"] == "REQ-1"
    assert "SK" not in result["msg"]


# -- check_stale (issue 18) ---------------------------------------------------------------------------
def test_check_stale_reads_each_image_once_for_the_recorded_platform(run_module, api, registry_digests):
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import make_record
    old, new = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    pinned = "nginx@sha256:" + "c" * 64
    key = "alibabacloud.eci/digests"
    registry_digests.update({"nginx": new, "redis": old})
    api["caches"] = [
        dict(cache("moved", "imc-1"), tags={key: make_record({"nginx": old})}),
        dict(cache("fresh", "imc-2"), images=["nginx", "redis"], tags={key: make_record({"nginx": new, "redis": old})}),
        dict(cache("arm", "imc-3"), images=["redis"], tags={key: make_record({"redis": old}, "linux/arm64")}),
        cache("unrecorded", "imc-4"),
        dict(cache("pinned", "imc-5"), images=[pinned]),
        dict(cache("unreadable", "imc-6"), images=["busybox"], tags={key: make_record({"busybox": old})}),
    ]
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, check_stale=True))
    assert not failed
    assert [(c["image_cache_name"], c["stale"]) for c in result["image_caches"]] == [
        ("moved", True), ("fresh", False), ("arm", False), ("unrecorded", None), ("pinned", False), ("unreadable", None)]
    assert sorted((sorted(images), platform) for images, platform in registry_digests.reads) == [
        (["busybox", "nginx", "redis"], "linux/amd64"), (["redis"], "linux/arm64")]
    assert result["image_caches"][5]["image_digests"][0]["error"]["kind"] == "unreachable"
    assert result["image_caches"][3]["image_digests"] == []


def test_check_stale_is_unknown_for_caches_that_are_not_built(run_module, api, registry_digests):
    """The record is written before the build: a Failed, UpdateFailed or building cache does not hold it."""
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import make_record
    digest = "sha256:" + "a" * 64
    registry_digests["nginx"] = digest
    tags = {"alibabacloud.eci/digests": make_record({"nginx": digest})}
    statuses = ["Failed", "UpdateFailed", "Preparing", "Creating", "Updating", "Ready"]
    api["caches"] = [dict(cache(status.lower(), "imc-%d" % n), status=status, tags=dict(tags)) for n, status in enumerate(statuses)]
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, check_stale=True))
    assert not failed
    assert [(c["status"], c["stale"]) for c in result["image_caches"]] == [
        ("Failed", None), ("UpdateFailed", None), ("Preparing", None), ("Creating", None), ("Updating", None), ("Ready", False)]


def test_without_check_stale_no_registry_is_read(run_module, api, registry_digests):
    api["caches"] = [cache("web", "imc-1")]
    result, failed = run_module(eci_image_cache_info.main, BASE_ARGS)
    assert not failed and "stale" not in result["image_caches"][0] and registry_digests.reads == []
