# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory ECI image cache API on a fake clock, with the twin's behaviour switches.

It stands in for the functions of plugins/module_utils/eci.py (one per API action), so the
module's and the service's mechanics are tested against every plausible cloud in milliseconds.
The switches have the twin's names and meanings (tests/emulator, issue 12); defaults are the
friendliest cloud.
"""

from __future__ import annotations

import json

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError

DEFAULTS = dict(visibility_lag=0, update_lag=0, delete_lag=0, ready_after=2, busy_delete="allow", missing_id="not_found",
                token_mismatch_code="IdempotentParameterMismatch", token_after_delete="replay", echo_images="verbatim",
                clear_elimination="applied", extra_statuses=(), system_tags=None, ids_missing_from_answers=0,
                fail_builds=0, shows_updating=True)


class FakeClock:
    """Moves only when something sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def docker_normalized(image):
    """Docker's canonical form, written independently of the plugin's (nginx:1 -> docker.io/library/nginx:1)."""
    parts = image.split("/")
    if len(parts) == 1 or not ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = ["docker.io"] + (["library"] if len(parts) == 1 else []) + parts
    text = "/".join(parts)
    if ":" not in parts[-1] and "@" not in parts[-1]:
        text += ":latest"
    return text


class FakeCloud:
    def __init__(self, clock, **switches):
        unknown = set(switches) - set(DEFAULTS)
        assert not unknown, unknown
        self.clock = clock
        self.switches = dict(DEFAULTS, **switches)
        self.records = {}
        self.tokens = {}
        self.calls = []
        self.hooks = {}   # action -> function called before the action acts (e.g. someone else deletes the cache)

    # ------------------------------------------------------------ state

    def now(self):
        return self.clock.now

    def add(self, cache_id, **fields):
        """A cache that exists already (visible, Ready unless told otherwise)."""
        record = dict(image_cache_id=cache_id, image_cache_name="web", images=["registry.example.com/app:1"],
                      image_cache_size=20, elimination_strategy="", resource_group_id="rg-default", tags={},
                      status=None, events=[], created=self.now() - 3600, ready_at=self.now() - 3000,
                      visible_at=self.now() - 3600, deleted_at=None, gone_at=None, updates=[], failed=False,
                      retention_days=None, snapshot_id="s-%s-0" % cache_id)
        record.update(fields)
        self.records[cache_id] = record
        return record

    def _apply_updates(self, record):
        for update in record["updates"]:
            if not update.get("applied") and self.now() >= update["at"] + self.switches["update_lag"]:
                record.update(update["changes"])
                update["applied"] = True

    def _status(self, record):
        if record["status"]:
            return record["status"]
        for update in record["updates"]:
            start = update["at"] + self.switches["update_lag"]
            # shows_updating False: a listing that lags past the whole rebuild (the twin's hostile update_lag above its
            # build time) never shows Updating; only the new snapshot id tells the rebuild is done.
            if start <= self.now() < start + self.switches["ready_after"] and self.switches["shows_updating"]:
                return "Updating"
        if self.now() < record["ready_at"]:
            return "Creating"
        return "Failed" if record["failed"] else "Ready"

    def _exists(self, cache_id):
        record = self.records.get(cache_id)
        return record is not None and not (record["gone_at"] is not None and self.now() >= record["gone_at"])

    def view(self, cache_id):
        """The cache as DescribeImageCaches shows it now, or None."""
        record = self.records.get(cache_id)
        if record is None or not self._exists(cache_id) or self.now() < record["visible_at"]:
            return None
        self._apply_updates(record)
        status = self._status(record)
        if record["deleted_at"] is not None and "Deleting" in self.switches["extra_statuses"]:
            status = "Deleting"
        images = list(record["images"])
        if self.switches["echo_images"] == "normalized":
            images = [docker_normalized(image) for image in images]
        shown = dict(image_cache_id=cache_id, image_cache_name=record["image_cache_name"], images=images,
                     image_cache_size=record["image_cache_size"], elimination_strategy=record["elimination_strategy"],
                     resource_group_id=record["resource_group_id"], tags=dict(record["tags"]), status=status,
                     progress="100%" if status == "Ready" else "50%", events=list(record["events"]), region_id="cn-hangzhou",
                     snapshot_id=self._snapshot(record))
        # As eci.normalize_image_cache: the retention read from ExpireDateTime, unknown (left out) for a Failed cache.
        if status != "Failed":
            shown["retention_days"] = record["retention_days"]
        return shown

    def _snapshot(self, record):
        """A rebuild leaves a new snapshot once it is done (the listing shows it from then on)."""
        done = [u for u in record["updates"]
                if self.now() >= u["at"] + self.switches["update_lag"] + self.switches["ready_after"]]
        return "s-%s-%d" % (record["image_cache_id"], len(done))

    def caches(self):
        return [c for c in (self.view(i) for i in list(self.records)) if c is not None]

    def named(self, name):
        return [c for c in self.caches() if c["image_cache_name"] == name]

    def _missing(self, action, cache_id):
        if self.switches["missing_id"] == "not_found":
            raise AlibabaCloudError(action, "InvalidImageCacheId.NotFound", "The specified image cache %s is not found." % cache_id,
                                    status_code=404)

    def _hook(self, action):
        if action in self.hooks:
            self.hooks.pop(action)()

    # ------------------------------------------------------------ the API functions of module_utils/eci.py

    def get_image_cache(self, connection, cache_id):
        self.calls.append(("get", cache_id))
        return self.view(cache_id)

    def find_image_caches_by_name(self, connection, name):
        self.calls.append(("find", name))
        return self.named(name)

    def create_image_cache(self, connection, fields, token):
        self.calls.append(("create", token))
        self._hook("create")
        params = json.dumps(fields, sort_keys=True)
        if token in self.tokens:
            cache_id, sent = self.tokens[token]
            if sent != params:
                raise AlibabaCloudError("CreateImageCache", self.switches["token_mismatch_code"],
                                        "The ClientToken was used with other parameters.", status_code=400)
            if self._exists(cache_id) or self.switches["token_after_delete"] == "replay":
                return cache_id
            if self.switches["token_after_delete"] == "mismatch":
                raise AlibabaCloudError("CreateImageCache", self.switches["token_mismatch_code"],
                                        "The ClientToken belongs to a deleted cache.", status_code=400)
        cache_id = "imc-%d" % (len(self.records) + 1)
        self.tokens[token] = (cache_id, params)
        failed = self.switches["fail_builds"] > 0
        self.switches["fail_builds"] -= 1
        tags = dict((t["key"], t["value"]) for t in fields.get("tag") or [])
        tags.update(self.switches["system_tags"] or {})
        self.add(cache_id, image_cache_name=fields["image_cache_name"], images=list(fields["image"]),
                 image_cache_size=fields.get("image_cache_size", 20), elimination_strategy=fields.get("elimination_strategy", ""),
                 resource_group_id=fields.get("resource_group_id", "rg-default"), tags=tags, created=self.now(),
                 retention_days=fields.get("retention_days"), sent=fields,
                 ready_at=self.now() + self.switches["ready_after"], visible_at=self.now() + self.switches["visibility_lag"],
                 failed=failed)
        if self.switches["ids_missing_from_answers"] > 0:
            self.switches["ids_missing_from_answers"] -= 1
            return None
        return cache_id

    def update_image_cache(self, connection, cache_id, fields, token):
        self.calls.append(("update", cache_id))
        self._hook("update")
        if not self._exists(cache_id):
            return self._missing("UpdateImageCache", cache_id)
        record = self.records[cache_id]
        self._apply_updates(record)
        busy = any(self.now() < u["at"] + self.switches["update_lag"] + self.switches["ready_after"] for u in record["updates"])
        if busy or self._status(record) not in ("Ready", "UpdateFailed"):
            # As the twin: the cloud knows it is updating even while it still shows the old status (update_lag).
            raise AlibabaCloudError("UpdateImageCache", "IncorrectStatus.ImageCache", "not allowed now", status_code=400)
        changes = {}
        for field, key in (("image_cache_name", "image_cache_name"), ("image", "images"), ("image_cache_size", "image_cache_size"),
                           ("resource_group_id", "resource_group_id"), ("retention_days", "retention_days")):
            if field in fields:
                changes[key] = fields[field]
        if "elimination_strategy" in fields and (fields["elimination_strategy"] or self.switches["clear_elimination"] == "applied"):
            changes["elimination_strategy"] = fields["elimination_strategy"]
        record["status"] = None
        record["updates"].append(dict(at=self.now(), changes=changes))

    def delete_image_cache(self, connection, cache_id, token):
        self.calls.append(("delete", cache_id))
        self._hook("delete")
        record = self.records.get(cache_id)
        if not self._exists(cache_id) or record["deleted_at"] is not None:
            return self._missing("DeleteImageCache", cache_id)
        if self.switches["busy_delete"] == "reject" and self._status(record) in ("Preparing", "Creating", "Updating"):
            raise AlibabaCloudError("DeleteImageCache", "IncorrectStatus", "The cache is %s." % self._status(record),
                                    status_code=400)
        record["deleted_at"] = self.now()
        record["gone_at"] = self.now() + self.switches["delete_lag"]

    def tag_image_cache(self, connection, cache_id, tags):
        self.calls.append(("tag", sorted(tags)))
        self._hook("tag")
        if not self._exists(cache_id):
            return self._missing("TagResources", cache_id)
        record = self.records[cache_id]
        merged = dict(record["tags"], **tags)
        if len(merged) > 20:
            raise AlibabaCloudError("TagResources", "QuotaExceeded.Tags", "at most 20 tags", status_code=400)
        record["tags"] = merged

    def untag_image_cache(self, connection, cache_id, keys, token):
        self.calls.append(("untag", list(keys)))
        self._hook("untag")
        if not self._exists(cache_id):
            return self._missing("UntagResources", cache_id)
        if any(key.startswith("acs:") for key in keys):
            raise AlibabaCloudError("UntagResources", "InvalidTagKey.Malformed", "acs: keys are system tags", status_code=400)
        for key in keys:
            self.records[cache_id]["tags"].pop(key, None)

    API = ("get_image_cache", "find_image_caches_by_name", "create_image_cache", "update_image_cache",
           "delete_image_cache", "tag_image_cache", "untag_image_cache")

    def install(self, monkeypatch):
        from ansible_collections.alibabacloud.eci.plugins.module_utils import eci, image_cache_service
        for name in self.API:
            monkeypatch.setattr(eci, name, getattr(self, name))
        monkeypatch.setattr(image_cache_service, "SLEEP", self.clock.sleep)
        monkeypatch.setattr(image_cache_service, "CLOCK", self.clock.clock)

    def mutations(self):
        return [call for call in self.calls if call[0] in ("create", "update", "delete", "tag", "untag")]

    def creates(self):
        return [call for call in self.calls if call[0] == "create"]
