# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_cache and stale caches (issue 18): the digest record, `stale`, `refresh`, and the reserved tag,
against the in-memory cloud and the conftest's registry (registry_digests)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import MAX_PLATFORM_LENGTH, make_record
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import BUILD_TAG_KEY, build_record
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache
from ansible_collections.alibabacloud.eci.tests.unit.plugins.modules.fake_cloud import FakeClock, FakeCloud

APP = "registry.example.com/team/app:1.0"
PINNED = "registry.example.com/team/base@sha256:" + "c" * 64
OLD = "sha256:" + "a" * 64
NEW = "sha256:" + "b" * 64
KEY = "alibabacloud.eci/digests"
BASE = dict(region="cn-hangzhou", access_key="AK", secret_key="SK", size_check="skip")
CREATE = dict(BASE, name="web", images=[APP], security_group_id="sg-1", vswitch_ids=["vsw-1"])


@pytest.fixture
def cloud(monkeypatch):
    fake = FakeCloud(FakeClock())
    fake.install(monkeypatch)
    return fake


def built(cloud, registry, run_module, digest=OLD, **args):
    registry[APP] = digest
    result, failed = run_module(eci_image_cache.main, dict(CREATE, **args))
    assert not failed, result
    cloud.calls.clear()
    return result


def test_a_create_records_the_digests_and_the_token_leaves_them_out(run_module, cloud, registry_digests):
    registry_digests[APP] = OLD
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={"env": "prod"}))
    assert not failed and result["changes"] == ["create"]
    assert cloud.records["imc-1"]["tags"] == {"env": "prod", KEY: make_record({APP: OLD}), BUILD_TAG_KEY: build_record(CREATE)}
    assert result["stale"] is False
    assert result["image_digests"] == [dict(image=APP, digest=OLD, pinned=False)]
    token = cloud.creates()[0][1]
    # The same create when the registry cannot be read carries no record, and the same token.
    del registry_digests[APP]
    cloud.records.clear()
    cloud.tokens.clear()  # another cloud, that never saw the first create
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={"env": "prod"}))
    assert not failed and cloud.records["imc-1"]["tags"] == {"env": "prod", BUILD_TAG_KEY: build_record(CREATE)}
    assert result["stale"] is None
    assert cloud.creates()[-1][1] == token


def test_a_fresh_cache_is_no_change(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="digest"))
    assert not failed and not result["changed"] and result["stale"] is False
    assert cloud.mutations() == []


def test_a_moved_tag_is_stale_and_refresh_never_changes_nothing(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    registry_digests[APP] = NEW
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and not result["changed"] and result["stale"] is True
    assert result["image_digests"][0]["digest"] == NEW
    assert cloud.mutations() == []


def test_refresh_in_check_mode_says_why(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module, tags={"env": "prod"})
    registry_digests[APP] = NEW
    result, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="digest", _ansible_check_mode=True, _ansible_diff=True))
    assert not failed and result["changed"]
    assert result["changes"] == ["update stale image digests", "record image digests"]
    assert result["diff"]["before"]["image_digest_record"] == make_record({APP: OLD})
    assert result["diff"]["after"]["image_digest_record"] == make_record({APP: NEW})
    assert result["diff"]["before"]["tags"] == result["diff"]["after"]["tags"] == {"env": "prod"}
    assert cloud.mutations() == []


def test_refresh_rebuilds_in_place_once_and_records(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    registry_digests[APP] = NEW
    result, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="digest"))
    assert not failed and result["changed"] and result["stale"] is False
    assert cloud.mutations() == [("update", "imc-1"), ("tag", [KEY])]  # the record follows the accepted update
    assert result["changes"] == ["update stale image digests", "record image digests"]
    assert result["image_cache"]["status"] == "Ready" and result["image_cache"]["image_cache_id"] == "imc-1"
    assert cloud.records["imc-1"]["tags"][KEY] == make_record({APP: NEW})
    cloud.calls.clear()
    again, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="digest"))
    assert not failed and not again["changed"] and again["stale"] is False and cloud.mutations() == []


def test_a_refused_update_writes_no_record(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    registry_digests[APP] = NEW
    cloud.records["imc-1"]["status"] = "Creating"
    # A cache being built is not judged stale (its record is not yet what it holds): the update is force_update's.
    result, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="digest", force_update=True, wait=False))
    assert failed and "Creating" in result["msg"]
    assert cloud.mutations() == [] and cloud.records["imc-1"]["tags"][KEY] == make_record({APP: OLD})


def test_an_unreadable_image_is_unknown_and_not_refreshed(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    del registry_digests[APP]
    result, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="digest"))
    assert not failed and not result["changed"] and result["stale"] is None
    assert result["image_digests"][0]["digest"] is None and result["image_digests"][0]["error"]["kind"] == "unreachable"
    assert cloud.mutations() == []


def test_an_update_when_an_image_cannot_be_read_removes_the_record(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    del registry_digests[APP]
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40))
    assert not failed and result["changes"] == ["update image_cache_size", "remove image digest record"]
    assert KEY not in cloud.records["imc-1"]["tags"] and result["stale"] is None


def test_a_cache_without_a_record_is_unknown_with_a_warning_and_force_update_records(run_module, cloud, registry_digests):
    cloud.add("imc-1", images=[APP])
    registry_digests[APP] = NEW
    result, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="digest"))
    assert not failed and not result["changed"] and result["stale"] is None
    assert any("force_update" in warning and KEY in warning for warning in result["warnings"])
    result, failed = run_module(eci_image_cache.main, dict(CREATE, force_update=True))
    assert not failed and result["changes"] == ["update force_update", "record build settings", "record image digests"]
    assert result["stale"] is False


def test_pinned_images_are_never_stale_and_never_read(run_module, cloud, registry_digests):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[PINNED], refresh="digest"))
    assert not failed and result["stale"] is False and registry_digests.reads == []
    assert cloud.records["imc-1"]["tags"][KEY] == make_record({PINNED: None})


def test_the_tags_read_from_the_cache_are_read_for_its_images(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    registry_digests[APP] = NEW
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web"))  # no images: the cache's
    assert not failed and result["stale"] is True


def test_purge_tags_keeps_the_record(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module, tags={"env": "prod"})
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={}))
    assert not failed and cloud.mutations() == [("untag", ["env"])]
    assert KEY in cloud.records["imc-1"]["tags"]


def test_the_tag_limit_counts_the_record_before_any_call(run_module, cloud, registry_digests):
    registry_digests[APP] = OLD
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags=dict(("k%d" % i, "v") for i in range(20))))
    assert failed and "at most 18" in result["msg"] and KEY in result["msg"] and BUILD_TAG_KEY in result["msg"]
    assert cloud.calls == []
    for key in (KEY, BUILD_TAG_KEY):
        result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={key: "mine"}))
        assert failed and "reserved" in result["msg"] and key in result["msg"] and cloud.calls == []


def test_a_refresh_that_would_pass_20_tags_fails_before_any_change(run_module, cloud, registry_digests):
    tags = dict(("k%d" % i, "v") for i in range(19))
    tags["acs:system"] = "x"  # a system tag the cloud keeps: with the digest record, 21 (the build record has no room)
    cloud.add("imc-1", images=[APP], tags=tags)
    registry_digests[APP] = NEW
    result, failed = run_module(eci_image_cache.main, dict(CREATE, force_update=True))
    assert failed and "21 tags" in result["msg"] and KEY in result["msg"]
    assert cloud.mutations() == []


def test_a_bad_platform_is_refused_before_any_call(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_platform="amd64"))
    assert failed and "image_platform" in result["msg"] and cloud.calls == []


def test_a_bad_refresh_names_the_choices(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, refresh="always"))
    assert failed and "refresh" in result["msg"] and "never" in result["msg"] and "digest" in result["msg"]
    assert cloud.calls == []


@pytest.mark.parametrize("status", ["UpdateFailed", "Creating", "Updating"])
def test_a_cache_that_is_not_built_is_not_fresh(run_module, cloud, registry_digests, status):
    """The record is written with the create and once an update is accepted, before the build: a cache whose update
    failed or whose build is under way does not hold what its record says, so its staleness is unknown, not false."""
    built(cloud, registry_digests, run_module)
    cloud.records["imc-1"]["status"] = status
    task = dict(BASE, name="web", refresh="digest", wait=False, _ansible_check_mode=True)
    result, failed = run_module(eci_image_cache.main, task)
    assert not failed and result["stale"] is None, result
    assert cloud.mutations() == []
    # An UpdateFailed cache is updated again (refresh or not); a Ready cache with the same record is fresh.
    # The build record stays: the update sends the settings the create recorded.
    assert result["changes"] == (["update retry UpdateFailed"] if status == "UpdateFailed" else [])
    cloud.records["imc-1"]["status"] = "Ready"
    result, failed = run_module(eci_image_cache.main, task)
    assert not failed and result["stale"] is False and result["changes"] == []


def test_an_update_failed_cache_is_rebuilt_with_its_images_and_then_fresh(run_module, cloud, registry_digests):
    built(cloud, registry_digests, run_module)
    cloud.records["imc-1"]["status"] = "UpdateFailed"
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", refresh="digest"))
    assert not failed and result["changes"][0] == "update retry UpdateFailed" and result["stale"] is False


def test_a_refresh_without_images_in_the_task_sends_the_caches_images(run_module, cloud, registry_digests, monkeypatch):
    """Whether the cloud pulls again for an UpdateImageCache without Image.N is undocumented: the rebuild names them."""
    built(cloud, registry_digests, run_module)
    registry_digests[APP] = NEW
    sent = []
    update = eci.update_image_cache
    monkeypatch.setattr(eci, "update_image_cache", lambda connection, cache_id, fields, token: sent.append(fields) or update(
        connection, cache_id, fields, token))
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", refresh="digest"))
    assert not failed and result["changes"] == ["update stale image digests", "record image digests"]
    assert len(sent) == 1 and sent[0]["image"] == [APP], sent
    assert result["stale"] is False and cloud.records["imc-1"]["tags"][KEY] == make_record({APP: NEW})


def test_a_platform_the_record_cannot_hold_is_refused_before_any_call(run_module, cloud, registry_digests):
    registry_digests[APP] = OLD
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_platform="linux/arm64/" + "v" * 60))
    assert failed and "image_platform" in result["msg"] and "at most %d" % MAX_PLATFORM_LENGTH in result["msg"], result
    assert "Traceback" not in result["msg"] and cloud.calls == [] and registry_digests.reads == []


def test_a_refresh_under_a_listing_that_never_shows_updating_ends_with_the_new_snapshot(run_module, cloud, registry_digests):
    """A rebuild for stale digests changes nothing readable; a listing that lags past the whole rebuild (hostile:
    update_lag 10 s > the build) never shows Updating. The new snapshot id is the proof the update was applied: the
    wait ends when it shows, not after UPDATE_OBSERVE_MAX, and never returns the cache as it was before."""
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_service import UPDATE_OBSERVE_MAX
    built(cloud, registry_digests, run_module)
    before = cloud.view("imc-1")["snapshot_id"]
    cloud.switches.update(update_lag=10, ready_after=2, shows_updating=False)
    registry_digests[APP] = NEW
    started = cloud.now()
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", refresh="digest"))
    assert not failed and result["changed"] and result["stale"] is False, result
    assert result["image_cache"]["snapshot_id"] != before and result["image_cache"]["status"] == "Ready"
    assert 12 <= cloud.now() - started < UPDATE_OBSERVE_MAX


def test_a_push_refresh_by_id_keeps_the_build_record_so_a_failed_rebuild_is_not_built_again(run_module, cloud, registry_digests):
    """playbooks/refresh_on_push.yml refreshes by id with no network: the record keeps the create's network, so when
    that rebuild fails, the unchanged main task is refused (no billed rebuild with the same settings)."""
    built(cloud, registry_digests, run_module)
    record = cloud.records["imc-1"]["tags"][BUILD_TAG_KEY]
    registry_digests[APP] = NEW
    result, failed = run_module(eci_image_cache.main, dict(BASE, image_cache_id="imc-1", refresh="digest"))
    assert not failed and result["changes"][0] == "update stale image digests", result
    assert cloud.records["imc-1"]["tags"][BUILD_TAG_KEY] == record
    cloud.records["imc-1"].update(failed=True, events=[dict(reason="Failed", message="pull failed")])
    cloud.calls.clear()
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert failed and "pull failed" in result["msg"] and "those of the failed build" in result["msg"], result
    assert cloud.mutations() == []


def test_a_cache_with_19_user_tags_is_still_updated_without_the_build_record(run_module, cloud, registry_digests):
    """19 user tags were allowed before the build record: such a cache is updated, the record left out with a warning."""
    registry_digests[APP] = OLD
    cloud.add("imc-1", images=[APP], tags=dict({KEY: make_record({APP: OLD})}, **dict(("k%d" % i, "v") for i in range(19))))
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40))
    assert not failed and result["changes"][0] == "update image_cache_size", result
    assert BUILD_TAG_KEY not in cloud.records["imc-1"]["tags"]
    assert any(BUILD_TAG_KEY in warning and "was not written" in warning for warning in result["warnings"]), result["warnings"]
