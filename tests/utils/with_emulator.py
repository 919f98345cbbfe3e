#!/usr/bin/env python
"""Run a command against a freshly started local twin of the cloud (tests/emulator).

Usage: with_emulator.py [--integration-config PATH] [--fixtures FILE] [--ready-after S] [--profile NAME|FILE] -- CMD ARGS...

Starts `python -m tests.emulator --port 0` with random credentials from the collection
root, waits for the base URL it prints as its first line, runs CMD with
ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_REGION, ALICLOUD_{ECI,VPC,ECS}_ENDPOINT
and EMULATOR_URL set, then stops the twin (also on failure or Ctrl-C) and exits
with CMD's exit code.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading

REGION = 'cn-hangzhou'
STARTUP_TIMEOUT = 30
STOP_TIMEOUT = 5
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from child_process import raise_keyboard_interrupt, run_child  # noqa: E402  pylint: disable=wrong-import-position


def name_and_value(text):
    """--var's NAME=VALUE as (name, value); refused (before the twin starts) unless NAME is an identifier."""
    name, sep, value = text.partition('=')
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f'takes NAME=VALUE with NAME a variable name, got {text!r}')
    return name, value


def parse_args(argv):
    """Split our options from the command after `--`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--integration-config', metavar='PATH',
                        help='write an ansible-test integration_config.yml with the URL and credentials')
    parser.add_argument('--var', action='append', default=[], metavar='NAME=VALUE', type=name_and_value,
                        help='one more variable of the integration config (repeatable), e.g. integration_scope=ansible_core')
    parser.add_argument('--fixtures', metavar='FILE', help='YAML fixtures passed to the twin')
    parser.add_argument('--ready-after', metavar='S', help='seconds a new or updated cache takes to become Ready')
    parser.add_argument('--profile', metavar='NAME|FILE', help='behaviour switches of the twin (default, hostile or a YAML file)')
    parser.add_argument('--root', default=COLLECTION_ROOT, help='directory the twin is started from (default: %(default)s)')
    parser.add_argument('--python', default=sys.executable, help='interpreter for the twin (default: %(default)s)')
    parser.add_argument('command', nargs=argparse.REMAINDER, help='the command to run, after --')
    args = parser.parse_args(argv)
    if args.command and args.command[0] == '--':
        args.command = args.command[1:]
    if not args.command:
        parser.error('no command given (put it after --)')
    return args


def start_emulator(args, access_key, secret_key):
    """Start the twin in its own process group; return (process, base URL)."""
    cmd = [args.python, '-m', 'tests.emulator', '--host', '127.0.0.1', '--port', '0',
           # '=' form: a random secret may start with '-', which argparse would take for an option
           '--access-key-id=' + access_key, '--access-key-secret=' + secret_key]
    if args.fixtures:
        cmd += ['--fixtures', os.path.abspath(args.fixtures)]
    if args.ready_after is not None:
        cmd += ['--ready-after', str(args.ready_after)]
    if args.profile:
        cmd += ['--profile', args.profile if not os.path.isfile(args.profile) else os.path.abspath(args.profile)]
    # Started inside tests/utils/registry/with_registry.py: image sizes come from that registry.
    if os.environ.get('REGISTRY_URL'):
        cmd += ['--registry', os.environ['REGISTRY_URL']]

    env = dict(os.environ, PYTHONUNBUFFERED='1')
    # pylint: disable-next=consider-using-with
    proc = subprocess.Popen(cmd, cwd=args.root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            start_new_session=True, text=True)

    first_line = []
    reader = threading.Thread(target=lambda: first_line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT)
    url = first_line[0].strip() if first_line else ''
    if not url.startswith('http'):
        stop_emulator(proc)
        if not first_line:
            reason = 'no URL after %ss' % STARTUP_TIMEOUT
        elif not url:
            reason = 'it exited before printing its URL'
        else:
            reason = 'it printed %r instead of its URL' % url
        raise RuntimeError('the emulator did not start (%s, exit code %s)' % (reason, proc.poll()))

    # Keep draining its stdout so that it never blocks on a full pipe.
    threading.Thread(target=lambda: sys.stdout.writelines(proc.stdout), daemon=True).start()
    return proc, url.rstrip('/')


def stop_emulator(proc):
    """SIGTERM the twin's process group, SIGKILL it if it is still there after STOP_TIMEOUT."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    # The group may outlive its leader (e.g. worker processes): make sure it is gone.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def write_integration_config(path, url, access_key, secret_key, extra=()):
    """Write the variables ansible-test passes to every integration target (extra: the (name, value) pairs of --var)."""
    values = [
        ('emulator_url', url),
        ('alicloud_access_key', access_key),
        ('alicloud_secret_key', secret_key),
        ('alicloud_region', REGION),
        ('eci_endpoint', url),
        ('vpc_endpoint', url),
        ('ecs_endpoint', url),
    ]
    # The local registries of tests/utils/registry/with_registry.py, when this run is inside it.
    values += [(name.lower(), os.environ[name]) for name in (
        'REGISTRY_URL', 'REGISTRY_HOST', 'REGISTRY_AUTH_URL', 'REGISTRY_AUTH_HOST', 'REGISTRY_AUTH_USER',
        'REGISTRY_AUTH_PASSWORD', 'REGISTRY_IMAGES') if os.environ.get(name)]
    values += list(extra)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write('---\n# Written by tests/utils/with_emulator.py for one run; not for git.\n')
        for key, value in values:
            handle.write("%s: '%s'\n" % (key, value.replace("'", "''")))  # YAML's escape inside single quotes


def main(argv=None):
    """Run the command between starting and stopping the twin; return its exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    access_key = 'LTAI' + secrets.token_hex(8)
    secret_key = secrets.token_urlsafe(24)

    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    proc = None
    try:
        proc, url = start_emulator(args, access_key, secret_key)
        print('with_emulator: twin at %s (pid %d)' % (url, proc.pid), file=sys.stderr, flush=True)
        if args.integration_config:
            write_integration_config(args.integration_config, url, access_key, secret_key, args.var)

        env = dict(os.environ)
        env.update(
            ALICLOUD_ACCESS_KEY=access_key,
            ALICLOUD_SECRET_KEY=secret_key,
            ALICLOUD_REGION=REGION,
            ALICLOUD_ECI_ENDPOINT=url,
            ALICLOUD_VPC_ENDPOINT=url,
            ALICLOUD_ECS_ENDPOINT=url,
            EMULATOR_URL=url,
        )
        return run_child(args.command, env, STOP_TIMEOUT)
    except RuntimeError as ex:
        print('with_emulator: %s' % ex, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('with_emulator: interrupted', file=sys.stderr)
        return 130
    finally:
        if proc is not None:
            stop_emulator(proc)


if __name__ == '__main__':
    sys.exit(main())
