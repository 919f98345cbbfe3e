# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class ModuleExit(Exception):
    """exit_json or fail_json was called; .result holds what the module returned."""

    def __init__(self, result, failed):
        super().__init__(result)
        self.result = result
        self.failed = failed


@pytest.fixture
def run_module(monkeypatch):
    """Run a module's main() with the given args; returns (result, failed)."""

    warnings = []

    def exit_json(self, **kwargs):
        raise ModuleExit(dict(kwargs, warnings=list(warnings)), False)

    def fail_json(self, **kwargs):
        raise ModuleExit(dict(kwargs, warnings=list(warnings)), True)

    def warn(self, warning):
        warnings.append(warning)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", warn)

    def run(main, args):
        del warnings[:]
        try:
            from ansible.module_utils.testing import patch_module_args
        except ImportError:  # ansible-core < 2.19
            patch_module_args = None
        try:
            if patch_module_args is not None:
                with patch_module_args(args):
                    main()
            else:
                monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
                main()
        except ModuleExit as done:
            return done.result, done.failed
        raise AssertionError("the module returned without calling exit_json or fail_json")

    return run


@pytest.fixture(autouse=True)
def registry_digests(monkeypatch):
    """The digests registries resolve (stale caches, issue 18), without a network: {image: digest}; an image not
    listed cannot be read (unreachable). Reads are recorded in .reads. Module unit tests never reach a registry."""
    from ansible_collections.alibabacloud.eci.plugins.module_utils import image_digests

    class Registry(dict):
        def __init__(self):
            super().__init__()
            self.reads = []

        def resolve(self, images, platform=None, **options):
            self.reads.append((list(images), platform))
            return [dict(image=image, digest=self[image], pinned=False) if image in self else
                    dict(image=image, error=dict(kind="unreachable", message="image %s: unreachable" % image)) for image in images]

    registry = Registry()
    monkeypatch.setattr(image_digests, "resolve_digests", registry.resolve)
    return registry
