# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The size preflight's rule: a cache of at least twice its images, and what is said about images not measured."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import egress
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import registry_host
from ansible_collections.alibabacloud.eci.plugins.module_utils.size_plan import (
    auto_size,
    needs_measurement,
    not_measured_note,
    plan_sizes,
    required_cache_size_gib,
    size_verdict,
    unmeasured_verdict,
    vpc_only_registry,
)

GIB = 1024 ** 3


def _measured(image, compressed, uncompressed=None):
    return dict(image=image, registry="r.example", compressed_size=compressed, uncompressed_size=uncompressed)


def _failed(image, kind, registry, reason=None, message="boom"):
    return dict(image=image, error=dict(kind=kind, reason=reason, registry=registry, message=message))


def test_twelve_gib_compressed_in_twenty_gib_fails_with_size_check_fail():
    """The case of the issue: 20 GiB for 12 GiB of images passed; the rule needs 24."""
    plan = plan_sizes([_measured("a", 12 * GIB)])
    verdict = size_verdict(20, plan, "fail")
    assert verdict["level"] == "fail" and verdict["required_gib"] == 24
    assert verdict["message"] == (
        "image_cache_size 20 GiB is less than twice the image it must hold (12.00 GiB together, compressed: the registries "
        "state no uncompressed size), the size the documentation requires; the cache could end Failed. Set image_cache_size "
        "to at least 24, or image_cache_size: auto.")
    assert size_verdict(20, plan, "warn")["level"] == "warn"
    assert size_verdict(20, plan, "skip")["level"] == "ok"
    assert size_verdict(24, plan, "fail") == dict(level="ok", message=None, required_gib=24)


def test_uncompressed_size_is_used_where_stated():
    plan = plan_sizes([_measured("a", 1 * GIB, 3 * GIB), _measured("b", 2 * GIB)])
    assert plan["total_bytes"] == 5 * GIB and plan["basis"] == "mixed"
    assert [m["basis"] for m in plan["measured"]] == ["uncompressed", "compressed"]
    message = size_verdict(9, plan, "warn")["message"]
    assert "twice the images it must hold (5.00 GiB together, uncompressed where the registry states it, else compressed)" in message
    assert "at least 20" in message  # 10 GiB by the rule, but the minimum is 20
    assert plan_sizes([_measured("a", GIB, 2 * GIB)])["basis"] == "uncompressed"


def test_nothing_measured_judges_nothing():
    plan = plan_sizes([_failed("a", "not_found", "r.example")])
    assert plan["basis"] is None and plan["total_bytes"] == 0
    assert size_verdict(20, plan, "fail") == dict(level="ok", message=None, required_gib=None)


def test_too_big_for_any_cache():
    verdict = size_verdict(32768, plan_sizes([_measured("a", 20000 * GIB)]), "fail")
    assert verdict["level"] == "fail" and verdict["required_gib"] is None
    assert "more than the maximum" in verdict["message"]


@pytest.mark.parametrize("registry, inside", [
    ("registry-vpc.cn-hangzhou.aliyuncs.com", True), ("myinst-registry-vpc.cn-hangzhou.cr.aliyuncs.com", True),
    ("registry.cn-hangzhou.aliyuncs.com", False), ("myinst-registry.cn-hangzhou.cr.aliyuncs.com", False),
    ("10.0.0.5:5000", True), ("192.168.1.2", True), ("172.16.0.1:443", True), ("100.100.1.1", True),
    ("8.8.8.8:5000", False), ("docker.io", False), ("[fd00::1]:5000", True), ("harbor.corp.example", False),
])
def test_vpc_only_registry(registry, inside):
    assert vpc_only_registry(registry) is inside


def test_vpc_endpoints_are_not_measured_from_here_in_one_line_not_a_failure():
    plan = plan_sizes([
        _failed("registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1", "unreachable", "registry-vpc.cn-hangzhou.aliyuncs.com", "connect_timeout"),
        _failed("10.0.0.5:5000/app:1", "unreachable", "10.0.0.5:5000", "refused"),
        _measured("docker.io/library/redis:7", GIB),
    ])
    assert plan["not_measured_here"] == ["registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1", "10.0.0.5:5000/app:1"]
    assert plan["failed"] == []
    assert unmeasured_verdict(plan, "fail") == dict(level="ok", message=None, lines=[])
    note = not_measured_note(plan)
    assert "\n" not in note
    assert note.startswith("Not measured from here: registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1, 10.0.0.5:5000/app:1 "
                           "(their registries are reached only from inside the VPC")
    single = not_measured_note(plan_sizes([_failed("registry-vpc.cn-beijing.aliyuncs.com/a:1", "unreachable",
                                                   "registry-vpc.cn-beijing.aliyuncs.com")]))
    assert "(its registry is reached only" in single and "leaves it out" in single
    assert not_measured_note(plan_sizes([_measured("a", 1)])) is None


SHANGHAI_VPC = "registry-vpc.cn-shanghai.aliyuncs.com"
BEIJING_EE_VPC = "team-registry-vpc.cn-beijing.cr.aliyuncs.com"


def _unreachable(image, registry):
    return _failed(image, "unreachable", registry, "connect_timeout")


def test_another_regions_vpc_endpoint_is_said_to_be_out_of_the_caches_reach():
    """registry-vpc.cn-shanghai... while the cache is built in cn-hangzhou: the cache's VPC does not reach it either
    (unless the VPCs are joined by CEN), so the note says so and what to do, not "where the cache is built"."""
    image = SHANGHAI_VPC + "/acs/app:1"
    plan = plan_sizes([_unreachable(image, SHANGHAI_VPC), _measured("docker.io/library/redis:7", GIB)])
    assert plan["not_measured_here"] == [image] and plan["failed"] == []
    note = not_measured_note(plan, "cn-hangzhou")
    assert "\n" not in note and "inside the VPC, where the cache is built" not in note
    assert note.startswith(f"Not measured from here: {image} (its registry {SHANGHAI_VPC} is the VPC endpoint of Container "
                           "Registry in region cn-shanghai, but the cache is built in region cn-hangzhou, whose VPCs do not "
                           "reach it unless connected to a VPC of cn-shanghai by CEN, so the build will most likely fail to "
                           "pull it); the size check leaves it out."), note
    assert note.endswith("Pull from the registry's public endpoint (registry.cn-shanghai.aliyuncs.com) or from a VPC endpoint "
                         "in cn-hangzhou (after replicating the image there), or connect the VPCs with CEN."), note
    # Still not a warning or a failure: the size check itself has nothing more to say about it.
    assert unmeasured_verdict(plan, "fail") == dict(level="ok", message=None, lines=[])


def test_without_the_region_the_note_is_todays():
    image = SHANGHAI_VPC + "/acs/app:1"
    plan = plan_sizes([_unreachable(image, SHANGHAI_VPC)])
    assert not_measured_note(plan) == not_measured_note(plan, None) == (
        f"Not measured from here: {image} (its registry is reached only from inside the VPC, where the cache is built); "
        "the size check leaves it out. Measure from a host in the VPC, or set size_check: skip.")


def test_the_caches_own_region_and_private_addresses_keep_the_inside_the_vpc_note():
    images = ["registry-vpc.cn-hangzhou.aliyuncs.com/acs/app:1", "team-registry-vpc.cn-hangzhou.cr.aliyuncs.com/ns/b:2",
              "10.0.0.5:5000/app:1"]
    plan = plan_sizes([_unreachable(image, registry_host(image)) for image in images])
    assert not_measured_note(plan, "cn-hangzhou") == not_measured_note(plan)
    assert "region" not in not_measured_note(plan, "cn-hangzhou")


def test_several_endpoints_one_line_each_region_named_with_its_images():
    here = "registry-vpc.cn-hangzhou.aliyuncs.com/acs/app:1"
    shanghai = [SHANGHAI_VPC + "/acs/a:1", SHANGHAI_VPC + "/acs/b:1"]
    beijing = BEIJING_EE_VPC + "/ns/c:1"
    plan = plan_sizes([_unreachable(image, registry_host(image)) for image in [shanghai[0], here, beijing, shanghai[1]]])
    note = not_measured_note(plan, "cn-hangzhou")
    assert "\n" not in note and note.count("Not measured from here: ") == 3
    first, second, third = note.split("Not measured from here: ")[1:]
    assert first.startswith(here + " (its registry is reached only from inside the VPC, where the cache is built)")
    assert second.startswith(f"{shanghai[0]}, {shanghai[1]} (their registry {SHANGHAI_VPC} is the VPC endpoint of Container "
                             "Registry in region cn-shanghai, but the cache is built in region cn-hangzhou")
    assert "fail to pull them); the size check leaves them out" in second and "replicating the images there" in second
    assert third.startswith(f"{beijing} (its registry {BEIJING_EE_VPC} is the VPC endpoint of Container Registry in region "
                            "cn-beijing, but the cache is built in region cn-hangzhou")
    assert "public endpoint (team-registry.cn-beijing.cr.aliyuncs.com)" in third and "connect the VPCs with CEN." in third


def test_the_other_region_is_egress_rule_the_one_eci_network_info_uses():
    """One home for the rule: the note follows egress.other_region_images (port and case included)."""
    image = "Registry-VPC.cn-shanghai.aliyuncs.com:443/acs/app:1"
    assert [entry["registry_region"] for entry in egress.other_region_images([image], "cn-hangzhou")] == ["cn-shanghai"]
    note = not_measured_note(plan_sizes([_unreachable(image, registry_host(image))]), "cn-hangzhou")
    assert "is the VPC endpoint of Container Registry in region cn-shanghai" in note
    assert "public endpoint (registry.cn-shanghai.aliyuncs.com:443)" in note
    assert vpc_only_registry("registry-vpc.cn-shanghai.aliyuncs.com:443") and egress.acr_vpc_region("registry-vpc.cn-shanghai.aliyuncs.com:443")


def test_a_vpc_registry_that_refuses_credentials_is_a_failure():
    """Reached, then refused: that is a real problem, wherever the module runs."""
    plan = plan_sizes([_failed("registry-vpc.cn-hangzhou.aliyuncs.com/a:1", "unauthorized", "registry-vpc.cn-hangzhou.aliyuncs.com")])
    assert plan["not_measured_here"] == [] and len(plan["failed"]) == 1


def test_unmeasured_messages_say_what_happens():
    one = plan_sizes([_failed("quay.io/a:1", "unauthorized", "quay.io", message="image quay.io/a:1 on registry quay.io: denied")])
    failing = unmeasured_verdict(one, "fail")
    assert failing["level"] == "fail"
    assert failing["message"] == ("Could not measure quay.io/a:1, so the size check cannot judge the cache size: image quay.io/a:1 "
                                  "on registry quay.io: denied. Fix the registry access, or set size_check: warn to go on "
                                  "without it.")
    assert "leaves" not in failing["message"]
    warning = unmeasured_verdict(one, "warn")
    assert warning["level"] == "warn" and warning["lines"] == [
        (("image", "quay.io/a:1"), "Could not measure quay.io/a:1, so the size check leaves it out: image quay.io/a:1 "
                                   "on registry quay.io: denied.")]
    two = plan_sizes([_failed("a", "invalid", "docker.io"), _failed("b", "invalid", "docker.io")])
    assert [key for key, _text in unmeasured_verdict(two, "warn")["lines"]] == [("image", "a"), ("image", "b")]
    assert "without them" in unmeasured_verdict(two, "fail")["message"]
    assert unmeasured_verdict(two, "skip")["level"] == "ok"


def test_an_image_the_registry_does_not_have_fails_unless_skip():
    """Issue 24: a mistyped image (HTTP 404) was only a warning by default, and the build then fails."""
    plan = plan_sizes([_failed("quay.io/a:1", "not_found", "quay.io", message="image quay.io/a:1: the manifest was not found (HTTP 404)"),
                       _failed("r.example/b:1", "unreachable", "r.example", message="refused")])
    for size_check in ("warn", "fail"):
        verdict = unmeasured_verdict(plan, size_check)
        assert verdict["level"] == "fail", size_check
        assert verdict["message"].startswith("quay.io/a:1 is not in its registry (no such repository, tag or platform): "
                                             "image quay.io/a:1: the manifest was not found (HTTP 404). The cache's build would fail.")
        assert "size_check: skip" in verdict["message"]
    assert "Could not measure r.example/b:1" in unmeasured_verdict(plan, "fail")["message"]
    assert "r.example/b:1" not in unmeasured_verdict(plan, "warn")["message"]
    assert unmeasured_verdict(plan, "skip")["level"] == "ok"


def test_an_unreachable_registry_is_one_line_whatever_its_images():
    """Issue 24: one warning line per registry that cannot be reached, not one long warning naming every image."""
    plan = plan_sizes([_failed("r.example/a:1", "unreachable", "r.example", reason="dns", message="image r.example/a:1: DNS"),
                       _failed("r.example/b:1", "unreachable", "r.example", reason="dns", message="not tried"),
                       _failed("q.example/c:1", "unreachable", "q.example", reason="refused", message="image q.example/c:1: refused")])
    verdict = unmeasured_verdict(plan, "warn")
    assert verdict["level"] == "warn"
    assert verdict["lines"] == [
        (("registry", "r.example"), "Could not reach registry r.example, so the size check leaves out r.example/a:1, "
                                    "r.example/b:1: image r.example/a:1: DNS."),
        (("registry", "q.example"), "Could not reach registry q.example, so the size check leaves out q.example/c:1: "
                                    "image q.example/c:1: refused.")]
    assert all("\n" not in text for _key, text in verdict["lines"])


@pytest.mark.parametrize("args, measure", [
    (dict(size_check="warn", size_auto=False, creating=True, images_change=False, size_change=False), True),
    (dict(size_check="warn", size_auto=False, creating=False, images_change=True, size_change=False), True),
    (dict(size_check="fail", size_auto=False, creating=False, images_change=False, size_change=True), True),
    # a rename, tags or elimination only: nothing to measure, even with force_update
    (dict(size_check="fail", size_auto=False, creating=False, images_change=False, size_change=False), False),
    (dict(size_check="fail", size_auto=False, creating=False, images_change=False, size_change=False, force_update=True), False),
    (dict(size_check="skip", size_auto=False, creating=True, images_change=True, size_change=True), False),
    (dict(size_check="skip", size_auto=True, creating=False, images_change=False, size_change=False), True),
])
def test_needs_measurement(args, measure):
    assert needs_measurement(**args) is measure


def test_auto_size_is_twice_the_images_and_never_shrinks_the_live_cache():
    plan = plan_sizes([_measured("a", 30 * GIB)])
    assert auto_size(plan, None) == 60
    assert auto_size(plan, 100) == 100
    assert auto_size(plan_sizes([_measured("a", GIB)]), None) == 20
    with pytest.raises(ValueError):
        auto_size(plan_sizes([_measured("a", 20000 * GIB)]), None)


# -- cache sizing: the rule's arithmetic (size_plan.py, not registry.py: judging needs no network code) --
@pytest.mark.parametrize("total, gib", [
    (0, 20),
    (1, 20),
    (10 * GIB, 20),
    (10 * GIB + 1, 21),
    (int(12.3 * GIB), 25),
    (16 * GIB, 32),
    (16 * GIB + 1, 33),
    (12.25 * GIB, 25),
    (16384 * GIB, 32768),
])
def test_required_cache_size_gib(total, gib):
    assert required_cache_size_gib(total) == gib


@pytest.mark.parametrize("total", [16384 * GIB + 1, 10 ** 18])
def test_required_cache_size_gib_too_big(total):
    with pytest.raises(ValueError, match="more than the maximum 32768 GiB"):
        required_cache_size_gib(total)


@pytest.mark.parametrize("total", [-1, "10", None, True])
def test_required_cache_size_gib_rejects(total):
    with pytest.raises(ValueError):
        required_cache_size_gib(total)
