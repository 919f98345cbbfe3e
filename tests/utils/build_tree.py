#!/usr/bin/env python
"""Copy the checkout into build/ansible_collections/<namespace>/<name>/ for ansible-test.

Only files git knows about (tracked, or untracked but not ignored) are copied, so
.venv/, build/, tests/output/ and other ignored files never reach the tree. The tree
gets a git repository of its own (see main()) and is deleted first, so files removed from the checkout do not linger there.
Without git (e.g. an unpacked source tarball) every file is copied except the
usual generated folders.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

SKIP_WITHOUT_GIT = {'.git', '.venv', 'build', 'tests/output', '.pytest_cache', '__pycache__'}


def read_galaxy(root):
    """Return (namespace, name) from galaxy.yml without needing PyYAML."""
    values = {}
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        for line in handle:
            key, sep, value = line.partition(':')
            if sep and key in ('namespace', 'name'):
                values[key] = value.split('#')[0].strip().strip('\'"')
    return values['namespace'], values['name']


def list_files(root, tracked_only=False):
    """Return the relative paths to copy: tracked files, and (unless tracked_only) untracked files that are not ignored."""
    command = ['git', 'ls-files', '-z', '--cached'] + ([] if tracked_only else ['--others', '--exclude-standard'])
    try:
        output = subprocess.run(command, cwd=root, check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        if tracked_only:
            sys.exit('--tracked-only needs a git checkout (git ls-files failed in %s)' % root)
        return list_files_without_git(root)
    paths = sorted({path for path in output.decode('utf-8').split('\0') if path})
    # --cached lists files deleted in the working tree but not yet committed: skip them.
    return [path for path in paths if os.path.lexists(os.path.join(root, path))]


def list_files_without_git(root):
    """Walk the directory, skipping generated folders."""
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = '' if rel_dir == '.' else rel_dir
        dirnames[:] = [d for d in dirnames if os.path.join(rel_dir, d) not in SKIP_WITHOUT_GIT and d not in SKIP_WITHOUT_GIT]
        paths.extend(os.path.join(rel_dir, f) for f in filenames if not f.endswith('.pyc'))
    return sorted(paths)


def main():
    """Build the tree and print its path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        help='collection root (default: the checkout holding this script)')
    parser.add_argument('--build-dir', help='where ansible_collections/ is created (default: ROOT/build)')
    parser.add_argument('--tracked-only', action='store_true',
                        help='copy only the files git tracks (make build: an untracked .env or vault password never ships)')
    args = parser.parse_args()

    root = os.path.abspath(args.root)
    build_dir = os.path.abspath(args.build_dir or os.path.join(root, 'build'))
    namespace, name = read_galaxy(root)
    tree = os.path.join(build_dir, 'ansible_collections', namespace, name)

    if os.path.commonpath([tree, root]) == tree:
        sys.exit('refusing to build the tree over the checkout itself: %s' % tree)

    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    count = 0
    for rel in list_files(root, args.tracked_only):
        if rel.split(os.sep)[0] in ('build', '.venv'):
            continue
        src = os.path.join(root, rel)
        if os.path.isdir(src) and not os.path.islink(src):
            continue  # a nested git repository reported by ls-files --others
        dst = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
        count += 1
    # ansible-test lists content with git from the nearest .git upwards. Without a
    # repository of its own the tree would be seen through the checkout's repository,
    # where build/ is ignored, and every test would be skipped.
    try:
        subprocess.run(['git', 'init', '--quiet', tree], check=True)
    except (OSError, subprocess.CalledProcessError) as ex:
        print('warning: git init in %s failed (%s); ansible-test may skip every target' % (tree, ex), file=sys.stderr)
    print('collection tree: %s (%d files)' % (tree, count))


if __name__ == '__main__':
    main()
