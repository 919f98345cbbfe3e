#!/usr/bin/env python
"""Check that the module_defaults group lists every module and that its test calls each one.

meta/runtime.yml action_groups.eci must list exactly the modules in plugins/modules/, and
the integration target module_defaults_group must call every module of the group (so that
the target proves `group/alibabacloud.eci.eci` reaches all of them).
"""

from __future__ import annotations

import argparse
import glob
import os
import sys

import yaml

COLLECTION = 'alibabacloud.eci'
GROUP = 'eci'
TARGET = os.path.join('tests', 'integration', 'targets', 'module_defaults_group')


def modules(root):
    """Module names in plugins/modules."""
    return {os.path.splitext(os.path.basename(path))[0]
            for path in glob.glob(os.path.join(root, 'plugins', 'modules', '*.py'))
            if not os.path.basename(path).startswith('_')}


def group(root):
    """Short names listed in the action group (FQCNs of this collection are shortened)."""
    with open(os.path.join(root, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle) or {}
    names = set()
    for entry in (runtime.get('action_groups') or {}).get(GROUP) or []:
        if isinstance(entry, dict):
            continue  # metadata (extend_group)
        names.add(entry[len(COLLECTION) + 1:] if entry.startswith(COLLECTION + '.') else entry)
    return names


def _walk(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith(COLLECTION + '.'):
                found.add(key[len(COLLECTION) + 1:])
            _walk(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found)


def called_in_target(root):
    """Modules the module_defaults_group target calls (FQCN task keys in its task files)."""
    found = set()
    for path in glob.glob(os.path.join(root, TARGET, 'tasks', '*.yml')):
        with open(path, encoding='utf-8') as handle:
            _walk(yaml.safe_load(handle), found)
    found.discard('image_cache')  # the role, not a module
    return found


def main():
    """Exit 1 with the differences, if any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', default='.', help='collection root (default: the current directory)')
    args = parser.parse_args()
    in_plugins, in_group, in_test = modules(args.root), group(args.root), called_in_target(args.root)
    problems = []
    if in_plugins - in_group:
        problems.append('modules missing from action_groups.%s in meta/runtime.yml: %s'
                        % (GROUP, ', '.join(sorted(in_plugins - in_group))))
    if in_group - in_plugins:
        problems.append('action_groups.%s lists modules that do not exist: %s' % (GROUP, ', '.join(sorted(in_group - in_plugins))))
    if in_group - in_test:
        problems.append('%s does not call: %s' % (TARGET, ', '.join(sorted(in_group - in_test))))
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    print('module_defaults group %s.%s lists all %d modules, and %s calls each: %s'
          % (COLLECTION, GROUP, len(in_plugins), TARGET, ', '.join(sorted(in_plugins))))


if __name__ == '__main__':
    main()
