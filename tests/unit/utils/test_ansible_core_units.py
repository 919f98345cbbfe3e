# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/utils/ansible_core_units.py: which unit test files the ansible-core matrix runs (MATRIX_UNITS)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCRIPT = ROOT / 'tests' / 'utils' / 'ansible_core_units.py'
PACKAGE = 'ansible_collections.alibabacloud.eci'


def listed(*args, root=ROOT):
    run = subprocess.run([sys.executable, str(SCRIPT), '--root', str(root)] + list(args), stdout=subprocess.PIPE,
                         universal_newlines=True, check=True)
    return run.stdout.split()


def test_a_test_through_a_collection_module_or_a_conftest_depends_on_ansible_core(tmp_path):
    def write(relative, text):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    write('plugins/module_utils/pure.py', 'import json\n')
    write('plugins/module_utils/wrapped.py', 'from ansible.module_utils.basic import AnsibleModule\n')
    write('plugins/module_utils/via.py', f'from {PACKAGE}.plugins.module_utils import wrapped\n')
    write('tests/unit/plugins/a/test_pure.py', f'from {PACKAGE}.plugins.module_utils.pure import json\n')
    write('tests/unit/plugins/a/test_two_hops.py', f'from {PACKAGE}.plugins.module_utils import via\n')
    write('tests/unit/plugins/a/test_direct.py', 'import ansible.release\n')
    write('tests/unit/plugins/b/conftest.py', 'from ansible.errors import AnsibleError\n')
    write('tests/unit/plugins/b/test_under_conftest.py', 'import os\n')
    assert listed(root=tmp_path) == ['tests/unit/plugins/a/test_direct.py', 'tests/unit/plugins/a/test_two_hops.py',
                                     'tests/unit/plugins/b/test_under_conftest.py']
    assert listed('--pure', root=tmp_path) == ['tests/unit/plugins/a/test_pure.py']


def test_the_module_tests_run_on_every_version_and_the_registry_client_once():
    core, pure = listed(), listed('--pure')
    assert 'tests/unit/plugins/modules/test_eci_image_cache.py' in core
    assert 'tests/unit/roles/test_image_cache_argument_specs.py' in core
    assert 'tests/unit/plugins/module_utils/test_registry.py' in pure
    assert not set(core) & set(pure)


def test_the_files_called_pure_import_no_ansible_core_when_imported():
    """What the imports say, checked at run time: importing every pure file (and its conftests) loads no ansible.*."""
    modules = []
    for relative in listed('--pure'):
        path = pathlib.Path(relative)
        for parent in reversed(path.parents):
            if (ROOT / parent / 'conftest.py').is_file():
                modules.append('.'.join((PACKAGE,) + parent.parts + ('conftest',)))
        modules.append('.'.join((PACKAGE,) + path.with_suffix('').parts))
    assert len(modules) > 10, modules
    code = ('import importlib, json, sys\n'
            'sys.path[:0] = %r\n'
            'for name in %r: importlib.import_module(name)\n'
            'print(json.dumps(sorted(m for m in sys.modules if m == "ansible" or m.startswith("ansible."))))'
            % ([p for p in sys.path if p], list(dict.fromkeys(modules))))
    run = subprocess.run([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=False, cwd=str(ROOT))
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout) == []
