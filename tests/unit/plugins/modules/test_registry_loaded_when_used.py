# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The registry code (module_utils/registry.py: HTTP, TLS, proxies) is loaded only by a run that reads a registry
(issue 24): importing the modules and filters does not load it, and runs that read no registry never import it."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_reads
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache_info

ROOT = pathlib.Path(__file__).resolve().parents[4]  # the collection root: ansible_collections/alibabacloud/eci
PACKAGE = "ansible_collections.alibabacloud.eci.plugins.module_utils"
REGISTRY = f"{PACKAGE}.registry"
BASE = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")


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


@pytest.fixture
def no_registry_code(monkeypatch):
    """Any import of registry.py from now on raises ImportError."""
    import importlib
    package = importlib.import_module(PACKAGE)
    monkeypatch.delattr(package, "registry", raising=False)
    monkeypatch.setitem(sys.modules, REGISTRY, None)


def test_the_guard_works_a_registry_read_cannot_import_it(no_registry_code):
    with pytest.raises(ImportError):
        image_reads.measure_images(["nginx:1.25"])


def test_listing_without_check_stale_does_not_load_it(run_module, monkeypatch, no_registry_code):
    monkeypatch.setattr(eci_image_cache_info, "describe_image_caches",
                        lambda connection, **filters: [dict(image_cache_id="imc-1", image_cache_name="web", status="Ready")])
    result, failed = run_module(eci_image_cache_info.main, BASE)
    assert not failed and [c["image_cache_id"] for c in result["image_caches"]] == ["imc-1"], result
