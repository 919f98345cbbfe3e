# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A set of image caches brought to their settings in one step (eci_image_caches).

The set is read with one region listing (ceil(N/page) DescribeImageCaches), every cache's writes are
sent without waiting, then all caches are waited for together with one listing per poll round
(waiters.wait_for_many). Each cache's mechanics are those of eci_image_cache: the same image cache
service (create with identity and ClientToken, update, delete, tags), the same settings table,
comparison and prediction. Decisions are per cache and a cache's failure is recorded, never raised,
so it does not stop the others.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci
from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache import (
    ELIMINATION_STRATEGIES,
    MAX_TAGS,
    MIN_SIZE_GIB,
    canonical_image,
    compare,
    diff_view,
    normalize_desired_tags,
    predict,
    tag_changes,
    tags_after,
    validate_settings,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_service import CacheGone, ImageCacheService
from ansible_collections.alibabacloud.eci.plugins.module_utils.host_lock import HostLock, configured_directory
from ansible_collections.alibabacloud.eci.plugins.module_utils.registry import measure_images, required_cache_size_gib
from ansible_collections.alibabacloud.eci.plugins.module_utils.size_plan import (
    needs_measurement,
    not_measured_note,
    plan_sizes,
    size_verdict,
    unmeasured_verdict,
)
from ansible_collections.alibabacloud.eci.plugins.module_utils.waiters import (
    READY,
    UPDATABLE,
    WaitError,
    describe_events,
    is_deleting,
    is_transitional,
    wait_for_many,
)

# The options of one item: eci_image_cache's, without the connection options and wait/wait_timeout (module-level
# in a set). tests/unit/plugins/modules/test_eci_image_caches.py checks that they stay eci_image_cache's options.
ITEM_SPEC = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    name=dict(type="str", aliases=["image_cache_name"]),
    image_cache_id=dict(type="str"),
    images=dict(type="list", elements="str"),
    image_cache_size=dict(type="raw"),
    retention_days=dict(type="int"),
    security_group_id=dict(type="str"),
    vswitch_ids=dict(type="list", elements="str", aliases=["vswitch_id"]),
    zone_id=dict(type="str"),
    eip_instance_id=dict(type="str"),
    resource_group_id=dict(type="str"),
    auto_match_image_cache=dict(type="bool"),
    flash=dict(type="bool"),
    flash_copy_count=dict(type="int"),
    standard_copy_count=dict(type="int"),
    elimination_strategy=dict(type="str", choices=list(ELIMINATION_STRATEGIES)),
    insecure_registries=dict(type="list", elements="str"),
    plain_http_registries=dict(type="list", elements="str"),
    image_registry_credentials=dict(type="list", elements="dict", options=dict(
        server=dict(type="str", required=True),
        username=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
    )),
    acr_registry_info=dict(type="list", elements="dict", options=dict(
        instance_id=dict(type="str", required=True),
        instance_name=dict(type="str"),
        region_id=dict(type="str"),
        domains=dict(type="list", elements="str"),
        arn_service=dict(type="str"),
        arn_user=dict(type="str"),
    )),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    size_check=dict(type="str", default="warn", choices=["fail", "warn", "skip"]),
    image_platform=dict(type="str", default="linux/amd64"),
    force_update=dict(type="bool", default=False),
    annotations=dict(type="dict"),
    lock_dir=dict(type="path"),
)
# Options an item may not carry: they belong to the whole set.
SET_LEVEL = ("wait", "wait_timeout")
DEFAULT_MANAGEMENT_TAG = ("ansible-eci-set", "default")
# How many caches are started (decided, created, updated) at the same time: a create confirms its cache before it
# returns, which takes seconds on a cloud whose listing lags, so the caches start side by side, not one by one.
PARALLEL_STARTS = 8
# As eci_image_cache: how long a create waits for its turn behind another run on this host.
CREATE_TURN_SECONDS = 120
# How often a cache is looked up again and decided again when it went away between the lookup and a call.
MAX_REDECISIONS = 3


def parse_size(value):
    """image_cache_size as (auto, GiB or None); ValueError for anything else."""
    if value is None:
        return False, None
    if isinstance(value, str) and value.strip().lower() == "auto":
        return True, None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return False, int(str(value).strip()) if isinstance(value, str) else int(value)


def item_label(index, item):
    name = item.get("name") or item.get("image_cache_name") if isinstance(item, dict) else None
    return "caches[%d]%s" % (index, " (%s)" % name if name else "")


def validate_items(items, defaults):
    """Every item merged over `defaults` and checked like eci_image_cache checks its options, before any call.

    Returns (params of each item, secret values to hide, problems naming the item and the option).
    """
    problems = []
    merged_items = []
    secrets = set()
    unknown = sorted(set(defaults or {}) - set(ITEM_SPEC) - set(("image_cache_name", "vswitch_id")))
    if unknown:
        problems.append("defaults: unsupported option(s) %s; the options of eci_image_cache are allowed, except the "
                        "connection options and wait, wait_timeout (options of the set)." % ", ".join(unknown))
    seen = {}
    for index, item in enumerate(items):
        label = item_label(index, item)
        if not isinstance(item, dict):
            problems.append("%s: each item must be a dict of eci_image_cache options, got %r." % (label, item))
            merged_items.append(None)
            continue
        raw = dict(defaults or {})
        raw.update(item)
        misplaced = sorted(set(raw) & set(SET_LEVEL))
        result = ArgumentSpecValidator(ITEM_SPEC).validate(dict((k, v) for k, v in raw.items() if k not in SET_LEVEL))
        secrets.update(result._no_log_values)
        item_problems = ["%s is an option of the whole set, not of an item" % key for key in misplaced]
        item_problems.extend(result.error_messages)
        params = result.validated_parameters
        size_auto, size = False, None
        if not result.error_messages:
            try:
                size_auto, size = parse_size(params["image_cache_size"])
            except (TypeError, ValueError):
                item_problems.append("image_cache_size must be a whole number of GiB from 20 to 32768, or auto; got %r"
                                     % (params["image_cache_size"],))
            else:
                item_problems.extend(p.rstrip(".") for p in validate_settings(
                    dict(params, tags=normalize_desired_tags(params["tags"]), image_cache_size=size,
                         annotations=normalize_desired_tags(params["annotations"])), creating_possible=False))
            if not (params.get("name") or "").strip() and not params.get("image_cache_id"):
                item_problems.append("name is required (or image_cache_id)")
            key = params.get("image_cache_id") or params.get("name")
            if key in seen:
                item_problems.append("the same cache as %s; each cache may be listed once" % seen[key])
            seen.setdefault(key, label)
        for problem in item_problems:
            problems.append("%s: %s." % (label, problem))
        merged_items.append(dict(params, size_auto=size_auto, image_cache_size=size) if not item_problems else None)
    return merged_items, secrets, problems


def own_connection(connection):
    """A connection for one cache: the same clients, but its own bound on call times (Connection.bounded), since the
    caches are started in threads and one cache's wait must not bound another's calls."""
    mine = copy.copy(connection)
    if hasattr(mine, "deadline"):
        mine.deadline = None
    return mine


class Member:
    """One cache of the set: its settings, its own image cache service (so `changes` is its own) and its outcome."""

    def __init__(self, index, params, connection, wait, wait_timeout, check_mode, management_tag, registry_timeouts=None):
        self.index = index
        self.registry_timeouts = registry_timeouts or dict(connect_timeout=10, read_timeout=60)
        connection = own_connection(connection)
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
        self.create_turn = HostLock("create\n%s\n%s\n%s" % (
            connection.endpoints.get("eci") if hasattr(connection, "endpoints") else None, connection.region,
            params["name"] if not params["image_cache_id"] else "id " + params["image_cache_id"]),
            shared_directory=configured_directory(params["lock_dir"]))
        self.service = ImageCacheService(connection, wait_timeout)
        self.planned = []
        self.warnings = []
        self.image_sizes = []
        self.before = None
        self.after = None
        self.failure = None
        self.awaiting = None     # dict(targets, what, observed) while the set's wait has this cache to wait for
        self.differences = []

    @property
    def changes(self):
        return self.planned if self.check_mode else self.service.done

    def fail(self, error):
        """Record this cache's failure (an API error, or a message); the set goes on with the others."""
        self.failure = dict(msg=str(error), code=getattr(error, "code", None), request_id=getattr(error, "request_id", None))
        if isinstance(error, WaitError) and error.image_cache:
            self.after = error.image_cache
        elif self.after is None:
            self.after = self.service.last_seen or self.before
        self.awaiting = None

    # ------------------------------------------------------------ decide and send (no waits)

    def find(self, listing):
        if self.params["image_cache_id"]:
            found = [c for c in listing if c["image_cache_id"] == self.params["image_cache_id"]]
        else:
            found = [c for c in listing if c["image_cache_name"] == self.params["name"]]
        if len(found) > 1:
            raise ValueError("%d image caches are named %r: %s. Give image_cache_id to choose one." % (
                len(found), self.params["name"], ", ".join(sorted(c["image_cache_id"] for c in found))))
        return found[0] if found else None

    def start(self, listing):
        """Decide with the set's listing, send this cache's writes; look again on CacheGone. Never raises."""
        try:
            cache = self.find(listing)
            if cache is None and not self.check_mode and not self.params["image_cache_id"]:
                # A create may follow: take this host's turn, then look again (another run may have made it meanwhile).
                if not self.create_turn.acquire(CREATE_TURN_SECONDS):
                    self.warnings.append("Going on without the lock that makes runs on this host that create image "
                                         "cache %s take turns (%s)." % (self.name, self.create_turn.problem))
                else:
                    cache = self.find(self.service.find_by_name(self.params["name"]))
            for attempt in range(MAX_REDECISIONS + 1):
                try:
                    return self.decide(cache)
                except CacheGone as gone:
                    if attempt == MAX_REDECISIONS:
                        raise AlibabaCloudError(gone.action, "ImageCacheGone", "image cache %s went away %d times between "
                                                "the lookup and the change; giving up" % (gone.cache_id, attempt + 1))
                    cache = self.find(self.service.find_by_name(self.params["name"]) if not self.params["image_cache_id"]
                                      else [c for c in [self.service.get(self.params["image_cache_id"])] if c])
        except (AlibabaCloudError, ValueError) as error:
            self.fail(error)
        finally:
            self.create_turn.release()

    def decide(self, cache):
        self.before = cache
        if self.params["state"] == "absent":
            return self.absent(cache)
        if cache is None and self.params["image_cache_id"]:
            raise ValueError("no image cache has the id %s in region %s; image_cache_id only manages an existing cache"
                             % (self.params["image_cache_id"], self.connection.region))
        chain = []
        if cache is not None and is_deleting(cache["status"]):
            if not self.wait:
                raise ValueError("image cache %s is %s; set wait: true to wait until it is gone and create it again"
                                 % (cache["image_cache_id"], cache["status"]))
            self.service.wait_gone(cache["image_cache_id"])
            chain.append(cache["image_cache_id"])
            cache = None
        if cache is not None and is_transitional(cache["status"]) and self.wait:
            cache_id = cache["image_cache_id"]
            cache = self.service.wait_settled(cache_id, current=cache)
            if cache is None:
                raise CacheGone(cache_id, "WaitForImageCache")
        self.check_sizes(cache)
        if cache is not None and cache["status"] == "Failed":
            self.require_create_settings()
            self.warnings.append("Image cache %s (%s) is Failed and cannot be updated; it is deleted and created again. "
                                 "Its events: %s" % (cache["image_cache_name"], cache["image_cache_id"], describe_events(cache)))
            if self.check_mode:
                self.planned.append("replace failed cache %s" % cache["image_cache_id"])
            else:
                self.service.delete(cache, wait=True)
                self.service.wait_gone(cache["image_cache_id"])
            chain.append(cache["image_cache_id"])
            cache = None
        if cache is None:
            return self.create(chain)
        return self.converge(cache)

    def absent(self, cache):
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

    def require_create_settings(self):
        problems = validate_settings(self.settings, creating_possible=True)
        if problems:
            raise ValueError(" ".join(problems))

    def create(self, chain):
        self.require_create_settings()
        if self.check_mode:
            self.planned.append("create")
            self.after = predict(None, self.settings, self.connection.region)
            return
        # then_wait=False: the create is confirmed at once (a listing that lags is waited out by the service),
        # and the set's wait then waits for this cache with the others.
        cache, found = self.service.create(self.settings, chain, then_wait=False)
        if found:
            return self.converge(cache)
        self.after = cache
        if self.wait:
            self.awaiting = dict(targets=(READY,), what="be Ready", observed=None, cache_id=cache["image_cache_id"])

    def converge(self, cache):
        differences = compare(cache, self.settings)
        if differences == ["elimination_strategy"] and not self.settings["elimination_strategy"]:
            # As eci_image_cache: clearing LRU alone is not sent (it rebuilds the cache; some clouds ignore it).
            self.warnings.append("Image cache %s: elimination_strategy '' is sent only with an update of another setting."
                                 % cache["image_cache_id"])
            differences = []
        self.differences = differences
        needs_update = bool(differences) or self.params["force_update"] or cache["status"] == "UpdateFailed"
        to_set, to_unset = tag_changes(cache["tags"], self.settings["tags"], self.purge_tags)
        if len(tags_after(cache["tags"], to_set, to_unset)) > MAX_TAGS:
            raise ValueError("tags: image cache %s would carry more than the %d tags the cloud allows; nothing was changed"
                             % (cache["image_cache_id"], MAX_TAGS))
        if needs_update and cache["status"] not in UPDATABLE:
            raise ValueError("image cache %s is %s; UpdateImageCache is only allowed in Ready or UpdateFailed. Set wait: "
                             "true to wait for it to settle, or run again later" % (cache["image_cache_id"], cache["status"]))
        update_change = "update " + ", ".join(differences or (["force_update"] if self.params["force_update"]
                                                              else ["retry UpdateFailed"]))
        if self.check_mode or not (needs_update or to_set or to_unset):
            if needs_update:
                self.planned.append(update_change)
            self.planned.extend("untag %s" % key for key in to_unset)
            self.planned.extend("tag %s" % key for key in sorted(to_set))
            self.after = predict(cache, self.settings, self.connection.region) if self.planned else cache
            return
        if needs_update:
            self.service.update(cache, self.settings, update_change, wait=self.wait)
        self.service.set_tags(cache, to_set, to_unset)
        self.after = predict(cache, self.settings, self.connection.region)
        if needs_update and self.wait:
            readable = [key for key in differences if key != "elimination_strategy"]
            self.awaiting = dict(targets=(READY,), what="be Ready after the update", cache_id=cache["image_cache_id"],
                                 observed=self.service.update_observer(
                                     lambda c: bool(readable) and not [k for k in compare(c, self.settings) if k in readable]))
        elif needs_update:
            self.after = self.service.get(cache["image_cache_id"]) or {}

    # ------------------------------------------------------------ size preflight (as eci_image_cache's)

    def check_sizes(self, cache):
        """eci_image_cache's size preflight, by the same rules (size_plan): measure when the images or the size
        change, pick the size for auto, judge the size; a failing verdict fails this cache only, before any change."""
        params = self.params
        live = cache if cache is not None and cache["status"] != "Failed" else None
        images = self.settings["images"] or (live or {}).get("images") or []
        if not images:
            return
        images_change = params["images"] is not None and live is not None and (
            set(map(canonical_image, params["images"])) != set(map(canonical_image, live.get("images") or [])))
        size_change = self.settings["image_cache_size"] is not None and live is not None and (
            self.settings["image_cache_size"] != live.get("image_cache_size"))
        if not needs_measurement(params["size_check"], self.size_auto, live is None, images_change, size_change,
                                 params["force_update"]):
            return
        self.image_sizes, _total, _unmeasured = measure_images(
            images, credentials=params["image_registry_credentials"], platform=params["image_platform"],
            plain_http_registries=params["plain_http_registries"], insecure_registries=params["insecure_registries"],
            connect_timeout=self.registry_timeouts["connect_timeout"], read_timeout=self.registry_timeouts["read_timeout"],
            # One retry at most: a preflight must not hold the task much longer than the registry takes to answer.
            retries=1, max_seconds=self.registry_timeouts["read_timeout"])
        plan = plan_sizes(self.image_sizes)
        self.size_note = not_measured_note(plan)
        verdict = unmeasured_verdict(plan, params["size_check"])
        if verdict["level"] == "fail":
            raise ValueError(verdict["message"])
        if verdict["level"] == "warn":
            self.warnings.append(verdict["message"])
        if self.size_auto:
            # auto never shrinks a cache: its snapshot would have to be rebuilt smaller.
            self.settings["image_cache_size"] = max(required_cache_size_gib(plan["total_bytes"]),
                                                    (live or {}).get("image_cache_size") or 0)
        size = self.settings["image_cache_size"] or (live or {}).get("image_cache_size") or MIN_SIZE_GIB
        verdict = size_verdict(size, plan, "warn" if self.size_auto and params["size_check"] == "skip" else params["size_check"])
        if verdict["level"] == "fail":
            raise ValueError(verdict["message"])
        if verdict["level"] == "warn":
            self.warnings.append(verdict["message"])

    # ------------------------------------------------------------ result

    def result(self, diff):
        result = dict(name=self.name, index=self.index, changed=bool(self.changes), changes=list(self.changes),
                      image_cache=self.after or {}, failure=self.failure, image_sizes=self.image_sizes)
        if self.size_note:
            result["size_note"] = self.size_note
        if diff:
            result["diff"] = dict(before=diff_view(self.before), after=diff_view(self.after))
        return result


class Purge:
    """A cache of the set (it carries the management tag) that the list no longer names: deleted."""

    def __init__(self, cache, connection, wait, wait_timeout, check_mode):
        self.name = cache["image_cache_name"]
        self.index = None
        connection = own_connection(connection)
        self.cache = cache
        self.check_mode = check_mode
        self.wait = wait
        self.service = ImageCacheService(connection, wait_timeout)
        self.planned = ["purge delete"]
        self.failure = None
        self.awaiting = None
        self.warnings = []
        self.before = cache
        self.after = {}

    changes = Member.changes
    fail = Member.fail

    def start(self, listing):
        if self.check_mode:
            return
        try:
            if not is_deleting(self.cache["status"]):
                self.service.delete(self.cache, wait=self.wait)
            if self.wait:
                self.awaiting = dict(targets=None, what="be deleted", observed=None, cache_id=self.cache["image_cache_id"])
        except AlibabaCloudError as error:
            self.fail(error)

    def result(self, diff):
        result = dict(name=self.name, index=None, purged=True, changed=bool(self.changes), changes=list(self.changes),
                      image_cache={}, failure=self.failure, image_sizes=[])
        if diff:
            result["diff"] = dict(before=diff_view(self.cache), after={})
        return result


def list_region(connection, api=eci):
    """Every cache of the region: ceil(N/page) DescribeImageCaches (the set is matched by name on this side)."""
    return api.describe_image_caches(connection)


def run_set(connection, items, wait, wait_timeout, check_mode, management_tag, purge, registry_timeouts=None, api=eci,
            sleep=None, clock=None):
    """Bring the set to its settings. Returns the members (each with its outcome) in the order of the list, purges last."""
    listing = list_region(connection, api)
    members = [Member(index, params, connection, wait, wait_timeout, check_mode, management_tag, registry_timeouts)
               for index, params in enumerate(items)]
    if purge:
        listed = set(m.params["name"] for m in members) | set(m.params["image_cache_id"] for m in members)
        key, value = management_tag
        members.extend(Purge(cache, connection, wait, wait_timeout, check_mode) for cache in listing
                       if (cache.get("tags") or {}).get(key) == value
                       and cache["image_cache_name"] not in listed and cache["image_cache_id"] not in listed)
    if PARALLEL_STARTS > 1 and len(members) > 1:
        with ThreadPoolExecutor(max_workers=min(PARALLEL_STARTS, len(members))) as pool:
            list(pool.map(lambda member: member.start(listing), members))
    else:
        for member in members:
            member.start(listing)
    waiting = dict((m.awaiting["cache_id"], m) for m in members if m.awaiting and m.failure is None)
    if waiting:
        service = members[0].service
        with service.calls_within(wait_timeout):
            outcome = wait_for_many(lambda: list_region(connection, api),
                                    dict((cache_id, m.awaiting) for cache_id, m in waiting.items()), wait_timeout,
                                    sleep=sleep or service.sleep, clock=clock or service.clock)
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
                        member.warnings.append("The update of image cache %s was applied without %s." % (
                            cache_id, ", ".join(ignored)))
    return members
