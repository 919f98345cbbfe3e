# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The transport against real HTTP servers on loopback: deadlines, odd answers, secrets, proxies, DNS."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection, scrub
from ansible_collections.alibabacloud.eci.plugins.module_utils.eci import describe_image_caches, delete_image_cache
from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator


def read_request(conn):
    """Read one whole request (headers and Content-Length body): a close with unread bytes sends a reset, which
    the client may see before the answer (a ConnectionError instead of the answer on a loaded machine)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:] if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class OddServer:
    """An HTTP server on loopback that answers every request with `respond(connection)`."""

    def __init__(self, respond):
        self.respond = respond
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self.stopped = False
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stopped:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        self.requests += 1
        try:
            read_request(conn)
            self.respond(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self.stopped = True
        self.sock.close()


@pytest.fixture
def odd_server():
    servers = []

    def make(respond):
        server = OddServer(respond)
        servers.append(server)
        return server
    yield make
    for server in servers:
        server.stop()


def connection(port, **params):
    settings = dict(region="cn-hangzhou", access_key="AK", secret_key="SK", eci_endpoint="http://127.0.0.1:%d" % port,
                    api_retries=2, api_retry_max_seconds=3.0, connect_timeout=1.0, read_timeout=1.5)
    settings.update(params)
    return Connection(settings, {}, secrets=params.pop("secrets", ()))


def trickle(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    for _byte in range(1000):
        conn.sendall(b" ")
        time.sleep(0.5)     # each byte well within read_timeout: only a wall-clock limit stops it


def test_a_trickling_server_cannot_hold_a_call_past_its_deadlines(odd_server):
    server = odd_server(trickle)
    conn = connection(server.port)
    conn.client("eci")   # the SDK import is not part of the call
    started = time.monotonic()
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(conn)
    elapsed = time.monotonic() - started
    # One call may take connect_timeout + read_timeout (2.5 s); the retries end within api_retry_max_seconds (3 s).
    # Without the wall-clock limit the trickle (a byte every 0.5 s, 1000 bytes) would hold the call for 500 s.
    assert elapsed < 2.5 + 3.0 + 10.0, elapsed
    assert caught.value.code == "ConnectionError" and "wall-clock" in caught.value.message
    assert caught.value.outcome_unknown


def test_a_wait_deadline_bounds_each_call(odd_server):
    server = odd_server(trickle)
    conn = connection(server.port, read_timeout=30.0, api_retry_max_seconds=30.0)
    conn.client("eci")
    started = time.monotonic()
    with conn.bounded(time.monotonic() + 1.0):
        with pytest.raises(AlibabaCloudError):
            describe_image_caches(conn)
    # read_timeout and api_retry_max_seconds alone would allow 30 s or more; the wait's deadline is 1 s.
    assert time.monotonic() - started < 15.0


def html(status):
    def respond(conn):
        body = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>nginx</body></html>"
        conn.sendall(b"HTTP/1.1 %d Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % (status, len(body))
                     + body)
    return respond


def test_an_html_error_page_names_the_http_status(odd_server):
    server = odd_server(html(502))
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connection(server.port, api_retries=0))
    error = caught.value
    assert error.code == "UnexpectedResponse" and error.status_code == 502
    assert "HTTP status 502" in error.message and "Bad Gateway" in error.message
    assert "may or may not" not in error.message and "<html>" not in error.message


def test_messages_lose_query_strings_and_no_log_values_plain_and_url_encoded():
    secret = "p@ss/word+x=1"
    text = ("InvalidParameter: bad value p@ss/word+x=1, p%40ss%2Fword%2Bx%3D1, p%40ss/word%2Bx%3D1 "
            "at https://eci.example.com/?Password=abc&RegionId=cn")
    cleaned = scrub(text, [secret])
    assert "p@ss" not in cleaned and "p%40ss" not in cleaned and "Password=abc" not in cleaned
    assert "InvalidParameter: bad value" in cleaned and "eci.example.com/?<parameters removed>" in cleaned


def test_scrubbing_twice_gives_the_same_text():
    # Messages pass several layers (transport, service, module) and each scrubs them.
    once = scrub("failed: https://eci.example.com/?Password=abc&RegionId=cn (timeout)", ["abc123"])
    assert scrub(scrub(once, ["abc123"])) == once
    assert once == "failed: https://eci.example.com/?<parameters removed> (timeout)"


def test_an_api_error_echoing_a_url_encoded_secret_is_scrubbed(odd_server):
    secret = "s3cr3t/pass+word="

    def echo(conn):
        from urllib.parse import quote
        body = ('{"Code": "InvalidParameter", "Message": "bad credential %s (%s)", "RequestId": "R-1"}'
                % (quote(secret, safe=""), secret)).encode()
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                     + body)
    server = odd_server(echo)
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connection(server.port, secrets=[secret]))
    assert "s3cr3t" not in str(caught.value) and caught.value.code == "InvalidParameter"
    assert "bad credential ********" in caught.value.message


def test_a_host_that_does_not_resolve_is_not_retried_and_hints_at_the_region():
    conn = Connection(dict(region="cn-hangzou", access_key="AK", secret_key="SK", api_retries=5,
                           eci_endpoint="http://eci.cn-hangzou.invalid", connect_timeout=2.0, read_timeout=2.0), {})
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(conn)
    error = caught.value
    assert error.code == "ConnectionError" and error.attempts == 1
    assert "does not resolve" in error.message and "region" in error.message and "cn-hangzou" in error.message


def test_no_credentials_names_what_the_collection_reads(monkeypatch, tmp_path):
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
                 "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_CREDENTIALS_URI",
                 "ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    conn = Connection(dict(region="cn-hangzhou", eci_endpoint="http://127.0.0.1:9", api_retries=0), {})
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(conn)
    first_sentence = caught.value.message.split(". ")[0] + ". " + caught.value.message.split(". ")[1]
    assert caught.value.code == "CredentialsNotFound"
    for word in ("access_key", "secret_key", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_PROFILE",
                 "official credentials chain"):
        assert word in first_sentence
    assert "Details:" in caught.value.message


@pytest.fixture
def twin():
    emulator = Emulator(ready_after=0.2, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET).start()
    yield emulator
    emulator.stop()


def test_no_proxy_sends_api_calls_direct_past_a_dead_proxy(twin, monkeypatch):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    dead.close()   # nothing listens there: a request through this proxy cannot succeed
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:%d" % dead_port)
    params = dict(region="cn-hangzhou", access_key=DEFAULT_ACCESS_KEY_ID, secret_key=DEFAULT_ACCESS_KEY_SECRET,
                  eci_endpoint=twin.url, api_retries=0)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert describe_image_caches(Connection(dict(params), {})) == []
    import os
    assert os.environ["HTTP_PROXY"].endswith(str(dead_port))        # the environment is left as it was
    monkeypatch.delenv("NO_PROXY")
    with pytest.raises(AlibabaCloudError) as caught:                 # without NO_PROXY the dead proxy is used
        describe_image_caches(Connection(dict(params), {}))
    assert caught.value.code == "ConnectionError"


def test_a_delete_of_a_missing_cache_answers_not_found(twin):
    conn = Connection(dict(region="cn-hangzhou", access_key=DEFAULT_ACCESS_KEY_ID, secret_key=DEFAULT_ACCESS_KEY_SECRET,
                           eci_endpoint=twin.url), {})
    with pytest.raises(AlibabaCloudError) as caught:
        delete_image_cache(conn, "imc-nope", "token-1")
    assert "NotFound" in caught.value.code
