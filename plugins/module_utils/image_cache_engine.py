# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one engine that decides and acts for one image cache: eci_image_cache and every item of eci_image_caches.

CacheEngine finds the cache, refuses (Refusal, before any write, with the fields the result carries), creates,
updates, replaces, deletes, changes tags, refreshes stale caches and waits - at once (eci_image_cache), or, with
defer=True, hands each wait to the set's shared waiter (`awaiting`, `unconfirmed`; eci_image_caches, in
image_cache_fleet). Warnings are collected in `warnings`, never sent to Ansible from here. One Deadline bounds the
whole task (wait_timeout): every wait, the create's confirmation and the registry reads take what is left of it.

Where each rule lives (see CONTRIBUTING.md): what a request carries - settings.py; what differs - comparison.py;
the tags - tags.py; how a write is sent and confirmed - image_cache_service.py; how a wait polls - waiters.py;
the sizes and digests - image_reads.py; which cache is decided how - here, once.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ansible_collections.alibabacloud.eci.plugins.module_utils import image_reads
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection
from ansible_collections.alibabacloud.eci.plugins.module_utils.comparison import compare, diff_view, predict
from ansible_collections.alibabacloud.eci.plugins.module_utils.host_lock import HostLock, configured_directory
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_service import UPDATE_WAIT, CacheGone, ImageCacheService, tag_change_names
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_validation import validate_settings
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import (
    REFRESH_CHANGE,
    decide_refresh,
    is_built,
    record_tag_changes,
    stale_after,
    stale_reason,
    unrecorded_warning,
    with_record,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.limits import MAX_TAGS
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import (
    BUILD_TAG_KEY,
    UNREAD_BUILD_OUTCOME,
    build_digests,
    build_tag_changes,
    option_names_in,
    parse_build_record,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import FAILED, READY, UPDATABLE, is_deleting, is_transitional
from ansible_collections.alibabacloud.eci.plugins.module_utils.tags import (
    COLLECTION_TAG_KEYS,
    MAX_USER_TAGS,
    is_system_tag,
    normalize_desired_tags,
    tag_changes,
    tags_after,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.waiters import WaitError, describe_events

# How long a run waits for its turn behind another run on this host that may be creating or deleting
# a cache of the same name; the holder needs one lookup, the size check and one create: seconds, normally.
CREATE_TURN_SECONDS = 120
# How often a run looks again and decides again when a cache it found is gone before it could act on it.
MAX_REDECISIONS = 3


class Refusal(Exception):
    """The engine will not act on this cache as asked; raised before any write of the decision. `fields` are what
    the result carries with the message (image_cache, image_cache_ids, ...)."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class Deadline:
    """The one deadline of the task: wait_timeout seconds from its start."""

    def __init__(self, seconds: float, clock: Callable[[], float] | None = None) -> None:
        self.clock = clock or time.monotonic
        self.at = self.clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())


def host_turn(connection: Connection, params: dict[str, Any]) -> HostLock:
    """The lock by which runs on this host that would create or delete a cache of one name take turns."""
    endpoints = getattr(connection, "endpoints", None) or {}
    return HostLock(
        f"create\n{endpoints.get('eci')}\n{connection.region}\n"
        f"{params['name'] if not params['image_cache_id'] else 'id ' + params['image_cache_id']}",
        shared_directory=configured_directory(params["lock_dir"]))


class CacheEngine:
    """Decides and acts for one cache.

    params: the cache's options (eci_image_cache's, or an item merged over `defaults`), with image_cache_size parsed
    (GiB or None) and size_auto. management_tag: (key, value) of the set whose cache this is, or None (eci_image_cache,
    or a set that names no set value): the tag is added to the cache's tags, and a cache that carries the key with
    another value is refused unless params["take_over"]. defer: waits and create confirmations are handed to the
    caller (eci_image_caches' shared waiter).
    """

    def __init__(self, connection: Connection, params: dict[str, Any], check_mode: bool, deadline: Deadline,
                 reads: image_reads.RegistryReads, management_tag: tuple[str, str] | None = None, defer: bool = False,
                 wait: bool | None = None, service: ImageCacheService | None = None) -> None:
        self.connection = connection
        self.params = params
        self.check_mode = check_mode
        self.deadline = deadline
        self.reads = reads
        self.defer = defer
        self.wait = params.get("wait", True) if wait is None else wait
        self.size_auto = params.get("size_auto", False)
        self.management_tag = management_tag if management_tag and management_tag[1] is not None else None
        user = normalize_desired_tags(params["tags"])
        # Without `tags` the cache's other tags are left alone (purge_tags needs tags).
        self.purge_tags = bool(params["purge_tags"]) and user is not None
        tags = user
        if self.management_tag:
            tags = dict(user or {}, **{self.management_tag[0]: self.management_tag[1]})
        self.settings = dict(params, tags=tags, purge_tags=self.purge_tags, wait=self.wait,
                             annotations=normalize_desired_tags(params["annotations"]))
        self.service = service or ImageCacheService(connection, deadline)
        self.create_turn = host_turn(connection, params)
        self.planned: list[str] = []
        self.warnings: list[str] = []
        self.image_sizes: list[dict[str, Any]] = []
        self.size_note = None
        self.digests = None
        self.stale = None
        self.before = None
        self.after = None
        self.differences: list[str] = []
        self.awaiting = None     # defer: dict(targets, what, observed, cache_id) for the shared waiter
        self.unconfirmed = None  # defer: the id a create answered, until a listing shows it under its name
        self.create_settings = None
        self.chain: list[str] = []

    @property
    def changes(self) -> list[str]:
        return self.planned if self.check_mode else self.service.done

    @property
    def label(self) -> str:
        return self.params["name"] or self.params["image_cache_id"]

    # ------------------------------------------------------------ lookups and turns

    def find(self, listing: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
        """The cache, by id or by exact name, from `listing` (the set's) or a fresh lookup. Two of one name: refused.
        An update forgotten because its cache looked gone is reported again when the cache is found after all."""
        found = self._find(listing)
        self.service.found_again(found)
        return found

    def _find(self, listing: list[dict[str, Any]] | None) -> dict[str, Any] | None:
        if self.params["image_cache_id"]:
            if listing is None:
                return self.service.get(self.params["image_cache_id"])
            return next((c for c in listing if c["image_cache_id"] == self.params["image_cache_id"]), None)
        name = self.params["name"]
        caches = [c for c in (self.service.find_by_name(name) if listing is None else listing) if c["image_cache_name"] == name]
        if len(caches) > 1:
            ids = sorted(c["image_cache_id"] for c in caches)
            raise Refusal(f"{len(caches)} image caches are named {name!r}: {', '.join(ids)}. Pass image_cache_id to choose one.",
                          image_cache_ids=ids)
        if caches:
            self.service.last_seen = caches[0]
        return caches[0] if caches else None

    def needs_turn(self, cache: dict[str, Any] | None) -> bool:
        """Whether this run may create or delete a cache of this name (then it takes this host's turn first)."""
        if self.check_mode:
            return False
        if self.params["state"] == "absent":
            return cache is not None
        if self.params["image_cache_id"]:
            return False  # a lookup by id never creates
        return cache is None or cache["status"] == FAILED or is_deleting(cache["status"])

    def take_turn(self) -> None:
        """Wait for other runs on this host that may be creating or deleting this cache, so this run sees their work."""
        if not self.create_turn.acquire(CREATE_TURN_SECONDS):
            self.warnings.append(f"Going on without the lock that makes runs on this host that create image cache {self.label} "
                                 f"take turns ({self.create_turn.problem}). No duplicate cache can result from one host's "
                                 "runs with the same settings, but this run may report changed for a cache another run created.")

    def release_turn(self) -> None:
        """The turn is kept while a create this run sent is unconfirmed (the set confirms it later)."""
        if self.unconfirmed is None:
            self.create_turn.release()

    # ------------------------------------------------------------ the whole decision

    def run(self, listing: list[dict[str, Any]] | None = None) -> None:
        """Find, measure, take the turn when a create or delete may follow, decide and act; look again when the cache
        goes away between the lookup and a call on it. Raises Refusal, AlibabaCloudError (after writes too: `changes`
        says what was done)."""
        try:
            present = self.params["state"] == "present"
            if listing is None and not self.check_mode and (not present or (
                    not self.params["image_cache_id"] and not self.lookup_before_turn())):
                # A delete, or a create whose preflight needs no cache: the one lookup runs under the turn.
                if present:
                    self.read_digests(None)  # the task's images, before the turn
                self.take_turn()
            cache = self.find(listing)
            if present:
                self.preflight(cache)  # before the turn: a slow registry must not hold other runs
            if self.needs_turn(cache) and not self.create_turn.held:
                self.take_turn()
                cache = self.find()  # another run may have made (or deleted) it meanwhile
            for attempt in range(MAX_REDECISIONS + 1):
                try:
                    self.decide(cache)
                    return
                except CacheGone as gone:
                    if attempt == MAX_REDECISIONS:
                        raise AlibabaCloudError(gone.action, "ImageCacheGone", f"image cache {gone.cache_id} went away {attempt + 1} "
                                                "times between the lookup and the change; giving up")
                    if not self.check_mode and not self.create_turn.held and not self.params["image_cache_id"]:
                        self.take_turn()  # the cache is gone: a create may follow, under the turn
                    cache = self.find()
        finally:
            self.release_turn()

    def lookup_before_turn(self) -> bool:
        """Whether the preflight needs the cache: to measure images when they or the size change, or to know the
        images to read when the task gives none. Otherwise the one lookup runs under the turn."""
        measure = self.size_auto or self.params["size_check"] != "skip"
        if not self.size_auto and self.params["images"] is None and self.settings["image_cache_size"] is None:
            measure = False  # neither the images nor the size change: nothing to measure
        return measure or self.params["images"] is None

    def preflight(self, cache: dict[str, Any] | None) -> None:
        """Measure the images (when they or the size change) and read their digests, before the turn."""
        self.measure_sizes(cache)
        self.read_digests(cache)

    def decide(self, cache: dict[str, Any] | None) -> None:
        self.before = cache
        if self.params["state"] == "absent":
            self.absent(cache)
        else:
            self.present(cache)

    # ------------------------------------------------------------ absent

    def absent(self, cache: dict[str, Any] | None) -> None:
        self.after = {}
        if cache is None:
            return
        if self.check_mode:
            self.planned.append("delete")
            return
        # A cache the cloud already shows as being deleted needs no second delete.
        if not is_deleting(cache["status"]):
            self.service.delete(cache, wait=self.wait)
        if self.wait:
            self.wait_for(cache["image_cache_id"], None, "be deleted")

    # ------------------------------------------------------------ present

    def present(self, cache: dict[str, Any] | None) -> None:
        params = self.params
        if cache is None and params["image_cache_id"]:
            raise Refusal(f"No image cache has the id {params['image_cache_id']} in region {self.connection.region}; "
                          "image_cache_id only manages an existing cache. Leave it out and give name to create one.")
        if cache is not None:
            self.refuse_other_set(cache)
        if cache is not None and cache["status"] != FAILED and not is_deleting(cache["status"]):
            self.create_turn.release()  # nothing to create: runs waiting behind this one may go on
        if cache is not None and is_deleting(cache["status"]) and not self.wait:
            raise Refusal(f"Image cache {cache['image_cache_id']} is {cache['status']}; it cannot be kept or changed. Set wait: "
                          "true to wait until it is gone and create it again, or run again later.", image_cache=cache)
        if cache is not None and is_transitional(cache["status"]) and self.wait:
            cache_id = cache["image_cache_id"]
            cache = self.service.wait_settled(cache_id, current=cache)
            if cache is None:
                raise CacheGone(cache_id, "WaitForImageCache")
            self.before = cache
        self.settle_size(cache, self.measure_sizes(cache))
        chain: list[str] = []
        if cache is not None and cache["status"] == FAILED:
            self.replace_failed(cache)
            chain.append(cache["image_cache_id"])  # this run deleted it: a token answered with it is answered with a gone cache
            cache = None
        self.read_digests(cache)  # reads only what the preflight did not
        if cache is None:
            self.create(chain)
        else:
            self.converge(cache)

    def refuse_other_set(self, cache: dict[str, Any]) -> None:
        """A cache that carries another set's management value is that set's: taken over only when the item says so."""
        if not self.management_tag:
            return
        key, value = self.management_tag
        other = (cache.get("tags") or {}).get(key)
        if other is not None and other != value and not self.params.get("take_over"):
            raise Refusal(f"Image cache {cache['image_cache_id']} ({cache['image_cache_name']}) belongs to the set {other!r} (its tag {key} "
                          f"is {other!r}, this set's is {value!r}); taking it over would let this set's purge delete it and the "
                          f"other set's purge miss it. Nothing was changed. Set take_over: true on the item to make it this set's, "
                          "or give it another name.", image_cache=cache)

    def replace_failed(self, cache: dict[str, Any]) -> None:
        """A Failed cache is built again only when a setting that can change the outcome differs, or on force_update."""
        events = describe_events(cache)
        if self.params["image_cache_id"]:
            # Replacing a Failed cache creates one under a new id, which image_cache_id promises never to do.
            raise Refusal(
                f"Image cache {cache['image_cache_id']} ({cache['image_cache_name']}) is Failed ({events}) and cannot be updated; "
                "replacing it would create a cache with a new id, and image_cache_id never creates. Nothing was changed. "
                f"Manage it by name (name: {cache['image_cache_name']}, without image_cache_id) to have it deleted and created "
                "again, or delete it with state: absent.", image_cache=cache)
        changed = [key for key in compare(cache, self.settings) if key in ("images", "image_cache_size")]
        # The settings the cloud does not return are known from the build record (settings.build_tag_changes).
        recorded = parse_build_record((cache.get("tags") or {}).get(BUILD_TAG_KEY)) or {}
        digests = build_digests(self.settings)
        changed += [option for option in UNREAD_BUILD_OUTCOME if recorded.get(option) not in (None, digests[option])]
        if not changed and not self.params["force_update"]:
            named = option_names_in(events)
            to_change = ", ".join(named) if named else "images or image_cache_size"
            unknown = [option for option in UNREAD_BUILD_OUTCOME if recorded.get(option) is None]
            known = [option for option in UNREAD_BUILD_OUTCOME if recorded.get(option) is not None]
            after = "or, after changing only a registry password (never recorded), set force_update: true"
            if known:
                after = f"or {', '.join(known)} (they are those of the failed build, its record {BUILD_TAG_KEY}); {after}"
            if unknown:
                after += (f"; {', '.join(unknown)} cannot be compared (the cloud does not return them and the cache's record "
                          f"{BUILD_TAG_KEY} does not have them): after changing one, set force_update: true too")
            raise Refusal(
                f"{events}. Image cache {cache['image_cache_id']} ({cache['image_cache_name']}) is Failed, and building it again "
                f"with the settings it failed with would fail again (each build is billed). Nothing was changed. Change "
                f"{to_change}, {after}; force_update: true has it deleted and built again.", image_cache=cache)
        # Replacing means creating: check that a create can work before deleting anything.
        self.require_create_settings()
        why = f"{', '.join(changed)} changed" if changed else "force_update"
        self.warnings.append(f"Image cache {cache['image_cache_name']} ({cache['image_cache_id']}) is Failed and cannot be updated; "
                             f"it is deleted and created again ({why}). Its events: {events}")
        if self.check_mode:
            self.planned.append(f"replace failed cache {cache['image_cache_id']}")
            return
        self.service.delete(cache, wait=True)
        self.service.wait_gone(cache["image_cache_id"])

    def require_create_settings(self) -> None:
        problems = validate_settings(self.settings, creating_possible=True)
        if problems:
            raise Refusal(" ".join(problems))

    # ------------------------------------------------------------ sizes and digests

    def measure_sizes(self, cache: dict[str, Any] | None) -> dict[str, Any] | None:
        """Measure the images when they or the size change (image_reads.measure_sizes); each image once a run."""
        measured = image_reads.measure_sizes(self.reads, self.params, cache, self.settings["image_cache_size"], self.size_auto)
        if measured is not None:
            self.image_sizes = measured["image_sizes"]
        return measured

    def settle_size(self, cache: dict[str, Any] | None, measured: dict[str, Any] | None) -> None:
        """settings["image_cache_size"] for auto from the measured images; a size that breaks the rule is refused or
        warned about (size_check). Runs under the turn, with the cache found there."""
        if measured is None:
            return
        outcome = image_reads.settle_size(measured, self.params, cache, self.settings["image_cache_size"], self.size_auto)
        self.size_note = outcome["size_note"]
        self.warnings.extend(outcome["warnings"])
        failure = outcome["failure"]
        if failure and failure["option"] == "image_cache_size":
            raise Refusal(f"image_cache_size auto: {failure['message']}.", image_sizes=self.image_sizes)
        if failure:
            raise Refusal(failure["message"], image_sizes=self.image_sizes, size_note=self.size_note)
        self.settings["image_cache_size"] = outcome["image_cache_size"]

    def read_digests(self, cache: dict[str, Any] | None) -> None:
        """The digests of the images the cache is to hold (the task's, else the cache's); reuses earlier reads."""
        if image_reads.digest_images(self.params, cache):
            self.digests = image_reads.read_digests(self.reads, self.params, cache)

    # ------------------------------------------------------------ create

    def create(self, chain: list[str]) -> None:
        self.require_create_settings()
        # The records go with the create's tags (the ClientToken leaves them out: settings.client_token).
        tags = dict(with_record(self.settings["tags"], self.digests), **build_tag_changes(None, self.settings, "create"))
        settings = self.create_settings = dict(self.settings, tags=tags)
        self.stale = stale_after(None, self.digests, True)
        if self.check_mode:
            self.planned.append("create")
            self.after = predict(None, settings, self.connection.region)
            return
        self.chain = list(chain)
        if self.defer:
            # The set sends its creates one after another and confirms them with one listing per round; the turn is
            # kept until this create is confirmed (confirmed() or confirm_slowly()).
            cache, found = self.service.create(settings, chain, then_wait=False, confirm=False)
            if not found and cache is None and self.service.created_id:
                self.unconfirmed = self.service.created_id
                self.after = dict(predict(None, settings, self.connection.region), image_cache_id=self.unconfirmed)
                return
        else:
            cache, found = self.service.create(settings, chain, then_wait=self.wait)
        self.create_turn.release()  # the next run in line now finds this cache
        if found:
            # The cloud refused this run's token as another request's, and a cache of this name exists now.
            self.before = cache
            self.converge(cache)
            return
        self.confirmed(cache)

    def confirmed(self, cache: dict[str, Any]) -> None:
        """The create's cache is listed under its name: wait for it to be Ready."""
        self.unconfirmed = None
        self.create_turn.release()
        self.after = cache
        self.service.last_seen = cache
        if self.wait:
            self.wait_for(cache["image_cache_id"], (READY,), "be Ready", current=cache)

    def confirm_slowly(self) -> None:
        """defer: a create the set's listings did not show under its name: the service's rules (probe, renamed or
        deleted cache, next token) go on from the id the create answered; the create is not sent again."""
        answered, self.unconfirmed = self.unconfirmed, None
        try:
            cache, found = self.service.create(self.create_settings, self.chain, then_wait=False, answered=answered)
        finally:
            self.create_turn.release()
        if found:
            self.before = cache
            self.converge(cache)
        else:
            self.confirmed(cache)

    # ------------------------------------------------------------ converge an existing cache

    def converge(self, cache: dict[str, Any]) -> None:
        differences = compare(cache, self.settings)
        if differences == ["elimination_strategy"] and not self.settings["elimination_strategy"]:
            # Clearing LRU rebuilds the cache (billed) and some clouds ignore an empty strategy in an update:
            # never send it alone on every run; it goes with the next update of another setting.
            self.warnings.append(
                f"Image cache {cache['image_cache_id']} has elimination_strategy {cache['elimination_strategy']} "
                "and elimination_strategy '' asks to clear it; an update is not sent for that alone, since the cloud may "
                "ignore it and each update rebuilds the cache. It is sent with the next update of another setting; to be "
                "sure, delete the cache and create it again.")
            differences = []
        if "image_cache_name" in differences:
            self.refuse_name_taken(cache)
        self.differences = differences
        refresh = (decide_refresh(cache, self.digests, self.params["refresh"]) if self.digests is not None
                   else dict(stale=None, refresh=False))
        needs_update = (bool(differences) or self.params["force_update"] or cache["status"] == "UpdateFailed"
                        or refresh["refresh"])
        to_set, to_unset = tag_changes(cache["tags"], self.settings["tags"], self.purge_tags)
        # The digest record changes only with a rebuild, after the update was accepted (set_tags follows update).
        record_set, record_unset = record_tag_changes(cache["tags"], self.digests, needs_update)
        record_set = dict(record_set, **build_tag_changes(cache["tags"], self.update_settings(cache),
                                                          "update" if needs_update else None))
        to_set = dict(to_set, **record_set)
        to_unset = sorted(to_unset + record_unset)
        self.stale = stale_after(refresh["stale"], self.digests, needs_update)
        warning = unrecorded_warning(cache, self.digests, self.params["refresh"], needs_update)
        if warning:
            self.warnings.append(warning)
        final_tags = tags_after(cache["tags"], to_set, to_unset)
        if len(final_tags) > MAX_TAGS and BUILD_TAG_KEY in to_set and BUILD_TAG_KEY not in cache["tags"]:
            # A cache with the tags of an older limit (19 user tags): the record is what has no room, not the user's tags.
            del to_set[BUILD_TAG_KEY]
            del record_set[BUILD_TAG_KEY]
            final_tags = tags_after(cache["tags"], to_set, to_unset)
            self.warnings.append(f"Image cache {cache['image_cache_id']} carries {len(cache['tags'])} tags, so the build record "
                                 f"{BUILD_TAG_KEY} (one of the cloud's {MAX_TAGS}) was not written: if a build fails, the network "
                                 "and registries cannot be compared with it. Give at most "
                                 f"{MAX_USER_TAGS} tags to make room for it.")
        if len(final_tags) > MAX_TAGS:
            kept = sorted(key for key in final_tags if is_system_tag(key) or key in COLLECTION_TAG_KEYS)
            kept_note = f"system tags and the collection's records kept: {', '.join(kept)}" if kept else "no system tags"
            purge_hint = "" if self.purge_tags else ", or purge_tags: true to remove the ones not listed"
            raise Refusal(f"tags: image cache {cache['image_cache_id']} would carry {len(final_tags)} tags, more than the {MAX_TAGS} "
                          f"the cloud allows ({kept_note}). Nothing was changed. Give fewer tags{purge_hint}.", image_cache=cache)
        if needs_update and cache["status"] not in UPDATABLE:
            raise Refusal(f"Image cache {cache['image_cache_id']} is {cache['status']}; UpdateImageCache is only allowed in Ready or "
                          "UpdateFailed. Set wait: true to wait for it to settle, or run again later.", image_cache=cache)
        reasons = differences + ([REFRESH_CHANGE] if refresh["refresh"] else [])
        update_change = "update " + ", ".join(reasons or (["force_update"] if self.params["force_update"]
                                                          else ["retry UpdateFailed"]))
        if self.check_mode or not (needs_update or to_set or to_unset):
            if needs_update:
                self.planned.append(update_change)
            untag_names, tag_names = tag_change_names(to_set, to_unset)
            self.planned.extend(untag_names + tag_names)
            self.after = cache
            if self.planned:
                self.after = predict(cache, self.settings, self.connection.region)
                self.after["tags"] = tags_after(self.after["tags"], record_set, record_unset)
            return
        if needs_update:
            self.service.update(cache, self.update_settings(cache), update_change, wait=self.wait)
        self.service.set_tags(cache, to_set, to_unset)
        if needs_update and self.wait:
            readable = [key for key in differences if key != "elimination_strategy"]
            self.after = predict(cache, self.settings, self.connection.region)
            # A rebuild leaves a new snapshot: proof the update was applied even when a lagging listing never showed
            # Updating and nothing readable changed (a refresh for stale digests).
            snapshot = cache.get("snapshot_id")
            self.wait_for(cache["image_cache_id"], (READY,), UPDATE_WAIT,
                          settled_view=lambda c: (bool(readable) and not [k for k in compare(c, self.settings) if k in readable])
                          or bool(snapshot and c.get("snapshot_id") and c.get("snapshot_id") != snapshot))
        elif needs_update:
            self.after = self.service.get(cache["image_cache_id"]) or {}
        else:
            # Only tags changed, and the tag calls succeeded: the cache is what was predicted.
            self.after = predict(cache, self.settings, self.connection.region)
            self.after["tags"] = tags_after(self.after["tags"], record_set, record_unset)

    def update_settings(self, cache: dict[str, Any]) -> dict[str, Any]:
        """The settings of an UpdateImageCache. Without images in the task the update still names the cache's images
        (Image.N): whether the cloud pulls them again for an update without any is undocumented, and a rebuild for
        stale digests needs it."""
        if self.settings["images"] is not None:
            return self.settings
        return dict(self.settings, images=list(cache.get("images") or []) or None)

    def refuse_name_taken(self, cache: dict[str, Any]) -> None:
        """A rename onto a name another cache has would leave two caches of one name: every later run by name fails."""
        others = sorted(c["image_cache_id"] for c in self.service.find_by_name(self.params["name"])
                        if c["image_cache_id"] != cache["image_cache_id"] and c["image_cache_name"] == self.params["name"])
        if others:
            raise Refusal(
                f"Cannot rename image cache {cache['image_cache_id']} to {self.params['name']!r}: image cache {', '.join(others)} "
                "already has that name, and two caches of one name cannot be managed by name. Nothing was changed. Choose "
                f"another name, or delete or rename {', '.join(others)} first.", image_cache=cache, image_cache_ids=others)

    # ------------------------------------------------------------ waits

    def wait_for(self, cache_id: str, targets: tuple[str, ...] | None, what: str, current: dict[str, Any] | None = None,
                 settled_view: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Wait now, or (defer) hand the wait to the set's shared waiter, which calls settled() with its outcome."""
        if self.defer:
            observed = self.service.update_observer(settled_view) if settled_view is not None else None
            self.awaiting = dict(targets=targets, what=what, observed=observed, cache_id=cache_id)
            return
        if targets is None:
            self.service.wait_gone(cache_id)
            self.after = {}
        elif settled_view is not None:
            self.settled(self.service.wait_updated(cache_id, settled_view))
        else:
            self.settled(self.service.wait_ready(cache_id, what, current=current))

    def vanished_during_update(self, outcome: Any) -> bool:
        """Whether a handed-over wait (defer) ended because the cache went away after its update was accepted."""
        return (isinstance(outcome, WaitError) and outcome.code == "ImageCacheNotFound"
                and (self.awaiting or {}).get("what") == UPDATE_WAIT)

    def look_again(self) -> None:
        """defer: the cache went away while the set waited for its update; as without defer (run() on CacheGone), what
        the update reported is dropped and the cache is looked up and decided again (a create, under the turn)."""
        self.service.forget_update(self.awaiting["cache_id"])
        self.awaiting = None
        self.run()

    def settled(self, cache: dict[str, Any] | None) -> None:
        """A wait's outcome: the cache as last read; after an update, a setting the cloud did not apply is a warning."""
        self.awaiting = None
        self.after = cache or {}
        if cache and self.differences:
            ignored = compare(cache, self.settings)
            if ignored:
                shown = ", ".join(f"{key}={cache.get(key)!r}" for key in ignored)
                self.warnings.append(f"The update of image cache {cache['image_cache_id']} was applied without {', '.join(ignored)}: "
                                     f"the cache shows {shown}. The cloud did not apply {', '.join(ignored)}; this run does not "
                                     "send it again.")

    # ------------------------------------------------------------ result

    def refused(self, refusal: Refusal) -> dict[str, Any]:
        """After a Refusal: the cache as the refusal saw it is the result's; returns the fields the result adds."""
        fields = dict(refusal.fields)
        self.after = fields.pop("image_cache", None) or self.service.last_seen or self.before or {}
        self.awaiting = None
        return fields

    def result(self, diff: bool) -> dict[str, Any]:
        after = self.after if self.after is not None else (self.service.last_seen or self.before or {})
        result = dict(changed=bool(self.changes), changes=list(self.changes), image_cache=after or {}, image_sizes=self.image_sizes,
                      # A cache not built (yet, or failed) does not hold what its record says: stale unknown.
                      stale=self.stale if after and is_built(after.get("status")) else None,
                      image_digests=(self.digests or {}).get("digests") or [])
        result["stale_reason"] = stale_reason(after, result["stale"], result["image_digests"])
        if self.size_note:
            result["size_note"] = self.size_note
        if diff:
            result["diff"] = dict(before=diff_view(self.before), after=diff_view(after))
        return result
