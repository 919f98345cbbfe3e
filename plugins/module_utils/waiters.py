# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one home for waits on image caches: the polling loop (the status names are in statuses.py).

Every wait of the collection goes through wait_for_cache(), which reads the cache with a
getter it is given, so unit tests drive it with a fake clock and a fake cloud.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Collection, Iterable

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import FAILURES


class WaitError(AlibabaCloudError):
    """Waiting ended badly: a timeout, the cache failed or disappeared. Carries the last state seen."""

    def __init__(self, action: str, code: str, message: str, image_cache: dict[str, Any] | None = None) -> None:
        super().__init__(action, code, message)
        self.image_cache = image_cache or {}

    def to_result(self) -> dict[str, Any]:
        result = super().to_result()
        result["image_cache"] = self.image_cache
        return result


class Waiter:
    """Polls until a condition holds or `timeout` seconds of wall time pass.

    The first pause is short and each next one grows by `factor` up to `max_delay`;
    no pause ends after the deadline: the last poll happens at the deadline.
    """

    def __init__(self, timeout: float, first_delay: float = 1.0, factor: float = 1.5, max_delay: float = 15.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = float(timeout)
        self.first_delay = first_delay
        self.factor = factor
        self.max_delay = max_delay
        self._sleep = sleep
        self._clock = clock
        self.deadline = None

    def until(self, poll: Callable[[], Any], done: Callable[[Any], bool], last: Any = None, sleep_first: bool = False) -> tuple[bool, Any]:
        """Call poll() until done(result) is true; returns (True, result) or (False, last result) at the deadline.

        last: a result already in hand (checked first, so no poll repeats a read just made);
        sleep_first: pause before the first poll (after a change the cloud has only just accepted).
        """
        self.deadline = self._clock() + self.timeout
        delay = self.first_delay
        result = last
        if last is not None and done(last):
            return True, last
        waited_for = last is not None or sleep_first
        polled = last is not None
        while True:
            if waited_for:
                remaining = self.deadline - self._clock()
                if remaining <= 0 and polled:
                    return False, result
                # At least one poll, even when the deadline has passed during a sleep_first.
                self._sleep(max(0.0, min(delay, remaining)))
                delay = min(delay * self.factor, self.max_delay)
            result = poll()
            polled = waited_for = True
            if done(result):
                return True, result


def describe_events(cache: dict[str, Any] | None) -> str:
    """The cache's events as one readable line each (Reason: Message)."""
    lines = []
    for event in (cache or {}).get("events") or []:
        lines.append(f"{event.get('reason') or event.get('type') or 'Event'}: {event.get('message') or ''}")
    return "; ".join(lines) or "no events"


def wait_for_cache(get: Callable[[str], dict[str, Any] | None], cache_id: str, targets: Collection[str], what: str, timeout: float,
                   current: dict[str, Any] | None = None, just_changed: bool = False,
                   observed: Callable[[dict[str, Any]], bool] | None = None,
                   sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Poll get(cache_id) until the cache is in one of `targets`.

    Fails (WaitError, with the last cache seen) when the cache ends in a failure status that is not a
    target, disappears, or the timeout passes. current: the cache as just read (not read again at
    once); just_changed: the cloud only just accepted a change, so the first look waits one interval;
    observed(cache): false while the cache may still show its state from before that change (a cloud
    may apply an update seconds after it answered), so neither a target nor a failure counts yet.
    Statuses the API does not document are waited through, like Updating.
    """
    def done(cache: dict[str, Any] | None) -> bool:
        if cache is None:
            return True
        if observed is not None and not observed(cache):
            return False
        return cache["status"] in targets or cache["status"] in FAILURES

    reached, cache = Waiter(timeout, sleep=sleep, clock=clock).until(
        lambda: get(cache_id), done, last=current, sleep_first=just_changed)
    if cache is None:
        raise WaitError("WaitForImageCache", "ImageCacheNotFound",
                        f"image cache {cache_id} disappeared while waiting for it to {what}.")
    if reached and cache["status"] in FAILURES and cache["status"] not in targets:
        raise WaitError("WaitForImageCache", f"ImageCache{cache['status']}",
                        f"image cache {cache_id} ended {cache['status']} while waiting for it to {what}: {describe_events(cache)}", cache)
    if not reached:
        raise WaitError("WaitForImageCache", "WaitTimeout",
                        f"gave up after {int(timeout)} seconds waiting for image cache {cache_id} to {what}; last status "
                        f"{cache['status']}, progress {cache.get('progress')}; events: {describe_events(cache)}", cache)
    return cache


def wait_gone(get: Callable[[str], dict[str, Any] | None], cache_id: str, timeout: float, current: dict[str, Any] | None = None,
              sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
    """Poll until the cache is no longer listed; WaitError with the last cache seen on timeout."""
    reached, cache = Waiter(timeout, sleep=sleep, clock=clock).until(
        lambda: get(cache_id), lambda c: c is None, sleep_first=True, last=None)
    if not reached:
        raise WaitError("WaitForImageCache", "WaitTimeout",
                        f"gave up after {int(timeout)} seconds waiting for image cache {cache_id} to be deleted; last status "
                        f"{(cache or current or {}).get('status')}", cache)


def wait_for_many(list_caches: Callable[[], Iterable[dict[str, Any]]], wanted: dict[str, dict[str, Any]], timeout: float,
                  sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> dict[str, dict[str, Any] | WaitError | None]:
    """Wait for several caches together: one list_caches() (every cache of the region) per poll round.

    wanted: {cache_id: dict(targets=(...), what=str, observed=callable or None)}; targets None waits for
    the cache to be gone. A cache reaches its end like in wait_for_cache (a target, a failure status that is
    not a target, gone) and is not looked at again. Returns {cache_id: cache (None when gone as wanted) or
    WaitError}; one cache's failure or timeout never ends the others' waits.
    """
    pending = dict(wanted)
    outcome = {}
    last = {}

    def settle(snapshot: dict[str, dict[str, Any]]) -> bool:
        for cache_id, want in list(pending.items()):
            cache = snapshot.get(cache_id)
            last[cache_id] = cache if cache is not None else last.get(cache_id)
            if want.get("targets") is None:
                if cache is None:
                    outcome[cache_id] = None
                    del pending[cache_id]
                continue
            if cache is None:
                outcome[cache_id] = WaitError("WaitForImageCache", "ImageCacheNotFound",
                                              f"image cache {cache_id} disappeared while waiting for it to {want['what']}.")
            elif want.get("observed") is not None and not want["observed"](cache):
                continue
            elif cache["status"] in want["targets"]:
                outcome[cache_id] = cache
            elif cache["status"] in FAILURES:
                outcome[cache_id] = WaitError("WaitForImageCache", f"ImageCache{cache['status']}",
                                              f"image cache {cache_id} ended {cache['status']} while waiting for it to "
                                              f"{want['what']}: {describe_events(cache)}", cache)
            else:
                continue
            del pending[cache_id]
        return not pending

    stopped = None
    if pending:
        try:
            Waiter(timeout, sleep=sleep, clock=clock).until(
                lambda: dict((c["image_cache_id"], c) for c in list_caches()), settle, sleep_first=True)
        except Exception as error:  # pylint: disable=broad-except
            # A listing failed (after the client's retries): the caches settled so far keep their outcome,
            # the others end with this error, never lost with the whole wait.
            stopped = error
    for cache_id, want in pending.items():
        cache = last.get(cache_id) or {}
        if stopped is not None:
            outcome[cache_id] = WaitError(
                "WaitForImageCache", getattr(stopped, "code", None) or type(stopped).__name__,
                f"the wait for image cache {cache_id} to {want['what']} stopped, the listing failed: {stopped}; last status "
                f"{cache.get('status')}", cache)
            continue
        if want.get("targets") is None:
            message = f"gave up after {int(timeout)} seconds waiting for image cache {cache_id} to be deleted; last status {cache.get('status')}"
        else:
            message = (f"gave up after {int(timeout)} seconds waiting for image cache {cache_id} to {want['what']}; last status "
                       f"{cache.get('status')}, progress {cache.get('progress')}; events: {describe_events(cache)}")
        outcome[cache_id] = WaitError("WaitForImageCache", "WaitTimeout", message, cache)
    return outcome
