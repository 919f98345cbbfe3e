# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The image cache service: one method per action (create with identity, update, delete, tags).

The module decides what to do; this class does it the way every plausible cloud needs
(see docs/docsite/rst/cloud_behaviour.rst): a create is confirmed by the id it answers,
calls that find the cache gone say so with CacheGone, and every accepted write is recorded
in `done`, so a failure after it can report the change truthfully.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any, Callable, Iterable, Iterator, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY, RECORD_CHANGE, UNRECORD_CHANGE
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import BUILD_RECORD_CHANGE, BUILD_TAG_KEY, client_token, request_fields
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import READY, SETTLED, is_transitional
from ansible_collections.alibabacloud.eci.plugins.module_utils.waiters import (
    Waiter,
    WaitError,
    wait_for_cache,
    wait_gone,
)

# A new cache may be missing from DescribeImageCaches for a while after CreateImageCache answered
# (the API reference gives no bound; "seconds to a minute" is the range the collection survives).
# A cache the create answered that stays unlisted for longer than this is taken to be gone (deleted
# since the token first made it): that is the only evidence the API offers for a deleted cache.
LISTING_LAG_MAX = 90
# A cache the create answered that is still unlisted after this many seconds is asked about directly:
# UntagResources of a key no cache carries changes nothing, and a cloud that answers NotFound for it
# says the cache does not exist (clouds that answer 200 for unknown ids give no evidence this way).
PROBE_AFTER = 5
# The last poll of a wait happens at its deadline; the HTTP call it makes may take this long after it.
LAST_POLL_SECONDS = 5
# How many times a create may step to the next token (each step needs evidence) before giving up.
MAX_TOKEN_CHAIN = 10
# What a wait after an update waits for (the set tells a handed-over update wait apart by it).
UPDATE_WAIT = "be Ready after the update"
# After an update whose effect cannot be read back (force_update, retention_days, ...), how long to
# look for the cache to leave Ready before taking a Ready cache as updated.
UPDATE_OBSERVE_MAX = 60
# Error codes (lower case, as substrings) by which clouds refuse a ClientToken reused with other
# parameters: IdempotentParameterMismatch is what Alibaba documents for ECS and VPC; ECI's is unknown,
# so any other client error that is not plainly about the request's values gets one fresh lookup
# and one next token too (see create()).
MISMATCH_HINTS = ("idempoten", "clienttoken", "mismatch", "notmatch")
# Client errors that are about the request's values or the caller's rights, never about the token.
NOT_TOKEN_ERRORS = ("invalid", "missing", "forbidden", "signature", "quota", "nopermission", "throttling")
# How a cloud refuses to delete or update a cache in the wrong state (ECI's pattern: 400 IncorrectStatus).
BUSY_HINTS = ("incorrectstatus", "incorrect.status", "invalidstatus", "status.invalid")


SLEEP = time.sleep
CLOCK = time.monotonic


def is_not_found(error: AlibabaCloudError) -> bool:
    return "notfound" in (error.code or "").lower()


def is_mismatch(error: AlibabaCloudError) -> bool:
    code = (error.code or "").lower()
    return any(hint in code for hint in MISMATCH_HINTS)


def may_be_mismatch(error: AlibabaCloudError) -> bool:
    """A client error that could be a token refusal under a code this collection does not know."""
    code = (error.code or "").lower()
    return (error.status_code is not None and 400 <= error.status_code < 500
            and not any(code.startswith(prefix) for prefix in NOT_TOKEN_ERRORS))


def is_busy(error: AlibabaCloudError) -> bool:
    code = (error.code or "").lower()
    return any(hint in code for hint in BUSY_HINTS)


def tag_change_names(to_set: Iterable[str], to_unset: Iterable[str]) -> tuple[list[str], list[str]]:
    """How `changes` names tag calls: (untags, tags); the collection's records are named apart from user tags."""
    return ([UNRECORD_CHANGE if key == DIGESTS_TAG_KEY else f"untag {key}" for key in to_unset],
            [RECORD_CHANGE if key == DIGESTS_TAG_KEY else BUILD_RECORD_CHANGE if key == BUILD_TAG_KEY else f"tag {key}"
             for key in sorted(to_set)])


class CacheGone(Exception):
    """An update or tag call found the cache gone after the lookup: the module looks again and decides again."""

    def __init__(self, cache_id: str, action: str) -> None:
        super().__init__(f"{action}: image cache {cache_id} is gone")
        self.cache_id = cache_id
        self.action = action


class CacheBusy(CacheGone):
    """The cloud refused a change because the cache is busy (e.g. a previous update it has not shown yet);
    the service waited for that to pass: the module looks again and decides again."""


class ImageCacheService:
    """The actions on image caches of one module run, against one connection."""

    def __init__(self, connection: Connection, wait_timeout: Any, sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] | None = None, api: Any = eci) -> None:
        """wait_timeout: seconds for each wait, or the task's deadline (an object with remaining()): then every wait,
        the create's confirmation included, takes what is left of it (one deadline for the whole task)."""
        self.connection = connection
        self.wait_timeout = wait_timeout
        # Looked up at run time, so unit tests can give every service of a module run a fake clock.
        self._sleep = sleep or SLEEP
        self._clock = clock or CLOCK
        self.api = api
        # Update, delete and untag tokens make one request's retries safe; they must differ between
        # runs, or a later run's identical request would be answered with an earlier one's result.
        self.run_token = "ansible-eci-run-" + uuid.uuid4().hex
        self.done: list[str] = []  # writes the cloud accepted, in order (what `changes` reports)
        self.update_mark = 0
        self.forgotten: tuple[str, list[str]] | None = None
        self.last_seen: dict[str, Any] | None = None  # the cache as last read or predicted after a write
        self.created_id: str | None = None  # the id a create(confirm=False) answered

    @property
    def wait_timeout(self) -> float:
        if self._deadline is not None:
            return self._deadline.remaining()
        return self._wait_timeout

    @wait_timeout.setter
    def wait_timeout(self, value: Any) -> None:
        if hasattr(value, "remaining"):
            self._deadline, self._wait_timeout = value, None
        else:
            self._deadline, self._wait_timeout = None, value

    # ------------------------------------------------------------ reads

    def get(self, cache_id: str) -> dict[str, Any] | None:
        cache = self.api.get_image_cache(self.connection, cache_id)
        if cache is not None:
            self.last_seen = cache
        return cache

    def find_by_name(self, name: str) -> list[dict[str, Any]]:
        return self.api.find_image_caches_by_name(self.connection, name)

    # ------------------------------------------------------------ bookkeeping

    def _token(self, action: str) -> str:
        return f"{self.run_token}-{action}"

    def _write(self, changes: str | Iterable[str], call: Callable[[], Any]) -> Any:
        """Run one write; record its changes when accepted, and when its outcome is unknown say so."""
        changes = [changes] if isinstance(changes, str) else list(changes)
        try:
            result = call()
        except AlibabaCloudError as error:
            if error.outcome_unknown:
                self.done.extend(f"{change} (outcome unknown)" for change in changes)
            raise
        self.done.extend(changes)
        return result

    # ------------------------------------------------------------ create with identity

    def create(self, settings: Mapping[str, Any], chain: Iterable[str] = (), then_wait: bool = False, confirm: bool = True,
               answered: str | None = None) -> tuple[dict[str, Any] | None, bool]:
        """CreateImageCache with the token of the canonical request; returns the cache it made, as listed.

        The id the create answers is looked up for up to LISTING_LAG_MAX seconds (bounded by wait_timeout);
        a lagging listing never leads to a second create. A new token is used only on evidence:
        - the answered cache is listed under another name: the token was answered with another cache
          (e.g. one renamed since it was created with this token);
        - the answered cache is unlisted and the cloud answers a harmless call on its id (UntagResources of
          a key no cache has) with NotFound, after PROBE_AFTER seconds, or it stayed unlisted for
          LISTING_LAG_MAX seconds: it was deleted since this token made it (the cloud replays a deleted
          cache's id for a known token);
        - the cloud refused the token as used with other parameters (e.g. only a rotated registry password,
          which the token leaves out) and a fresh lookup by name finds no cache.
        Returns (cache, found): found is true when the fresh lookup found a cache of this name instead.
        then_wait: the caller waits for Ready next, so the confirming read comes one poll interval after
        the create (a cache is never Ready at once) and serves as the wait's first poll.
        confirm=False: once the cloud answered an id, return (None, False) with the id in `created_id`; the caller
        confirms it (eci_image_caches: one listing for all its creates), and when the listing does not show it under
        its name, calls create() again with answered=that id: the rules above then go on from that answer, without
        sending the create again.
        """
        name = settings["name"]
        fields = request_fields(settings, "create")
        chain = list(chain)
        unknown_code_tried = False
        for _hop in range(MAX_TOKEN_CHAIN):
            token = client_token(self.connection.region, fields, chain)
            try:
                if answered is not None:
                    cache_id, answered = answered, None  # sent (and recorded in `done`) by a create(confirm=False)
                else:
                    cache_id = self._write("create", lambda: self.api.create_image_cache(self.connection, fields, token))
            except AlibabaCloudError as error:
                # A refusal in an unknown spelling gets one next token; if that is refused too, it is final.
                if not is_mismatch(error) and (unknown_code_tried or not may_be_mismatch(error)):
                    raise
                unknown_code_tried = unknown_code_tried or not is_mismatch(error)
                found = [c for c in self.find_by_name(name) if c["image_cache_name"] == name]
                if found:
                    self.last_seen = found[0]
                    return found[0], True
                chain.append("mismatch")
                continue
            if cache_id and not confirm:
                self.created_id = cache_id
                return None, False
            budget = min(float(self.wait_timeout), LISTING_LAG_MAX)
            if not cache_id:
                cache = self._await_listed(lambda: self._one_named(name), budget, then_wait)
                if cache is not None:
                    return cache, False
                raise AlibabaCloudError(
                    "CreateImageCache", "UnexpectedResponse",
                    f"the cloud accepted the create but named no image cache id, and no cache named {name!r} was listed "
                    f"within {int(budget)} seconds; it may still appear. Running the task again is safe: it looks for the cache "
                    "by name first", outcome_unknown=True)
            cache = self._await_listed(lambda: self.get(cache_id), min(budget, PROBE_AFTER), then_wait)
            if cache is None and budget >= PROBE_AFTER:
                if self._says_not_found(cache_id):
                    chain.append(cache_id)  # the cloud says the token's cache does not exist
                    self.done.pop()
                    continue
                if budget > PROBE_AFTER:
                    cache = self._await_listed(lambda: self.get(cache_id), budget - PROBE_AFTER, True)
            if cache is None:
                if budget < LISTING_LAG_MAX:
                    raise AlibabaCloudError(
                        "CreateImageCache", "ImageCacheNotListed",
                        f"the cloud answered with image cache {cache_id}, but it was not listed within wait_timeout ({int(budget)} s); "
                        f"the listing may lag. Running the task again is safe; a larger wait_timeout (at least {LISTING_LAG_MAX}) "
                        "lets the module tell a slow listing from a deleted cache",
                        outcome_unknown=True)
                chain.append(cache_id)  # unlisted for longer than any listing lag: deleted since
                self.done.pop()
                continue
            if cache["image_cache_name"] != name:
                chain.append(cache_id)  # the token's cache is another cache now
                self.done.pop()
                continue
            return cache, False
        raise AlibabaCloudError("CreateImageCache", "ClientTokenChainTooLong",
                                f"the cloud answered {MAX_TOKEN_CHAIN} client tokens with caches that are gone or are other caches "
                                f"({', '.join(chain)}); giving up to avoid a loop")

    def _says_not_found(self, cache_id: str) -> bool:
        """Whether the cloud answers UntagResources of a key no cache has (this run's own) with NotFound."""
        try:
            self.api.untag_image_cache(self.connection, cache_id, [f"{self.run_token}-probe"], self._token("probe"))
        except AlibabaCloudError as error:
            if is_not_found(error):
                return True
            if error.outcome_unknown or error.status_code is None or error.status_code >= 500:
                raise
        return False

    def _one_named(self, name: str) -> dict[str, Any] | None:
        caches = [c for c in self.find_by_name(name) if c["image_cache_name"] == name]
        return caches[0] if len(caches) == 1 else None

    def _await_listed(self, read: Callable[[], dict[str, Any] | None], budget: float, sleep_first: bool) -> dict[str, Any] | None:
        """read() until it gives a cache, for `budget` seconds."""
        found, cache = Waiter(budget, first_delay=1.0 if sleep_first else 0.5, factor=1.5, max_delay=10.0,
                              sleep=self._sleep, clock=self._clock).until(read, lambda c: c is not None,
                                                                          sleep_first=sleep_first)
        return cache if found else None

    # ------------------------------------------------------------ update, delete, tags

    def update(self, cache: Mapping[str, Any], settings: Mapping[str, Any], change: str | Iterable[str] = "update",
               wait: bool = False) -> None:
        """UpdateImageCache with the canonical update request.

        CacheGone when the cache went away. A refusal because the cache is busy (a cloud that shows an
        update only seconds after it accepted it may refuse the next one while still showing Ready) is
        waited out with `wait` (CacheBusy: look again), else explained.
        """
        fields = request_fields(settings, "update")
        cache_id = cache["image_cache_id"]
        self.update_mark = len(self.done)  # what this update and the tag calls after it add to `done`
        try:
            self._write(change, lambda: self.api.update_image_cache(
                self.connection, cache_id, fields, self._token("update")))
        except AlibabaCloudError as error:
            if is_not_found(error):
                raise CacheGone(cache_id, "UpdateImageCache")
            if is_busy(error) and wait:
                self._wait_out_busy(cache_id)
                raise CacheBusy(cache_id, "UpdateImageCache")
            if is_busy(error):
                error.message += (f". The cloud still works on an earlier change of image cache {cache_id}; set wait: true to "
                                  "wait for it, or run again later")
            raise

    def _wait_out_busy(self, cache_id: str) -> None:
        """Poll until the cache has been seen busy and settled again, or UPDATE_OBSERVE_MAX passed (within wait_timeout)."""
        started = self._clock()
        seen = dict(busy=False)

        def done(cache: dict[str, Any] | None) -> bool:
            if cache is None:
                return True
            if is_transitional(cache["status"]):
                seen["busy"] = True
                return False
            return seen["busy"] or self._clock() - started >= UPDATE_OBSERVE_MAX

        Waiter(self.wait_timeout, sleep=self._sleep, clock=self._clock).until(
            lambda: self.get(cache_id), done, sleep_first=True)

    def delete(self, cache: Mapping[str, Any], wait: bool) -> bool:
        """DeleteImageCache. Returns True when this run's delete took effect, False when the cache was already gone.

        A cloud that refuses to delete a busy cache (400 IncorrectStatus) is waited on until the cache
        settles when `wait` is true (within wait_timeout); otherwise the error says so.
        """
        cache_id = cache["image_cache_id"]
        deadline = self._clock() + self.wait_timeout
        while True:
            try:
                self.api.delete_image_cache(self.connection, cache_id, self._token("delete"))
            except AlibabaCloudError as error:
                if is_not_found(error):
                    # Gone: absent is reached. It was this run's doing only if an earlier attempt of this
                    # very request may have been applied before its answer was lost.
                    if error.earlier_outcome_unknown:
                        self.done.append("delete")
                    return error.earlier_outcome_unknown
                if is_busy(error) and wait and self._clock() < deadline:
                    settled = self.wait_settled(cache_id, max(0.0, deadline - self._clock()))
                    if settled is None:
                        return False
                    continue
                if is_busy(error):
                    error.message += (f". Image cache {cache_id} is {(self.last_seen or cache).get('status')} and the cloud "
                                      "deletes it only once it has settled; set wait: true to wait for that, or run again later")
                if error.outcome_unknown:
                    self.done.append("delete (outcome unknown)")
                raise
            self.done.append("delete")
            return True

    def set_tags(self, cache: Mapping[str, Any], to_set: dict[str, str], to_unset: list[str]) -> None:
        """UntagResources, then TagResources (removing first keeps the cache within 20 tags).

        The collection's digest record (image_digests) may be among them; `done` names it apart from the user's tags.
        """
        cache_id = cache["image_cache_id"]
        untag_names, tag_names = tag_change_names(to_set, to_unset)
        try:
            if to_unset:
                self._write(untag_names, lambda: self.api.untag_image_cache(
                    self.connection, cache_id, to_unset, self._token("untag")))
            if to_set:
                self._write(tag_names, lambda: self.api.tag_image_cache(self.connection, cache_id, to_set))
        except AlibabaCloudError as error:
            if is_not_found(error):
                raise CacheGone(cache_id, error.action)
            raise

    # ------------------------------------------------------------ waits

    @contextlib.contextmanager
    def _calls_within(self, seconds: float) -> Iterator[None]:
        """No HTTP call of the block runs past `seconds` from now (plus the last poll's call), whatever the server does."""
        bounded = getattr(self.connection, "bounded", None)
        if bounded is None:
            yield
            return
        with bounded(time.monotonic() + seconds + LAST_POLL_SECONDS):
            yield

    def wait_ready(self, cache_id: str, what: str, current: dict[str, Any] | None = None, just_changed: bool = False,
                   observed: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        with self._calls_within(self.wait_timeout):
            return wait_for_cache(self.get, cache_id, (READY,), what, self.wait_timeout, current=current,
                                  just_changed=just_changed, observed=observed, sleep=self._sleep, clock=self._clock)

    # For waits that run outside this service (eci_image_caches waits for a whole set with one listing per round).
    calls_within = _calls_within

    @property
    def sleep(self) -> Callable[[float], None]:
        return self._sleep

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock

    def update_observer(self, settled_view: Callable[[dict[str, Any]], bool]) -> Callable[[dict[str, Any]], bool]:
        """observed(cache) for a wait after an update: see wait_updated."""
        started = self._clock()
        seen = dict(transition=False)

        def observed(cache: dict[str, Any]) -> bool:
            if is_transitional(cache["status"]):
                seen["transition"] = True
            return seen["transition"] or settled_view(cache) or self._clock() - started >= UPDATE_OBSERVE_MAX
        return observed

    def forget_update(self, cache_id: str) -> None:
        """The cache of an accepted update looked gone while waited for. A cloud that answers an update (and the tag
        calls after it) of a missing id with success (missing_id: ignore) did nothing, so `done` no longer reports
        them; the caller looks again and decides again. If the lookup finds the same cache after all (a listing that
        missed it), found_again() reports them again: the update was real, and billed."""
        self.forgotten = (cache_id, self.done[self.update_mark:])
        del self.done[self.update_mark:]

    def found_again(self, cache: Mapping[str, Any] | None) -> None:
        """After forget_update: the cache the lookup found is the updated one, so its update and tag calls count."""
        if self.forgotten and cache is not None and cache.get("image_cache_id") == self.forgotten[0]:
            self.done.extend(self.forgotten[1])
        self.forgotten = None

    def wait_updated(self, cache_id: str, settled_view: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Wait for Ready after an update, never taking the cache as it was before the update for the result.

        The update is observed when the cache leaves Ready (Updating, or any status the API does not
        document), or shows every readable setting changed (settled_view(cache) is true), or, for
        updates that change nothing readable, after UPDATE_OBSERVE_MAX seconds without either.
        """
        observed = self.update_observer(settled_view)
        try:
            with self._calls_within(self.wait_timeout):
                return wait_for_cache(self.get, cache_id, (READY,), UPDATE_WAIT, self.wait_timeout,
                                      just_changed=True, observed=observed, sleep=self._sleep, clock=self._clock)
        except WaitError as error:
            if error.code == "ImageCacheNotFound":
                self.forget_update(cache_id)
                raise CacheGone(cache_id, "UpdateImageCache")
            raise

    def wait_settled(self, cache_id: str, timeout: float | None = None, current: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Wait for the cache to leave its transitional status; None when it disappears meanwhile."""
        timeout = self.wait_timeout if timeout is None else timeout
        try:
            with self._calls_within(timeout):
                return wait_for_cache(self.get, cache_id, SETTLED, "settle", timeout, current=current, sleep=self._sleep,
                                      clock=self._clock)
        except WaitError as error:
            if error.code == "ImageCacheNotFound":
                return None
            raise

    def wait_gone(self, cache_id: str) -> None:
        with self._calls_within(self.wait_timeout):
            wait_gone(self.get, cache_id, self.wait_timeout, sleep=self._sleep, clock=self._clock)
        self.last_seen = None
