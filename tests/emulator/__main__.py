# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""python -m tests.emulator: print the base URL on the first line of stdout, serve until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import TwinServer
from .state import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Config, FixtureError, State, parse_registry_url


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='python -m tests.emulator', description='Local twin of Alibaba Cloud ECI (image caches).')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port (0 = any free port, the default)')
    parser.add_argument('--access-key-id', default=DEFAULT_ACCESS_KEY_ID, help=f'the one accepted AccessKey ID (default {DEFAULT_ACCESS_KEY_ID})')
    parser.add_argument('--access-key-secret', default=DEFAULT_ACCESS_KEY_SECRET, help='its secret (default emulator-secret-not-for-production)')
    parser.add_argument('--security-token', default=None, help='when given, requests must carry this STS security token')
    parser.add_argument('--ready-after', type=float, default=3.0, help='seconds a created/updated cache takes to become Ready (default 3)')
    parser.add_argument('--token-ttl', type=float, default=86400.0, help='seconds a ClientToken is remembered (default 86400)')
    parser.add_argument('--fixtures', default=None, help='YAML fixtures file (default: tests/emulator/default_fixtures.yml)')
    parser.add_argument('--registry', default=None, metavar='URL',
                        help='OCI registry (http://127.0.0.1:5000, optionally http://user:pass@...) whose images take their sizes from it')
    args = parser.parse_args(argv)
    if args.ready_after < 0 or args.token_ttl < 0:
        parser.error('--ready-after and --token-ttl must be >= 0')
    if args.registry is not None:
        try:
            parse_registry_url(args.registry)
        except ValueError as error:
            parser.error(str(error))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    config = Config(access_key_id=args.access_key_id, access_key_secret=args.access_key_secret, security_token=args.security_token,
                    ready_after=args.ready_after, token_ttl=args.token_ttl, fixtures=args.fixtures,
                    registry=args.registry)
    try:
        state = State(config)
    except (OSError, FixtureError) as error:
        print(f'emulator: cannot load fixtures: {error}', file=sys.stderr)
        return 2
    server = TwinServer((args.host, args.port), state)

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever() to return: call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(server.url, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
