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

parse_reference and parse_platform (with format_platform and DEFAULT_PLATFORM) split a reference and a
platform for the registry reader (registry.py) and the digest record (image_digests.py). They live here, in a
file without network code, so that validating image_platform or writing the record never loads registry.py
(its HTTP, TLS and proxy code): only a run that reads a registry does (issue 24).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_IMAGE_LENGTH, MAX_PORT

DOCKER_HUB = "docker.io"
# Names of Docker Hub that references and credentials use; all mean docker.io (the one list: registry.py uses it).
DOCKER_HUB_ALIASES = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com")
# The host Docker Hub's registry API is served on.
DOCKER_HUB_API = "registry-1.docker.io"
# The platform read for multi-arch images when none is given (image_platform's default).
DEFAULT_PLATFORM = "linux/amd64"

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


# -- parsing: the reader (registry.py), the digest record (image_digests.py) and validation ---------------------------
# The grammar of github.com/distribution/reference (regexp.go), from the patterns above.
# Whole-string ASCII matches (full_match): "$" would let a trailing newline through, \w any script.
DOMAIN_RE = full_match(DOMAIN)
PATH_RE = full_match(PATH_COMPONENT + r"(?:/" + PATH_COMPONENT + r")*")
TAG_RE = full_match(TAG)
DIGEST_RE = full_match(DIGEST)
SHA256_HEX_RE = full_match(r"[0-9a-f]{64}")
PLATFORM_PART_RE = full_match(r"[a-z0-9._-]+")
NAME_TOTAL_LENGTH_MAX = 255


def normalize_registry(server: str | None) -> str:
    """A registry address as the user writes it (with or without scheme/path) -> host[:port], lower case.

    Docker Hub's aliases (docker.io, index.docker.io, registry-1.docker.io, registry.hub.docker.com,
    https://index.docker.io/v1/) all become docker.io.
    """
    value = (server or "").strip().lower()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.split("/", 1)[0]
    if value in DOCKER_HUB_ALIASES:
        return DOCKER_HUB
    return value


def api_host(registry: str) -> str:
    """The host the registry API is served on (Docker Hub's is registry-1.docker.io)."""
    return DOCKER_HUB_API if normalize_registry(registry) == DOCKER_HUB else registry


def parse_reference(image: Any) -> dict[str, Any]:
    """Split an image reference like the container distribution project (and docker pull) do.

    Returns a dict: name (the familiar full name, e.g. docker.io/library/nginx), domain (docker.io,
    localhost:5000, ...), registry (the API host: registry-1.docker.io for Docker Hub), repository,
    tag (None when only a digest is given), digest (or None) and reference (the digest when given,
    otherwise the tag; `latest` by default). Raises ValueError with a message naming the problem.
    """
    if not isinstance(image, str):
        raise ValueError(f"invalid image reference {image!r}: it must be a string")
    # Not stripped: the module refuses surrounding white space (image_problem), so the reader does too.
    ref = image
    if not ref.strip():
        raise ValueError("invalid image reference: it is empty")
    if "://" in ref:
        raise ValueError(f"invalid image reference {image!r}: give the image without a URL scheme (e.g. registry.example.com/app:1.0)")
    if any(c.isspace() for c in ref):
        raise ValueError(f"invalid image reference {image!r}: it contains white space")

    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not DIGEST_RE.match(digest):
            raise ValueError(f"invalid image reference {image!r}: {digest!r} is not a digest (algorithm:hex, e.g. sha256:<64 hex digits>)")
        algorithm, hexpart = digest.split(":", 1)
        if algorithm == "sha256" and not SHA256_HEX_RE.match(hexpart):
            raise ValueError(f"invalid image reference {image!r}: a sha256 digest has 64 lower-case hex digits")
    tag = None
    # A ':' after the last '/' separates the tag (a ':' before it belongs to the registry's port).
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
        if not TAG_RE.match(tag):
            raise ValueError(f"invalid image reference {image!r}: {tag!r} is not a valid tag (letters, digits, '_', '.', '-', at most 128, "
                             "not starting with '.' or '-')")
    if not ref:
        raise ValueError(f"invalid image reference {image!r}: the repository name is missing")

    # The collection's one registry rule (image_reference.split_domain, Docker's splitDockerDomain).
    domain, path = split_domain(ref)
    if domain is not None:
        if not DOMAIN_RE.match(domain):
            raise ValueError(f"invalid image reference {image!r}: {domain!r} is not a valid registry host[:port]")
        if port_problem(domain):
            raise ValueError(f"invalid image reference {image!r}: {port_problem(domain)}")
        domain = registry_host(ref)
    else:
        domain, path = DOCKER_HUB, ref
    if domain == DOCKER_HUB and "/" not in path:
        path = "library/" + path
    if not path:
        raise ValueError(f"invalid image reference {image!r}: the repository name is missing")
    if path.lower() != path:
        raise ValueError(f"invalid image reference {image!r}: the repository name must be lower case")
    if not PATH_RE.match(path):
        raise ValueError(f"invalid image reference {image!r}: {path!r} is not a valid repository name (lower-case letters, digits and "
                         "separators '.', '_', '__', '-' between them, parts separated by '/')")
    name = domain + "/" + path
    if len(name) > NAME_TOTAL_LENGTH_MAX:
        raise ValueError(f"invalid image reference {image!r}: the name is longer than {NAME_TOTAL_LENGTH_MAX} characters")
    if tag is None and digest is None:
        tag = "latest"
    return {
        "name": name,
        "domain": domain,
        "registry": api_host(domain),
        "repository": path,
        "tag": tag,
        "digest": digest,
        "reference": digest or tag,
    }


def parse_platform(platform: str | None) -> dict[str, Any]:
    """'linux/amd64', 'linux/arm64/v8', 'linux/arm/v7' -> dict(os, architecture, variant). ValueError if malformed."""
    parts = (platform or DEFAULT_PLATFORM).strip().lower().split("/")
    if len(parts) not in (2, 3) or not all(PLATFORM_PART_RE.match(p) for p in parts):
        raise ValueError(f"invalid platform {platform!r}: use os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8")
    arch = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm"}.get(parts[1], parts[1])
    variant = parts[2] if len(parts) == 3 else None
    return {"os": parts[0], "architecture": arch, "variant": variant}


def format_platform(platform: Any) -> str:
    if not isinstance(platform, Mapping):
        return "unknown/unknown"
    text = f"{platform.get('os') or 'unknown'}/{platform.get('architecture') or 'unknown'}"
    if platform.get("variant"):
        text += f"/{platform['variant']}"
    return text
