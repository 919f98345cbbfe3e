# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: acr_push_images
short_description: The image references that stand for a pushed ACR repository tag
version_added: 0.1.0
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
description:
  - From the C(acr_push) event of the event source C(alibabacloud.eci.acr_push), the references
    C(<host>/<namespace>/<name>:<tag>) of the pushed tag, one per registry host that serves the repository.
  - The hosts are those of the ACR instance id O(instance_id) in O(registries) when given, else of the event's
    region in O(registries), else the region's public and VPC endpoints of ACR Personal Edition,
    C(registry.<region>.aliyuncs.com) and C(registry-vpc.<region>.aliyuncs.com).
  - Every reference is checked with the collection's image-reference grammar; a malformed one fails the task.
  - The playbook C(alibabacloud.eci.refresh_on_push) uses it, with P(alibabacloud.eci.image_caches_holding#filter).
positional: registries, instance_id
options:
  _input:
    description:
      - The event's C(acr_push) dict; C(namespace), C(name), C(tag) and C(region) are read.
    type: dict
    required: true
  registries:
    description:
      - A dict from a region or an ACR instance id to the list of its registry hosts (C(host) or C(host:port)), for
        example the key V(cn-hangzhou) with V([registry.cn-hangzhou.aliyuncs.com]), or the key V(cri-abc) with
        V([my-registry.cn-hangzhou.cr.aliyuncs.com]).
    type: dict
    default: {}
  instance_id:
    description:
      - The ACR Enterprise Edition instance the push came from; its entry in O(registries) is required.
    type: str
"""

EXAMPLES = r"""
- name: The references of the pushed tag
  ansible.builtin.debug:
    msg: "{{ ansible_eda.event.acr_push | alibabacloud.eci.acr_push_images(acr_registries | default({})) }}"
"""

RETURN = r"""
_value:
  description:
    - The references, one per host, in the order of the hosts, for example
      V(["registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25", "registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"]).
  type: list
  elements: str
"""

import re
from collections.abc import Mapping
from typing import Any, Callable

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import REGISTRY_HOST, image_problem

# Region ids as the cloud names them (cn-hangzhou, ap-southeast-1): they become host names.
REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z", re.ASCII)
DEFAULT_HOSTS = ("registry.{region}.aliyuncs.com", "registry-vpc.{region}.aliyuncs.com")


def _hosts(registries: Mapping[str, Any], key: str, name: str) -> list[str]:
    hosts = registries[key]
    if isinstance(hosts, str) or not isinstance(hosts, (list, tuple)) or not hosts:
        raise AnsibleFilterError(f"acr_push_images: {name} {key!r} must be a non-empty list of registry hosts, got {hosts!r}.")
    for host in hosts:
        if not isinstance(host, str) or not REGISTRY_HOST.match(host):
            raise AnsibleFilterError(f"acr_push_images: {name} {key!r}: {host!r} is not a registry host (host or host:port, "
                                     "without a scheme or path).")
    return list(hosts)


def acr_push_images(push: Any, registries: Any = None, instance_id: Any = None) -> list[str]:
    """The references of the pushed repository:tag on each registry host of its region or instance."""
    if not isinstance(push, Mapping):
        raise AnsibleFilterError(f"acr_push_images: the input must be the event's acr_push dict, got {type(push).__name__}.")
    missing = [key for key in ("namespace", "name", "tag", "region") if not isinstance(push.get(key), str) or not push[key]]
    if missing:
        raise AnsibleFilterError(f"acr_push_images: the acr_push event has no {', '.join(missing)}.")
    registries = {} if registries is None else registries
    if not isinstance(registries, Mapping):
        raise AnsibleFilterError(f"acr_push_images: acr_registries must be a dict from a region or an ACR instance id to "
                                 f"its registry hosts, got {type(registries).__name__}.")
    region = push["region"]
    if instance_id:
        if instance_id not in registries:
            raise AnsibleFilterError(f"acr_push_images: acr_registries has no entry for the ACR instance {instance_id!r}; "
                                     "give its registry hosts (an instance's domain names cannot be guessed).")
        hosts = _hosts(registries, instance_id, "acr_registries entry")
    elif region in registries:
        hosts = _hosts(registries, region, "acr_registries entry")
    elif REGION.match(region):
        hosts = [pattern.format(region=region) for pattern in DEFAULT_HOSTS]
    else:
        raise AnsibleFilterError(f"acr_push_images: the acr_push event's region {region!r} is not a region id like cn-hangzhou.")
    images = [f"{host}/{push['namespace']}/{push['name']}:{push['tag']}" for host in hosts]
    for image in images:
        problem = image_problem(image, "acr_push")
        if problem:
            raise AnsibleFilterError(f"acr_push_images: {problem}")
    return images


class FilterModule:
    """alibabacloud.eci filters."""

    def filters(self) -> dict[str, Callable[..., list[str]]]:
        return {"acr_push_images": acr_push_images}
