#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit test files whose outcome can depend on ansible-core (the matrix runs these on every version).

Usage: ansible_core_units.py [--pure] [--root DIR] [DIR ...]   (default DIR: tests/unit/plugins tests/unit/roles)

A test file depends on ansible-core when it, a conftest.py above it, or a module of this collection that any of them
imports (followed through the collection's imports) imports `ansible` or `ansible.*`. The others (pure Python, such as
the registry client and the image reference rules) cannot behave differently on another ansible-core: they run once,
in make units. Prints the paths, one per line, relative to --root; --pure prints the others instead.
"""

from __future__ import annotations

import argparse
import ast
import functools
import pathlib
import sys

PREFIX = 'ansible_collections.alibabacloud.eci.'


@functools.lru_cache(maxsize=None)
def imported(path: pathlib.Path) -> frozenset[str]:
    """Every module name an import statement of path names (`from a import b` gives a and a.b); each file is parsed
    once, though the walk of every test file passes through the same modules of the collection."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f'{node.module}.{alias.name}' for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return frozenset(names)


def collection_file(root: pathlib.Path, name: str) -> pathlib.Path | None:
    """The file of this collection a module name refers to, if any."""
    if not name.startswith(PREFIX):
        return None
    relative = name[len(PREFIX):].replace('.', '/')
    for candidate in (root / f'{relative}.py', root / relative / '__init__.py'):
        if candidate.is_file():
            return candidate
    return None


def reaches_ansible_core(root: pathlib.Path, path: pathlib.Path, seen: set[pathlib.Path]) -> bool:
    """Whether path, or a collection module it imports (transitively), imports ansible-core."""
    if path in seen:
        return False
    seen.add(path)
    for name in imported(path):
        if name == 'ansible' or name.startswith('ansible.'):
            return True
        target = collection_file(root, name)
        if target is not None and reaches_ansible_core(root, target, seen):
            return True
    return False


def depends_on_ansible_core(root: pathlib.Path, test_file: pathlib.Path) -> bool:
    """Whether the test file or a conftest.py between it and root reaches ansible-core."""
    conftests = [parent / 'conftest.py' for parent in test_file.parents if root in parent.parents or parent == root]
    return any(reaches_ansible_core(root, path, set()) for path in [test_file] + [c for c in conftests if c.is_file()])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', default='.', help='the collection root (default: .)')
    parser.add_argument('--pure', action='store_true', help='print the files that do not depend on ansible-core')
    parser.add_argument('dirs', nargs='*', default=['tests/unit/plugins', 'tests/unit/roles'])
    args = parser.parse_args(argv)
    root = pathlib.Path(args.root).resolve()
    for directory in args.dirs:
        for test_file in sorted((root / directory).rglob('test_*.py')):
            if depends_on_ansible_core(root, test_file) != args.pure:
                print(test_file.relative_to(root))
    return 0


if __name__ == '__main__':
    sys.exit(main())
