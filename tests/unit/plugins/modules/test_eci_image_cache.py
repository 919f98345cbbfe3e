# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_cache's decisions, with every API function replaced by an in-memory cloud."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
BASE = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")
CREATE = dict(BASE, name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])
MUTATING = ("create", "update", "delete", "tag", "untag")


class FakeCloud:
    """Caches by id; records every call as (name, details)."""

    def __init__(self):
        self.caches = {}
        self.calls = []
        self.tokens = {}
        self.forget_created = 0  # how many creates answer with an id that no longer exists

    def add(self, cache_id, **fields):
        cache = dict(image_cache_id=cache_id, image_cache_name="web", images=[NGINX], image_cache_size=20,
                     elimination_strategy="", resource_group_id="rg-default", tags={}, status="Ready", events=[])
        cache.update(fields)
        self.caches[cache_id] = cache
        return cache

    def install(self, monkeypatch):
        module = eci_image_cache

        def get(connection, cache_id):
            self.calls.append(("get", cache_id))
            return dict(self.caches[cache_id]) if cache_id in self.caches else None

        def find(connection, name):
            self.calls.append(("find", name))
            return [dict(c) for c in self.caches.values() if c["image_cache_name"] == name]

        def create(connection, params, token):
            self.calls.append(("create", token))
            if token in self.tokens:
                return self.tokens[token]
            cache_id = "imc-%d" % (len(self.tokens) + 1)
            self.tokens[token] = cache_id
            if self.forget_created:
                self.forget_created -= 1  # made and deleted since: the token still answers with it
            else:
                self.add(cache_id, image_cache_name=params["name"], images=list(params["images"]))
            return cache_id

        def update(connection, cache_id, params, token):
            self.calls.append(("update", cache_id))
            if params.get("images"):
                self.caches[cache_id]["images"] = list(params["images"])
            self.caches[cache_id]["status"] = "Ready"

        def delete(connection, cache_id, token):
            self.calls.append(("delete", cache_id))
            self.caches.pop(cache_id, None)

        def tag(connection, cache_id, tags):
            self.calls.append(("tag", sorted(tags)))
            self.caches[cache_id]["tags"].update(tags)

        def untag(connection, cache_id, keys, token):
            self.calls.append(("untag", list(keys)))
            for key in keys:
                self.caches[cache_id]["tags"].pop(key, None)

        for name, function in (("get_image_cache", get), ("find_image_caches_by_name", find),
                               ("create_image_cache", create), ("update_image_cache", update),
                               ("delete_image_cache", delete), ("tag_image_cache", tag),
                               ("untag_image_cache", untag)):
            monkeypatch.setattr(module, name, function)
        monkeypatch.setattr(module, "CREATED_CACHE_GRACE_SECONDS", 0)

    def mutations(self):
        return [call for call in self.calls if call[0] in MUTATING]


@pytest.fixture
def cloud(monkeypatch):
    fake = FakeCloud()
    fake.install(monkeypatch)
    return fake


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


def test_a_token_answered_with_a_deleted_cache_is_extended(run_module, cloud):
    cloud.forget_created = 1
    result, failed = run_module(eci_image_cache.main, CREATE)
    assert not failed and result["changed"]
    creates = [call for call in cloud.calls if call[0] == "create"]
    assert len(creates) == 2 and creates[0][1] != creates[1][1]
    assert result["image_cache"]["image_cache_id"] == "imc-2"


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
    assert result["image_cache"]["image_cache_id"] != "imc-f"
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
    assert cloud.mutations() == [("tag", ["c"]), ("untag", ["b"])]
    assert result["changes"] == ["tag c", "untag b"]


def test_absent_on_a_missing_cache_is_no_change(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(BASE, name="web", state="absent"))
    assert not failed and not result["changed"] and result["image_cache"] == {}


def test_unknown_id_with_present_fails_without_creating(run_module, cloud):
    result, failed = run_module(eci_image_cache.main, dict(CREATE, image_cache_id="imc-nope"))
    assert failed and "imc-nope" in result["msg"]
    assert cloud.mutations() == []
