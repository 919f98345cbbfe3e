# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every secret is a no_log value whatever its source, in every form a peer may echo (issue 23); failures that prove
nothing was sent are said so, not retried, and say what to check; NO_PROXY has one set of rules (proxies.py)."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection, translate_sdk_error
from ansible_collections.alibabacloud.eci.plugins.module_utils.module import AlibabaCloudModule
from ansible_collections.alibabacloud.eci.plugins.module_utils.proxies import bypasses_proxy, environment_value

USER = "puller"
PASSWORD = "pa ss/w+rd\"é&=x"
TOKEN = "CAIS+sts/token==secret&value"

SPEC = dict(image_registry_credentials=dict(type="list", elements="dict", options=dict(
    server=dict(type="str"), username=dict(type="str"), password=dict(type="str", no_log=True))))


def echoed_forms():
    basic_token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return {"base64 user:password": basic_token, "base64 without padding": basic_token.rstrip("="),
            "URL-encoded password": quote(PASSWORD, safe=""), "form-encoded password": quote_plus(PASSWORD),
            "JSON-escaped password": json.dumps(PASSWORD)[1:-1], "raw token": TOKEN, "URL-encoded token": quote(TOKEN, safe=""),
            "JSON-escaped token": json.dumps(TOKEN)[1:-1]}


def fail_with(monkeypatch, capsys, args, environ, text):
    """Build the module with args and environ, fail with text (and a warning with it); what Ansible prints."""
    for name in ("ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args
    warned = []
    original = basic.AnsibleModule.warn

    def warn(self, warning, **kwargs):
        warned.append(warning)  # what the collection hands to Ansible (which, on a controller, displays it at once)
        return original(self, warning, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "warn", warn)
    with patch_module_args(args):
        module = AlibabaCloudModule(SPEC)
        module.warn(f"warning: {text}")
        with pytest.raises(SystemExit):
            module.fail_json(msg=f"failed: {text}", diff=dict(before=text, after=text))
    captured = capsys.readouterr()
    return "\n".join([captured.out, captured.err] + warned)


@pytest.mark.parametrize("variable", ["ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN"])
def test_every_echoed_form_of_every_secret_is_masked(monkeypatch, capsys, variable):
    """A peer echoing the Authorization header, the query string or a JSON body: base64(user:password), URL-encoded and
    JSON-escaped passwords, and the STS token of an environment variable never reach the output."""
    forms = echoed_forms()
    text = " | ".join(forms.values())
    credential = dict(server="r.example.com", username=USER, password=PASSWORD)
    out = fail_with(monkeypatch, capsys, dict(image_registry_credentials=[credential]), {variable: TOKEN}, text)
    assert "failed:" in out and "warning:" in out
    leaked = [name for name, form in forms.items() if form in out]
    assert not leaked, leaked


def test_module_defaults_passwords_are_registered_like_task_options(monkeypatch, capsys):
    """module_defaults reach the module as parameters: the same registration (no option is special)."""
    forms = echoed_forms()
    out = fail_with(monkeypatch, capsys, dict(image_registry_credentials=[dict(username=USER, password=PASSWORD)]), {},
                    forms["base64 user:password"])
    assert forms["base64 user:password"] not in out


class FakeCredential:
    access_key_secret = "chain-secret-value"
    security_token = TOKEN
    bearer_token = None


class FakeCredentialClient:
    def get_credential(self):
        return FakeCredential()


def test_the_credentials_chains_sts_token_becomes_a_no_log_value():
    secrets = set()
    connection = Connection(dict(region="cn-hangzhou"), {}, secrets=secrets)
    assert connection.credentials["source"] == "default_chain"
    connection._credential_client = FakeCredentialClient()
    connection._register_chain_secrets()
    assert TOKEN in secrets and quote(TOKEN, safe="") in secrets and "chain-secret-value" in secrets
    assert connection.secrets is secrets  # the module's own set: its results are masked too


# -- failures that prove nothing was sent ---------------------------------------------------------------------------
@pytest.mark.parametrize("detail, words", [
    ("HTTPSConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: / (Caused by SSLError(SSLError(1, "
     "'[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')))", "TLS handshake"),
    ("HTTPSConnectionPool(host='x', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, "
     "'[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)')))", "certificate"),
    ("HTTPSConnectionPool(host='nope.invalid', port=443): NameResolutionError: Failed to resolve", "does not resolve"),
])
def test_nothing_sent_failures_are_final_and_say_what_to_check(detail, words):
    from darabonba.exceptions import RetryError, UnretryableException
    from darabonba.policy.retry import RetryPolicyContext
    error = translate_sdk_error("CreateImageCache", UnretryableException(RetryPolicyContext(retries_attempted=1,
                                                                                            exception=RetryError(detail))))
    assert error.code == "ConnectionError" and words in error.message
    assert "may or may not" not in error.message and not error.outcome_unknown
    assert error.retryable is False and "Check" in error.message


def test_a_refused_connection_was_not_sent_and_is_retried():
    """Nothing was sent, so a retry is safe; an endpoint or proxy restarting refuses for a moment."""
    from darabonba.exceptions import RetryError, UnretryableException
    from darabonba.policy.retry import RetryPolicyContext
    detail = "HTTPSConnectionPool(host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] Connection refused"
    error = translate_sdk_error("CreateImageCache", UnretryableException(RetryPolicyContext(retries_attempted=1,
                                                                                            exception=RetryError(detail))))
    assert error.code == "ConnectionError" and "refused the connection" in error.message and "Check" in error.message
    assert "may or may not" not in error.message and not error.outcome_unknown
    assert error.retryable is not False


def test_a_tls_error_against_an_endpoint_is_one_attempt_not_six(monkeypatch):
    """An https endpoint that speaks plain http: one connection, a final error, no 'may have been applied'."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    connections = []

    def serve():
        while True:
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            connections.append(1)
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    connection = Connection(dict(region="cn-hangzhou", access_key="a", secret_key="secret-key", api_retries=5,
                                 eci_endpoint=f"https://127.0.0.1:{port}", connect_timeout=5, read_timeout=5), {})
    from alibabacloud_eci20180808 import models
    try:
        with pytest.raises(AlibabaCloudError) as info:
            connection.call("eci", "DescribeImageCaches", "describe_image_caches_with_options",
                            models.DescribeImageCachesRequest(region_id="cn-hangzhou"))
    finally:
        listener.close()
    assert "TLS handshake" in info.value.message and "may or may not" not in info.value.message
    assert info.value.attempts == 1 and len(connections) == 1


# -- NO_PROXY: one set of rules for API calls and registry reads --------------------------------------------------
@pytest.mark.parametrize("host, port, scheme, no_proxy, direct", [
    ("eci.example.com", None, "https", "example.com", True),
    ("eci.example.com", None, "https", ".example.com", True),
    ("eci.example.com", None, "https", "*.example.com", True),
    ("badexample.com", None, "https", "example.com", False),
    ("anything", 1, "https", "*", True),
    ("10.1.2.3", None, "https", "10.0.0.0/8", True),
    ("11.1.2.3", None, "https", "10.0.0.0/8", False),
    ("::1", 5000, "https", "::1/128", True),
    ("::1", 5000, "https", "[::1]:5000", True),
    ("::1", 5001, "https", "[::1]:5000", False),
    ("registry.local", 5000, "https", "registry.local:5000", True),
    ("registry.local", 5001, "https", "registry.local:5000", False),
    ("registry.local", None, "https", "registry.local:443", True),
    ("registry.local", None, "http", "registry.local:443", False),
    ("Registry.LOCAL", None, "https", " other , registry.local ", True),
    ("eci.example.com", None, "https", "", False),
])
def test_no_proxy_rules(host, port, scheme, no_proxy, direct):
    assert bypasses_proxy(host, port, scheme, no_proxy) is direct


def test_lower_case_no_proxy_wins():
    assert environment_value({"NO_PROXY": "a", "no_proxy": "b"}, "no_proxy") == "b"
    assert environment_value({"NO_PROXY": "a"}, "no_proxy") == "a"
    assert environment_value({"NO_PROXY": "a", "no_proxy": ""}, "no_proxy") == ""


@pytest.mark.parametrize("endpoint, no_proxy, direct", [
    ("10.0.0.5:8080", "10.0.0.0/8", True),
    ("eci.internal:8080", "eci.internal:8080", True),
    ("eci.internal:8080", "eci.internal:9090", False),
    ("https://eci.internal", "eci.internal:443", True),
])
def test_api_calls_and_registry_reads_agree_on_no_proxy(monkeypatch, endpoint, no_proxy, direct):
    from ansible_collections.alibabacloud.eci.plugins.module_utils import registry as reg
    for name in ("NO_PROXY", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", no_proxy)
    connection = Connection(dict(region="cn-hangzhou", access_key="a", secret_key="secret-key", eci_endpoint=endpoint), {})
    assert connection._bypass_proxy("eci") is direct
    host, _sep, port = connection.endpoints["eci"][0].partition(":")
    proxy = reg.proxy_for("https", host, reg.proxy_settings(), int(port) if port else None)
    assert (proxy is None) is direct


@pytest.mark.parametrize("environ, expected", [
    ({"HTTPS_PROXY": "http://upper.example:1", "https_proxy": "http://lower.example:2"}, "http://lower.example:2"),
    ({"HTTPS_PROXY": "http://upper.example:1", "https_proxy": ""}, None),  # an empty lower-case value counts as set
    ({"HTTPS_PROXY": "http://upper.example:1"}, "http://upper.example:1"),
    ({"HTTPS_PROXY": "http://upper.example:1", "no_proxy": "*"}, None),
])
def test_api_calls_and_registry_reads_agree_on_the_proxy(monkeypatch, environ, expected):
    """The SDK reads HTTPS_PROXY before https_proxy; during an API call both spellings carry the proxy of proxies.py's
    precedence (the registry reads' rule), or neither when there is none or NO_PROXY sends the endpoint direct."""
    from ansible_collections.alibabacloud.eci.plugins.module_utils import registry as reg
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    connection = Connection(dict(region="cn-hangzhou", access_key="a", secret_key="secret-key"), {})
    with connection._proxy_environment("eci"):
        seen = (os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or None,
                os.environ.get("https_proxy") or os.environ.get("HTTPS_PROXY") or None)
    host = connection.endpoints["eci"][0]
    registry_proxy = reg.proxy_for("https", host, reg.proxy_settings(), None)
    assert seen == (expected, expected)
    assert (registry_proxy is None) is (expected is None)
    assert {k: v for k, v in os.environ.items() if k.lower().endswith("_proxy")} == environ  # restored after the call
