# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry reader against a hostile registry on loopback (127.0.0.2 where it can be bound): credentials stay
with the scheme, host and port they were configured for, one deadline bounds the whole read, hostile answers are
errors naming the registry and the image (never a traceback), and no credential in any encoding is in a message.
Each test is one example of issue 23."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import quote

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import registry as reg
from ansible_collections.alibabacloud.eci.plugins.module_utils.masking import credential_forms
from ansible_collections.alibabacloud.eci.tests.utils.registry import hostile_server
from ansible_collections.alibabacloud.eci.tests.utils.registry.hostile_server import HostileServer, authorization, send

USER = "puller"
PASSWORD = "Sup3r/S3cret+P@ss w\"ord"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
CREDS = [{"server": "", "username": USER, "password": PASSWORD}]


@pytest.fixture
def servers():
    made = []

    def factory(answer, tls=None):
        server = HostileServer(answer, tls)
        made.append(server)
        return server

    yield factory
    for server in made:
        server.close()


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory):
    context = hostile_server.tls_context(str(tmp_path_factory.mktemp("tls")))
    if context is None:
        pytest.skip("openssl is needed to make a certificate")
    return context


def no_credential_in(text):
    return not any(form in text for form in credential_forms(USER, PASSWORD))


def creds_for(server):
    return [dict(CREDS[0], server=server.netloc)]


# -- 1. credentials stay with scheme, host and port -----------------------------------------------------------
def test_https_registry_redirecting_to_http_on_the_same_host_and_port_gets_no_password(servers, tls_context):
    """The https registry redirects to http:// on its own host and port: the reader used to compare host:port only and
    sent Authorization: Basic in clear text; now the redirect is refused before anything is sent."""
    def answer(request, conn, server):
        if authorization(request) is None:
            return send(conn, 401, b"{}", {"WWW-Authenticate": 'Basic realm="x"'})
        return send(conn, 302, headers={"Location": f"http://{server.netloc}/v2/app/manifests/1"})

    server = servers(answer, tls_context)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], credentials=creds_for(server),
                                  insecure_registries=[server.netloc], retries=0, max_seconds=20)
    error = reports[0]["error"]
    assert error["kind"] == "invalid" and "plain http" in error["message"] and server.netloc in error["message"]
    assert server.raw == []  # no plain text request reached the port, so no Authorization in clear
    assert [authorization(r) for r in server.requests] == [None, BASIC]  # the password went over TLS only


def test_https_registry_redirect_to_http_on_another_port_is_refused_even_without_credentials(servers, tls_context):
    plain = servers(lambda request, conn, server: send(conn, 200, b"{}"))

    def answer(request, conn, server):
        return send(conn, 307, headers={"Location": f"http://{plain.netloc}/v2/app/manifests/1"})

    server = servers(answer, tls_context)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], insecure_registries=[server.netloc], retries=0, max_seconds=20)
    assert reports[0]["error"]["kind"] == "invalid" and "plain http" in reports[0]["error"]["message"]
    assert plain.requests == []


def test_plain_http_registry_listed_may_redirect_in_http_but_authorization_stays_home(servers):
    other = servers(lambda request, conn, server: send(conn, 404, b"{}"))

    def answer(request, conn, server):
        if authorization(request) is None:
            return send(conn, 401, b"{}", {"WWW-Authenticate": 'Basic realm="x"'})
        return send(conn, 302, headers={"Location": f"http://{other.netloc}/v2/app/manifests/1"})

    server = servers(answer)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], credentials=creds_for(server),
                                  plain_http_registries=[server.netloc], retries=0, max_seconds=20)
    assert reports[0]["error"]["kind"] == "not_found"
    assert len(other.requests) == 1 and authorization(other.requests[0]) is None


def test_token_realm_in_plain_http_is_refused_for_an_https_registry(servers, tls_context):
    token = servers(lambda request, conn, server: send(conn, 200, b'{"token":"t"}'))

    def answer(request, conn, server):
        return send(conn, 401, b"{}", {"WWW-Authenticate": f'Bearer realm="http://{token.netloc}/token",service="s"'})

    server = servers(answer, tls_context)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], credentials=creds_for(server),
                                  insecure_registries=[server.netloc], retries=0, max_seconds=20)
    assert reports[0]["error"]["kind"] == "invalid" and "plain http token service" in reports[0]["error"]["message"]
    assert token.requests == []


def test_a_token_service_redirect_to_another_host_drops_the_password(servers):
    elsewhere = servers(lambda request, conn, server: send(conn, 200, b'{"token":"t"}'))
    realm = {}

    def token_answer(request, conn, server):
        return send(conn, 302, headers={"Location": f"http://{elsewhere.netloc}/token"})

    token = servers(token_answer)
    realm["url"] = f"http://{token.netloc}/token"

    def answer(request, conn, server):
        if authorization(request) == "Bearer t":
            return send(conn, 404, b"{}")
        return send(conn, 401, b"{}", {"WWW-Authenticate": f'Bearer realm="{realm["url"]}",service="s"'})

    server = servers(answer)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], credentials=creds_for(server),
                                  plain_http_registries=[server.netloc, token.netloc, elsewhere.netloc], retries=0, max_seconds=20)
    assert reports[0]["error"]["kind"] == "not_found"
    assert authorization(token.requests[0]) == BASIC  # the realm the registry named gets the login (Docker's rule)
    assert authorization(elsewhere.requests[0]) is None  # where it redirects does not


# -- 1. one deadline for the whole read ------------------------------------------------------------------------
@pytest.mark.parametrize("head", [b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: "
                                  + b"a" * 4000 + b"\r\n"])
def test_a_registry_trickling_its_status_line_or_headers_is_cut_off_at_max_seconds(servers, head):
    def answer(request, conn, server):
        for byte in head:
            if server.stop.wait(0.3):
                return
            conn.sendall(bytes([byte]))

    server = servers(answer)
    started = time.monotonic()
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], plain_http_registries=[server.netloc], connect_timeout=1,
                                  read_timeout=1, retries=1, max_seconds=2)
    elapsed = time.monotonic() - started
    error = reports[0]["error"]
    assert error["kind"] == "unreachable" and error["reason"] == "read_timeout" and "max_seconds" in error["message"]
    assert elapsed < 30  # 2 s and a little; without the deadline the status line and headers take minutes


def test_the_token_read_shares_the_deadline_of_the_image(servers):
    def token_answer(request, conn, server):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}":
            if server.stop.wait(0.3):
                return
            conn.sendall(bytes([byte]))

    token = servers(token_answer)

    def answer(request, conn, server):
        send(conn, 401, b"{}", {"WWW-Authenticate": f'Bearer realm="http://{token.netloc}/token"'})

    server = servers(answer)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], plain_http_registries=[server.netloc, token.netloc],
                                  read_timeout=1, retries=0, max_seconds=2)
    assert reports[0]["error"]["reason"] == "read_timeout"


# -- 2. no credential in any encoding ---------------------------------------------------------------------------
def test_a_registry_echoing_the_authorization_header_leaks_no_form_of_the_password(servers):
    def answer(request, conn, server):
        header = authorization(request)
        if header is None:
            return send(conn, 401, b"{}", {"WWW-Authenticate": 'Basic realm="x"'})
        echo = {"errors": [{"code": "DENIED", "message": f"you sent {header} / {quote(PASSWORD)} / {json.dumps(PASSWORD)}"}]}
        return send(conn, 403, json.dumps(echo).encode())

    server = servers(answer)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], credentials=creds_for(server),
                                  plain_http_registries=[server.netloc], retries=0)
    message = reports[0]["error"]["message"]
    assert reports[0]["error"]["kind"] == "unauthorized" and "DENIED" in message
    assert no_credential_in(message), message


# -- 3. hostile answers are errors naming registry and image -----------------------------------------------------
NESTED = b"[" * 100000 + b"]" * 100000


@pytest.mark.parametrize("where", ["manifest", "error", "token"])
def test_deeply_nested_json_is_an_error_not_a_recursion_error(servers, where):
    def answer(request, conn, server):
        if where == "token" and "/token" in request.split("\r\n")[0]:
            return send(conn, 200, b'{"token":' + NESTED + b"}")
        if where == "token":
            return send(conn, 401, b"{}", {"WWW-Authenticate": f'Bearer realm="http://{server.netloc}/token"'})
        if where == "error":
            return send(conn, 400, b'{"errors":' + NESTED + b"}")
        return send(conn, 200, NESTED, {"Content-Type": reg.MEDIA_OCI_MANIFEST})

    server = servers(answer)
    image = f"{server.netloc}/app:1"
    for reports in (reg.resolve_digests([image], plain_http_registries=[server.netloc], retries=0),
                    reg.measure_images([image], plain_http_registries=[server.netloc], retries=0)[0]):
        error = reports[0]["error"]
        assert error["kind"] == "invalid" and image in error["message"] and server.netloc in error["message"]


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://{host}/v2/app/manifests/1", "gopher://{host}/x",
                                      "http://{host}:99999/x", "//:0/x"])
def test_a_redirect_to_another_scheme_is_an_error_and_not_followed(servers, location):
    def answer(request, conn, server):
        send(conn, 302, headers={"Location": location.format(host=server.netloc)})

    server = servers(answer)
    image = f"{server.netloc}/app:1"
    reports = reg.resolve_digests([image], plain_http_registries=[server.netloc], retries=0)
    error = reports[0]["error"]
    assert error["kind"] == "invalid" and "redirected" in error["message"] and image in error["message"]
    assert len(server.requests) == 1  # an ftp:// URL is not read as https from the same port


def test_registry_text_is_stripped_of_control_characters_and_cut(servers):
    text = "\x1b[31mred\x1b[0m\nline2\r\x07" + "x" * 5000

    def answer(request, conn, server):
        send(conn, 400, json.dumps({"errors": [{"code": "BAD", "message": text}]}).encode())

    server = servers(answer)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], plain_http_registries=[server.netloc], retries=0)
    message = reports[0]["error"]["message"]
    assert "red" in message and "\x1b" not in message and "\n" not in message and "\r" not in message and "\x07" not in message
    assert len(message) <= reg.MESSAGE_MAX + 100


def test_an_index_of_ten_thousand_platforms_gives_a_short_message(servers):
    index = {"schemaVersion": 2, "mediaType": reg.MEDIA_OCI_INDEX,
             "manifests": [{"digest": "sha256:" + "a" * 64, "platform": {"os": "linux", "architecture": f"arch{i}"}}
                           for i in range(10000)]}
    body = json.dumps(index).encode()

    def answer(request, conn, server):
        send(conn, 200, body, {"Content-Type": reg.MEDIA_OCI_INDEX})

    server = servers(answer)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], plain_http_registries=[server.netloc], retries=0)
    error = reports[0]["error"]
    assert error["kind"] == "not_found" and "more" in error["message"] and len(error["message"]) < 2000


@pytest.mark.parametrize("document", [
    {"schemaVersion": 2, "mediaType": reg.MEDIA_OCI_INDEX, "manifests": [1, "x", None, {"platform": [1]}]},
    {"schemaVersion": 2, "mediaType": reg.MEDIA_OCI_INDEX, "manifests": {"a": 1}},
    {"schemaVersion": 2, "mediaType": reg.MEDIA_OCI_MANIFEST, "layers": [], "config": {"digest": ["x"]}},
    {"schemaVersion": 2, "mediaType": reg.MEDIA_OCI_INDEX,
     "manifests": [{"digest": "../../x\r\nInjected: 1", "platform": {"os": "linux", "architecture": "amd64"}}]},
])
def test_malformed_documents_are_errors_never_tracebacks(servers, document):
    body = json.dumps(document).encode()

    def answer(request, conn, server):
        send(conn, 200, body, {"Content-Type": document["mediaType"]})

    server = servers(answer)
    image = f"{server.netloc}/app:1"
    reports, _total, unmeasured = reg.measure_images([image], plain_http_registries=[server.netloc], retries=0)
    assert unmeasured == [image]
    assert reports[0]["error"]["kind"] in ("invalid", "not_found") and image in reports[0]["error"]["message"]
    assert all("Injected" not in request for request in server.requests)


@pytest.mark.parametrize("stated", ["sha256:" + "0" * 64, "sha256:abc\x1b[31m", "not a digest"])
def test_a_docker_content_digest_that_is_not_the_bodys_is_refused(servers, stated):
    body = json.dumps({"schemaVersion": 2, "mediaType": reg.MEDIA_OCI_MANIFEST, "layers": [],
                       "config": {"digest": "sha256:" + "1" * 64, "size": 2}}).encode()

    def answer(request, conn, server):
        send(conn, 200, body, {"Content-Type": reg.MEDIA_OCI_MANIFEST, "Docker-Content-Digest": stated})

    server = servers(answer)
    reports = reg.resolve_digests([f"{server.netloc}/app:1"], plain_http_registries=[server.netloc], retries=0)
    assert reports[0]["error"]["kind"] == "invalid" and "Docker-Content-Digest" in reports[0]["error"]["message"]
    assert "\x1b" not in reports[0]["error"]["message"]


def test_a_proxy_trickling_its_answer_to_connect_is_cut_off_at_max_seconds(servers):
    def answer(request, conn, server):
        for byte in b"HTTP/1.1 200 Connection established\r\nX: " + b"a" * 1000:
            if server.stop.wait(0.3):
                return
            conn.sendall(bytes([byte]))

    proxy = servers(answer)
    client = reg.RegistryClient(retries=0, read_timeout=1, connect_timeout=1, max_seconds=2,
                                environ={"https_proxy": f"http://{proxy.netloc}"})
    started = time.monotonic()
    with pytest.raises(reg.RegistryError) as info:
        client.resolve("registry.example.com/app:1")
    assert info.value.kind == "unreachable" and time.monotonic() - started < 30
    assert proxy.requests and proxy.requests[0].startswith("CONNECT registry.example.com:443")


# -- the guide's numbers (security.rst): body caps and the redirect limit -----------------------------------------
def test_a_manifest_body_stops_at_its_cap(servers):
    """security.rst: bodies stop at 4 MiB (manifests): a larger one is an error, read no further than the cap."""
    body = b"{" + b" " * reg.MAX_MANIFEST_BYTES + b"}"

    def answer(request, conn, server):
        send(conn, 200, body, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})

    server = servers(answer)
    image = f"{server.netloc}/app:1"
    error = reg.resolve_digests([image], plain_http_registries=[server.netloc], retries=0)[0]["error"]
    assert reg.MAX_MANIFEST_BYTES == 4 * 1024 * 1024
    assert error["kind"] == "invalid" and image in error["message"] and str(reg.MAX_MANIFEST_BYTES) in error["message"]


@pytest.mark.parametrize("hops, kind", [(reg.MAX_REDIRECTS, "not_found"), (reg.MAX_REDIRECTS + 1, "invalid")])
def test_at_most_five_redirects_are_followed(servers, hops, kind):
    """security.rst: "at most five" redirects: the fifth is followed (the registry's 404 comes back), a sixth is an error."""
    def answer(request, conn, server):
        path = request.split(" ", 2)[1]
        hop = int(path.rsplit("/hop", 1)[1]) if "/hop" in path else 0
        if hop < hops:
            return send(conn, 302, headers={"Location": f"http://{server.netloc}/v2/app/manifests/1/hop{hop + 1}"})
        return send(conn, 404, b"{}")

    server = servers(answer)
    error = reg.resolve_digests([f"{server.netloc}/app:1"], plain_http_registries=[server.netloc], retries=0)[0]["error"]
    assert reg.MAX_REDIRECTS == 5 and error["kind"] == kind, error
    assert len(server.requests) == min(hops, reg.MAX_REDIRECTS) + 1
