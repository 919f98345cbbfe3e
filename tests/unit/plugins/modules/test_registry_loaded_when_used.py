# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The registry code (module_utils/registry.py: HTTP, TLS, proxies) is loaded only by a run that reads a registry
(issue 24): importing the modules and filters does not load it, and runs that read no registry never import it."""

from __future__ import annotations

import hashlib
import pathlib
import subprocess
import sys

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci, image_cache_usage, image_digests, image_reads, size_plan, waiters
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache, eci_image_cache_info, eci_image_caches
from ansible_collections.alibabacloud.eci.tests.unit.plugins.modules.fake_cloud import FakeClock, FakeCloud

ROOT = pathlib.Path(__file__).resolve().parents[4]  # the collection root: ansible_collections/alibabacloud/eci
PACKAGE = "ansible_collections.alibabacloud.eci.plugins.module_utils"
REGISTRY = f"{PACKAGE}.registry"
BASE = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")
NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
NGINX_DIGEST = "sha256:" + "a" * 64
PINNED = "registry.cn-hangzhou.aliyuncs.com/acs/redis@sha256:" + "b" * 64
CACHE = dict(BASE, name="web", security_group_id="sg-1", vswitch_ids=["vsw-1"], size_check="skip")


def test_importing_every_module_and_filter_does_not_load_the_registry_code():
    modules = sorted(f"ansible_collections.alibabacloud.eci.plugins.{kind}.{path.stem}"
                     for kind in ("modules", "filter", "action") for path in (ROOT / "plugins" / kind).glob("*.py")
                     if path.stem != "__init__")
    assert any(name.endswith("eci_image_cache") for name in modules)
    script = (f"import sys\nfor name in {modules!r}:\n    __import__(name)\n"
              f"print({REGISTRY!r} in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=str(ROOT.parents[2]), env={"PYTHONPATH": str(ROOT.parents[2]), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False", out.stderr


def forbid_registry_code(monkeypatch):
    """Any import of registry.py from now on raises ImportError."""
    import importlib
    package = importlib.import_module(PACKAGE)
    monkeypatch.delattr(package, "registry", raising=False)
    monkeypatch.setitem(sys.modules, REGISTRY, None)


@pytest.fixture
def no_registry_code(monkeypatch):
    """Any import of registry.py from now on raises ImportError."""
    forbid_registry_code(monkeypatch)


def test_the_guard_works_a_registry_read_cannot_import_it(no_registry_code):
    with pytest.raises(ImportError):
        image_reads.measure_images(["nginx:1.25"])


def test_listing_without_check_stale_does_not_load_it(run_module, monkeypatch, no_registry_code):
    monkeypatch.setattr(eci_image_cache_info, "describe_image_caches",
                        lambda connection, **filters: [dict(image_cache_id="imc-1", image_cache_name="web", status="Ready")])
    result, failed = run_module(eci_image_cache_info.main, BASE)
    assert not failed and [c["image_cache_id"] for c in result["image_caches"]] == ["imc-1"], result


def record_of(*lines):
    """The digest record a cache built with these lines carries, for linux/amd64, computed from image_digests'
    docstring (not with the code under test): sha256 of the sorted "<name>[:<tag>]@<digest>" lines."""
    text = "\n".join(sorted(lines)).encode("utf-8")
    return "v1:linux/amd64:sha256:" + hashlib.sha256(text).hexdigest()


@pytest.fixture
def cloud(monkeypatch):
    """The in-memory cloud of the module tests; eci_image_caches lists the whole region through it too."""
    clock = FakeClock()
    fake = FakeCloud(clock)
    fake.install(monkeypatch)

    def describe_image_caches(connection, **filters):
        fake.calls.append(("list",))
        return fake.caches()
    monkeypatch.setattr(eci, "describe_image_caches", describe_image_caches)
    monkeypatch.setattr(waiters.time, "sleep", clock.sleep)
    monkeypatch.setattr(waiters.time, "monotonic", clock.clock)
    return fake


def test_a_no_op_with_size_check_skip_does_not_load_it(run_module, cloud, registry_digests, monkeypatch):
    """refresh: never (the default) and size_check: skip on a cache that matches: the digests are read (stale is
    reported: here by the conftest's stand-in for the registry), and nothing else loads the registry code: not the
    validation of image_platform, not the record the digests make, not the platform they are read for."""
    registry_digests[NGINX] = NGINX_DIGEST
    record = record_of("registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25@" + NGINX_DIGEST)
    cloud.add("imc-1", image_cache_name="web", images=[NGINX], tags={"alibabacloud.eci/digests": record})
    forbid_registry_code(monkeypatch)
    result, failed = run_module(eci_image_cache.main, dict(CACHE, images=[NGINX], image_platform="linux/amd64"))
    assert not failed and not result["changed"], result
    assert result["stale"] is False and result["image_digests"][0]["digest"] == NGINX_DIGEST, result
    assert cloud.mutations() == []


def test_a_no_op_of_pinned_images_reads_no_registry_and_does_not_load_it(run_module, cloud, registry_digests, monkeypatch):
    """Images pinned by digest are never read: a no-op of them reads no registry at all, so it cannot need registry.py."""
    record = record_of(PINNED)
    cloud.add("imc-1", image_cache_name="web", images=[PINNED], tags={"alibabacloud.eci/digests": record})
    forbid_registry_code(monkeypatch)
    result, failed = run_module(eci_image_cache.main, dict(CACHE, images=[PINNED]))
    assert not failed and not result["changed"] and result["stale"] is False, result
    assert registry_digests.reads == [] and cloud.mutations() == []


def test_a_no_op_of_a_set_does_not_load_it(run_module, cloud, registry_digests, monkeypatch):
    registry_digests[NGINX] = NGINX_DIGEST
    record = record_of("registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25@" + NGINX_DIGEST)
    for index, name in enumerate(("a", "b")):
        cloud.add("imc-%d" % index, image_cache_name=name, images=[NGINX],
                  tags={"ansible-eci-set": "default", "alibabacloud.eci/digests": record})
    forbid_registry_code(monkeypatch)
    defaults = dict((key, CACHE[key]) for key in ("security_group_id", "vswitch_ids", "size_check"))
    result, failed = run_module(eci_image_caches.main, dict(BASE, caches=[dict(name="a"), dict(name="b")], management_tag_value="default",
                                                            defaults=dict(defaults, images=[NGINX], image_platform="linux/amd64")))
    assert not failed and not result["changed"], result
    assert [r["stale"] for r in result["results"]] == [False, False], result
    assert cloud.mutations() == []


# The filter image_cache_problems (the role's validation) is checked alike in tests/unit/plugins/filter (controller code).
PLATFORM_CASES = [
    ("linux/arm64/v8", None), ("LINUX/AMD64", None), ("amd64", "image_platform: invalid platform 'amd64'"),
    ("linux/" + "a" * 60, "image_platform: 'linux/" + "a" * 60 + "' is 66 characters long; at most 53"),
]


@pytest.mark.parametrize("platform, problem", PLATFORM_CASES)
def test_validating_image_platform_does_not_load_it(no_registry_code, platform, problem):
    problems = validate_settings(dict(image_platform=platform), creating_possible=False)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_a_refused_platform_fails_the_module_without_loading_it(run_module, no_registry_code):
    result, failed = run_module(eci_image_cache.main, dict(CACHE, images=[NGINX], image_platform="x"))
    assert failed and "image_platform: invalid platform 'x'" in result["msg"], result


def test_the_digest_record_and_pinned_digests_need_no_registry_code(no_registry_code):
    current = image_digests.read_current([PINNED, NGINX], known={NGINX: NGINX_DIGEST})
    assert current["record"] == record_of(PINNED, "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25@" + NGINX_DIGEST)
    assert [entry["digest"] for entry in current["digests"]] == ["sha256:" + "b" * 64, NGINX_DIGEST]
    assert image_digests.default_platform() == "linux/amd64"
    assert image_digests.record_line("nginx", NGINX_DIGEST) == "docker.io/library/nginx:latest@" + NGINX_DIGEST


def test_a_run_that_reads_a_registry_loads_it(monkeypatch):
    """The other side: the registry code is there when a registry is read (a size read of a registry that refuses)."""
    import importlib
    package = importlib.import_module(PACKAGE)
    monkeypatch.delattr(package, "registry", raising=False)
    monkeypatch.delitem(sys.modules, REGISTRY, raising=False)
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    reports, _total, unmeasured = image_reads.measure_images(["127.0.0.1:9/app:1"], plain_http_registries=["127.0.0.1:9"],
                                                             connect_timeout=1, read_timeout=1, retries=0)
    assert unmeasured == ["127.0.0.1:9/app:1"] and reports[0]["error"]["kind"] == "unreachable", reports
    assert REGISTRY in sys.modules


def test_judging_sizes_needs_no_registry_code(no_registry_code):
    """The size rule is arithmetic (size_plan.py): measured reports are judged, and auto picks a size, without registry.py
    (a run whose every read was cut by the deadline reads nothing and still judges); a listing of caches without images
    measures nothing."""
    plan = size_plan.plan_sizes([dict(image=NGINX, compressed_size=15 * size_plan.GIB)])
    assert size_plan.auto_size(plan, None) == 30 and size_plan.required_cache_size_gib(0) == 20
    assert size_plan.size_verdict(20, plan, "fail")["level"] == "fail"
    needs = image_cache_usage.measure_needs([dict(image_cache_id="imc-1", images=[])], dict(connect_timeout=1, read_timeout=1),
                                            None, None, None)
    assert needs == [dict(image_cache_id="imc-1", images=[], images_size_gib=None, needed_size_gib=None)]
