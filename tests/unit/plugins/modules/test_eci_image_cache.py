# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_cache's decisions, with every API function replaced by an in-memory cloud."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_cache_service
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

    monkeypatch.setattr(eci_image_cache, "measure_images", measure)


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


def test_a_token_answered_with_a_deleted_cache_is_extended(run_module, make_cloud, clock):
    # token_after_delete: replay. The first create's cache is deleted by someone else; the same create
    # again is answered with the deleted id, which stays unlisted for longer than any listing lag.
    cloud = make_cloud(token_after_delete="replay")
    run_module(eci_image_cache.main, CREATE)
    run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    started = clock.now
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"] and result["changes"] == ["create"]
    creates = cloud.creates()
    assert len(creates) == 3 and creates[0][1] == creates[1][1] != creates[2][1]
    assert result["image_cache"]["image_cache_id"] == "imc-2" and result["image_cache"]["status"] == "Ready"
    assert clock.now - started >= image_cache_service.LISTING_LAG_MAX
    assert [c["image_cache_id"] for c in cloud.named("web")] == ["imc-2"]


class RecordingLock:
    """Stands in for HostLock: records taking and releasing the create turn among the cloud's calls."""

    available = True

    def __init__(self, name):
        self.name = name
        self.held = False
        self.problem = None

    def acquire(self, timeout):
        assert timeout == eci_image_cache.CREATE_TURN_SECONDS
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
    monkeypatch.setattr(eci_image_cache, "HostLock", RecordingLock)
    return RecordingLock


def test_a_create_holds_the_turn_from_lookup_to_create(run_module, cloud, turns):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, wait=True))
    assert not failed and result["changed"]
    # The size check (measure) runs inside the turn too; the wait for Ready runs after it.
    assert [call[0] for call in cloud.calls] == ["lock", "find", "measure", "create", "get", "unlock", "get"]
    assert cloud.calls[0] == ("lock", "web")


def test_a_found_cache_gives_the_turn_back_at_once(run_module, cloud, turns):
    cloud.add("imc-1", status="Creating")
    result, failed = run_module(eci_image_cache.main, dict(CREATE, wait=False))
    assert not failed and not result["changed"]
    assert cloud.calls == [("lock", "web"), ("find", "web"), ("unlock",)]


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
    assert failed and cloud.calls == [("lock", "web"), ("find", "web"), ("unlock",)]


def test_several_caches_with_the_name_fail_with_their_ids(run_module, cloud):
    cloud.add("imc-a")
    cloud.add("imc-b")
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert failed and "imc-a, imc-b" in result["msg"] and "image_cache_id" in result["msg"]
    assert cloud.mutations() == []


def test_failed_cache_is_not_deleted_when_a_create_could_not_follow(run_module, cloud):
    cloud.add("imc-f", status="Failed", events=[dict(reason="Failed", message="too big")])
    result, failed = run_module(eci_image_cache.main, dict(BASE, image_cache_id="imc-f", images=[NGINX]))
    assert failed and "security_group_id" in result["msg"] and "name" in result["msg"]
    assert cloud.mutations() == []


def test_failed_cache_is_replaced_with_a_warning(run_module, cloud):
    cloud.add("imc-f", status="Failed", events=[dict(reason="Failed", message="too big")])
    result, failed = run_module(eci_image_cache.main, CREATE)
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
    assert failed and "smaller than the images" in result["msg"] and "at least 60" in result["msg"]
    assert cloud.mutations() == [] and result["image_sizes"][0]["compressed_size"] == 30 * GIB


def test_size_check_warn_warns_and_goes_on(run_module, cloud):
    cloud.sizes[BIG] = 30 * GIB
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG], image_cache_size=20,
                                                           _ansible_check_mode=True))
    assert not failed and result["changed"]
    assert any("smaller than the images" in warning for warning in result["warnings"])


def test_less_than_twice_warns_even_with_fail(run_module, cloud):
    cloud.sizes[BIG] = 15 * GIB
    result, failed = run_module(eci_image_cache.main, dict(CREATE, images=[BIG], image_cache_size=20, size_check="fail",
                                                           _ansible_check_mode=True))
    assert not failed and any("less than twice" in warning for warning in result["warnings"])


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
