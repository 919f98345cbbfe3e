# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue 14's points of eci_image_cache, each with the issue's input, against the in-memory cloud."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_reads, module as module_module
from ansible_collections.alibabacloud.eci.plugins.module_utils import image_cache_engine
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache, eci_image_cache_info
from ansible_collections.alibabacloud.eci.tests.unit.plugins.modules.test_eci_image_cache import (  # noqa: F401 pylint: disable=unused-import
    BASE,
    CREATE,
    NGINX,
    RecordingLock,
    clock,
    cloud,
    make_cloud,
    turns,
)

GIB = 1024 ** 3


# ------------------------------------------------------------ annotations (create only)

def test_annotations_reach_the_create_request_and_its_token(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, annotations={"team": "web", "n": 1}))
    assert not failed and result["changed"]
    sent = cloud.records["imc-1"]["sent"]
    assert json.loads(sent["annotations"]) == {"n": "1", "team": "web"}
    first_token = cloud.creates()[0][1]
    cloud.records.clear()
    run_module(eci_image_cache.main, dict(CREATE, annotations={"team": "api"}))
    assert cloud.creates()[-1][1] != first_token  # settings that differ make another token


def test_annotations_are_never_compared_nor_updated(run_module, cloud):
    cloud.add("imc-1")
    result, failed = run_module(eci_image_cache.main, dict(CREATE, annotations={"team": "other"}))
    assert not failed and not result["changed"] and cloud.mutations() == []


def test_annotations_with_an_empty_key_are_refused_before_any_call(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, annotations={" ": "x"}))
    assert failed and "annotations: keys must be non-empty" in result["msg"] and cloud.calls == []


# ------------------------------------------------------------ retention_days read back

@pytest.mark.parametrize("check_mode", [True, False])
def test_a_retention_change_from_30_to_7_is_an_update(run_module, cloud, check_mode):
    cloud.add("imc-1", retention_days=30)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, retention_days=7, _ansible_check_mode=check_mode))
    assert not failed and result["changed"] and result["changes"] == ["update retention_days", "record build settings"]
    assert result["image_cache"]["retention_days"] == 7
    assert [call[0] for call in cloud.mutations()] == ([] if check_mode else ["update", "tag"])
    if not check_mode:
        assert cloud.view("imc-1")["retention_days"] == 7
        cloud.calls.clear()
        result, failed = run_module(eci_image_cache.main, dict(CREATE, retention_days=7))
        assert not failed and not result["changed"] and cloud.mutations() == []


def test_a_cache_that_never_expires_gets_the_retention(run_module, cloud):
    cloud.add("imc-1", retention_days=None)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, retention_days=30))
    assert not failed and result["changed"] and [call[0] for call in cloud.mutations()] == ["update", "tag"]


def test_the_unknown_retention_of_a_failed_cache_causes_no_update(run_module, cloud):
    # A Failed cache's ExpireDateTime is 24 h after the failure: never read as a retention of 1 day.
    cloud.add("imc-f", status="Failed", retention_days=1)
    result, failed = run_module(eci_image_cache.main,
                                dict(CREATE, retention_days=30, force_update=True, _ansible_check_mode=True))
    assert not failed and result["changes"] == ["replace failed cache imc-f", "create"]
    assert not any("update" in change for change in result["changes"])


# ------------------------------------------------------------ rename onto a taken name

@pytest.mark.parametrize("check_mode", [True, False])
def test_a_rename_onto_a_name_another_cache_has_is_refused_before_any_write(run_module, cloud, check_mode):
    cloud.add("imc-1", image_cache_name="web")
    cloud.add("imc-2", image_cache_name="api")
    result, failed = run_module(eci_image_cache.main, dict(BASE, image_cache_id="imc-1", name="api",
                                                           _ansible_check_mode=check_mode))
    assert failed and "Cannot rename image cache imc-1 to 'api'" in result["msg"] and "imc-2" in result["msg"]
    assert result["image_cache_ids"] == ["imc-2"] and cloud.mutations() == []


def test_a_rename_onto_a_free_name_goes_on(run_module, cloud):
    cloud.add("imc-1", image_cache_name="web")
    result, failed = run_module(eci_image_cache.main, dict(BASE, image_cache_id="imc-1", name="web-v2"))
    # No build record: the update sent no network or registry setting and the cache had none recorded.
    assert not failed and result["changed"] and [call[0] for call in cloud.mutations()] == ["update"]


# ------------------------------------------------------------ inputs, before any call

@pytest.mark.parametrize("option, value, text", [
    ("connect_timeout", float("nan"), "connect_timeout must be a finite number of seconds, more than 0; got nan."),
    ("read_timeout", float("inf"), "read_timeout must be a finite number of seconds, more than 0; got inf."),
    ("api_retry_max_seconds", float("nan"), "api_retry_max_seconds must be a finite number of seconds, 0 or more; got nan."),
    ("connect_timeout", 0, "connect_timeout must be a finite number of seconds, more than 0; got 0"),
])
def test_non_finite_seconds_are_refused_with_the_option_and_range(run_module, cloud, option, value, text):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, **{option: value}))
    assert failed and text in result["msg"] and cloud.calls == []


def test_a_repeated_vswitch_is_refused(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, vswitch_ids=["vsw-demo", "vsw-demo"]))
    assert failed and "vswitch_ids: vsw-demo listed more than once" in result["msg"] and cloud.calls == []


def test_one_image_in_two_forms_is_refused_naming_both(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=["nginx", "docker.io/library/nginx:latest"]))
    assert failed and cloud.calls == []
    assert "'nginx' and 'docker.io/library/nginx:latest' are the same image" in result["msg"]


def test_a_url_in_a_tag_value_is_refused_in_any_case(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={"site": "HTTPS://x"}))
    assert failed and "must not contain 'http://' or 'https://'" in result["msg"] and cloud.calls == []


# ------------------------------------------------------------ size preflight wiring

def test_no_measuring_for_a_name_only_or_elimination_only_change(run_module, cloud):
    cloud.add("imc-1", image_cache_name="web")
    result, failed = run_module(eci_image_cache.main, dict(BASE, image_cache_id="imc-1", name="web-v2", images=[NGINX],
                                                           size_check="fail"))
    assert not failed and result["changed"]
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web-v2", images=[NGINX], elimination_strategy="LRU",
                                                           size_check="fail"))
    assert not failed and result["changed"]
    assert [call for call in cloud.calls if call[0] == "measure"] == []


def test_measuring_when_the_images_change(run_module, cloud):
    cloud.add("imc-1")
    other = "registry.cn-hangzhou.aliyuncs.com/acs/redis:7"
    cloud.sizes[other] = GIB
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[NGINX, other], _ansible_check_mode=True))
    assert not failed and [call[0] for call in cloud.calls].count("measure") == 1


def test_an_unmeasured_image_with_fail_says_how_to_go_on(run_module, cloud):
    unknown = "registry.example.com/nowhere/app:1"
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[unknown], size_check="fail"))
    assert failed and "so the size check cannot judge the cache size" in result["msg"]
    assert "leaves it out" not in result["msg"] and "set size_check: warn" in result["msg"]


def test_a_vpc_registry_is_one_line_not_a_warning(run_module, cloud):
    vpc = "registry-vpc.cn-hangzhou.aliyuncs.com/acs/app:1"
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[vpc], size_check="fail"))
    assert not failed and result["changed"] and result["warnings"] == []
    assert result["size_note"].startswith("Not measured from here: %s" % vpc) and "\n" not in result["size_note"]


def test_another_regions_vpc_registry_is_named_in_the_line_with_both_regions(run_module, cloud):
    """The cache is built in the task's region (cn-hangzhou): a cn-shanghai VPC endpoint is out of its VPC's reach too."""
    vpc = "registry-vpc.cn-shanghai.aliyuncs.com/acs/app:1"
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[vpc], size_check="fail", _ansible_check_mode=True))
    assert not failed and result["warnings"] == [], result
    assert result["size_note"].startswith("Not measured from here: %s (its registry registry-vpc.cn-shanghai.aliyuncs.com is the "
                                          "VPC endpoint of Container Registry in region cn-shanghai, but the cache is built in "
                                          "region cn-hangzhou" % vpc), result["size_note"]
    assert "will most likely fail to pull it" in result["size_note"] and "\n" not in result["size_note"]


def test_uncompressed_size_is_used_where_the_registry_states_it(run_module, cloud, monkeypatch):
    def measure(images, **options):
        reports = [dict(image=image, compressed_size=5 * GIB, uncompressed_size=12 * GIB) for image in images]
        return reports, 5 * GIB * len(images), []
    monkeypatch.setattr(image_reads, "measure_images", measure)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=20, size_check="fail"))
    assert failed and "uncompressed, as the registries state it" in result["msg"] and "at least 24" in result["msg"]


# ------------------------------------------------------------ lock_dir

def test_lock_dir_names_the_shared_directory_of_the_turn(run_module, cloud, turns, monkeypatch):
    seen = []

    class Recording(RecordingLock):
        def __init__(self, name, shared_directory=None):
            super().__init__(name, shared_directory)
            seen.append(shared_directory)
    monkeypatch.setattr(image_cache_engine, "HostLock", Recording)
    monkeypatch.setenv("ALICLOUD_ECI_LOCK_DIR", "/from/env")
    run_module(eci_image_cache.main, dict(CREATE, lock_dir="/shared/locks"))
    run_module(eci_image_cache.main, dict(BASE, name="other", state="absent"))
    assert seen == ["/shared/locks", "/from/env"]


# ------------------------------------------------------------ requirements

@pytest.mark.parametrize("main", [eci_image_cache.main, eci_image_cache_info.main])
def test_a_missing_eci_sdk_gives_the_standard_message(run_module, monkeypatch, main):
    real = module_module.importlib.util.find_spec
    monkeypatch.setattr(module_module.importlib.util, "find_spec",
                        lambda name, *args: None if name == "alibabacloud_eci20180808" else real(name, *args))
    result, failed = run_module(main, dict(BASE, name="web"))
    assert failed and "Failed to import the required Python library (alibabacloud-eci20180808)" in result["msg"]
