# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_caches' decisions, against the in-memory cloud of eci_image_cache's unit tests."""

from __future__ import annotations

import re
import threading
import time

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci, image_cache_engine, image_cache_fleet, image_reads, waiters
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import BUILD_TAG_KEY
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import user_tags
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache, eci_image_caches
from ansible_collections.alibabacloud.eci.tests.unit.plugins.modules.fake_cloud import FakeClock, FakeCloud

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
BASE = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")
NETWORK = dict(security_group_id="sg-1", vswitch_ids=["vsw-1"], images=[NGINX], size_check="skip")
TAG = {"ansible-eci-set": "default"}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_cloud(monkeypatch, clock):
    def make(**switches):
        fake = FakeCloud(clock, **switches)
        fake.install(monkeypatch)

        def describe_image_caches(connection, **filters):
            assert not any(filters.values()), filters  # the set lists the whole region
            fake.calls.append(("list",))
            return fake.caches()
        monkeypatch.setattr(eci, "describe_image_caches", describe_image_caches)
        monkeypatch.setattr(waiters.time, "sleep", clock.sleep)
        monkeypatch.setattr(waiters.time, "monotonic", clock.clock)
        return fake
    return make


@pytest.fixture
def cloud(make_cloud):
    return make_cloud()


def args(caches, **extra):
    extra.setdefault("management_tag_value", "default")  # no shared default (issue 22): these sets name theirs
    return dict(BASE, caches=caches, defaults=dict(NETWORK), **extra)


def names(*items):
    return [dict(name=name) for name in items]


def argument_spec_of(monkeypatch, module):
    """The argument spec a module's main() builds (it stops there)."""
    captured = {}

    class Capture(Exception):
        pass

    def alibaba_module(argument_spec, **kwargs):
        captured.update(argument_spec)
        raise Capture()
    monkeypatch.setattr(module, "AlibabaCloudModule", alibaba_module)
    with pytest.raises(Capture):
        module.main()
    return captured


def test_the_items_take_every_option_of_eci_image_cache(monkeypatch):
    captured = argument_spec_of(monkeypatch, eci_image_cache)
    # One spec (image_cache_spec) for both modules: the items' options are eci_image_cache's but wait, wait_timeout,
    # the same in every respect except the defaults, which apply after an item is merged over `defaults`.
    # take_over is the set's own: a cache carrying another set's management value (issue 22).
    assert set(image_cache_fleet.ITEM_SPEC) == set(captured) - {"wait", "wait_timeout"} | {"take_over"}
    for option, spec in image_cache_fleet.ITEM_SPEC.items():
        if option == "take_over":
            continue
        assert spec == dict((k, v) for k, v in captured[option].items() if k != "default"), option
    fleet_spec = argument_spec_of(monkeypatch, eci_image_caches)
    assert fleet_spec["caches"]["options"] is image_cache_fleet.ITEM_SPEC
    assert fleet_spec["defaults"]["options"] is image_cache_fleet.ITEM_SPEC


def test_creates_are_sent_together_and_waited_for_with_one_listing_per_round(run_module, cloud, clock):
    result, failed = run_module(eci_image_caches.main, args(names("a", "b", "c")))
    assert not failed, result
    assert result["changed"] and [r["changes"] for r in result["results"]] == [["create"]] * 3
    assert all(r["image_cache"]["status"] == "Ready" and user_tags(r["image_cache"]["tags"]) == TAG for r in result["results"])
    assert all(re.fullmatch("v1:[0-9a-f]{64}", r["image_cache"]["tags"][BUILD_TAG_KEY]) for r in result["results"])
    creates = [i for i, call in enumerate(cloud.calls) if call[0] == "create"]
    # The three creates come before any wait's listing: nothing waits between them.
    waits = [i for i, call in enumerate(cloud.calls) if call[0] == "list"][1:]
    assert creates and waits and max(creates) < min(waits)
    # Per create: one fresh lookup by name under this host's lock; the creates are confirmed by listing, all at once.
    assert sorted(call[0] for call in cloud.calls if call[0] in ("get", "find")) == ["find"] * 3
    assert creates[-1] + 1 == waits[0]  # the listing right after the sends confirms all three
    # Built in parallel: the whole set in about one build time (ready_after 2), not three.
    assert clock.now - 1000.0 < 2 * cloud.switches["ready_after"] + 2


def test_a_set_as_wanted_costs_one_listing_and_nothing_else(run_module, cloud, registry_digests):
    registry_digests[NGINX] = "sha256:" + "a" * 64
    for index, name in enumerate(("a", "b", "c")):
        cloud.add("imc-%d" % index, image_cache_name=name, images=[NGINX], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, args(names("a", "b", "c")))
    assert not failed and not result["changed"], result
    assert cloud.calls == [("list",)]
    # And one manifest read per distinct image (for `stale`), not one per cache.
    assert registry_digests.reads == [([NGINX], "linux/amd64")]
    assert [r["image_digests"][0]["digest"] for r in result["results"]] == [registry_digests[NGINX]] * 3


def test_the_registry_reads_share_the_tasks_deadline(run_module, cloud, registry_digests, monkeypatch):
    from ansible_collections.alibabacloud.eci.plugins.module_utils import image_digests
    other = "registry.cn-hangzhou.aliyuncs.com/acs/redis:7"
    registry_digests.update({NGINX: "sha256:" + "a" * 64, other: "sha256:" + "b" * 64})
    budgets = []

    def resolve(images, platform=None, **options):
        budgets.append((len(images), options["max_seconds"]))
        return registry_digests.resolve(images, platform)
    monkeypatch.setattr(image_digests, "resolve_digests", resolve)
    cloud.add("imc-a", image_cache_name="a", images=[NGINX, other], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", images=[NGINX, other])], wait_timeout=30))
    assert not failed and result["results"][0]["stale"] is None, result  # no record on the cache: unknown
    # max_seconds bounds each image: the images together stay within the 30 s left, not 60 s (read_timeout) each.
    assert budgets and all(count * seconds <= 30 for count, seconds in budgets), budgets
    # A spent deadline reads nothing: staleness is unknown, and nothing waits on a registry.
    del budgets[:]
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", images=[NGINX, other])], wait_timeout=0))
    assert not failed and budgets == [] and result["results"][0]["stale"] is None and not result["changed"], result


def test_a_set_item_takes_at_most_17_user_tags_before_any_call(run_module, cloud, registry_digests):
    registry_digests[NGINX] = "sha256:" + "a" * 64
    many = dict(("k%d" % i, "v") for i in range(18))
    result, failed = run_module(eci_image_caches.main, args([dict(name="a"), dict(name="b", tags=many)]))
    assert failed and cloud.calls == []
    assert "caches[1].tags (b): at most 17 tags are allowed in a set, got 18" in result["msg"]
    assert "management tag" in result["msg"] and "alibabacloud.eci/digests" in result["msg"] and BUILD_TAG_KEY in result["msg"]
    assert "at most 18" not in result["msg"] and "caches[0]" not in result["msg"]
    result, failed = run_module(eci_image_caches.main, dict(args(names("a")), defaults=dict(NETWORK, tags=many)))
    assert failed and cloud.calls == [] and "defaults.tags: at most 17 tags" in result["msg"], result
    # 17 fit: with the management tag and the collection's two records, the cache carries the cloud's 20.
    del many["k17"]
    result, failed = run_module(eci_image_caches.main, args([dict(name="b", tags=many)]))
    assert not failed, result
    assert len(result["results"][0]["image_cache"]["tags"]) == 20


def test_a_bad_platform_or_refresh_in_an_item_is_refused_before_any_call(run_module, cloud):
    result, failed = run_module(eci_image_caches.main, args([dict(name="a"), dict(name="b", image_platform="amd64")]))
    assert failed and cloud.calls == []
    assert "caches[1].image_platform (b): invalid platform 'amd64'" in result["msg"], result
    result, failed = run_module(eci_image_caches.main, dict(args(names("a")), defaults=dict(NETWORK, image_platform="x")))
    assert failed and cloud.calls == [] and "defaults.image_platform: invalid platform 'x'" in result["msg"], result
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", refresh="always")]))
    assert failed and cloud.calls == [] and "refresh" in result["msg"] and "digest" in result["msg"], result


def test_check_mode_reports_per_cache_and_changes_nothing(run_module, cloud):
    cloud.add("imc-old", image_cache_name="a", images=["registry.example.com/old:1"], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, dict(args(names("a", "b")), _ansible_check_mode=True))
    assert not failed and result["changed"]
    assert [r["changes"] for r in result["results"]] == [["update images", "record build settings"], ["create"]]
    assert result["results"][0]["image_cache"]["images"] == [NGINX]
    assert cloud.mutations() == []


def test_bad_items_fail_before_any_call_naming_index_name_and_option(run_module, cloud):
    caches = [dict(name="a"), dict(name="b", image_cache_size=5), dict(name="c", retention_days=0),
              dict(name="d", tags={"acs:x": "1"})]
    result, failed = run_module(eci_image_caches.main, args(caches))
    assert failed
    assert "caches[1].image_cache_size (b) must be 20 to 32768" in result["msg"]
    assert "caches[2].retention_days (c)" in result["msg"]
    assert "caches[3].tags (d): tag key 'acs:x' must not start with" in result["msg"]
    assert "caches[0]" not in result["msg"]
    assert cloud.calls == []


def test_an_option_of_the_set_in_an_item_is_refused_before_any_call(run_module, cloud):
    result, failed = run_module(eci_image_caches.main, args([dict(name="a"), dict(name="d", wait=False)]))
    assert failed and "caches" in result["msg"] and "wait" in result["msg"] and cloud.calls == []


def test_a_cache_listed_twice_is_bad_input(run_module, cloud):
    result, failed = run_module(eci_image_caches.main, args(names("a", "a")))
    assert failed and "caches[1] (a): the same cache as caches[0] (a)" in result["msg"] and cloud.calls == []


def test_one_failed_build_does_not_stop_the_others_and_the_task_names_it(run_module, make_cloud):
    cloud = make_cloud(fail_builds=1)
    result, failed = run_module(eci_image_caches.main, args(names("bad", "good")))
    assert failed and result["failed_caches"] == ["bad"] and "bad:" in result["msg"] and "good:" not in result["msg"]
    bad, good = result["results"]
    assert bad["changed"] and bad["failure"]["code"] == "ImageCacheFailed" and bad["image_cache"]["status"] == "Failed"
    assert good["failure"] is None and good["image_cache"]["status"] == "Ready"
    assert len(cloud.creates()) == 2


def test_a_failed_cache_is_replaced(run_module, cloud):
    cloud.add("imc-old", image_cache_name="a", images=[NGINX], tags=dict(TAG), failed=True, status="Failed")
    # A larger size may change the outcome (issue 22: the same settings are refused; test_image_cache_parity.py).
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", image_cache_size=40)]))
    assert not failed, result
    assert result["results"][0]["changes"] == ["delete", "create"]
    assert result["results"][0]["image_cache"]["image_cache_id"] != "imc-old"
    assert any("is Failed" in warning for warning in result["warnings"])


def test_purge_deletes_only_the_sets_caches_not_listed(run_module, cloud):
    cloud.add("imc-keep", image_cache_name="keep", images=[NGINX], tags=dict(TAG))
    cloud.add("imc-old", image_cache_name="old", images=[NGINX], tags=dict(TAG))
    cloud.add("imc-other-set", image_cache_name="other", images=[NGINX], tags={"ansible-eci-set": "other"})
    cloud.add("imc-untagged", image_cache_name="mine", images=[NGINX], tags={})
    checked, failed = run_module(eci_image_caches.main, dict(args(names("keep"), purge=True), _ansible_check_mode=True))
    assert not failed and checked["changed"]
    assert [(r["name"], r.get("purged")) for r in checked["results"]] == [("keep", None), ("old", True)]
    assert cloud.mutations() == []
    result, failed = run_module(eci_image_caches.main, args(names("keep"), purge=True))
    assert not failed and result["changed"], result
    assert cloud.mutations() == [("delete", "imc-old")]
    # Every entry carries stale and image_digests (fresh_caches.rst): a deleted cache's are null and [].
    purged = result["results"][1]
    assert purged["purged"] and purged["stale"] is None and purged["image_digests"] == []
    assert sorted(c["image_cache_name"] for c in cloud.caches()) == ["keep", "mine", "other"]


def test_without_purge_nothing_unlisted_is_touched(run_module, cloud):
    cloud.add("imc-old", image_cache_name="old", images=[NGINX], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, args(names("new")))
    assert not failed and [r["name"] for r in result["results"]] == ["new"]
    assert [call[0] for call in cloud.mutations()] == ["create"]


def test_updates_and_tags_of_existing_caches(run_module, cloud):
    cloud.add("imc-1", image_cache_name="a", images=[NGINX], image_cache_size=20, tags={"team": "x"})
    caches = [dict(name="a", image_cache_size=40, tags={"team": "web"})]
    result, failed = run_module(eci_image_caches.main, dict(args(caches), _ansible_diff=True))
    assert not failed, result
    entry = result["results"][0]
    assert entry["changes"] == ["update image_cache_size", "record build settings", "tag ansible-eci-set", "tag team"]
    assert entry["image_cache"]["image_cache_size"] == 40 and entry["image_cache"]["status"] == "Ready"
    assert entry["diff"]["before"]["image_cache_size"] == 20 and entry["diff"]["after"]["image_cache_size"] == 40
    again, failed = run_module(eci_image_caches.main, args(caches))
    assert not failed and not again["changed"]


def test_absent_items_are_deleted_and_waited_for_together(run_module, cloud):
    cloud.add("imc-1", image_cache_name="a", images=[NGINX])
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", state="absent"), dict(name="gone", state="absent")]))
    assert not failed and [r["changed"] for r in result["results"]] == [True, False]
    assert cloud.caches() == []


def test_registry_passwords_never_reach_the_result(run_module, cloud):
    secret = "S3cr3t-for-a-registry"
    caches = [dict(name="a", image_registry_credentials=[dict(server="registry.example.com", username="u",
                                                              password=secret)])]
    result, failed = run_module(eci_image_caches.main, dict(args(caches), _ansible_diff=True))
    assert not failed, result
    assert secret not in repr(result)
    assert cloud.creates()  # the password was sent (the create request), only never shown


def test_registry_passwords_never_reach_the_system_log(run_module, cloud, monkeypatch):
    from ansible.module_utils import basic
    secret = "S3cr3t-for-the-journal"
    logged = []
    monkeypatch.setattr(basic, "has_journal", False)
    monkeypatch.setattr(basic.syslog, "syslog", lambda *parts: logged.append(repr(parts)))
    caches = [dict(name="a", image_registry_credentials=[dict(server="registry.example.com", username="u",
                                                              password=secret)])]
    result, failed = run_module(eci_image_caches.main, args(caches))
    assert not failed, result
    assert cloud.creates() and not any(secret in line for line in logged)


def test_a_bad_credential_entry_names_the_item_and_the_option(run_module, cloud):
    caches = [dict(name="a", image_registry_credentials=[dict(server="registry.example.com", username="u")])]
    result, failed = run_module(eci_image_caches.main, args(caches))
    # ansible-core's own check of the sub-options names the list and the option.
    assert failed and "caches" in result["msg"] and "password" in result["msg"] and cloud.calls == []


# ---------------------------------------------------------------- issue 17 review: each reproduction as a test

def failing_listing(monkeypatch, cloud, after, error=None):
    """DescribeImageCaches fails from its (after+1)-th call on (a wait's listing), as a cloud error or a timeout."""
    def describe_image_caches(connection, **filters):
        cloud.calls.append(("list",))
        if len([c for c in cloud.calls if c[0] == "list"]) > after:
            raise error or AlibabaCloudError("DescribeImageCaches", "ServiceUnavailable", "try later", request_id="req-9",
                                             status_code=503)
        return cloud.caches()
    monkeypatch.setattr(eci, "describe_image_caches", describe_image_caches)


@pytest.mark.parametrize("after", [1, 2], ids=["confirming-listing", "wait-listing"])
def test_a_failed_listing_after_the_writes_keeps_changed_results_and_names_every_cache(
        run_module, cloud, monkeypatch, after):
    cloud.add("imc-old", image_cache_name="b", images=["registry.example.com/old:1"], tags=dict(TAG))
    failing_listing(monkeypatch, cloud, after)
    result, failed = run_module(eci_image_caches.main, args(names("a", "b")))
    assert failed and result["changed"], result
    assert result["failed_caches"] == ["a", "b"] if after == 2 else ["a"]
    a, b = result["results"]
    assert a["changed"] and a["changes"] == ["create"] and a["image_cache"]["image_cache_id"]
    assert "ServiceUnavailable" in a["failure"]["msg"] and "a:" in result["msg"]
    assert b["changed"] and b["changes"] == ["update images", "record build settings"] and b["image_cache"]["image_cache_id"] == "imc-old"
    if after == 2:
        assert "ServiceUnavailable" in b["failure"]["msg"] and "b:" in result["msg"]


def test_an_unexpected_error_of_one_cache_is_reported_and_the_others_go_on(run_module, cloud):
    def boom():
        raise RuntimeError("something nobody expected")
    cloud.hooks["create"] = boom
    result, failed = run_module(eci_image_caches.main, args(names("a", "b")))
    assert failed and result["failed_caches"] == ["a"]
    a, b = result["results"]
    assert a["failure"]["msg"] == "RuntimeError: something nobody expected" and not a["changed"]
    assert b["failure"] is None and b["image_cache"]["status"] == "Ready" and result["changed"]


def test_every_call_is_made_from_the_main_thread(run_module, cloud, monkeypatch):
    threads = set()
    for name in cloud.API + ("describe_image_caches",):
        original = getattr(eci, name)

        def wrapper(*a, _original=original, **k):
            threads.add(threading.current_thread() is threading.main_thread())
            return _original(*a, **k)
        monkeypatch.setattr(eci, name, wrapper)
    result, failed = run_module(eci_image_caches.main, args(names("a", "b", "c")))
    assert not failed and threads == {True}, result


def test_one_deadline_bounds_the_whole_task(run_module, make_cloud, clock):
    # A cache still Updating (waited out before its update) and a new one that takes 30 s: with wait_timeout 10,
    # the task ends within 10 s of fake time, not 10 s per wait.
    cloud = make_cloud(ready_after=30, update_lag=0)
    cloud.add("imc-busy", image_cache_name="busy", images=["registry.example.com/old:1"], tags=dict(TAG), status="Updating")
    started = clock.now
    result, failed = run_module(eci_image_caches.main, args(names("busy", "new"), wait_timeout=10))
    assert failed and sorted(result["failed_caches"]) == ["busy", "new"]
    assert clock.now - started <= 10 + 1e-6, clock.now - started
    assert all("WaitTimeout" == r["failure"]["code"] for r in result["results"]), result


def test_every_call_of_the_task_is_bounded_by_the_wait_timeout(run_module, cloud, monkeypatch):
    deadlines = []
    original = eci.describe_image_caches

    def describe_image_caches(connection, **filters):
        deadlines.append(connection.deadline is not None and connection.deadline - time.monotonic())
        return original(connection, **filters)
    monkeypatch.setattr(eci, "describe_image_caches", describe_image_caches)
    result, failed = run_module(eci_image_caches.main, args(names("a"), wait_timeout=5))
    assert not failed, result
    assert len(deadlines) >= 3  # the set's listing, the confirming listing and the wait's
    assert all(d is not False and 0 < d <= 5 + image_cache_fleet.LAST_POLL_SECONDS for d in deadlines), deadlines


def test_one_cache_named_by_name_and_by_id_is_refused_before_any_write(run_module, cloud):
    cloud.add("imc-1", image_cache_name="a", images=[NGINX], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", image_cache_size=40),
                                                             dict(image_cache_id="imc-1")]))
    assert failed and not result.get("changed")
    assert "caches[0] (a) and caches[1] (imc-1) are the same image cache imc-1" in result["msg"]
    assert cloud.mutations() == [] and cloud.calls == [("list",)]


def test_the_same_id_twice_is_refused_before_any_call(run_module, cloud):
    result, failed = run_module(eci_image_caches.main, args([dict(image_cache_id="imc-1"),
                                                             dict(image_cache_id="imc-1", name="b")]))
    assert failed and "caches[1] (b)" in result["msg"] and "the same cache as caches[0] (imc-1)" in result["msg"]
    assert cloud.calls == []


@pytest.mark.parametrize("options, expected", [
    (dict(management_tag_key="acs:mine"), "management_tag_key: tag key 'acs:mine' must not start with 'aliyun' or 'acs:'"),
    (dict(management_tag_key="k" * 129), "management_tag_key: tag keys must be 1 to 128 characters"),
    (dict(management_tag_key=" "), "management_tag_key must not be empty"),
    (dict(management_tag_value="https://x"), "management_tag_value: tag value 'https://x' of key 'ansible-eci-set' "
                                             "must not contain 'http://' or 'https://'"),
    (dict(management_tag_value="v" * 129), "management_tag_value: the value of tag 'ansible-eci-set' is longer than 128"),
], ids=["system-prefix", "long-key", "empty-key", "url-value", "long-value"])
def test_the_management_tag_follows_the_tag_rules_before_any_call(run_module, cloud, options, expected):
    result, failed = run_module(eci_image_caches.main, args(names("a"), **options))
    assert failed and expected in result["msg"] and cloud.calls == []


def test_an_item_or_defaults_carrying_the_management_tag_key_is_refused(run_module, cloud):
    caches = [dict(name="a"), dict(name="b", tags={"ansible-eci-set": "other"})]
    result, failed = run_module(eci_image_caches.main, args(caches))
    assert failed and "caches[1].tags (b) must not carry the management tag key 'ansible-eci-set'" in result["msg"]
    assert "caches[0]" not in result["msg"] and cloud.calls == []
    result, failed = run_module(eci_image_caches.main, dict(args(names("a")), defaults=dict(
        NETWORK, tags={"mine": "x"}), management_tag_key="mine"))
    assert failed and "defaults.tags must not carry the management tag key 'mine'" in result["msg"] and cloud.calls == []


def test_labels_name_the_callers_variables(run_module, cloud):
    labels = dict(caches="image_cache_list", defaults="image_cache_")
    caches = [dict(name="a"), dict(name="b"), dict(name="c", image_cache_size=5)]
    result, failed = run_module(eci_image_caches.main, dict(args(caches, labels=labels), defaults=dict(
        NETWORK, retention_days=0, image_cache_size=19)))
    assert failed and cloud.calls == []
    assert "image_cache_list[2].image_cache_size (c) must be 20 to 32768" in result["msg"]
    # A value of the role's variables is said once, of the variable, not once per item.
    assert result["msg"].count("image_cache_retention_days must be") == 1
    assert result["msg"].count("image_cache_size must be 20 to 32768 (GiB), got 19") == 1
    assert "caches" not in result["msg"] and "defaults" not in result["msg"]


def test_a_failure_message_loses_passwords_and_query_strings(run_module, cloud):
    secret = "S3cr3t-in-an-answer"

    def echo():
        raise AlibabaCloudError("CreateImageCache", "InvalidParameter", "bad credential %s at "
                                "https://eci.example.com/?Password=%s&Signature=abc" % (secret, secret), status_code=400)
    cloud.hooks["create"] = echo
    caches = [dict(name="a", image_registry_credentials=[dict(server="registry.example.com", username="u",
                                                              password=secret)])]
    result, failed = run_module(eci_image_caches.main, args(caches))
    assert failed and result["results"][0]["failure"]["code"] == "InvalidParameter"
    assert secret not in repr(result) and "Signature=abc" not in repr(result)


def test_the_size_preflight_runs_before_the_hosts_turn_is_taken(run_module, cloud, monkeypatch):
    # Each cache's images are measured before its own turn is taken (a slow registry never holds other runs); the
    # turn of a cache whose create is not confirmed yet is still held (issue 22), which is another cache's turn.
    other = "registry.cn-hangzhou.aliyuncs.com/acs/redis:7"
    measured = []
    taken = []
    original = image_cache_engine.HostLock.acquire

    def acquire(self, seconds):
        taken.append(self)
        return original(self, seconds)

    def measure(images, **kwargs):
        measured.append((list(images), [index for index, lock in enumerate(taken) if lock.held]))
        return [dict(image=image, compressed_size=1024) for image in images], 1024 * len(images), []
    monkeypatch.setattr(image_cache_engine.HostLock, "acquire", acquire)
    monkeypatch.setattr(image_reads, "measure_images", measure)
    caches = [dict(name="a", images=[NGINX]), dict(name="b", images=[other])]
    result, failed = run_module(eci_image_caches.main, dict(args(caches), defaults=dict(NETWORK, size_check="warn")))
    assert not failed, result
    # b's images are measured while a's turn (the first taken) is held, b's not yet.
    assert measured == [([NGINX], []), ([other], [0])] and len(taken) == 2


def test_creates_a_lagging_listing_hides_are_confirmed_without_sending_them_again(run_module, make_cloud, clock):
    cloud = make_cloud(visibility_lag=15)
    started = clock.now
    result, failed = run_module(eci_image_caches.main, args(names("a", "b", "c")))
    assert not failed, result
    assert len(cloud.creates()) == 3 and [r["changes"] for r in result["results"]] == [["create"]] * 3
    assert all(r["image_cache"]["status"] == "Ready" for r in result["results"])
    # The lag is waited out once for the set (by the first cache's own confirmation), not once per cache.
    assert clock.now - started < 15 + 15, clock.now - started


def test_refresh_digest_rebuilds_stale_members_in_place_and_records_the_new_digests(run_module, cloud, registry_digests):
    # Issue 18 in a set: the same decision as eci_image_cache (image_digests.decide_refresh), per member.
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY, make_record
    old, new = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    registry_digests[NGINX] = old
    result, failed = run_module(eci_image_caches.main, args(names("a", "b")))
    assert not failed and [r["stale"] for r in result["results"]] == [False, False]
    assert all(r["image_cache"]["tags"][DIGESTS_TAG_KEY] == make_record({NGINX: old}) for r in result["results"])
    registry_digests[NGINX] = new
    result, failed = run_module(eci_image_caches.main, args(names("a", "b")))
    assert not failed and not result["changed"] and [r["stale"] for r in result["results"]] == [True, True]
    cloud.calls.clear()
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", refresh="digest"), dict(name="b")]))
    assert not failed, result
    first, second = result["results"]
    assert first["changes"] == ["update stale image digests", "record image digests"] and first["stale"] is False
    assert first["image_cache"]["status"] == "Ready"
    assert not second["changed"] and second["stale"] is True
    assert [call[0] for call in cloud.calls].count("update") == 1
    assert [c for c in cloud.caches() if c["image_cache_name"] == "a"][0]["tags"][DIGESTS_TAG_KEY] == make_record({NGINX: new})
    again, failed = run_module(eci_image_caches.main, args([dict(name="a", refresh="digest")]))
    assert not failed and not again["changed"] and again["results"][0]["stale"] is False


def test_refresh_digest_warns_of_a_member_without_a_digest_record(run_module, cloud, registry_digests):
    # As eci_image_cache (image_digests.unrecorded_warning): refresh: digest cannot tell without a record; said once.
    registry_digests[NGINX] = "sha256:" + "a" * 64
    cloud.add("imc-a", image_cache_name="a", images=[NGINX], tags=dict(TAG))
    cloud.add("imc-b", image_cache_name="b", images=[NGINX], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", refresh="digest"), dict(name="b")]))
    assert not failed and not result["changed"], result
    warned = [w for w in result["warnings"] if "carries no record" in w]
    assert len(warned) == 1 and "imc-a" in warned[0] and "force_update: true" in warned[0], result["warnings"]
    assert [r["stale"] for r in result["results"]] == [None, None]


def test_the_item_tags_doc_states_the_sets_limit():
    import yaml
    from ansible_collections.alibabacloud.eci.plugins.module_utils import limits
    doc = yaml.safe_load(eci_image_caches.DOCUMENTATION)
    tags = " ".join(doc["options"]["caches"]["suboptions"]["tags"]["description"])
    assert image_cache_fleet.MAX_SET_USER_TAGS == limits.MAX_TAGS - 3
    assert "at most %d tags" % (limits.MAX_TAGS - 3) in tags and "%d tags per cache" % limits.MAX_TAGS in tags


def test_a_refresh_without_images_in_the_item_sends_the_caches_images(run_module, cloud, registry_digests, monkeypatch):
    # As eci_image_cache: the rebuild's UpdateImageCache carries Image.N, so the cloud pulls them again.
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY, make_record
    sent = []
    update = eci.update_image_cache
    monkeypatch.setattr(eci, "update_image_cache", lambda connection, cache_id, fields, token: sent.append(fields) or update(
        connection, cache_id, fields, token))
    registry_digests[NGINX] = "sha256:" + "a" * 64
    cloud.add("imc-1", image_cache_name="a", images=[NGINX], tags=dict(TAG, **{DIGESTS_TAG_KEY: make_record({NGINX: registry_digests[NGINX]})}))
    registry_digests[NGINX] = "sha256:" + "b" * 64
    defaults = dict(NETWORK)
    del defaults["images"]
    result, failed = run_module(eci_image_caches.main, dict(BASE, caches=[dict(name="a", refresh="digest")], defaults=defaults))
    assert not failed and result["results"][0]["changes"][0] == "update stale image digests", result
    assert result["results"][0]["stale"] is False
    assert [c for c in cloud.caches() if c["image_cache_name"] == "a"][0]["images"] == [NGINX]
    assert len(sent) == 1 and sent[0]["image"] == [NGINX], sent


# ------------------------------------------------------------ issue 22: the set keeps eci_image_cache's promises

def test_purge_reads_each_cache_again_and_spares_one_re_tagged_meanwhile(run_module, cloud, monkeypatch):
    cloud.add("imc-keep", image_cache_name="keep", images=[NGINX], tags=dict(TAG))
    cloud.add("imc-old", image_cache_name="old", images=[NGINX], tags=dict(TAG))
    cloud.add("imc-gone", image_cache_name="gone", images=[NGINX], tags=dict(TAG))
    listing = eci.describe_image_caches

    def describe(connection, **filters):
        caches = listing(connection, **filters)
        # Another actor, seconds after the set's listing: set Y takes "old", and "gone" is deleted.
        cloud.records["imc-old"]["tags"] = {"ansible-eci-set": "y"}
        cloud.records["imc-gone"]["gone_at"] = cloud.now()
        return caches
    monkeypatch.setattr(eci, "describe_image_caches", describe)
    result, failed = run_module(eci_image_caches.main, args(names("keep"), purge=True))
    assert not failed, result
    assert ("get", "imc-old") in cloud.calls and ("get", "imc-gone") in cloud.calls
    assert cloud.mutations() == []  # neither is deleted: one is set y's now, the other is gone
    assert any("imc-old" in w and "'y'" in w and "not purged" in w for w in result["warnings"])
    assert not result["changed"]


def test_purge_needs_a_set_value_and_an_empty_list_needs_purge_all(run_module, cloud):
    cloud.add("imc-1", image_cache_name="a", images=[NGINX], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, dict(args(names("a"), purge=True), management_tag_value=None))
    assert failed and "purge: true needs management_tag_value" in result["msg"] and cloud.calls == []
    result, failed = run_module(eci_image_caches.main, args([], purge=True))
    assert failed and "purge_all: true" in result["msg"] and cloud.calls == []
    result, failed = run_module(eci_image_caches.main, args([], purge=True, purge_all=True))
    assert not failed and cloud.mutations() == [("delete", "imc-1")]


def test_without_a_set_value_the_caches_carry_no_management_tag(run_module, cloud):
    result, failed = run_module(eci_image_caches.main, dict(BASE, caches=names("a"), defaults=dict(NETWORK)))
    assert not failed, result
    assert list(result["results"][0]["image_cache"]["tags"]) == [BUILD_TAG_KEY]
    assert "ansible-eci-set" not in cloud.records["imc-1"]["tags"]


def test_taking_over_another_sets_cache_is_refused_naming_the_set(run_module, cloud):
    cloud.add("imc-1", image_cache_name="a", images=[NGINX], tags={"ansible-eci-set": "team-b"})
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", image_cache_size=40)]))
    assert failed and cloud.mutations() == []
    assert "belongs to the set 'team-b'" in result["results"][0]["failure"]["msg"]
    assert "take_over: true" in result["results"][0]["failure"]["msg"]
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", take_over=True)]))
    assert not failed and cloud.records["imc-1"]["tags"]["ansible-eci-set"] == "default"


def test_diff_shows_each_cache_at_the_task_level(run_module, cloud):
    cloud.add("imc-1", image_cache_name="a", images=[NGINX], tags=dict(TAG))
    cloud.add("imc-2", image_cache_name="b", images=[NGINX], tags=dict(TAG))
    result, failed = run_module(eci_image_caches.main, args([dict(name="a", image_cache_size=40), dict(name="b")],
                                                            _ansible_diff=True, _ansible_check_mode=True))
    assert not failed, result
    # One diff per changed cache (Ansible prints a list of diffs one after another); the unchanged one is left out.
    assert [d["before_header"] for d in result["diff"]] == ["a"]
    assert result["diff"][0]["before"]["image_cache_size"] == 20 and result["diff"][0]["after"]["image_cache_size"] == 40


def test_the_set_keeps_its_hosts_turn_until_the_create_is_confirmed(run_module, make_cloud, monkeypatch):
    # Issue 22: the set released the turn right after sending the create; a second run on the host then looked up the
    # name before a lagging listing showed the cache, and created a second one. The turn is given back only once the
    # listing shows the cache under its name, so the next run's lookup under the turn finds it.
    cloud = make_cloud(visibility_lag=15)
    events = []
    original_acquire, original_release = image_cache_engine.HostLock.acquire, image_cache_engine.HostLock.release

    def acquire(self, seconds):
        events.append(("lock", len(cloud.named("a"))))
        return original_acquire(self, seconds)

    def release(self):
        if self.held:
            events.append(("unlock", len(cloud.named("a"))))
        return original_release(self)
    monkeypatch.setattr(image_cache_engine.HostLock, "acquire", acquire)
    monkeypatch.setattr(image_cache_engine.HostLock, "release", release)
    result, failed = run_module(eci_image_caches.main, args(names("a"), wait=False))
    assert not failed, result
    assert events == [("lock", 0), ("unlock", 1)]  # listed under its name before the turn is given back
    second, failed = run_module(eci_image_caches.main, args([dict(name="a", image_cache_size=40)], wait=False))
    assert not failed and len(cloud.creates()) == 1 and len(cloud.records) == 1


def test_another_regions_vpc_registry_is_named_with_both_regions_as_by_eci_image_cache(run_module, cloud):
    """As eci_image_cache (test_eci_image_cache_issue14): the set's size note knows the region the caches are built in."""
    vpc = "registry-vpc.cn-shanghai.aliyuncs.com/acs/app:1"
    result, failed = run_module(eci_image_caches.main, dict(args([dict(name="a", images=[vpc])]), _ansible_check_mode=True,
                                                            defaults=dict(NETWORK, size_check="fail")))
    assert not failed, result
    note = result["results"][0]["size_note"]
    assert "VPC endpoint of Container Registry in region cn-shanghai, but the cache is built in region cn-hangzhou" in note, note
