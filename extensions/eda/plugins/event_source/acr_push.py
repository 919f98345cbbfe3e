# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Event-Driven Ansible source: Alibaba Cloud Container Registry (ACR) push triggers as events."""

from __future__ import annotations

DOCUMENTATION = r"""
name: acr_push
short_description: Receive Alibaba Cloud Container Registry push triggers as events
version_added: 0.1.0
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
description:
  - An HTTP server for the triggers of Alibaba Cloud Container Registry (ACR), which POST a JSON body for every push
    of a tag. Each accepted POST puts one event on the rulebook's queue, a dict with the key C(acr_push) whose value
    has the keys C(namespace), C(name), C(tag), C(digest), C(region), C(repo_full_name) and C(pushed_at).
  - ACR signs nothing, so the trigger URL is the secret - C(http://HOST:PORT/TOKEN). POSTs are accepted only on the
    path C(/TOKEN) (compared in constant time); any other path or method is answered 404 (405 for another method on
    the token path) and makes no event. A body that is not a JSON object with C(push_data.digest),
    C(push_data.tag), C(push_data.pushed_at), C(repository.namespace), C(repository.name), C(repository.region) and
    C(repository.repo_full_name) (strings) is answered 400 and makes no event. An accepted POST is answered 202.
  - Paths are never logged (the access log is off), so the token does not reach the logs.
  - The rulebook C(alibabacloud.eci.refresh_on_push) uses it; see the guide "Rebuild caches when an image is pushed".
options:
  host:
    description:
      - The address to listen on. V(0.0.0.0) listens on every interface (ACR must reach the URL).
    type: str
    default: 127.0.0.1
  port:
    description:
      - The TCP port to listen on (1 to 65535). ACR calls HTTP URLs on port 80, 21, 70, 210, 280, 443, 488, 591, 777
        or 1025 to 65535.
    type: int
    required: true
  token:
    description:
      - The secret path of the trigger URL. At least 16 characters, only letters, digits and C(-._~) (so that it is
        a path as written), for example the output of C(python3 -c 'import secrets; print(secrets.token_urlsafe(32))').
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Rebuild the image caches of a pushed image
  hosts: localhost
  sources:
    - name: ACR push triggers
      alibabacloud.eci.acr_push:
        host: 0.0.0.0
        port: 5080
        token: "{{ acr_push_token }}"
  rules:
    - name: A tag was pushed
      condition: event.acr_push is defined
      action:
        run_playbook:
          name: alibabacloud.eci.refresh_on_push
"""

import asyncio
import hmac
import json
import logging
import re
from typing import Any

try:
    from aiohttp import web
except ImportError:  # ansible-rulebook depends on aiohttp; without it the source cannot run, but it still imports
    web = None

LOGGER = logging.getLogger(__name__)

# Where each field of the event is in ACR's body: (event key, body section, body key).
FIELDS = (
    ("namespace", "repository", "namespace"),
    ("name", "repository", "name"),
    ("tag", "push_data", "tag"),
    ("digest", "push_data", "digest"),
    ("region", "repository", "region"),
    ("repo_full_name", "repository", "repo_full_name"),
    ("pushed_at", "push_data", "pushed_at"),
)
# Unreserved URL characters (RFC 3986): the token is the path exactly as ACR sends it.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{16,}\Z", re.ASCII)
MAX_BODY = 64 * 1024  # ACR's bodies are well under 2 KiB


class AcrPushError(ValueError):
    """A body that is no ACR push notification; the message says which field."""


def check_args(args: dict[str, Any]) -> tuple[str, int, str]:
    """(host, port, token) from the source's arguments, or ValueError naming the argument and what it takes."""
    host = args.get("host") or "127.0.0.1"
    if not isinstance(host, str):
        raise ValueError(f"acr_push: host must be an address to listen on, like 127.0.0.1 or 0.0.0.0, got {host!r}.")
    port = args.get("port")
    if isinstance(port, str) and port.strip().isdigit():  # --env-vars gives strings
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"acr_push: port is required, a TCP port from 1 to 65535, got {port!r}.")
    token = args.get("token")
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        # The token itself is never shown.
        raise ValueError("acr_push: token is required, at least 16 characters, only letters, digits and -._~ "
                         f"(got {'a string of ' + str(len(token)) + ' characters' if isinstance(token, str) else type(token).__name__}).")
    return host, port, token


def push_event(body: bytes) -> dict[str, Any]:
    """The event for one ACR push notification body, or AcrPushError saying what is wrong."""
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise AcrPushError(f"the body is not JSON ({error.__class__.__name__})") from None
    if not isinstance(payload, dict):
        raise AcrPushError("the body is not a JSON object")
    event = {}
    for key, section, field in FIELDS:
        part = payload.get(section)
        if not isinstance(part, dict):
            raise AcrPushError(f"the body has no object {section}")
        value = part.get(field)
        if not isinstance(value, str) or not value.strip():
            raise AcrPushError(f"the body has no string {section}.{field}")
        event[key] = value
    return {"acr_push": event}


def make_app(queue: Any, token: str) -> Any:
    """The aiohttp application: POST /<token> -> one event on the queue."""
    expected = f"/{token}".encode()

    async def handle(request: Any) -> Any:
        # raw_path without the query string, compared as bytes in constant time.
        path = request.rel_url.raw_path.encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(path, expected):
            LOGGER.warning("acr_push: refused a %s from %s to a path that is not the trigger's (404)", request.method, request.remote)
            raise web.HTTPNotFound()
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"])
        try:
            event = push_event(await request.read())
        except AcrPushError as error:
            LOGGER.warning("acr_push: refused a POST from %s: %s (400)", request.remote, error)
            raise web.HTTPBadRequest(text=f"not an ACR push notification: {error}\n") from None
        await queue.put(event)
        push = event["acr_push"]
        LOGGER.info("acr_push: push of %s:%s (%s) in %s", push["repo_full_name"], push["tag"], push["digest"], push["region"])
        return web.Response(status=202, text="accepted\n")

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_route("*", "/{path:.*}", handle)
    return app


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """Serve the trigger URL until cancelled, putting one event per push on queue."""
    host, port, token = check_args(args)
    if web is None:
        raise ImportError("acr_push needs the Python package aiohttp (ansible-rulebook installs it).")
    # access_log=None: the path is the token, an access log would write it down.
    runner = web.AppRunner(make_app(queue, token), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        LOGGER.info("acr_push: listening on %s:%s", host, port)
        await asyncio.Future()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    # A manual check: python acr_push.py PORT TOKEN prints the events.
    import sys

    class PrintQueue:
        """Prints events instead of queueing them."""

        async def put(self, event: dict[str, Any]) -> None:
            print(json.dumps(event))

    asyncio.run(main(PrintQueue(), {"port": sys.argv[1], "token": sys.argv[2]}))  # type: ignore[arg-type]
