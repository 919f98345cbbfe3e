# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_cache's decisions, with every API function replaced by an in-memory cloud."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci, image_cache_service, image_reads
from ansible_collections.alibabacloud.eci.plugins.module_utils import image_cache_engine
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache
from ansible_collections.alibabacloud.eci.tests.unit.plugins.modules.fake_cloud import FakeClock, FakeCloud

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
BASE = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")
CREATE = dict(BASE, name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])


def measuring(cloud, monkeypatch):
    """The size preflight against sizes the test sets (cloud.sizes); records each measuring in cloud.calls."""
    cloud.sizes = {NGINX: 100 * 1024 ** 2}  # measured compressed size per image, in bytes

    def measure(images, **options):
        cloud.calls.append(("measure", list(images)))
        reports = [dict(image=image, compressed_size=cloud.sizes[image]) for image in images if image in cloud.sizes]
        unmeasured = [image for image in images if image not in cloud.sizes]
        reports += [dict(image=image, error=dict(kind="unreachable", message="%s: unreachable" % image)) for image in unmeasured]
        return reports, sum(report["compressed_size"] for report in reports if "error" not in report), unmeasured

    monkeypatch.setattr(image_reads, "measure_images", measure)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_cloud(monkeypatch, clock):
    """make_cloud(**switches): a fake cloud with the twin's switches, installed for the module."""
    def make(**switches):
        fake = FakeCloud(clock, **switches)
        fake.install(monkeypatch)
        measuring(fake, monkeypatch)
        original_add = fake.add

        def add(cache_id, **fields):
            fields.setdefault("images", [NGINX])
            return original_add(cache_id, **fields)
        fake.add = add
        return fake
    return make


@pytest.fixture
def cloud(make_cloud):
    return make_cloud()


def test_check_mode_create_changes_nothing(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, _ansible_check_mode=True, _ansible_diff=True))
    assert not failed and result["changed"]
    assert cloud.mutations() == []
    assert result["image_cache"]["image_cache_name"] == "web" and result["diff"]["before"] == {}


def test_create_then_no_op(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"] and result["image_cache"]["image_cache_id"] == "imc-1"
    cloud.calls.clear()
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[NGINX]))
    assert not failed and not result["changed"]
    assert cloud.calls == [("find", "web")]


@pytest.mark.parametrize("missing_id", ["not_found", "ignore"])
def test_a_token_answered_with_a_deleted_cache_is_extended(run_module, make_cloud, clock, missing_id):
    # token_after_delete: replay. The cache is deleted; the same create again is answered with the deleted id.
    # Evidence that it is gone: the cloud answers a harmless call on it with NotFound (missing_id: not_found),
    # or it stays unlisted for longer than any listing lag (missing_id: ignore).
    cloud = make_cloud(token_after_delete="replay", missing_id=missing_id)
    run_module(eci_image_cache.main, CREATE)
    run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    started = clock.now
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"] and result["changes"] == ["create"]
    creates = cloud.creates()
    assert len(creates) == 3 and creates[0][1] == creates[1][1] != creates[2][1]
    assert result["image_cache"]["image_cache_id"] == "imc-2" and result["image_cache"]["status"] == "Ready"
    if missing_id == "ignore":
        assert clock.now - started >= image_cache_service.LISTING_LAG_MAX
    else:
        assert image_cache_service.PROBE_AFTER <= clock.now - started < 30
    assert [c["image_cache_id"] for c in cloud.named("web")] == ["imc-2"]


class RecordingLock:
    """Stands in for HostLock: records taking and releasing the create turn among the cloud's calls."""

    available = True

    def __init__(self, name, shared_directory=None):
        self.name = name
        self.shared_directory = shared_directory
        self.held = False
        self.problem = None

    def acquire(self, timeout):
        assert timeout == image_cache_engine.CREATE_TURN_SECONDS
        RecordingLock.calls.append(("lock", self.name.split("\n")[-1]))
        self.held = self.available
        self.problem = None if self.available else "another run held it for more than 120 seconds"
        return self.held

    def release(self):
        if self.held:
            RecordingLock.calls.append(("unlock",))
        self.held = False


@pytest.fixture
def turns(cloud, monkeypatch):
    RecordingLock.calls = cloud.calls  # one timeline with the API calls
    RecordingLock.available = True
    monkeypatch.setattr(image_cache_engine, "HostLock", RecordingLock)
    return RecordingLock


def test_a_create_holds_the_turn_from_lookup_to_create(run_module, cloud, turns):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, wait=True))
    assert not failed and result["changed"]
    # Issue 14: the size check measures before the turn is taken (a slow registry never holds other runs);
    # the lookup that decides to create runs inside the turn; the wait for Ready runs after it.
    assert [call[0] for call in cloud.calls] == ["find", "measure", "lock", "find", "create", "get", "unlock", "get"]
    assert cloud.calls[2] == ("lock", "web")


def test_a_found_cache_gives_the_turn_back_at_once(run_module, cloud, turns):
    cloud.add("imc-1", status="Creating")
    result, failed = run_module(eci_image_cache.main, dict(CREATE, wait=False))
    assert not failed and not result["changed"]
    # Nothing to create: the preflight's lookup is reused and no turn is taken.
    assert cloud.calls == [("find", "web")]


def test_check_mode_and_lookup_by_id_take_no_turn(run_module, cloud, turns):
    run_module(eci_image_cache.main, dict(CREATE, _ansible_check_mode=True))
    cloud.add("imc-1")
    run_module(eci_image_cache.main, dict(BASE, image_cache_id="imc-1"))
    run_module(eci_image_cache.main, dict(BASE, name="web", state="absent", _ansible_check_mode=True))
    assert [call for call in cloud.calls if call[0] in ("lock", "unlock")] == []


def test_a_delete_holds_the_turn_until_the_cache_is_gone(run_module, cloud, turns):
    cloud.add("imc-1")
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    assert not failed and result["changed"]
    assert [call[0] for call in cloud.calls] == ["lock", "find", "delete", "get", "unlock"]


def test_without_a_turn_the_create_goes_on_with_a_warning(run_module, cloud, turns):
    turns.available = False
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"] and result["image_cache"]["image_cache_id"] == "imc-1"
    assert len(result["warnings"]) == 1
    assert "Going on without the lock" in result["warnings"][0] and "held it for more than 120 seconds" in result["warnings"][0]
    assert "No duplicate cache can result" in result["warnings"][0]


def test_the_turn_is_released_when_the_run_fails(run_module, cloud, turns):
    cloud.add("imc-a")
    cloud.add("imc-b")
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert failed and "imc-a" in result["msg"] and cloud.calls == [("find", "web")]


def test_the_turn_is_released_when_a_run_under_it_fails(run_module, cloud, turns):
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", images=[NGINX]))
    assert failed and "Creating an image cache needs" in result["msg"]
    assert [call[0] for call in cloud.calls] == ["find", "measure", "lock", "find", "unlock"]


def test_several_caches_with_the_name_fail_with_their_ids(run_module, cloud):
    cloud.add("imc-a")
    cloud.add("imc-b")
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert failed and "imc-a, imc-b" in result["msg"] and "image_cache_id" in result["msg"]
    assert cloud.mutations() == []


def test_failed_cache_is_not_deleted_when_a_create_could_not_follow(run_module, cloud):
    cloud.add("imc-f", status="Failed", events=[dict(reason="Failed", message="too big")])
    # A larger size may change the outcome, so the cache would be built again: but a create needs the network.
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", images=[NGINX], image_cache_size=40))
    assert failed and "security_group_id" in result["msg"] and "name" in result["msg"]
    assert cloud.mutations() == []


def test_image_cache_id_on_a_failed_cache_is_refused_before_any_write(run_module, cloud):
    """Issue 14: image_cache_id on a Failed cache replaced it under a new id; image_cache_id never creates."""
    cloud.add("imc-f", status="Failed", events=[dict(reason="Failed", message="too big")])
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_id="imc-f"))
    assert failed and "imc-f" in result["msg"] and "image_cache_id never creates" in result["msg"]
    assert "Manage it by name (name: web" in result["msg"] and "too big" in result["msg"]
    assert cloud.mutations() == []
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_id="imc-f", _ansible_check_mode=True))
    assert failed and "image_cache_id never creates" in result["msg"]
    assert cloud.mutations() == []


def test_failed_cache_is_replaced_with_a_warning(run_module, cloud):
    cloud.add("imc-f", status="Failed", events=[dict(reason="Failed", message="too big")])
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40))
    assert not failed and result["changed"]
    assert [call[0] for call in cloud.mutations()] == ["delete", "create"]
    assert result["image_cache"]["image_cache_id"] != "imc-f" and result["changes"] == ["delete", "create"]
    assert any("too big" in warning for warning in result.get("warnings", []))


def test_update_not_allowed_while_creating_without_wait(run_module, cloud):
    cloud.add("imc-1", status="Creating")
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40, wait=False))
    assert failed and "Creating" in result["msg"] and "Ready or UpdateFailed" in result["msg"]
    assert cloud.mutations() == []


def test_tags_only_change_uses_tag_calls(run_module, cloud):
    cloud.add("imc-1", tags={"a": "1", "b": "2"})
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={"a": "1", "c": "3"}))
    assert not failed and result["changed"]
    assert cloud.mutations() == [("untag", ["b"]), ("tag", ["c"])]   # removing first keeps within 20 tags
    assert result["changes"] == ["untag b", "tag c"]


def test_absent_on_a_missing_cache_is_no_change(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    assert not failed and not result["changed"] and result["image_cache"] == {}


def test_unknown_id_with_present_fails_without_creating(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_id="imc-nope"))
    assert failed and "imc-nope" in result["msg"]
    assert cloud.mutations() == []


GIB = 1024 ** 3
BIG = "registry.example.com/big/app:1"


def test_auto_size_is_twice_the_images_rounded_up_at_least_20(run_module, cloud):
    cloud.sizes[BIG] = int(15.2 * GIB)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG, NGINX], image_cache_size="auto"))
    assert not failed and result["changed"]
    created = cloud.view(result["image_cache"]["image_cache_id"])
    assert [entry["image"] for entry in result["image_sizes"]] == [BIG, NGINX]
    assert result["image_cache"]["image_cache_id"] == "imc-1" and sorted(created["images"]) == sorted([BIG, NGINX])
    assert created["image_cache_size"] == 31


def test_auto_size_reaches_the_create_request(run_module, cloud):
    cloud.sizes[BIG] = int(15.2 * GIB)
    result, _failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG], image_cache_size="auto"))
    assert result["image_cache"]["image_cache_size"] == 31          # ceil(2 * 15.2)
    cloud.sizes[BIG] = 1 * GIB
    result, _failed = run_module(eci_image_cache.main, dict(CREATE, name="small", images=[BIG], image_cache_size="auto"))
    assert result["image_cache"]["image_cache_size"] == 20          # never below 20


def test_auto_never_shrinks_an_existing_cache(run_module, cloud):
    cloud.add("imc-1", image_cache_size=100)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size="auto"))
    assert not failed and not result["changed"]


def test_size_check_fail_stops_a_too_small_cache_before_any_change(run_module, cloud):
    cloud.sizes[BIG] = 30 * GIB
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG], image_cache_size=20, size_check="fail"))
    assert failed and "less than twice" in result["msg"] and "at least 60" in result["msg"]
    assert "compressed" in result["msg"]
    assert cloud.mutations() == [] and result["image_sizes"][0]["compressed_size"] == 30 * GIB


def test_size_check_warn_warns_and_goes_on(run_module, cloud):
    cloud.sizes[BIG] = 30 * GIB
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG], image_cache_size=20,
                                                           _ansible_check_mode=True))
    assert not failed and result["changed"]
    assert any("less than twice" in warning for warning in result["warnings"])


def test_less_than_twice_fails_with_fail(run_module, cloud):
    """Issue 14: size_check fail let a 20 GiB cache of 12 GiB compressed images through; the rule is twice."""
    cloud.sizes[BIG] = 12 * GIB
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG], image_cache_size=20, size_check="fail"))
    assert failed and "less than twice" in result["msg"] and "at least 24" in result["msg"]
    assert "compressed: the registries state no uncompressed size" in result["msg"] and cloud.mutations() == []
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG], image_cache_size=24, size_check="fail"))
    assert not failed and result["changed"]


def test_unmeasurable_image_warns_or_fails(run_module, cloud):
    unknown = "registry.example.com/nowhere/app:1"
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[unknown], _ansible_check_mode=True))
    assert not failed and any(unknown in warning and "Could not measure" in warning for warning in result["warnings"])
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[unknown], size_check="fail"))
    assert failed and unknown in result["msg"] and cloud.mutations() == []


def test_no_measuring_when_nothing_is_sent_or_skip(run_module, cloud):
    cloud.add("imc-1")
    run_module(eci_image_cache.main, CREATE)
    run_module(eci_image_cache.main, dict(CREATE, images=[NGINX, BIG], size_check="skip", _ansible_check_mode=True))
    assert [call for call in cloud.calls if call[0] == "measure"] == []


@pytest.mark.parametrize("size", ["big", 19.5, True, "20.5"])
def test_bad_sizes_name_the_option(run_module, cloud, size):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=size))
    assert failed and "image_cache_size" in result["msg"] and "auto" in result["msg"]
    assert cloud.calls == []


# ---------------------------------------------------------------- every plausible cloud (issue 13, "What failed")
# Each test names the twin's switch it plays and states the expected value.

def test_visibility_lag_20s_makes_one_create_token_and_one_cache(run_module, make_cloud):
    cloud = make_cloud(visibility_lag=20)
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"] and result["changes"] == ["create"]
    assert len(set(token for _call, token in cloud.creates())) == 1 and len(cloud.creates()) == 1
    assert len(cloud.caches()) == 1 and result["image_cache"]["status"] == "Ready"
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and not result["changed"]


def test_visibility_lag_longer_than_wait_timeout_fails_as_a_change_without_a_second_cache(run_module, make_cloud):
    cloud = make_cloud(visibility_lag=50)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, wait_timeout=30))
    assert failed and result["changed"] and result["changes"] == ["create"]
    assert result["error"]["code"] == "ImageCacheNotListed" and "imc-1" in result["msg"]
    assert len(cloud.creates()) == 1
    cloud.clock.now += 60                                          # later, the listing caught up
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and not result["changed"] and len(cloud.records) == 1


def test_rename_replay_creates_the_cache_asked_for(run_module, make_cloud):
    cloud = make_cloud()
    alpha = dict(CREATE, name="alpha")
    first, _failed = run_module(eci_image_cache.main, alpha)
    run_module(eci_image_cache.main, dict(BASE, image_cache_id=first["image_cache"]["image_cache_id"], name="beta"))
    result, failed = run_module(eci_image_cache.main, alpha)
    assert not failed and result["changed"] and result["changes"] == ["create"]
    assert result["image_cache"]["image_cache_name"] == "alpha"
    assert len(cloud.named("alpha")) == 1 and len(cloud.named("beta")) == 1


@pytest.mark.parametrize("after_delete", ["replay", "mismatch", "create"])
def test_recreate_after_delete_with_reordered_settings_or_a_rotated_password(run_module, make_cloud, after_delete):
    cloud = make_cloud(token_after_delete=after_delete)
    credential = dict(server="registry.example.com", username="u", password="one")
    given = dict(CREATE, images=[NGINX, BIG], tags={"a": "1", "b": "2"}, image_registry_credentials=[credential])
    run_module(eci_image_cache.main, given)
    run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    again = dict(given, images=[BIG, NGINX], tags={"b": "2", "a": "1"},
                 image_registry_credentials=[dict(credential, password="two")])
    result, failed = run_module(eci_image_cache.main, again)
    assert not failed and result["changed"] and result["image_cache"]["status"] == "Ready"
    assert len(cloud.named("web")) == 1
    result, failed = run_module(eci_image_cache.main, again)          # and every later run is a no-op
    assert not failed and not result["changed"]


def test_the_same_cache_with_the_size_left_out_or_20_is_one_token(run_module, make_cloud):
    cloud = make_cloud(visibility_lag=5)
    run_module(eci_image_cache.main, dict(CREATE, image_cache_size=20))
    # a second host at once: the lookup does not see the cache yet, the token makes the same request
    cloud.records["imc-1"]["visible_at"] = cloud.now() + 5
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and len(cloud.records) == 1 and len(set(t for _c, t in cloud.creates())) == 1


def test_a_create_answer_without_an_id_finds_the_cache_by_name(run_module, make_cloud):
    cloud = make_cloud(ids_missing_from_answers=1, visibility_lag=3)
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"] and result["image_cache"]["image_cache_id"] == "imc-1"
    assert len(cloud.creates()) == 1 and not [c for c in cloud.calls if c == ("get", None)]


def test_a_create_answer_without_an_id_and_no_cache_is_a_clear_error(run_module, make_cloud):
    cloud = make_cloud(ids_missing_from_answers=1, visibility_lag=1000)
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert failed and result["changed"] and result["error"]["code"] == "UnexpectedResponse"
    assert "named no image cache id" in result["msg"] and len(cloud.creates()) == 1


def test_delete_finding_the_cache_gone_is_success_without_change(run_module, make_cloud):
    cloud = make_cloud(missing_id="not_found")
    cloud.add("imc-1")
    cloud.hooks["delete"] = lambda: cloud.records["imc-1"].update(gone_at=cloud.now())   # someone else deleted it
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    assert not failed and not result["changed"] and result["image_cache"] == {}


@pytest.mark.parametrize("action", ["update", "tag"])
def test_update_or_tag_finding_the_cache_gone_looks_again_and_creates(run_module, make_cloud, action):
    cloud = make_cloud()
    cloud.add("imc-old", tags={"a": "1"})
    cloud.hooks[action] = lambda: cloud.records["imc-old"].update(gone_at=cloud.now())
    given = dict(CREATE, image_cache_size=40) if action == "update" else dict(CREATE, tags={"a": "2"})
    result, failed = run_module(eci_image_cache.main, given)
    assert not failed and result["changed"] and result["changes"] == ["create"]
    assert [c["image_cache_id"] for c in cloud.named("web")] == ["imc-2"]


def test_20_tags_to_1_with_a_system_tag_succeeds_and_keeps_it(run_module, make_cloud):
    cloud = make_cloud()
    tags = dict(("k%d" % n, "v") for n in range(19))
    tags["acs:ecs:owner"] = "system"
    cloud.add("imc-1", tags=tags)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={"only": "1"}))
    assert not failed and result["changed"]
    assert cloud.view("imc-1")["tags"] == {"acs:ecs:owner": "system", "only": "1"}
    assert [c[0] for c in cloud.mutations()] == ["untag", "tag"] and "acs:ecs:owner" not in cloud.mutations()[0][1]
    result, failed = run_module(eci_image_cache.main, dict(CREATE, tags={"only": "1"}))
    assert not failed and not result["changed"]


def test_more_than_20_tags_with_the_cache_fails_before_any_write(run_module, make_cloud):
    cloud = make_cloud()
    cloud.add("imc-1", tags=dict(("k%d" % n, "v") for n in range(15)))
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40, purge_tags=False,
                                                           tags=dict(("n%d" % n, "v") for n in range(6))))
    # 15 + 6 user tags (the build record, with no room, is left out with a warning)
    assert failed and not result.get("changed") and "21 tags" in result["msg"] and "purge_tags" in result["msg"]
    assert cloud.mutations() == []


def test_a_wait_timeout_after_a_create_reports_the_change(run_module, make_cloud):
    cloud = make_cloud(ready_after=100)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, wait_timeout=30))
    assert failed and result["changed"] and result["changes"] == ["create"]
    assert result["error"]["code"] == "WaitTimeout" and result["image_cache"]["image_cache_id"] == "imc-1"
    assert result["image_cache"]["status"] == "Creating" and len(cloud.records) == 1


def test_a_cache_that_ends_failed_reports_the_change(run_module, make_cloud):
    make_cloud(fail_builds=1)
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert failed and result["changed"] and result["changes"] == ["create"]
    assert result["error"]["code"] == "ImageCacheFailed" and result["image_cache"]["status"] == "Failed"


def test_a_tag_error_after_an_accepted_update_reports_the_update(run_module, make_cloud, monkeypatch):
    cloud = make_cloud()
    cloud.add("imc-1")

    def refuse(*_args):
        raise AlibabaCloudError("TagResources", "QuotaExceeded.Tags", "no", status_code=400)
    monkeypatch.setattr(eci, "tag_image_cache", refuse)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40, tags={"a": "1"}))
    assert failed and result["changed"] and result["changes"] == ["update image_cache_size"]
    assert result["error"]["code"] == "QuotaExceeded.Tags" and result["image_cache"]["image_cache_id"] == "imc-1"


def test_update_lag_no_update_is_reported_done_before_it_is_seen(run_module, make_cloud):
    cloud = make_cloud(update_lag=10, ready_after=5)
    cloud.add("imc-1")
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40))
    assert not failed and result["changed"] and result["image_cache"]["image_cache_size"] == 40
    assert result["image_cache"]["status"] == "Ready"


def test_update_lag_with_only_unreadable_settings_waits_for_the_update_to_show(run_module, make_cloud, clock):
    cloud = make_cloud(update_lag=10, ready_after=5)
    cloud.add("imc-1")
    started = clock.now
    result, failed = run_module(eci_image_cache.main, dict(CREATE, retention_days=7, force_update=True))
    assert not failed and result["changed"] and result["image_cache"]["status"] == "Ready"
    assert clock.now - started >= 10      # not before the cache went Updating


def test_busy_delete_reject_is_waited_on_with_wait(run_module, make_cloud):
    cloud = make_cloud(busy_delete="reject", ready_after=20)
    run_module(eci_image_cache.main, dict(CREATE, wait=False))
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    assert not failed and result["changed"] and cloud.caches() == []


def test_busy_delete_reject_without_wait_is_a_clear_error(run_module, make_cloud):
    make_cloud(busy_delete="reject", ready_after=20)
    run_module(eci_image_cache.main, dict(CREATE, wait=False))
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent", wait=False))
    assert failed and not result.get("changed") and "wait: true" in result["msg"] and "Creating" in result["msg"]


def test_echo_images_normalized_causes_no_update(run_module, make_cloud):
    cloud = make_cloud(echo_images="normalized")
    given = dict(CREATE, images=["nginx:1.25", "bitnami/redis"])
    run_module(eci_image_cache.main, given)
    assert cloud.view("imc-1")["images"] == ["docker.io/bitnami/redis:latest", "docker.io/library/nginx:1.25"]
    result, failed = run_module(eci_image_cache.main, given)
    assert not failed and not result["changed"] and cloud.mutations() == [cloud.creates()[0]]


def test_clear_elimination_ignored_is_warned_once_and_never_resent_alone(run_module, make_cloud):
    cloud = make_cloud(clear_elimination="ignored")
    cloud.add("imc-1", elimination_strategy="LRU")
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40, elimination_strategy=""))
    assert not failed and result["changed"]
    assert [w for w in result["warnings"] if "did not apply elimination_strategy" in w]
    for _run in range(2):
        result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40, elimination_strategy=""))
        assert not failed and not result["changed"] and len(result["warnings"]) == 1
    assert [c[0] for c in cloud.mutations()] == ["update", "tag"]  # the update and its build record


def test_clear_elimination_applied_with_another_update(run_module, make_cloud):
    cloud = make_cloud(clear_elimination="applied")
    cloud.add("imc-1", elimination_strategy="LRU")
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40, elimination_strategy=""))
    assert not failed and result["changed"] and cloud.view("imc-1")["elimination_strategy"] == ""
    assert not result["warnings"]


def test_an_unknown_status_is_waited_through(run_module, make_cloud, monkeypatch):
    cloud = make_cloud()
    cloud.add("imc-1", status="Migrating")
    record = cloud.records["imc-1"]
    original = cloud.get_image_cache

    def settle_later(connection, cache_id):
        if cloud.now() > 1010:
            record["status"] = None
        return original(connection, cache_id)
    monkeypatch.setattr(eci, "get_image_cache", settle_later)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40))
    assert not failed and result["changed"] and result["image_cache"]["image_cache_size"] == 40


def test_delete_lag_with_a_deleting_status_is_not_deleted_twice(run_module, make_cloud):
    cloud = make_cloud(delete_lag=10, extra_statuses=["Deleting"])
    cloud.add("imc-1")
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent", wait=False))
    assert not failed and result["changed"]
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    assert not failed and not result["changed"] and cloud.caches() == []
    assert [c[0] for c in cloud.mutations()] == ["delete"]


def test_token_mismatch_with_a_cache_of_the_name_converges_it(run_module, make_cloud):
    # Another host created the cache with another password; it is listed only after this host's lookup.
    cloud = make_cloud()
    credential = dict(server="registry.example.com", username="u", password="one")
    run_module(eci_image_cache.main, dict(CREATE, image_registry_credentials=[credential]))
    cloud.records["imc-1"]["visible_at"] = cloud.now() + 1000
    cloud.hooks["create"] = lambda: cloud.records["imc-1"].update(visible_at=cloud.now())
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_registry_credentials=[dict(credential, password="two")]))
    assert not failed and len(cloud.records) == 1 and len(cloud.creates()) == 2
    assert result["image_cache"]["image_cache_id"] == "imc-1"


def test_missing_id_ignore_an_update_of_a_vanished_cache_looks_again(run_module, make_cloud):
    # missing_id: ignore - UpdateImageCache of a deleted cache answers 200; the wait sees it gone.
    cloud = make_cloud(missing_id="ignore")
    cloud.add("imc-old")
    cloud.hooks["update"] = lambda: cloud.records["imc-old"].update(gone_at=cloud.now())
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40))
    assert not failed and result["changed"] and result["changes"] == ["create"]
    assert [c["image_cache_id"] for c in cloud.named("web")] == ["imc-2"]


def test_ten_deletes_of_one_cache_one_changed(run_module, make_cloud):
    # Ten runs one after another (as the host lock orders forks) under hostile delete switches.
    cloud = make_cloud(missing_id="ignore", delete_lag=10, extra_statuses=["Deleting"], busy_delete="reject")
    cloud.add("imc-1")
    results = [run_module(eci_image_cache.main, dict(BASE, name="web", state="absent", wait=index % 2 == 0))
               for index in range(10)]
    assert [failed for _result, failed in results] == [False] * 10
    assert [result["changed"] for result, _failed in results].count(True) == 1


def test_update_lag_an_update_refused_while_an_earlier_one_is_unseen_is_waited_out(run_module, make_cloud):
    # The first run does not wait; the second comes during update_lag, sees Ready with the old settings,
    # and its update is refused (400 IncorrectStatus): it waits the earlier update out and decides again.
    cloud = make_cloud(update_lag=10, ready_after=3)
    cloud.add("imc-1")
    first, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=30, wait=False))
    assert not failed and first["changed"]
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40))
    assert not failed and result["changed"] and result["image_cache"]["image_cache_size"] == 40
    without_wait, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=50, wait=False))
    assert not failed
    refused, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=60, wait=False))
    assert failed and "wait: true" in refused["msg"] and not refused.get("changed")


def test_a_cache_being_deleted_is_waited_out_and_created_again(run_module, make_cloud):
    cloud = make_cloud(delete_lag=10, extra_statuses=["Deleting"])
    cloud.add("imc-1")
    run_module(eci_image_cache.main, dict(BASE, name="web", state="absent", wait=False))
    refused, failed = run_module(eci_image_cache.main, dict(CREATE, wait=False))
    assert failed and "Deleting" in refused["msg"] and "wait: true" in refused["msg"]
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"] and result["changes"] == ["create"]
    assert [c["image_cache_id"] for c in cloud.named("web")] == ["imc-2"]


def test_a_failure_message_from_the_cloud_loses_no_log_values_plain_and_url_encoded(run_module, make_cloud, monkeypatch):
    secret = "pa55/word+x="
    cloud = make_cloud()
    cloud.add("imc-1")
    events = [dict(reason="UpdateFailed", message="pull https://registry.example.com/v2/?password=%s failed; auth %s / %s" % (
        "pa55%2Fword%2Bx%3D", "pa55%2Fword%2Bx%3D", secret))]

    def get(connection, cache_id):
        cache = cloud.get_image_cache(connection, cache_id)
        if cache and [call for call in cloud.calls if call[0] == "update"]:
            cache.update(status="UpdateFailed", events=events)   # the update failed; its events echo the password
        return cache
    monkeypatch.setattr(eci, "get_image_cache", get)
    credential = dict(server="registry.example.com", username="u", password=secret)
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_size=40, image_registry_credentials=[credential]))
    assert failed and result["changed"] and result["error"]["code"] == "ImageCacheUpdateFailed"
    assert "pa55" not in result["msg"] and "pa55" not in result["error"]["message"]
    assert "auth ******** / ********" in result["msg"] and "?<parameters removed>" in result["msg"]


def test_wait_timeout_bounds_the_whole_task_with_the_creates_confirmation(run_module, make_cloud, clock):
    # Issue 22: under a listing lag the create's confirmation was not counted: 38.6 s with wait_timeout 20.
    cloud = make_cloud(visibility_lag=15, ready_after=10 ** 6)
    started = clock.now
    result, failed = run_module(eci_image_cache.main, dict(CREATE, wait_timeout=20))
    assert failed and result["changed"] and len(cloud.creates()) == 1
    assert clock.now - started <= 20 + 1, clock.now - started
