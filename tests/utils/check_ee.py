#!/usr/bin/env python
"""Check the execution environment files: ansible-builder create and introspect.

1. `ansible-builder introspect` over the collection tree (the folder holding
   ansible_collections/) must find, through meta/execution-environment.yml, every
   requirement of requirements.txt and bindep.txt.
2. `ansible-builder create` on the example docs/execution-environment/execution-environment.yml
   must write a build context (Containerfile or Dockerfile) whose _build/requirements.txt
   holds every Python requirement of the collection, whose _build/bindep.txt holds its
   system packages and whose _build/requirements.yml installs alibabacloud.eci.
Run from the collection root (make ee-test); no container engine is needed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import yaml

EXAMPLE = os.path.join('docs', 'execution-environment', 'execution-environment.yml')


def requirement_lines(path):
    """Non-comment lines of a requirements or bindep file, without trailing comments."""
    with open(path, encoding='utf-8') as handle:
        lines = (line.split('#', 1)[0].strip() for line in handle)
        return [line for line in lines if line]


def missing(wanted, have):
    """Wanted lines not present in have (compared without spaces)."""
    normal = {line.replace(' ', '') for line in have}
    return [line for line in wanted if line.replace(' ', '') not in normal]


def main():
    """Exit 1 listing every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ansible-builder', default='ansible-builder', help='ansible-builder executable')
    parser.add_argument('--context', required=True, help='where ansible-builder create writes the build context')
    args = parser.parse_args()
    root = os.getcwd()
    python_reqs = requirement_lines(os.path.join(root, 'requirements.txt'))
    system_reqs = requirement_lines(os.path.join(root, 'bindep.txt'))
    problems = []

    with open(os.path.join(root, 'meta', 'execution-environment.yml'), encoding='utf-8') as handle:
        meta = yaml.safe_load(handle)
    if (meta.get('dependencies') or {}).get('python') != 'requirements.txt':
        problems.append('meta/execution-environment.yml: dependencies.python is not requirements.txt')
    if (meta.get('dependencies') or {}).get('system') != 'bindep.txt':
        problems.append('meta/execution-environment.yml: dependencies.system is not bindep.txt')

    # The tree is <build>/ansible_collections/<namespace>/<name>: introspect its <build>.
    collections_dir = os.path.dirname(os.path.dirname(os.path.dirname(root)))
    introspect = subprocess.run([args.ansible_builder, 'introspect', '--sanitize', collections_dir],
                                capture_output=True, text=True, check=False)
    if introspect.returncode != 0:
        problems.append('ansible-builder introspect failed: %s' % introspect.stderr.strip())
    else:
        found = yaml.safe_load(introspect.stdout) or {}
        for kind, wanted in (('python', python_reqs), ('system', system_reqs)):
            lost = missing(wanted, [line.split('#', 1)[0].strip() for line in found.get(kind) or []])
            if lost:
                problems.append('introspect did not find these %s requirements of the collection: %s' % (kind, ', '.join(lost)))

    create = subprocess.run([args.ansible_builder, 'create', '-f', EXAMPLE, '--context', args.context],
                            capture_output=True, text=True, check=False)
    print(create.stdout.strip())
    if create.returncode != 0:
        problems.append('ansible-builder create failed: %s %s' % (create.stdout.strip(), create.stderr.strip()))
    else:
        build = os.path.join(args.context, '_build')
        if not any(os.path.exists(os.path.join(args.context, name)) for name in ('Containerfile', 'Dockerfile')):
            problems.append('no Containerfile or Dockerfile in %s' % args.context)
        for name, wanted in (('requirements.txt', python_reqs), ('bindep.txt', system_reqs)):
            path = os.path.join(build, name)
            if not os.path.exists(path):
                problems.append('the build context has no _build/%s' % name)
                continue
            lost = missing(wanted, requirement_lines(path))
            if lost:
                problems.append('_build/%s lacks: %s' % (name, ', '.join(lost)))
        galaxy_path = os.path.join(build, 'requirements.yml')
        if not os.path.exists(galaxy_path):
            problems.append('the build context has no _build/requirements.yml')
        else:
            with open(galaxy_path, encoding='utf-8') as handle:
                galaxy = yaml.safe_load(handle) or {}
            names = [c.get('name') if isinstance(c, dict) else c for c in galaxy.get('collections') or []]
            if 'alibabacloud.eci' not in names:
                problems.append('_build/requirements.yml does not install alibabacloud.eci: %s' % names)

    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    print('execution environment: introspection finds the collection\'s %d Python and %d system requirements; '
          'the build context in %s holds them' % (len(python_reqs), len(system_reqs), args.context))


if __name__ == '__main__':
    main()
