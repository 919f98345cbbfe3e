#!/usr/bin/env python
"""Render every module, filter, lookup and role of the collection with ansible-doc; fail on any error.

Run from the collection root with the collection on ANSIBLE_COLLECTIONS_PATH. Each
plugins/modules/*.py is rendered as `ansible-doc alibabacloud.eci.<module>` and each
roles/<role>/ as `ansible-doc -t role alibabacloud.eci.<role>`; so is the JSON form
(`--json`), which must parse and carry the documentation. ansible-doc warnings count as
errors: a broken doc renders as an empty page with a warning and exit code 0.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys

COLLECTION = 'alibabacloud.eci'


def targets(root):
    """(plugin type, FQCN) for every module and role of the collection."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, 'plugins', 'modules', '*.py'))):
        name = os.path.splitext(os.path.basename(path))[0]
        if not name.startswith('_') and name != '__init__':
            found.append(('module', '%s.%s' % (COLLECTION, name)))
    for path in sorted(glob.glob(os.path.join(root, 'roles', '*', 'meta', 'argument_specs.yml'))):
        found.append(('role', '%s.%s' % (COLLECTION, path.split(os.sep)[-3])))
    return found


def listed_plugins(ansible_doc, plugin_type):
    """FQCNs ansible-doc lists for the collection (filters: one file may hold several)."""
    listing = subprocess.run([ansible_doc, '-t', plugin_type, '--json', '-l', COLLECTION],
                             capture_output=True, text=True, check=False)
    try:
        return [(plugin_type, name) for name in sorted(json.loads(listing.stdout or '{}'))]
    except ValueError:
        return [(plugin_type, 'listing of %s plugins failed: %s' % (plugin_type, listing.stderr.strip()))]


def own_stderr(stderr):
    """stderr without ansible-core's warnings about its own internal collection (ansible._protomatter, which
    `ansible-doc -t role` of ansible-core 2.21 lists and warns has no MANIFEST.json): not about this collection."""
    return ''.join(line for line in stderr.splitlines(keepends=True)
                   if not ('/ansible/_internal/ansible_collections/' in line and 'does not have a MANIFEST.json' in line))


def check(ansible_doc, plugin_type, fqcn):
    """Return a list of problems with one plugin's documentation."""
    problems = []
    base = [ansible_doc, '-t', plugin_type]
    text = subprocess.run(base + [fqcn], capture_output=True, text=True, check=False,
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1', PAGER='cat'))
    if text.returncode != 0:
        problems.append('exit code %d: %s' % (text.returncode, text.stderr.strip()))
    stderr = own_stderr(text.stderr)
    if 'WARNING' in stderr or 'ERROR' in stderr:
        problems.append('stderr: %s' % stderr.strip())
    if fqcn not in text.stdout and fqcn.split('.')[-1] not in text.stdout:
        problems.append('the rendered page does not name %s' % fqcn)
    raw = subprocess.run(base + ['--json', fqcn], capture_output=True, text=True, check=False)
    try:
        data = json.loads(raw.stdout)
    except ValueError as ex:
        return problems + ['--json output does not parse: %s' % ex]
    doc = (data.get(fqcn) or {}).get('doc') or {}
    if plugin_type in ('module', 'filter', 'lookup'):
        for key in ('short_description', 'description', 'positional' if plugin_type == 'filter' else 'options'):
            if key == 'positional' or doc.get(key):
                continue
            problems.append('--json: DOCUMENTATION has no %s' % key)
        if not (data.get(fqcn) or {}).get('examples'):
            problems.append('--json: no EXAMPLES')
        if plugin_type == 'module' and 'attributes' not in doc:
            problems.append('--json: DOCUMENTATION has no attributes (check_mode, diff_mode)')
    else:
        entry_points = (data.get(fqcn) or {}).get('entry_points') or {}
        if not entry_points.get('main', {}).get('options'):
            problems.append('--json: the role has no main entry point with options')
    return problems


def main():
    """Check every module and role; exit 1 if any fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ansible-doc', default='ansible-doc', help='ansible-doc executable')
    parser.add_argument('--root', default='.', help='collection root (default: the current directory)')
    args = parser.parse_args()
    failed = 0
    found = targets(args.root)
    for plugin_type in ('filter', 'lookup'):
        if glob.glob(os.path.join(args.root, 'plugins', plugin_type, '*.py')):
            found += listed_plugins(args.ansible_doc, plugin_type)
    if not found:
        sys.exit('no modules or roles found under %s' % os.path.abspath(args.root))
    for plugin_type, fqcn in found:
        problems = check(args.ansible_doc, plugin_type, fqcn)
        print('%s ansible-doc -t %s %s' % ('FAIL' if problems else 'ok  ', plugin_type, fqcn))
        for problem in problems:
            print('    ' + problem)
        failed += bool(problems)
    print('ansible-doc: %d of %d rendered cleanly' % (len(found) - failed, len(found)))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
