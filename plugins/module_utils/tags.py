# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tag rules and tag changes of an image cache: which tags are the cloud's, which are the user's, and what
to set and unset to go from the current tags to the desired ones.

Pure functions. The rules a tag must meet before any call are validation (image_cache_validation.tag_problem);
the TagResources/UntagResources calls are in image_cache_service.py.
"""

from __future__ import annotations

from typing import Any, Collection, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_TAGS
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import BUILD_TAG_KEY

# Tag keys the cloud owns: users can neither set nor remove them (API reference, TagResources), so
# purge_tags never removes them, like amazon.aws keeps aws: tags.
SYSTEM_TAG_PREFIXES = ("acs:", "aliyun")
# The collection's records on a cache (the images' digests, the build settings): not the user's tags, never purged,
# compared or given by the user; each takes one of the cloud's MAX_TAGS.
COLLECTION_TAG_KEYS = (DIGESTS_TAG_KEY, BUILD_TAG_KEY)
MAX_USER_TAGS = MAX_TAGS - len(COLLECTION_TAG_KEYS)


def normalize_desired_tags(tags: Mapping[Any, Any] | None) -> dict[str, str] | None:
    """User tags as {str: str}; None stays None (leave tags alone). A value that is no scalar (a list, a dict) is kept
    as it is, so that validation (image_cache_validation.tag_problem) refuses it rather than sending its Python text."""
    if tags is None:
        return None
    return dict((str(key), "" if value is None else value if isinstance(value, (list, dict, set, tuple)) else str(value))
                for key, value in tags.items())


def is_system_tag(key: str) -> bool:
    return key.lower().startswith(SYSTEM_TAG_PREFIXES)


def user_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """A cache's tags without the collection's records: what `tags` is compared with and diffs show as tags."""
    return dict((key, value) for key, value in (tags or {}).items() if key not in COLLECTION_TAG_KEYS)


def tag_changes(current: Mapping[str, str], desired: Mapping[str, str] | None,
                purge_tags: bool) -> tuple[dict[str, str], list[str]]:
    """(to_set, to_unset) from current and desired tag dicts; desired None leaves tags alone.

    System tags (acs:, aliyun) are never removed: the cloud refuses it. The collection's records are not the user's:
    purge_tags never removes them (image_digests.record_tag_changes and settings.build_tag_changes change them).
    """
    if desired is None:
        return {}, []
    to_set = dict((key, value) for key, value in desired.items() if current.get(key) != value)
    to_unset = sorted(key for key in current if key not in desired and not is_system_tag(key)
                      and key not in COLLECTION_TAG_KEYS) if purge_tags else []
    return to_set, to_unset


def tags_after(current: Mapping[str, str] | None, to_set: Mapping[str, str], to_unset: Collection[str]) -> dict[str, str]:
    tags = dict((key, value) for key, value in (current or {}).items() if key not in to_unset)
    tags.update(to_set)
    return tags
