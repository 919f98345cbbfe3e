# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.statuses import is_transitional
from ansible_collections.alibabacloud.eci.plugins.module_utils.waiters import (
    Waiter,
    WaitError,
    wait_for_cache,
)

# ---------------------------------------------------------------- waiter


def counted(poll):
    """poll, counting its calls in .calls (the waiter keeps no count of its own)."""
    def wrapper():
        wrapper.calls += 1
        return poll()
    wrapper.calls = 0
    return wrapper


def test_pauses_grow_to_a_cap_and_end_at_the_deadline(fake_time):
    Waiter(60, first_delay=1, factor=2, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock).until(
        lambda: "Creating", lambda s: False)
    assert fake_time.sleeps[:5] == [1, 2, 4, 8, 8]
    assert sum(fake_time.sleeps) == 60 and max(fake_time.sleeps) == 8


def test_until_stops_when_done(fake_time):
    states = iter(["Creating", "Creating", "Ready"])
    waiter = Waiter(100, first_delay=1, factor=2, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock)
    poll = counted(lambda: next(states))
    reached, last = waiter.until(poll, lambda s: s == "Ready")
    assert reached and last == "Ready"
    assert fake_time.sleeps == [1, 2] and poll.calls == 3


def test_until_never_sleeps_past_the_deadline_and_polls_at_it(fake_time):
    waiter = Waiter(10, first_delay=1, factor=2, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock)
    poll = counted(lambda: "Creating")
    reached, last = waiter.until(poll, lambda s: s == "Ready")
    assert not reached and last == "Creating"
    assert fake_time.sleeps == [1, 2, 4, 3]         # the last pause is cut to end at the deadline
    assert sum(fake_time.sleeps) == 10 and poll.calls == 5


def test_wait_timeout_is_seconds_not_attempts(fake_time):
    waiter = Waiter(3600, first_delay=1, factor=1.5, max_delay=15, sleep=fake_time.sleep, clock=fake_time.clock)
    waiter.until(lambda: "Creating", lambda s: False)
    assert sum(fake_time.sleeps) == 3600


def test_a_result_in_hand_is_not_read_again_at_once(fake_time):
    states = iter(["Ready"])
    waiter = Waiter(100, first_delay=1, factor=2, max_delay=8, sleep=fake_time.sleep, clock=fake_time.clock)
    poll = counted(lambda: next(states))
    reached, last = waiter.until(poll, lambda s: s == "Ready", last="Creating")
    assert reached and last == "Ready" and fake_time.sleeps == [1] and poll.calls == 1
    waiter = Waiter(100, sleep=fake_time.sleep, clock=fake_time.clock)
    poll = counted(lambda: "never")
    assert waiter.until(poll, lambda s: s == "Ready", last="Ready") == (True, "Ready") and poll.calls == 0


def test_sleep_first_after_a_change(fake_time):
    waiter = Waiter(100, first_delay=2, sleep=fake_time.sleep, clock=fake_time.clock)
    poll = counted(lambda: "Ready")
    assert waiter.until(poll, lambda s: s == "Ready", sleep_first=True) == (True, "Ready")
    assert fake_time.sleeps == [2] and poll.calls == 1


def test_zero_timeout_polls_once(fake_time):
    waiter = Waiter(0, sleep=fake_time.sleep, clock=fake_time.clock)
    assert waiter.until(lambda: "Creating", lambda s: False) == (False, "Creating")
    assert fake_time.sleeps == []


def test_sleep_first_polls_once_even_past_the_deadline(fake_time):
    # A create's confirming read: one poll after the pause, even with no grace time left.
    polls = []
    waiter = Waiter(0, sleep=fake_time.sleep, clock=fake_time.clock)
    reached, result = waiter.until(lambda: polls.append(1) or "Creating", lambda status: status == "Ready", sleep_first=True)
    assert (reached, result, len(polls), fake_time.sleeps) == (False, "Creating", 1, [0.0])


# ---------------------------------------------------------------- the status table and wait_for_cache

@pytest.mark.parametrize("status, transitional", [
    ("Preparing", True), ("Creating", True), ("Updating", True), ("Deleting", True), ("SomethingNew", True),
    ("Ready", False), ("Failed", False), ("UpdateFailed", False),
])
def test_unknown_statuses_are_transitional(status, transitional):
    assert is_transitional(status) is transitional


def reads(*statuses):
    """A getter that answers each status in turn (None: the cache is gone)."""
    seq = iter(statuses)

    def get(cache_id):
        status = next(seq)
        return None if status is None else dict(image_cache_id=cache_id, status=status)
    return get


def test_an_unknown_status_is_waited_through_within_the_timeout(fake_time):
    cache = wait_for_cache(reads("Deleting", "Mystery", "Ready"), "imc-1", ("Ready",), "be Ready", 100,
                           sleep=fake_time.sleep, clock=fake_time.clock)
    assert cache["status"] == "Ready"
    with pytest.raises(WaitError) as caught:
        wait_for_cache(lambda cache_id: dict(image_cache_id=cache_id, status="Mystery"), "imc-1", ("Ready",), "be Ready",
                       30, sleep=fake_time.sleep, clock=fake_time.clock)
    assert caught.value.code == "WaitTimeout" and "Mystery" in str(caught.value)


def test_a_state_from_before_the_change_counts_only_once_the_change_is_observed(fake_time):
    # update_lag: the cache still shows UpdateFailed from before the update, then Updating, then Ready.
    seen = []

    def observed(cache):
        seen.append(cache["status"])
        return "Updating" in seen

    cache = wait_for_cache(reads("UpdateFailed", "UpdateFailed", "Updating", "Ready"), "imc-1", ("Ready",), "be Ready",
                           100, just_changed=True, observed=observed, sleep=fake_time.sleep, clock=fake_time.clock)
    assert cache["status"] == "Ready"


def test_failure_and_disappearance_end_the_wait(fake_time):
    with pytest.raises(WaitError) as caught:
        wait_for_cache(reads("Creating", "Failed"), "imc-1", ("Ready",), "be Ready", 100, sleep=fake_time.sleep,
                       clock=fake_time.clock)
    assert caught.value.code == "ImageCacheFailed" and caught.value.image_cache["status"] == "Failed"
    with pytest.raises(WaitError) as caught:
        wait_for_cache(reads("Creating", None), "imc-1", ("Ready",), "be Ready", 100, sleep=fake_time.sleep,
                       clock=fake_time.clock)
    assert caught.value.code == "ImageCacheNotFound"
