# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: image_cache_manifest
short_description: Build an ECI ImageCache Kubernetes manifest from eci_image_cache settings
version_added: 0.1.0
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
description:
  - Turns the settings that the P(alibabacloud.eci.eci_image_cache#module) module takes into a manifest of the
    C(ImageCache) custom resource (C(apiVersion) V(eci.alibabacloud.com/v1)) that Elastic Container Instance offers
    in Kubernetes clusters, ready for C(kubernetes.core.k8s).
  - The C(ImageCache) is cluster-scoped, so the manifest has no C(metadata.namespace).
  - O(_input.name) becomes C(metadata.name); O(_input.images), O(_input.image_pull_secrets), O(_input.image_cache_size)
    and O(_input.retention_days) become C(spec) fields; the other settings become the documented C(k8s.aliyun.com/*)
    annotations, whose values are always strings (booleans as V("true") or V("false")). See C(docs/crd_mapping.md).
  - The settings are checked like the CRD and the API behind it check them, and every problem is reported at once
    in one error that names the setting and the allowed values.
  - A module option that the CRD cannot express (for example C(tags), C(zone_id),
    C(eip_instance_id), C(image_registry_credentials), C(state), C(wait) or the
    credential and region options) is an error that says why and what to do instead, never silently dropped.
    A key that is no option at all is an error too.
  - A setting whose value is V(null) or an empty string counts as not given, so one dict with optional settings
    left at V(null) can be passed. The empty string is included because ansible-core before 2.19 renders a templated
    null (the C(default) filter given V(None), for one) as an empty string; the role treats both the same way.
  - Integer settings accept an integer or a string of decimal digits (as C(--extra-vars) gives them); boolean
    settings accept only real booleans.
options:
  _input:
    description:
      - The settings, as a dict keyed by P(alibabacloud.eci.eci_image_cache#module) option names
        (the aliases C(image_cache_name) and C(vswitch_id) are accepted too), plus O(_input.image_pull_secrets),
        O(_input.cpu_arch) and O(_input.os_type), which only the CRD has.
    type: dict
    required: true
    suboptions:
      name:
        description:
          - Name of the C(ImageCache) (C(metadata.name)), a DNS-1123 subdomain - lower-case letters, digits,
            C(-) and C(.), starting and ending with a letter or a digit, at most 253 characters.
        type: str
        required: true
      images:
        description:
          - Container images to cache (C(spec.images)), 1 to 20 distinct references such as
            V(registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25), without a URL scheme.
        type: list
        elements: str
        required: true
      image_pull_secrets:
        description:
          - Kubernetes secrets to pull private images with (C(spec.imagePullSecrets)), each as
            V(namespace:secretName); both parts are DNS-1123 labels (lower-case letters, digits and C(-),
            at most 63 characters).
          - This replaces the module's C(image_registry_credentials), which the CRD does not take.
        type: list
        elements: str
      image_cache_size:
        description:
          - Size of the cache in GiB (C(spec.imageCacheSize)), 20 to 32768. Not given - the cloud's default, 20.
        type: int
      retention_days:
        description:
          - Days until the cache expires and is deleted (C(spec.retentionDays)), 1 to 65536. Not given - never expires.
        type: int
      vswitch_ids:
        description:
          - vSwitches of the temporary instance that builds the cache, 1 to 10 ids without commas
            (annotation C(k8s.aliyun.com/vswitch-ids), comma-separated). Not given - the vSwitch of C(eci-profile).
        type: list
        elements: str
      security_group_id:
        description:
          - Security group of the temporary instance (annotation C(k8s.aliyun.com/security-group-id)).
            Not given - the security group of C(eci-profile).
        type: str
      resource_group_id:
        description:
          - Resource group of the cache (annotation C(k8s.aliyun.com/resource-group-id)).
        type: str
      auto_match_image_cache:
        description:
          - Reuse the layers of existing caches (annotation C(k8s.aliyun.com/imc-enable-reuse)).
        type: bool
      flash:
        description:
          - Build an instant cache from a local snapshot first (annotation C(k8s.aliyun.com/imc-enable-flash)).
        type: bool
      acr_registry_info:
        description:
          - Container Registry Enterprise Edition instances to pull from without a password.
          - The instance ids go to annotation C(k8s.aliyun.com/acr-instance-ids), as V(region_id:instance_id) when
            O(_input.acr_registry_info[].region_id) is given; the ARNs go to C(k8s.aliyun.com/acr-service-arns) and
            C(k8s.aliyun.com/acr-user-arns). Each annotation is comma-separated, without duplicates.
          - The module's C(instance_name) and C(domains) have no annotation and are an error.
        type: list
        elements: dict
        suboptions:
          instance_id:
            description: Id of the ACR instance, such as V(cri-j36zhodptmyq****).
            type: str
            required: true
          region_id:
            description: Region of an ACR instance outside the cluster's region; prefixed to the id.
            type: str
          arn_service:
            description: ARN of the RAM role of the account that owns the ECI resources, such as V(acs:ram::1609982529******:role/role-assume).
            type: str
          arn_user:
            description: ARN of the RAM role of the account that owns the ACR instance, for cross-account pulls.
            type: str
      insecure_registries:
        description:
          - Registries, as host or host:port, whose certificates are not checked
            (annotation C(k8s.aliyun.com/insecure-registry), comma-separated).
        type: list
        elements: str
      plain_http_registries:
        description:
          - Registries, as host or host:port, reached over plain HTTP
            (annotation C(k8s.aliyun.com/plain-http-registry), comma-separated).
        type: list
        elements: str
      cpu_arch:
        description:
          - CPU architecture of the images to cache (annotation C(k8s.aliyun.com/imc-cpu-arch)).
          - The product documentation names V(amd64) and V(arm64); nothing else is accepted.
        type: str
        choices: [amd64, arm64]
      os_type:
        description:
          - Operating system of the images to cache (annotation C(k8s.aliyun.com/imc-os-type)).
          - The product documentation names V(linux) and V(windows); nothing else is accepted.
        type: str
        choices: [linux, windows]
notes:
  - The filter only builds the manifest; C(kubernetes.core.k8s) applies it. The playbooks
    C(playbooks/k8s_image_cache_apply.yml) and C(playbooks/k8s_image_cache_delete.yml) of this collection
    apply it, wait until C(status.phase) is C(Ready), and delete it.
  - The C(ImageCache) controller in the cluster calls the ECI API with its own credentials and region, so
    the module's credential, region and endpoint options have no place in the manifest.
seealso:
  - module: alibabacloud.eci.eci_image_cache
  - name: ImageCache annotations
    description: The annotations an ImageCache supports.
    link: https://www.alibabacloud.com/help/en/eci/user-guide/annotations-that-can-be-added-to-create-an-image-cache
"""

EXAMPLES = r"""
- name: Build an ImageCache manifest
  ansible.builtin.set_fact:
    image_cache_manifest: "{{ settings | alibabacloud.eci.image_cache_manifest }}"
  vars:
    settings:
      name: web-frontend
      images:
        - registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
        - registry.example.com/team/app:2.3.1
      image_pull_secrets: ["default:registry-example"]
      image_cache_size: 40
      retention_days: 7
      vswitch_ids: [vsw-bp1xpiowfm5vo8o3c****, vsw-bp1dktddjsg5nktv****]
      security_group_id: sg-bp1fg655nh68xyz9****
      auto_match_image_cache: true
      cpu_arch: amd64
      os_type: linux

- name: Apply it to the cluster
  kubernetes.core.k8s:
    state: present
    definition: "{{ image_cache_manifest }}"

# The manifest built above:
# apiVersion: eci.alibabacloud.com/v1
# kind: ImageCache
# metadata:
#   name: web-frontend
#   annotations:
#     k8s.aliyun.com/vswitch-ids: vsw-bp1xpiowfm5vo8o3c****,vsw-bp1dktddjsg5nktv****
#     k8s.aliyun.com/security-group-id: sg-bp1fg655nh68xyz9****
#     k8s.aliyun.com/imc-enable-reuse: "true"
#     k8s.aliyun.com/imc-cpu-arch: amd64
#     k8s.aliyun.com/imc-os-type: linux
# spec:
#   images: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25, registry.example.com/team/app:2.3.1]
#   imagePullSecrets: ["default:registry-example"]
#   imageCacheSize: 40
#   retentionDays: 7

- name: Pull from ACR Enterprise Edition instances, one in another region and account
  ansible.builtin.debug:
    msg: "{{ settings | alibabacloud.eci.image_cache_manifest }}"
  vars:
    settings:
      name: acr-images
      images: [myreg-registry.cn-beijing.cr.aliyuncs.com/team/app:1.0]
      acr_registry_info:
        - instance_id: cri-j36zhodptmyq****
          region_id: cn-beijing
          arn_service: acs:ram::1609982529******:role/role-assume
          arn_user: acs:ram::1298452580******:role/role-acr
"""

RETURN = r"""
_value:
  description:
    - The C(ImageCache) manifest - C(apiVersion), C(kind), C(metadata) (C(name), and C(annotations) when a setting
      maps to one) and C(spec) (C(images) and whichever of C(imagePullSecrets), C(imageCacheSize) and
      C(retentionDays) were given).
  type: dict
"""

import difflib
import re
from collections.abc import Mapping
from typing import Any, Callable, Sequence

from ansible.errors import AnsibleFilterError

# The collection's one image-reference grammar and one set of API limits.
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import REGISTRY_HOST, image_problem
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import (
    MAX_IMAGES,
    MAX_RETENTION_DAYS,
    MAX_SIZE_GIB,
    MAX_VSWITCHES,
    MIN_RETENTION_DAYS,
    MIN_SIZE_GIB,
)

API_VERSION = "eci.alibabacloud.com/v1"
KIND = "ImageCache"

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63

# Valid values of the imc-cpu-arch and imc-os-type annotations, as the product documentation names them.
CPU_ARCHES = ("amd64", "arm64")
OS_TYPES = ("linux", "windows")

ANNOTATION_VSWITCH_IDS = "k8s.aliyun.com/vswitch-ids"
ANNOTATION_SECURITY_GROUP_ID = "k8s.aliyun.com/security-group-id"
ANNOTATION_RESOURCE_GROUP_ID = "k8s.aliyun.com/resource-group-id"
ANNOTATION_CPU_ARCH = "k8s.aliyun.com/imc-cpu-arch"
ANNOTATION_OS_TYPE = "k8s.aliyun.com/imc-os-type"
ANNOTATION_ACR_INSTANCE_IDS = "k8s.aliyun.com/acr-instance-ids"
ANNOTATION_ACR_SERVICE_ARNS = "k8s.aliyun.com/acr-service-arns"
ANNOTATION_ACR_USER_ARNS = "k8s.aliyun.com/acr-user-arns"
ANNOTATION_PLAIN_HTTP_REGISTRY = "k8s.aliyun.com/plain-http-registry"
ANNOTATION_INSECURE_REGISTRY = "k8s.aliyun.com/insecure-registry"
ANNOTATION_ENABLE_REUSE = "k8s.aliyun.com/imc-enable-reuse"
ANNOTATION_ENABLE_FLASH = "k8s.aliyun.com/imc-enable-flash"

# Settings the filter takes, in the order they are checked and reported.
SUPPORTED = (
    "name", "images", "image_pull_secrets", "image_cache_size", "retention_days", "vswitch_ids",
    "security_group_id", "resource_group_id", "auto_match_image_cache", "flash", "acr_registry_info",
    "insecure_registries", "plain_http_registries", "cpu_arch", "os_type",
)
# eci_image_cache's aliases of supported settings.
ALIASES = {"image_cache_name": "name", "vswitch_id": "vswitch_ids"}

_CREDENTIALS = ("the ImageCache controller in the cluster calls the ECI API with its own credentials, region and "
                "endpoint (from eci-profile); reach the cluster with kubernetes.core's kubeconfig and context instead")
# eci_image_cache options (and their aliases) that the CRD cannot express, with what to do instead.
NOT_IN_CRD = {
    "state": "the filter only builds the manifest; use state present or absent of kubernetes.core.k8s "
             "(playbooks/k8s_image_cache_apply.yml and k8s_image_cache_delete.yml)",
    "image_cache_id": "the cloud assigns the cache id, which the controller reports in status.imageCacheId; "
                      "an ImageCache is identified by its name",
    "zone_id": "the CRD has no zone setting; the zone follows from the vSwitches, so choose it with vswitch_ids",
    "eip_instance_id": "the CRD has no EIP annotation; give the vSwitches a NAT gateway with an SNAT entry "
                       "so that the temporary instance reaches registries on the internet",
    "tags": "the CRD has no cloud tags (labels on the ImageCache are not cloud tags); tag the cache afterwards "
            "with alibabacloud.eci.eci_image_cache using the id in status.imageCacheId",
    "purge_tags": "the CRD has no cloud tags",
    "elimination_strategy": "the CRD has no elimination strategy; caches made through the CRD keep the default "
                            "(never removed automatically)",
    "flash_copy_count": "the CRD has no copy counts; only flash (k8s.aliyun.com/imc-enable-flash) can be set",
    "standard_copy_count": "the CRD has no copy counts",
    "image_registry_credentials": "the CRD takes no registry passwords; store them in a Kubernetes secret of type "
                                  "kubernetes.io/dockerconfigjson and give it as image_pull_secrets (namespace:secretName)",
    "force_update": "kubernetes.core.k8s sends the whole manifest on every apply, there is nothing to force",
    "refresh": "the controller keeps no record of the images' digests; rebuild a stale cache with eci_image_cache "
               "(refresh: digest), which records them",
    "size_check": "the CRD has no size preflight; measure the images with eci_image_cache (check mode) and give image_cache_size",
    "image_platform": "it only chooses what eci_image_cache's size preflight measures; the CRD has no size preflight",
    "wait": "waiting is kubernetes.core.k8s_info's job: poll status.phase until Ready (see playbooks/k8s_image_cache_apply.yml)",
    "wait_timeout": "waiting is kubernetes.core.k8s_info's job: poll status.phase until Ready "
                    "(see playbooks/k8s_image_cache_apply.yml)",
    "annotations": "the ImageCache's metadata.annotations are the controller's settings (k8s.aliyun.com/...), which "
                   "this filter writes from the other settings; the API's Annotations field has no CRD equivalent",
    "lock_dir": "the host lock only orders eci_image_cache runs; the Kubernetes API server orders applies of a manifest",
}
for _option in ("access_key", "alicloud_access_key", "access_key_id", "secret_key", "alicloud_secret_key",
                "access_key_secret", "security_token", "alicloud_security_token", "profile", "alicloud_profile",
                "region", "alicloud_region", "region_id", "eci_endpoint", "vpc_endpoint", "ecs_endpoint",
                "api_retries", "api_retry_max_seconds", "connect_timeout", "read_timeout", "validate_certs"):
    NOT_IN_CRD[_option] = _CREDENTIALS
del _option

ACR_SUPPORTED = ("instance_id", "region_id", "arn_service", "arn_user")
ACR_NOT_IN_CRD = {
    "instance_name": "the controller finds the instance by instance_id (and region_id) alone",
    "domains": "the controller uses the instance's own domains; there is no annotation for them",
}

# Kubernetes object names (DNS-1123 subdomain) and namespace and secret names (DNS-1123 label).
DNS1123_LABEL = re.compile(r"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\Z")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\Z")
# A plain cloud resource id (vsw-..., sg-..., rg-..., cri-..., cn-hangzhou): no blanks, commas or colons.
RESOURCE_ID = re.compile(r"^[^\s,:]+\Z")
DECIMAL = re.compile(r"^[0-9]+\Z")
RAM_ROLE_ARN = re.compile(r"^acs:ram::[0-9*]+:role/[^\s,]+\Z")


def _bool_text(value: Any) -> str:
    return "true" if value else "false"


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_unset(value: Any) -> bool:
    # '' too: ansible-core before 2.19 renders a templated None as ''.
    return value is None or value == ""


class _Checker:
    """Collects every problem of one settings dict, then builds the manifest."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.problems = []

    def problem(self, message: str) -> None:
        self.problems.append(message)

    # ------------------------------------------------------------ keys

    def normalize_keys(self) -> dict[str, Any]:
        """Settings under their canonical names, without null or empty-string values; reports bad keys."""
        given = {}
        for key in self.settings:
            if not isinstance(key, str):
                self.problem(f"settings keys must be option names (strings), got {key!r}.")
                continue
            value = self.settings[key]
            if key in NOT_IN_CRD:
                if not _is_unset(value):
                    self.problem(f"{key}: the ImageCache CRD has no equivalent of this eci_image_cache option: {NOT_IN_CRD[key]}. "
                                 "Remove it from the settings.")
                continue
            name = ALIASES.get(key, key)
            if name not in SUPPORTED:
                self.problem(self.unknown_key_message(key))
                continue
            if _is_unset(value):
                continue
            if name in given:
                alias = [alias for alias, target in ALIASES.items() if target == name][0]
                self.problem(f"{name}: given twice, as {name} and as its alias {alias}; give it once.")
                continue
            given[name] = value
        return given

    @staticmethod
    def unknown_key_message(key: str) -> str:
        message = f"{key}: unknown setting."
        close = difflib.get_close_matches(key, list(SUPPORTED) + list(ALIASES) + list(NOT_IN_CRD), n=1)
        if close:
            message += f" Did you mean {close[0]}?"
        return message + f" Valid settings: {', '.join(SUPPORTED)}."

    # ------------------------------------------------------------ value checks

    def string(self, option: str, value: Any, pattern: re.Pattern[str] | None = None, what: str | None = None) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{option} must be a non-empty string, got {value!r}.")
            return None
        if pattern is not None and not pattern.match(value):
            self.problem(f"{option}: {value!r} is not {what}.")
            return None
        return value

    def string_list(self, option: str, value: Any, minimum: int = 0, maximum: int | None = None) -> list[Any] | None:
        if not _is_list(value):
            self.problem(f"{option} must be a list of strings, got {type(value).__name__} {value!r}.")
            return None
        if len(value) < minimum or (maximum is not None and len(value) > maximum):
            limits = f"{minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            self.problem(f"{option}: give {limits} items, got {len(value)}.")
            return None
        duplicates = sorted(set(str(item) for item in value if isinstance(item, str) and value.count(item) > 1))
        if duplicates:
            self.problem(f"{option}: {', '.join(duplicates)} listed more than once.")
            return None
        return list(value)

    def integer(self, option: str, value: Any, minimum: int, maximum: int, unit: str) -> int | None:
        number = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = int(value)
        elif isinstance(value, str) and DECIMAL.match(value.strip()):
            number = int(value.strip())
        if number is None:
            self.problem(f"{option} must be an integer from {minimum} to {maximum} ({unit}), got {value!r}.")
            return None
        if not minimum <= number <= maximum:
            self.problem(f"{option} must be from {minimum} to {maximum} ({unit}), got {number}.")
            return None
        return number

    def boolean(self, option: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(f"{option} must be a boolean (true or false), got {type(value).__name__} {value!r}.")
            return None
        return value

    def choice(self, option: str, value: Any, choices: Sequence[str]) -> str | None:
        if not isinstance(value, str) or value not in choices:
            self.problem(f"{option} must be one of {', '.join(choices)}, got {value!r}.")
            return None
        return value

    def check_images(self, value: Any) -> list[str] | None:
        images = self.string_list("images", value, 1, MAX_IMAGES)
        if images is None:
            return None
        good = True
        for image in images:
            problem = image_problem(image)
            if problem:
                self.problem(problem)
                good = False
        return images if good else None

    def check_pull_secrets(self, value: Any) -> list[str] | None:
        secrets = self.string_list("image_pull_secrets", value)
        if secrets is None:
            return None
        good = True
        for secret in secrets:
            parts = secret.split(":") if isinstance(secret, str) else []
            if len(parts) != 2 or not all(len(part) <= MAX_LABEL_LENGTH and DNS1123_LABEL.match(part) for part in parts):
                self.problem(f"image_pull_secrets: {secret!r} must have the form namespace:secretName, both DNS-1123 labels "
                             "(lower-case letters, digits and '-', starting and ending with a letter or digit, "
                             f"at most {MAX_LABEL_LENGTH} characters).")
                good = False
        return secrets if good else None

    def check_ids(self, option: str, value: Any, minimum: int, maximum: int, what: str) -> list[str] | None:
        ids = self.string_list(option, value, minimum, maximum)
        if ids is None:
            return None
        good = True
        for item in ids:
            if not isinstance(item, str) or not RESOURCE_ID.match(item):
                self.problem(f"{option}: every {what} must be a non-empty string without blanks, commas or colons, got {item!r}.")
                good = False
        return ids if good else None

    def check_registries(self, option: str, value: Any) -> list[str] | None:
        registries = self.string_list(option, value)
        if registries is None:
            return None
        good = True
        for registry in registries:
            if not isinstance(registry, str) or "://" in registry or not REGISTRY_HOST.match(registry):
                self.problem(f"{option}: {registry!r} must be a registry host or host:port, without a scheme or path.")
                good = False
        return registries if good else None

    def check_acr(self, value: Any) -> tuple[list[str], list[str], list[str]] | None:
        """(instance ids, service ARNs, user ARNs), each without duplicates, or None after a problem."""
        if not _is_list(value):
            self.problem("acr_registry_info must be a list of dicts with instance_id "
                         f"(and optionally region_id, arn_service, arn_user), got {type(value).__name__} {value!r}.")
            return None
        before = len(self.problems)
        instance_ids, service_arns, user_arns = [], [], []
        for index, entry in enumerate(value):
            where = f"acr_registry_info[{index}]"
            if not isinstance(entry, Mapping):
                self.problem(f"{where} must be a dict with instance_id, got {entry!r}.")
                continue
            for key in entry:
                if key in ACR_NOT_IN_CRD:
                    if entry[key] is not None:
                        self.problem(f"{where}.{key}: the ImageCache CRD has no equivalent of this eci_image_cache suboption: "
                                     f"{ACR_NOT_IN_CRD[key]}. Remove it.")
                elif key not in ACR_SUPPORTED:
                    self.problem(f"{where}.{key}: unknown key; valid keys: {', '.join(ACR_SUPPORTED)}.")
            if entry.get("instance_id") is None:
                self.problem(f"{where}.instance_id is required.")
                continue
            instance_id = self.string(where + ".instance_id", entry["instance_id"], RESOURCE_ID,
                                      "an instance id such as cri-j36zhodptmyq**** (no blanks, commas or colons)")
            region_id = None
            if entry.get("region_id") is not None:
                region_id = self.string(where + ".region_id", entry["region_id"], RESOURCE_ID,
                                        "a region id such as cn-beijing (no blanks, commas or colons)")
            if instance_id is not None:
                _append_new(instance_ids, f"{region_id}:{instance_id}" if region_id else instance_id)
            for key, target in (("arn_service", service_arns), ("arn_user", user_arns)):
                if entry.get(key) is not None:
                    arn = self.string(f"{where}.{key}", entry[key], RAM_ROLE_ARN,
                                      "the ARN of a RAM role (acs:ram::<account id>:role/<role name>)")
                    if arn is not None:
                        _append_new(target, arn)
        if len(self.problems) > before:
            return None
        return instance_ids, service_arns, user_arns

    # ------------------------------------------------------------ the manifest

    def build(self) -> dict[str, Any]:
        if not isinstance(self.settings, Mapping):
            raise AnsibleFilterError(
                f"image_cache_manifest: the input must be a dict of eci_image_cache settings, got {type(self.settings).__name__}.")
        given = self.normalize_keys()
        for required in ("name", "images"):
            if required not in given:
                self.problem(f"{required} is required.")

        metadata = {}
        spec = {}
        annotations = {}

        if "name" in given:
            name = self.string("name", given["name"], DNS1123_SUBDOMAIN,
                               "a valid Kubernetes object name (DNS-1123 subdomain: lower-case letters, digits, "
                               f"'-' and '.', starting and ending with a letter or digit, at most {MAX_NAME_LENGTH} characters)")
            if name is not None and len(name) > MAX_NAME_LENGTH:
                self.problem(f"name: {name!r} is longer than {MAX_NAME_LENGTH} characters.")
            elif name is not None:
                metadata["name"] = name

        if "images" in given:
            images = self.check_images(given["images"])
            if images is not None:
                spec["images"] = images
        if "image_pull_secrets" in given:
            secrets = self.check_pull_secrets(given["image_pull_secrets"])
            if secrets:
                spec["imagePullSecrets"] = secrets
        if "image_cache_size" in given:
            size = self.integer("image_cache_size", given["image_cache_size"], MIN_SIZE_GIB, MAX_SIZE_GIB, "GiB")
            if size is not None:
                spec["imageCacheSize"] = size
        if "retention_days" in given:
            days = self.integer("retention_days", given["retention_days"], MIN_RETENTION_DAYS, MAX_RETENTION_DAYS, "days")
            if days is not None:
                spec["retentionDays"] = days

        if "vswitch_ids" in given:
            vswitches = self.check_ids("vswitch_ids", given["vswitch_ids"], 1, MAX_VSWITCHES, "vSwitch id")
            if vswitches is not None:
                annotations[ANNOTATION_VSWITCH_IDS] = ",".join(vswitches)
        for option, annotation in (("security_group_id", ANNOTATION_SECURITY_GROUP_ID),
                                   ("resource_group_id", ANNOTATION_RESOURCE_GROUP_ID)):
            if option in given:
                value = self.string(option, given[option], RESOURCE_ID, "an id without blanks, commas or colons")
                if value is not None:
                    annotations[annotation] = value
        if "cpu_arch" in given:
            arch = self.choice("cpu_arch", given["cpu_arch"], CPU_ARCHES)
            if arch is not None:
                annotations[ANNOTATION_CPU_ARCH] = arch
        if "os_type" in given:
            os_type = self.choice("os_type", given["os_type"], OS_TYPES)
            if os_type is not None:
                annotations[ANNOTATION_OS_TYPE] = os_type
        if "acr_registry_info" in given:
            acr = self.check_acr(given["acr_registry_info"])
            if acr is not None:
                for annotation, values in zip((ANNOTATION_ACR_INSTANCE_IDS, ANNOTATION_ACR_SERVICE_ARNS,
                                               ANNOTATION_ACR_USER_ARNS), acr):
                    if values:
                        annotations[annotation] = ",".join(values)
        for option, annotation in (("plain_http_registries", ANNOTATION_PLAIN_HTTP_REGISTRY),
                                   ("insecure_registries", ANNOTATION_INSECURE_REGISTRY)):
            if option in given:
                registries = self.check_registries(option, given[option])
                if registries:
                    annotations[annotation] = ",".join(registries)
        for option, annotation in (("auto_match_image_cache", ANNOTATION_ENABLE_REUSE),
                                   ("flash", ANNOTATION_ENABLE_FLASH)):
            if option in given:
                flag = self.boolean(option, given[option])
                if flag is not None:
                    annotations[annotation] = _bool_text(flag)

        if self.problems:
            raise AnsibleFilterError(f"image_cache_manifest: {' '.join(self.problems)}")
        if annotations:
            metadata["annotations"] = annotations
        return {"apiVersion": API_VERSION, "kind": KIND, "metadata": metadata, "spec": spec}


def _append_new(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def image_cache_manifest(settings: Any) -> dict[str, Any]:
    """The ImageCache manifest for eci_image_cache-style settings; AnsibleFilterError lists every problem."""
    return _Checker(settings).build()


class FilterModule:
    """alibabacloud.eci filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"image_cache_manifest": image_cache_manifest}
