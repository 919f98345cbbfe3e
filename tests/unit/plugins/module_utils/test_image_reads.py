# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry reads of a run (image_reads): when the size preflight measures, what it decides (as data), and
that each image is read once per access, within the deadline."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_digests, image_reads

GIB = 1024 ** 3
APP = "r.example.com/app:1"
DIGEST = "sha256:" + "d" * 64
PARAMS = dict(images=[APP], size_check="warn", force_update=False, image_platform=None, image_registry_credentials=None,
              plain_http_registries=None, insecure_registries=None)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Deadline:
    """As image_cache_fleet.Deadline: what is left of the task's time."""

    def __init__(self, seconds, clock):
        self.at, self.clock = seconds, clock

    def remaining(self):
        return max(0.0, self.at - self.clock())


@pytest.fixture
def registry(monkeypatch):
    """Image sizes (compressed bytes) the registry states; every measuring and digest read is recorded in .reads."""
    class Registry(dict):
        reads = []

        def measure(self, images, **options):
            self.reads.append(("measure", list(images), options["max_seconds"]))
            reports = [dict(image=image, compressed_size=self[image], digest=DIGEST) if image in self else
                       dict(image=image, error=dict(kind="not_found", message="image %s: not found" % image))
                       for image in images]
            return reports, sum(r.get("compressed_size", 0) for r in reports), [r["image"] for r in reports if "error" in r]

        def resolve(self, images, platform=None, **options):
            self.reads.append(("resolve", list(images), options["max_seconds"]))
            return [dict(image=image, digest=DIGEST) for image in images]

    fake = Registry()
    fake.reads = []
    monkeypatch.setattr(image_reads, "measure_images", fake.measure)
    monkeypatch.setattr(image_digests, "resolve_digests", fake.resolve)
    return fake


def reads(deadline=None):
    return image_reads.RegistryReads(dict(connect_timeout=10, read_timeout=60), deadline)


def live(**fields):
    return dict(dict(image_cache_id="imc-1", status="Ready", images=[APP], image_cache_size=40), **fields)


def test_nothing_is_measured_when_neither_the_images_nor_the_size_change(registry):
    registry[APP] = GIB
    assert image_reads.measure_sizes(reads(), PARAMS, live(), None, False) is None
    assert image_reads.measure_sizes(reads(), PARAMS, live(), 40, False) is None
    assert image_reads.check_sizes(reads(), dict(PARAMS, force_update=True), live(), 40, False) is None
    assert registry.reads == []
    # A Failed cache is replaced: its images count for nothing, so this is a create, and it is measured.
    assert image_reads.measure_sizes(reads(), PARAMS, live(status="Failed"), None, False) is not None
    assert registry.reads == [("measure", [APP], 60.0)]


def test_a_create_is_measured_and_judged_with_the_read_timeout_per_image(registry):
    registry[APP] = 15 * GIB
    outcome = image_reads.check_sizes(reads(), PARAMS, None, 20, False)
    assert registry.reads == [("measure", [APP], 60.0)]
    assert outcome["image_sizes"] == [dict(image=APP, compressed_size=15 * GIB, digest=DIGEST)]
    assert outcome["image_cache_size"] == 20 and outcome["failure"] is None and outcome["size_note"] is None
    assert len(outcome["warnings"]) == 1 and "image_cache_size 20 GiB is less than twice" in outcome["warnings"][0]


def test_auto_picks_twice_the_images_and_never_less_than_the_live_size(registry):
    registry[APP] = 15 * GIB
    created = image_reads.check_sizes(reads(), dict(PARAMS, size_check="skip"), None, None, True)
    assert created["image_cache_size"] == 30 and created["failure"] is None and created["warnings"] == []
    kept = image_reads.check_sizes(reads(), dict(PARAMS, size_check="skip"), live(image_cache_size=100), None, True)
    assert kept["image_cache_size"] == 100
    registry[APP] = 20000 * GIB  # twice is more than the API allows
    too_big = image_reads.check_sizes(reads(), PARAMS, None, None, True)
    assert too_big["failure"]["option"] == "image_cache_size" and too_big["failure"]["message"]


def test_a_failing_verdict_is_returned_not_raised(registry):
    registry[APP] = 15 * GIB
    small = image_reads.check_sizes(reads(), dict(PARAMS, size_check="fail"), None, 20, False)
    assert small["failure"]["option"] == "size_check" and "at least 30" in small["failure"]["message"]
    assert small["image_cache_size"] == 20 and small["warnings"] == []
    missing = image_reads.check_sizes(reads(), dict(PARAMS, images=["r.example.com/gone:1"], size_check="fail"), None, 20, False)
    assert missing["failure"]["option"] == "size_check" and missing["failure"]["message"].startswith(
        "r.example.com/gone:1 is not in its registry")
    # not_found fails by default too (issue 24): the cache's build would fail.
    missing = image_reads.check_sizes(reads(), dict(PARAMS, images=["r.example.com/gone:1"], size_check="warn"), None, 20, False)
    assert missing["failure"]["option"] == "size_check" and "build would fail" in missing["failure"]["message"]
    skipped = image_reads.check_sizes(reads(), dict(PARAMS, images=["r.example.com/gone:1"], size_check="skip"), None, 20, False)
    assert skipped is None or skipped["failure"] is None


def test_an_unreachable_registry_is_said_once_a_run_whatever_the_caches(registry, monkeypatch):
    """Issue 24: the caches of one run (one RegistryReads) share the warning of a registry that cannot be reached."""
    def unreachable(images, **options):
        registry.reads.append(("measure", list(images), options["max_seconds"]))
        reports = [dict(image=image, error=dict(kind="unreachable", reason="dns", registry="down.example",
                                                message=f"image {image}: DNS")) for image in images]
        return reports, 0, list(images)
    monkeypatch.setattr(image_reads, "measure_images", unreachable)
    shared = reads()
    first = image_reads.check_sizes(shared, dict(PARAMS, images=["down.example/a:1", "down.example/b:1"]), None, 20, False)
    second = image_reads.check_sizes(shared, dict(PARAMS, images=["down.example/c:1"]), None, 20, False)
    assert first["failure"] is None and first["warnings"] == [
        "Could not reach registry down.example, so the size check leaves out down.example/a:1, down.example/b:1: "
        "image down.example/a:1: DNS."]
    assert second["failure"] is None and second["warnings"] == []
    # Another run says it again.
    assert len(image_reads.check_sizes(reads(), dict(PARAMS, images=["down.example/c:1"]), None, 20, False)["warnings"]) == 1


def test_each_image_is_measured_once_per_access_and_its_digest_is_not_read_again(registry):
    registry[APP] = GIB
    shared = reads()
    first = image_reads.check_sizes(shared, PARAMS, None, 20, False)
    again = image_reads.check_sizes(shared, PARAMS, None, 20, False)
    login = [dict(server="r.example.com", username="u", password="p")]
    login = image_reads.check_sizes(shared, dict(PARAMS, image_registry_credentials=login), None, 20, False)
    assert first == again == login
    assert registry.reads == [("measure", [APP], 60.0), ("measure", [APP], 60.0)]  # the second with the credentials
    current = image_reads.read_digests(shared, PARAMS, None)
    assert current["record"] is not None and [r[0] for r in registry.reads] == ["measure", "measure"]
    # The item's images, else the cache's (not a Failed one's).
    assert image_reads.digest_images(dict(PARAMS, images=None), live()) == [APP]
    assert image_reads.digest_images(dict(PARAMS, images=None), live(status="Failed")) == []
    assert image_reads.read_digests(shared, dict(PARAMS, images=None), None) is None


def test_a_spent_deadline_reads_nothing_and_leaves_sizes_and_digests_unknown(registry):
    registry[APP] = GIB
    clock = Clock()
    shared = reads(Deadline(100, clock))
    other = "r.example.com/other:1"
    registry[other] = GIB
    image_reads.check_sizes(shared, dict(PARAMS, images=[APP, other]), None, 20, False)
    assert registry.reads == [("measure", [APP, other], 50.0)]  # the deadline shared between the images
    clock.now = 100.0
    late = "r.example.com/late:1"
    registry[late] = GIB
    outcome = image_reads.check_sizes(shared, dict(PARAMS, images=[late]), None, 20, False)
    assert outcome["image_sizes"][0]["error"]["message"] == image_reads.DEADLINE_SPENT % late
    assert outcome["failure"] is None and outcome["warnings"][0].startswith("Could not measure %s" % late)
    assert image_reads.read_digests(shared, dict(PARAMS, images=[late]), None) is None
    # What was read before the deadline is still known.
    assert image_reads.read_digests(shared, dict(PARAMS, images=[APP, other]), None)["record"] is not None
    assert len(registry.reads) == 1
