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

import contextlib
import contextvars
import importlib
import json
import math
import os
import random
import re
import signal
import time
from types import FrameType
from typing import Any, Callable, Iterable, Iterator, Mapping, NoReturn

from ansible_collections.alibabacloud.eci.plugins.module_utils.masking import MIN_SECRET_LENGTH, secret_forms
from ansible_collections.alibabacloud.eci.plugins.module_utils.proxies import PROXY_VARIABLES, environment_bypasses_proxy, proxy_variable

try:
    from Tea.exceptions import TeaException, UnretryableException
    HAS_SDK_CORE = True
    SDK_CORE_IMPORT_ERROR = None
except ImportError as import_error:  # pragma: no cover - reported by the module
    TeaException = UnretryableException = None
    HAS_SDK_CORE = False
    SDK_CORE_IMPORT_ERROR = import_error


COLLECTION_NAME = "alibabacloud.eci"
# galaxy.yml is the source; this copy exists because module_utils run on hosts without galaxy.yml.
# tests/unit/plugins/module_utils/test_client.py fails when the two differ.
COLLECTION_VERSION = "0.1.0"
USER_AGENT = f"AlibabaCloud-Ansible-Collection/{COLLECTION_VERSION} ({COLLECTION_NAME})"

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

# Name resolution failures: the host does not exist (often a mistyped region); retrying cannot help.
NAME_NOT_RESOLVED = re.compile(r"Name or service not known|nodename nor servname|Temporary failure in name resolution|"
                               r"getaddrinfo failed|No address associated with hostname|NameResolutionError",
                               re.IGNORECASE)

# TLS handshake failures: the connection was made but no request went through it (a certificate that does not verify,
# a plain-http port addressed as https, no common protocol). Retrying cannot mend them.
TLS_HANDSHAKE_FAILED = re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|WRONG_VERSION_NUMBER|wrong version number|"
                                  r"SSLCertVerificationError|hostname mismatch|doesn't match|HANDSHAKE_FAILURE|handshake failure|"
                                  r"UNSUPPORTED_PROTOCOL|unsupported protocol|NO_PROTOCOLS_AVAILABLE|TLSV1_ALERT|tlsv1 alert|"
                                  r"unknown protocol|packet length too long|record layer failure",
                                  re.IGNORECASE)

# Nobody listens on the endpoint's port: the request was not sent. Retried like any connection failure (an endpoint or
# proxy restarting refuses for a moment; botocore retries it too): the retries are bounded and nothing can be applied.
CONNECTION_REFUSED = re.compile(r"Connection refused|\[Errno 111\]|\[WinError 10061\]|ECONNREFUSED", re.IGNORECASE)

# What this collection reads for credentials, for the message when none are found.
CREDENTIAL_SOURCES = (
    "No Alibaba Cloud credentials were found. This collection reads, in order: the options access_key and "
    "secret_key (or profile); the environment variables ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY (or "
    "ALICLOUD_PROFILE); then the official credentials chain (ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET, OIDC/RRSA, ~/.aliyun/config.json, the ECS instance RAM role, a credentials URI).")

# Codes the cloud uses when it asks the caller to slow down or try later.
RETRYABLE_CODES = frozenset((
    "Throttling", "Throttling.User", "Throttling.Api", "Throttling.Tenant", "Throttling.Concurrent",
    "ServiceUnavailable", "InternalError", "RequestTimeout", "OperationConflict",
))


def auth_argument_spec() -> dict[str, dict[str, Any]]:
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


# The connection options that are seconds: (option, smallest allowed, whether the smallest is allowed).
SECONDS_OPTIONS = (("connect_timeout", 0, False), ("read_timeout", 0, False), ("api_retry_max_seconds", 0, True))


def connection_option_problems(params: Mapping[str, Any]) -> list[str]:
    """Messages for connection options out of range, each naming the option and its range.

    nan and inf are refused: a nan bound compares false with everything (it would remove the retry
    bound) and a timeout of inf or nan cannot be given to the HTTP client.
    """
    problems = []
    for option, low, low_allowed in SECONDS_OPTIONS:
        value = params.get(option)
        if value is None:
            continue
        if not math.isfinite(value) or value < low or (value == low and not low_allowed):
            bound = f"{low:g} or more" if low_allowed else f"more than {low:g}"
            problems.append(f"{option} must be a finite number of seconds, {bound}; got {value}.")
    if params.get("api_retries") is not None and params["api_retries"] < 0:
        problems.append(f"api_retries must be 0 or more, got {params['api_retries']}.")
    return problems


class ConfigError(Exception):
    """The module's settings cannot work; raised before any API call."""


class AlibabaCloudError(Exception):
    """An API call that failed: the action, the cloud's code, message and request id."""

    def __init__(self, action: str, code: str, message: str, request_id: str | None = None, status_code: int | None = None,
                 attempts: int = 1, outcome_unknown: bool = False, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status_code = status_code
        self.attempts = attempts
        # The request may have been applied although no answer came (reset or timeout after sending).
        self.outcome_unknown = outcome_unknown
        # An earlier attempt of this same request ended with its outcome unknown (it may have been applied).
        self.earlier_outcome_unknown = False
        # None: decided by code and status (see _retryable); False: never retried (e.g. a host that does not resolve).
        self.retryable = retryable

    def __str__(self) -> str:
        text = f"{self.action} failed: {self.code}: {self.message}"
        if self.request_id:
            text += f" (request id: {self.request_id})"
        if self.attempts > 1:
            text += f" after {self.attempts} attempts"
        return text

    def to_result(self) -> dict[str, Any]:
        """The error as fail_json keys, so playbooks can branch on the code."""
        return dict(error=dict(action=self.action, code=self.code, message=self.message,
                               request_id=self.request_id, status_code=self.status_code,
                               attempts=self.attempts))


def _setting(value: Any) -> Any:
    """Empty strings count as unset, the way users expect from env vars and templates."""
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def resolve_credentials(params: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
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
                    f"Passing both a profile and access keys is not supported: the {kind} {name['profile']} and "
                    f"{', '.join(keys_given)} were both set. Use either the profile or the keys.")
            return dict(source=source, profile=values["profile"])
        missing = [name[key] for key in ("access_key", "secret_key") if not values[key]]
        if missing:
            raise ConfigError(
                f"Incomplete credentials: the {kind} {', '.join(keys_given)} {'is' if len(keys_given) == 1 else 'are'} "
                f"set but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not. Set both {name['access_key']} "
                f"and {name['secret_key']}, or neither to use the default credential chain.")
        return dict(source=source, access_key_id=values["access_key"], access_key_secret=values["secret_key"],
                    security_token=values["security_token"])
    return dict(source="default_chain")


def cli_config_file() -> str:
    """The Alibaba Cloud CLI's config file, ~/.aliyun/config.json: the file alibabacloud-credentials reads profiles from."""
    try:
        from alibabacloud_credentials.utils import auth_constant
        home = auth_constant.HOME
    except ImportError:  # pragma: no cover - the SDK is a requirement; the module reports it missing
        home = os.path.expanduser("~")
    return os.path.join(home, ".aliyun", "config.json")


def profile_region(profile: str | None, env: Mapping[str, str], config_file: str | None = None) -> tuple[str | None, str]:
    """(region_id of a CLI profile, the profile's name) from ~/.aliyun/config.json; (None, name) when it has none.

    profile None: the profile the credentials chain would use, ALIBABA_CLOUD_PROFILE else the file's current one.
    An unreadable file gives no region: the credentials chain reports the file itself.
    """
    path = config_file or cli_config_file()
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except (OSError, ValueError):
        return None, profile or ""
    if not isinstance(config, dict):
        return None, profile or ""
    name = profile or _setting(env.get("ALIBABA_CLOUD_PROFILE")) or config.get("current") or ""
    for entry in config.get("profiles") or ():
        if isinstance(entry, dict) and entry.get("name") == name:
            region = entry.get("region_id")
            return (region.strip() if isinstance(region, str) and region.strip() else None), name
    return None, name


def resolve_region(params: Mapping[str, Any], env: Mapping[str, str], credentials: Mapping[str, Any] | None = None,
                   config_file: str | None = None) -> str:
    """The region: the option, ALICLOUD_REGION, ALIBABA_CLOUD_REGION_ID, then the region_id of the CLI profile in use.

    The profile in use (as amazon.aws takes a profile's region): the one credentials come from (option profile or
    ALICLOUD_PROFILE), or, when they come from the default chain, ALIBABA_CLOUD_PROFILE or the CLI's current profile.
    Keys given as options or ALICLOUD_* variables use no profile, so no profile's region either.
    """
    for value in (params.get("region"), env.get("ALICLOUD_REGION"), env.get("ALIBABA_CLOUD_REGION_ID")):
        value = _setting(value)
        if value:
            return value.strip()
    if credentials is None:
        credentials = resolve_credentials(params, env)
    profile_note = ""
    if credentials.get("profile") or credentials.get("source") == "default_chain":
        region, name = profile_region(credentials.get("profile"), env, config_file)
        if region:
            return region
        if name:
            profile_note = f" The CLI profile {name} of {config_file or cli_config_file()} has no region_id either."
    raise ConfigError(
        "No region given: set the module option region (for example region: cn-hangzhou), "
        "the environment variable ALICLOUD_REGION (ALIBABA_CLOUD_REGION_ID is also read), "
        f"or region_id in the CLI profile in use (option profile or ALICLOUD_PROFILE).{profile_note}")


def parse_endpoint(value: str, where: str) -> tuple[str, str]:
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
            raise ConfigError(f"{where}: unsupported scheme {scheme!r} in endpoint {value!r}; use http://, https:// or no scheme.")
    text = text.rstrip("/")
    if not text or "/" in text or "?" in text or "@" in text or " " in text:
        raise ConfigError(f"{where}: {value!r} is not an endpoint; give host, host:port or http(s)://host:port.")
    host, sep, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    if sep:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"{where}: the port in {value!r} must be a number from 1 to 65535.")
        if not host:
            raise ConfigError(f"{where}: {value!r} has no host name.")
    return text, protocol


def resolve_endpoint(service: str, params: Mapping[str, Any], env: Mapping[str, str], region: str) -> tuple[str, str]:
    """(host, protocol) for a service: the option, its ALICLOUD_*_ENDPOINT variable, then the regional default."""
    spec = SERVICES[service]
    for value, where in ((params.get(spec["option"]), f"option {spec['option']}"),
                         (env.get(spec["env"]), f"environment variable {spec['env']}")):
        value = _setting(value)
        if value:
            return parse_endpoint(value, where)
    return spec["host"].format(region=region), "https"


def without_query(text: str) -> str:
    """Drops URL query strings from a message: RPC requests carry every parameter there, registry
    passwords included, and the URL-encoded form would slip past Ansible's no_log masking."""
    # The lookahead keeps it idempotent: messages are scrubbed at each layer they pass.
    return re.sub(r"\?(?!<parameters removed>)[^\s'\"()]+", "?<parameters removed>", text)


def scrub(text: str | None, secrets: Iterable[Any] | None = ()) -> str:
    """A message built from a server's answer, without query strings and without any no_log value."""
    text = without_query(text or "")
    for secret in secrets or ():
        if not secret or len(str(secret)) < MIN_SECRET_LENGTH:
            continue  # Ansible does not mask such short values either; masking them would garble the text
        for form in secret_forms(str(secret)):
            text = text.replace(form, "********")
    return text


def is_throttling(error: AlibabaCloudError) -> bool:
    return (error.code or "").startswith("Throttling")


def _retryable(error: AlibabaCloudError) -> bool:
    if error.retryable is not None:
        return error.retryable
    return (error.code in RETRYABLE_CODES or is_throttling(error)
            or (error.status_code is not None and error.status_code >= 500)
            or error.code == "ConnectionError")


class CallDeadline(BaseException):
    """Raised inside an HTTP call that passed its wall-clock deadline.

    A BaseException, so that the SDK's and the HTTP library's `except Exception` handlers let it through.
    """


@contextlib.contextmanager
def wall_clock_deadline(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after `seconds` of wall time (SIGALRM; a server trickling its answer byte by
    byte never trips the HTTP library's per-read timeout). Outside the main thread it does nothing."""
    if seconds is None or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(_signum: int, _frame: FrameType | None) -> NoReturn:
        raise CallDeadline()

    try:
        previous = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, max(0.001, seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _answer_status(exc: BaseException) -> int | None:
    """The HTTP status of the answer behind an SDK exception, when the SDK kept it."""
    response = getattr(exc, "last_response", None) or getattr(getattr(exc, "inner_exception", None), "last_response", None)
    return getattr(response, "status_code", None)


# What to check first, after the cloud's own message, for codes whose message does not say it.
ERROR_HINTS = {
    "SignatureDoesNotMatch": (
        "The request's signature did not verify: the AccessKey secret does not belong to the AccessKey id (a wrong or "
        "rotated secret, or a copy with a stray space or newline), or this host's clock is off by more than 15 minutes "
        "(check it with date -u; sync it with NTP)."),
    "InvalidTimeStamp.Expired": (
        "The request's time is too far from the cloud's: this host's clock is off by more than 15 minutes "
        "(check it with date -u; sync it with NTP)."),
}


def with_hint(code: str, message: str) -> str:
    """The cloud's message, followed by the hint of its code when there is one."""
    hint = ERROR_HINTS.get(code)
    return f"{message} Hint: {hint}" if hint else message


def translate_sdk_error(action: str, exc: BaseException, status_hint: int | None = None) -> AlibabaCloudError:
    """One AlibabaCloudError from whatever the SDK raised (Tea 0.3 or darabonba 1.x).

    status_hint: the HTTP status of the last answer, when the caller saw it (the SDK drops it when
    the body is not JSON).
    """
    if UnretryableException is not None and isinstance(exc, UnretryableException):
        inner = getattr(exc, "inner_exception", None)
        if inner is not None and type(inner).__name__ == "CredentialException":
            return AlibabaCloudError(action, "CredentialsNotFound", f"{CREDENTIAL_SOURCES} Details: {inner}",
                                     retryable=False)
        if isinstance(inner, TeaException) and getattr(inner, "code", None):
            return translate_sdk_error(action, inner)
        # darabonba's RetryError keeps the text in .message (its str() is a dict's repr).
        detail = without_query(str(getattr(inner, "message", None) or inner or exc))
        if isinstance(inner, RuntimeError) and "as json format" in detail:
            # An answer came, but not the API's JSON (an HTML error page of a proxy or gateway).
            status = status_hint
            body = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", detail.split("Value:", 1)[-1])).strip(' "')
            return AlibabaCloudError(
                action, "UnexpectedResponse", f"the endpoint answered with HTTP status {status if status is not None else 'unknown'} "
                f"and a body that is not the API's JSON (a proxy or gateway error page?): {body[:300]}",
                status_code=status, retryable=status is not None and status >= 500)
        if NAME_NOT_RESOLVED.search(detail):
            return AlibabaCloudError(action, "ConnectionError", "the endpoint's host name does not resolve (DNS), so the "
                                     "request was not sent. Check the region (a typo such as cn-hangzou makes an "
                                     f"endpoint that does not exist) and the endpoint options: {detail}",
                                     retryable=False)
        if TLS_HANDSHAKE_FAILED.search(detail):
            return AlibabaCloudError(action, "ConnectionError", "the TLS handshake with the endpoint failed, so the request "
                                     "was not sent. Check that the endpoint serves https on that port (an http:// endpoint "
                                     "must say so in the endpoint option or variable), its certificate (validate_certs, the CA "
                                     f"bundle in REQUESTS_CA_BUNDLE) and any proxy that intercepts TLS: {detail}",
                                     retryable=False)
        if CONNECTION_REFUSED.search(detail):
            return AlibabaCloudError(action, "ConnectionError", "the endpoint refused the connection, so the request was not "
                                     "sent. Check the endpoint's host and port (the endpoint options and ALICLOUD_*_ENDPOINT), "
                                     f"HTTPS_PROXY/NO_PROXY and any firewall: {detail}")
        if NOT_SENT.search(detail):
            return AlibabaCloudError(action, "ConnectionError", "could not connect to the endpoint, so the request was not "
                                     f"sent: {detail}")
        # A reset or a timeout after the request left: the cloud may have acted on it.
        return AlibabaCloudError(action, "ConnectionError", "no answer from the endpoint; the request may or may not have "
                                 f"been applied: {detail}", outcome_unknown=True)
    data = getattr(exc, "data", None) or {}
    status_code = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    if status_code is None and isinstance(data, dict):
        status_code = data.get("statusCode")
    request_id = getattr(exc, "request_id", None)
    if (not request_id or request_id == "None") and isinstance(data, dict):
        request_id = data.get("RequestId") or data.get("requestId")
    message = without_query((data.get("Message") if isinstance(data, dict) else None) or getattr(exc, "message", None)
                            or str(exc))
    code = getattr(exc, "code", None) or "UnknownError"
    try:
        status_code = int(status_code) if status_code is not None else None
    except (TypeError, ValueError):
        status_code = None
    return AlibabaCloudError(action, str(code), with_hint(str(code), message), request_id=request_id or None,
                             status_code=status_code)


class RetryPolicy:
    """Jittered exponential backoff on throttling, 5xx and connection errors.

    Throttling is retried for as long as the time bound allows (many runs sharing a quota may be
    throttled many times); 5xx and connection errors at most `retries` times. No sleep ends later
    than `max_seconds` after the first attempt started. Other 4xx errors are final at once.
    """

    def __init__(self, retries: int = 5, max_seconds: float = 60.0, base_delay: float = 0.5, max_delay: float = 20.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 rand: Callable[[], float] = random.random) -> None:
        self.retries = max(0, int(retries))
        self.max_seconds = float(max_seconds)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._clock = clock
        self._rand = rand

    def delay(self, retry_number: int) -> float:
        """Equal jitter: half the exponential step, plus a random share of the other half."""
        step = min(self.max_delay, self.base_delay * (2 ** min(retry_number, 30)))
        return step / 2 + self._rand() * step / 2

    def run(self, action: str, call: Callable[[], Any]) -> Any:
        started = self._clock()
        attempt = 0
        unknown_before = False
        while True:
            attempt += 1
            try:
                return call()
            except AlibabaCloudError as error:
                error.attempts = attempt
                error.earlier_outcome_unknown = unknown_before
                unknown_before = unknown_before or error.outcome_unknown
                if not _retryable(error) or (attempt > self.retries and not is_throttling(error)):
                    raise
                pause = self.delay(attempt - 1)
                if self._clock() - started + pause > self.max_seconds:
                    raise
                self._sleep(pause)


class _LastAnswer:
    """The HTTP status of the last answer the SDK received for one connection; the SDK drops the status of an
    answer whose body is not JSON, and the error should name it.

    The SDK's do_action is wrapped once per process; it records into the recorder of the call in progress
    (a context variable, so each connection and each thread has its own), never into shared state.
    """

    _active = contextvars.ContextVar("alibabacloud_eci_last_answer", default=None)
    _installed = False

    def __init__(self) -> None:
        self.status = None

    @contextlib.contextmanager
    def recording(self) -> Iterator[_LastAnswer]:
        self.status = None
        self.install()
        token = self._active.set(self)
        try:
            yield self
        finally:
            self._active.reset(token)

    @classmethod
    def install(cls) -> None:
        if cls._installed:
            return
        try:
            from darabonba.core import DaraCore
        except ImportError:  # older SDK cores: messages then say "unknown" for the status
            return
        original = DaraCore.do_action

        def do_action(request: Any, runtime_option: Any = None) -> Any:
            recorder = cls._active.get()
            response = original(request, runtime_option)
            if recorder is not None:
                recorder.status = getattr(response, "status_code", None)
            return response

        DaraCore.do_action = staticmethod(do_action)
        cls._installed = True


class Connection:
    """Resolved settings plus lazily built SDK clients for one module run."""

    def __init__(self, params: Mapping[str, Any], env: Mapping[str, str], secrets: Iterable[Any] | None = ()) -> None:
        self.params = params
        self.env = env
        # no_log values of the module: removed from every message built from a server's answer. The module's own set
        # (AnsibleModule.no_log_values) is kept, not copied, so that secrets found later (the credentials chain's STS
        # token) are masked in everything the module returns.
        self.secrets = secrets if isinstance(secrets, set) else set(secrets or ())
        # A monotonic time no call may run past (a wait sets it to its own deadline).
        self.deadline = None
        self.credentials = resolve_credentials(params, env)
        self.region = resolve_region(params, env, self.credentials)
        self.endpoints = dict((service, resolve_endpoint(service, params, env, self.region)) for service in SERVICES)
        problems = connection_option_problems(params)
        if problems:
            raise ConfigError(" ".join(problems))
        self.retry_policy = RetryPolicy(retries=params.get("api_retries", 5),
                                        max_seconds=params.get("api_retry_max_seconds", 60.0))
        self._clients = {}
        self._credential_client = None
        self.last_answer = _LastAnswer()

    def _credential(self) -> Any:
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

    def client(self, service: str) -> Any:
        """The SDK client of one service, imported and built on first use."""
        if service not in self._clients:
            spec = SERVICES[service]
            try:
                sdk = importlib.import_module(spec["sdk_module"])
                from alibabacloud_tea_openapi.models import Config
            except ImportError as exc:
                raise ConfigError(f"The Python package {spec['pip_name']} is required for this module ({exc}). Install it with "
                                  "pip install -r requirements.txt from the collection.")
            host, protocol = self.endpoints[service]
            config = Config(credential=self._credential(), region_id=self.region, endpoint=host, protocol=protocol,
                            user_agent=USER_AGENT,
                            connect_timeout=int(self.params.get("connect_timeout", 10.0) * 1000),
                            read_timeout=int(self.params.get("read_timeout", 60.0) * 1000))
            self._clients[service] = sdk.Client(config)
        return self._clients[service]

    def runtime_options(self) -> Any:
        """Per-call options: the SDK's own retries are off (ours are jittered and bounded), timeouts in ms."""
        from alibabacloud_tea_util.models import RuntimeOptions
        return RuntimeOptions(autoretry=False, max_attempts=1,
                              ignore_ssl=not self.params.get("validate_certs", True),
                              connect_timeout=int(self.params.get("connect_timeout", 10.0) * 1000),
                              read_timeout=int(self.params.get("read_timeout", 60.0) * 1000))

    @contextlib.contextmanager
    def bounded(self, deadline: float) -> Iterator[None]:
        """Calls made in the block end by `deadline` (monotonic seconds), e.g. a wait's."""
        previous = self.deadline
        self.deadline = deadline if previous is None else min(previous, deadline)
        try:
            yield
        finally:
            self.deadline = previous

    def _call_seconds(self, first_started: float | None) -> float:
        """The wall-clock limit of one HTTP call: connect_timeout + read_timeout, within api_retry_max_seconds
        (for retries) and the deadline of the wait it belongs to."""
        now = time.monotonic()
        limit = float(self.params.get("connect_timeout") or 10.0) + float(self.params.get("read_timeout") or 60.0)
        if first_started is not None:
            limit = min(limit, first_started + self.retry_policy.max_seconds - now)
        if self.deadline is not None:
            limit = min(limit, self.deadline - now)
        return limit

    def register_secret(self, value: Any) -> None:
        """Mask value (and every form a peer may echo, masking.secret_forms) in every message and result."""
        if value not in (None, "") and len(str(value)) >= MIN_SECRET_LENGTH:
            self.secrets.update(secret_forms(str(value)))

    def _register_chain_secrets(self) -> None:
        """The secret and STS token the credentials chain (or a profile) produced: no option or variable of the module
        holds them, so Ansible would not mask them."""
        if self._credential_client is None or self.credentials.get("source") == "options":
            return
        try:
            credential = self._credential_client.get_credential()
        except Exception:  # pylint: disable=broad-except
            return  # the call itself reports why the chain failed
        for name in ("access_key_secret", "security_token", "bearer_token"):
            self.register_secret(getattr(credential, name, None))

    def _bypass_proxy(self, service: str) -> bool:
        """True when NO_PROXY names this service's endpoint (proxies.py: host, host:port, domain suffix, CIDR, '*';
        the rules of the registry reads). The SDK reads HTTP(S)_PROXY itself and hands them to requests in a way
        that skips NO_PROXY, so the module honours it here."""
        endpoint, protocol = self.endpoints[service]
        proxies = [key for key in PROXY_VARIABLES if os.environ.get(key)]
        if not proxies:
            return False
        host, port = endpoint, None
        if endpoint.startswith("["):
            host, _sep, rest = endpoint[1:].partition("]")
            port = int(rest[1:]) if rest[1:].isdigit() else None
        elif endpoint.count(":") == 1:
            host, _sep, text = endpoint.partition(":")
            port = int(text) if text.isdigit() else None
        return environment_bypasses_proxy(host, port, protocol, os.environ)

    @contextlib.contextmanager
    def _proxy_environment(self, service: str) -> Iterator[None]:
        """The proxy variables as the SDK will read them during one call: the proxy of proxies.py's precedence
        (lower case wins; the SDK itself reads HTTPS_PROXY first) under both spellings, or none when NO_PROXY sends
        the endpoint direct, so API calls and registry reads use the same proxy."""
        saved = dict((key, os.environ[key]) for key in PROXY_VARIABLES if key in os.environ)
        if not saved:
            yield
            return
        chosen = {} if self._bypass_proxy(service) else dict((scheme, proxy_variable(saved, scheme)) for scheme in ("http", "https"))
        for key in PROXY_VARIABLES:
            os.environ.pop(key, None)
        for scheme, url in chosen.items():
            if url:
                os.environ[f"{scheme.upper()}_PROXY"] = os.environ[f"{scheme}_proxy"] = url
        try:
            yield
        finally:
            for key in PROXY_VARIABLES:
                os.environ.pop(key, None)
            os.environ.update(saved)

    def call(self, service: str, action: str, method_name: str, request: Any) -> Any:
        """Call client.<method_name>(request, runtime) with retries; returns the response body model."""
        client = self.client(service)
        method = getattr(client, method_name)
        first = dict(started=None)

        def attempt() -> Any:
            seconds = self._call_seconds(first["started"])
            if first["started"] is None:
                first["started"] = time.monotonic()
            if seconds <= 0:
                raise AlibabaCloudError(action, "DeadlineExceeded", "no time was left for the call within the wait or "
                                        "retry deadline", retryable=False)
            try:
                try:
                    with self._proxy_environment(service), wall_clock_deadline(seconds), self.last_answer.recording():
                        return method(request, self.runtime_options()).body
                except TeaException as exc:
                    raise translate_sdk_error(action, exc, status_hint=self.last_answer.status) from None
                finally:
                    self._register_chain_secrets()
            except CallDeadline:
                raise AlibabaCloudError(
                    action, "ConnectionError", f"no complete answer within {seconds:.1f} seconds (the wall-clock limit of one call: "
                    "connect_timeout + read_timeout, within api_retry_max_seconds and wait_timeout); the request may or "
                    "may not have been applied", outcome_unknown=True) from None
            except AlibabaCloudError as error:
                error.message = scrub(error.message, self.secrets)
                raise

        return self.retry_policy.run(action, attempt)
