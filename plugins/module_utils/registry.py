# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read container image sizes from OCI / Docker registries (the image size preflight).

RegistryClient.measure() resolves an image reference, authenticates (anonymous, HTTP Basic, or the
Bearer token challenge Docker Hub and Alibaba Cloud Container Registry use), fetches the
manifest (following an OCI index / Docker manifest list to one platform) and the config
blob, and returns the compressed size of the layers (size_plan.py judges them: required_cache_size_gib() turns
measured bytes into the smallest allowed image cache size). resolve() / resolve_digests() read only the
manifest: the digest a reference resolves to for one platform (stale caches, image_digests.py).

CHOICE: plain HTTP with the standard library (http.client), not an OCI library such as
oras and not requests. Only three GETs of small JSON documents are needed; http.client
gives separate connect and read timeouts, control over redirects (the Authorization header
is never sent to another host), no extra dependency on the managed node, and no guarded
import for ansible-test sanity.

Network: the reader runs where the module runs (the controller, or an execution environment in AWX),
not in the VPC where the cloud builds the cache. It honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and
their lower-case forms, which win, as in curl and urllib). Failures that retrying cannot mend within a
preflight's budget - a name that does not resolve, a refused or timed-out connection, a registry that
accepts the connection but does not answer within read_timeout, a TLS failure - fail at once (no
retry), and measure_images() does not try another image of a registry that could not be reached.
Each RegistryError carries a `reason` (see REASONS) so that callers can tell "cannot be reached from
here" from "refused the credentials".

CHOICE: plain http only for the registries the caller lists (plain_http_registries, as
eci_image_cache's option of that name); localhost and 127.0.0.1 get https too unless listed,
so that nothing is silently downgraded. insecure_registries use https without certificate
verification.

Sizes: compressed_size is the sum of the layer descriptors' `size` (what is downloaded).
The uncompressed size is not stated by registries: Docker and OCI image configs carry only
the layers' diff IDs (digests), no sizes. uncompressed_size is therefore None unless every
layer is an uncompressed tar (then its size is its uncompressed size): never a guess.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
import random
import re
import socket
import ssl
import time
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import SplitResult, unquote, urlencode, urljoin, urlsplit

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import (
    DEFAULT_PLATFORM,
    DIGEST_RE,
    TAG_RE,
    format_platform,
    normalize_registry,
    parse_platform,
    parse_reference,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.masking import credential_forms, mask, printable
from ansible_collections.alibabacloud.eci.plugins.module_utils.proxies import DEFAULT_PORTS, bypasses_proxy, proxy_variable

# DOCKER_HUB and its aliases, DOCKER_HUB_API, DEFAULT_PLATFORM and the reference grammar come from image_reference.py
# (one home for references, platforms and credentials' hosts: it has no network code, so validation and the digest
# record never load this file).

MEDIA_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MEDIA_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST)
MANIFEST_TYPES = (MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST)
ACCEPT = ", ".join(INDEX_TYPES + MANIFEST_TYPES)
# Layers that are plain tar archives: their size is also their uncompressed size.
UNCOMPRESSED_LAYER_TYPES = (
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.docker.image.rootfs.diff.tar",
)

MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # the distribution project's limit for manifests
MAX_CONFIG_BYTES = 16 * 1024 * 1024
READ_CHUNK = 64 * 1024  # bytes per socket read of a body; max_seconds is checked between reads
DEADLINE_SLACK = 0.05  # seconds: a socket timeout ending this close to the deadline was the deadline's
MAX_REDIRECTS = 5
RETRY_STATUSES = (429, 500, 502, 503, 504)
ERROR_KINDS = ("unreachable", "unauthorized", "not_found", "invalid")
# Why a registry was unreachable. All but "reset" fail at once: a retry within a preflight's budget
# would not mend them, and each costs up to a timeout.
REASONS = ("dns", "refused", "no_route", "connect_timeout", "read_timeout", "tls", "proxy", "reset")
FAIL_FAST_REASONS = frozenset(("dns", "refused", "no_route", "connect_timeout", "read_timeout", "tls", "proxy"))
# Short defaults for a preflight: a registry that answers at all answers a connect in well under a second.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0

# At most this many platforms of an index are named in a message (an index may list thousands).
PLATFORMS_SHOWN = 12
# The longest message built from a registry's answers (printable() also strips its control characters).
MESSAGE_MAX = 1000


class RegistryError(Exception):
    """A registry could not be read. kind: unreachable, unauthorized, not_found or invalid.

    The message names the image and the registry; it never contains a password (messages are
    built from the reference, the registry's host, HTTP statuses and the registry's error codes).
    """

    def __init__(self, kind: str, message: str, image: str | None = None, registry: str | None = None, status: int | None = None,
                 reason: str | None = None) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown RegistryError kind {kind!r}")
        super(RegistryError, self).__init__(message)
        self.kind = kind
        self.message = message
        self.image = image
        self.registry = registry
        self.status = status
        self.reason = reason  # for kind unreachable: one of REASONS, or None

    def __str__(self) -> str:
        return self.message


# -- platforms of an index (references and platforms are parsed in image_reference.py) -------------
def _default_variant(architecture: str) -> str | None:
    # containerd's normalisation: arm64 without a variant is v8, arm without one v7.
    return {"arm64": "v8", "arm": "v7"}.get(architecture)


def select_platform(manifests: list[dict[str, Any]] | None, platform: dict[str, Any]) -> dict[str, Any] | None:
    """Pick the descriptor of an index / manifest list for a platform dict; None when none matches.

    os and architecture must match. A requested variant must match (arm64 without variant counts as v8);
    without a requested variant, an entry with the default variant (or none) is preferred.
    """
    wanted_variant = platform.get("variant")
    candidates = []
    for entry in manifests if isinstance(manifests, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("platform") or {}, dict):
            continue
        plat = entry.get("platform") or {}
        if (str(plat.get("os") or "").lower() != platform["os"]
                or str(plat.get("architecture") or "").lower() != platform["architecture"]):
            continue
        variant = str(plat.get("variant") or "").lower() or _default_variant(platform["architecture"])
        if wanted_variant:
            if variant == wanted_variant or (variant is None and wanted_variant == _default_variant(platform["architecture"])):
                candidates.append(entry)
        else:
            candidates.append(entry)
    if not candidates:
        return None
    if not wanted_variant:
        default = _default_variant(platform["architecture"])
        for entry in candidates:
            if (entry.get("platform") or {}).get("variant") in (None, "", default):
                return entry
    return candidates[0]


# -- credentials and schemes -------------------------------------------------------------------------
def find_credentials(registry: str, credentials: Iterable[dict[str, Any]] | None) -> tuple[str, str] | None:
    """(username, password) for a registry from a list like eci_image_cache's image_registry_credentials
    (dicts with server, username, password; the API's Server/UserName/Password spelling is accepted too),
    matched by normalised host (Docker Hub aliases count). None when nothing matches."""
    target = normalize_registry(registry)
    for cred in credentials or []:
        server = cred.get("server", cred.get("Server"))
        if server is not None and normalize_registry(server) == target:
            username = cred.get("username", cred.get("UserName", cred.get("user_name")))
            password = cred.get("password", cred.get("Password"))
            if username is not None and password is not None:
                return str(username), str(password)
    return None


def _listed(registry: str, hosts: Iterable[str] | None) -> bool:
    """True when registry (host[:port]) is in hosts: the same host[:port], or a host without port for any port."""
    target = normalize_registry(registry)
    hostname = target.rsplit(":", 1)[0] if not target.endswith("]") else target
    for entry in hosts or []:
        value = normalize_registry(entry)
        if value and (value == target or value == hostname):
            return True
    return False


# -- proxies -----------------------------------------------------------------------------------------
def proxy_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """{'https': url, 'http': url, 'no': entries} from HTTPS_PROXY, HTTP_PROXY and NO_PROXY (proxies.py: lower case wins)."""
    environ = os.environ if environ is None else environ
    found = dict((name, proxy_variable(environ, name)) for name in ("https", "http", "no"))
    return dict((name, value) for name, value in found.items() if value)


def proxy_for(scheme: str, host: str | None, proxies: dict[str, str], port: int | None = None) -> tuple[str, int, str | None] | None:
    """(host, port, authorization header or None) of the proxy to use for scheme://host:port, or None for a direct connection.

    host is the registry's host without port. NO_PROXY follows proxies.bypasses_proxy (host, host:port, domain
    suffix, CIDR, '*'): the same rule as the cloud API calls.
    """
    url = proxies.get(scheme)
    if not url:
        return None
    if bypasses_proxy(host, port, scheme, proxies.get("no")):
        return None
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"the proxy {parts.scheme}://{parts.hostname or ''} is not an http:// proxy URL")
    authorization = None
    if parts.username is not None:
        token = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode("utf-8"))
        authorization = "Basic " + token.decode("ascii")
    return parts.hostname, parts.port or 80, authorization


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port made explicit: what a credential is scoped to."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


class _DeadlineSocket(object):
    """A connected socket whose every wait (send, each recv of the status line, headers and body) is cut to
    what is left before one deadline: http.client reads the status line and headers line by line, so a
    per-socket timeout alone lets a peer trickling one byte a second hold the read for ever."""

    def __init__(self, sock: socket.socket, left: Callable[[], float]) -> None:
        self._sock = sock
        self._left = left

    def _arm(self) -> None:
        left = self._left()
        if left <= 0:
            raise socket.timeout("the deadline has passed")
        self._sock.settimeout(left)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        return self._sock.recv_into(buffer, nbytes, flags)

    def recv(self, size: int, flags: int = 0) -> bytes:
        self._arm()
        return self._sock.recv(size, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._arm()
        self._sock.sendall(data, flags)

    def makefile(self, mode: str = "rb", buffering: int = -1, **kwargs: Any) -> Any:
        if mode != "rb":
            raise ValueError("only binary reads are supported")
        # Counted like socket.makefile: closing the connection then leaves the socket open for the response's body.
        self._sock._io_refs += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"), READ_CHUNK)  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:
        self._sock._decref_socketios()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


# -- the client --------------------------------------------------------------------------------------
class RegistryClient(object):
    """Reads manifests and config blobs from registries. One instance may measure many images.

    credentials: list of dicts (server, username, password). plain_http_registries / insecure_registries:
    lists of host or host:port. connect_timeout / read_timeout: seconds per connection attempt and per
    socket read. retries: extra attempts on 429, 5xx and connections reset (jittered exponential backoff
    from backoff seconds, each sleep at most max_backoff). max_seconds: ONE wall-clock deadline for each image's
    read (measure() or resolve(): its manifests, config blob and tokens, their connects, status lines, headers,
    bodies, attempts and pauses): every socket wait is cut to what is left of it (_DeadlineSocket). The reasons of
    FAIL_FAST_REASONS are never retried. environ: where HTTPS_PROXY, HTTP_PROXY and NO_PROXY
    are read (os.environ by default; proxies.py). clock / sleep: injectable for tests.

    Credentials (HTTP Basic, or a Bearer token) go only to the scheme, host and port the registry was configured
    for, and to its token service (the realm the registry names, Docker's rule), never over plain http unless the
    registry (or the realm) is in plain_http_registries. Redirects are followed only to https (or http for such a
    registry), and drop the Authorization header when they leave the origin.
    """

    def __init__(self, credentials: Iterable[dict[str, Any]] | None = None, plain_http_registries: Iterable[str] | None = None,
                 insecure_registries: Iterable[str] | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT, retries: int = 3, backoff: float = 0.5,
                 max_backoff: float = 8.0, max_seconds: float = 60.0, user_agent: str | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 environ: Mapping[str, str] | None = None) -> None:
        self.credentials = list(credentials or [])
        self.plain_http = list(plain_http_registries or [])
        self.insecure = list(insecure_registries or [])
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.max_seconds = float(max_seconds)
        self.user_agent = user_agent or "alibabacloud.eci-registry-reader"
        self.clock = clock
        self.sleep = sleep
        self.proxies = proxy_settings(environ)
        self._tokens = {}  # (registry, scope) -> Authorization header value
        # Every form in which a registry or token service could echo a credential (masking.credential_forms).
        self.secret_forms = []
        for cred in self.credentials:
            self.secret_forms.extend(credential_forms(cred.get("username", cred.get("UserName", cred.get("user_name"))),
                                                      cred.get("password", cred.get("Password"))))

    # -- public ------------------------------------------------------------------------------------
    def measure(self, image: str, platform: str | None = None) -> dict[str, Any]:
        """Measure one image; returns a dict:

        image, registry (API host), repository, reference (tag or digest), tag, digest (of the image manifest
        that was measured), index_digest (of the index / manifest list, or None), platform ("linux/amd64"),
        compressed_size (bytes: the sum of the layer sizes), uncompressed_size (bytes, or None when the
        registry does not state it: the usual case), layers (count), media_type (of the image manifest).

        Raises ValueError for a malformed reference or platform, RegistryError otherwise.
        """
        ref = parse_reference(image)
        wanted = parse_platform(platform or DEFAULT_PLATFORM)
        ctx = _Context(self, image, ref)
        body, media_type, digest = self._manifest(ctx, ref["reference"])
        index_digest = None
        selected_platform = None
        if media_type in INDEX_TYPES:
            index_digest = digest
            entry = _platform_entry(ctx, body, wanted)
            selected_platform = entry.get("platform") or {}
            body, media_type, digest = self._manifest(ctx, entry.get("digest"))
            if media_type in INDEX_TYPES:
                raise ctx.error("invalid", f"the manifest chosen for {format_platform(wanted)} is itself an index")
        layers = body.get("layers")
        if not isinstance(layers, list) or not all(isinstance(layer, dict) for layer in layers):
            raise ctx.error("invalid", "the image manifest has no layer list")
        sizes = []
        for layer in layers:
            size = layer.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise ctx.error("invalid", "a layer of the image manifest has no valid size")
            sizes.append(size)
        config = self._config(ctx, body.get("config"))
        if selected_platform is None:
            selected_platform = {k: config.get(k) for k in ("os", "architecture", "variant") if config.get(k)}
        uncompressed = None
        if layers and all(layer.get("mediaType") in UNCOMPRESSED_LAYER_TYPES for layer in layers):
            uncompressed = sum(sizes)
        return {
            "image": image,
            "registry": ref["registry"],
            "repository": ref["repository"],
            "reference": ref["reference"],
            "tag": ref["tag"],
            "digest": digest,
            "index_digest": index_digest,
            "platform": format_platform(selected_platform) if selected_platform else format_platform(wanted),
            "compressed_size": sum(sizes),
            "uncompressed_size": uncompressed,
            "layers": len(layers),
            "media_type": media_type,
        }

    def resolve(self, image: str, platform: str | None = None) -> dict[str, Any]:
        """The manifest digest the registry resolves an image reference to, for one platform; one manifest read.

        Returns a dict: image, digest, index_digest (of the index / manifest list, or None) and pinned. For an
        index / manifest list, digest is that of the platform's entry (what a pull for that platform fetches);
        for an image manifest, the registry's Docker-Content-Digest header, or the sha256 of the body when the
        registry sends none. A reference pinned by digest is not read: its digest is the pinned one (pinned true).
        Raises ValueError for a malformed reference or platform, RegistryError otherwise.
        """
        ref = parse_reference(image)
        wanted = parse_platform(platform or DEFAULT_PLATFORM)
        if ref["digest"]:
            return {"image": image, "digest": ref["digest"], "index_digest": None, "pinned": True}
        ctx = _Context(self, image, ref)
        body, media_type, digest = self._manifest(ctx, ref["reference"])
        index_digest = None
        if media_type in INDEX_TYPES:
            index_digest = digest
            digest = _platform_entry(ctx, body, wanted).get("digest")
            if not isinstance(digest, str) or not DIGEST_RE.match(digest):
                raise ctx.error("invalid", f"the index entry for {format_platform(wanted)} has no valid digest")
        return {"image": image, "digest": digest, "index_digest": index_digest, "pinned": False}

    # -- documents ---------------------------------------------------------------------------------
    def _manifest(self, ctx: _Context, reference: Any) -> tuple[dict[str, Any], str, str]:
        if not isinstance(reference, str) or not (DIGEST_RE.match(reference) or TAG_RE.match(reference)):
            raise ctx.error("invalid", "a manifest descriptor has no valid digest")
        dummy, headers, body = self._get(ctx, f"/v2/{ctx.ref['repository']}/manifests/{reference}", {"Accept": ACCEPT},
                                         MAX_MANIFEST_BYTES, "manifest")
        try:
            document = load_json(body)
        except ValueError as exc:
            raise ctx.error("invalid", f"the manifest is not JSON ({exc})")
        if not isinstance(document, dict):
            raise ctx.error("invalid", "the manifest is not a JSON object")
        media_type = document.get("mediaType") or (headers.get("content-type") or "").split(";")[0].strip()
        if not media_type:
            media_type = MEDIA_OCI_INDEX if "manifests" in document else MEDIA_OCI_MANIFEST
        if document.get("schemaVersion") == 1 or media_type.startswith("application/vnd.docker.distribution.manifest.v1"):
            raise ctx.error("invalid", "the registry answered a Docker schema 1 manifest, which states no layer sizes")
        if media_type not in INDEX_TYPES + MANIFEST_TYPES:
            raise ctx.error("invalid", f"the manifest has the unsupported media type {media_type}")
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if reference.startswith("sha256:") and reference != digest:
            raise ctx.error("invalid", f"the manifest does not match its digest {reference}")
        if not reference.startswith("sha256:"):
            stated = (headers.get("docker-content-digest") or "").strip()
            if stated and (not DIGEST_RE.match(stated) or (stated.startswith("sha256:") and stated != digest)):
                # The digest is recorded in a tag and compared later: a registry's word for it must be a digest of what it sent.
                raise ctx.error("invalid", "the registry's Docker-Content-Digest is not the digest of the manifest it sent")
            digest = stated or digest
        else:
            digest = reference
        return document, media_type, digest

    def _config(self, ctx: _Context, descriptor: Any) -> dict[str, Any]:
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("digest"), str) or not descriptor["digest"]:
            raise ctx.error("invalid", "the image manifest has no config descriptor")
        digest = descriptor["digest"]
        if not DIGEST_RE.match(digest):
            raise ctx.error("invalid", "the config descriptor has no valid digest")
        dummy = descriptor.get("mediaType") == "application/vnd.oci.empty.v1+json"
        if dummy or (isinstance(descriptor.get("size"), int) and descriptor["size"] > MAX_CONFIG_BYTES):
            return {}
        dummy, dummy_headers, body = self._get(ctx, f"/v2/{ctx.ref['repository']}/blobs/{digest}", {}, MAX_CONFIG_BYTES, "config blob")
        if digest.startswith("sha256:") and "sha256:" + hashlib.sha256(body).hexdigest() != digest:
            raise ctx.error("invalid", f"the config blob does not match its digest {digest}")
        try:
            config = load_json(body)
        except ValueError:
            return {}  # an artifact's config need not be JSON; sizes come from the manifest anyway
        return config if isinstance(config, dict) else {}

    # -- HTTP --------------------------------------------------------------------------------------
    def _get(self, ctx: _Context, path: str, headers: dict[str, str], limit: int, what: str) -> tuple[int, dict[str, str], bytes]:
        """GET with authentication, bounded retries and redirects; returns (status, headers, body) of a 200."""
        deadline = ctx.deadline
        attempt = 0
        authorization = self._tokens.get((ctx.registry, ctx.scope))
        challenged = False
        while True:
            attempt += 1
            try:
                status, resp_headers, body = self._fetch(ctx, ctx.base + path, headers, authorization, limit, deadline)
            except _Unreachable as exc:
                if exc.reason in FAIL_FAST_REASONS or attempt > self.retries or not self._pause(attempt, deadline, None):
                    raise ctx.error("unreachable", f"cannot read the {what} ({exc}{'' if attempt == 1 else f', {attempt} attempts'})",
                                    reason=exc.reason)
                continue
            if status == 200:
                return status, resp_headers, body
            if status == 401 and not challenged:
                challenged = True
                authorization = self._authenticate(ctx, resp_headers.get("www-authenticate") or "")
                attempt -= 1  # answering a challenge is not a retry
                continue
            if status in RETRY_STATUSES and attempt <= self.retries and self._pause(attempt, deadline, resp_headers.get("retry-after")):
                continue
            raise self._status_error(ctx, status, body, what, attempt)

    def _pause(self, attempt: int, deadline: float, retry_after: str | None) -> bool:
        """Sleep before the next attempt (full jitter); False when the time bound does not allow one."""
        delay = random.uniform(0, min(self.max_backoff, self.backoff * (2 ** (attempt - 1))))
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), self.max_backoff))
            except ValueError:
                pass
        if self.clock() + delay >= deadline:
            return False
        self.sleep(delay)
        return True

    def _status_error(self, ctx: _Context, status: int, body: bytes, what: str, attempts: int) -> RegistryError:
        detail = _registry_error_detail(body)
        suffix = f" (HTTP {status}{': ' + detail if detail else ''}{f', after {attempts} attempts' if attempts > 1 else ''})"
        if status in (401, 403):
            creds = f"the credentials for {ctx.domain} were refused" if ctx.creds else f"no credentials for {ctx.domain} were given"
            return ctx.error("unauthorized", f"access to the {what} was denied: {creds}{suffix}", status)
        if status == 404:
            return ctx.error("not_found", f"the {what} was not found{suffix}", status)
        if status in RETRY_STATUSES:
            return ctx.error("unreachable", f"the registry did not serve the {what}{suffix}", status)
        return ctx.error("invalid", f"the registry refused to serve the {what}{suffix}", status)

    def _authenticate(self, ctx: _Context, challenge: str) -> str:  # pylint: disable=too-many-branches
        """Answer a 401 challenge; returns the Authorization header value for the retry."""
        scheme, params = parse_challenge(challenge)
        if scheme == "basic":
            if not ctx.creds:
                raise ctx.error("unauthorized", f"the registry requires a login (HTTP Basic): no credentials for {ctx.domain} were given", 401)
            value = _basic(ctx.creds)
        elif scheme == "bearer":
            value = "Bearer " + self._token(ctx, params)
        else:
            raise ctx.error("unauthorized", "the registry requires authentication with an unsupported challenge "
                            f"{(challenge or '').split(' ', 1)[0] or '(none)'!r}", 401)
        self._tokens[(ctx.registry, ctx.scope)] = value
        return value

    def _token(self, ctx: _Context, params: dict[str, str]) -> str:
        realm = params.get("realm")
        if not realm:
            raise ctx.error("invalid", "the registry's Bearer challenge has no realm", 401)
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.hostname or _bad_port(parts):
            raise ctx.error("invalid", "the registry's token realm is not an http(s) URL", 401)
        if parts.scheme == "http" and not _listed(parts.netloc, self.plain_http):
            # Docker's rule: the token service is the realm the registry names (any host), but a password or a token
            # never travels in clear text unless that host is listed as plain http.
            raise ctx.error("invalid", f"the registry {ctx.domain} names a plain http token service ({parts.hostname}); it is not "
                            "used unless listed in plain_http_registries", 401)
        query = [("service", params["service"])] if params.get("service") else []
        query.append(("scope", params.get("scope") or ctx.scope))
        url = realm + ("&" if "?" in realm else "?") + urlencode(query)
        deadline = ctx.deadline
        attempt = 0
        while True:
            attempt += 1
            try:
                status, headers, body = self._fetch(ctx, url, {"Accept": "application/json"}, _basic(ctx.creds) if ctx.creds else None,
                                                    MAX_MANIFEST_BYTES, deadline)
            except _Unreachable as exc:
                if exc.reason in FAIL_FAST_REASONS or attempt > self.retries or not self._pause(attempt, deadline, None):
                    raise ctx.error("unreachable", f"cannot get a token from the registry's token service {parts.hostname} ({exc})",
                                    reason=exc.reason)
                continue
            if status in RETRY_STATUSES and attempt <= self.retries and self._pause(attempt, deadline, headers.get("retry-after")):
                continue
            break
        if status in (401, 403):
            why = f"the credentials for {ctx.domain} were refused" if ctx.creds else "anonymous access was refused"
            raise ctx.error("unauthorized", f"the token service {parts.hostname} denied a token: {why} (HTTP {status})", status)
        if status != 200:
            raise ctx.error("unreachable" if status in RETRY_STATUSES else "invalid",
                            f"the token service {parts.hostname} answered HTTP {status}", status)
        try:
            answer = load_json(body)
        except ValueError:
            answer = None
        token = (answer.get("token") or answer.get("access_token")) if isinstance(answer, dict) else None
        if not token or not isinstance(token, str):
            raise ctx.error("invalid", f"the token service {parts.hostname} answered no token")
        return token

    def _fetch(self, ctx: _Context, url: str, headers: dict[str, str], authorization: str | None, limit: int,
               deadline: float) -> tuple[int, dict[str, str], bytes]:
        """One GET (following redirects); Authorization only goes to the scheme, host and port of url.

        Redirects are followed only to https, or to http from a plain-http registry or to a host of
        plain_http_registries; anything else (https to http, file://, ftp://, a bad port) is an invalid answer. deadline (of self.clock): every socket wait
        (connect, the status line, each header, the body) is cut to what is left of it (_DeadlineSocket), so a
        registry that trickles bytes cannot hold the module beyond max_seconds."""
        scope = origin(url)
        for dummy in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            request_headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
            request_headers.update(headers)
            if authorization and origin(url) == scope:
                request_headers["Authorization"] = authorization
            path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
            try:
                proxy = proxy_for(parts.scheme, parts.hostname, self.proxies, parts.port)
            except ValueError as exc:
                raise _Unreachable(f"{exc}", "proxy")
            conn = self._connection(parts, ctx, proxy, self._remaining(deadline, self.connect_timeout, parts.netloc))

            def left() -> float:
                return min(self.read_timeout, deadline - self.clock())

            if proxy and parts.scheme == "https":
                # The proxy's answer to CONNECT is read inside connect(): its waits are cut to the deadline too.
                conn._create_connection = _deadline_connector(left)  # type: ignore[attr-defined]
            if proxy and parts.scheme == "http":
                # A plain-http request goes to the proxy with the absolute URL.
                path = f"http://{parts.netloc}{path}"
                if proxy[2]:
                    request_headers["Proxy-Authorization"] = proxy[2]
            via = f" via the proxy {proxy[0]}:{proxy[1]}" if proxy else ""
            try:
                try:
                    conn.connect()
                except (OSError, http.client.HTTPException) as exc:
                    reason = _reason(exc, "connect", proxy)
                    text = (f"no connection to {parts.netloc} within {self.connect_timeout:g} seconds"
                            if reason == "connect_timeout" else _describe(exc, parts.netloc, proxy))
                    raise _Unreachable(text + via, reason)
                # Every later wait is cut to the deadline; kept: getresponse() drops conn.sock when the server closes.
                sock = conn.sock if isinstance(conn.sock, _DeadlineSocket) else _DeadlineSocket(conn.sock, left)
                conn.sock = sock
                try:
                    sock.settimeout(self._remaining(deadline, self.read_timeout, parts.netloc))
                    conn.request("GET", path, headers=request_headers)
                    response = conn.getresponse()
                    body = self._read_body(response, sock, limit, deadline, parts.netloc)
                except (TimeoutError, socket.timeout) as exc:
                    if self.clock() >= deadline - DEADLINE_SLACK:
                        raise self._too_slow(parts.netloc)  # the wait was cut short by the deadline
                    raise _Unreachable(_describe(exc, parts.netloc) + via, _reason(exc, "read", proxy))
                except (OSError, http.client.HTTPException) as exc:
                    raise _Unreachable(_describe(exc, parts.netloc) + via, _reason(exc, "read", proxy))
                if len(body) > limit:
                    raise ctx.error("invalid", f"the registry answered more than {limit} bytes")
                resp_headers = dict((k.lower(), v) for k, v in response.getheaders())
                if response.status in (301, 302, 303, 307, 308) and resp_headers.get("location"):
                    url = self._redirect(ctx, url, resp_headers["location"])
                    continue
                return response.status, resp_headers, body
            finally:
                conn.close()
        raise ctx.error("invalid", "too many redirects")

    def _redirect(self, ctx: _Context, url: str, location: str) -> str:
        """The URL a redirect leads to, when it may be followed; RegistryError invalid otherwise."""
        try:
            target = urljoin(url, location)
            parts = urlsplit(target)
        except ValueError:
            raise ctx.error("invalid", "the registry redirected to a malformed URL") from None
        scheme = (parts.scheme or "").lower()
        if scheme not in ("http", "https") or not parts.hostname or _bad_port(parts):
            raise ctx.error("invalid", f"the registry redirected to a {scheme or 'scheme-less'}:// URL, which is not followed "
                            "(only https, or http for plain_http_registries)")
        # A plain-http registry (listed) may send the reader on in plain http; an https answer may not downgrade it.
        if scheme == "http" and urlsplit(url).scheme != "http" and not _listed(parts.netloc, self.plain_http):
            raise ctx.error("invalid", f"the registry redirected from https to plain http ({parts.hostname}), which is not "
                            "followed: nothing is read or sent in clear text unless the host is listed in plain_http_registries")
        return target

    def _remaining(self, deadline: float, timeout: float, netloc: str) -> float:
        """The socket timeout for the next wait: timeout, cut to what is left before deadline; _Unreachable when none is."""
        left = deadline - self.clock()
        if left <= 0:
            raise self._too_slow(netloc)
        return min(timeout, left)

    def _too_slow(self, netloc: str) -> _Unreachable:
        return _Unreachable(f"{netloc} did not answer within max_seconds ({self.max_seconds:g} seconds)", "read_timeout")

    def _read_body(self, response: http.client.HTTPResponse, sock: socket.socket, limit: int, deadline: float, netloc: str) -> bytes:
        """The body, at most limit + 1 bytes, read chunk by chunk (read1: one socket read each) within deadline."""
        chunks, size = [], 0
        # isclosed(): since Python 3.13, read1() closes the response (and so the socket) once the body is complete
        while size <= limit and not response.isclosed():
            sock.settimeout(self._remaining(deadline, self.read_timeout, netloc))
            chunk = response.read1(min(READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)

    def _connection(self, parts: SplitResult, ctx: _Context, proxy: tuple[str, int, str | None] | None = None,
                    timeout: float | None = None) -> http.client.HTTPConnection:
        """The connection for one request: direct, or to the proxy (a CONNECT tunnel for https)."""
        timeout = self.connect_timeout if timeout is None else timeout
        port = parts.port
        if parts.scheme == "http":
            if proxy:
                return http.client.HTTPConnection(proxy[0], proxy[1], timeout=timeout)
            return http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
        context = ssl.create_default_context()
        if _listed(parts.netloc, self.insecure) or (parts.netloc == ctx.host_port and ctx.insecure):
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if proxy:
            # TLS runs through the tunnel with the registry's name (SNI and certificate check).
            conn = http.client.HTTPSConnection(proxy[0], proxy[1], timeout=timeout, context=context)
            conn.set_tunnel(parts.hostname, port or 443, headers={"Proxy-Authorization": proxy[2]} if proxy[2] else None)
            return conn
        return http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=context)


def _platform_entry(ctx: _Context, index: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The descriptor of an index / manifest list for the wanted platform; RegistryError not_found naming the others."""
    manifests = index.get("manifests")
    entry = select_platform(manifests, wanted)
    if entry is None:
        entries = manifests if isinstance(manifests, list) else []
        available = sorted(set(format_platform(m.get("platform")) for m in entries
                               if isinstance(m, dict) and isinstance(m.get("platform"), dict)
                               and m["platform"].get("os") not in (None, "unknown")))
        shown = ", ".join(available[:PLATFORMS_SHOWN]) or "none"
        if len(available) > PLATFORMS_SHOWN:
            shown += f" and {len(available) - PLATFORMS_SHOWN} more"
        raise ctx.error("not_found", f"has no manifest for platform {format_platform(wanted)} (available: {shown})")
    return entry


def _deadline_connector(left: Callable[[], float]) -> Callable[..., Any]:
    """socket.create_connection whose socket cuts every later wait to left() seconds (_DeadlineSocket)."""
    def connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> _DeadlineSocket:
        return _DeadlineSocket(socket.create_connection(address, timeout, source_address), left)
    return connect


def _bad_port(parts: SplitResult) -> bool:
    """True when a URL's port is not a number from 1 to 65535."""
    try:
        port = parts.port
    except ValueError:
        return True
    return port is not None and not 0 < port < 65536


class _Unreachable(Exception):
    """A connection-level failure; reason is one of REASONS. Fails at once, or (reset) is retried."""

    def __init__(self, message: str, reason: str) -> None:
        super(_Unreachable, self).__init__(message)
        self.reason = reason


def _reason(exc: Exception, phase: str, proxy: tuple[str, int, str | None] | None = None) -> str:
    """The REASONS entry of a connection failure in phase connect or read."""
    if isinstance(exc, socket.gaierror):
        return "proxy" if proxy else "dns"
    if isinstance(exc, ssl.SSLError):
        return "tls"
    if isinstance(exc, ConnectionRefusedError):
        return "proxy" if proxy else "refused"
    if isinstance(exc, OSError) and exc.errno in (101, 113):  # ENETUNREACH, EHOSTUNREACH
        return "no_route"
    if isinstance(exc, OSError) and "Tunnel connection failed" in str(exc):
        return "proxy"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "connect_timeout" if phase == "connect" else "read_timeout"
    return "reset"


class _Context(object):
    """What one measurement needs to know: the reference, its registry, credentials, the base URL."""

    def __init__(self, client: RegistryClient, image: str, ref: dict[str, Any]) -> None:
        self.client = client
        self.image = image
        self.ref = ref
        self.domain = ref["domain"]
        self.registry = ref["registry"]
        self.host_port = ref["registry"]
        self.scope = f"repository:{ref['repository']}:pull"
        self.creds = find_credentials(ref["domain"], client.credentials)
        plain = _listed(ref["domain"], client.plain_http) or _listed(ref["registry"], client.plain_http)
        self.insecure = _listed(ref["domain"], client.insecure) or _listed(ref["registry"], client.insecure)
        self.base = ("http://" if plain else "https://") + ref["registry"]
        # One wall-clock deadline for everything this image's read does (manifests, config, tokens, retries).
        self.deadline = client.clock() + client.max_seconds

    def error(self, kind: str, what: str, status: int | None = None, reason: str | None = None) -> RegistryError:
        """A RegistryError naming the image and the registry; no credential in any form, no control character,
        at most MESSAGE_MAX characters (the text may come from the registry)."""
        message = f"image {self.image} on registry {self.domain}: {what}"
        secrets = list(self.client.secret_forms)
        if self.creds:
            secrets.extend(credential_forms(*self.creds))
        return RegistryError(kind, printable(mask(message, secrets), MESSAGE_MAX), image=self.image, registry=self.domain,
                             status=status, reason=reason)


def _basic(creds: tuple[str, str]) -> str:
    token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode("utf-8")).decode("ascii")
    return "Basic " + token


def _describe(exc: Exception, netloc: str, proxy: tuple[str, int, str | None] | None = None) -> str:
    if proxy and isinstance(exc, (socket.gaierror, ConnectionRefusedError)):
        return f"cannot connect to the proxy {proxy[0]}:{proxy[1]} ({exc.strerror or exc.__class__.__name__})"
    if isinstance(exc, socket.gaierror):
        host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        return f"the name {host} does not resolve ({exc.strerror or 'DNS error'})"
    if isinstance(exc, ssl.SSLError):
        return (f"TLS error with {netloc}: {getattr(exc, 'reason', None) or exc.__class__.__name__}; if it serves plain http, "
                "list it in plain_http_registries")
    if isinstance(exc, TimeoutError) or exc.__class__.__name__ == "timeout":
        return f"timed out talking to {netloc}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection to {netloc} refused"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{netloc}: {exc.strerror}"
    return f"{netloc}: {exc.__class__.__name__}"


def _registry_error_detail(body: bytes) -> str:
    """The first code/message of a registry error body ({"errors": [{"code", "message"}]}), short."""
    try:
        errors = load_json(body).get("errors") or []
        first = errors[0]
        text = " ".join(str(first.get(k)) for k in ("code", "message") if first.get(k))
    except (ValueError, AttributeError, IndexError, TypeError, KeyError):
        return ""
    return printable(text, 200)


def load_json(body: bytes) -> Any:
    """A registry's JSON document; ValueError (never RecursionError) for text that is not JSON or nested too deep."""
    try:
        return json.loads(body.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc.__class__.__name__}") from None


def parse_challenge(header: str | None) -> tuple[str, dict[str, str]]:
    """'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' -> ('bearer', {realm:..., service:...})."""
    header = (header or "").strip()
    if not header:
        return "", {}
    scheme, _sep, rest = header.partition(" ")
    params = {}
    for match in re.finditer(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', rest):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
    return scheme.lower(), params


# -- module-facing helpers ---------------------------------------------------------------------------
def measure_images(images: Iterable[str], credentials: Iterable[dict[str, Any]] | None = None, platform: str | None = None,
                   plain_http_registries: Iterable[str] | None = None, insecure_registries: Iterable[str] | None = None,
                   **options: Any) -> tuple[list[dict[str, Any]], int, list[str]]:
    """Measure several images with one client (tokens are reused). Never raises for one image:

    returns (reports, total_bytes, unmeasured) where reports has one dict per image, either RegistryClient.measure()'s
    result or {"image": ..., "error": {"kind": ..., "reason": ..., "registry": ..., "message": ...}};
    total_bytes sums the measured compressed sizes; unmeasured lists the images that could not be measured.
    Once a registry proves unreachable (a reason of FAIL_FAST_REASONS), its other images are not tried:
    each costs no more time. plan_sizes() of size_plan.py judges the reports.
    """
    client = RegistryClient(credentials=credentials, plain_http_registries=plain_http_registries,
                            insecure_registries=insecure_registries, **options)
    reports = _each_image(images, lambda image: client.measure(image, platform=platform))
    unmeasured = [report["image"] for report in reports if "error" in report]
    total = sum(report["compressed_size"] for report in reports if "error" not in report)
    return reports, total, unmeasured


def resolve_digests(images: Iterable[str], credentials: Iterable[dict[str, Any]] | None = None, platform: str | None = None,
                    plain_http_registries: Iterable[str] | None = None, insecure_registries: Iterable[str] | None = None,
                    **options: Any) -> list[dict[str, Any]]:
    """RegistryClient.resolve() for several images with one client (tokens are reused). Never raises for one image:

    returns one dict per image, resolve()'s result or {"image": ..., "error": {...}} as in measure_images(), whose
    rule for unreachable registries it shares (their other images are not tried).
    """
    client = RegistryClient(credentials=credentials, plain_http_registries=plain_http_registries,
                            insecure_registries=insecure_registries, **options)
    return _each_image(images, lambda image: client.resolve(image, platform=platform))


def _each_image(images: Iterable[str], read: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    """read(image) for every image; errors become {"image", "error"} reports. Once a registry proves unreachable
    (a reason of FAIL_FAST_REASONS), its other images are not tried: each costs no more time."""
    reports = []
    unreachable = {}  # registry -> the error that showed it cannot be reached
    for image in images:
        try:
            domain = parse_reference(image)["domain"]
        except ValueError:
            domain = None
        if domain in unreachable:
            first = unreachable[domain]
            reports.append(dict(image=image, error=dict(
                kind="unreachable", reason=first.reason, registry=domain,
                message=f"image {image} on registry {domain}: not tried, the registry could not be reached for {first.image}")))
            continue
        try:
            reports.append(read(image))
        except RegistryError as error:
            if error.kind == "unreachable" and error.reason in FAIL_FAST_REASONS and domain:
                unreachable[domain] = error
            reports.append(dict(image=image, error=dict(kind=error.kind, reason=error.reason, registry=error.registry,
                                                        message=str(error))))
        except ValueError as error:
            reports.append(dict(image=image, error=dict(kind="invalid", message=str(error))))
        except Exception as error:  # pylint: disable=broad-except
            # A hostile answer must be a report naming the image and the registry, never a traceback.
            reports.append(dict(image=image, error=dict(
                kind="invalid", reason=None, registry=domain,
                message=f"image {image} on registry {domain}: the registry's answer could not be read ({error.__class__.__name__})")))
    return reports
