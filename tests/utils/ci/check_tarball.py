#!/usr/bin/env python
"""Check the file list of the collection tarball built by `ansible-galaxy collection build`.

Fails if it holds build output, virtual environments, caches, test output or VCS data,
or if it lacks a file that users need (manifests, plugins, the role, meta, requirements,
docs). With --root (a git checkout), also fails for every file git does not track there
(an untracked .env, vault password or cloud config that would ship). Prints the list of
the files it holds.
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
import tarfile

# Nothing of these may ship (matched against every path segment, or the whole path).
FORBIDDEN_SEGMENTS = ('build', '.venv', '.venv-*', 'venv', '__pycache__', '.pytest_cache', '.mypy_cache', '.tox',
                      '.cache', '.git', '.github', '.ci', 'output', '.molecule', '_build', 'node_modules')
FORBIDDEN_FILES = ('*.pyc', '*.pyo', '*.tar.gz', '*.whl', '*.egg-info', '.coverage', 'Makefile',
                   'integration_config.yml', '.plugin-cache.yaml', '*.swp', '.DS_Store')
REQUIRED = ('MANIFEST.json', 'FILES.json', 'README.md', 'COPYING', 'requirements.txt', 'bindep.txt',
            'meta/runtime.yml', 'meta/execution-environment.yml',
            'plugins/modules/eci_image_cache.py', 'plugins/modules/eci_image_cache_info.py',
            'plugins/modules/eci_network_info.py', 'plugins/module_utils/client.py',
            'plugins/doc_fragments/common.py', 'roles/image_cache/meta/argument_specs.yml',
            'roles/image_cache/tasks/main.yml', 'playbooks/demo.yml', 'playbooks/fleet_image_cache.yml',
            'docs/docsite/links.yml', 'docs/docsite/extra-docs.yml', 'docs/awx/credential_type.yml',
            'changelogs/config.yaml', 'changelogs/changelog.yaml', 'CHANGELOG.md')


# Files ansible-galaxy writes into the tarball itself.
GENERATED = ('MANIFEST.json', 'FILES.json')


def tracked_files(root):
    """The paths git tracks in root; SystemExit when root is no git checkout."""
    try:
        output = subprocess.run(['git', 'ls-files', '-z', '--cached'], cwd=root, check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        sys.exit('FAIL cannot list the tracked files of %s with git: %s' % (root, error))
    return set(path for path in output.decode('utf-8').split('\0') if path)


def problems_of(names, tracked=None):
    """Problems with a list of member paths; tracked: the paths git tracks (None: not checked)."""
    problems = []
    if tracked is not None:
        for name in names:
            if name not in tracked and name not in GENERATED:
                problems.append('ships %s, which git does not track' % name)
    for name in names:
        segments = name.split('/')
        bad_dirs = [s for s in segments[:-1] if any(fnmatch.fnmatch(s, pattern) for pattern in FORBIDDEN_SEGMENTS)]
        bad_file = any(fnmatch.fnmatch(segments[-1], pattern) for pattern in FORBIDDEN_FILES)
        if bad_dirs or bad_file:
            problems.append('ships %s' % name)
    for name in REQUIRED:
        if name not in names:
            problems.append('lacks %s' % name)
    return problems


def main():
    """Exit 1 listing every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('tarball')
    parser.add_argument('--quiet', action='store_true', help='do not print the file list')
    parser.add_argument('--root', help='the git checkout the tarball was built from: fail for any file it does not track')
    args = parser.parse_args()
    with tarfile.open(args.tarball) as tar:
        members = tar.getmembers()
    names = sorted(m.name[2:] if m.name.startswith('./') else m.name for m in members if m.isfile())
    if not args.quiet:
        for name in names:
            print('  ' + name)
    problems = problems_of(names, tracked_files(args.root) if args.root else None)
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    size = sum(m.size for m in members)
    print('%s: %d files, %d KiB unpacked, no build output, venvs or caches%s' % (
        args.tarball, len(names), size // 1024, ', only tracked files' if args.root else ''))


if __name__ == '__main__':
    main()
