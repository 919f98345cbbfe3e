# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet's helpers outside the module run: the status of the last answer per connection, and the wait of many
caches when a listing fails."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import client, waiters
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError


def test_the_last_answer_status_belongs_to_the_connection_that_made_the_call(monkeypatch):
    darabonba = pytest.importorskip("darabonba.core")

    class Answer:
        status_code = 502

    monkeypatch.setattr(darabonba.DaraCore, "do_action", staticmethod(lambda request, runtime_option=None: Answer()))
    monkeypatch.setattr(client._LastAnswer, "_installed", False)
    mine, other = client._LastAnswer(), client._LastAnswer()
    with mine.recording():
        darabonba.DaraCore.do_action(object())
    assert mine.status == 502 and other.status is None
    assert not hasattr(client._LastAnswer, "status")  # no class-wide state
    darabonba.DaraCore.do_action(object())  # outside any call of a connection: recorded nowhere
    assert other.status is None


def test_a_failed_listing_ends_only_the_waits_still_pending():
    rounds = iter([[dict(image_cache_id="imc-1", status="Ready"), dict(image_cache_id="imc-2", status="Creating")]])

    def listing():
        for caches in rounds:
            return caches
        raise AlibabaCloudError("DescribeImageCaches", "ServiceUnavailable", "down", status_code=503)
    now = [0.0]
    outcome = waiters.wait_for_many(listing, {"imc-1": dict(targets=("Ready",), what="be Ready"),
                                              "imc-2": dict(targets=("Ready",), what="be Ready")}, 60,
                                    sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0])
    assert outcome["imc-1"]["status"] == "Ready"
    assert isinstance(outcome["imc-2"], waiters.WaitError) and outcome["imc-2"].code == "ServiceUnavailable"
    assert "the listing failed" in outcome["imc-2"].message
