# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: image_cache_id
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
short_description: The id of the Ready ECI image cache that holds a set of images
version_added: 0.1.0
description:
  - Answers the id of the Ready image cache of the region that holds every image given, to pin it to a container
    group (the pod annotation C(k8s.aliyun.com/eci-imc-id), or C(ImageSnapshotId) of CreateContainerGroup).
  - Images are compared after the collection's reference normalisation (V(nginx:1.25) is
    V(docker.io/library/nginx:1.25)). Among the caches that hold them all, the one with the fewest other images
    wins, the newest on a tie. A cache that is not Ready is never answered.
  - Every cache of the region is read and compared (DescribeImageCaches' own C(MatchImage) matches layers and may
    compare references verbatim, so it could miss the best cache). ECI's automatic matching at pod creation may
    pick another cache (it matches by image layers); pinning the id answered here makes the choice explicit. See the guide
    R(Caches in use,ansible_collections.alibabacloud.eci.docsite.caches_in_use).
  - No such cache is an error naming the images, unless O(default) is given.
  - Terms are the images; a list term is flattened. All terms together are one set of images, answered by one id.
options:
  _terms:
    description: Image references, all of which the cache must hold.
    required: true
    type: list
    elements: str
  default:
    description:
      - What to answer when no Ready cache holds every image, instead of failing (for example V('')).
    type: raw
requirements:
  - alibabacloud-eci20180808 >= 2.1.0
extends_documentation_fragment:
  - alibabacloud.eci.common
notes:
  - Runs on the controller, with the controller's environment (E(ALICLOUD_*) variables, the credentials chain).
  - One DescribeImageCaches listing (every page) per lookup; in a loop over many pods, look the id up once in a
    C(set_fact).
"""

EXAMPLES = r"""
- name: Pin a pod to the cache that holds its images
  kubernetes.core.k8s:
    state: present
    definition:
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        annotations:
          k8s.aliyun.com/eci-imc-id: "{{ lookup('alibabacloud.eci.image_cache_id', 'nginx:1.25', 'redis:7', region='cn-hangzhou') }}"
      spec:
        containers:
          - {name: web, image: "nginx:1.25"}
          - {name: cache, image: "redis:7"}

- name: The id, or an empty string when no Ready cache holds the image
  ansible.builtin.set_fact:
    web_cache_id: "{{ lookup('alibabacloud.eci.image_cache_id', 'registry.example.com/app/web:1.4', default='') }}"
"""

RETURN = r"""
_raw:
  description: One element, the id of the chosen image cache (or O(default)).
  type: list
  elements: str
"""

import os
from typing import Any

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import (
    HAS_SDK_CORE,
    AlibabaCloudError,
    ConfigError,
    Connection,
    auth_argument_spec,
    scrub,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_usage import find_cache_for_images
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import image_problem
from ansible_collections.alibabacloud.eci.plugins.module_utils.module import secret_values


def flatten(terms: Any) -> list[Any]:
    result = []
    for term in terms if isinstance(terms, (list, tuple)) else [terms]:
        if isinstance(term, (list, tuple)):
            result.extend(flatten(term))
        else:
            result.append(term)
    return result


class LookupModule(LookupBase):

    def run(self, terms: list[Any], variables: dict[str, Any] | None = None, **kwargs: Any) -> list[Any]:
        has_default = "default" in kwargs
        self.set_options(var_options=variables, direct=kwargs)
        images = flatten(terms)
        if not images:
            raise AnsibleLookupError("alibabacloud.eci.image_cache_id: give at least one image as a term.")
        for image in images:
            problem = image_problem(image, "image_cache_id terms")
            if problem:
                raise AnsibleLookupError(f"alibabacloud.eci.image_cache_id: {problem}")
        if not HAS_SDK_CORE:
            raise AnsibleLookupError("alibabacloud.eci.image_cache_id needs the Alibaba Cloud SDKs on the controller "
                                     "(pip install alibabacloud-eci20180808 alibabacloud-tea-openapi alibabacloud-credentials)")
        spec = auth_argument_spec()
        params = {name: self.get_option(name) for name in spec}
        # The modules' rule (secret_values); Connection adds the credentials chain's STS token to this same set.
        secrets = secret_values([params[name] for name, entry in spec.items() if entry.get("no_log")], {}, os.environ)
        try:
            connection = Connection(params, os.environ, secrets=secrets)
            cache = find_cache_for_images(connection, images)
        except (AlibabaCloudError, ConfigError) as error:
            raise AnsibleLookupError(f"alibabacloud.eci.image_cache_id: {scrub(to_native(error), secrets)}") from None
        if cache is None:
            if has_default:
                return [self.get_option("default")]
            raise AnsibleLookupError(f"alibabacloud.eci.image_cache_id: no Ready image cache in region {connection.region} "
                                     f"holds every image of {', '.join(images)} (give default= to answer something else)")
        return [cache["image_cache_id"]]
