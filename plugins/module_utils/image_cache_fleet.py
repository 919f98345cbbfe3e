# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A set of image caches brought to their settings in one step (eci_image_caches).

Every cache of the set is decided and acted on by the one engine of eci_image_cache (image_cache_engine.CacheEngine,
with defer=True); the set adds only what a set has: one region listing to find every cache (ceil(N/page)
DescribeImageCaches), the sends one after another from this one thread without waiting, the creates confirmed by
listing the region once per round for all of them (each name's host turn held until its create is confirmed), one
shared wait for all caches with one listing per poll round (waiters.wait_for_many), and the purge. One deadline
bounds the whole task: wait_timeout is the time from the start to the end of the last wait, and no HTTP call runs
past it (Connection.bounded). A cache's failure or refusal is recorded, never raised, so it does not stop the others.
"""

from __future__ import annotations

import contextlib
import re
import time
from types import ModuleType
from typing import Any, Callable

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci, image_cache_service
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection, scrub
from ansible_collections.alibabacloud.eci.plugins.module_utils.comparison import diff_view
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_engine import MAX_REDECISIONS, CacheEngine, Deadline, Refusal
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_service import LAST_POLL_SECONDS, PROBE_AFTER, ImageCacheService
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import parse_size, set_item_spec, settings_defaults
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import tag_problem, validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import stale_reason
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reads import RegistryReads
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_TAGS
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import is_deleting
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import COLLECTION_TAG_KEYS, MAX_USER_TAGS, normalize_desired_tags
from ansible_collections.alibabacloud.eci.plugins.module_utils.waiters import Waiter, WaitError, wait_for_many

# The options of one item and of `defaults`: eci_image_cache's cache settings (one spec, image_cache_spec), without
# defaults, so that an item's unset option takes `defaults`' value before the option's default applies; and take_over.
ITEM_SPEC = set_item_spec()
# No shared default value: a set without a value the user gave writes no management tag and cannot purge.
DEFAULT_MANAGEMENT_TAG = ("ansible-eci-set", None)
# How messages name the list's items and the options of `defaults` (the module option `labels`).
DEFAULT_LABELS = dict(caches="caches", defaults="defaults.")
# The user tags of one item: every cache of a set also carries the management tag and the collection's records.
MAX_SET_USER_TAGS = MAX_USER_TAGS - 1


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
        problems = [p for p in problems if not p.startswith(f"tags: at most {MAX_USER_TAGS} tags")]
        problems.append(f"tags: at most {MAX_SET_USER_TAGS} tags are allowed in a set, got {len(tags)}: each cache of the set also carries the "
                        f"management tag (management_tag_key) and the collection's records {' and '.join(COLLECTION_TAG_KEYS)}, and the cloud "
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
    """One item of the set: the engine that decides and acts for its cache (defer=True), and its failure."""

    def __init__(self, index: int, params: dict[str, Any], connection: Connection, wait: bool, deadline: Deadline,
                 check_mode: bool, management_tag: tuple[str, str | None] | None, reads: RegistryReads,
                 label: str | None = None) -> None:
        self.index = index
        self.label = label or f"caches[{index}]"
        self.params = params
        self.name = params["name"] or params["image_cache_id"]
        self.connection = connection
        self.engine = CacheEngine(connection, params, check_mode, deadline, reads, management_tag, defer=True, wait=wait)
        self.failure = None

    @property
    def changes(self) -> list[str]:
        return self.engine.changes

    @property
    def warnings(self) -> list[str]:
        return self.engine.warnings

    @property
    def awaiting(self) -> dict[str, Any] | None:
        return self.engine.awaiting

    @property
    def unconfirmed(self) -> str | None:
        return self.engine.unconfirmed

    def fail(self, error: Exception) -> None:
        """Record this cache's failure (a refusal, an API error, or any other); the set goes on with the others. The
        message loses query strings and every no_log value (it may carry request text)."""
        secrets = getattr(self.connection, "secrets", ())
        text = str(error) if isinstance(error, (Refusal, ValueError, AlibabaCloudError)) else f"{type(error).__name__}: {error}"
        self.failure = dict(msg=scrub(text, secrets), code=getattr(error, "code", None),
                            request_id=getattr(error, "request_id", None))
        engine = self.engine
        if isinstance(error, WaitError) and error.image_cache:
            engine.after = error.image_cache
        elif isinstance(error, Refusal):
            engine.refused(error)
        elif engine.after is None:
            engine.after = engine.service.last_seen or engine.before or {}
        engine.awaiting = None
        engine.unconfirmed = None
        engine.create_turn.release()

    def start(self, listing: list[dict[str, Any]]) -> None:
        """Decide with the set's listing and send this cache's writes (the engine). Never raises."""
        try:
            self.engine.run(listing)
        except Exception as error:  # pylint: disable=broad-except
            # Whatever went wrong with this cache, the others go on and this one is reported.
            self.fail(error)

    def confirm_slowly(self) -> None:
        try:
            self.engine.confirm_slowly()
        except Exception as error:  # pylint: disable=broad-except
            self.fail(error)

    def created(self, cache: dict[str, Any]) -> None:
        try:
            self.engine.confirmed(cache)
        except Exception as error:  # pylint: disable=broad-except
            self.fail(error)

    def settled(self, outcome: dict[str, Any] | WaitError | None, last_round: bool = True) -> bool:
        """The shared wait's outcome for this cache; True when the cache went away after its update and is looked up
        and decided again (not on the last round), so the set confirms and waits for it once more."""
        if self.engine.vanished_during_update(outcome) and not last_round:
            try:
                self.engine.look_again()
            except Exception as error:  # pylint: disable=broad-except
                self.fail(error)
            return self.failure is None
        if isinstance(outcome, WaitError):
            # The last round: gone again, or a listing that keeps missing it; the accepted update stays reported.
            self.fail(outcome)
        else:
            self.engine.settled(outcome)
        return False

    def result(self, diff: bool) -> dict[str, Any]:
        return dict(self.engine.result(diff), name=self.name, index=self.index, failure=self.failure)


class Purge:
    """A cache of the set (it carries this set's management value) that the list no longer names: deleted, if it is
    still this set's when read again by id right before the delete."""

    def __init__(self, cache: dict[str, Any], connection: Connection, wait: bool, deadline: Deadline, check_mode: bool,
                 management_tag: tuple[str, str], listed: set[str]) -> None:
        self.name = cache["image_cache_name"]
        self.index = None
        self.label = f"purge of {cache['image_cache_id']} ({self.name})"
        self.connection = connection
        self.cache = cache
        self.check_mode = check_mode
        self.wait = wait
        self.management_tag = management_tag
        self.listed = listed
        self.service = ImageCacheService(connection, deadline)
        self.planned = ["purge delete"]
        self.failure = None
        self.awaiting = None
        self.unconfirmed = None
        self.warnings = []
        self.before = cache
        self.after = {}

    @property
    def changes(self) -> list[str]:
        return self.planned if self.check_mode else self.service.done

    def fail(self, error: Exception) -> None:
        secrets = getattr(self.connection, "secrets", ())
        self.failure = dict(msg=scrub(str(error), secrets), code=getattr(error, "code", None),
                            request_id=getattr(error, "request_id", None))
        self.after = getattr(error, "image_cache", None) or self.service.last_seen or self.cache
        self.awaiting = None

    def still_ours(self, cache: dict[str, Any]) -> str | None:
        """None when the cache is still this set's and unnamed by the list; else why it is not deleted."""
        key, value = self.management_tag
        carried = (cache.get("tags") or {}).get(key)
        if carried != value:
            return f"it now carries {key}={carried!r}, not this set's {value!r}"
        if cache["image_cache_name"] in self.listed:
            return f"it is now named {cache['image_cache_name']!r}, which the list names"
        return None

    def start(self, listing: list[dict[str, Any]]) -> None:
        if self.check_mode:
            return
        cache_id = self.cache["image_cache_id"]
        try:
            # Ownership at the moment of the delete: read the cache again by id (another actor may have re-tagged,
            # renamed or deleted it since the set's listing).
            current = self.service.get(cache_id)
            if current is None:
                self.before = self.after = {}
                return
            self.before = current
            why_not = self.still_ours(current)
            if why_not:
                self.warnings.append(f"Image cache {cache_id} ({current['image_cache_name']}) was not purged: {why_not} "
                                     "(read again right before the delete).")
                self.after = current
                return
            if not is_deleting(current["status"]):
                self.service.delete(current, wait=self.wait)
            if self.wait:
                self.awaiting = dict(targets=None, what="be deleted", observed=None, cache_id=cache_id)
        except Exception as error:  # pylint: disable=broad-except
            self.fail(error)

    def settled(self, outcome: dict[str, Any] | WaitError | None, last_round: bool = True) -> bool:
        if isinstance(outcome, WaitError):
            self.fail(outcome)
        else:
            self.awaiting = None
            self.after = {}
        return False

    def result(self, diff: bool) -> dict[str, Any]:
        # A deleted cache holds nothing: its staleness is not told and no image is read (every entry has the keys).
        result = dict(name=self.name, index=None, purged=bool(self.changes), changed=bool(self.changes), changes=list(self.changes),
                      image_cache=self.after or {}, failure=self.failure, image_sizes=[], stale=None,
                      stale_reason=stale_reason(self.after, None, []), image_digests=[])
        if diff:
            result["diff"] = dict(before=diff_view(self.before), after=diff_view(self.after))
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


def confirm_created(members: list[Member | Purge], list_caches: Callable[[], list[dict[str, Any]]], deadline: Deadline,
                    sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
    """Confirm the creates with one listing of the region per round (the id listed under its name), for up to
    PROBE_AFTER seconds; a create still not shown goes through the service's own rules, one by one. Each name's host
    turn is held until its create is confirmed (or failed)."""
    pending = [m for m in members if m.unconfirmed and m.failure is None]
    if not pending:
        return

    def settle(snapshot: dict[str, dict[str, Any]]) -> bool:
        for member in list(pending):
            cache = snapshot.get(member.unconfirmed)
            if cache is not None and cache["image_cache_name"] == member.params["name"]:
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
        member.confirm_slowly()


def purges(listing: list[dict[str, Any]], members: list[Member], connection: Connection, wait: bool, deadline: Deadline,
           check_mode: bool, management_tag: tuple[str, str]) -> list[Purge]:
    """The caches of the listing that carry this set's value and that no item names."""
    listed = set(m.params["name"] for m in members if m.params["name"]) | set(
        m.params["image_cache_id"] for m in members if m.params["image_cache_id"])
    key, value = management_tag
    return [Purge(cache, connection, wait, deadline, check_mode, management_tag, listed) for cache in listing
            if (cache.get("tags") or {}).get(key) == value
            and cache["image_cache_name"] not in listed and cache["image_cache_id"] not in listed]


def run_set(connection: Connection, items: list[dict[str, Any]], wait: bool, wait_timeout: float, check_mode: bool,
            management_tag: tuple[str, str | None], purge: bool, registry_timeouts: dict[str, float] | None = None,
            api: ModuleType = eci, sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
            labels: dict[str, str] | None = None) -> list[Member | Purge]:
    """Bring the set to its settings. Returns the members (each with its outcome) in the order of the list, purges last.

    Raises before any write only: an error of the first listing, or SetProblem (two items are one cache; a purge
    without a set value).
    """
    sleep = sleep or image_cache_service.SLEEP
    clock = clock or image_cache_service.CLOCK
    deadline = Deadline(wait_timeout, clock)
    if purge and not management_tag[1]:
        raise SetProblem("purge: true needs management_tag_value, the value that marks this set's caches; there is no shared "
                         "default, so that one set's purge never deletes another's caches.")
    bounded = getattr(connection, "bounded", None)
    # No HTTP call of the task runs past wait_timeout (plus the last poll's call), whatever the server does.
    within = bounded(time.monotonic() + wait_timeout + LAST_POLL_SECONDS) if wait and bounded else contextlib.nullcontext()
    members: list[Member | Purge] = []
    with within:
        listing = list_region(connection, api)
        reads = RegistryReads(registry_timeouts or dict(connect_timeout=10, read_timeout=60), deadline, region=connection.region)
        members = [Member(index, params, connection, wait, deadline, check_mode, management_tag, reads,
                          label=item_label(index, params, labels)) for index, params in enumerate(items)]
        problems = same_cache_problems(members, listing)
        if problems:
            raise SetProblem(" ".join(problems))
        if purge:
            members.extend(purges(listing, members, connection, wait, deadline, check_mode, management_tag))
        starting = members
        for round_number in range(MAX_REDECISIONS + 1):
            try:
                # One after another from this thread: a send takes one call, and the client's wall-clock bound of a
                # call (SIGALRM) works in the main thread only. Later rounds: the caches looked up again.
                for member in starting if round_number == 0 else []:
                    member.start(listing)
                confirm_created(starting, lambda: list_region(connection, api), deadline, sleep, clock)
            finally:
                for member in starting:
                    if isinstance(member, Member):
                        member.engine.create_turn.release()
            waiting = dict((m.awaiting["cache_id"], m) for m in members if m.awaiting and m.failure is None)
            if not waiting:
                break
            outcome = wait_for_many(lambda: list_region(connection, api),
                                    dict((cache_id, m.awaiting) for cache_id, m in waiting.items()), deadline.remaining(),
                                    sleep=sleep, clock=clock)
            # A cache gone after its update is decided again (as eci_image_cache does), at most MAX_REDECISIONS times.
            starting = [member for cache_id, member in waiting.items()
                        if member.settled(outcome[cache_id], last_round=round_number == MAX_REDECISIONS)]
            if not starting:
                break
    return members
