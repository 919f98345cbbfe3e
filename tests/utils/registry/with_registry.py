#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command next to a freshly started local OCI registry (Debian's docker-registry).

Usage: with_registry.py [--auth USER:PASS] [--push FILE] [--no-install] -- CMD ARGS...

Installs the Debian packages docker-registry and apache2-utils when they are missing (as root:
apt-get update once, then apt-get install -y -q; nothing happens when they are there), writes its
own configuration (the packaged one turns on htpasswd auth) with storage in a temporary directory,
starts `docker-registry serve` on 127.0.0.1 with a free port and no authentication, waits until
/v2/ answers, and exports:
  REGISTRY_URL=http://127.0.0.1:PORT   REGISTRY_HOST=127.0.0.1:PORT
With --auth USER:PASS a second registry with HTTP Basic authentication (htpasswd, bcrypt cost 5 so
that requests stay fast) is started too:
  REGISTRY_AUTH_URL, REGISTRY_AUTH_HOST, REGISTRY_AUTH_USER, REGISTRY_AUTH_PASSWORD
With --push FILE the test images of push_images.py are pushed and the expected sizes written to FILE:
  REGISTRY_IMAGES=FILE
Then CMD runs; afterwards (also on failure or Ctrl-C) the registries are stopped and the temporary
directory removed. The exit code is CMD's. Importable: start_registry(), ensure_installed().
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import push_images  # noqa: E402  pylint: disable=wrong-import-position
from child_process import raise_keyboard_interrupt, run_child  # noqa: E402  pylint: disable=wrong-import-position

PACKAGES = ('docker-registry', 'apache2-utils')
STARTUP_TIMEOUT = 30
STOP_TIMEOUT = 5
# Seconds to wait for apt's lock held by another apt-get (an unattended upgrade, another suite's install).
APT_LOCK_WAIT = 600
BCRYPT_COST = 5

CONFIG = """version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{port}
  secret: {secret}
  headers:
    X-Content-Type-Options: [nosniff]
{auth}"""

AUTH = """auth:
  htpasswd:
    realm: eci-test-registry
    path: {htpasswd}
"""


class RegistryUnavailable(RuntimeError):
    """docker-registry is not installed and cannot be installed here."""


def ensure_installed(install=True):
    """Make sure docker-registry and htpasswd exist; install the Debian packages when allowed. Idempotent.

    Suites of one `make test` start side by side, each with its registries: the install is serialised by a file
    lock (the first installs, the others find the packages), and apt's own lock, when another apt-get holds it,
    is waited for (up to APT_LOCK_WAIT seconds) instead of failing the suite."""
    if shutil.which('docker-registry') and shutil.which('htpasswd'):
        return
    if not install:
        raise RegistryUnavailable('docker-registry or htpasswd is not installed (apt-get install docker-registry apache2-utils)')
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        raise RegistryUnavailable('docker-registry is not installed and cannot be installed (needs root and apt-get)')
    with open(os.path.join(tempfile.gettempdir(), 'alibabacloud-eci-registry-install.lock'), 'a', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shutil.which('docker-registry') and shutil.which('htpasswd'):
            return  # another suite installed them while this one waited
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        timeout = ['-o', f'DPkg::Lock::Timeout={APT_LOCK_WAIT}']
        for cmd in (['apt-get', *timeout, 'update', '-qq'],
                    ['apt-get', *timeout, 'install', '-y', '-qq', '--no-install-recommends', *PACKAGES]):
            _apt(cmd, env)
    if not (shutil.which('docker-registry') and shutil.which('htpasswd')):
        raise RegistryUnavailable('docker-registry is still missing after apt-get install')


def _apt(cmd, env):
    """Run one apt-get command; while another process holds apt's lock, try again until APT_LOCK_WAIT has passed
    (apt-get update does not wait for the lists lock on its own)."""
    deadline = time.monotonic() + APT_LOCK_WAIT
    while True:
        result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        if result.returncode == 0:
            return
        if 'Could not get lock' not in result.stdout or time.monotonic() > deadline:
            raise RegistryUnavailable(f'{" ".join(cmd)} failed ({result.returncode}): {result.stdout[-500:]}')
        time.sleep(2)


def _die_with_parent():
    """In the child before exec: SIGTERM when the process that started the registry dies (Linux prctl
    PR_SET_PDEATHSIG), so that a test process that exits without teardown (ansible-test runs every unit
    test in a fork that ends with os._exit) leaves no registry behind."""
    try:
        import ctypes  # pylint: disable=import-outside-toplevel
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Registry:
    """One docker-registry process with its own configuration and storage under workdir."""

    def __init__(self, workdir, auth=None):
        self.workdir = workdir
        self.auth = auth  # (user, password) or None
        self.port = None
        self.proc = None
        self.log_path = os.path.join(workdir, 'registry.log')

    @property
    def host(self):
        return f'127.0.0.1:{self.port}'

    @property
    def url(self):
        return f'http://{self.host}'

    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        auth = ''
        if self.auth:
            htpasswd = os.path.join(self.workdir, 'htpasswd')
            # -i: the password comes on stdin, never on a command line
            result = subprocess.run(['htpasswd', '-B', '-C', str(BCRYPT_COST), '-i', '-c', htpasswd, self.auth[0]], input=self.auth[1],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
            if result.returncode != 0:
                raise RuntimeError(f'htpasswd failed: {result.stdout.strip()}')
            auth = AUTH.format(htpasswd=htpasswd)
        last_error = None
        for _attempt in range(3):  # a free port may be taken between the probe and the bind: try another
            self.port = free_port()
            config = os.path.join(self.workdir, 'config.yml')
            with open(config, 'w', encoding='utf-8') as handle:
                handle.write(CONFIG.format(storage=os.path.join(self.workdir, 'data'), port=self.port, secret=os.urandom(16).hex(), auth=auth))
            with open(self.log_path, 'ab') as log:
                # pylint: disable-next=consider-using-with
                self.proc = subprocess.Popen(['docker-registry', 'serve', config], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             start_new_session=True, preexec_fn=_die_with_parent)  # pylint: disable=subprocess-popen-preexec-fn
            try:
                self._wait()
                return self
            except RuntimeError as error:
                last_error = error
                self.stop()
        raise last_error

    def _wait(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'docker-registry exited with {self.proc.returncode}: {self.log_tail()}')
            try:
                with urllib.request.urlopen(self.url + '/v2/', timeout=2) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                if error.code == 401 and self.auth:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f'docker-registry did not answer on {self.url}/v2/ within {STARTUP_TIMEOUT}s: {self.log_tail()}')

    def log_tail(self):
        try:
            with open(self.log_path, encoding='utf-8', errors='replace') as handle:
                return handle.read()[-1000:]
        except OSError:
            return '(no log)'

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(STOP_TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def start_registry(workdir=None, auth=None, install=True):
    """Start a registry (anonymous, or HTTP Basic with auth=(user, password)); returns a started Registry.
    Raises RegistryUnavailable when docker-registry cannot be installed."""
    ensure_installed(install)
    return Registry(workdir or tempfile.mkdtemp(prefix='eci-registry-'), auth).start()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--auth', metavar='USER:PASS', help='also start a registry with HTTP Basic authentication for this user')
    parser.add_argument('--push', metavar='FILE', help='push the test images and write their expected sizes (JSON) here')
    parser.add_argument('--no-install', action='store_true', help='do not apt-get install docker-registry when it is missing')
    parser.add_argument('command', nargs=argparse.REMAINDER, help='the command to run, after --')
    args = parser.parse_args(argv)
    if args.command and args.command[0] == '--':
        args.command = args.command[1:]
    if not args.command:
        parser.error('no command given (put it after --)')
    if args.auth is not None and (':' not in args.auth or not args.auth.split(':', 1)[0] or not args.auth.split(':', 1)[1]):
        parser.error('--auth takes USER:PASSWORD')
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    workdir = tempfile.mkdtemp(prefix='eci-registry-')
    registries = []
    try:
        ensure_installed(not args.no_install)
        env = dict(os.environ)
        public = Registry(os.path.join(workdir, 'anonymous'))
        registries.append(public)
        public.start()
        env.update(REGISTRY_URL=public.url, REGISTRY_HOST=public.host)
        private = None
        if args.auth:
            user, password = args.auth.split(':', 1)
            private = Registry(os.path.join(workdir, 'basic'), (user, password))
            registries.append(private)
            private.start()
            env.update(REGISTRY_AUTH_URL=private.url, REGISTRY_AUTH_HOST=private.host, REGISTRY_AUTH_USER=user, REGISTRY_AUTH_PASSWORD=password)
        print(f'with_registry: registry at {public.url}' + (f', with basic auth at {private.url}' if private else ''), file=sys.stderr, flush=True)
        if args.push:
            push_images.main(['--url', public.url, '--output', args.push]
                             + (['--auth-url', private.url, '--user', private.auth[0], '--password', private.auth[1]] if private else []))
            env['REGISTRY_IMAGES'] = os.path.abspath(args.push)
            print(f'with_registry: test images pushed, expected sizes in {args.push}', file=sys.stderr, flush=True)
        return run_child(args.command, env, STOP_TIMEOUT)
    except (RuntimeError, OSError) as error:
        for registry in registries:
            print(f'with_registry: log of {registry.workdir}: {registry.log_tail()}', file=sys.stderr)
        print(f'with_registry: {error}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('with_registry: interrupted', file=sys.stderr)
        return 130
    finally:
        for registry in registries:
            registry.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
