# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext

from ansible_collections.alibabacloud.eci.plugins.module_utils import client as client_utils
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import (
    USER_AGENT,
    AlibabaCloudError,
    ConfigError,
    Connection,
    RetryPolicy,
    parse_endpoint,
    resolve_credentials,
    resolve_endpoint,
    resolve_region,
    translate_sdk_error,
)

OPT_KEYS = dict(access_key="AK_OPT", secret_key="SK_OPT")
ENV_KEYS = dict(ALICLOUD_ACCESS_KEY="AK_ENV", ALICLOUD_SECRET_KEY="SK_ENV")


# ---------------------------------------------------------------- credentials

@pytest.mark.parametrize("params, env, expected", [
    # explicit options win over everything
    (OPT_KEYS, ENV_KEYS, dict(source="options", access_key_id="AK_OPT", access_key_secret="SK_OPT", security_token=None)),
    (dict(OPT_KEYS, security_token="TOK"), ENV_KEYS,
     dict(source="options", access_key_id="AK_OPT", access_key_secret="SK_OPT", security_token="TOK")),
    (dict(profile="prod"), ENV_KEYS, dict(source="options", profile="prod")),
    (OPT_KEYS, dict(ALICLOUD_PROFILE="envprof"),
     dict(source="options", access_key_id="AK_OPT", access_key_secret="SK_OPT", security_token=None)),
    # the ALICLOUD_* environment is next
    ({}, ENV_KEYS, dict(source="environment", access_key_id="AK_ENV", access_key_secret="SK_ENV", security_token=None)),
    ({}, dict(ENV_KEYS, ALICLOUD_SECURITY_TOKEN="ENVTOK"),
     dict(source="environment", access_key_id="AK_ENV", access_key_secret="SK_ENV", security_token="ENVTOK")),
    ({}, dict(ALICLOUD_PROFILE="envprof"), dict(source="environment", profile="envprof")),
    # empty strings count as unset, in options and in the environment
    (dict(access_key="", secret_key="", profile=""), ENV_KEYS,
     dict(source="environment", access_key_id="AK_ENV", access_key_secret="SK_ENV", security_token=None)),
    (dict(access_key="  "), dict(ALICLOUD_ACCESS_KEY="", ALICLOUD_SECRET_KEY=""), dict(source="default_chain")),
    # nothing set: the alibabacloud-credentials default chain (ALIBABA_CLOUD_* env, profiles, RAM role, OIDC, URI)
    ({}, {}, dict(source="default_chain")),
    ({}, dict(ALIBABA_CLOUD_ACCESS_KEY_ID="x", ALIBABA_CLOUD_ACCESS_KEY_SECRET="y"), dict(source="default_chain")),
])
def test_credential_precedence(params, env, expected):
    assert resolve_credentials(params, env) == expected


@pytest.mark.parametrize("params, env, words", [
    (dict(OPT_KEYS, profile="prod"), {}, ["profile", "access_key", "secret_key"]),
    (dict(profile="prod", security_token="T"), {}, ["profile", "security_token"]),
    ({}, dict(ENV_KEYS, ALICLOUD_PROFILE="p"), ["ALICLOUD_PROFILE", "ALICLOUD_ACCESS_KEY"]),
    (dict(access_key="AK"), {}, ["secret_key"]),
    (dict(secret_key="SK"), ENV_KEYS, ["access_key"]),
    (dict(security_token="T"), {}, ["access_key", "secret_key"]),
    ({}, dict(ALICLOUD_ACCESS_KEY="AK"), ["ALICLOUD_SECRET_KEY"]),
])
def test_credential_errors_name_the_settings(params, env, words):
    with pytest.raises(ConfigError) as caught:
        resolve_credentials(params, env)
    for word in words:
        assert word in str(caught.value)


def test_credential_errors_never_show_secret_values():
    with pytest.raises(ConfigError) as caught:
        resolve_credentials(dict(profile="prod", secret_key="VERY-SECRET"), {})
    assert "VERY-SECRET" not in str(caught.value)


# ---------------------------------------------------------------- region

@pytest.mark.parametrize("params, env, expected", [
    (dict(region="cn-beijing"), dict(ALICLOUD_REGION="cn-shanghai", ALIBABA_CLOUD_REGION_ID="cn-shenzhen"), "cn-beijing"),
    ({}, dict(ALICLOUD_REGION="cn-shanghai", ALIBABA_CLOUD_REGION_ID="cn-shenzhen"), "cn-shanghai"),
    ({}, dict(ALIBABA_CLOUD_REGION_ID="cn-shenzhen"), "cn-shenzhen"),
    (dict(region=""), dict(ALICLOUD_REGION="", ALIBABA_CLOUD_REGION_ID="cn-shenzhen"), "cn-shenzhen"),
])
def test_region_precedence(params, env, expected):
    assert resolve_region(params, env) == expected


def test_missing_region_names_both_ways(tmp_path):
    with pytest.raises(ConfigError) as caught:
        resolve_region(dict(region=""), dict(ALICLOUD_REGION=""), config_file=str(tmp_path / "none.json"))
    assert "region" in str(caught.value) and "ALICLOUD_REGION" in str(caught.value)


def _cli_config(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": "default", "profiles": [
        {"name": "default", "mode": "AK", "access_key_id": "AK_D", "access_key_secret": "SK_D", "region_id": "cn-shenzhen"},
        {"name": "prod", "mode": "AK", "access_key_id": "AK_P", "access_key_secret": "SK_P", "region_id": "cn-beijing"},
        {"name": "bare", "mode": "AK", "access_key_id": "AK_B", "access_key_secret": "SK_B"}]}))
    return str(path)


@pytest.mark.parametrize("params, env, expected", [
    # the profile in use gives the region when neither the option nor the environment does
    (dict(profile="prod"), {}, "cn-beijing"),
    ({}, dict(ALICLOUD_PROFILE="prod"), "cn-beijing"),
    # default chain: ALIBABA_CLOUD_PROFILE, else the CLI's current profile
    ({}, {}, "cn-shenzhen"),
    ({}, dict(ALIBABA_CLOUD_PROFILE="prod"), "cn-beijing"),
    # precedence: option > environment > profile
    (dict(profile="prod", region="eu-central-1"), dict(ALICLOUD_REGION="cn-shanghai"), "eu-central-1"),
    (dict(profile="prod"), dict(ALICLOUD_REGION="cn-shanghai"), "cn-shanghai"),
    (dict(profile="prod"), dict(ALIBABA_CLOUD_REGION_ID="cn-qingdao"), "cn-qingdao"),
])
def test_region_from_the_cli_profile(tmp_path, params, env, expected):
    assert resolve_region(params, env, config_file=_cli_config(tmp_path)) == expected


@pytest.mark.parametrize("params, env", [
    (dict(access_key="AK", secret_key="SK"), {}),  # keys of their own: no profile in use, the current one is not read
    (dict(profile="bare"), {}),  # the profile has no region_id
    (dict(profile="nosuch"), {}),
])
def test_no_region_from_a_profile_not_in_use_or_without_one(tmp_path, params, env):
    with pytest.raises(ConfigError) as caught:
        resolve_region(params, env, config_file=_cli_config(tmp_path))
    assert "region_id" in str(caught.value) and "ALICLOUD_REGION" in str(caught.value)
    if params.get("profile"):
        assert f"CLI profile {params['profile']} " in str(caught.value)


def test_the_connection_takes_the_region_of_the_profile_from_the_cli_config(tmp_path, monkeypatch):
    from alibabacloud_credentials.utils import auth_constant
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(open(_cli_config(tmp_path)).read())
    monkeypatch.setattr(auth_constant, "HOME", str(tmp_path))
    connection = Connection(dict(profile="prod"), {})
    assert connection.region == "cn-beijing"
    assert connection.endpoints["eci"] == ("eci.cn-beijing.aliyuncs.com", "https")
    assert connection._credential().get_credential().access_key_id == "AK_P"


# ---------------------------------------------------------------- endpoints

@pytest.mark.parametrize("value, expected", [
    ("eci.cn-hangzhou.aliyuncs.com", ("eci.cn-hangzhou.aliyuncs.com", "https")),
    ("127.0.0.1:8080", ("127.0.0.1:8080", "https")),
    ("http://127.0.0.1:8080", ("127.0.0.1:8080", "http")),
    ("HTTPS://eci.example.com:443/", ("eci.example.com:443", "https")),
    ("https://eci.example.com", ("eci.example.com", "https")),
])
def test_parse_endpoint(value, expected):
    assert parse_endpoint(value, "option eci_endpoint") == expected


@pytest.mark.parametrize("value", ["ftp://host", "http://", "host:notaport", "host:70000", "http://host/path", ":80", "a b"])
def test_parse_endpoint_rejects(value):
    with pytest.raises(ConfigError) as caught:
        parse_endpoint(value, "option eci_endpoint")
    assert "eci_endpoint" in str(caught.value)


@pytest.mark.parametrize("service, params, env, expected", [
    ("eci", {}, {}, ("eci.cn-hangzhou.aliyuncs.com", "https")),
    ("vpc", {}, {}, ("vpc.cn-hangzhou.aliyuncs.com", "https")),
    ("ecs", {}, {}, ("ecs.cn-hangzhou.aliyuncs.com", "https")),
    ("eci", {}, dict(ALICLOUD_ECI_ENDPOINT="http://127.0.0.1:9"), ("127.0.0.1:9", "http")),
    ("eci", dict(eci_endpoint="localhost:7"), dict(ALICLOUD_ECI_ENDPOINT="http://127.0.0.1:9"), ("localhost:7", "https")),
    ("eci", dict(eci_endpoint=""), dict(ALICLOUD_ECI_ENDPOINT="http://127.0.0.1:9"), ("127.0.0.1:9", "http")),
    ("vpc", dict(eci_endpoint="localhost:7"), dict(ALICLOUD_VPC_ENDPOINT="vpc.local"), ("vpc.local", "https")),
    ("ecs", {}, dict(ALICLOUD_ECS_ENDPOINT="http://ecs.local:81"), ("ecs.local:81", "http")),
])
def test_endpoint_precedence(service, params, env, expected):
    assert resolve_endpoint(service, params, env, "cn-hangzhou") == expected


def test_collection_version_is_galaxy_yml_version():
    """galaxy.yml is the one source of the version; the user agent's copy must follow it."""
    import pathlib
    import yaml
    galaxy = yaml.safe_load((pathlib.Path(__file__).resolve().parents[4] / "galaxy.yml").read_text())
    assert client_utils.COLLECTION_VERSION == galaxy["version"]


def test_connection_gives_the_sdk_a_bare_host_and_the_scheme_as_protocol():
    connection = Connection(dict(region="cn-hangzhou", eci_endpoint="http://127.0.0.1:8999", access_key="AK", secret_key="SK",
                                 connect_timeout=3.0, read_timeout=7.0), {})
    sdk_client = connection.client("eci")
    assert sdk_client._endpoint == "127.0.0.1:8999"
    assert sdk_client._protocol == "http"
    assert sdk_client._region_id == "cn-hangzhou"
    assert sdk_client._user_agent == USER_AGENT
    assert "alibabacloud.eci" in USER_AGENT and client_utils.COLLECTION_VERSION in USER_AGENT
    runtime = connection.runtime_options()
    assert (runtime.connect_timeout, runtime.read_timeout, runtime.autoretry) == (3000, 7000, False)
    assert connection.client("eci") is sdk_client


def test_connection_imports_only_the_service_it_uses():
    connection = Connection(dict(region="cn-hangzhou", access_key="AK", secret_key="SK"), {})
    connection.client("eci")
    assert set(connection._clients) == {"eci"}


@pytest.mark.parametrize("option, value", [("connect_timeout", 0), ("read_timeout", -1), ("api_retries", -1),
                                           ("api_retry_max_seconds", -5)])
def test_connection_rejects_bad_numbers(option, value):
    with pytest.raises(ConfigError) as caught:
        Connection({"region": "cn-hangzhou", option: value}, {})
    assert option in str(caught.value)


# ---------------------------------------------------------------- errors

def test_translate_client_exception_keeps_code_message_and_request_id():
    exc = ClientException(status_code=400, code="InvalidParameter", message="code: 400, bad size request id: R-1",
                          data={"Code": "InvalidParameter", "Message": "bad size", "RequestId": "R-1"}, request_id="R-1")
    error = translate_sdk_error("CreateImageCache", exc)
    assert (error.action, error.code, error.message, error.request_id, error.status_code) == (
        "CreateImageCache", "InvalidParameter", "bad size", "R-1", 400)
    assert str(error) == "CreateImageCache failed: InvalidParameter: bad size (request id: R-1)"


def test_a_wrong_secret_names_its_two_causes_the_secret_and_the_clock():
    from ansible_collections.alibabacloud.eci.plugins.module_utils.eci import describe_image_caches
    from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
    twin = Emulator(access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET).start()
    try:
        with pytest.raises(AlibabaCloudError) as caught:
            describe_image_caches(Connection(dict(region="cn-hangzhou", access_key=DEFAULT_ACCESS_KEY_ID,
                                                  secret_key="not-the-secret", eci_endpoint=twin.url, api_retries=0), {}))
    finally:
        twin.stop()
    assert caught.value.code == "SignatureDoesNotMatch"
    assert "AccessKey secret" in caught.value.message and "clock" in caught.value.message
    assert "not-the-secret" not in str(caught.value)


def test_a_code_without_a_hint_keeps_the_clouds_message_alone():
    exc = ClientException(status_code=400, code="InvalidTimeStamp.Expired", message="expired",
                          data={"Code": "InvalidTimeStamp.Expired", "Message": "expired"})
    assert "clock" in translate_sdk_error("X", exc).message
    exc = ClientException(status_code=400, code="InvalidParameter", message="bad", data={"Message": "bad"})
    assert translate_sdk_error("X", exc).message == "bad"


def test_connection_errors_never_carry_the_query_string():
    url = "/?ImageRegistryCredential.1.Password=p%40ss-word&RegionId=cn-hangzhou"
    exc = UnretryableException(RetryPolicyContext(retries_attempted=1, exception=RetryError(
        "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: %s (Caused by refused)" % url)))
    error = translate_sdk_error("CreateImageCache", exc)
    assert "p%40ss" not in str(error) and "Password" not in str(error)
    assert "127.0.0.1" in error.message and "Caused by refused" in error.message


@pytest.mark.parametrize("text, words", [
    ("HTTPConnectionPool(host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] Connection refused",
     "request was not sent"),
    ("HTTPConnectionPool(host='127.0.0.1', port=8): Read timed out. (read timeout=1.0)", "may or may not have been applied"),
    ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
     "may or may not have been applied"),
])
def test_connection_errors_say_whether_the_request_may_have_been_applied(text, words):
    error = translate_sdk_error("CreateImageCache", UnretryableException(RetryPolicyContext(retries_attempted=1,
                                                                                            exception=RetryError(text))))
    assert error.code == "ConnectionError" and words in error.message


def test_translate_connection_error():
    exc = UnretryableException(RetryPolicyContext(retries_attempted=1, exception=RetryError("Connection refused")))
    error = translate_sdk_error("DescribeImageCaches", exc)
    assert error.code == "ConnectionError" and "Connection refused" in error.message


def test_translate_server_and_throttling_exceptions():
    server = translate_sdk_error("X", ServerException(status_code=503, code="ServiceUnavailable", message="m",
                                                      data={"Message": "busy", "RequestId": "R-2"}, request_id="R-2"))
    assert (server.code, server.status_code, server.request_id, server.message) == ("ServiceUnavailable", 503, "R-2", "busy")
    throttled = translate_sdk_error("X", ThrottlingException(status_code=400, code="Throttling.User", message="slow",
                                                             data={}, request_id="R-3", retry_after=1))
    assert (throttled.code, throttled.request_id) == ("Throttling.User", "R-3")


# ---------------------------------------------------------------- retries


def failing(errors, result="ok"):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result
    return call, calls


def err(code, status=None):
    return AlibabaCloudError("DescribeImageCaches", code, "m", request_id="R", status_code=status)


@pytest.mark.parametrize("error", [err("Throttling.User", 400), err("Throttling", 400), err("ServiceUnavailable", 503),
                                   err("InternalError", 500), err("SomethingNew", 502), err("ConnectionError")])
def test_retried_errors(error, fake_time):
    call, calls = failing([error, error])
    policy = RetryPolicy(retries=5, max_seconds=60, sleep=fake_time.sleep, clock=fake_time.clock, rand=lambda: 0.5)
    assert policy.run("DescribeImageCaches", call) == "ok"
    assert len(calls) == 3 and len(fake_time.sleeps) == 2


@pytest.mark.parametrize("error", [err("InvalidParameter", 400), err("SignatureDoesNotMatch", 400),
                                   err("InvalidAccessKeyId.NotFound", 404), err("Forbidden.RAM", 403),
                                   err("IncorrectStatus.ImageCache", 403)])
def test_client_errors_are_not_retried(error, fake_time):
    call, calls = failing([error])
    policy = RetryPolicy(retries=5, sleep=fake_time.sleep, clock=fake_time.clock)
    with pytest.raises(AlibabaCloudError):
        policy.run("DescribeImageCaches", call)
    assert len(calls) == 1 and fake_time.sleeps == []


def test_attempts_are_bounded_and_reported(fake_time):
    call, calls = failing([err("ServiceUnavailable", 503)] * 10)
    policy = RetryPolicy(retries=3, max_seconds=1000, sleep=fake_time.sleep, clock=fake_time.clock, rand=lambda: 0.0)
    with pytest.raises(AlibabaCloudError) as caught:
        policy.run("DescribeImageCaches", call)
    assert len(calls) == 4
    assert caught.value.attempts == 4 and "after 4 attempts" in str(caught.value)


def test_total_time_is_bounded(fake_time):
    call, calls = failing([err("ServiceUnavailable", 503)] * 50)
    policy = RetryPolicy(retries=50, max_seconds=10, base_delay=1, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock,
                         rand=lambda: 1.0)
    with pytest.raises(AlibabaCloudError):
        policy.run("DescribeImageCaches", call)
    assert sum(fake_time.sleeps) <= 10
    assert fake_time.sleeps == [1, 2, 4]  # a fourth sleep of 8 s would end past the 10 s bound
    assert len(calls) == 4


def test_backoff_is_exponential_with_jitter_and_capped():
    policy = RetryPolicy(base_delay=0.5, max_delay=4, rand=lambda: 0.0)
    assert [policy.delay(n) for n in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    policy = RetryPolicy(base_delay=0.5, max_delay=4, rand=lambda: 1.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_zero_retries_means_one_attempt(fake_time):
    call, calls = failing([err("InternalError", 500)])
    with pytest.raises(AlibabaCloudError):
        RetryPolicy(retries=0, sleep=fake_time.sleep, clock=fake_time.clock).run("X", call)
    assert len(calls) == 1


def test_throttling_is_bounded_by_time_not_by_a_count(fake_time):
    # 20 concurrent runs on one quota: throttled 12 times, then served; 5 retries would have failed.
    call, calls = failing([err("Throttling.User", 400)] * 12)
    policy = RetryPolicy(retries=5, max_seconds=120, base_delay=0.5, max_delay=4, sleep=fake_time.sleep,
                         clock=fake_time.clock, rand=lambda: 1.0)
    assert policy.run("DescribeImageCaches", call) == "ok" and len(calls) == 13
    call, calls = failing([err("Throttling.User", 400)] * 100)
    with pytest.raises(AlibabaCloudError):
        RetryPolicy(retries=5, max_seconds=30, max_delay=4, sleep=fake_time.sleep, clock=fake_time.clock).run("X", call)
    assert sum(fake_time.sleeps) <= 30 + 120 and len(calls) > 6


def test_an_earlier_attempt_that_may_have_been_applied_is_remembered(fake_time):
    lost = AlibabaCloudError("DeleteImageCache", "ConnectionError", "no answer", outcome_unknown=True)
    gone = AlibabaCloudError("DeleteImageCache", "InvalidImageCacheId.NotFound", "gone", status_code=404)
    call, calls = failing([lost, gone])
    with pytest.raises(AlibabaCloudError) as caught:
        RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock).run("DeleteImageCache", call)
    assert caught.value.code == "InvalidImageCacheId.NotFound" and caught.value.earlier_outcome_unknown
    assert len(calls) == 2


# ---------------------------------------------------------------- credential sources reach the SDK

def _credential_of(params, env=None):
    return Connection(dict(dict(region="cn-hangzhou"), **params), env or {})._credential().get_credential()


def test_static_keys_and_sts_token_reach_the_credential_client():
    credential = _credential_of(dict(access_key="AK1", secret_key="SK1"))
    assert (credential.access_key_id, credential.access_key_secret, credential.security_token) == ("AK1", "SK1", None)
    credential = _credential_of({}, dict(ALICLOUD_ACCESS_KEY="AK2", ALICLOUD_SECRET_KEY="SK2", ALICLOUD_SECURITY_TOKEN="T2"))
    assert (credential.access_key_id, credential.access_key_secret, credential.security_token) == ("AK2", "SK2", "T2")


def test_profile_reads_the_cli_config_file(tmp_path, monkeypatch):
    from alibabacloud_credentials.utils import auth_constant
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(
        '{"current": "default", "profiles": ['
        '{"name": "default", "mode": "AK", "access_key_id": "AK_DEFAULT", "access_key_secret": "SK_DEFAULT"},'
        '{"name": "prod", "mode": "AK", "access_key_id": "AK_PROD", "access_key_secret": "SK_PROD"}]}')
    monkeypatch.setattr(auth_constant, "HOME", str(tmp_path))
    credential = _credential_of(dict(profile="prod"))
    assert (credential.access_key_id, credential.access_key_secret) == ("AK_PROD", "SK_PROD")
    credential = _credential_of({}, dict(ALICLOUD_PROFILE="default"))
    assert credential.access_key_id == "AK_DEFAULT"
