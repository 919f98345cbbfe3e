# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import client_token, request_fields

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
REDIS = "registry.cn-hangzhou.aliyuncs.com/acs/redis:7"
CREATE = dict(name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])


def token(region, params, chain=()):
    return client_token(region, request_fields(params, "create"), chain)


# ---------------------------------------------------------------- client token

def test_token_is_deterministic_and_insensitive_to_image_order():
    first = token("cn-hangzhou", dict(CREATE, images=[NGINX, REDIS]))
    again = token("cn-hangzhou", dict(CREATE, images=[REDIS, NGINX]))
    assert first == again
    assert first.startswith("ansible-eci-") and len(first) <= 64 and first.isascii()


@pytest.mark.parametrize("change", [
    dict(name="other"), dict(images=[REDIS]), dict(image_cache_size=40), dict(retention_days=3),
    dict(security_group_id="sg-2"), dict(vswitch_ids=["vsw-2"]), dict(tags={"a": "b"}), dict(flash=True),
    dict(image_registry_credentials=[dict(server="r.example.com", username="u", password="p")]),
])
def test_token_changes_with_the_settings(change):
    assert token("cn-hangzhou", CREATE) != token("cn-hangzhou", dict(CREATE, **change))


def test_token_changes_with_the_region():
    assert token("cn-hangzhou", CREATE) != token("cn-beijing", CREATE)


def test_token_ignores_passwords_and_options_that_do_not_shape_the_cache():
    with_password = dict(CREATE, image_registry_credentials=[dict(server="r.example.com", username="u", password="one")])
    other_password = dict(CREATE, image_registry_credentials=[dict(server="r.example.com", username="u", password="two")])
    assert token("cn-hangzhou", with_password) == token("cn-hangzhou", other_password)
    assert token("cn-hangzhou", CREATE) == token("cn-hangzhou", dict(CREATE, wait=False, wait_timeout=5))


def test_superseded_caches_extend_the_chain_deterministically():
    base = token("cn-hangzhou", CREATE)
    next_one = token("cn-hangzhou", CREATE, ["imc-dead"])
    assert next_one != base
    assert next_one == token("cn-hangzhou", CREATE, ["imc-dead"])
    assert token("cn-hangzhou", CREATE, ["imc-dead", "imc-dead2"]) not in (base, next_one)


# ---------------------------------------------------------------- the canonical request

def test_equal_meaning_settings_give_one_request_and_one_token():
    one = dict(CREATE, images=[NGINX, REDIS], tags={"a": "1", "b": "2"}, insecure_registries=["r2", "r1"],
               image_registry_credentials=[dict(server="b.example.com", username="u", password="p"),
                                           dict(server="a.example.com", username="u", password="p")])
    other = dict(one, images=[REDIS, NGINX], tags={"b": "2", "a": "1"}, insecure_registries=["r1", "r2"],
                 image_registry_credentials=list(reversed(one["image_registry_credentials"])))
    assert request_fields(one, "create") == request_fields(other, "create")
    assert token("cn-hangzhou", one) == token("cn-hangzhou", other)
    # image_cache_size left out is the cloud's default, 20: the same create
    assert token("cn-hangzhou", dict(CREATE, image_cache_size=20)) == token("cn-hangzhou", CREATE)
    assert request_fields(CREATE, "create")["image_cache_size"] == 20
    # an empty elimination strategy is no strategy
    assert token("cn-hangzhou", dict(CREATE, elimination_strategy="")) == token("cn-hangzhou", CREATE)


def test_the_request_sent_is_sorted_like_the_token():
    fields = request_fields(dict(CREATE, images=[REDIS, NGINX], tags={"z": "1", "a": "2"}), "create")
    assert fields["image"] == [NGINX, REDIS]
    assert fields["tag"] == [dict(key="a", value="2"), dict(key="z", value="1")]
    assert fields["v_switch_id"] == "vsw-1" and fields["image_cache_name"] == "web"


def test_update_requests_leave_out_create_only_settings_and_send_an_empty_strategy():
    fields = request_fields(dict(CREATE, zone_id="z", tags={"a": "1"}, insecure_registries=["r"], elimination_strategy="",
                                 acr_registry_info=[dict(instance_id="cri-1", arn_user="arn")]), "update")
    assert "zone_id" not in fields and "tag" not in fields and "insecure_registry" not in fields
    assert fields["elimination_strategy"] == ""
    assert fields["acr_registry_info"] == [dict(instance_id="cri-1")]   # UpdateImageCache takes no ARNs
    assert "image_cache_size" not in fields                              # no default is forced on an update


def test_every_option_of_the_table_is_an_option_of_the_module():
    from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import SETTINGS
    from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache
    import yaml
    documented = yaml.safe_load(eci_image_cache.DOCUMENTATION)["options"]
    for setting in SETTINGS:
        assert setting.option in documented, setting.option


def test_a_mismatch_or_a_gone_cache_extends_the_chain_deterministically():
    base = token("cn-hangzhou", CREATE)
    assert token("cn-hangzhou", CREATE, ["mismatch"]) not in (base, token("cn-hangzhou", CREATE, ["imc-1"]))
    assert token("cn-hangzhou", CREATE, ["mismatch"]) == token("cn-hangzhou", CREATE, ["mismatch"])


# -- the build record (tag alibabacloud.eci/build) ------------------------------------------------------------------
NETWORK = dict(security_group_id="sg-1", vswitch_ids=["vsw-1", "vsw-2"], zone_id=None,
               image_registry_credentials=[dict(server="r.example.com", username="u", password="secret-one")])


def test_build_record_is_a_tag_value_and_holds_no_password():
    record = settings.build_record(NETWORK)
    assert re.fullmatch(r"v1:[0-9a-f]{64}", record) and len(record) <= 128
    assert settings.parse_build_record(record) == settings.build_digests(NETWORK)
    rotated = dict(NETWORK, image_registry_credentials=[dict(server="r.example.com", username="u", password="two")])
    assert settings.build_record(rotated) == record  # a password is never part of it, in any form


@pytest.mark.parametrize("change", [
    dict(security_group_id="sg-2"), dict(vswitch_ids=["vsw-2", "vsw-1"]), dict(zone_id="cn-hangzhou-k"),
    dict(eip_instance_id="eip-1"), dict(insecure_registries=["r.example.com"]), dict(plain_http_registries=["r:5000"]),
    dict(image_registry_credentials=[dict(server="r.example.com", username="v", password="secret-one")]),
    dict(acr_registry_info=[dict(instance_id="cri-1")]),
])
def test_build_record_changes_with_each_unread_build_setting(change):
    assert settings.build_record(dict(NETWORK, **change)) != settings.build_record(NETWORK)
    # ... in that setting's digest alone, so a refusal can name what changed
    before, after = settings.build_digests(NETWORK), settings.build_digests(dict(NETWORK, **change))
    assert [option for option in before if before[option] != after[option]] == list(change)


@pytest.mark.parametrize("change", [dict(images=["nginx:2"]), dict(image_cache_size=40), dict(retention_days=3),
                                    dict(tags={"a": "b"}), dict(name="other"), dict(elimination_strategy="LRU")])
def test_build_record_leaves_out_what_the_api_returns_or_cannot_change_a_build(change):
    assert settings.build_record(dict(NETWORK, **change)) == settings.build_record(NETWORK)


def test_unread_build_outcome_is_build_outcome_less_what_is_read_back():
    assert set(settings.UNREAD_BUILD_OUTCOME) == set(settings.BUILD_OUTCOME) - {"images", "image_cache_size"}


def test_build_tag_changes_only_with_a_rebuild_and_only_when_it_differs():
    record = settings.build_record(NETWORK)
    assert settings.build_tag_changes({}, NETWORK, None) == {}
    assert settings.build_tag_changes(None, NETWORK, "create") == {settings.BUILD_TAG_KEY: record}
    assert settings.build_tag_changes({settings.BUILD_TAG_KEY: record}, NETWORK, "update") == {}


def test_an_update_records_what_it_sent_and_keeps_the_rest():
    """An update that leaves the network out (a refresh by id, a rename) keeps the recorded digests: the cloud keeps
    those settings. Create-only settings (zone_id) keep the create's digest, whatever the task says."""
    created = dict(NETWORK, zone_id="cn-hangzhou-k")
    tags = {settings.BUILD_TAG_KEY: settings.build_record(created)}
    assert settings.build_tag_changes(tags, dict(images=["nginx"]), "update") == {}
    assert settings.build_tag_changes(tags, dict(NETWORK, zone_id="cn-hangzhou-j"), "update") == {}
    changed = settings.build_tag_changes(tags, dict(NETWORK, security_group_id="sg-2"), "update")[settings.BUILD_TAG_KEY]
    assert settings.parse_build_record(changed) == dict(settings.build_digests(created),
                                                        security_group_id=settings.build_digests(dict(security_group_id="sg-2"))["security_group_id"])


def test_an_update_of_a_cache_without_a_record_records_only_what_it_sent():
    recorded = settings.parse_build_record(settings.build_tag_changes({}, dict(security_group_id="sg-1"), "update")[settings.BUILD_TAG_KEY])
    assert recorded["security_group_id"] and [option for option, digest in recorded.items() if digest] == ["security_group_id"]
    assert settings.build_tag_changes({}, dict(name="web-v2"), "update") == {}  # nothing known to record
    assert settings.parse_build_record("v1:sha256:" + "a" * 64) is None and settings.parse_build_record(None) is None


def test_the_token_leaves_the_records_out():
    fields = settings.request_fields(dict(NETWORK, name="web", images=["nginx"], tags={settings.BUILD_TAG_KEY: "v1:x"}), "create")
    bare = settings.request_fields(dict(NETWORK, name="web", images=["nginx"]), "create")
    assert settings.client_token("cn-hangzhou", fields) == settings.client_token("cn-hangzhou", bare)
