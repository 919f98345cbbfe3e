# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one table of image cache settings, and the canonical requests built from it.

Each row says which module option feeds which request field, whether CreateImageCache and
UpdateImageCache take it, under which key DescribeImageCaches returns it (None: never), and
how the value is encoded. The create request, the update request, the ClientToken, the
comparison and the prediction are all built from this table, so a setting added here is
sent, compared and part of the token at once.

Canonical form: lists whose order means nothing (images, tags, registries, credentials) are
sorted, and a setting left out where the cloud applies a documented default is sent as that
default (image_cache_size 20), so settings that mean the same give the same request, and so
the same token.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
from typing import Any, Iterable, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY

# spec: the option's entry of the modules' argument spec (image_cache_spec builds the spec from these rows).
# EliminationStrategy: LRU, or empty for none (API reference, CreateImageCache).
ELIMINATION_STRATEGIES = ("", "LRU")

Setting = collections.namedtuple("Setting", "option field create update read_back encoding spec")

# encoding: text, int, bool as such; set = list sent sorted; list = list in the given order;
# joined = comma-joined in the given order; joined_set = comma-joined, sorted;
# json = a dict sent as one JSON object text, keys sorted;
# credentials, acr, tags = lists of entries, sorted (see _encode).
SETTINGS = (
    Setting("name", "image_cache_name", True, True, "image_cache_name", "text",
            dict(type="str", aliases=["image_cache_name"])),
    Setting("images", "image", True, True, "images", "set",
            dict(type="list", elements="str")),
    Setting("image_cache_size", "image_cache_size", True, True, "image_cache_size", "int",
            dict(type="raw")),
    # Read back as ExpireDateTime - CreationTime in whole days (eci.retention_days_of).
    Setting("retention_days", "retention_days", True, True, "retention_days", "int",
            dict(type="int")),
    Setting("security_group_id", "security_group_id", True, True, None, "text",
            dict(type="str")),
    # The order of vSwitches may be a preference, so it is kept.
    Setting("vswitch_ids", "v_switch_id", True, True, None, "joined",
            dict(type="list", elements="str", aliases=["vswitch_id"])),
    Setting("zone_id", "zone_id", True, False, None, "text",
            dict(type="str")),
    Setting("eip_instance_id", "eip_instance_id", True, True, None, "text",
            dict(type="str")),
    Setting("resource_group_id", "resource_group_id", True, True, "resource_group_id", "text",
            dict(type="str")),
    Setting("auto_match_image_cache", "auto_match_image_cache", True, True, None, "bool",
            dict(type="bool")),
    Setting("flash", "flash", True, True, None, "bool",
            dict(type="bool")),
    Setting("flash_copy_count", "flash_copy_count", True, True, None, "int",
            dict(type="int")),
    Setting("standard_copy_count", "standard_copy_count", True, True, None, "int",
            dict(type="int")),
    Setting("elimination_strategy", "elimination_strategy", True, True, "elimination_strategy", "text",
            dict(type="str", choices=list(ELIMINATION_STRATEGIES))),
    Setting("insecure_registries", "insecure_registry", True, False, None, "joined_set",
            dict(type="list", elements="str")),
    Setting("plain_http_registries", "plain_http_registry", True, False, None, "joined_set",
            dict(type="list", elements="str")),
    Setting("image_registry_credentials", "image_registry_credential", True, True, None, "credentials",
            dict(type="list", elements="dict", options=dict(
                server=dict(type="str", required=True),
                username=dict(type="str", required=True),
                password=dict(type="str", required=True, no_log=True),
            ))),
    Setting("acr_registry_info", "acr_registry_info", True, True, None, "acr",
            dict(type="list", elements="dict", options=dict(
                instance_id=dict(type="str", required=True),
                instance_name=dict(type="str"),
                region_id=dict(type="str"),
                domains=dict(type="list", elements="str"),
                arn_service=dict(type="str"),
                arn_user=dict(type="str"),
            ))),
    # Create only: UpdateImageCache does not take it and DescribeImageCaches does not return it.
    Setting("annotations", "annotations", True, False, None, "json",
            dict(type="dict")),
    # After the create, tags change with TagResources/UntagResources, not UpdateImageCache.
    Setting("tags", "tag", True, False, "tags", "tags",
            dict(type="dict")),
)

BY_OPTION = dict((setting.option, setting) for setting in SETTINGS)
# Settings DescribeImageCaches returns, so drift in them is seen (tags are compared apart).
COMPARED = tuple(s.option for s in SETTINGS if s.read_back and s.option != "tags")
# The settings that can change the outcome of a build (a Failed cache is built again only when one of them differs
# from the failed build, or on force_update: image_cache_engine.CacheEngine.replace_failed).
BUILD_OUTCOME = ("images", "image_cache_size", "security_group_id", "vswitch_ids", "zone_id", "eip_instance_id",
                 "image_registry_credentials", "acr_registry_info", "insecure_registries", "plain_http_registries")
# Of those, the ones DescribeImageCaches does not return: the build record (BUILD_TAG_KEY) stands for them.
UNREAD_BUILD_OUTCOME = tuple(option for option in BUILD_OUTCOME if not BY_OPTION[option].read_back)
# The collection's record of those settings on the cache, written with each create and each accepted update (like the
# digest record, image_digests.DIGESTS_TAG_KEY). Not starting with aliyun or acs: (the cloud's rule for user keys).
BUILD_TAG_KEY = "alibabacloud.eci/build"
# v1:<8 hex digits per setting of UNREAD_BUILD_OUTCOME, in that order>; "--------" for a setting not known. The version
# fixes the order: a setting added to UNREAD_BUILD_OUTCOME needs v2.
BUILD_RECORD_VERSION = "v1"
BUILD_DIGEST_LENGTH = 8
UNKNOWN_DIGEST = "-" * BUILD_DIGEST_LENGTH
BUILD_RECORD_RE = re.compile(rf"v1:((?:[0-9a-f]{{{BUILD_DIGEST_LENGTH}}}|-{{{BUILD_DIGEST_LENGTH}}}){{{len(UNREAD_BUILD_OUTCOME)}}})",
                             re.ASCII)  # fullmatch
# How `changes` names the tag call that writes it.
BUILD_RECORD_CHANGE = "record build settings"


def api_name(setting: Setting) -> str:
    """The API's name of a setting's field (ImageCacheSize for image_cache_size, VSwitchId for v_switch_id)."""
    return "".join(part.capitalize() for part in setting.field.split("_"))


def option_names_in(text: str) -> list[str]:
    """The options whose API names (ImageCacheSize) or option names a cloud message mentions, in the settings' order."""
    found = []
    for setting in SETTINGS:
        if setting.option in ("name", "tags", "annotations"):
            continue
        words = (api_name(setting), setting.option)
        if any(re.search(rf"(?<![A-Za-z_]){re.escape(word)}(?![A-Za-z_])", text) for word in words):
            found.append(setting.option)
    return found


# Where the cloud applies a default to a setting left out of a create (API reference).
CREATE_DEFAULTS = dict(image_cache_size=20)
# Fields of entries that are secret: sent, but never part of the token, a diff or a message.
SECRET_FIELDS = ("password",)


def _encode(setting: Setting, value: Any, action: str) -> Any:
    encoding = setting.encoding
    if value is None:
        return None
    if encoding in ("text",):
        # An empty EliminationStrategy means no strategy, as does leaving it out of a create.
        return value if value != "" or action == "update" else None
    if encoding == "set":
        return sorted(value) or None
    if encoding == "list":
        return list(value) or None
    if encoding == "joined":
        return ",".join(value) or None
    if encoding == "joined_set":
        return ",".join(sorted(value)) or None
    if encoding == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":")) if value else None
    if encoding == "tags":
        return [dict(key=k, value=v) for k, v in sorted(value.items())] or None
    if encoding == "credentials":
        entries = [dict(server=c["server"], user_name=c["username"], password=c["password"]) for c in value]
        return sorted(entries, key=lambda e: (e["server"], e["user_name"])) if entries else None
    if encoding == "acr":
        entries: list[dict[str, Any]] = []
        for info in value:
            entry = dict(instance_id=info["instance_id"], instance_name=info.get("instance_name"),
                         region_id=info.get("region_id"), domain=sorted(info["domains"]) if info.get("domains") else None)
            if action == "create":  # UpdateImageCache takes no ARNs
                entry.update(arn_service=info.get("arn_service"), arn_user=info.get("arn_user"))
            entries.append(dict((k, v) for k, v in entry.items() if v is not None))
        return sorted(entries, key=lambda e: json.dumps(e, sort_keys=True)) if entries else None
    return value


def request_fields(settings: Mapping[str, Any], action: str) -> dict[str, Any]:
    """The canonical CreateImageCache ('create') or UpdateImageCache ('update') parameters, as SDK field names.

    settings: the module's options (tags already normalised to {str: str}). Fields left out are absent.
    """
    fields: dict[str, Any] = {}
    for setting in SETTINGS:
        if not getattr(setting, action):
            continue
        value = settings.get(setting.option)
        if value is None and action == "create":
            value = CREATE_DEFAULTS.get(setting.option)
        encoded = _encode(setting, value, action)
        if encoded is not None:
            fields[setting.field] = encoded
    return fields


def without_secrets(fields: dict[str, Any]) -> dict[str, Any]:
    """The request fields with every secret entry field removed (for the token, logs and messages)."""
    def clean(value: Any) -> Any:
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return dict((k, clean(v)) for k, v in value.items() if k not in SECRET_FIELDS)
        return value
    return clean(fields)


def without_record(fields: dict[str, Any]) -> dict[str, Any]:
    """The request fields without the collection's records (image_digests.DIGESTS_TAG_KEY, BUILD_TAG_KEY), for the token:
    the digest record changes whenever an image's tag moves, and runs racing to create one cache must agree on the token
    even when the registry answered them differently; the build record only repeats fields the token has."""
    if not fields.get("tag"):
        return fields
    tags = [entry for entry in fields["tag"] if entry.get("key") not in (DIGESTS_TAG_KEY, BUILD_TAG_KEY)]
    return dict(fields, tag=tags) if tags else dict((k, v) for k, v in fields.items() if k != "tag")


def build_digests(settings: Mapping[str, Any]) -> dict[str, str]:
    """{option: 8 hex digits} for each setting of UNREAD_BUILD_OUTCOME: the start of the sha256 of its canonical
    CreateImageCache field as JSON (null when not given).

    Registry passwords are left out, as from the token (client_token): a tag is read by anyone who may list caches,
    and a hash of a short password can be brute-forced. So a rotated password alone does not change the record."""
    digests = {}
    for option in UNREAD_BUILD_OUTCOME:
        setting = BY_OPTION[option]
        text = json.dumps(without_secrets(dict(value=_encode(setting, settings.get(option), "create"))), sort_keys=True,
                          separators=(",", ":"))
        digests[option] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:BUILD_DIGEST_LENGTH]
    return digests


def format_build_record(digests: Mapping[str, str | None]) -> str:
    """The tag value of {option: digest or None (not known)}."""
    return BUILD_RECORD_VERSION + ":" + "".join(digests.get(option) or UNKNOWN_DIGEST for option in UNREAD_BUILD_OUTCOME)


def parse_build_record(value: Any) -> dict[str, str | None] | None:
    """{option: digest, None where not known} of a build record; None when the value is not a record of this format."""
    match = BUILD_RECORD_RE.fullmatch(value or "") if isinstance(value, str) else None
    if not match:
        return None
    chunks = [match.group(1)[i:i + BUILD_DIGEST_LENGTH] for i in range(0, len(match.group(1)), BUILD_DIGEST_LENGTH)]
    return dict((option, None if chunk == UNKNOWN_DIGEST else chunk) for option, chunk in zip(UNREAD_BUILD_OUTCOME, chunks))


def build_record(settings: Mapping[str, Any]) -> str:
    """The build record of a create with these settings (the module's options)."""
    return format_build_record(build_digests(settings))


def build_tag_changes(cache_tags: Mapping[str, str] | None, settings: Mapping[str, Any], action: str | None) -> dict[str, str]:
    """The build record to set on a cache (cache_tags: its tags, None for a create) after `action`: 'create', 'update'
    (an accepted UpdateImageCache with these settings) or None (no rebuild: nothing).

    After an update, a setting the update sent has the task's digest; the others keep the recorded one, since the cloud
    keeps them (create-only ones such as zone_id, and those the task left out), or are unknown without a record."""
    if action is None:
        return {}
    digests = build_digests(settings)
    if action == "update":
        recorded = parse_build_record((cache_tags or {}).get(BUILD_TAG_KEY)) or {}
        sent = request_fields(settings, "update")
        digests = dict((option, digests[option] if BY_OPTION[option].field in sent else recorded.get(option))
                       for option in UNREAD_BUILD_OUTCOME)
        if not any(digests.values()):
            return {}  # nothing known to record
    record = format_build_record(digests)
    return {} if (cache_tags or {}).get(BUILD_TAG_KEY) == record else {BUILD_TAG_KEY: record}


def client_token(region: str, create_fields: dict[str, Any], chain: Iterable[str] = ()) -> str:
    """The ClientToken of a create: a hash of the region and the canonical request actually sent.

    Registry passwords are left out: the token is sent to the cloud and may be logged, and a
    hash of a short password can be brute-forced. So a create that differs only in a rotated
    password has the same token and other parameters; the cloud then answers with a mismatch,
    which the service handles by a fresh lookup and the next token of the chain.
    chain: what made earlier tokens of this create unusable (ids of caches they were answered
    with that are gone or are other caches, or 'mismatch'), so racing runs that see the same
    evidence agree on the next token.
    """
    text = json.dumps(dict(region=region, request=without_record(without_secrets(create_fields))), sort_keys=True,
                      separators=(",", ":"))
    for link in chain:
        text += "\n" + link
    return "ansible-eci-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
