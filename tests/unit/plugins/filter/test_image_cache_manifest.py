# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_manifest import (
    ACR_NOT_IN_CRD,
    ALIASES,
    CPU_ARCHES,
    NOT_IN_CRD,
    OS_TYPES,
    SUPPORTED,
    FilterModule,
    image_cache_manifest,
)

IMAGE = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
ARN_SERVICE = "acs:ram::1609982529000000:role/role-assume"
ARN_USER = "acs:ram::1298452580000000:role/role-acr"

FULL = {
    "name": "web-cache",
    "images": [IMAGE, "registry.example.com:5000/team/app@sha256:" + "a" * 64, "busybox"],
    "image_pull_secrets": ["default:registry-example", "team-a:pull"],
    "image_cache_size": 40,
    "retention_days": 7,
    "vswitch_ids": ["vsw-bp1xpiowfm5vo8o3c0000", "vsw-bp1dktddjsg5nktv0000"],
    "security_group_id": "sg-bp1fg655nh68xyz90000",
    "resource_group_id": "rg-aek2z3elfs40000",
    "auto_match_image_cache": True,
    "flash": False,
    "acr_registry_info": [
        {"instance_id": "cri-j36zhodptmyq0000", "region_id": "cn-beijing", "arn_service": ARN_SERVICE, "arn_user": ARN_USER},
        {"instance_id": "cri-local0000"},
    ],
    "insecure_registries": ["harbor.pre.com", "192.168.0.10:5000"],
    "plain_http_registries": ["reg.test.com:80"],
    "cpu_arch": "arm64",
    "os_type": "linux",
}

FULL_MANIFEST = {
    "apiVersion": "eci.alibabacloud.com/v1",
    "kind": "ImageCache",
    "metadata": {
        "name": "web-cache",
        "annotations": {
            "k8s.aliyun.com/vswitch-ids": "vsw-bp1xpiowfm5vo8o3c0000,vsw-bp1dktddjsg5nktv0000",
            "k8s.aliyun.com/security-group-id": "sg-bp1fg655nh68xyz90000",
            "k8s.aliyun.com/resource-group-id": "rg-aek2z3elfs40000",
            "k8s.aliyun.com/imc-cpu-arch": "arm64",
            "k8s.aliyun.com/imc-os-type": "linux",
            "k8s.aliyun.com/acr-instance-ids": "cn-beijing:cri-j36zhodptmyq0000,cri-local0000",
            "k8s.aliyun.com/acr-service-arns": ARN_SERVICE,
            "k8s.aliyun.com/acr-user-arns": ARN_USER,
            "k8s.aliyun.com/plain-http-registry": "reg.test.com:80",
            "k8s.aliyun.com/insecure-registry": "harbor.pre.com,192.168.0.10:5000",
            "k8s.aliyun.com/imc-enable-reuse": "true",
            "k8s.aliyun.com/imc-enable-flash": "false",
        },
    },
    "spec": {
        "images": FULL["images"],
        "imagePullSecrets": ["default:registry-example", "team-a:pull"],
        "imageCacheSize": 40,
        "retentionDays": 7,
    },
}


def settings(base, **changes):
    result = copy.deepcopy(base)
    result.update(changes)
    return result


def error_of(value):
    with pytest.raises(AnsibleFilterError) as caught:
        image_cache_manifest(value)
    return str(caught.value)


# ---------------------------------------------------------------- building


def test_full_settings(build):
    assert build(FULL) == FULL_MANIFEST


def test_full_settings_leave_the_input_alone(build):
    given = copy.deepcopy(FULL)
    build(given)
    assert given == FULL


def test_minimal_settings(build, minimal):
    assert build(minimal) == {
        "apiVersion": "eci.alibabacloud.com/v1",
        "kind": "ImageCache",
        "metadata": {"name": "web-cache"},
        "spec": {"images": [IMAGE]},
    }


def test_cluster_scoped_no_namespace(build):
    assert "namespace" not in build(FULL)["metadata"]


def test_annotation_values_are_strings(build):
    assert all(isinstance(value, str) for value in build(FULL)["metadata"]["annotations"].values())


def test_filter_module_exposes_the_filter(build, minimal):
    filters = FilterModule().filters()
    assert set(filters) == {"image_cache_manifest"}
    assert build(minimal) == filters["image_cache_manifest"](minimal)


def test_the_manifest_is_a_new_list(build, minimal):
    manifest = build(minimal)
    manifest["spec"]["images"].append("other")
    assert minimal["images"] == [IMAGE]


@pytest.mark.parametrize("option, value, path, expected", [
    ("image_pull_secrets", ["default:pull"], ("spec", "imagePullSecrets"), ["default:pull"]),
    ("image_cache_size", 20, ("spec", "imageCacheSize"), 20),
    ("image_cache_size", 32768, ("spec", "imageCacheSize"), 32768),
    ("image_cache_size", "25", ("spec", "imageCacheSize"), 25),
    ("retention_days", 1, ("spec", "retentionDays"), 1),
    ("retention_days", 65536, ("spec", "retentionDays"), 65536),
    ("retention_days", " 30 ", ("spec", "retentionDays"), 30),
    ("vswitch_ids", ["vsw-a"], ("metadata", "annotations", "k8s.aliyun.com/vswitch-ids"), "vsw-a"),
    ("vswitch_ids", ["vsw-%d" % n for n in range(10)], ("metadata", "annotations", "k8s.aliyun.com/vswitch-ids"),
     ",".join("vsw-%d" % n for n in range(10))),
    ("security_group_id", "sg-a", ("metadata", "annotations", "k8s.aliyun.com/security-group-id"), "sg-a"),
    ("resource_group_id", "rg-a", ("metadata", "annotations", "k8s.aliyun.com/resource-group-id"), "rg-a"),
    ("auto_match_image_cache", True, ("metadata", "annotations", "k8s.aliyun.com/imc-enable-reuse"), "true"),
    ("auto_match_image_cache", False, ("metadata", "annotations", "k8s.aliyun.com/imc-enable-reuse"), "false"),
    ("flash", True, ("metadata", "annotations", "k8s.aliyun.com/imc-enable-flash"), "true"),
    ("flash", False, ("metadata", "annotations", "k8s.aliyun.com/imc-enable-flash"), "false"),
    ("insecure_registries", ["harbor.example.com"], ("metadata", "annotations", "k8s.aliyun.com/insecure-registry"),
     "harbor.example.com"),
    ("plain_http_registries", ["10.0.0.1:5000", "reg"], ("metadata", "annotations", "k8s.aliyun.com/plain-http-registry"),
     "10.0.0.1:5000,reg"),
    ("cpu_arch", "amd64", ("metadata", "annotations", "k8s.aliyun.com/imc-cpu-arch"), "amd64"),
    ("cpu_arch", "arm64", ("metadata", "annotations", "k8s.aliyun.com/imc-cpu-arch"), "arm64"),
    ("os_type", "linux", ("metadata", "annotations", "k8s.aliyun.com/imc-os-type"), "linux"),
    ("os_type", "windows", ("metadata", "annotations", "k8s.aliyun.com/imc-os-type"), "windows"),
])
def test_each_option_alone(build, minimal, option, value, path, expected):
    manifest = build(settings(minimal, **{option: value}))
    found = manifest
    for key in path:
        found = found[key]
    assert found == expected
    # Nothing else appears: one spec field or one annotation per option.
    extra_spec = set(manifest["spec"]) - {"images"}
    annotations = set(manifest["metadata"].get("annotations", {}))
    assert len(extra_spec) + len(annotations) == 1


def test_every_supported_option_is_covered_by_full():
    assert set(FULL) == set(SUPPORTED)


def test_cpu_arch_and_os_type_choices():
    assert CPU_ARCHES == ("amd64", "arm64")
    assert OS_TYPES == ("linux", "windows")


@pytest.mark.parametrize("alias, canonical, value", [
    ("image_cache_name", "name", "web-cache"),
    ("vswitch_id", "vswitch_ids", ["vsw-a"]),
])
def test_aliases(build, minimal, alias, canonical, value):
    given = settings(minimal)
    given.pop(canonical, None)
    given[alias] = value
    assert build(given) == build(settings(minimal, **{canonical: value}))


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_alias_and_option_together_is_an_error(minimal, alias):
    given = settings(minimal, **{alias: minimal.get(ALIASES[alias], ["vsw-a"])})
    given[ALIASES[alias]] = given[alias]
    message = error_of(given)
    assert "given twice" in message and alias in message and ALIASES[alias] in message


def test_alias_next_to_a_null_option(build, minimal):
    assert build(settings(minimal, image_cache_name=None)) == build(minimal)
    given = settings(minimal, name=None)
    given["image_cache_name"] = "web-cache"
    assert build(given) == build(minimal)


def test_null_values_count_as_not_given(build, minimal):
    given = settings(minimal, **dict((option, None) for option in SUPPORTED if option not in minimal))
    given.update(dict((option, None) for option in NOT_IN_CRD))
    assert build(given) == build(minimal)


def test_empty_strings_count_as_not_given(build, minimal):
    # ansible-core before 2.19 renders a templated None as '', so '' must mean "not given" on every version.
    given = settings(minimal, **dict((option, "") for option in SUPPORTED if option not in minimal))
    given.update(dict((option, "") for option in NOT_IN_CRD))
    assert build(given) == build(minimal)


def test_blank_but_not_empty_is_still_an_error(minimal):
    assert "security_group_id must be a non-empty string, got ' '" in error_of(settings(minimal, security_group_id=" "))


def test_empty_optional_lists_add_nothing(build, minimal):
    given = settings(minimal, image_pull_secrets=[], insecure_registries=[], plain_http_registries=[], acr_registry_info=[])
    assert build(given) == build(minimal)


def test_acr_instance_without_arns(build, minimal):
    manifest = build(settings(minimal, acr_registry_info=[{"instance_id": "cri-a"}]))
    assert manifest["metadata"]["annotations"] == {"k8s.aliyun.com/acr-instance-ids": "cri-a"}


def test_acr_duplicates_are_merged(build, minimal):
    entry = {"instance_id": "cri-a", "arn_service": ARN_SERVICE, "arn_user": ARN_USER}
    manifest = build(settings(minimal, acr_registry_info=[entry, dict(entry, instance_id="cri-b"), entry]))
    assert manifest["metadata"]["annotations"] == {
        "k8s.aliyun.com/acr-instance-ids": "cri-a,cri-b",
        "k8s.aliyun.com/acr-service-arns": ARN_SERVICE,
        "k8s.aliyun.com/acr-user-arns": ARN_USER,
    }


def test_acr_null_suboptions_are_ignored(build, minimal):
    entry = {"instance_id": "cri-a", "region_id": None, "arn_service": None, "arn_user": None,
             "instance_name": None, "domains": None}
    manifest = build(settings(minimal, acr_registry_info=[entry]))
    assert manifest["metadata"]["annotations"] == {"k8s.aliyun.com/acr-instance-ids": "cri-a"}


def test_tuples_are_lists(build, minimal):
    manifest = build(settings(minimal, images=(IMAGE,), vswitch_ids=("vsw-a",)))
    assert manifest["spec"]["images"] == [IMAGE]


@pytest.mark.parametrize("name", ["a", "web-cache", "web.cache.v2", "0cache", "a" * 253, ".".join(["a" * 63] * 3)])
def test_valid_names(build, minimal, name):
    assert build(settings(minimal, name=name))["metadata"]["name"] == name


@pytest.mark.parametrize("image", [
    "nginx", "nginx:1.25", "library/nginx:latest", "registry.example.com:5000/a/b/c:v1.0-rc.1",
    "localhost/app", "Registry.Example.COM/app:1", "app@sha256:" + "0" * 64, "a__b/c-d:tag_1",
])
def test_valid_images(build, minimal, image):
    assert build(settings(minimal, images=[image]))["spec"]["images"] == [image]


# ---------------------------------------------------------------- errors: keys


@pytest.mark.parametrize("option", sorted(NOT_IN_CRD))
def test_options_without_crd_equivalent(minimal, option):
    message = error_of(settings(minimal, **{option: "x"}))
    assert message.startswith("image_cache_manifest: ")
    assert "%s: the ImageCache CRD has no equivalent" % option in message
    assert NOT_IN_CRD[option] in message


@pytest.mark.parametrize("option, hint", [
    ("image_registry_credentials", "image_pull_secrets"),
    ("zone_id", "vswitch_ids"),
    ("eip_instance_id", "NAT gateway"),
    ("tags", "status.imageCacheId"),
    ("state", "kubernetes.core.k8s"),
    ("wait", "kubernetes.core.k8s_info"),
    ("wait_timeout", "kubernetes.core.k8s_info"),
    ("force_update", "whole manifest"),
    ("image_cache_id", "status.imageCacheId"),
    ("access_key", "kubeconfig"),
    ("region", "eci-profile"),
])
def test_options_without_crd_equivalent_say_what_to_do(minimal, option, hint):
    assert hint in error_of(settings(minimal, **{option: "x"}))


def test_false_is_not_null_for_unsupported_options(minimal):
    assert "wait: the ImageCache CRD has no equivalent" in error_of(settings(minimal, wait=False))


def test_every_module_option_is_supported_or_explained(module_options):
    known = set(SUPPORTED) | set(ALIASES) | set(NOT_IN_CRD)
    names = set(module_options)
    for aliases in module_options.values():
        names.update(aliases)
    assert sorted(names - known) == []


def test_unknown_key(minimal):
    message = error_of(settings(minimal, imagez=[IMAGE]))
    assert "imagez: unknown setting. Did you mean images?" in message
    assert "Valid settings: name, images," in message


def test_unknown_key_without_close_match(minimal):
    message = error_of(settings(minimal, zzzzzz=1))
    assert "zzzzzz: unknown setting. Valid settings:" in message


def test_unknown_key_even_when_null(minimal):
    assert "labels: unknown setting" in error_of(settings(minimal, labels=None))


def test_non_string_key(minimal):
    given = settings(minimal)
    given[1] = "x"
    assert "settings keys must be option names" in error_of(given)


@pytest.mark.parametrize("value", [None, "name=web", ["name", "web"], 3])
def test_input_must_be_a_dict(value):
    message = error_of(value)
    assert "the input must be a dict of eci_image_cache settings" in message


@pytest.mark.parametrize("missing", ["name", "images"])
def test_required(minimal, missing):
    given = settings(minimal)
    del given[missing]
    assert "%s is required." % missing in error_of(given)


@pytest.mark.parametrize("unset", [None, ""])
def test_required_null(minimal, unset):
    assert "name is required." in error_of(settings(minimal, name=unset))


def test_every_problem_is_reported_at_once():
    message = error_of({"name": "Bad_Name", "images": [], "image_cache_size": 10, "retention_days": 0,
                        "flash": "yes", "cpu_arch": "x86_64", "tags": {"a": "b"}, "imagez": 1})
    for part in ("name: 'Bad_Name'", "images: give 1 to 20 items, got 0", "image_cache_size must be from 20 to 32768",
                 "retention_days must be from 1 to 65536", "flash must be a boolean", "cpu_arch must be one of amd64, arm64",
                 "tags: the ImageCache CRD", "imagez: unknown setting"):
        assert part in message


# ---------------------------------------------------------------- errors: values


@pytest.mark.parametrize("name", [
    " ", "Web", "web_cache", "-web", "web-", "web..cache", ".web", "web.", "a" * 254, "web cache", "wéb", 7, ["web"],
])
def test_invalid_names(minimal, name):
    message = error_of(settings(minimal, name=name))
    assert "name" in message
    assert ("DNS-1123 subdomain" in message or "non-empty string" in message or "longer than 253" in message)


@pytest.mark.parametrize("images, expected", [
    ([], "images: give 1 to 20 items, got 0"),
    (IMAGE, "images must be a list of strings"),
    ({"a": IMAGE}, "images must be a list of strings"),
    ([""], "every image must be a non-empty reference"),
    (["  "], "every image must be a non-empty reference"),
    ([None], "every image must be a non-empty reference"),
    ([3], "every image must be a non-empty reference"),
    (["https://registry.example.com/app:1"], "has a URL scheme"),
    (["Registry.example.com/App:1"], "is not a valid image reference"),
    (["nginx:1.25 "], "is not a valid image reference"),
    (["nginx::1"], "is not a valid image reference"),
    (["nginx@sha256:abc"], "is not a valid image reference"),
    (["a/" * 600 + "b"], "is not a valid image reference"),
    ([IMAGE, IMAGE], "listed more than once"),
    (["app%d" % n for n in range(21)], "images: give 1 to 20 items, got 21"),
])
def test_invalid_images(minimal, images, expected):
    assert expected in error_of(settings(minimal, images=images))


def test_twenty_images(build, minimal):
    images = ["app%d" % n for n in range(20)]
    assert build(settings(minimal, images=images))["spec"]["images"] == images


@pytest.mark.parametrize("secret", [
    "pull", "default/pull", "default:", ":pull", "default:pull:x", "Default:pull", "default:Pull", "default:pull.x",
    "-a:pull", "default:pull-", "a" * 64 + ":pull", "default:" + "a" * 64, "default :pull", 5, None,
])
def test_invalid_pull_secrets(minimal, secret):
    message = error_of(settings(minimal, image_pull_secrets=[secret]))
    assert "image_pull_secrets" in message
    assert "namespace:secretName" in message and "DNS-1123 labels" in message


def test_longest_pull_secret(build, minimal):
    secret = "a" * 63 + ":" + "b" * 63
    assert build(settings(minimal, image_pull_secrets=[secret]))["spec"]["imagePullSecrets"] == [secret]


@pytest.mark.parametrize("value, expected", [
    ("default:pull", "image_pull_secrets must be a list of strings"),
    (["default:pull", "default:pull"], "default:pull listed more than once"),
])
def test_invalid_pull_secret_lists(minimal, value, expected):
    assert expected in error_of(settings(minimal, image_pull_secrets=value))


@pytest.mark.parametrize("option, value, expected", [
    ("image_cache_size", 19, "image_cache_size must be from 20 to 32768 (GiB), got 19."),
    ("image_cache_size", 32769, "image_cache_size must be from 20 to 32768 (GiB), got 32769."),
    ("image_cache_size", 0, "image_cache_size must be from 20 to 32768 (GiB), got 0."),
    ("image_cache_size", -20, "image_cache_size must be from 20 to 32768 (GiB), got -20."),
    ("image_cache_size", True, "image_cache_size must be an integer from 20 to 32768 (GiB), got True."),
    ("image_cache_size", 25.0, "image_cache_size must be an integer from 20 to 32768 (GiB), got 25.0."),
    ("image_cache_size", "25GiB", "image_cache_size must be an integer from 20 to 32768 (GiB), got '25GiB'."),
    ("image_cache_size", "-25", "image_cache_size must be an integer from 20 to 32768 (GiB), got '-25'."),
    ("image_cache_size", "2\u00b2", "image_cache_size must be an integer from 20 to 32768 (GiB), got '2\u00b2'."),
    ("image_cache_size", [25], "image_cache_size must be an integer"),
    ("retention_days", 0, "retention_days must be from 1 to 65536 (days), got 0."),
    ("retention_days", 65537, "retention_days must be from 1 to 65536 (days), got 65537."),
    ("retention_days", False, "retention_days must be an integer from 1 to 65536 (days), got False."),
    ("retention_days", "seven", "retention_days must be an integer from 1 to 65536 (days), got 'seven'."),
    ("retention_days", 1.5, "retention_days must be an integer from 1 to 65536 (days), got 1.5."),
])
def test_invalid_integers(minimal, option, value, expected):
    assert expected in error_of(settings(minimal, **{option: value}))


@pytest.mark.parametrize("value, expected", [
    ([], "vswitch_ids: give 1 to 10 items, got 0"),
    (["vsw-%d" % n for n in range(11)], "vswitch_ids: give 1 to 10 items, got 11"),
    ("vsw-a", "vswitch_ids must be a list of strings, got str 'vsw-a'"),
    ("vsw-a,vsw-b", "vswitch_ids must be a list of strings"),
    ([""], "vswitch_ids: every vSwitch id must be a non-empty string without blanks, commas or colons, got ''"),
    (["vsw-a,vsw-b"], "got 'vsw-a,vsw-b'"),
    (["vsw a"], "got 'vsw a'"),
    ([None], "got None"),
    ([7], "got 7"),
    (["vsw-a", "vsw-a"], "vsw-a listed more than once"),
])
def test_invalid_vswitch_ids(minimal, value, expected):
    assert expected in error_of(settings(minimal, vswitch_ids=value))


@pytest.mark.parametrize("option", ["security_group_id", "resource_group_id"])
@pytest.mark.parametrize("value, expected", [
    ("  ", "must be a non-empty string"),
    (["sg-a"], "must be a non-empty string"),
    (3, "must be a non-empty string"),
    ("sg-a,sg-b", "is not an id without blanks, commas or colons"),
    ("sg a", "is not an id without blanks, commas or colons"),
])
def test_invalid_group_ids(minimal, option, value, expected):
    message = error_of(settings(minimal, **{option: value}))
    assert option in message and expected in message


@pytest.mark.parametrize("option", ["auto_match_image_cache", "flash"])
@pytest.mark.parametrize("value", ["true", "yes", "True", 1, 0, "false", [], {}])
def test_booleans_must_be_real_booleans(minimal, option, value):
    message = error_of(settings(minimal, **{option: value}))
    assert "%s must be a boolean (true or false)" % option in message


@pytest.mark.parametrize("option, value, allowed", [
    ("cpu_arch", "x86_64", "amd64, arm64"),
    ("cpu_arch", "AMD64", "amd64, arm64"),
    ("cpu_arch", "arm", "amd64, arm64"),
    ("cpu_arch", ["amd64"], "amd64, arm64"),
    ("os_type", "Linux", "linux, windows"),
    ("os_type", "darwin", "linux, windows"),
    ("os_type", True, "linux, windows"),
])
def test_invalid_choices(minimal, option, value, allowed):
    assert "%s must be one of %s, got %r." % (option, allowed, value) in error_of(settings(minimal, **{option: value}))


@pytest.mark.parametrize("option", ["insecure_registries", "plain_http_registries"])
@pytest.mark.parametrize("value, expected", [
    ("harbor.example.com", "must be a list of strings"),
    (["http://harbor.example.com"], "must be a registry host or host:port, without a scheme or path"),
    (["harbor.example.com/path"], "must be a registry host or host:port, without a scheme or path"),
    (["harbor.example.com:port"], "must be a registry host or host:port, without a scheme or path"),
    (["a,b"], "must be a registry host or host:port, without a scheme or path"),
    ([""], "must be a registry host or host:port, without a scheme or path"),
    ([None], "must be a registry host or host:port, without a scheme or path"),
    (["h", "h"], "h listed more than once"),
])
def test_invalid_registries(minimal, option, value, expected):
    message = error_of(settings(minimal, **{option: value}))
    assert option in message and expected in message


@pytest.mark.parametrize("value, expected", [
    ("cri-a", "acr_registry_info must be a list of dicts with instance_id"),
    ({"instance_id": "cri-a"}, "acr_registry_info must be a list of dicts with instance_id"),
    (["cri-a"], "acr_registry_info[0] must be a dict with instance_id, got 'cri-a'"),
    ([{}], "acr_registry_info[0].instance_id is required."),
    ([{"instance_id": None}], "acr_registry_info[0].instance_id is required."),
    ([{"instance_id": ""}], "acr_registry_info[0].instance_id must be a non-empty string"),
    ([{"instance_id": "cri-a,cri-b"}], "acr_registry_info[0].instance_id: 'cri-a,cri-b' is not an instance id"),
    ([{"instance_id": "cn-beijing:cri-a"}], "is not an instance id"),
    ([{"instance_id": "cri-a", "region_id": "cn beijing"}], "acr_registry_info[0].region_id: 'cn beijing' is not a region id"),
    ([{"instance_id": "cri-a", "region_id": ""}], "acr_registry_info[0].region_id must be a non-empty string"),
    ([{"instance_id": "cri-a", "arn_service": "role-assume"}],
     "acr_registry_info[0].arn_service: 'role-assume' is not the ARN of a RAM role (acs:ram::<account id>:role/<role name>)"),
    ([{"instance_id": "cri-a", "arn_user": "acs:ram::1:user/x"}], "acr_registry_info[0].arn_user: 'acs:ram::1:user/x' is not the ARN"),
    ([{"instance_id": "cri-a", "arn_user": ARN_USER + "," + ARN_USER}], "is not the ARN of a RAM role"),
    ([{"instance_id": "cri-a"}, {"instance_id": "cri-b", "instance_name": "reg"}],
     "acr_registry_info[1].instance_name: the ImageCache CRD has no equivalent"),
    ([{"instance_id": "cri-a", "domains": ["reg.example.com"]}], "acr_registry_info[0].domains: the ImageCache CRD has no equivalent"),
    ([{"instance_id": "cri-a", "password": "x"}],
     "acr_registry_info[0].password: unknown key; valid keys: instance_id, region_id, arn_service, arn_user."),
])
def test_invalid_acr_registry_info(minimal, value, expected):
    assert expected in error_of(settings(minimal, acr_registry_info=value))


@pytest.mark.parametrize("key", sorted(ACR_NOT_IN_CRD))
def test_acr_suboptions_without_crd_equivalent_say_why(minimal, key):
    message = error_of(settings(minimal, acr_registry_info=[{"instance_id": "cri-a", key: "x"}]))
    assert ACR_NOT_IN_CRD[key] in message


# ---------------------------------------------------------------- the schema itself


@pytest.mark.parametrize("path, value", [
    (("apiVersion",), "eci.alibabacloud.com/v2"),
    (("kind",), "ImageCaches"),
    (("metadata", "name"), "Bad_Name"),
    (("metadata", "namespace"), "default"),
    (("metadata", "annotations", "k8s.aliyun.com/imc-enable-reuse"), True),
    (("metadata", "annotations", "k8s.aliyun.com/imc-enable-flash"), "yes"),
    (("metadata", "annotations", "k8s.aliyun.com/imc-cpu-arch"), "x86"),
    (("metadata", "annotations", "k8s.aliyun.com/imc-os-type"), "darwin"),
    (("metadata", "annotations", "k8s.aliyun.com/vswitch-ids"), "vsw-a,,vsw-b"),
    (("metadata", "annotations", "example.com/other"), 3),
    (("spec", "images"), []),
    (("spec", "images"), [""]),
    (("spec", "imagePullSecrets"), ["pull"]),
    (("spec", "imagePullSecrets"), ["Default:pull"]),
    (("spec", "imageCacheSize"), 19),
    (("spec", "imageCacheSize"), 32769),
    (("spec", "imageCacheSize"), "40"),
    (("spec", "retentionDays"), 0),
    (("spec", "retentionDays"), 65537),
    (("spec", "unknownField"), 1),
])
def test_schema_rejects_what_the_crd_rejects(crd_validator, path, value):
    manifest = copy.deepcopy(FULL_MANIFEST)
    target = manifest
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not crd_validator.is_valid(manifest)


@pytest.mark.parametrize("required", [("spec", "images"), ("metadata", "name"), ("spec",), ("kind",)])
def test_schema_requires(crd_validator, required):
    manifest = copy.deepcopy(FULL_MANIFEST)
    target = manifest
    for key in required[:-1]:
        target = target[key]
    del target[required[-1]]
    assert not crd_validator.is_valid(manifest)


def test_schema_accepts_the_documented_example(assert_valid_manifest):
    # The example of the product documentation (ImageCache の作成).
    assert_valid_manifest({
        "apiVersion": "eci.alibabacloud.com/v1",
        "kind": "ImageCache",
        "metadata": {"name": "imagecache-sample-test", "annotations": {"k8s.aliyun.com/imc-enable-reuse": "true"}},
        "spec": {
            "images": ["registry.cn-shanghai.aliyuncs.com/eci_open/nginx:1.14.2",
                       "registry.cn-shanghai.aliyuncs.com/eci_open/busybox:1.30"],
            "imageCacheSize": 25,
            "retentionDays": 7,
        },
    })


def test_the_documented_example_from_settings(build):
    manifest = build({
        "name": "imagecache-sample-test",
        "images": ["registry.cn-shanghai.aliyuncs.com/eci_open/nginx:1.14.2",
                   "registry.cn-shanghai.aliyuncs.com/eci_open/busybox:1.30"],
        "image_cache_size": 25,
        "retention_days": 7,
        "auto_match_image_cache": True,
    })
    assert manifest == {
        "apiVersion": "eci.alibabacloud.com/v1",
        "kind": "ImageCache",
        "metadata": {"name": "imagecache-sample-test", "annotations": {"k8s.aliyun.com/imc-enable-reuse": "true"}},
        "spec": {
            "images": ["registry.cn-shanghai.aliyuncs.com/eci_open/nginx:1.14.2",
                       "registry.cn-shanghai.aliyuncs.com/eci_open/busybox:1.30"],
            "imageCacheSize": 25,
            "retentionDays": 7,
        },
    }
