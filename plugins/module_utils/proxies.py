# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one home of the proxy rules: which proxy variables win, and which hosts NO_PROXY sends direct.

Used for the cloud API calls (client.Connection) and for every registry read (registry.RegistryClient), so both
go direct for the same hosts. docs/docsite/rst/security.rst states the rules.

Precedence: when both spellings of a variable are set, the lower-case one wins (no_proxy over NO_PROXY,
https_proxy over HTTPS_PROXY), as in curl and Python's urllib (and so requests). A variable set to an empty
value counts as set.

NO_PROXY entries, separated by commas or blanks, compared without regard to case:
- ``*`` alone: every host goes direct.
- ``example.com``, ``.example.com`` or ``*.example.com``: that host and every host under it (a domain suffix
  matches at a dot: ``badexample.com`` is not under ``example.com``).
- ``192.168.1.10`` or ``::1`` (``[::1]`` too): that address, written as an address in the URL.
- ``10.0.0.0/8`` or ``fd00::/8`` (CIDR): an address of that network, written as an address in the URL (no name lookup).
- any of the above with ``:port`` (``[::1]:5000`` for IPv6): only that port; a URL without a port has its
  scheme's (443 for https, 80 for http).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Mapping

DEFAULT_PORTS = {"http": 80, "https": 443}
# The proxy URL variables, both spellings (NO_PROXY apart).
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy")


def environment_value(environ: Mapping[str, str], name: str) -> str | None:
    """name's value (e.g. no_proxy): the lower-case variable when it is set, else the upper-case one, else None."""
    for key in (name.lower(), name.upper()):
        if key in environ and environ[key] is not None:
            return environ[key]
    return None


def proxy_variable(environ: Mapping[str, str], name: str) -> str | None:
    """The value of <name>_proxy (name: http, https or no) under the precedence above (https_proxy over HTTPS_PROXY),
    stripped; None when there is none (unset, or set to an empty or blank value). Used for API calls and registry
    reads alike."""
    return (environment_value(environ, f"{name}_proxy") or "").strip() or None


def no_proxy_entries(value: str | None) -> list[str]:
    return [entry for entry in re.split(r"[\s,]+", (value or "").strip().lower()) if entry]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _split_entry(entry: str) -> tuple[str, int | None]:
    """(host part, port or None) of a NO_PROXY entry."""
    if entry.startswith("["):
        host, _sep, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        host, _sep, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _host_matches(host: str, pattern: str) -> bool:
    address = _address(host)
    if "/" in pattern:
        try:
            network = ipaddress.ip_network(pattern.strip("[]"), strict=False)
        except ValueError:
            return False
        return address is not None and address.version == network.version and address in network
    wanted = _address(pattern)
    if wanted is not None or address is not None:
        return wanted is not None and address is not None and wanted == address
    if pattern.startswith("*."):
        pattern = pattern[1:]
    pattern = pattern.lstrip(".").rstrip(".")
    host = host.rstrip(".")
    return bool(pattern) and (host == pattern or host.endswith("." + pattern))


def bypasses_proxy(host: str | None, port: int | None, scheme: str, no_proxy: str | None) -> bool:
    """True when a request to scheme://host:port goes direct under the NO_PROXY value no_proxy."""
    if not host:
        return False
    host = host.lower().strip("[]")
    port = port or DEFAULT_PORTS.get(scheme)
    for entry in no_proxy_entries(no_proxy):
        if entry == "*":
            return True
        pattern, wanted_port = _split_entry(entry)
        if wanted_port is not None and wanted_port != port:
            continue
        if _host_matches(host, pattern):
            return True
    return False


def environment_bypasses_proxy(host: str | None, port: int | None, scheme: str, environ: Mapping[str, str]) -> bool:
    """bypasses_proxy() with the NO_PROXY of environ (no_proxy wins over NO_PROXY)."""
    return bypasses_proxy(host, port, scheme, environment_value(environ, "no_proxy"))
