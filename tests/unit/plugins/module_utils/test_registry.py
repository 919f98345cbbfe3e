# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the registry reader: reference parsing, platforms, authentication flows against an in-process
HTTP registry, retries with a fake clock, errors without passwords, cache sizing; and the real docker-registry
(Debian package) when it is installed or installable."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import registry as reg
from ansible_collections.alibabacloud.eci.plugins.module_utils.registry import (
    measure_images,
    RegistryClient,
    RegistryError,
    parse_challenge,
    parse_reference,
    resolve_digests,
)

PASSWORD = "Sup3r-S3cret-P@ss"
SHA = "sha256:" + "a" * 64


# -- reference parsing ------------------------------------------------------------------------------
@pytest.mark.parametrize("image, registry, repository, tag, digest, reference", [
    ("nginx", "registry-1.docker.io", "library/nginx", "latest", None, "latest"),
    ("nginx:1.25", "registry-1.docker.io", "library/nginx", "1.25", None, "1.25"),
    ("library/nginx", "registry-1.docker.io", "library/nginx", "latest", None, "latest"),
    ("user/app", "registry-1.docker.io", "user/app", "latest", None, "latest"),
    ("docker.io/nginx", "registry-1.docker.io", "library/nginx", "latest", None, "latest"),
    ("docker.io/user/app:2", "registry-1.docker.io", "user/app", "2", None, "2"),
    ("index.docker.io/library/redis:7", "registry-1.docker.io", "library/redis", "7", None, "7"),
    ("registry-1.docker.io/busybox", "registry-1.docker.io", "library/busybox", "latest", None, "latest"),
    ("localhost/app", "localhost", "app", "latest", None, "latest"),
    ("localhost:5000/app:1", "localhost:5000", "app", "1", None, "1"),
    ("127.0.0.1:5000/team/app:v1.2.3", "127.0.0.1:5000", "team/app", "v1.2.3", None, "v1.2.3"),
    ("registry.cn-hangzhou.aliyuncs.com/ns/app:1.0", "registry.cn-hangzhou.aliyuncs.com", "ns/app", "1.0", None, "1.0"),
    ("Registry.Example.COM/a/b/c", "registry.example.com", "a/b/c", "latest", None, "latest"),
    ("nginx@" + SHA, "registry-1.docker.io", "library/nginx", None, SHA, SHA),
    ("example.com:443/app:1.0@" + SHA, "example.com:443", "app", "1.0", SHA, SHA),
    ("my-reg.io/a__b/c.d-e_f:tag_1", "my-reg.io", "a__b/c.d-e_f", "tag_1", None, "tag_1"),
])
def test_parse_reference(image, registry, repository, tag, digest, reference):
    ref = parse_reference(image)
    assert (ref["registry"], ref["repository"], ref["tag"], ref["digest"], ref["reference"]) == (registry, repository, tag, digest, reference)


def test_parse_reference_docker_hub_domain_and_name():
    ref = parse_reference("nginx")
    assert ref["domain"] == "docker.io"
    assert ref["name"] == "docker.io/library/nginx"
    assert parse_reference("localhost:5000/app")["name"] == "localhost:5000/app"


@pytest.mark.parametrize("image, words", [
    ("", "empty"),
    ("   ", "empty"),
    ("https://registry.example.com/app", "scheme"),
    ("Nginx", "lower case"),
    ("docker.io/User/app", "lower case"),
    ("nginx:", "not a valid tag"),
    ("nginx:-bad", "not a valid tag"),
    ("nginx:" + "t" * 129, "not a valid tag"),
    ("nginx@sha256:abc", "digest"),
    ("nginx@sha256:" + "A" * 64, "64 lower-case"),
    ("nginx@" + "z" * 64, "digest"),
    ("reg.io/", "repository name is missing"),
    ("reg.io//app", "not a valid repository name"),
    ("reg.io/app-/x", "not a valid repository name"),
    ("reg.io/_app", "not a valid repository name"),
    ("-bad.io:5000/app", "registry"),
    ("nginx latest", "white space"),
    ("reg.io/" + "a" * 260, "longer than"),
    (None, "must be a string"),
])
def test_parse_reference_rejects_malformed(image, words):
    with pytest.raises(ValueError) as info:
        parse_reference(image)
    assert words in str(info.value)
    assert "invalid" in str(info.value)


@pytest.mark.parametrize("text, expected", [
    ("linux/amd64", {"os": "linux", "architecture": "amd64", "variant": None}),
    ("linux/arm64/v8", {"os": "linux", "architecture": "arm64", "variant": "v8"}),
    ("Linux/x86_64", {"os": "linux", "architecture": "amd64", "variant": None}),
    ("linux/aarch64", {"os": "linux", "architecture": "arm64", "variant": None}),
])
def test_parse_platform(text, expected):
    assert reg.parse_platform(text) == expected


@pytest.mark.parametrize("text", ["linux", "linux/amd64/v1/x", "linux/am d64", "/"])
def test_parse_platform_rejects(text):
    with pytest.raises(ValueError, match="invalid platform"):
        reg.parse_platform(text)


def _entry(digest, os_name, arch, variant=None):
    platform = {"os": os_name, "architecture": arch}
    if variant:
        platform["variant"] = variant
    return {"digest": digest, "platform": platform}


INDEX_ENTRIES = [
    _entry("d-amd64", "linux", "amd64"),
    _entry("d-armv6", "linux", "arm", "v6"),
    _entry("d-armv7", "linux", "arm", "v7"),
    _entry("d-arm64", "linux", "arm64", "v8"),
    _entry("d-win", "windows", "amd64"),
    _entry("d-att", "unknown", "unknown"),
]


@pytest.mark.parametrize("platform, digest", [
    ("linux/amd64", "d-amd64"),
    ("linux/arm64", "d-arm64"),
    ("linux/arm64/v8", "d-arm64"),
    ("linux/arm", "d-armv7"),
    ("linux/arm/v6", "d-armv6"),
    ("windows/amd64", "d-win"),
    ("linux/s390x", None),
    ("linux/arm/v5", None),
])
def test_select_platform(platform, digest):
    entry = reg.select_platform(INDEX_ENTRIES, reg.parse_platform(platform))
    assert (entry or {}).get("digest") == digest


def test_select_platform_arm64_without_variant_matches_v8():
    entries = [_entry("x", "linux", "arm64")]
    assert reg.select_platform(entries, reg.parse_platform("linux/arm64/v8"))["digest"] == "x"


@pytest.mark.parametrize("header, scheme, params", [
    ('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
     "bearer", {"realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/nginx:pull"}),
    ('Basic realm="registry"', "basic", {"realm": "registry"}),
    ('Bearer realm=https://x/t, service=svc', "bearer", {"realm": "https://x/t", "service": "svc"}),
    ('', "", {}),
])
def test_parse_challenge(header, scheme, params):
    assert parse_challenge(header) == (scheme, params)


@pytest.mark.parametrize("server, registry, found", [
    ("docker.io", "docker.io", True),
    ("https://index.docker.io/v1/", "docker.io", True),
    ("registry-1.docker.io", "docker.io", True),
    ("REG.example.com", "reg.example.com", True),
    ("reg.example.com:5000", "reg.example.com", False),
    ("other.example.com", "reg.example.com", False),
])
def test_find_credentials(server, registry, found):
    creds = [{"server": server, "username": "u", "password": "p"}]
    assert (reg.find_credentials(registry, creds) == ("u", "p")) is found


def test_find_credentials_api_spelling():
    assert reg.find_credentials("r.io", [{"Server": "r.io", "UserName": "u", "Password": "p"}]) == ("u", "p")


# -- errors ------------------------------------------------------------------------------------------
def test_registry_error_kind_checked():
    with pytest.raises(ValueError):
        dummy = RegistryError("boom", "x")  # noqa: F841  the constructor raises
    error = RegistryError("not_found", "m", image="i", registry="r", status=404)
    assert vars(error) == {"kind": "not_found", "message": "m", "image": "i", "registry": "r", "status": 404, "reason": None}


# -- an in-process registry -------------------------------------------------------------------------
def _json(document):
    return json.dumps(document, separators=(",", ":")).encode()


def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class FakeRegistry:
    """A registry (and token service) in a thread. auth: None, 'basic' or 'bearer'. Records every request."""

    def __init__(self, auth=None, user="puller", password=PASSWORD):
        self.auth = auth
        self.user = user
        self.password = password
        self.manifests = {}  # (repo, reference) -> (media type, bytes)
        self.blobs = {}  # digest -> bytes
        self.requests = []
        self.script = []  # statuses to answer first (retries), e.g. [503, 429]
        self.tokens_issued = []
        self.token_key = "token"
        self.digest_header = True  # False: answer manifests without Docker-Content-Digest, as some registries do
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

            def do_GET(self):  # pylint: disable=invalid-name
                outer.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()

    @property
    def host(self):
        return "127.0.0.1:%d" % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def basic_ok(self, header):
        expected = "Basic " + base64.b64encode(("%s:%s" % (self.user, self.password)).encode()).decode()
        return header == expected

    def handle(self, handler):
        url = urlsplit(handler.path)
        header = handler.headers.get("Authorization")
        self.requests.append({"path": url.path, "query": parse_qs(url.query), "authorization": header,
                              "accept": handler.headers.get("Accept")})
        if url.path == "/token":
            if self.auth == "bearer" and header is not None and not self.basic_ok(header):
                return self.send(handler, 401, b'{"details":"incorrect username or password"}')
            token = "tok-%d" % len(self.tokens_issued)
            self.tokens_issued.append({"token": token, "user": header is not None, "query": parse_qs(url.query)})
            return self.send(handler, 200, _json({self.token_key: token}), "application/json")
        if self.script:
            return self.send(handler, self.script.pop(0), b'{"errors":[{"code":"TOOMANY","message":"slow down"}]}')
        if not url.path.startswith("/v2/"):
            return self.send(handler, 404, b"")
        if self.auth == "basic" and not self.basic_ok(header):
            return self.send(handler, 401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                             extra={"WWW-Authenticate": 'Basic realm="fake"'})
        if self.auth == "bearer":
            granted = [t for t in self.tokens_issued if header == "Bearer " + t["token"]]
            if not granted or (self.user_only(url.path) and not granted[0]["user"]):
                challenge = 'Bearer realm="http://%s/token",service="fake-registry"' % self.host
                return self.send(handler, 401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                                 extra={"WWW-Authenticate": challenge})
        parts = url.path[len("/v2/"):].rsplit("/", 2)
        if len(parts) == 3 and parts[1] == "manifests" and (parts[0], parts[2]) in self.manifests:
            media_type, data = self.manifests[(parts[0], parts[2])]
            return self.send(handler, 200, data, media_type, {"Docker-Content-Digest": _digest(data)} if self.digest_header else None)
        if len(parts) == 3 and parts[1] == "blobs" and parts[2] in self.blobs:
            return self.send(handler, 200, self.blobs[parts[2]], "application/octet-stream")
        return self.send(handler, 404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')

    @staticmethod
    def user_only(path):
        return "/private/" in path

    @staticmethod
    def send(handler, status, body, content_type="application/json", extra=None):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    # -- content ----------------------------------------------------------------------------------
    def add_image(self, repo, tag, layer_sizes, platform=("linux", "amd64", None), oci=False, layer_type=None):
        config = {"os": platform[0], "architecture": platform[1], "rootfs": {"type": "layers", "diff_ids": []}}
        if platform[2]:
            config["variant"] = platform[2]
        config_data = _json(config)
        self.blobs[_digest(config_data)] = config_data
        media_type = reg.MEDIA_OCI_MANIFEST if oci else reg.MEDIA_DOCKER_MANIFEST
        manifest = {"schemaVersion": 2, "mediaType": media_type,
                    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config_data),
                               "digest": _digest(config_data)},
                    "layers": [{"mediaType": layer_type or "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": size,
                                "digest": "sha256:%064x" % (i + 1)} for i, size in enumerate(layer_sizes)]}
        data = _json(manifest)
        self.manifests[(repo, _digest(data))] = (media_type, data)
        if tag:
            self.manifests[(repo, tag)] = (media_type, data)
        return _digest(data), len(data)

    def add_index(self, repo, tag, images, docker=False):
        entries = []
        for layer_sizes, platform in images:
            digest, length = self.add_image(repo, None, layer_sizes, platform, oci=not docker)
            plat = {"os": platform[0], "architecture": platform[1]}
            if platform[2]:
                plat["variant"] = platform[2]
            entries.append({"mediaType": reg.MEDIA_DOCKER_MANIFEST if docker else reg.MEDIA_OCI_MANIFEST, "size": length,
                            "digest": digest, "platform": plat})
        media_type = reg.MEDIA_DOCKER_LIST if docker else reg.MEDIA_OCI_INDEX
        data = _json({"schemaVersion": 2, "mediaType": media_type, "manifests": entries})
        self.manifests[(repo, tag)] = (media_type, data)
        return _digest(data)


@pytest.fixture
def fake():
    servers = []

    def factory(auth=None, **kwargs):
        server = FakeRegistry(auth, **kwargs)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


def client_for(server, **kwargs):
    kwargs.setdefault("plain_http_registries", [server.host])
    kwargs.setdefault("retries", 0)
    return RegistryClient(**kwargs)


def test_anonymous_single_arch_sizes(fake):
    server = fake()
    digest, _length = server.add_image("team/app", "1.0", [1048576, 3145728])
    result = client_for(server).measure(server.host + "/team/app:1.0")
    assert result == {
        "image": server.host + "/team/app:1.0", "registry": server.host, "repository": "team/app", "reference": "1.0", "tag": "1.0",
        "digest": digest, "index_digest": None, "platform": "linux/amd64", "compressed_size": 4194304, "uncompressed_size": None,
        "layers": 2, "media_type": reg.MEDIA_DOCKER_MANIFEST,
    }
    manifest_request = server.requests[0]
    for media_type in (reg.MEDIA_OCI_INDEX, reg.MEDIA_DOCKER_LIST, reg.MEDIA_OCI_MANIFEST, reg.MEDIA_DOCKER_MANIFEST):
        assert media_type in manifest_request["accept"]
    assert [r["authorization"] for r in server.requests] == [None, None]
    assert server.requests[1]["path"].startswith("/v2/team/app/blobs/sha256:")


def test_by_digest_and_tag_plus_digest(fake):
    server = fake()
    digest, _length = server.add_image("app", "1.0", [10, 20])
    assert client_for(server).measure("%s/app@%s" % (server.host, digest))["compressed_size"] == 30
    result = client_for(server).measure("%s/app:other@%s" % (server.host, digest))
    assert (result["reference"], result["tag"], result["digest"]) == (digest, "other", digest)


def test_digest_mismatch_is_invalid(fake):
    server = fake()
    _digest_value, _length = server.add_image("app", "1.0", [10])
    server.manifests[("app", SHA)] = server.manifests[("app", "1.0")]
    with pytest.raises(RegistryError) as info:
        client_for(server).measure("%s/app@%s" % (server.host, SHA))
    assert info.value.kind == "invalid"
    assert "does not match its digest" in str(info.value)


def test_uncompressed_size_only_for_plain_tar_layers(fake):
    server = fake()
    server.add_image("tar", "1", [100, 200], layer_type="application/vnd.oci.image.layer.v1.tar")
    result = client_for(server).measure(server.host + "/tar:1")
    assert (result["compressed_size"], result["uncompressed_size"]) == (300, 300)


@pytest.mark.parametrize("docker", [False, True])
@pytest.mark.parametrize("platform, size, shown", [
    (None, 2621440, "linux/amd64"),
    ("linux/amd64", 2621440, "linux/amd64"),
    ("linux/arm64", 1048576, "linux/arm64/v8"),
    ("linux/arm64/v8", 1048576, "linux/arm64/v8"),
    ("linux/arm/v7", 7, "linux/arm/v7"),
])
def test_index_platform_selection(fake, docker, platform, size, shown):
    server = fake()
    index_digest = server.add_index("multi", "1.0", [
        ([2097152, 524288], ("linux", "amd64", None)),
        ([1048576], ("linux", "arm64", "v8")),
        ([7], ("linux", "arm", "v7")),
    ], docker=docker)
    result = client_for(server).measure(server.host + "/multi:1.0", platform=platform)
    assert (result["compressed_size"], result["platform"], result["index_digest"]) == (size, shown, index_digest)
    assert result["media_type"] == (reg.MEDIA_DOCKER_MANIFEST if docker else reg.MEDIA_OCI_MANIFEST)
    assert result["digest"] != index_digest


def test_index_without_the_platform(fake):
    server = fake()
    server.add_index("multi", "1.0", [([1], ("linux", "amd64", None))])
    with pytest.raises(RegistryError) as info:
        client_for(server).measure(server.host + "/multi:1.0", platform="linux/s390x")
    assert info.value.kind == "not_found"
    assert "no manifest for platform linux/s390x (available: linux/amd64)" in str(info.value)


def test_not_found_names_image_and_registry(fake):
    server = fake()
    with pytest.raises(RegistryError) as info:
        client_for(server).measure(server.host + "/missing:1")
    error = info.value
    assert (error.kind, error.status, error.registry, error.image) == ("not_found", 404, server.host, server.host + "/missing:1")
    assert str(error).startswith("image %s/missing:1 on registry %s: " % (server.host, server.host))
    assert "MANIFEST_UNKNOWN" in str(error)


def test_schema1_and_unknown_media_types_are_invalid(fake):
    server = fake()
    server.manifests[("old", "1")] = ("application/vnd.docker.distribution.manifest.v1+prettyjws", _json({"schemaVersion": 1}))
    server.manifests[("odd", "1")] = ("application/json", _json({"mediaType": "application/x-odd", "layers": []}))
    server.manifests[("bad", "1")] = ("application/json", b"not json")
    for repo, words in (("old", "schema 1"), ("odd", "unsupported media type"), ("bad", "not JSON")):
        with pytest.raises(RegistryError) as info:
            client_for(server).measure("%s/%s:1" % (server.host, repo))
        assert info.value.kind == "invalid"
        assert words in str(info.value)


# -- authentication ----------------------------------------------------------------------------------
def test_basic_auth(fake):
    server = fake("basic")
    server.add_image("private/app", "1", [5, 6])
    creds = [{"server": server.host, "username": "puller", "password": PASSWORD}]
    result = client_for(server, credentials=creds).measure(server.host + "/private/app:1")
    assert result["compressed_size"] == 11
    # challenge, retry with Basic, then the config blob with the remembered header
    assert [r["authorization"] is not None for r in server.requests] == [False, True, True]
    assert server.requests[1]["authorization"].startswith("Basic ")


def test_basic_auth_without_credentials(fake):
    server = fake("basic")
    server.add_image("app", "1", [5])
    with pytest.raises(RegistryError) as info:
        client_for(server).measure(server.host + "/app:1")
    assert info.value.kind == "unauthorized"
    assert "requires a login (HTTP Basic): no credentials for %s were given" % server.host in str(info.value)


def test_basic_auth_wrong_password_never_shows_it(fake):
    server = fake("basic")
    server.add_image("app", "1", [5])
    creds = [{"server": server.host, "username": "puller", "password": "wrong-" + PASSWORD}]
    with pytest.raises(RegistryError) as info:
        client_for(server, credentials=creds).measure(server.host + "/app:1")
    error = info.value
    assert error.kind == "unauthorized"
    assert "credentials for %s were refused" % server.host in str(error)
    for text in (str(error), repr(error), json.dumps(vars(error)), repr(error.args)):
        assert PASSWORD not in text
        assert base64.b64encode(("puller:wrong-" + PASSWORD).encode()).decode() not in text


def test_bearer_token_challenge_flow(fake):
    server = fake("bearer")
    server.add_image("public/app", "1", [100, 200])
    result = client_for(server).measure(server.host + "/public/app:1")
    assert result["compressed_size"] == 300
    paths = [(r["path"], r["authorization"]) for r in server.requests]
    assert paths[0] == ("/v2/public/app/manifests/1", None)  # 401 with the Bearer challenge
    assert paths[1] == ("/token", None)  # anonymous token request
    assert server.requests[1]["query"] == {"service": ["fake-registry"], "scope": ["repository:public/app:pull"]}
    assert paths[2] == ("/v2/public/app/manifests/1", "Bearer tok-0")  # the retry
    assert paths[3][0].startswith("/v2/public/app/blobs/") and paths[3][1] == "Bearer tok-0"  # token reused
    assert len(server.tokens_issued) == 1


def test_bearer_token_with_credentials_and_access_token(fake):
    server = fake("bearer")
    server.token_key = "access_token"  # the OAuth2 spelling some registries use
    server.add_image("private/app", "1", [42])
    creds = [{"server": server.host, "username": "puller", "password": PASSWORD}]
    assert client_for(server, credentials=creds).measure(server.host + "/private/app:1")["compressed_size"] == 42
    token_request = [r for r in server.requests if r["path"] == "/token"][0]
    assert token_request["authorization"] == "Basic " + base64.b64encode(("puller:" + PASSWORD).encode()).decode()
    # The registry itself never sees the password, only the token.
    assert all(r["authorization"] in (None, "Bearer tok-0") for r in server.requests if r["path"] != "/token")


def test_bearer_anonymous_token_refused_for_private_repository(fake):
    server = fake("bearer")
    server.add_image("private/app", "1", [42])
    with pytest.raises(RegistryError) as info:
        client_for(server).measure(server.host + "/private/app:1")
    assert info.value.kind == "unauthorized"
    assert "no credentials for %s were given" % server.host in str(info.value)


def test_bearer_wrong_password_never_shows_it(fake):
    server = fake("bearer")
    server.add_image("private/app", "1", [42])
    creds = [{"server": server.host, "username": "puller", "password": "bad-" + PASSWORD}]
    with pytest.raises(RegistryError) as info:
        client_for(server, credentials=creds).measure(server.host + "/private/app:1")
    error = info.value
    assert error.kind == "unauthorized"
    assert "token service 127.0.0.1 denied a token: the credentials for %s were refused (HTTP 401)" % server.host in str(error)
    assert PASSWORD not in str(error) and PASSWORD not in repr(vars(error))


def test_password_masked_even_if_a_registry_echoes_it(fake):
    server = fake()
    server.script = [400]

    original = reg._registry_error_detail  # pylint: disable=protected-access

    def echo(body):
        return "bad request for " + PASSWORD

    reg._registry_error_detail = echo  # pylint: disable=protected-access
    try:
        with pytest.raises(RegistryError) as info:
            client_for(server, credentials=[{"server": "elsewhere", "username": "u", "password": PASSWORD}]).measure(server.host + "/a:1")
    finally:
        reg._registry_error_detail = original  # pylint: disable=protected-access
    assert info.value.kind == "invalid"
    assert PASSWORD not in str(info.value)
    assert "***" in str(info.value)


def test_http_realm_refused_for_https_registry_with_credentials():
    ctx = reg._Context(RegistryClient(credentials=[{"server": "r.io", "username": "u", "password": PASSWORD}]), "r.io/a:1",
                       parse_reference("r.io/a:1"))  # pylint: disable=protected-access
    with pytest.raises(RegistryError) as info:
        RegistryClient()._token(ctx, {"realm": "http://auth.r.io/token"})  # pylint: disable=protected-access
    assert info.value.kind == "invalid"
    assert "plain http token service" in str(info.value)


# -- schemes, retries, timeouts ----------------------------------------------------------------------
def test_https_by_default():
    client = RegistryClient(plain_http_registries=["reg.local:5000", "other"])
    assert reg._Context(client, "x", parse_reference("reg.local:5000/a")).base == "http://reg.local:5000"  # pylint: disable=protected-access
    assert reg._Context(client, "x", parse_reference("other:8080/a")).base == "http://other:8080"  # pylint: disable=protected-access
    assert reg._Context(client, "x", parse_reference("localhost:5000/a")).base == "https://localhost:5000"  # pylint: disable=protected-access
    assert reg._Context(client, "x", parse_reference("nginx")).base == "https://registry-1.docker.io"  # pylint: disable=protected-access


def test_retries_on_429_and_5xx_then_succeeds(fake, fake_time):
    server = fake()
    server.add_image("app", "1", [9])
    server.script = [503, 429, 502]
    result = client_for(server, retries=3, clock=fake_time.clock, sleep=fake_time.sleep).measure(server.host + "/app:1")
    assert result["compressed_size"] == 9
    assert len(fake_time.sleeps) == 3
    assert all(0 <= s <= 8.0 for s in fake_time.sleeps)


def test_retries_are_bounded_in_attempts(fake, fake_time):
    server = fake()
    server.script = [503] * 10
    with pytest.raises(RegistryError) as info:
        client_for(server, retries=2, clock=fake_time.clock, sleep=fake_time.sleep).measure(server.host + "/app:1")
    assert info.value.kind == "unreachable"
    assert "HTTP 503" in str(info.value) and "after 3 attempts" in str(info.value)
    assert len(fake_time.sleeps) == 2
    assert len(server.requests) == 3


def test_retries_are_bounded_in_time(fake, monkeypatch, fake_time):
    server = fake()
    server.script = [503] * 50
    monkeypatch.setattr(reg.random, "uniform", lambda low, high: high)  # the longest sleeps
    with pytest.raises(RegistryError):
        client_for(server, retries=40, backoff=1.0, max_backoff=4.0, max_seconds=10.0, clock=fake_time.clock,
                   sleep=fake_time.sleep).measure(server.host + "/app:1")
    assert fake_time.sleeps == [1.0, 2.0, 4.0]  # a fourth sleep of 4 s would pass the 10 s bound
    assert sum(fake_time.sleeps) < 10.0


def test_no_retry_on_404(fake, fake_time):
    server = fake()
    with pytest.raises(RegistryError):
        client_for(server, retries=5, clock=fake_time.clock, sleep=fake_time.sleep).measure(server.host + "/app:1")
    assert fake_time.sleeps == []
    assert len(server.requests) == 1


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_fails_at_once(fake_time):
    """A refused connection is not retried: within a preflight's budget a retry would not mend it."""
    port = _closed_port()
    image = "127.0.0.1:%d/app:1" % port
    creds = [{"server": "127.0.0.1:%d" % port, "username": "u", "password": PASSWORD}]
    with pytest.raises(RegistryError) as info:
        RegistryClient(plain_http_registries=["127.0.0.1"], retries=2, credentials=creds, clock=fake_time.clock,
                       sleep=fake_time.sleep).measure(image)
    error = info.value
    assert (error.kind, error.reason) == ("unreachable", "refused")
    assert "connection to 127.0.0.1:%d refused" % port in str(error)
    assert "attempts" not in str(error) and fake_time.sleeps == []
    assert str(error).startswith("image %s on registry 127.0.0.1:%d" % (image, port))
    assert PASSWORD not in str(error)


def test_a_name_that_does_not_resolve_fails_at_once(monkeypatch, fake_time):
    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    with pytest.raises(RegistryError) as info:
        RegistryClient(retries=3, clock=fake_time.clock, sleep=fake_time.sleep).measure("registry.cn-hangzou.aliyuncs.com/acs/app:1")
    assert (info.value.kind, info.value.reason) == ("unreachable", "dns")
    assert "the name registry.cn-hangzou.aliyuncs.com does not resolve" in str(info.value)
    assert fake_time.sleeps == []


def test_a_reset_connection_is_retried(fake, fake_time):
    server = fake()
    server.add_image("app", "1", [5])
    original, calls = server.handle, []

    def handle(handler):
        calls.append(handler.path)
        if len(calls) == 1:
            handler.connection.shutdown(socket.SHUT_RDWR)  # drop the first request without an answer
            return None
        return original(handler)

    server.handle = handle
    result = client_for(server, retries=2, clock=fake_time.clock, sleep=fake_time.sleep).measure(server.host + "/app:1")
    assert result["compressed_size"] == 5 and len(fake_time.sleeps) == 1


def test_measure_images_tries_an_unreachable_registry_once(monkeypatch):
    port = _closed_port()
    host = "127.0.0.1:%d" % port
    attempts = []
    original = socket.create_connection

    def counting(address, *args, **kwargs):
        attempts.append(address)
        return original(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", counting)
    reports, total, unmeasured = measure_images([host + "/a:1", host + "/b:1"], plain_http_registries=[host], retries=3)
    assert total == 0 and unmeasured == [host + "/a:1", host + "/b:1"]
    assert len(attempts) == 1
    assert reports[1]["error"]["reason"] == "refused"
    assert "not tried, the registry could not be reached for %s/a:1" % host in reports[1]["error"]["message"]


def test_read_timeout_is_unreachable():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        host = "127.0.0.1:%d" % listener.getsockname()[1]
        with pytest.raises(RegistryError) as info:
            RegistryClient(plain_http_registries=[host], retries=0, connect_timeout=1, read_timeout=0.2).measure(host + "/app:1")
    finally:
        listener.close()
    assert (info.value.kind, info.value.reason) == ("unreachable", "read_timeout")
    assert "timed out" in str(info.value)


def test_tls_to_plain_http_registry_hints(fake):
    server = fake()
    with pytest.raises(RegistryError) as info:
        RegistryClient(retries=0).measure(server.host + "/app:1")
    assert info.value.kind == "unreachable"
    assert "plain_http_registries" in str(info.value)


def test_redirect_drops_authorization_for_other_hosts(fake):
    target = fake()
    target.blobs["sha256:" + "b" * 64] = b"{}"
    origin = fake("basic")
    origin.add_image("app", "1", [3])
    config_digest = json.loads(origin.manifests[("app", "1")][1])["config"]["digest"]
    target.blobs[config_digest] = origin.blobs.pop(config_digest)
    original = origin.handle

    def handle(handler):
        if "/blobs/" in handler.path and origin.basic_ok(handler.headers.get("Authorization")):
            origin.requests.append({"path": handler.path})
            return origin.send(handler, 307, b"", extra={"Location": "http://%s%s" % (target.host, handler.path)})
        return original(handler)

    origin.handle = handle
    creds = [{"server": origin.host, "username": "puller", "password": PASSWORD}]
    result = RegistryClient(plain_http_registries=[origin.host], credentials=creds, retries=0).measure(origin.host + "/app:1")
    assert result["compressed_size"] == 3
    assert [r["authorization"] for r in target.requests] == [None]


def test_malformed_reference_raises_value_error():
    with pytest.raises(ValueError):
        RegistryClient().measure("https://nope/app")


# -- the real registry (Debian's docker-registry) -------------------------------------------------------
@pytest.fixture(scope="module")
def real_registry(tmp_path_factory):
    helpers = pytest.importorskip("ansible_collections.alibabacloud.eci.tests.utils.registry.with_registry")
    try:
        helpers.ensure_installed(install=os.environ.get("REGISTRY_NO_INSTALL") is None)
    except helpers.RegistryUnavailable as error:
        pytest.skip("docker-registry cannot be installed here: %s" % error)
    public = helpers.Registry(str(tmp_path_factory.mktemp("anon"))).start()
    private = helpers.Registry(str(tmp_path_factory.mktemp("basic")), ("alice", PASSWORD)).start()
    try:
        expected = helpers.push_images.push_all(public.url, private.url, "alice", PASSWORD)
        yield public, private, expected
    finally:
        public.stop()
        private.stop()


def test_real_registry_sizes_equal_pushed_sizes(real_registry):
    public, private, expected = real_registry
    creds = [{"server": private.host, "username": "alice", "password": PASSWORD}]
    client = RegistryClient(plain_http_registries=[public.host, private.host], credentials=creds, retries=0)
    checked = 0
    for image, entry in expected["images"].items():
        for platform, sizes in entry["platforms"].items():
            result = client.measure(image, platform=platform)
            assert result["compressed_size"] == sizes["compressed_size"], image
            assert (result["layers"], result["digest"], result["media_type"]) == (sizes["layers"], sizes["digest"], sizes["media_type"])
            assert result["uncompressed_size"] is None
            checked += 1
    assert checked == 5


def test_real_registry_wrong_password(real_registry):
    _public, private, _expected = real_registry
    creds = [{"server": private.host, "username": "alice", "password": "not-" + PASSWORD}]
    with pytest.raises(RegistryError) as info:
        RegistryClient(plain_http_registries=[private.host], credentials=creds, retries=0).measure(private.host + "/test/private:1.0")
    assert info.value.kind == "unauthorized"
    assert PASSWORD not in str(info.value)
    with pytest.raises(RegistryError) as info:
        RegistryClient(plain_http_registries=[private.host], retries=0).measure(private.host + "/test/private:1.0")
    assert "no credentials for %s were given" % private.host in str(info.value)


# -- proxies ---------------------------------------------------------------------------------------
class FakeProxy:
    """A forward proxy on 127.0.0.1: relays absolute-URL GETs, refuses CONNECT with 502. Records request lines."""

    def __init__(self, user=None, password=None):
        self.lines = []
        self.authorizations = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

            def do_CONNECT(self):  # pylint: disable=invalid-name
                outer.lines.append(self.requestline)
                outer.authorizations.append(self.headers.get("Proxy-Authorization"))
                self.send_response(502)
                self.end_headers()

            def do_GET(self):  # pylint: disable=invalid-name
                outer.lines.append(self.requestline)
                outer.authorizations.append(self.headers.get("Proxy-Authorization"))
                url = urlsplit(self.path)
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-authorization", "host")}
                conn.request("GET", url.path + ("?" + url.query if url.query else ""), headers=headers)
                answer = conn.getresponse()
                body = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                conn.close()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy():
    server = FakeProxy()
    yield server
    server.stop()


def test_http_proxy_relays_plain_http_requests(fake, proxy):
    server = fake()
    server.add_image("team/app", "1", [7, 8])
    environ = {"HTTP_PROXY": proxy.url.replace("http://", "http://user:p%40ss@"), "NO_PROXY": "example.org"}
    result = client_for(server, environ=environ).measure(server.host + "/team/app:1")
    assert result["compressed_size"] == 15
    assert proxy.lines[0] == "GET http://%s/v2/team/app/manifests/1 HTTP/1.1" % server.host
    assert len(proxy.lines) == 2 == len(server.requests)
    assert proxy.authorizations[0] == "Basic " + base64.b64encode(b"user:p@ss").decode()


def test_https_goes_through_a_connect_tunnel(proxy):
    with pytest.raises(RegistryError) as info:
        RegistryClient(retries=2, environ={"https_proxy": proxy.url}).measure("registry.example.test/app:1")
    assert proxy.lines == ["CONNECT registry.example.test:443 HTTP/1.0"] or proxy.lines == ["CONNECT registry.example.test:443 HTTP/1.1"]
    assert (info.value.kind, info.value.reason) == ("unreachable", "proxy")
    assert "via the proxy 127.0.0.1:%d" % proxy.server.server_address[1] in str(info.value)


def test_no_proxy_goes_direct(fake, proxy):
    server = fake()
    server.add_image("app", "1", [3])
    environ = {"HTTP_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1"}
    assert client_for(server, environ=environ).measure(server.host + "/app:1")["compressed_size"] == 3
    assert proxy.lines == []


def test_lower_case_proxy_variables_win():
    settings = reg.proxy_settings({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2", "no_proxy": ".corp"})
    assert settings == {"https": "http://lower:2", "no": ".corp"}
    assert reg.proxy_for("https", "registry.corp", settings) is None
    assert reg.proxy_for("https", "docker.io", settings) == ("lower", 2, None)
    assert reg.proxy_for("http", "docker.io", settings) is None
    assert reg.proxy_for("https", "docker.io", {"https": "proxy.example:3128"}) == ("proxy.example", 3128, None)


def test_a_proxy_that_is_not_http_is_a_clear_error():
    with pytest.raises(RegistryError) as info:
        RegistryClient(retries=0, environ={"HTTPS_PROXY": "socks5://127.0.0.1:1080"}).measure("registry.example.test/app:1")
    assert info.value.reason == "proxy" and "not an http:// proxy URL" in str(info.value)


# -- digests (stale caches, issue 18) ------------------------------------------------------------------
def test_resolve_plain_manifest_uses_docker_content_digest(fake):
    server = fake()
    digest, _length = server.add_image("team/app", "1.0", [10, 20])
    result = client_for(server).resolve(server.host + "/team/app:1.0")
    assert result == {"image": server.host + "/team/app:1.0", "digest": digest, "index_digest": None, "pinned": False}
    assert [r["path"] for r in server.requests] == ["/v2/team/app/manifests/1.0"]  # one read: no config blob


def test_resolve_without_docker_content_digest_hashes_the_body(fake):
    server = fake()
    server.digest_header = False
    digest, _length = server.add_image("team/app", "1.0", [10, 20])
    media_type, data = server.manifests[("team/app", "1.0")]
    assert media_type == reg.MEDIA_DOCKER_MANIFEST
    assert client_for(server).resolve(server.host + "/team/app:1.0")["digest"] == digest == _digest(data)


@pytest.mark.parametrize("docker", [False, True])
@pytest.mark.parametrize("platform, index", [(None, 0), ("linux/amd64", 0), ("linux/arm64", 1), ("linux/arm64/v8", 1)])
def test_resolve_index_picks_the_platform_entry(fake, docker, platform, index):
    server = fake()
    index_digest = server.add_index("multi", "1.0", [([100], ("linux", "amd64", None)), ([50], ("linux", "arm64", "v8"))],
                                    docker=docker)
    entries = json.loads(server.manifests[("multi", "1.0")][1])["manifests"]
    result = client_for(server).resolve(server.host + "/multi:1.0", platform=platform)
    assert result == {"image": server.host + "/multi:1.0", "digest": entries[index]["digest"], "index_digest": index_digest,
                      "pinned": False}
    assert len(server.requests) == 1  # the index names the platform's digest: the platform manifest is not read


def test_resolve_index_without_the_platform_is_not_found(fake):
    server = fake()
    server.add_index("multi", "1.0", [([100], ("linux", "arm64", "v8"))])
    with pytest.raises(RegistryError) as caught:
        client_for(server).resolve(server.host + "/multi:1.0")
    assert caught.value.kind == "not_found" and "linux/arm64" in str(caught.value)


def test_resolve_pinned_reads_nothing(fake):
    server = fake()
    result = client_for(server).resolve("%s/app@%s" % (server.host, SHA))
    assert result == {"image": "%s/app@%s" % (server.host, SHA), "digest": SHA, "index_digest": None, "pinned": True}
    assert server.requests == []


def test_resolve_digests_reports_errors_per_image(fake):
    server = fake()
    digest, _length = server.add_image("team/app", "1.0", [10])
    reports = reg.resolve_digests([server.host + "/team/app:1.0", server.host + "/team/gone:1.0"],
                                  plain_http_registries=[server.host], retries=0)
    assert reports[0]["digest"] == digest
    assert reports[1]["image"] == server.host + "/team/gone:1.0" and reports[1]["error"]["kind"] == "not_found"


# -- max_seconds bounds a whole read, not only the pauses between attempts --------------------------------
def test_a_registry_that_trickles_bytes_is_cut_off_at_max_seconds():
    """read_timeout bounds each socket read; a registry sending 1 byte every 0.2 s never trips it, so without a
    deadline on the whole answer it would hold the module for the 4 MiB a manifest may have."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n"
                             b"Content-Length: 100000\r\n\r\n")
                try:
                    while not stop.wait(0.2):
                        conn.sendall(b" ")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    image = "127.0.0.1:%d/app:1" % port
    started = time.monotonic()
    try:
        reports = resolve_digests([image], plain_http_registries=["127.0.0.1:%d" % port], connect_timeout=1,
                                  read_timeout=1, retries=1, max_seconds=1)
    finally:
        elapsed = time.monotonic() - started
        stop.set()
        listener.close()
    assert reports[0]["image"] == image and "digest" not in reports[0]
    assert reports[0]["error"]["kind"] == "unreachable" and reports[0]["error"]["reason"] == "read_timeout"
    assert "max_seconds" in reports[0]["error"]["message"]
    assert elapsed < 10  # 1 s and a little; without the deadline the 100000 bytes take hours
