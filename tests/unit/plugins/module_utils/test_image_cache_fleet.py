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


def test_registry_reads_are_shared_per_image_and_access_and_stop_at_the_deadline(monkeypatch):
    from ansible_collections.alibabacloud.eci.plugins.module_utils import image_cache_fleet, image_digests
    reads = []
    digest = "sha256:" + "c" * 64

    def resolve(images, platform=None, credentials=None, **options):
        reads.append((list(images), platform, bool(credentials), options["max_seconds"]))
        return [dict(image=image, digest=digest) for image in images]
    monkeypatch.setattr(image_digests, "resolve_digests", resolve)
    now = [0.0]
    deadline = image_cache_fleet.Deadline(100, lambda: now[0])
    shared = image_cache_fleet.RegistryReads(dict(connect_timeout=10, read_timeout=60), deadline)
    login = [dict(server="r.example.com", username="u", password="p")]
    first = shared.current(["r.example.com/a:1", "r.example.com/b:1"], "linux/amd64", {}, None, None, None)
    again = shared.current(["r.example.com/b:1", "r.example.com/a:1"], None, {}, None, None, None)
    other = shared.current(["r.example.com/a:1"], "linux/amd64", {}, login, None, None)
    # Read once per (platform, credentials, registry options); the per-image bound shares what is left (100 s / 2).
    assert reads == [(["r.example.com/a:1", "r.example.com/b:1"], "linux/amd64", False, 50.0),
                     (["r.example.com/a:1"], "linux/amd64", True, 60.0)]
    assert first["record"] == again["record"] and other["record"] is not None
    now[0] = 100.0
    assert shared.current(["r.example.com/c:1"], None, {}, None, None, None) is None and len(reads) == 2


def test_a_set_of_five_caches_of_one_image_measures_it_once(monkeypatch, tmp_path):
    from ansible_collections.alibabacloud.eci.plugins.module_utils import image_cache_fleet, image_digests, image_reads
    image = "r.example.com/app:1"
    reads = []

    def measure(images, **options):
        reads.append(("measure", list(images)))
        return [dict(image=i, compressed_size=1024 ** 3, digest="sha256:" + "d" * 64) for i in images], 1024 ** 3, []

    def resolve(images, **options):
        reads.append(("resolve", list(images)))
        return []
    monkeypatch.setattr(image_reads, "measure_images", measure)
    monkeypatch.setattr(image_digests, "resolve_digests", resolve)

    class Connection:
        region = "cn-hangzhou"
        endpoints = {}
    items, problems = image_cache_fleet.validate_items(
        [dict(name="c%d" % n) for n in range(5)],
        dict(images=[image], image_cache_size="auto", lock_dir=str(tmp_path), security_group_id="sg-1", vswitch_ids=["vsw-1"]))
    assert problems == []
    shared = image_cache_fleet.RegistryReads(dict(connect_timeout=10, read_timeout=60),
                                             image_cache_fleet.Deadline(600, lambda: 0.0))
    deadline = image_cache_fleet.Deadline(600, lambda: 0.0)
    members = [image_cache_fleet.Member(n, params, Connection(), True, deadline, True, image_cache_fleet.DEFAULT_MANAGEMENT_TAG,
                                        shared).engine for n, params in enumerate(items)]
    for member in members:
        member.preflight(None)  # each cache is to be created: each needs the sizes
        member.settle_size(None, member.measure_sizes(None))
    # One registry read for the set: the size read also gave the digest.
    assert reads == [("measure", [image])]
    assert [m.settings["image_cache_size"] for m in members] == [20] * 5
    assert all(m.image_sizes[0]["compressed_size"] == 1024 ** 3 and m.digests["record"] for m in members)
