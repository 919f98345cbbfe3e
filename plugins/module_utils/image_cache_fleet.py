# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A set of image caches brought to their settings in one step (eci_image_caches).

The set is read with one region listing (ceil(N/page) DescribeImageCaches), every cache's writes are
sent one after another from this one thread without waiting (sends take a call each), the creates are
confirmed by listing the region once per round for all of them, then all caches are waited for together
with one listing per poll round (waiters.wait_for_many). One deadline bounds the whole task: wait_timeout
is the time from the start to the end of the last wait, and no HTTP call runs past it (Connection.bounded).
Each cache's mechanics are those of eci_image_cache: the same image cache service (create with identity and
ClientToken, update, delete, tags), the same settings table, comparison and prediction. Decisions are per
cache and a cache's failure is recorded, never raised, so it does not stop the others.
"""

from __future__ import annotations

import contextlib
import re
import time
from types import ModuleType
from typing import Any, Callable

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci, image_cache_service, image_reads
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection, scrub
from ansible_collections.alibabacloud.eci.plugins.module_utils.comparison import compare, diff_view, predict
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import tag_problem, validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_TAGS
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import normalize_desired_tags, tag_changes, tags_after
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_service import (
    LAST_POLL_SECONDS,
    PROBE_AFTER,
    CacheGone,
    ImageCacheService,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import (
    image_cache_settings_spec,
    parse_size,
    settings_defaults,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.host_lock import HostLock, configured_directory
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import (
    DIGESTS_TAG_KEY,
    REFRESH_CHANGE,
    decide_refresh,
    is_built,
    record_tag_changes,
    stale_after,
    unrecorded_warning,
    with_record,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reads import RegistryReads
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import READY, UPDATABLE, is_deleting, is_transitional
from ansible_collections.alibabacloud.eci.plugins.module_utils.waiters import (
    Waiter,
    WaitError,
    describe_events,
    wait_for_many,
)

# The options of one item and of `defaults`: eci_image_cache's cache settings (one spec, image_cache_spec), without
# defaults, so that an item's unset option takes `defaults`' value before the option's default applies.
ITEM_SPEC = image_cache_settings_spec(defaults=False)
DEFAULT_MANAGEMENT_TAG = ("ansible-eci-set", "default")
# How messages name the list's items and the options of `defaults` (the module option `labels`).
DEFAULT_LABELS = dict(caches="caches", defaults="defaults.")
# As eci_image_cache: how long a create waits for its turn behind another run on this host.
CREATE_TURN_SECONDS = 120
# How often a cache is looked up again and decided again when it went away between the lookup and a call.
MAX_REDECISIONS = 3
# The user tags of one item: every cache of a set also carries the management tag and the digest record.
MAX_SET_USER_TAGS = MAX_TAGS - 2


class SetProblem(Exception):
    """The set cannot be worked on as given (found out from the listing, before any write)."""


def item_label(index: int, item: Any, labels: dict[str, str] | None = None) -> str:
    name = (item.get("name") or item.get("image_cache_name") or item.get("image_cache_id")) if isinstance(item, dict) else None
    suffix = f" ({name})" if name else ""
    return f"{(labels or DEFAULT_LABELS)['caches']}[{index}]{suffix}"


def option_label(prefix: str, option: str) -> str:
    """An option of `defaults` as its caller names it: 'defaults.size_check', or, for a role whose variables are the
    options prefixed with 'image_cache_', its variable (image_cache_size_check; image_cache_size stays as it is)."""
    return option if option.startswith(prefix) else prefix + option


def _said_of(problem: str, name_option: Callable[[str], str]) -> str | None:
    """A problem that starts with an option's name, with that name replaced by name_option(option); else None."""
    match = re.match(r"([a-z_]+)\b(:?)(.*)\Z", problem, re.S)
    if match and match.group(1) in ITEM_SPEC:
        return f"{name_option(match.group(1))}{match.group(2)}{match.group(3)}"
    return None


def merge_item(item: dict[str, Any], defaults: dict[str, Any] | None) -> dict[str, Any]:
    """An item over `defaults` (both validated, unset options None), then the options' defaults."""
    merged = dict((option, item.get(option) if item.get(option) is not None else (defaults or {}).get(option))
                  for option in ITEM_SPEC)
    for option, value in settings_defaults().items():
        if merged[option] is None:
            merged[option] = value
    return merged


def _settings_problems(params: dict[str, Any]) -> tuple[tuple[bool, int | None] | None, list[str]]:
    """eci_image_cache's checks of one cache's options, before any call (the size parsed first)."""
    try:
        size_auto, size = parse_size(params["image_cache_size"])
    except (TypeError, ValueError):
        return None, [f"image_cache_size must be a whole number of GiB from 20 to 32768, or auto; got {params['image_cache_size']!r}."]
    tags = normalize_desired_tags(params["tags"])
    problems = validate_settings(dict(params, tags=tags, image_cache_size=size,
                                      annotations=normalize_desired_tags(params["annotations"])), creating_possible=False)
    if tags is not None and len(tags) > MAX_SET_USER_TAGS:
        # Said instead of eci_image_cache's limit (one tag more), which does not hold in a set.
        problems = [p for p in problems if not p.startswith(f"tags: at most {MAX_TAGS - 1} tags")]
        problems.append(f"tags: at most {MAX_SET_USER_TAGS} tags are allowed in a set, got {len(tags)}: each cache of the set also carries the "
                        f"management tag (management_tag_key) and the collection's digest record {DIGESTS_TAG_KEY}, and the cloud "
                        f"allows {MAX_TAGS} tags per cache.")
    # image_platform is checked by validate_settings, as for eci_image_cache.
    return (size_auto, size), problems


def management_tag_problems(key: Any, value: str | None) -> list[str]:
    """The management tag follows the rules of any tag (TagResources); each problem names its option."""
    if not isinstance(key, str) or not key.strip():
        return ["management_tag_key must not be empty."]
    problem = tag_problem(key, "", "management_tag_key")
    if problem is None:
        problem = tag_problem(key, value or "", "management_tag_value")
    return [problem] if problem else []


def validate_items(items: list[dict[str, Any]], defaults: dict[str, Any] | None,
                   management_tag: tuple[str | None, str | None] = DEFAULT_MANAGEMENT_TAG,
                   labels: dict[str, str] | None = None) -> tuple[list[dict[str, Any] | None], list[str]]:
    """Every item merged over `defaults` and checked like eci_image_cache checks its options, before any call.

    items and defaults come validated by the module's argument spec (types, choices, sub-options; unset None).
    Returns (params of each item, problems naming the item, or the option of defaults, and the rule).
    """
    labels = dict(DEFAULT_LABELS, **(labels or {}))
    problems = []
    merged_items = []

    def of_defaults(option: str) -> str:
        return option_label(labels["defaults"], option)

    defaults_problems = []
    if defaults and any(value is not None for value in defaults.values()):
        _size, defaults_problems = _settings_problems(merge_item({}, defaults))
        for problem in defaults_problems:
            problems.append(_said_of(problem, of_defaults) or f"{labels['defaults'].rstrip('._')}: {problem}")
        if management_tag[0] in (defaults.get("tags") or {}):
            problems.append(f"{of_defaults('tags')} must not carry the management tag key {management_tag[0]!r} (management_tag_key); "
                            "the set sets it on every cache.")
    seen = {}
    for index, item in enumerate(items):
        label = item_label(index, item, labels)
        params = merge_item(item, defaults)
        parsed, item_problems = _settings_problems(params)
        # A problem of a value that comes from `defaults` is said once, of defaults, above.
        item_problems = [p for p in item_problems if p not in defaults_problems]
        if not (params.get("name") or "").strip() and not params.get("image_cache_id"):
            item_problems.append("name is required (or image_cache_id).")
        if management_tag[0] in (item.get("tags") or {}):
            item_problems.append(f"tags must not carry the management tag key {management_tag[0]!r} (management_tag_key); the set "
                                 "sets it on every cache.")
        # Found out here: one id or one name twice. Found out from the listing: a name and an id of one cache.
        keys = [f"{what} {params[option]}" for what, option in (("id", "image_cache_id"), ("name", "name"))
                if params.get(option)]
        repeated = [key for key in keys if key in seen]
        if repeated:
            item_problems.append(f"the same cache as {seen[repeated[0]]} ({repeated[0]}); each cache may be listed once.")
        for key in keys:
            seen.setdefault(key, label)
        prefix = f"{labels['caches']}[{index}]"
        suffix = label[len(prefix):]
        for problem in item_problems:
            problems.append(_said_of(problem, lambda option: f"{prefix}.{option}{suffix}")
                            or f"{label}: {problem}")
        merged_items.append(dict(params, size_auto=parsed[0], image_cache_size=parsed[1])
                            if not item_problems and parsed else None)
    return merged_items, problems


class Member:
    """One cache of the set: its settings, its own image cache service (so `changes` is its own) and its outcome."""

    def __init__(self, index: int, params: dict[str, Any], connection: Connection, wait: bool, wait_timeout: float, check_mode: bool,
                 management_tag: tuple[str, str | None], registry_timeouts: dict[str, float] | None = None,
                 label: str | None = None, reads: RegistryReads | None = None) -> None:
        self.index = index
        self.label = label or f"caches[{index}]"
        self.registry_timeouts = registry_timeouts or dict(connect_timeout=10, read_timeout=60)
        # Shared by the members of one run (run_set): an image read for one cache is not read again for another.
        self.reads = reads or RegistryReads(self.registry_timeouts)
        self.params = params
        self.name = params["name"] or params["image_cache_id"]
        self.connection = connection
        self.wait = wait
        self.check_mode = check_mode
        self.size_auto = params["size_auto"]
        tags = normalize_desired_tags(params["tags"])
        self.purge_tags = params["purge_tags"] and tags is not None
        # The set's management tag is on every cache of the set; without `tags` the cache's other tags are left alone.
        tags = dict(tags or {}, **{management_tag[0]: management_tag[1]})
        self.settings = dict(params, tags=tags, purge_tags=self.purge_tags, wait=wait,
                             annotations=normalize_desired_tags(params["annotations"]))
        self.size_note = None
        # As eci_image_cache: runs on this host that would create this cache take turns, from a fresh lookup to the create.
        self.create_turn = HostLock(
            f"create\n{connection.endpoints.get('eci') if hasattr(connection, 'endpoints') else None}\n{connection.region}\n"
            f"{params['name'] if not params['image_cache_id'] else 'id ' + params['image_cache_id']}",
            shared_directory=configured_directory(params["lock_dir"]))
        self.service = ImageCacheService(connection, wait_timeout)
        self.planned = []
        self.warnings = []
        self.image_sizes = []
        self.before = None
        self.after = None
        self.failure = None
        self.awaiting = None     # dict(targets, what, observed) while the set's wait has this cache to wait for
        self.unconfirmed = None  # the id a create answered, until a listing shows it under its name
        self.chain = []
        self.differences = []
        self.create_settings = None
        self.digests = None  # image_digests.read_current's result for the images this cache is to hold
        self.stale = None

    @property
    def changes(self) -> list[str]:
        return self.planned if self.check_mode else self.service.done

    def fail(self, error: Exception) -> None:
        """Record this cache's failure (an API error, or any other); the set goes on with the others. The message
        loses query strings and every no_log value (it may carry request text)."""
        secrets = getattr(self.connection, "secrets", ())
        text = str(error) if isinstance(error, (AlibabaCloudError, ValueError)) else f"{type(error).__name__}: {error}"
        self.failure = dict(msg=scrub(text, secrets), code=getattr(error, "code", None),
                            request_id=getattr(error, "request_id", None))
        if isinstance(error, WaitError) and error.image_cache:
            self.after = error.image_cache
        elif self.after is None:
            self.after = self.service.last_seen or self.before
        self.awaiting = None
        self.unconfirmed = None

    # ------------------------------------------------------------ decide and send (no waits)

    def find(self, listing: list[dict[str, Any]]) -> dict[str, Any] | None:
        if self.params["image_cache_id"]:
            found = [c for c in listing if c["image_cache_id"] == self.params["image_cache_id"]]
        else:
            found = [c for c in listing if c["image_cache_name"] == self.params["name"]]
        if len(found) > 1:
            raise ValueError(f"{len(found)} image caches are named {self.params['name']!r}: "
                             f"{', '.join(sorted(c['image_cache_id'] for c in found))}. Give image_cache_id to choose one.")
        return found[0] if found else None

    def start(self, listing: list[dict[str, Any]]) -> None:
        """Decide with the set's listing, send this cache's writes; look again on CacheGone. Never raises."""
        try:
            cache = self.find(listing)
            if self.params["state"] == "present":
                # Before the turn is taken: a slow registry must not hold other runs (as eci_image_cache).
                self.check_sizes(cache)
                self.read_digests(cache)
            if cache is None and not self.check_mode and not self.params["image_cache_id"]:
                # A create may follow: take this host's turn, then look again (another run may have made it meanwhile).
                if not self.create_turn.acquire(CREATE_TURN_SECONDS):
                    self.warnings.append("Going on without the lock that makes runs on this host that create image "
                                         f"cache {self.name} take turns ({self.create_turn.problem}).")
                else:
                    cache = self.find(self.service.find_by_name(self.params["name"]))
            for attempt in range(MAX_REDECISIONS + 1):
                try:
                    return self.decide(cache)
                except CacheGone as gone:
                    if attempt == MAX_REDECISIONS:
                        raise AlibabaCloudError(gone.action, "ImageCacheGone", f"image cache {gone.cache_id} went away {attempt + 1} "
                                                "times between the lookup and the change; giving up")
                    cache = self.find(self.service.find_by_name(self.params["name"]) if not self.params["image_cache_id"]
                                      else [c for c in [self.service.get(self.params["image_cache_id"])] if c])
        except Exception as error:  # pylint: disable=broad-except
            # Whatever went wrong with this cache, the others go on and this one is reported.
            self.fail(error)
        finally:
            self.create_turn.release()

    def decide(self, cache: dict[str, Any] | None) -> None:
        self.before = cache
        if self.params["state"] == "absent":
            return self.absent(cache)
        if cache is None and self.params["image_cache_id"]:
            raise ValueError(f"no image cache has the id {self.params['image_cache_id']} in region {self.connection.region}; "
                             "image_cache_id only manages an existing cache")
        chain = []
        if cache is not None and is_deleting(cache["status"]):
            if not self.wait:
                raise ValueError(f"image cache {cache['image_cache_id']} is {cache['status']}; set wait: true to wait until it is gone "
                                 "and create it again")
            self.service.wait_gone(cache["image_cache_id"])
            chain.append(cache["image_cache_id"])
            cache = None
        if cache is not None and is_transitional(cache["status"]) and self.wait:
            cache_id = cache["image_cache_id"]
            cache = self.service.wait_settled(cache_id, current=cache)
            if cache is None:
                raise CacheGone(cache_id, "WaitForImageCache")
        if cache is not None and cache["status"] == "Failed":
            self.require_create_settings()
            self.warnings.append(f"Image cache {cache['image_cache_name']} ({cache['image_cache_id']}) is Failed and cannot be updated; "
                                 f"it is deleted and created again. Its events: {describe_events(cache)}")
            if self.check_mode:
                self.planned.append(f"replace failed cache {cache['image_cache_id']}")
            else:
                self.service.delete(cache, wait=True)
                self.service.wait_gone(cache["image_cache_id"])
            chain.append(cache["image_cache_id"])
            cache = None
        if cache is None:
            return self.create(chain)
        return self.converge(cache)

    def absent(self, cache: dict[str, Any] | None) -> None:
        if cache is None:
            self.after = {}
            return
        if self.check_mode:
            self.planned.append("delete")
        elif not is_deleting(cache["status"]):
            self.service.delete(cache, wait=self.wait)
        self.after = {}
        if self.wait and not self.check_mode:
            self.awaiting = dict(targets=None, what="be deleted", observed=None, cache_id=cache["image_cache_id"])

    def require_create_settings(self) -> None:
        problems = validate_settings(self.settings, creating_possible=True)
        if problems:
            raise ValueError(" ".join(problems))

    def create(self, chain: list[str]) -> None:
        self.require_create_settings()
        # As eci_image_cache: the digest record goes with the create's tags (the ClientToken leaves it out).
        settings = self.create_settings = dict(self.settings, tags=with_record(self.settings["tags"], self.digests))
        self.stale = stale_after(None, self.digests, True)
        if self.check_mode:
            self.planned.append("create")
            self.after = predict(None, settings, self.connection.region)
            return
        # confirm=False: the create is sent and the next cache's sends follow at once; the set confirms all its
        # creates with one listing per round (confirm_created), then waits for them with the others.
        self.chain = list(chain)
        cache, found = self.service.create(settings, chain, then_wait=False, confirm=False)
        if found:
            return self.converge(cache)
        if cache is None and self.service.created_id:
            self.unconfirmed = self.service.created_id
            self.after = dict(predict(None, settings, self.connection.region), image_cache_id=self.unconfirmed)
            return
        self.created(cache)

    def created(self, cache: dict[str, Any]) -> None:
        """The create's cache is confirmed (listed under its name): wait for it with the others."""
        self.unconfirmed = None
        self.after = cache
        self.service.last_seen = cache
        if self.wait:
            self.awaiting = dict(targets=(READY,), what="be Ready", observed=None, cache_id=cache["image_cache_id"])

    def confirm_slowly(self) -> None:
        """A create the set's listings did not show under its name: the service's own rules (probe, renamed or deleted
        cache, next token) go on from the id the create answered; the create is not sent again. Never raises."""
        try:
            cache, found = self.service.create(self.create_settings, self.chain, then_wait=False, answered=self.unconfirmed)
            self.unconfirmed = None
            if found:
                self.converge(cache)
            else:
                self.created(cache)
        except Exception as error:  # pylint: disable=broad-except
            self.fail(error)

    def converge(self, cache: dict[str, Any]) -> None:
        differences = compare(cache, self.settings)
        if differences == ["elimination_strategy"] and not self.settings["elimination_strategy"]:
            # As eci_image_cache: clearing LRU alone is not sent (it rebuilds the cache; some clouds ignore it).
            self.warnings.append(f"Image cache {cache['image_cache_id']}: elimination_strategy '' is sent only with an update of another "
                                 "setting.")
            differences = []
        self.differences = differences
        # refresh: digest, as eci_image_cache (image_digests.decide_refresh): a stale cache is rebuilt in place.
        refresh = (decide_refresh(cache, self.digests, self.params["refresh"]) if self.digests is not None
                   else dict(stale=None, refresh=False))
        needs_update = (bool(differences) or self.params["force_update"] or cache["status"] == "UpdateFailed"
                        or refresh["refresh"])
        to_set, to_unset = tag_changes(cache["tags"], self.settings["tags"], self.purge_tags)
        # The digest record changes only with a rebuild, after the update was accepted (set_tags follows update).
        record_set, record_unset = record_tag_changes(cache["tags"], self.digests, needs_update)
        to_set = dict(to_set, **record_set)
        to_unset = sorted(to_unset + record_unset)
        self.stale = stale_after(refresh["stale"], self.digests, needs_update)
        warning = unrecorded_warning(cache, self.digests, self.params["refresh"], needs_update)
        if warning:
            self.warnings.append(warning)
        if len(tags_after(cache["tags"], to_set, to_unset)) > MAX_TAGS:
            raise ValueError(f"tags: image cache {cache['image_cache_id']} would carry more than the {MAX_TAGS} tags the cloud allows; "
                             "nothing was changed")
        if needs_update and cache["status"] not in UPDATABLE:
            raise ValueError(f"image cache {cache['image_cache_id']} is {cache['status']}; UpdateImageCache is only allowed in Ready or "
                             "UpdateFailed. Set wait: true to wait for it to settle, or run again later")
        reasons = differences + ([REFRESH_CHANGE] if refresh["refresh"] else [])
        update_change = "update " + ", ".join(reasons or (["force_update"] if self.params["force_update"]
                                                          else ["retry UpdateFailed"]))
        if self.check_mode or not (needs_update or to_set or to_unset):
            if needs_update:
                self.planned.append(update_change)
            self.planned.extend(f"untag {key}" for key in to_unset)
            self.planned.extend(f"tag {key}" for key in sorted(to_set))
            self.after = cache
            if self.planned:
                self.after = predict(cache, self.settings, self.connection.region)
                self.after["tags"] = tags_after(self.after["tags"], record_set, record_unset)
            return
        if needs_update:
            # As eci_image_cache: an update without images in the item (refresh, force_update, retry) sends the
            # cache's own, so the rebuild pulls them again.
            settings = self.settings if self.settings["images"] is not None else dict(
                self.settings, images=list(cache.get("images") or []) or None)
            self.service.update(cache, settings, update_change, wait=self.wait)
        self.service.set_tags(cache, to_set, to_unset)
        self.after = predict(cache, self.settings, self.connection.region)
        self.after["tags"] = tags_after(self.after["tags"], record_set, record_unset)
        if needs_update and self.wait:
            readable = [key for key in differences if key != "elimination_strategy"]
            self.awaiting = dict(targets=(READY,), what="be Ready after the update", cache_id=cache["image_cache_id"],
                                 observed=self.service.update_observer(
                                     lambda c: bool(readable) and not [k for k in compare(c, self.settings) if k in readable]))
        elif needs_update:
            self.after = self.service.get(cache["image_cache_id"]) or {}

    # ------------------------------------------------------------ size preflight (as eci_image_cache's)

    def check_sizes(self, cache: dict[str, Any] | None) -> None:
        """eci_image_cache's size preflight (image_reads, by size_plan's rules), through the set's shared reads: measure
        when the images or the size change, pick the size for auto, judge the size; a failing verdict fails this cache
        only, before any change."""
        outcome = image_reads.check_sizes(self.reads, self.params, cache, self.settings["image_cache_size"], self.size_auto)
        if outcome is None:
            return
        self.image_sizes, self.size_note = outcome["image_sizes"], outcome["size_note"]
        self.warnings.extend(outcome["warnings"])
        if outcome["failure"]:
            raise ValueError(outcome["failure"]["message"])
        self.settings["image_cache_size"] = outcome["image_cache_size"]

    def read_digests(self, cache: dict[str, Any] | None) -> None:
        """As eci_image_cache: the digests of the images the cache is to hold (the item's, else the cache's), read
        from where the module runs, reusing the size preflight's reads and the other caches' (RegistryReads); an image
        that cannot be read is unknown, and so is every image once the task's deadline is spent."""
        if image_reads.digest_images(self.params, cache):
            self.digests = image_reads.read_digests(self.reads, self.params, cache)

    # ------------------------------------------------------------ result

    def result(self, diff: bool) -> dict[str, Any]:
        result = dict(name=self.name, index=self.index, changed=bool(self.changes), changes=list(self.changes),
                      image_cache=self.after or {}, failure=self.failure, image_sizes=self.image_sizes,
                      stale=self.stale if self.after and is_built(self.after.get("status")) else None,
                      image_digests=(self.digests or {}).get("digests") or [])
        if self.size_note:
            result["size_note"] = self.size_note
        if diff:
            result["diff"] = dict(before=diff_view(self.before), after=diff_view(self.after))
        return result


class Purge:
    """A cache of the set (it carries the management tag) that the list no longer names: deleted."""

    def __init__(self, cache: dict[str, Any], connection: Connection, wait: bool, wait_timeout: float, check_mode: bool) -> None:
        self.name = cache["image_cache_name"]
        self.index = None
        self.connection = connection
        self.cache = cache
        self.check_mode = check_mode
        self.wait = wait
        self.service = ImageCacheService(connection, wait_timeout)
        self.planned = ["purge delete"]
        self.failure = None
        self.awaiting = None
        self.unconfirmed = None
        self.warnings = []
        self.before = cache
        self.after = {}

    changes = Member.changes
    fail = Member.fail

    def start(self, listing: list[dict[str, Any]]) -> None:
        if self.check_mode:
            return
        try:
            if not is_deleting(self.cache["status"]):
                self.service.delete(self.cache, wait=self.wait)
            if self.wait:
                self.awaiting = dict(targets=None, what="be deleted", observed=None, cache_id=self.cache["image_cache_id"])
        except Exception as error:  # pylint: disable=broad-except
            self.fail(error)

    def result(self, diff: bool) -> dict[str, Any]:
        # A deleted cache holds nothing: its staleness is not told and no image is read (every entry has the keys).
        result = dict(name=self.name, index=None, purged=True, changed=bool(self.changes), changes=list(self.changes),
                      image_cache={}, failure=self.failure, image_sizes=[], stale=None, image_digests=[])
        if diff:
            result["diff"] = dict(before=diff_view(self.cache), after={})
        return result


def list_region(connection: Connection, api: ModuleType = eci) -> list[dict[str, Any]]:
    """Every cache of the region: ceil(N/page) DescribeImageCaches (the set is matched by name on this side)."""
    return api.describe_image_caches(connection)


def same_cache_problems(members: list[Member], listing: list[dict[str, Any]]) -> list[str]:
    """Two items that name one cache (one by name, one by id; or two ids of one cache): each cache is listed once."""
    by_id = {}
    problems = []
    for member in members:
        cache = None
        if member.params["image_cache_id"]:
            cache = next((c for c in listing if c["image_cache_id"] == member.params["image_cache_id"]), None)
        else:
            named = [c for c in listing if c["image_cache_name"] == member.params["name"]]
            cache = named[0] if len(named) == 1 else None
        if cache is None:
            continue
        first = by_id.setdefault(cache["image_cache_id"], member)
        if first is not member:
            problems.append(f"{first.label} and {member.label} are the same image cache {cache['image_cache_id']} "
                            f"({cache['image_cache_name']}); each cache may be listed once.")
    return problems


class Deadline:
    """The one deadline of the task: wait_timeout seconds from its start."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.at = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())


def confirm_created(members: list[Member | Purge], list_caches: Callable[[], list[dict[str, Any]]], deadline: Deadline,
                    sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
    """Confirm the creates with one listing of the region per round (the id listed under its name), for up to
    PROBE_AFTER seconds; a create still not shown goes through the service's own rules, one by one."""
    pending = [m for m in members if m.unconfirmed and m.failure is None]
    if not pending:
        return

    def settle(snapshot: dict[str, dict[str, Any]]) -> bool:
        for member in list(pending):
            cache = snapshot.get(member.unconfirmed)
            if cache is not None and cache["image_cache_name"] == member.settings["name"]:
                member.created(cache)
                pending.remove(member)
        return not pending

    try:
        Waiter(min(deadline.remaining(), PROBE_AFTER), first_delay=0.5, sleep=sleep, clock=clock).until(
            lambda: dict((c["image_cache_id"], c) for c in list_caches()), settle)
    except Exception as error:  # pylint: disable=broad-except
        for member in pending:
            member.fail(error)
        return
    for member in pending:
        member.service.wait_timeout = deadline.remaining()
        member.confirm_slowly()


def run_set(connection: Connection, items: list[dict[str, Any]], wait: bool, wait_timeout: float, check_mode: bool,
            management_tag: tuple[str, str | None], purge: bool, registry_timeouts: dict[str, float] | None = None,
            api: ModuleType = eci, sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
            labels: dict[str, str] | None = None) -> list[Member | Purge]:
    """Bring the set to its settings. Returns the members (each with its outcome) in the order of the list, purges last.

    Raises before any write only: an error of the first listing, or SetProblem (two items are one cache).
    """
    sleep = sleep or image_cache_service.SLEEP
    clock = clock or image_cache_service.CLOCK
    deadline = Deadline(wait_timeout, clock)
    bounded = getattr(connection, "bounded", None)
    # No HTTP call of the task runs past wait_timeout (plus the last poll's call), whatever the server does.
    within = bounded(time.monotonic() + wait_timeout + LAST_POLL_SECONDS) if wait and bounded else contextlib.nullcontext()
    with within:
        listing = list_region(connection, api)
        reads = RegistryReads(registry_timeouts or dict(connect_timeout=10, read_timeout=60), deadline)
        members = [Member(index, params, connection, wait, wait_timeout, check_mode, management_tag, registry_timeouts,
                          label=item_label(index, params, labels), reads=reads) for index, params in enumerate(items)]
        problems = same_cache_problems(members, listing)
        if problems:
            raise SetProblem(" ".join(problems))
        if purge:
            listed = set(m.params["name"] for m in members) | set(m.params["image_cache_id"] for m in members)
            key, value = management_tag
            members.extend(Purge(cache, connection, wait, wait_timeout, check_mode) for cache in listing
                           if (cache.get("tags") or {}).get(key) == value
                           and cache["image_cache_name"] not in listed and cache["image_cache_id"] not in listed)
        # One after another from this thread: a send takes one call, and the client's wall-clock bound of a call
        # (SIGALRM) works in the main thread only.
        for member in members:
            member.service.wait_timeout = deadline.remaining()
            member.start(listing)
        confirm_created(members, lambda: list_region(connection, api), deadline, sleep, clock)
        waiting = dict((m.awaiting["cache_id"], m) for m in members if m.awaiting and m.failure is None)
        if waiting:
            outcome = wait_for_many(lambda: list_region(connection, api),
                                    dict((cache_id, m.awaiting) for cache_id, m in waiting.items()), deadline.remaining(),
                                    sleep=sleep, clock=clock)
            settle_waits(waiting, outcome)
    return members


def settle_waits(waiting: dict[str, Member | Purge], outcome: dict[str, dict[str, Any] | WaitError | None]) -> None:
    """Each waited cache's outcome: its cache as last listed, or its failure (its changes stay as done)."""
    for cache_id, member in waiting.items():
        got = outcome[cache_id]
        if isinstance(got, WaitError):
            if got.code == "ImageCacheNotFound" and member.awaiting["what"].endswith("update"):
                member.service.done[:] = [c for c in member.service.done if not c.startswith("update")]
            member.fail(got)
        else:
            member.after = got or {}
            if got and isinstance(member, Member) and member.differences:
                ignored = compare(got, member.settings)
                if ignored:
                    member.warnings.append(f"The update of image cache {cache_id} was applied without {', '.join(ignored)}.")
