# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AnsibleModule with the collection's shared options, SDK checks and one failure path."""

from __future__ import annotations

import importlib.util
import os
from typing import Any, Callable, Iterable, Iterator, Mapping, NoReturn

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import (
    HAS_SDK_CORE,
    SDK_CORE_IMPORT_ERROR,
    AlibabaCloudError,
    SERVICES,
    ConfigError,
    Connection,
    auth_argument_spec,
    scrub,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.masking import MIN_SECRET_LENGTH, credential_forms, secret_forms

# Environment variables that hold secrets (the module's own and the official credentials chain's): their values are
# no_log values although no option holds them.
SECRET_ENVIRONMENT = ("ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                      "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_BEARER_TOKEN")


def _credential_pairs(value: Any) -> Iterator[tuple[Any, Any]]:
    """(username, password) of every registry credential anywhere in the parameters (lists, items, defaults)."""
    if isinstance(value, dict):
        password = value.get("password", value.get("Password"))
        if password not in (None, ""):
            yield value.get("username", value.get("UserName", value.get("user_name"))), password
        for item in value.values():
            yield from _credential_pairs(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _credential_pairs(item)


def secret_values(no_log_values: Iterable[Any], params: Any, environ: Mapping[str, str]) -> set[str]:
    """Every form a peer may echo of the run's secrets: the no_log values given (masking.secret_forms: as they are,
    URL-encoded, JSON-escaped), base64 of every registry user:password anywhere in params (an echoed Authorization
    header), and the secrets of the environment (SECRET_ENVIRONMENT). The one rule for modules and lookups."""
    found = set()
    for value in list(no_log_values):
        if value not in (None, "") and len(str(value)) >= MIN_SECRET_LENGTH:
            found.update(secret_forms(str(value)))
    for username, password in _credential_pairs(params):
        found.update(credential_forms(username, password))
    for name in SECRET_ENVIRONMENT:
        value = environ.get(name)
        if value and len(value.strip()) >= MIN_SECRET_LENGTH:
            found.update(secret_forms(value))
            found.update(secret_forms(value.strip()))
    return found


def register_secrets(module: AnsibleModule, environ: Mapping[str, str]) -> None:
    """Make every secret of the run (secret_values) a no_log value of module.

    AnsibleModule already holds the values of no_log options (whether from the task, module_defaults or a
    role variable). Ansible masks no_log values in results, warnings, failures, diffs and the -vvv invocation."""
    module.no_log_values.update(secret_values(module.no_log_values, module.params, environ))


def mask_text(text: str, no_log_values: Iterable[Any]) -> str:
    """text with every no_log value replaced, as Ansible masks results (longest first: no part of one is left)."""
    text = str(text)
    for value in sorted((str(v) for v in no_log_values if v not in (None, "") and len(str(v)) >= MIN_SECRET_LENGTH),
                        key=len, reverse=True):
        text = text.replace(value, "********")
    return text


def missing_sdks(services: Iterable[str]) -> list[str]:
    """The pip names of the services' SDKs that cannot be imported (looked up without importing them: that is slow)."""
    missing = []
    for service in services:
        package = SERVICES[service]["sdk_module"].split(".", 1)[0]
        try:
            found = importlib.util.find_spec(package) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(SERVICES[service]["pip_name"])
    return missing


class AlibabaCloudModule:
    """Wraps AnsibleModule: merges the auth options, resolves the connection once.

    Modules read as: build the module, ask connection-level helpers for data,
    decide, exit. Any AlibabaCloudError or ConfigError reaching run() becomes
    one fail_json with the failed action, code and request id.
    """

    def __init__(self, argument_spec: dict[str, Any], services: Iterable[str] = (), **kwargs: Any) -> None:
        """services: the SERVICES keys whose SDK the module imports; a missing one fails with the standard
        missing-library message before anything else."""
        spec = auth_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        register_secrets(self.module, os.environ)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.diff_mode = self.module._diff
        if not HAS_SDK_CORE:
            self.module.fail_json(msg=missing_required_lib("alibabacloud-tea-openapi"), exception=str(SDK_CORE_IMPORT_ERROR))
        missing = missing_sdks(services)
        if missing:
            self.module.fail_json(msg=missing_required_lib(" and ".join(missing)))
        self._connection = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = Connection(self.params, os.environ, secrets=self.module.no_log_values)
        return self._connection

    def exit_json(self, **kwargs: Any) -> NoReturn:
        self.module.exit_json(**kwargs)

    def fail_json(self, msg: str, **kwargs: Any) -> NoReturn:
        self.module.fail_json(msg=msg, **kwargs)

    def warn(self, text: str) -> None:
        """A warning without any no_log value: ansible-core 2.19 keeps warnings out of its own masking of results."""
        self.module.warn(mask_text(text, self.module.no_log_values))

    def run(self, main_logic: Callable[[AlibabaCloudModule], Any]) -> None:
        """Run main_logic(self); translate the collection's two error types once."""
        try:
            main_logic(self)
        except ConfigError as error:
            self.module.fail_json(msg=str(error))
        except AlibabaCloudError as error:
            self.fail_error(error)

    def fail_error(self, error: AlibabaCloudError, **extra: Any) -> NoReturn:
        """fail_json for an API error; its message (built from server answers: events, errors) loses query strings
        and every no_log value, plain and URL-encoded."""
        error.message = scrub(error.message, self.module.no_log_values)
        result = error.to_result()
        result.update(extra)
        self.module.fail_json(msg=str(error), **result)
