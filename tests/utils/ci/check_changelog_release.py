#!/usr/bin/env python
"""Check the committed release notes, and that the pending fragments would join them.

The release of galaxy.yml's version is cut in the repository with `make release-notes`
(antsibull-changelog release --version <version> --update-existing), which writes
changelogs/changelog.yaml and CHANGELOG.md and consumes changelogs/fragments/*.yml. This check:

1. changelogs/changelog.yaml passes `antsibull-changelog lint-changelog-yaml` and holds a release
   of galaxy.yml's version;
2. every module and plugin of plugins/, every role of roles/ and every playbook of playbooks/ is
   listed as new in some release;
3. CHANGELOG.md is exactly what `antsibull-changelog generate` writes from changelog.yaml;
4. the fragments still in changelogs/fragments/ (added after the cut) pass `antsibull-changelog lint`,
   and in a copy of the collection the release command consumes them all and puts every one of their
   entries into CHANGELOG.md under that version.
The checkout is not changed. Run from the collection root with antsibull-changelog on PATH.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

import yaml

COPIED = ('galaxy.yml', 'CHANGELOG.md', 'changelogs', 'plugins', 'roles', 'meta', 'playbooks')
PLUGIN_TYPES_SKIPPED = ('module_utils', 'doc_fragments')


def release_command(version):
    """The command `make release-notes` runs."""
    return ['antsibull-changelog', 'release', '--version', version, '--update-existing']


def run(cmd, cwd):
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError('%s failed (%d): %s%s' % (' '.join(cmd), result.returncode, result.stdout, result.stderr))
    return result.stdout


def copy_collection(root, dest):
    """Copy the files of COPIED that git knows about (tracked or new) into dest, a repository of its own."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', *COPIED],
                            cwd=root, capture_output=True, check=False)
    paths = [p for p in listed.stdout.decode().split('\0') if p] if listed.returncode == 0 else []
    if not paths:  # not a git checkout: everything of COPIED
        paths = [os.path.relpath(p, root) for name in COPIED for p in glob.glob(os.path.join(root, name, '**'), recursive=True)
                 if os.path.isfile(p)] + [n for n in COPIED if os.path.isfile(os.path.join(root, n))]
    for path in paths:
        if os.path.isfile(os.path.join(root, path)):
            os.makedirs(os.path.dirname(os.path.join(dest, path)) or dest, exist_ok=True)
            shutil.copy2(os.path.join(root, path), os.path.join(dest, path))
    # antsibull-changelog (vcs: auto) would otherwise see the copy through the checkout's repository.
    subprocess.run(['git', 'init', '--quiet', dest], check=True)


def entries_of(fragment_path):
    """The text entries of a fragment that appear in the notes (trivial ones do not)."""
    with open(fragment_path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle) or {}
    for section, value in data.items():
        if section == 'trivial' or section.startswith('add '):
            continue
        for text in [value] if isinstance(value, str) else value or []:
            if isinstance(text, str):
                yield text


def listed_objects(changelog):
    """{kind: set of names} of everything the releases list as new."""
    found = {}
    for release in (changelog.get('releases') or {}).values():
        for module in release.get('modules') or []:
            found.setdefault('module', set()).add(module['name'])
        for plugin_type, plugins in (release.get('plugins') or {}).items():
            found.setdefault(plugin_type, set()).update(p['name'] for p in plugins)
        for object_type, objects in (release.get('objects') or {}).items():
            found.setdefault(object_type, set()).update(o['name'] for o in objects)
    return found


def expected_objects(root):
    expected = {'module': {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, 'plugins', 'modules', '*.py'))
                           if not os.path.basename(p).startswith('_')}}
    for directory in glob.glob(os.path.join(root, 'plugins', '*', '')):
        plugin_type = os.path.basename(os.path.dirname(directory))
        if plugin_type in PLUGIN_TYPES_SKIPPED + ('modules',):
            continue
        names = {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(directory, '*.py')) if not os.path.basename(p).startswith('_')}
        if plugin_type == 'action':
            # An action plugin of a module's name runs that module's task: the module is the content announced.
            names -= expected['module']
        if names:
            expected[plugin_type] = names
    expected['role'] = {os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(root, 'roles', '*', ''))}
    expected['playbook'] = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(root, 'playbooks', '*.yml'))}
    return expected


def normal(text):
    """The words of a text, without markup (RST in fragments, escaped Markdown and HTML tags in the notes)."""
    return ' '.join(re.sub(r'[^A-Za-z0-9]+', ' ', re.sub(r'<[^>]+>', ' ', text)).split())


def main():
    """Exit 1 listing every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work', required=True, help='scratch folder for the copies (deleted first)')
    args = parser.parse_args()
    root = os.getcwd()
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        version = str(yaml.safe_load(handle)['version'])
    problems = []
    changelog_path = os.path.join(root, 'changelogs', 'changelog.yaml')
    if not os.path.exists(changelog_path):
        sys.exit('FAIL changelogs/changelog.yaml does not exist: cut the release with `make release-notes`')

    # 1. The committed release.
    try:
        run(['antsibull-changelog', 'lint-changelog-yaml', changelog_path], root)
    except RuntimeError as ex:
        problems.append(str(ex))
    with open(changelog_path, encoding='utf-8') as handle:
        changelog = yaml.safe_load(handle) or {}
    if version not in (changelog.get('releases') or {}):
        problems.append('changelogs/changelog.yaml has no release %s (galaxy.yml\'s version): run `make release-notes`'
                        % version)

    # 2. Everything the collection ships is announced.
    listed = listed_objects(changelog)
    for kind, names in sorted(expected_objects(root).items()):
        for name in sorted(names - listed.get(kind, set())):
            problems.append('%s %s is listed as new in no release of changelogs/changelog.yaml (modules and plugins are '
                            'found by the release; roles and playbooks need an "add object.%s" fragment entry)'
                            % (kind, name, kind))

    # 3. CHANGELOG.md is generated from changelog.yaml, not edited.
    generated = os.path.join(args.work, 'generate')
    copy_collection(root, generated)
    fragments = sorted(glob.glob(os.path.join(root, 'changelogs', 'fragments', '*.yml')))
    for path in glob.glob(os.path.join(generated, 'changelogs', 'fragments', '*.yml')):
        os.remove(path)  # generate does not read fragments; keep the copy to the committed release
    try:
        run(['antsibull-changelog', 'generate'], generated)
        with open(os.path.join(root, 'CHANGELOG.md'), encoding='utf-8') as mine, \
                open(os.path.join(generated, 'CHANGELOG.md'), encoding='utf-8') as theirs:
            if mine.read() != theirs.read():
                problems.append('CHANGELOG.md differs from what `antsibull-changelog generate` writes from '
                                'changelogs/changelog.yaml: run `make release-notes` and commit both (see %s)'
                                % os.path.join(generated, 'CHANGELOG.md'))
    except (RuntimeError, OSError) as ex:
        problems.append('CHANGELOG.md: %s' % ex)

    # 4. Fragments added after the cut join the release when `make release-notes` runs again.
    if fragments:
        released = os.path.join(args.work, 'release')
        copy_collection(root, released)
        try:
            run(['antsibull-changelog', 'lint'], released)
            run(release_command(version), released)
        except RuntimeError as ex:
            problems.append(str(ex))
        else:
            left = glob.glob(os.path.join(released, 'changelogs', 'fragments', '*.yml'))
            if left:
                problems.append('the release did not consume %s' % ', '.join(os.path.basename(p) for p in left))
            with open(os.path.join(released, 'CHANGELOG.md'), encoding='utf-8') as handle:
                # One chunk per release: the text after each `## v<version>` heading (escaped Markdown).
                chunks = re.split(r'^## ', handle.read(), flags=re.MULTILINE)[1:]
            section = next((normal(c) for c in chunks if normal(c.split('\n', 1)[0]) == normal('v' + version)), '')
            if not section:
                problems.append('the regenerated CHANGELOG.md has no section v%s' % version)
            for fragment in fragments:
                for text in entries_of(fragment):
                    if normal(text) not in section:
                        problems.append('%s: "%s" is not in the v%s notes after the release command'
                                        % (os.path.basename(fragment), ' '.join(text.split()[:8]), version))

    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    print('release notes: changelogs/changelog.yaml holds %s, announces every module, plugin, role and playbook, and '
          'CHANGELOG.md is generated from it; %d pending fragment(s) join %s with `%s`'
          % (version, len(fragments), version, ' '.join(release_command(version))))


if __name__ == '__main__':
    main()
