# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection layer shared by every module of alibabacloud.eci.

Resolves credentials, region and endpoints from module options and the
environment (pure functions, unit-tested as a precedence matrix), builds the
official SDK clients lazily (only the service a module uses is imported),
retries throttling, 5xx and connection errors with jittered exponential
backoff bounded in attempts and seconds, and turns every SDK failure into one
error type, AlibabaCloudError, that carries the action, code, message and
request id.
"""

from __future__ import annotations

import importlib
import random
import re
import time

try:
    from Tea.exceptions import TeaException, UnretryableException
    HAS_SDK_CORE = True
    SDK_CORE_IMPORT_ERROR = None
except ImportError as import_error:  # pragma: no cover - reported by the module
    TeaException = UnretryableException = None
    HAS_SDK_CORE = False
    SDK_CORE_IMPORT_ERROR = import_error

COLLECTION_NAME = "alibabacloud.eci"
COLLECTION_VERSION = "0.1.0"
USER_AGENT = "AlibabaCloud-Ansible-Collection/%s (%s)" % (COLLECTION_VERSION, COLLECTION_NAME)

# One entry per cloud service a module may call. The SDK client module is only
# imported when a module asks for that service: importing the VPC or ECS client
# costs about half a second each.
SERVICES = {
    "eci": {
        "sdk_module": "alibabacloud_eci20180808.client",
        "pip_name": "alibabacloud-eci20180808",
        "option": "eci_endpoint",
        "env": "ALICLOUD_ECI_ENDPOINT",
        "host": "eci.{region}.aliyuncs.com",
    },
    "vpc": {
        "sdk_module": "alibabacloud_vpc20160428.client",
        "pip_name": "alibabacloud-vpc20160428",
        "option": "vpc_endpoint",
        "env": "ALICLOUD_VPC_ENDPOINT",
        "host": "vpc.{region}.aliyuncs.com",
    },
    "ecs": {
        "sdk_module": "alibabacloud_ecs20140526.client",
        "pip_name": "alibabacloud-ecs20140526",
        "option": "ecs_endpoint",
        "env": "ALICLOUD_ECS_ENDPOINT",
        "host": "ecs.{region}.aliyuncs.com",
    },
}

# Connection failures that happen before a request is sent (nothing can have been applied).
NOT_SENT = re.compile(r"Connection refused|Failed to establish a new connection|Name or service not known|"
                      r"nodename nor servname|No route to host|Network is unreachable|ConnectTimeout|connect timeout",
                      re.IGNORECASE)

# Codes the cloud uses when it asks the caller to slow down or try later.
RETRYABLE_CODES = frozenset((
    "Throttling", "Throttling.User", "Throttling.Api", "Throttling.Tenant", "Throttling.Concurrent",
    "ServiceUnavailable", "InternalError", "RequestTimeout", "OperationConflict",
))


def auth_argument_spec():
    """Options every module of the collection takes (doc fragment alibabacloud.eci.common)."""
    return dict(
        access_key=dict(type="str", no_log=True, aliases=["alicloud_access_key", "access_key_id"]),
        secret_key=dict(type="str", no_log=True, aliases=["alicloud_secret_key", "access_key_secret"]),
        security_token=dict(type="str", no_log=True, aliases=["alicloud_security_token"]),
        profile=dict(type="str", aliases=["alicloud_profile"]),
        region=dict(type="str", aliases=["alicloud_region", "region_id"]),
        eci_endpoint=dict(type="str"),
        vpc_endpoint=dict(type="str"),
        ecs_endpoint=dict(type="str"),
        api_retries=dict(type="int", default=5),
        api_retry_max_seconds=dict(type="float", default=60.0),
        connect_timeout=dict(type="float", default=10.0),
        read_timeout=dict(type="float", default=60.0),
        validate_certs=dict(type="bool", default=True),
    )


class ConfigError(Exception):
    """The module's settings cannot work; raised before any API call."""


class AlibabaCloudError(Exception):
    """An API call that failed: the action, the cloud's code, message and request id."""

    def __init__(self, action, code, message, request_id=None, status_code=None, attempts=1):
        super().__init__(message)
        self.action = action
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status_code = status_code
        self.attempts = attempts

    def __str__(self):
        text = "%s failed: %s: %s" % (self.action, self.code, self.message)
        if self.request_id:
            text += " (request id: %s)" % self.request_id
        if self.attempts > 1:
            text += " after %d attempts" % self.attempts
        return text

    def to_result(self):
        """The error as fail_json keys, so playbooks can branch on the code."""
        return dict(error=dict(action=self.action, code=self.code, message=self.message,
                               request_id=self.request_id, status_code=self.status_code,
                               attempts=self.attempts))


def _setting(value):
    """Empty strings count as unset, the way users expect from env vars and templates."""
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def resolve_credentials(params, env):
    """Decide where credentials come from.

    Returns a dict with 'source' (options, environment or default_chain) and
    either 'profile' or 'access_key_id', 'access_key_secret', 'security_token'.
    A layer that sets anything wins whole: explicit options, then the ALICLOUD_*
    environment variables, then the alibabacloud-credentials default chain
    (ALIBABA_CLOUD_* variables, OIDC/RRSA, ~/.aliyun/config.json, ECS RAM role,
    credentials URI). Mixing a profile and keys within a layer is an error.
    """
    layers = (
        ("options", "option", dict(access_key=params.get("access_key"), secret_key=params.get("secret_key"),
                                   security_token=params.get("security_token"), profile=params.get("profile"))),
        ("environment", "environment variable", dict(access_key=env.get("ALICLOUD_ACCESS_KEY"),
                                                     secret_key=env.get("ALICLOUD_SECRET_KEY"),
                                                     security_token=env.get("ALICLOUD_SECURITY_TOKEN"),
                                                     profile=env.get("ALICLOUD_PROFILE"))),
    )
    names = {
        "option": dict(access_key="access_key", secret_key="secret_key", security_token="security_token", profile="profile"),
        "environment variable": dict(access_key="ALICLOUD_ACCESS_KEY", secret_key="ALICLOUD_SECRET_KEY",
                                     security_token="ALICLOUD_SECURITY_TOKEN", profile="ALICLOUD_PROFILE"),
    }
    for source, kind, values in layers:
        values = dict((key, _setting(value)) for key, value in values.items())
        if not any(values.values()):
            continue
        name = names[kind]
        keys_given = [name[key] for key in ("access_key", "secret_key", "security_token") if values[key]]
        if values["profile"]:
            if keys_given:
                raise ConfigError(
                    "Passing both a profile and access keys is not supported: the %s %s and %s were both set. "
                    "Use either the profile or the keys." % (kind, name["profile"], ", ".join(keys_given)))
            return dict(source=source, profile=values["profile"])
        missing = [name[key] for key in ("access_key", "secret_key") if not values[key]]
        if missing:
            raise ConfigError(
                "Incomplete credentials: the %s %s %s set but %s %s not. Set both %s and %s, or neither to use "
                "the default credential chain." % (
                    kind, ", ".join(keys_given), "is" if len(keys_given) == 1 else "are",
                    " and ".join(missing), "is" if len(missing) == 1 else "are", name["access_key"], name["secret_key"]))
        return dict(source=source, access_key_id=values["access_key"], access_key_secret=values["secret_key"],
                    security_token=values["security_token"])
    return dict(source="default_chain")


def resolve_region(params, env):
    """The region from the option, ALICLOUD_REGION, then ALIBABA_CLOUD_REGION_ID."""
    for value in (params.get("region"), env.get("ALICLOUD_REGION"), env.get("ALIBABA_CLOUD_REGION_ID")):
        value = _setting(value)
        if value:
            return value.strip()
    raise ConfigError(
        "No region given: set the module option region (for example region: cn-hangzhou) "
        "or the environment variable ALICLOUD_REGION (ALIBABA_CLOUD_REGION_ID is also read).")


def parse_endpoint(value, where):
    """Split 'host', 'host:port' or 'http(s)://host[:port]' into (host[:port], protocol).

    The SDK needs a bare host in Config.endpoint (a scheme there ends up in the
    Host header) and the scheme in Config.protocol.
    """
    text = value.strip()
    protocol = "https"
    if "://" in text:
        scheme, text = text.split("://", 1)
        protocol = scheme.lower()
        if protocol not in ("http", "https"):
            raise ConfigError("%s: unsupported scheme %r in endpoint %r; use http://, https:// or no scheme." % (where, scheme, value))
    text = text.rstrip("/")
    if not text or "/" in text or "?" in text or "@" in text or " " in text:
        raise ConfigError("%s: %r is not an endpoint; give host, host:port or http(s)://host:port." % (where, value))
    host, sep, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    if sep:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError("%s: the port in %r must be a number from 1 to 65535." % (where, value))
        if not host:
            raise ConfigError("%s: %r has no host name." % (where, value))
    return text, protocol


def resolve_endpoint(service, params, env, region):
    """(host, protocol) for a service: the option, its ALICLOUD_*_ENDPOINT variable, then the regional default."""
    spec = SERVICES[service]
    for value, where in ((params.get(spec["option"]), "option %s" % spec["option"]),
                         (env.get(spec["env"]), "environment variable %s" % spec["env"])):
        value = _setting(value)
        if value:
            return parse_endpoint(value, where)
    return spec["host"].format(region=region), "https"


def without_query(text):
    """Drops URL query strings from a message: RPC requests carry every parameter there, registry
    passwords included, and the URL-encoded form would slip past Ansible's no_log masking."""
    return re.sub(r"\?[^\s'\"()]+", "?<parameters removed>", text)


def _retryable(error):
    return (error.code in RETRYABLE_CODES or (error.code or "").startswith("Throttling")
            or (error.status_code is not None and error.status_code >= 500)
            or error.code == "ConnectionError")


def translate_sdk_error(action, exc):
    """One AlibabaCloudError from whatever the SDK raised (Tea 0.3 or darabonba 1.x)."""
    if UnretryableException is not None and isinstance(exc, UnretryableException):
        inner = getattr(exc, "inner_exception", None)
        if inner is not None and type(inner).__name__ == "CredentialException":
            return AlibabaCloudError(action, "CredentialsNotFound", str(inner))
        if isinstance(inner, TeaException) and getattr(inner, "code", None):
            return translate_sdk_error(action, inner)
        # darabonba's RetryError keeps the text in .message (its str() is a dict's repr).
        detail = without_query(str(getattr(inner, "message", None) or inner or exc))
        if NOT_SENT.search(detail):
            return AlibabaCloudError(action, "ConnectionError", "could not connect to the endpoint, so the request was not "
                                     "sent: %s" % detail)
        # A reset or a timeout after the request left: the cloud may have acted on it.
        return AlibabaCloudError(action, "ConnectionError", "no answer from the endpoint; the request may or may not have "
                                 "been applied: %s" % detail)
    data = getattr(exc, "data", None) or {}
    status_code = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    if status_code is None and isinstance(data, dict):
        status_code = data.get("statusCode")
    request_id = getattr(exc, "request_id", None)
    if (not request_id or request_id == "None") and isinstance(data, dict):
        request_id = data.get("RequestId") or data.get("requestId")
    message = (data.get("Message") if isinstance(data, dict) else None) or getattr(exc, "message", None) or str(exc)
    code = getattr(exc, "code", None) or "UnknownError"
    try:
        status_code = int(status_code) if status_code is not None else None
    except (TypeError, ValueError):
        status_code = None
    return AlibabaCloudError(action, str(code), message, request_id=request_id or None, status_code=status_code)


class RetryPolicy:
    """Jittered exponential backoff on throttling, 5xx and connection errors.

    Bounded twice: at most `retries` retries after the first attempt, and no
    sleep that would end later than `max_seconds` after the first attempt
    started. Other 4xx errors are final at once.
    """

    def __init__(self, retries=5, max_seconds=60.0, base_delay=0.5, max_delay=20.0,
                 sleep=time.sleep, clock=time.monotonic, rand=random.random):
        self.retries = max(0, int(retries))
        self.max_seconds = float(max_seconds)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._clock = clock
        self._rand = rand

    def delay(self, retry_number):
        """Equal jitter: half the exponential step, plus a random share of the other half."""
        step = min(self.max_delay, self.base_delay * (2 ** retry_number))
        return step / 2 + self._rand() * step / 2

    def run(self, action, call, retry_connection_errors=True):
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return call()
            except AlibabaCloudError as error:
                error.attempts = attempt
                retryable = _retryable(error) and (retry_connection_errors or error.code != "ConnectionError")
                if not retryable or attempt > self.retries:
                    raise
                pause = self.delay(attempt - 1)
                if self._clock() - started + pause > self.max_seconds:
                    raise
                self._sleep(pause)


class Connection:
    """Resolved settings plus lazily built SDK clients for one module run."""

    def __init__(self, params, env):
        self.params = params
        self.region = resolve_region(params, env)
        self.credentials = resolve_credentials(params, env)
        self.endpoints = dict((service, resolve_endpoint(service, params, env, self.region)) for service in SERVICES)
        for option in ("connect_timeout", "read_timeout"):
            if params.get(option) is not None and params[option] <= 0:
                raise ConfigError("%s must be a positive number of seconds, got %s." % (option, params[option]))
        if params.get("api_retries") is not None and params["api_retries"] < 0:
            raise ConfigError("api_retries must be 0 or more, got %s." % params["api_retries"])
        if params.get("api_retry_max_seconds") is not None and params["api_retry_max_seconds"] < 0:
            raise ConfigError("api_retry_max_seconds must be 0 or more, got %s." % params["api_retry_max_seconds"])
        self.retry_policy = RetryPolicy(retries=params.get("api_retries", 5),
                                        max_seconds=params.get("api_retry_max_seconds", 60.0))
        self._clients = {}
        self._credential_client = None

    def _credential(self):
        """An alibabacloud-credentials client for the chosen source."""
        if self._credential_client is None:
            from alibabacloud_credentials.client import Client as CredentialClient
            from alibabacloud_credentials.models import Config as CredentialConfig
            creds = self.credentials
            if creds.get("profile"):
                from alibabacloud_credentials.provider import CLIProfileCredentialsProvider
                self._credential_client = CredentialClient(provider=CLIProfileCredentialsProvider(profile_name=creds["profile"]))
            elif creds.get("access_key_id"):
                config = CredentialConfig(type="sts" if creds.get("security_token") else "access_key",
                                          access_key_id=creds["access_key_id"],
                                          access_key_secret=creds["access_key_secret"],
                                          security_token=creds.get("security_token"))
                self._credential_client = CredentialClient(config)
            else:
                self._credential_client = CredentialClient()
        return self._credential_client

    def client(self, service):
        """The SDK client of one service, imported and built on first use."""
        if service not in self._clients:
            spec = SERVICES[service]
            try:
                sdk = importlib.import_module(spec["sdk_module"])
                from alibabacloud_tea_openapi.models import Config
            except ImportError as exc:
                raise ConfigError("The Python package %s is required for this module (%s). Install it with "
                                  "pip install -r requirements.txt from the collection." % (spec["pip_name"], exc))
            host, protocol = self.endpoints[service]
            config = Config(credential=self._credential(), region_id=self.region, endpoint=host, protocol=protocol,
                            user_agent=USER_AGENT,
                            connect_timeout=int(self.params.get("connect_timeout", 10.0) * 1000),
                            read_timeout=int(self.params.get("read_timeout", 60.0) * 1000))
            self._clients[service] = sdk.Client(config)
        return self._clients[service]

    def runtime_options(self):
        """Per-call options: the SDK's own retries are off (ours are jittered and bounded), timeouts in ms."""
        from alibabacloud_tea_util.models import RuntimeOptions
        return RuntimeOptions(autoretry=False, max_attempts=1,
                              ignore_ssl=not self.params.get("validate_certs", True),
                              connect_timeout=int(self.params.get("connect_timeout", 10.0) * 1000),
                              read_timeout=int(self.params.get("read_timeout", 60.0) * 1000))

    def call(self, service, action, method_name, request, retry_connection_errors=True):
        """Call client.<method_name>(request, runtime) with retries; returns the response body model."""
        client = self.client(service)
        method = getattr(client, method_name)

        def attempt():
            try:
                return method(request, self.runtime_options()).body
            except TeaException as exc:
                raise translate_sdk_error(action, exc) from None

        return self.retry_policy.run(action, attempt, retry_connection_errors=retry_connection_errors)
