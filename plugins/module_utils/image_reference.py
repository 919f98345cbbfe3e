# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one image-reference grammar and registry-host rule of the collection.

Module validation, comparison, the size check (registry.py), the egress reasoning of
eci_network_info (egress.py), the filters and the role all use these functions.

The grammar is the container distribution project's (distribution/reference, used by docker pull):
[registry[:port]/]path[:tag][@digest], lower-case path. The registry rule is its splitDockerDomain:
the first component is a registry host when it contains '.' or ':', is 'localhost', or has upper
case (a path may not have upper case, so MyReg/app:1 names registry MyReg, not Docker Hub);
otherwise the image is on Docker Hub. Host names compare case-insensitively (DNS), so hosts are
returned in lower case.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_IMAGE_LENGTH, MAX_PORT

DOCKER_HUB = "docker.io"
# Names of Docker Hub that references and credentials use; all mean docker.io (the one list: registry.py uses it).
DOCKER_HUB_ALIASES = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com")

PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
# host[:port]; the host a name, an IPv4 address or a bracketed IPv6 address ([::1]:5000).
DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
# ASCII only: the patterns are compiled with re.ASCII too, since Python's \w and \d match any script's letters.
TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
# \Z, not $: $ also matches before a final newline ("nginx:1.25\n" must be refused).
IMAGE_REFERENCE = re.compile(rf"^(?:{DOMAIN}/)?{PATH_COMPONENT}(?:/{PATH_COMPONENT})*(?::{TAG})?(?:@{DIGEST})?\Z",
                             re.ASCII)
# A registry as credentials and the insecure/plain-HTTP lists name it: host[:port], no scheme or path.
REGISTRY_HOST = re.compile(rf"^{DOMAIN}\Z", re.ASCII)


def full_match(pattern: str) -> re.Pattern[str]:
    """A compiled pattern matching a whole string of ASCII text (no match before a trailing newline)."""
    return re.compile(rf"^(?:{pattern})\Z", re.ASCII)


def is_registry_component(first: str) -> bool:
    """Whether the first '/'-separated component of a reference is a registry host (splitDockerDomain)."""
    return "." in first or ":" in first or first == "localhost" or first.lower() != first


def split_domain(name: str) -> tuple[str | None, str]:
    """(registry host as written or None for Docker Hub, repository path) of a name without tag and digest."""
    first, sep, rest = name.partition("/")
    if sep and is_registry_component(first):
        return first, rest
    return None, name


def registry_host(image: str) -> str:
    """The registry host of an image reference, lower case; docker.io for Docker Hub (nginx, library/nginx,
    index.docker.io/x)."""
    domain, _path = split_domain(image)
    host = (domain or DOCKER_HUB).lower()
    return DOCKER_HUB if host in DOCKER_HUB_ALIASES else host


def canonical_image(reference: str) -> str:
    """An image reference in Docker's canonical form: nginx:1.25 -> docker.io/library/nginx:1.25.

    A cloud may return the images of a cache in this form (the API reference shows full references),
    so images are compared in it. The registry host is lower case (hosts compare case-insensitively).
    """
    name, _sep, digest = reference.partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    repository, tag = (name[:colon], name[colon + 1:]) if colon > slash else (name, None)
    _domain, path = split_domain(repository)
    domain = registry_host(repository)
    if domain == DOCKER_HUB and "/" not in path:
        path = "library/" + path
    if tag is None and not digest:
        tag = "latest"
    return domain + "/" + path + (":" + tag if tag else "") + ("@" + digest if digest else "")


def port_problem(host: str) -> str | None:
    """Why the port of a registry host[:port] is refused (not 1 to 65535), or None; the grammar itself allows any digits."""
    _rest, sep, port = host.rpartition(":")
    if sep and port.isdigit() and not 0 < int(port) <= MAX_PORT:
        return f"the port {port} is out of range (1 to {MAX_PORT})."
    return None


def image_problem(image: Any, option: str = "images") -> str | None:
    """Why an image reference is refused (a message naming the option), or None."""
    if not isinstance(image, str) or not image.strip():
        return f"{option}: every image must be a non-empty reference, got {image!r}."
    if "://" in image:
        return f"{option}: {image!r} is not a valid image reference: it has a URL scheme; give a reference like " \
               "registry.example.com/ns/app:1.0."
    if len(image) > MAX_IMAGE_LENGTH or not IMAGE_REFERENCE.match(image):
        return (f"{option}: {image!r} is not a valid image reference ([registry[:port]/]repository[:tag][@digest], "
                "lower-case repository).")
    domain, _path = split_domain(image.partition("@")[0])
    if domain is not None and port_problem(domain):
        return f"{option}: {image!r} is not a valid image reference: {port_problem(domain)}"
    return None
