# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: image_caches_holding
short_description: The image caches that hold one of some image references
version_added: 0.1.0
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
description:
  - Keeps the caches (as P(alibabacloud.eci.eci_image_cache_info#module) returns them) whose C(images) hold one of
    O(images).
  - References are compared in Docker's canonical form, as the modules compare them - the registry host in lower
    case, Docker Hub's names as C(docker.io/library/...), a missing tag as C(latest) - so C(nginx) and
    C(docker.io/library/nginx:latest) are the same image. A reference pinned by digest is the same only as the
    same digest.
positional: images
options:
  _input:
    description:
      - The caches, each a dict with a list C(images).
    type: list
    elements: dict
    required: true
  images:
    description:
      - The image references to look for.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: The caches of the pushed tag
  ansible.builtin.debug:
    msg: "{{ listed.image_caches | alibabacloud.eci.image_caches_holding(['registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25'])
             | map(attribute='image_cache_id') }}"
"""

RETURN = r"""
_value:
  description:
    - The caches that hold one of the images, in their order.
  type: list
  elements: dict
"""

from collections.abc import Mapping, Sequence
from typing import Any, Callable

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import canonical_image, image_problem


def _references(images: Any) -> set[str]:
    if isinstance(images, (str, bytes)) or not isinstance(images, Sequence):
        raise AnsibleFilterError(f"image_caches_holding: images must be a list of image references, got {type(images).__name__}.")
    for image in images:
        problem = image_problem(image, "images")
        if problem:
            raise AnsibleFilterError(f"image_caches_holding: {problem}")
    return set(canonical_image(image) for image in images)


def image_caches_holding(caches: Any, images: Any) -> list[dict[str, Any]]:
    """The caches whose images hold one of images (canonical references compared)."""
    if isinstance(caches, (str, bytes)) or not isinstance(caches, Sequence) or not all(isinstance(c, Mapping) for c in caches):
        raise AnsibleFilterError("image_caches_holding: the input must be a list of caches (dicts), as eci_image_cache_info "
                                 "returns them in image_caches.")
    wanted = _references(images)
    held = []
    for cache in caches:
        # A cache's own image that is not a valid reference cannot be one of the wanted (valid) ones.
        if any(isinstance(image, str) and image_problem(image) is None and canonical_image(image) in wanted
               for image in cache.get("images") or ()):
            held.append(cache)
    return held


class FilterModule:
    """alibabacloud.eci filters."""

    def filters(self) -> dict[str, Callable[..., list[dict[str, Any]]]]:
        return {"image_caches_holding": image_caches_holding}
