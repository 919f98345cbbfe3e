# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the digest record of stale caches (issue 18): its format, the staleness judgement, the refresh
decision, and how the reserved tag is kept apart from the user's tags."""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_digests as dig
from ansible_collections.alibabacloud.eci.plugins.module_utils.comparison import diff_view
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_tags
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import tag_changes
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import client_token, request_fields

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
P = "sha256:" + "c" * 64
KEY = "alibabacloud.eci/digests"


def current(digests, platform="linux/amd64", errors=()):
    """A read_current() result without a registry: {image: digest}; images in errors could not be read."""
    reports = dict((image, dict(image=image, digest=digest)) for image, digest in digests.items())
    reports.update((image, dict(image=image, error=dict(kind="unreachable", message="no"))) for image in errors)
    return dig.current_from(list(digests) + list(errors), platform, reports)


# -- the record's format ------------------------------------------------------------------------------
def test_record_format_is_the_documented_one():
    record = dig.make_record({"nginx:1.25": A, "registry.example.com/team/app:2": B})
    text = "docker.io/library/nginx:1.25@%s\nregistry.example.com/team/app:2@%s" % (A, B)
    assert record == "v1:linux/amd64:sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert len(record) == 3 + len("linux/amd64") + 1 + 71 <= 128
    assert dig.parse_record(record) == ("linux/amd64", record.split(":", 2)[2])


def test_record_is_independent_of_order_and_spelling():
    one = dig.make_record({"nginx:1.25": A, "redis": B})
    assert one == dig.make_record({"docker.io/library/redis:latest": B, "index.docker.io/library/nginx:1.25": A})


def test_record_changes_with_a_digest_or_the_platform():
    base = dig.make_record({"nginx:1.25": A})
    assert dig.make_record({"nginx:1.25": B}) != base
    assert dig.make_record({"nginx:1.25": A}, "linux/arm64/v8").startswith("v1:linux/arm64/v8:sha256:")
    assert dig.make_record({"nginx:1.25": A}, "linux/aarch64") == dig.make_record({"nginx:1.25": A}, "linux/arm64")


def test_pinned_reference_gives_its_own_digest():
    line = dig.record_line("nginx:1.25@" + P, A)
    assert line == "docker.io/library/nginx:1.25@" + P


def test_record_of_a_platform_too_long_is_refused():
    with pytest.raises(ValueError):
        dig.make_record({"nginx": A}, "linux/" + "a" * 60)


@pytest.mark.parametrize("value", [None, "", "sha256:" + "a" * 64, "v2:linux/amd64:" + A, "v1:linux/amd64:sha256:abc",
                                   "v1:linux:" + A, "v1:linux/amd64:" + A + " "])
def test_parse_record_refuses_other_values(value):
    assert dig.parse_record(value) is None


# -- staleness -------------------------------------------------------------------------------------
def test_judge():
    now = current({"nginx:1.25": A, "redis:7": B})
    assert dig.judge(now["record"], now) is False
    moved = current({"nginx:1.25": B, "redis:7": B})
    assert dig.judge(now["record"], moved) is True
    assert dig.judge(None, now) is None  # no record: cannot tell
    assert dig.judge("my own value", now) is None
    unreadable = current({"nginx:1.25": A}, errors=["redis:7"])
    assert unreadable["record"] is None
    assert dig.judge(now["record"], unreadable) is None  # unknown, not stale
    assert [d["digest"] for d in unreadable["digests"]] == [A, None]
    assert unreadable["digests"][1]["error"]["kind"] == "unreachable"


def test_pinned_images_are_never_stale():
    pinned = dig.current_from(["nginx@" + P, "redis:7@" + A], "linux/amd64", {})
    assert dig.judge(None, pinned) is False
    assert dig.judge("v1:linux/amd64:" + B, pinned) is False
    assert [d["pinned"] for d in pinned["digests"]] == [True, True]


def test_a_record_for_another_platform_is_stale():
    amd = current({"nginx:1.25": A})
    arm = current({"nginx:1.25": A}, platform="linux/arm64")
    assert dig.judge(amd["record"], arm) is True


def test_read_current_reuses_known_digests_without_reading():
    # Known and pinned images are not read: an unreachable registry name would otherwise be an error.
    result = dig.read_current(["no-such-registry.invalid/app:1", "nginx@" + P], known={"no-such-registry.invalid/app:1": A})
    assert [d["digest"] for d in result["digests"]] == [A, P]
    assert result["record"] == dig.make_record({"no-such-registry.invalid/app:1": A, "nginx@" + P: P})


# -- the refresh decision ----------------------------------------------------------------------------
def test_decide_refresh():
    built = current({"nginx:1.25": A})
    moved = current({"nginx:1.25": B})
    cache = dict(image_cache_id="imc-1", status="Ready", tags={KEY: built["record"], "env": "prod"})
    assert dig.decide_refresh(cache, moved, "never") == dict(stale=True, refresh=False, change="stale image digests",
                                                             record_before=built["record"])
    assert dig.decide_refresh(cache, moved, "digest")["refresh"] is True
    assert dig.decide_refresh(cache, built, "digest")["refresh"] is False
    unrecorded = dict(status="Ready", tags={})
    assert dig.decide_refresh(unrecorded, moved, "digest") == dict(stale=None, refresh=False, change="stale image digests",
                                                                   record_before=None)
    unreadable = current({}, errors=["nginx:1.25"])
    assert dig.decide_refresh(cache, unreadable, "digest")["refresh"] is False


def test_record_tag_changes():
    built = current({"nginx:1.25": A})
    moved = current({"nginx:1.25": B})
    unreadable = current({}, errors=["nginx:1.25"])
    tags = {KEY: built["record"], "env": "prod"}
    assert dig.record_tag_changes(tags, moved, False) == ({}, [])  # no rebuild: the record stays as it is
    assert dig.record_tag_changes(tags, moved, True) == ({KEY: moved["record"]}, [])
    assert dig.record_tag_changes(tags, built, True) == ({}, [])  # already the record
    assert dig.record_tag_changes(tags, unreadable, True) == ({}, [KEY])  # rebuilt from unknown content
    assert dig.record_tag_changes({"env": "prod"}, unreadable, True) == ({}, [])
    assert dig.record_tag_changes({"env": "prod"}, None, True) == ({}, [])


def test_stale_after():
    built = current({"nginx:1.25": A})
    unreadable = current({}, errors=["nginx:1.25"])
    assert dig.stale_after(True, built, False) is True
    assert dig.stale_after(True, built, True) is False
    assert dig.stale_after(None, unreadable, True) is None
    assert dig.stale_after(None, None, True) is None


def test_with_record():
    built = current({"nginx:1.25": A})
    assert dig.with_record(None, built) == {KEY: built["record"]}
    assert dig.with_record({"env": "prod"}, current({}, errors=["x/y:1"])) == {"env": "prod"}


# -- the reserved tag among the user's ---------------------------------------------------------------
def test_user_tags_leave_room_for_the_records():
    assert validate_tags(dict(("k%d" % i, "v") for i in range(18))) == []
    problems = validate_tags(dict(("k%d" % i, "v") for i in range(19)))
    assert len(problems) == 1 and "at most 18" in problems[0] and KEY in problems[0] and "alibabacloud.eci/build" in problems[0]


def test_the_reserved_key_is_refused_as_a_user_tag():
    problems = validate_tags({KEY: "mine"})
    assert len(problems) == 1 and "reserved" in problems[0]


def test_purge_tags_never_removes_the_record():
    current_tags = {KEY: "v1:linux/amd64:" + A, "env": "prod", "acs:system": "x"}
    assert tag_changes(current_tags, {}, True) == ({}, ["env"])
    assert tag_changes(current_tags, {"env": "prod"}, True) == ({}, [])


def test_diff_shows_the_record_apart_from_tags():
    view = diff_view(dict(image_cache_id="imc-1", tags={KEY: "v1:linux/amd64:" + A, "env": "prod"}, images=[]))
    assert view["tags"] == {"env": "prod"}
    assert view["image_digest_record"] == "v1:linux/amd64:" + A


def test_the_create_token_leaves_the_record_out():
    settings = dict(name="c", images=["nginx"], tags={"env": "prod"})
    plain = request_fields(settings, "create")
    recorded = request_fields(dict(settings, tags={"env": "prod", KEY: "v1:linux/amd64:" + A}), "create")
    assert recorded != plain
    assert client_token("cn-hangzhou", recorded) == client_token("cn-hangzhou", plain)
    only_record = request_fields(dict(settings, tags={KEY: "v1:linux/amd64:" + B}), "create")
    assert client_token("cn-hangzhou", only_record) == client_token("cn-hangzhou", request_fields(dict(settings, tags=None), "create"))


# -- a record describes a cache only once it is built (the record is written before the build) -----------
NOT_BUILT = ["Preparing", "Creating", "Updating", "Failed", "UpdateFailed", "Deleting", None]


@pytest.mark.parametrize("status", NOT_BUILT)
def test_judge_caches_is_unknown_for_a_cache_that_is_not_built(monkeypatch, status):
    reads = []
    monkeypatch.setattr(dig, "resolve_digests", lambda images, platform=None, **o: reads.extend(images) or [
        dict(image=i, digest=A) for i in images])
    record = dig.make_record({"nginx:1": A})
    pinned = "nginx@" + P
    caches = [dict(status=status, images=["nginx:1"], tags={KEY: record}), dict(status=status, images=[pinned], tags={})]
    assert dig.judge_caches(caches) == [(None, []), (None, [])]
    assert reads == []  # nothing to read for caches whose staleness cannot be told
    # The same caches built: fresh.
    built = [dict(cache, status="Ready") for cache in caches]
    assert [stale for stale, _digests in dig.judge_caches(built)] == [False, False]


@pytest.mark.parametrize("status", NOT_BUILT)
def test_decide_refresh_and_stale_after_are_unknown_for_a_cache_that_is_not_built(status):
    cache = dict(status=status, images=["nginx:1"], tags={KEY: dig.make_record({"nginx:1": A})})
    moved = current({"nginx:1": B})
    decision = dig.decide_refresh(cache, moved, "digest")
    assert decision["stale"] is None and decision["refresh"] is False
    assert dig.decide_refresh(dict(cache, status="Ready"), moved, "digest")["refresh"] is True
    assert dig.stale_after(None, moved, True, status=status) is None
    assert dig.stale_after(None, moved, True, status="Ready") is False


def test_a_platform_the_record_cannot_hold_is_refused_up_front():
    longest = "linux/arm64/" + "v" * (dig.MAX_PLATFORM_LENGTH - len("linux/arm64/"))
    assert dig.platform_problem(longest) is None and len(dig.make_record({"nginx": A}, longest)) == dig.MAX_RECORD_LENGTH
    problem = dig.platform_problem(longest + "v")
    assert problem.startswith("image_platform:") and str(dig.MAX_PLATFORM_LENGTH) in problem
    assert dig.platform_problem("amd64").startswith("image_platform: invalid platform")
    assert dig.platform_problem(None) is None
