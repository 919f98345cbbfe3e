# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The image cache statuses, in one place: their names and what they mean for a wait or an update.

A status in none of the groups (the cloud may show others, e.g. Deleting) counts as transitional:
waited on, within the timeout, never taken for success or failure.
"""

from __future__ import annotations

PREPARING = "Preparing"
CREATING = "Creating"
READY = "Ready"
FAILED = "Failed"
UPDATING = "Updating"
UPDATE_FAILED = "UpdateFailed"

# Every status the API reference documents (eci_image_cache_info's status choices).
DOCUMENTED = (PREPARING, CREATING, READY, FAILED, UPDATING, UPDATE_FAILED)
SETTLED = (READY, FAILED, UPDATE_FAILED)
FAILURES = (FAILED, UPDATE_FAILED)
UPDATABLE = (READY, UPDATE_FAILED)
DOCUMENTED_TRANSITIONAL = (PREPARING, CREATING, UPDATING)


def is_deleting(status: str | None) -> bool:
    """A status some clouds show while a deleted cache is still listed (e.g. Deleting; not in the API reference)."""
    return (status or "").lower().startswith("delet")


def is_transitional(status: str | None) -> bool:
    """True for Preparing, Creating, Updating and any status the API does not document."""
    return status not in SETTLED
