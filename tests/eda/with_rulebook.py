#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command with ansible-rulebook ready: its own venv and Java 17.

Usage: with_rulebook.py --venv DIR [--requirements FILE] -- CMD ARGS...

Finds Java 17 (JAVA_HOME when it is a Java 17, else /usr/lib/jvm/*17*), creates the venv DIR with this Python
and installs ansible-rulebook there (again only when FILE changed), then runs CMD with JAVA_HOME and
EDA_VENV=DIR set (ansible-rulebook is DIR/bin/ansible-rulebook; the playbooks it runs use ansible-playbook and
ansible-galaxy from PATH, so that ansible-core stays the project's). When Java 17 or ansible-rulebook cannot be had, it says what is
missing and exits 2 without running CMD.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import re
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'utils'))
from child_process import raise_keyboard_interrupt, run_child  # noqa: E402  pylint: disable=wrong-import-position

JAVA_MAJOR = 17
STOP_TIMEOUT = 5


class Missing(RuntimeError):
    """Something ansible-rulebook needs is not here; the message says what and how to get it."""


def java_major(java_home):
    """The major version of the Java in java_home, or None when there is none that runs."""
    java = os.path.join(java_home, 'bin', 'java')
    if not os.access(java, os.X_OK):
        return None
    try:
        result = subprocess.run([java, '-version'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(?:1\.)?(\d+)', result.stdout)
    return int(match.group(1)) if match else None


def find_java_home(environ=None):
    """A Java 17 home: JAVA_HOME if it is one, else the first of /usr/lib/jvm/*17*. Raises Missing."""
    environ = os.environ if environ is None else environ
    tried = []
    candidates = ([environ['JAVA_HOME']] if environ.get('JAVA_HOME') else []) + sorted(glob.glob(f'/usr/lib/jvm/*{JAVA_MAJOR}*'))
    for home in candidates:
        major = java_major(home)
        if major == JAVA_MAJOR:
            return os.path.realpath(home)
        tried.append(f'{home} ({"no java" if major is None else f"Java {major}"})')
    looked = ', '.join(tried) or f'JAVA_HOME is not set and there is no /usr/lib/jvm/*{JAVA_MAJOR}*'
    raise Missing(f'ansible-rulebook needs Java {JAVA_MAJOR} and none was found (tried: {looked}). Install it (Debian: '
                  f'apt-get install openjdk-{JAVA_MAJOR}-jre-headless) or set JAVA_HOME to a Java {JAVA_MAJOR}.')


def ensure_venv(venv, requirements):
    """Create venv with this Python and install requirements into it, unless its stamp says it is done."""
    with open(requirements, 'rb') as handle:
        wanted = hashlib.sha256(handle.read()).hexdigest()
    stamp = os.path.join(venv, '.installed')
    rulebook = os.path.join(venv, 'bin', 'ansible-rulebook')
    try:
        with open(stamp, encoding='utf-8') as handle:
            if handle.read().strip() == wanted and os.access(rulebook, os.X_OK):
                return
    except OSError:
        pass
    python = os.path.join(venv, 'bin', 'python')
    with open(requirements, encoding='utf-8') as handle:
        wanted_packages = ', '.join(line.split('#')[0].strip() for line in handle if line.split('#')[0].strip())
    steps = ([] if os.access(python, os.X_OK) else [
        ([sys.executable, '-m', 'venv', venv], f'{sys.executable} cannot make a venv (Debian: apt-get install python3-venv)')]) + [
        ([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', requirements],
         f'pip could not install {wanted_packages} ({requirements}) from its package index (PIP_INDEX_URL, pip.conf)')]
    for step, reason in steps:
        print(f'with_rulebook: {" ".join(step)}', file=sys.stderr, flush=True)
        result = subprocess.run(step, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        if result.returncode != 0:
            raise Missing(f'ansible-rulebook could not be installed into {venv}: {reason}; {" ".join(step)} exited '
                          f'{result.returncode}: {result.stdout[-1500:]}')
    if not os.access(rulebook, os.X_OK):
        raise Missing(f'ansible-rulebook is missing from {venv} after pip install -r {requirements}')
    with open(stamp, 'w', encoding='utf-8') as handle:
        handle.write(wanted + '\n')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--venv', required=True, help='the venv for ansible-rulebook (created when missing)')
    parser.add_argument('--requirements', default=os.path.join(HERE, 'requirements.txt'))
    parser.add_argument('command', nargs=argparse.REMAINDER, help='the command to run, after --')
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('no command given (put it after --)')
    venv = os.path.abspath(args.venv)
    try:
        java_home = find_java_home()
        ensure_venv(venv, args.requirements)
    except Missing as missing:
        print(f'with_rulebook: {missing}', file=sys.stderr)
        return 2
    print(f'with_rulebook: ansible-rulebook in {venv}, Java {JAVA_MAJOR} at {java_home}', file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        return run_child(command, dict(os.environ, JAVA_HOME=java_home, EDA_VENV=venv), STOP_TIMEOUT)
    except KeyboardInterrupt:
        print('with_rulebook: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    sys.exit(main())
