# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""python -m tests.emulator: print the base URL on the first line of stdout, serve until SIGINT/SIGTERM.

With --print-env it prints the `export` lines that point a shell (playbooks, the SDK) at the twin instead:
with --url for a twin already running there (and exits), otherwise for the twin it starts (then serves).
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from types import FrameType

from .profile import ProfileError, builtin_names
from .server import TwinServer
from .config import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Config
from .fixtures import FixtureError
from .registry_reader import parse_registry_url
from .state import State

ENDPOINT_VARIABLES = ('ALICLOUD_ECI_ENDPOINT', 'ALICLOUD_VPC_ENDPOINT', 'ALICLOUD_ECS_ENDPOINT')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='python -m tests.emulator', description='Local twin of Alibaba Cloud ECI (image caches).')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port (0 = any free port, the default)')
    parser.add_argument('--access-key-id', default=DEFAULT_ACCESS_KEY_ID, help=f'the one accepted AccessKey ID (default {DEFAULT_ACCESS_KEY_ID})')
    parser.add_argument('--access-key-secret', default=DEFAULT_ACCESS_KEY_SECRET, help='its secret (default emulator-secret-not-for-production)')
    parser.add_argument('--security-token', default=None, help='when given, requests must carry this STS security token')
    parser.add_argument('--ready-after', type=float, default=3.0, help='seconds a created/updated cache takes to become Ready (default 3)')
    parser.add_argument('--token-ttl', type=float, default=None, help="seconds a ClientToken is remembered (default: the profile's token_ttl)")
    parser.add_argument('--fixtures', default=None, help='YAML fixtures file (default: tests/emulator/default_fixtures.yml)')
    parser.add_argument('--registry', default=None, metavar='URL',
                        help='OCI registry (http://127.0.0.1:5000, optionally http://user:pass@...) whose images take their sizes from it')
    parser.add_argument('--profile', default='default', metavar='NAME|FILE',
                        help=f'behaviour switches: a built-in profile ({", ".join(builtin_names())}) or a YAML file with any of the keys')
    parser.add_argument('--print-env', action='store_true',
                        help='print the export lines (ALICLOUD_*) that point a shell at the twin; with --url, for a twin running there, then exit')
    parser.add_argument('--url', default=None, help='with --print-env: the base URL of a running twin (http://127.0.0.1:8080)')
    args = parser.parse_args(argv)
    if args.ready_after < 0 or (args.token_ttl is not None and args.token_ttl < 0):
        parser.error('--ready-after and --token-ttl must be >= 0')
    if args.registry is not None:
        try:
            parse_registry_url(args.registry)
        except ValueError as error:
            parser.error(str(error))
    if args.url is not None:
        if not args.print_env:
            parser.error('--url goes with --print-env')
        if not args.url.startswith(('http://', 'https://')) or '://' not in args.url or not args.url.split('://', 1)[1]:
            parser.error(f'--url takes the base URL of the twin, like http://127.0.0.1:8080, got {args.url!r}')
    return args


def env_lines(url: str, access_key_id: str, access_key_secret: str, region: str, security_token: str | None = None) -> list:
    """The export lines for a twin at url (its own test keys, never real credentials)."""
    url = url.rstrip('/')
    values = [('ALICLOUD_ACCESS_KEY', access_key_id), ('ALICLOUD_SECRET_KEY', access_key_secret), ('ALICLOUD_REGION', region)]
    if security_token:
        values.append(('ALICLOUD_SECURITY_TOKEN', security_token))
    values += [(name, url) for name in ENDPOINT_VARIABLES]
    values.append(('EMULATOR_URL', url))
    return [f'export {name}={shlex.quote(value)}' for name, value in values]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = Config(access_key_id=args.access_key_id, access_key_secret=args.access_key_secret, security_token=args.security_token,
                    ready_after=args.ready_after, token_ttl=args.token_ttl, fixtures=args.fixtures,
                    registry=args.registry, profile=args.profile)
    # A bad profile or fixtures file ends here, before a port is bound: nothing is served.
    try:
        state = State(config)
    except ProfileError as error:
        print(f'emulator: {error}', file=sys.stderr)
        return 2
    except (OSError, FixtureError) as error:
        print(f'emulator: cannot load fixtures: {error}', file=sys.stderr)
        return 2
    region = state.fixtures['region']
    if args.url is not None:
        print('\n'.join(env_lines(args.url, args.access_key_id, args.access_key_secret, region, args.security_token)), flush=True)
        return 0
    server = TwinServer((args.host, args.port), state)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return: call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if args.print_env:
        print('\n'.join(env_lines(server.url, args.access_key_id, args.access_key_secret, region, args.security_token)), flush=True)
    else:
        print(server.url, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
