# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin imports nothing from plugins/, so that it judges the modules instead of sharing their mistakes."""

from __future__ import annotations

import ast
import pathlib

TWIN = pathlib.Path(__file__).resolve().parents[2] / 'emulator'


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module or ''


def test_the_twin_imports_nothing_from_plugins():
    files = sorted(TWIN.glob('*.py'))
    assert len(files) > 10
    offending = ['%s: %s' % (path.name, name) for path in files for name in _imports(path)
                 if 'plugins' in name.split('.') or name.startswith('ansible_collections')]
    assert offending == []
