# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every pattern of plugins/, extensions/ and the twin that checks a whole string ends in \\Z or is used with fullmatch
(issue 23): '$' also matches before a final new line, so 'web\\n' passed a name check and the twin created it."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
FOLDERS = ("plugins", "extensions", "tests/emulator")


def _patterns_ending_in_dollar():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and getattr(node.func.value, "id", None) == "re" and node.func.attr in ("compile", "match", "search")
                        and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    pattern = node.args[0].value
                    if pattern.endswith("$") and not pattern.endswith("\\$"):
                        yield f"{path.relative_to(ROOT)}:{node.lineno}: {pattern!r}"


def test_no_pattern_ends_in_a_dollar():
    found = list(_patterns_ending_in_dollar())
    assert not found, "use \\Z or re.fullmatch (a '$' lets a trailing new line through):\n" + "\n".join(found)


def test_the_scan_sees_the_patterns():
    """The scan reads the tree: it finds the re calls of plugins/ (a scan that reads nothing would always pass)."""
    calls = sum(1 for path in (ROOT / "plugins").rglob("*.py") for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and getattr(node.func.value, "id", None) == "re" and node.func.attr == "compile")
    assert calls >= 10, calls
