#!/usr/bin/env python
"""Check the example execution environment: it builds without Galaxy.

1. `ansible-builder introspect` over a collections folder holding the collection must find,
   through meta/execution-environment.yml, every requirement of requirements.txt and bindep.txt.
2. `ansible-builder create` on docs/execution-environment/execution-environment.yml must write a
   build context whose _build/ holds the collection tarball (additional_build_files) under the
   name _build/requirements.yml installs, with the version of galaxy.yml.
3. The galaxy stage's `ansible-galaxy` commands, read from the generated Containerfile, are run
   as the image build would run them (in a copy of _build/, with the ARG defaults), but into a
   temporary folder and with every Galaxy server unreachable: the collection must install, at
   the version of galaxy.yml. The final stage's `ansible-doc` steps then run against it.
Run from the collection root after `make build`; no container engine is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

EXAMPLE = os.path.join('docs', 'execution-environment', 'execution-environment.yml')
# Where the image build puts content (the galaxy stage's paths); replaced by a temporary folder.
IMAGE_ANSIBLE_DIR = '/usr/share/ansible'
# A Galaxy server nobody answers on: any attempt to reach Galaxy fails at once.
NO_GALAXY = 'http://127.0.0.1:9/'


def requirement_lines(path):
    """Non-comment lines of a requirements or bindep file, without trailing comments."""
    with open(path, encoding='utf-8') as handle:
        lines = (line.split('#', 1)[0].strip() for line in handle)
        return [line for line in lines if line]


def missing(wanted, have):
    """Wanted lines not present in have (compared without spaces)."""
    normal = {line.replace(' ', '') for line in have}
    return [line for line in wanted if line.replace(' ', '') not in normal]


def galaxy_version(root):
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        return str(yaml.safe_load(handle)['version'])


def containerfile_stages(path):
    """({ARG: default}, {stage name: [RUN commands]}) of a Containerfile."""
    args, stages, stage = {}, {}, None
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            line = line.strip()
            match = re.match(r'ARG (\w+)=(.*)$', line)
            if match and stage is None:
                args[match.group(1)] = shlex.split(match.group(2))[0] if match.group(2) else ''
            match = re.match(r'FROM \S+ AS (\w+)$', line, re.IGNORECASE)
            if match:
                stage = match.group(1)
                stages[stage] = []
            elif stage and line.startswith('RUN '):
                stages[stage].append(line[4:])
    return args, stages


def check_introspection(builder, collections_dir, python_reqs, system_reqs):
    problems = []
    introspect = subprocess.run([builder, 'introspect', '--sanitize', collections_dir],
                                capture_output=True, text=True, check=False)
    if introspect.returncode != 0:
        return ['ansible-builder introspect failed: %s' % introspect.stderr.strip()]
    found = yaml.safe_load(introspect.stdout) or {}
    for kind, wanted in (('python', python_reqs), ('system', system_reqs)):
        lost = missing(wanted, [line.split('#', 1)[0].strip() for line in found.get(kind) or []])
        if lost:
            problems.append('introspect did not find these %s requirements of the collection: %s' % (kind, ', '.join(lost)))
    return problems


def check_context(build, version):
    """Problems of the context's requirements.yml and tarball; the tarball's path relative to _build."""
    galaxy_path = os.path.join(build, 'requirements.yml')
    if not os.path.exists(galaxy_path):
        return ['the build context has no _build/requirements.yml'], None
    with open(galaxy_path, encoding='utf-8') as handle:
        collections = (yaml.safe_load(handle) or {}).get('collections') or []
    files = [c['name'] for c in collections if isinstance(c, dict) and c.get('type') == 'file']
    if len(files) != 1:
        return ['_build/requirements.yml should install the collection from one tarball (type: file), '
                'it lists %s' % collections], None
    tarball = files[0]
    problems = []
    if os.path.basename(tarball) != 'alibabacloud-eci-%s.tar.gz' % version:
        problems.append('_build/requirements.yml installs %s, but galaxy.yml says version %s: update '
                        'docs/execution-environment/requirements.yml' % (tarball, version))
    if not os.path.isfile(os.path.join(build, tarball)):
        problems.append('the build context lacks _build/%s (run `make build` first: additional_build_files '
                        'copies build/alibabacloud-eci-*.tar.gz)' % tarball)
    return problems, tarball


def run_galaxy_stage(context, args, stages, version):
    """Run the galaxy stage's ansible-galaxy commands offline into a temporary folder."""
    commands = [c for c in stages.get('galaxy', []) if 'ansible-galaxy' in c]
    if not any('collection install' in c for c in commands):
        return ['the Containerfile has no `ansible-galaxy collection install` in its galaxy stage']
    problems = []
    with tempfile.TemporaryDirectory(prefix='ee-galaxy-') as tmp:
        workdir = os.path.join(tmp, 'build')
        shutil.copytree(os.path.join(context, '_build'), workdir)  # COPY _build /build; WORKDIR /build
        target = os.path.join(tmp, 'ansible')
        # ansible-galaxy of the interpreter running this check (the venv's), as in the image's base stage.
        env = dict(os.environ, ANSIBLE_GALAXY_SERVER=NO_GALAXY, ANSIBLE_HOME=os.path.join(tmp, 'home'),
                   PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get('PATH', '')]))
        for command in commands:
            # The ARG defaults, as `podman build` without --build-arg would use them.
            for name, value in args.items():
                command = command.replace('$' + name, value)
            command = command.replace(IMAGE_ANSIBLE_DIR, target)
            print('ee-test: galaxy stage: %s' % command)
            result = subprocess.run(command, shell=True, cwd=workdir, env=env, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                problems.append('galaxy stage command failed (%d): %s\n%s%s' % (
                    result.returncode, command, result.stdout, result.stderr))
        manifest = os.path.join(target, 'collections', 'ansible_collections', 'alibabacloud', 'eci', 'MANIFEST.json')
        if not os.path.exists(manifest):
            problems.append('the galaxy stage did not install alibabacloud.eci under %s/collections' % IMAGE_ANSIBLE_DIR)
            return problems
        with open(manifest, encoding='utf-8') as handle:
            installed = json.load(handle)['collection_info']['version']
        if installed != version:
            problems.append('the galaxy stage installed alibabacloud.eci %s, galaxy.yml says %s' % (installed, version))
        # The final stage's checks (append_final), against what the galaxy stage installed.
        env['ANSIBLE_COLLECTIONS_PATH'] = os.path.join(target, 'collections')
        for command in (c for c in stages.get('final', []) if c.startswith('ansible-doc ')):
            result = subprocess.run(command, shell=True, env=env, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                problems.append('final stage command failed: %s\n%s' % (command, result.stderr))
    return problems


def main():
    """Exit 1 listing every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ansible-builder', default='ansible-builder', help='ansible-builder executable')
    parser.add_argument('--context', required=True, help='where ansible-builder create writes the build context')
    parser.add_argument('--collections-dir', required=True,
                        help='folder holding ansible_collections/alibabacloud/eci, for ansible-builder introspect')
    args = parser.parse_args()
    root = os.getcwd()
    version = galaxy_version(root)
    python_reqs = requirement_lines(os.path.join(root, 'requirements.txt'))
    system_reqs = requirement_lines(os.path.join(root, 'bindep.txt'))
    problems = []
    tarball = None

    with open(os.path.join(root, 'meta', 'execution-environment.yml'), encoding='utf-8') as handle:
        meta = yaml.safe_load(handle)
    if (meta.get('dependencies') or {}).get('python') != 'requirements.txt':
        problems.append('meta/execution-environment.yml: dependencies.python is not requirements.txt')
    if (meta.get('dependencies') or {}).get('system') != 'bindep.txt':
        problems.append('meta/execution-environment.yml: dependencies.system is not bindep.txt')
    problems += check_introspection(args.ansible_builder, args.collections_dir, python_reqs, system_reqs)

    shutil.rmtree(args.context, ignore_errors=True)
    create = subprocess.run([args.ansible_builder, 'create', '-f', EXAMPLE, '--context', args.context],
                            capture_output=True, text=True, check=False)
    print(create.stdout.strip())
    containerfile = next((os.path.join(args.context, name) for name in ('Containerfile', 'Dockerfile')
                          if os.path.exists(os.path.join(args.context, name))), None)
    if create.returncode != 0:
        problems.append('ansible-builder create failed: %s %s' % (create.stdout.strip(), create.stderr.strip()))
    elif not containerfile:
        problems.append('no Containerfile or Dockerfile in %s' % args.context)
    else:
        context_problems, tarball = check_context(os.path.join(args.context, '_build'), version)
        problems += context_problems
        if not context_problems:
            problems += run_galaxy_stage(args.context, *containerfile_stages(containerfile), version)

    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    print('execution environment: introspection finds the collection\'s %d Python and %d system requirements; '
          'the build context %s holds _build/%s, and its galaxy stage installs alibabacloud.eci %s offline'
          % (len(python_reqs), len(system_reqs), args.context, tarball, version))


if __name__ == '__main__':
    main()
