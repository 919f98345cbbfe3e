# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""`stale: null` comes with its reason (issue 24): image_digests.stale_reason, and eci_image_cache_info's stale_reason."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY, make_record, stale_reason
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache_info

OLD, NEW = "sha256:" + "a" * 64, "sha256:" + "b" * 64
BASE_ARGS = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")


def _cache(name, status="Ready", images=("nginx",), tags=None):
    return dict(image_cache_name=name, image_cache_id=f"imc-{name}", status=status, images=list(images), tags=tags or {})


@pytest.mark.parametrize("stale", [True, False])
def test_a_known_staleness_has_no_reason(stale):
    assert stale_reason(_cache("web"), stale, []) is None


@pytest.mark.parametrize("cache, digests, words", [
    (None, [], ["there is no cache"]),
    (_cache("web", status="UpdateFailed", tags={DIGESTS_TAG_KEY: make_record({"nginx": OLD})}), [],
     ["UpdateFailed", "not Ready", "not judged"]),
    (_cache("web", tags={DIGESTS_TAG_KEY: make_record({"nginx": OLD})}),
     [dict(image="nginx", digest=None, pinned=False, error=dict(kind="unreachable", message="connection refused"))],
     ["nginx could not be read", "unreachable", "connection refused"]),
    (_cache("web"), [dict(image="nginx", digest=NEW, pinned=False)], ["no record", DIGESTS_TAG_KEY, "force_update: true"]),
    (_cache("web", tags={DIGESTS_TAG_KEY: "hand-written"}), [], ["not a record", "hand-written"]),
    (_cache("web", tags={DIGESTS_TAG_KEY: make_record({"nginx": OLD})}), [], ["not read"]),
])
def test_each_unknown_staleness_says_why(cache, digests, words):
    reason = stale_reason(cache, None, digests)
    assert reason and all(word in reason for word in words), reason


def test_info_says_why_each_null_stale_is_null(run_module, monkeypatch, registry_digests):
    caches = [
        _cache("moved", tags={DIGESTS_TAG_KEY: make_record({"nginx": OLD})}),
        _cache("unrecorded"),
        _cache("building", status="Creating", tags={DIGESTS_TAG_KEY: make_record({"nginx": NEW})}),
        _cache("unreadable", images=["busybox"], tags={DIGESTS_TAG_KEY: make_record({"busybox": OLD})}),
    ]
    monkeypatch.setattr(eci_image_cache_info, "describe_image_caches", lambda connection, **filters: list(caches))
    registry_digests["nginx"] = NEW
    result, failed = run_module(eci_image_cache_info.main, dict(BASE_ARGS, check_stale=True))
    assert not failed, result
    found = dict((c["image_cache_name"], (c["stale"], c["stale_reason"])) for c in result["image_caches"])
    assert found["moved"] == (True, None)
    assert found["unrecorded"][0] is None and "no record" in found["unrecorded"][1]
    assert found["building"][0] is None and "Creating" in found["building"][1]
    assert found["unreadable"][0] is None and "busybox could not be read (unreachable" in found["unreadable"][1]


def test_without_check_stale_there_is_no_reason_either(run_module, monkeypatch, registry_digests):
    monkeypatch.setattr(eci_image_cache_info, "describe_image_caches", lambda connection, **filters: [_cache("web")])
    result, failed = run_module(eci_image_cache_info.main, BASE_ARGS)
    assert not failed and "stale_reason" not in result["image_caches"][0]
