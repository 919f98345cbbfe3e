#!/usr/bin/env python
"""Check the make targets the README names.

Without --alone: every `make <target>` of README.md and docs/docsite is a target of the Makefile
(`make -n <target>` knows it). Instant; `make docs` runs it.
With --alone T...: runs each target T on its own with an empty build folder (a fresh clone's state,
sharing only .venv), as a reader would after cloning, and reports which fail. Slow (each target
from scratch): `make targets-alone`.
Run from the checkout root.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

MAKE_RE = re.compile(r'`make ([a-z][a-z0-9-]*)')


def named_targets(root):
    guides = glob.glob(os.path.join(root, 'docs', 'docsite', '**', '*.rst'), recursive=True)
    texts = [os.path.join(root, 'README.md')] + sorted(guides)
    found = {}
    for path in texts:
        with open(path, encoding='utf-8') as handle:
            for target in MAKE_RE.findall(handle.read()):
                found.setdefault(target, os.path.relpath(path, root))
    return found


def main():
    """Exit 1 listing every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--alone', nargs='*', metavar='TARGET', help='run these targets, each alone from an empty build folder')
    args = parser.parse_args()
    root = os.getcwd()
    problems = []
    if args.alone is None:
        targets = named_targets(root)
        for target, where in sorted(targets.items()):
            known = subprocess.run(['make', '-n', '--no-print-directory', target], cwd=root, capture_output=True, text=True,
                                   check=False)
            if known.returncode != 0 and "No rule to make target '%s'." % target in known.stderr:
                problems.append('%s names `make %s`, which the Makefile does not have' % (where, target))
        summary = 'the %d make targets named by README.md and the guides exist: %s' % (len(targets), ', '.join(sorted(targets)))
    else:
        for target in args.alone:
            with tempfile.TemporaryDirectory(prefix='alone-') as tmp:
                start = time.monotonic()
                result = subprocess.run(['make', '--no-print-directory', target, 'BUILD=%s' % os.path.join(tmp, 'build')],
                                        cwd=root, capture_output=True, text=True, check=False)
                took = time.monotonic() - start
            print('targets-alone: make %s: %s in %.0fs' % (target, 'ok' if result.returncode == 0 else 'FAILED', took), flush=True)
            if result.returncode != 0:
                problems.append('make %s fails when run alone from an empty build folder:\n%s' % (
                    target, (result.stdout + result.stderr)[-3000:]))
        summary = 'each of %s works alone from an empty build folder' % ', '.join(args.alone)
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    print(summary)


if __name__ == '__main__':
    main()
