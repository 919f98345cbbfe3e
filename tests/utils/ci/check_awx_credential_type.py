#!/usr/bin/env python
"""Compare the AWX credential type's injected variables with those the modules read.

The variables the modules read are found by parsing plugins/module_utils/*.py: the
string keys of every `env.get("...")`, `os.environ.get("...")` and `os.environ["..."]`,
and every `"env": "..."` entry (the endpoint variables of client.SERVICES). The
credential type is docs/awx/credential_type.yml. Both sides must be equal, except the
variables in NOT_INJECTED, each for a stated reason; an exclusion the modules no longer
read is an error too. Every injector must reference an input field, and the secrets
(keys, token) must be `secret: true`.
"""

from __future__ import annotations

import argparse
import ast
import glob
import os
import re
import sys

import yaml

CREDENTIAL_TYPE = os.path.join('docs', 'awx', 'credential_type.yml')
NAME = re.compile(r'^[A-Z][A-Z0-9_]*$')

# Read by the modules but deliberately not injected by the credential type.
NOT_INJECTED = {
    'ALICLOUD_PROFILE': 'a profile names an entry of ~/.aliyun/config.json, a file an execution environment '
                        'does not have; AWX injects the keys themselves',
    'ALIBABA_CLOUD_REGION_ID': 'a fallback of ALICLOUD_REGION, which the credential type injects',
    'ALICLOUD_ECI_LOCK_DIR': 'not a credential: a directory shared by the job containers, set with the volume that '
                             'provides it (AWX: Paths to expose to isolated jobs and Extra Environment Variables)',
    'HOME': 'set by the system; the host lock falls back to ~/.ansible/tmp',
    'XDG_RUNTIME_DIR': 'set by the login session; the host lock uses it when the temporary directory is taken',
    'ALIBABA_CLOUD_PROFILE': 'the official credentials chain\'s profile name, an entry of ~/.aliyun/config.json, a '
                             'file an execution environment does not have; AWX injects the keys themselves',
}
SECRET_INPUTS = ('secret_key', 'security_token')


def _string(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_env(node):
    """`env`, `os.environ` or `environ`."""
    if isinstance(node, ast.Name):
        return node.id in ('env', 'environ')
    return isinstance(node, ast.Attribute) and node.attr == 'environ'


def _constants(tree):
    """Module-level NAME = "TEXT" assignments, so `env.get(LOCK_DIR_ENV)` counts as reading its value."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if _string(node.value):
                found[node.targets[0].id] = _string(node.value)
    return found


def _name_of(node, constants):
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return _string(node)


def variables_read(paths):
    """Environment variable names the module_utils read."""
    found = {}
    for path in paths:
        with open(path, encoding='utf-8') as handle:
            tree = ast.parse(handle.read(), path)
        constants = _constants(tree)
        for node in ast.walk(tree):
            name = None
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ('get', 'getenv')
                    and (_is_env(node.func.value) or (isinstance(node.func.value, ast.Name) and node.func.value.id == 'os'))
                    and node.args):
                name = _name_of(node.args[0], constants)
            elif isinstance(node, ast.Subscript) and _is_env(node.value):
                name = _name_of(node.slice, constants)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if key is not None and _string(key) == 'env' and _string(value):
                        found.setdefault(_string(value), path)
            if name and NAME.match(name):
                found.setdefault(name, path)
    return found


def main():
    """Exit 1 listing every difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', default='.', help='collection root (default: the current directory)')
    args = parser.parse_args()
    read = variables_read(sorted(glob.glob(os.path.join(args.root, 'plugins', 'module_utils', '*.py'))))
    with open(os.path.join(args.root, CREDENTIAL_TYPE), encoding='utf-8') as handle:
        credential_type = yaml.safe_load(handle)
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    injected = credential_type['injectors']['env']

    problems = []
    if not read:
        problems.append('found no environment variables read in plugins/module_utils: the parser is broken')
    expected = set(read) - set(NOT_INJECTED)
    for name in sorted(expected - set(injected)):
        problems.append('%s is read by %s but not injected by %s' % (name, read[name], CREDENTIAL_TYPE))
    for name in sorted(set(injected) - expected):
        why = ' (%s)' % NOT_INJECTED[name] if name in NOT_INJECTED else ''
        problems.append('%s is injected by %s but the modules do not read it%s' % (name, CREDENTIAL_TYPE, why))
    for name in sorted(set(NOT_INJECTED) - set(read)):
        problems.append('NOT_INJECTED lists %s, which the modules no longer read: remove it' % name)
    for name, template in sorted(injected.items()):
        refs = re.findall(r'{{\s*(\w+)\s*}}', str(template))
        if not refs or any(ref not in fields for ref in refs):
            problems.append('injector %s: %r does not reference an input field' % (name, template))
    for field in SECRET_INPUTS:
        if not fields.get(field, {}).get('secret'):
            problems.append('input %s must be secret: true' % field)
    for field in fields:
        if not any(re.search(r'{{\s*%s\s*}}' % field, str(t)) for t in injected.values()):
            problems.append('input %s is injected nowhere' % field)

    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    print('AWX credential type injects %s; the modules also read %s (not injected: %s)' % (
        ', '.join(sorted(injected)), ', '.join(sorted(NOT_INJECTED)),
        '; '.join('%s: %s' % item for item in sorted(NOT_INJECTED.items()))))


if __name__ == '__main__':
    main()
