# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One image-reference grammar and registry-host rule, which validation, comparison, the size check and the
egress reasoning of eci_network_info all follow."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import egress, image_reference, registry
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils import registry as reg
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import (
    DOCKER_HUB_ALIASES,
    REGISTRY_HOST,
    canonical_image,
    image_problem,
    registry_host,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.registry import find_credentials, parse_reference


@pytest.mark.parametrize("image, host", [
    ("nginx", "docker.io"), ("library/nginx:1.25", "docker.io"), ("user/app", "docker.io"),
    ("docker.io/library/nginx", "docker.io"), ("index.docker.io/library/nginx", "docker.io"),
    ("registry-1.docker.io/library/nginx", "docker.io"),
    ("localhost/app", "localhost"), ("localhost:5000/app:1", "localhost:5000"), ("myreg:5000/app", "myreg:5000"),
    ("Registry.Example.com/a/b:1", "registry.example.com"), ("[::1]:5000/app", "[::1]:5000"),
    ("registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx", "registry-vpc.cn-hangzhou.aliyuncs.com"),
    # Docker's splitDockerDomain: a first component with upper case is a registry (paths are lower case).
    ("MyReg/app:1", "myreg"),
])
def test_registry_host(image, host):
    assert registry_host(image) == host


def test_mixed_case_first_component_is_one_registry_for_every_caller():
    """MyReg/app:1 is valid, and validation, the size check and eci_network_info agree that it is on registry
    myreg, not Docker Hub (before, network.py sent it to docker.io)."""
    image = "MyReg/app:1"
    assert image_problem(image) is None
    assert validate_settings(dict(images=[image]), creating_possible=False) == []
    assert registry.parse_reference(image)["domain"] == "myreg"
    # Not Docker Hub: a private registry host counts as reached over the internet unless declared private.
    assert egress.public_images([image], "cn-hangzhou", private_registries=["myreg"]) == []
    assert egress.public_images([image], "cn-hangzhou", private_registries=["docker.io"]) == [image]
    assert canonical_image(image) == "myreg/app:1"


@pytest.mark.parametrize("image", ["myreg/App:1", "Nginx", "docker.io/Library/nginx", "https://r.example.com/a:1", "",
                                   "a" * 1025, "r.example.com/app:-bad"])
def test_refused_references(image):
    assert image_problem(image, "image_cache_images").startswith("image_cache_images: ")


@pytest.mark.parametrize("reference, canonical", [
    ("nginx", "docker.io/library/nginx:latest"), ("nginx:1.25", "docker.io/library/nginx:1.25"),
    ("user/app", "docker.io/user/app:latest"), ("registry-1.docker.io/library/nginx", "docker.io/library/nginx:latest"),
    ("localhost:5000/app@sha256:" + "a" * 64, "localhost:5000/app@sha256:" + "a" * 64),
    ("R.example.com/a/b:1", "r.example.com/a/b:1"),
])
def test_canonical_image(reference, canonical):
    assert canonical_image(reference) == canonical


# -- ASCII only, whole strings (Python's \w takes any script's letters; $ matches before a final newline) --
@pytest.mark.parametrize("image", ["nginx:tägé", "nginx:١٢", "nginx:1.25\n", "reg.example.com:5000/app:1\n",
                                   "nginx:1\n@sha256:" + "a" * 64, "nginx@sha256:" + "a" * 64 + "\n"])
def test_non_ascii_tags_and_trailing_newlines_are_refused(image):
    assert image_problem(image) is not None
    with pytest.raises(ValueError):
        parse_reference(image)


def test_registry_hosts_are_whole_ascii_strings():
    assert REGISTRY_HOST.match("reg.example.com") and REGISTRY_HOST.match("reg.example.com:5000")
    for host in ("reg.example.com\n", "reg.example.com:5000\n", "rég.example.com", "reg.example.com:５０００"):
        assert REGISTRY_HOST.match(host) is None, host
    problems = validate_settings(dict(plain_http_registries=["reg.example.com\n"],
                                      image_registry_credentials=[dict(server="reg.example.com\n")]), False)
    assert len(problems) == 2 and all("host[:port]" in problem for problem in problems)


# -- one list of Docker Hub's names -------------------------------------------------------------------
def test_docker_hub_aliases_mean_one_repository_and_one_credential():
    creds = [dict(server="hub.docker.com", username="u", password="p")]
    refs = [parse_reference(image) for image in ("hub.docker.com/nginx:1", "docker.io/nginx:1", "nginx:1")]
    assert set((r["domain"], r["registry"], r["repository"], r["name"]) for r in refs) == {
        ("docker.io", "registry-1.docker.io", "library/nginx", "docker.io/library/nginx")}
    assert set(canonical_image(image) for image in ("hub.docker.com/nginx:1", "docker.io/nginx:1", "nginx:1")) == {
        "docker.io/library/nginx:1"}
    assert all(find_credentials(r["domain"], creds) == ("u", "p") for r in refs)
    # One home: the reader parses with image_reference's functions, which use its one list of aliases.
    assert reg.parse_reference is image_reference.parse_reference and reg.normalize_registry is image_reference.normalize_registry
    assert all(image_reference.normalize_registry(alias) == "docker.io" for alias in DOCKER_HUB_ALIASES)


NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"


@pytest.mark.parametrize("image", [
    NGINX, "nginx", "nginx:1.25", "library/nginx", "docker.io/library/nginx:latest", "localhost:5000/app:v1",
    "registry.example.com/a/b/c:1.0-rc1", "nginx@sha256:" + "a" * 64, "registry-vpc.cn-hangzhou.aliyuncs.com/eci_open/nginx:1.15.10-perl",
])
def test_valid_images(image):
    assert image_problem(image) is None


@pytest.mark.parametrize("image", [
    "", " ", "https://registry.example.com/app:1", "Nginx:1", "nginx:", "nginx:1 2", "registry.example.com/app:tag/x",
    "nginx@sha256:xyz", "-bad/app", "app::1",
])
def test_malformed_images(image):
    assert "images" in image_problem(image)
