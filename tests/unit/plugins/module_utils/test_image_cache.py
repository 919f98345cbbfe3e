# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache import (
    Waiter,
    compare,
    create_client_token,
    diff_view,
    predict,
    tag_changes,
    validate_image,
    validate_settings,
)

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
REDIS = "registry.cn-hangzhou.aliyuncs.com/acs/redis:7"
CREATE = dict(name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])
CURRENT = dict(image_cache_id="imc-1", image_cache_name="web", images=[NGINX, REDIS], image_cache_size=20,
               elimination_strategy="", resource_group_id="rg-1", tags={"env": "prod"}, status="Ready")


# ---------------------------------------------------------------- comparison

@pytest.mark.parametrize("params, differences", [
    (dict(name="web", images=[REDIS, NGINX]), []),                      # order does not matter
    (dict(name="web", images=[NGINX]), ["images"]),
    (dict(name="web", image_cache_size=20), []),
    (dict(name="web", image_cache_size=40), ["image_cache_size"]),
    (dict(name="web", elimination_strategy=""), []),
    (dict(name="web", elimination_strategy="LRU"), ["elimination_strategy"]),
    (dict(name="web", resource_group_id="rg-2"), ["resource_group_id"]),
    (dict(name="web-2"), ["image_cache_name"]),
    # settings the API does not return never count as differences
    (dict(name="web", retention_days=7, security_group_id="sg-9", vswitch_ids=["vsw-9"], flash=True), []),
])
def test_compare(params, differences):
    assert compare(CURRENT, params) == differences


def test_elimination_strategy_missing_from_the_api_equals_empty():
    assert compare(dict(CURRENT, elimination_strategy=None), dict(elimination_strategy="")) == []


@pytest.mark.parametrize("current, desired, purge, expected", [
    ({"a": "1"}, None, True, ({}, [])),                                  # tags not given: leave alone
    ({"a": "1", "b": "2"}, {"a": "1"}, True, ({}, ["b"])),
    ({"a": "1", "b": "2"}, {"a": "1"}, False, ({}, [])),
    ({"a": "1"}, {"a": "2", "c": ""}, True, ({"a": "2", "c": ""}, [])),
    ({"a": "1", "z": "9"}, {}, True, ({}, ["a", "z"])),                 # tags: {} with purge removes all
])
def test_tag_changes(current, desired, purge, expected):
    assert tag_changes(current, desired, purge) == expected


def test_predict_applies_desired_settings_and_tags():
    after = predict(CURRENT, dict(name="web", images=[NGINX], image_cache_size=40, tags={"team": "a"}, purge_tags=False,
                                  wait=True), "cn-hangzhou")
    assert after["images"] == [NGINX] and after["image_cache_size"] == 40
    assert after["tags"] == {"env": "prod", "team": "a"}
    assert after["status"] == "Ready" and after["image_cache_id"] == "imc-1"
    created = predict(None, dict(CREATE, tags={"x": "1"}, purge_tags=True, wait=False), "cn-hangzhou")
    assert created["image_cache_id"] is None and created["status"] == "Preparing" and created["tags"] == {"x": "1"}


def test_diff_view_hides_moving_parts():
    view = diff_view(dict(CURRENT, progress="42%", events=[{"message": "x"}]))
    assert "progress" not in view and "events" not in view
    assert view["images"] == sorted([NGINX, REDIS])
    assert diff_view(None) == {}


# ---------------------------------------------------------------- client token

def test_token_is_deterministic_and_insensitive_to_image_order():
    first = create_client_token("cn-hangzhou", dict(CREATE, images=[NGINX, REDIS]))
    again = create_client_token("cn-hangzhou", dict(CREATE, images=[REDIS, NGINX]))
    assert first == again
    assert first.startswith("ansible-eci-") and len(first) <= 64 and first.isascii()


@pytest.mark.parametrize("change", [
    dict(name="other"), dict(images=[REDIS]), dict(image_cache_size=40), dict(retention_days=3),
    dict(security_group_id="sg-2"), dict(vswitch_ids=["vsw-2"]), dict(tags={"a": "b"}), dict(flash=True),
    dict(image_registry_credentials=[dict(server="r.example.com", username="u", password="p")]),
])
def test_token_changes_with_the_settings(change):
    assert create_client_token("cn-hangzhou", CREATE) != create_client_token("cn-hangzhou", dict(CREATE, **change))


def test_token_changes_with_the_region():
    assert create_client_token("cn-hangzhou", CREATE) != create_client_token("cn-beijing", CREATE)


def test_token_ignores_passwords_and_options_that_do_not_shape_the_cache():
    with_password = dict(CREATE, image_registry_credentials=[dict(server="r.example.com", username="u", password="one")])
    other_password = dict(CREATE, image_registry_credentials=[dict(server="r.example.com", username="u", password="two")])
    assert create_client_token("cn-hangzhou", with_password) == create_client_token("cn-hangzhou", other_password)
    assert create_client_token("cn-hangzhou", CREATE) == create_client_token("cn-hangzhou", dict(CREATE, wait=False,
                                                                                                 wait_timeout=5))


def test_superseded_caches_extend_the_chain_deterministically():
    base = create_client_token("cn-hangzhou", CREATE)
    next_one = create_client_token("cn-hangzhou", CREATE, ["imc-dead"])
    assert next_one != base
    assert next_one == create_client_token("cn-hangzhou", CREATE, ["imc-dead"])
    assert create_client_token("cn-hangzhou", CREATE, ["imc-dead", "imc-dead2"]) not in (base, next_one)


# ---------------------------------------------------------------- waiter


def test_schedule_grows_to_a_cap_and_ends_at_the_deadline():
    waiter = Waiter(60, first_delay=1, factor=2, max_delay=8)
    pauses = waiter.schedule()
    assert pauses[:5] == [1, 2, 4, 8, 8]
    assert sum(pauses) == 60 and max(pauses) == 8


def test_until_stops_when_done(fake_time):
    states = iter(["Creating", "Creating", "Ready"])
    waiter = Waiter(100, first_delay=1, factor=2, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock)
    reached, last = waiter.until(lambda: next(states), lambda s: s == "Ready")
    assert reached and last == "Ready"
    assert fake_time.sleeps == [1, 2] and waiter.polls == 3


def test_until_never_sleeps_past_the_deadline_and_polls_at_it(fake_time):
    waiter = Waiter(10, first_delay=1, factor=2, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock)
    reached, last = waiter.until(lambda: "Creating", lambda s: s == "Ready")
    assert not reached and last == "Creating"
    assert fake_time.sleeps == [1, 2, 4, 3]         # the last pause is cut to end at the deadline
    assert sum(fake_time.sleeps) == 10 and waiter.polls == 5


def test_wait_timeout_is_seconds_not_attempts(fake_time):
    waiter = Waiter(3600, first_delay=1, factor=1.5, max_delay=15, sleep=fake_time.sleep, clock=fake_time.clock)
    waiter.until(lambda: "Creating", lambda s: False)
    assert sum(fake_time.sleeps) == 3600


def test_a_result_in_hand_is_not_read_again_at_once(fake_time):
    states = iter(["Ready"])
    waiter = Waiter(100, first_delay=1, factor=2, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock)
    reached, last = waiter.until(lambda: next(states), lambda s: s == "Ready", last="Creating")
    assert reached and last == "Ready" and fake_time.sleeps == [1] and waiter.polls == 1
    waiter = Waiter(100, sleep=fake_time.sleep, clock=fake_time.clock)
    assert waiter.until(lambda: "never", lambda s: s == "Ready", last="Ready") == (True, "Ready") and waiter.polls == 0


def test_sleep_first_after_a_change(fake_time):
    waiter = Waiter(100, first_delay=2, sleep=fake_time.sleep, clock=fake_time.clock)
    assert waiter.until(lambda: "Ready", lambda s: s == "Ready", sleep_first=True) == (True, "Ready")
    assert fake_time.sleeps == [2] and waiter.polls == 1


def test_zero_timeout_polls_once(fake_time):
    waiter = Waiter(0, sleep=fake_time.sleep, clock=fake_time.clock)
    assert waiter.until(lambda: "Creating", lambda s: False) == (False, "Creating")
    assert fake_time.sleeps == []


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("image", [
    NGINX, "nginx", "nginx:1.25", "library/nginx", "docker.io/library/nginx:latest", "localhost:5000/app:v1",
    "registry.example.com/a/b/c:1.0-rc1", "nginx@sha256:" + "a" * 64, "registry-vpc.cn-hangzhou.aliyuncs.com/eci_open/nginx:1.15.10-perl",
])
def test_valid_images(image):
    assert validate_image(image) is None


@pytest.mark.parametrize("image", [
    "", " ", "https://registry.example.com/app:1", "Nginx:1", "nginx:", "nginx:1 2", "registry.example.com/app:tag/x",
    "nginx@sha256:xyz", "-bad/app", "app::1",
])
def test_malformed_images(image):
    assert "images" in validate_image(image)


@pytest.mark.parametrize("params, words", [
    (dict(images=[]), ["images", "at least one"]),
    (dict(images=["nginx:%d" % n for n in range(21)]), ["images", "20"]),
    (dict(images=[NGINX, NGINX]), ["images", "more than once"]),
    (dict(image_cache_size=19), ["image_cache_size", "20", "32768"]),
    (dict(image_cache_size=32769), ["image_cache_size", "32768"]),
    (dict(retention_days=0), ["retention_days", "1", "65536"]),
    (dict(retention_days=65537), ["retention_days", "65536"]),
    (dict(vswitch_ids=[]), ["vswitch_ids", "1 to 10"]),
    (dict(vswitch_ids=["vsw-%d" % n for n in range(11)]), ["vswitch_ids", "10"]),
    (dict(vswitch_ids=["vsw-1,vsw-2"]), ["vswitch_ids", "commas"]),
    (dict(flash_copy_count=-1), ["flash_copy_count", "0 or more"]),
    (dict(standard_copy_count=-2), ["standard_copy_count"]),
    (dict(image_registry_credentials=[dict(server="r%d.example.com" % n, username="u", password="p") for n in range(11)]),
     ["image_registry_credentials", "10"]),
    (dict(image_registry_credentials=[dict(server="https://r.example.com", username="u", password="p")]),
     ["image_registry_credentials", "scheme"]),
    (dict(insecure_registries=["http://r.example.com"]), ["insecure_registries", "scheme"]),
    (dict(plain_http_registries=["r.example.com/path"]), ["plain_http_registries"]),
    (dict(acr_registry_info=[dict(instance_id="")]), ["acr_registry_info", "instance_id"]),
    (dict(tags=dict(("k%d" % n, "v") for n in range(21))), ["tags", "20"]),
    (dict(tags={"": "v"}), ["tags", "1 to 128"]),
    (dict(tags={"k" * 129: "v"}), ["tags", "128"]),
    (dict(tags={"aliyun-x": "v"}), ["tags", "aliyun"]),
    (dict(tags={"acs:x": "v"}), ["tags", "acs:"]),
    (dict(tags={"see http://x": "v"}), ["tags", "http://"]),
    (dict(tags={"k": "https://x"}), ["tags", "https://"]),
    (dict(tags={"k": "v" * 129}), ["tags", "128"]),
])
def test_validation_rules_name_the_option(params, words):
    problems = validate_settings(params, creating_possible=False)
    assert problems, params
    text = " ".join(problems)
    for word in words:
        assert word in text


def test_creating_needs_images_security_group_and_vswitch():
    problems = validate_settings(dict(name="web"), creating_possible=True)
    assert problems == ["Creating an image cache needs name, images, security_group_id, vswitch_ids "
                        "(missing: images, security_group_id, vswitch_ids)."]
    assert "missing: name" in validate_settings(dict(CREATE, name=None), creating_possible=True)[0]
    assert validate_settings(CREATE, creating_possible=True) == []
    assert validate_settings(dict(name="web"), creating_possible=False) == []


def test_empty_tag_values_are_allowed():
    assert validate_settings(dict(tags={"k": ""}), creating_possible=False) == []


def test_sleep_first_polls_once_even_past_the_deadline(fake_time):
    # A create's confirming read: one poll after the pause, even with no grace time left.
    polls = []
    waiter = Waiter(0, sleep=fake_time.sleep, clock=fake_time.clock)
    reached, result = waiter.until(lambda: polls.append(1) or "Creating", lambda status: status == "Ready", sleep_first=True)
    assert (reached, result, len(polls), fake_time.sleeps) == (False, "Creating", 1, [0.0])
