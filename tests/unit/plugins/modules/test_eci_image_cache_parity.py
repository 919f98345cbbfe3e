# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue 22: one decision for a cache. Each scenario runs through eci_image_cache and through eci_image_caches (the
cache as the one item of a set, no management tag) on fresh fake clouds alike, and expects the same API writes, the
same result and the same refusal. The set adds parallelism, never another decision."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import eci, image_cache_engine, waiters
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_digests import DIGESTS_TAG_KEY, make_record
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import BUILD_TAG_KEY, build_record
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache, eci_image_caches
from ansible_collections.alibabacloud.eci.tests.unit.plugins.modules.fake_cloud import FakeClock, FakeCloud

NGINX = "registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"
CONNECTION = dict(region="cn-hangzhou", access_key="AK", secret_key="SK")
NETWORK = dict(security_group_id="sg-1", vswitch_ids=["vsw-1"], size_check="skip")
SET_OPTIONS = ("wait", "wait_timeout")
OLD, NEW = "sha256:" + "a" * 64, "sha256:" + "b" * 64


class Timeline:
    """Stands in for HostLock: records taking and releasing a cache's turn among the cloud's calls."""

    calls: list = []

    def __init__(self, name, shared_directory=None):
        self.held = False
        self.problem = None

    def acquire(self, timeout):
        Timeline.calls.append(("lock",))
        self.held = True
        return True

    def release(self):
        if self.held:
            Timeline.calls.append(("unlock",))
        self.held = False


@pytest.fixture
def fresh(monkeypatch):
    """fresh(**switches): a new clock and fake cloud, installed for both modules (the set lists the region)."""
    def make(**switches):
        clock = FakeClock()
        cloud = FakeCloud(clock, **switches)
        cloud.install(monkeypatch)

        def describe_image_caches(connection, **filters):
            cloud.calls.append(("list",))
            return cloud.caches()
        monkeypatch.setattr(eci, "describe_image_caches", describe_image_caches)
        monkeypatch.setattr(waiters.time, "sleep", clock.sleep)
        monkeypatch.setattr(waiters.time, "monotonic", clock.clock)
        Timeline.calls = cloud.calls
        monkeypatch.setattr(image_cache_engine, "HostLock", Timeline)
        return cloud
    return make


def as_set(args):
    item = dict((k, v) for k, v in args.items() if k not in CONNECTION and k not in SET_OPTIONS and not k.startswith("_"))
    outer = dict((k, v) for k, v in args.items() if k in CONNECTION or k in SET_OPTIONS or k.startswith("_"))
    return dict(outer, caches=[item])


def outcome(cloud, result, failed, single):
    """What both modules must agree on: the writes, the result of the cache, the refusal, the warnings."""
    if single:
        entry = dict((k, result.get(k)) for k in ("changed", "changes", "image_cache", "stale", "stale_reason", "diff"))
        refusal = result["msg"] if failed else None
    else:
        first = result["results"][0]
        entry = dict((k, first.get(k)) for k in ("changed", "changes", "image_cache", "stale", "stale_reason", "diff"))
        refusal = first["failure"]["msg"] if first["failure"] else None
        assert failed == bool(refusal), result
    # stale_reason says why stale is null, and only then (both modules, every scenario).
    assert (entry["stale"] is None) == bool(entry["stale_reason"]), entry
    if entry["image_cache"]:
        entry["image_cache"] = dict((k, v) for k, v in entry["image_cache"].items() if k != "progress")
    # The probe of a create's answer untags a key named after the run (random): the same write either way.
    writes = [("untag", ["probe"]) if c[0] == "untag" and c[1][0].endswith("-probe") else c for c in cloud.mutations()]
    return dict(writes=writes, result=entry, refusal=refusal, warnings=sorted(result.get("warnings") or []),
                turns=turns(cloud.calls))


def turns(calls):
    """The host turn around each create or delete (a turn taken around a lookup that changes nothing costs a lock
    file only: eci_image_cache looks up under the turn when its preflight needs no cache)."""
    events = [c[0] for c in calls if c[0] in ("lock", "unlock", "create", "delete")]
    while events[:2] == ["lock", "unlock"]:
        events = events[2:]
    return events


def both(run_module, fresh, setup, args, switches=None, before=None):
    """The scenario through each module, each on its own fresh cloud; returns (single's, set's) outcomes."""
    outcomes = []
    for main, single in ((eci_image_cache.main, True), (eci_image_caches.main, False)):
        cloud = fresh(**(switches or {}))
        setup(cloud)
        if before:
            before(run_module, main if single else None, cloud)
        cloud.calls.clear()
        result, failed = run_module(main, args if single else as_set(args))
        outcomes.append(outcome(cloud, result, failed, single))
    return outcomes


def nothing(cloud):
    return None


def web(**fields):
    def setup(cloud):
        cloud.add("imc-1", **dict(dict(images=[NGINX]), **fields))
    return setup


ARGS = dict(CONNECTION, name="web", images=[NGINX], **NETWORK)

SCENARIOS = dict(
    unknown_id=(nothing, dict(CONNECTION, image_cache_id="imc-404", name="web"), None, "No image cache has the id imc-404"),
    deleting_without_wait=(web(status="Deleting"), dict(ARGS, wait=False), None, "is Deleting; it cannot be kept"),
    deleting_with_wait=(lambda cloud: cloud.add("imc-0", images=[NGINX], deleted_at=cloud.now(), gone_at=cloud.now() + 4),
                        ARGS, dict(extra_statuses=("Deleting",)), None),
    transitional_with_wait=(lambda cloud: cloud.add("imc-1", images=[NGINX], ready_at=cloud.now() + 4),
                            dict(ARGS, image_cache_size=40), None, None),
    failed_replaced=(web(failed=True, events=[dict(reason="Failed", message="too big")]), dict(ARGS, image_cache_size=40),
                     None, None),
    failed_same_settings=(web(failed=True, events=[dict(reason="Failed", message="ImageCacheSize too small")]), ARGS, None,
                          "Failed: ImageCacheSize too small. Image cache imc-1 (web) is Failed"),
    # The build record (tag alibabacloud.eci/build) says the failed build had another security group: built again.
    failed_network_changed=(web(failed=True, events=[dict(reason="Failed", message="pull timed out")],
                                tags={BUILD_TAG_KEY: build_record(dict(NETWORK, security_group_id="sg-0"))}), ARGS, None, None),
    # Its record is the task's: the network, registries and registry user names are those of the failed build.
    failed_same_record=(web(failed=True, events=[dict(reason="Failed", message="pull timed out")],
                            tags={BUILD_TAG_KEY: build_record(ARGS)}), ARGS, None, "they are those of the failed build"),
    failed_by_id=(web(failed=True), dict(CONNECTION, image_cache_id="imc-1", image_cache_size=40), None,
                  "image_cache_id never creates"),
    rename_onto_taken=(lambda cloud: (cloud.add("imc-1"), cloud.add("imc-2", image_cache_name="api")),
                       dict(CONNECTION, image_cache_id="imc-1", name="api"), None, "Cannot rename image cache imc-1 to 'api'"),
    lone_elimination_clear=(web(elimination_strategy="LRU"), dict(ARGS, elimination_strategy=""), None, None),
    tag_ceiling=(web(tags=dict(("k%d" % n, "v") for n in range(18))),
                 dict(ARGS, tags={"x": "1", "y": "2", "z": "3"}, purge_tags=False), None, "more than the 20"),
    not_updatable=(web(status="Creating"), dict(ARGS, image_cache_size=40, wait=False), None,
                   "UpdateImageCache is only allowed in Ready"),
    check_mode=(web(), dict(ARGS, image_cache_size=40, _ansible_check_mode=True, _ansible_diff=True), None, None),
    update_without_images=(web(), dict(CONNECTION, name="web", image_cache_size=40), None, None),
    setting_ignored=(web(elimination_strategy="LRU"), dict(ARGS, elimination_strategy="", image_cache_size=40),
                     dict(clear_elimination="ignored"), None),
    create=(nothing, ARGS, None, None),
    delete=(web(), dict(CONNECTION, name="web", state="absent"), None, None),
)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_both_modules_decide_alike(run_module, fresh, registry_digests, name):
    setup, args, switches, refusal = SCENARIOS[name]
    single, in_set = both(run_module, fresh, setup, args, switches)
    assert single == in_set
    if refusal:
        assert refusal in single["refusal"] and single["writes"] == [], single
    else:
        assert single["refusal"] is None, single


def test_each_scenario_says_what_it_shows(run_module, fresh, registry_digests):
    # The outcomes the parity above holds to, spelled out for the scenarios whose point is a write or a warning.
    single, _set = both(run_module, fresh, *SCENARIOS["deleting_with_wait"][:3])
    assert [w[0] for w in single["writes"]] == ["create"] and single["result"]["image_cache"]["status"] == "Ready"
    single, _set = both(run_module, fresh, *SCENARIOS["failed_replaced"][:3])
    assert [w[0] for w in single["writes"]] == ["delete", "create"]
    single, _set = both(run_module, fresh, *SCENARIOS["lone_elimination_clear"][:3])
    assert single["writes"] == [] and any("elimination_strategy ''" in w for w in single["warnings"])
    single, _set = both(run_module, fresh, *SCENARIOS["setting_ignored"][:3])
    assert any("applied without elimination_strategy" in w for w in single["warnings"])
    single, _set = both(run_module, fresh, *SCENARIOS["failed_network_changed"][:3])
    assert [w[0] for w in single["writes"]] == ["delete", "create"]
    assert any("(security_group_id changed)" in w for w in single["warnings"]), single["warnings"]
    single, _set = both(run_module, fresh, *SCENARIOS["check_mode"][:3])
    assert single["writes"] == [] and single["result"]["changes"] == ["update image_cache_size", "record build settings"]
    assert single["result"]["diff"]["after"]["image_cache_size"] == 40
    single, _set = both(run_module, fresh, *SCENARIOS["transitional_with_wait"][:3])
    assert [w[0] for w in single["writes"]] == ["update", "tag"]  # the update and its build record


def test_the_failed_rule_names_the_option_and_the_cause_first(run_module, fresh, registry_digests):
    single, in_set = both(run_module, fresh, *SCENARIOS["failed_same_settings"][:3])
    assert single == in_set
    assert single["refusal"].startswith("Failed: ImageCacheSize too small.")
    assert "Change image_cache_size" in single["refusal"] and "force_update: true" in single["refusal"]
    forced, forced_set = both(run_module, fresh, SCENARIOS["failed_same_settings"][0], dict(ARGS, force_update=True))
    assert forced == forced_set and [w[0] for w in forced["writes"]] == ["delete", "create"]


def test_refresh_rebuilds_alike(run_module, fresh, registry_digests):
    registry_digests[NGINX] = NEW
    setup = web(tags={DIGESTS_TAG_KEY: make_record({NGINX: OLD})})
    single, in_set = both(run_module, fresh, setup, dict(ARGS, refresh="digest"))
    assert single == in_set
    assert single["result"]["changes"] == ["update stale image digests", "record build settings", "record image digests"]


def test_found_by_token_alike(run_module, fresh, registry_digests):
    # A cache made by the same request (the same ClientToken) that the listing does not show yet: the create is
    # answered with it, and it is confirmed, never made twice.
    def before(run, main, cloud):
        cloud.switches["visibility_lag"] = 30
        cloud.create_image_cache(None, _fields(), _token(cloud))
    single, in_set = both(run_module, fresh, nothing, dict(ARGS, wait=False), before=before)
    assert single == in_set
    assert [w[0] for w in single["writes"]].count("create") == 1 and single["result"]["image_cache"]["image_cache_id"] == "imc-1"


def _fields():
    from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import request_fields
    params = dict((k, None) for k in eci_image_cache.image_cache_settings_spec())
    params.update(name="web", images=[NGINX], security_group_id="sg-1", vswitch_ids=["vsw-1"])
    params.update(tags={BUILD_TAG_KEY: build_record(params)})  # as the modules' creates carry it
    return request_fields(params, "create")


def _token(cloud):
    from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import client_token
    return client_token("cn-hangzhou", _fields(), [])


def test_a_cache_gone_between_lookup_and_change_alike(run_module, fresh, registry_digests):
    def setup(cloud):
        cloud.add("imc-1", images=[NGINX])
        cloud.hooks["update"] = lambda: cloud.records["imc-1"].update(gone_at=cloud.now())
    single, in_set = both(run_module, fresh, setup, dict(ARGS, image_cache_size=40))
    assert single == in_set
    assert [w[0] for w in single["writes"]] == ["update", "create"] and single["result"]["changes"] == ["create"]


def test_a_cache_gone_after_its_update_was_accepted_alike(run_module, fresh, registry_digests):
    """A cloud that accepts an update of a missing id (missing_id: ignore): the wait finds the cache gone. Both modules
    drop what the update and its tag calls reported, look again and create it (the set in its next round)."""
    def setup(cloud):
        cloud.add("imc-1", images=[NGINX])
        cloud.hooks["update"] = lambda: cloud.records["imc-1"].update(gone_at=cloud.now())
    single, in_set = both(run_module, fresh, setup, dict(ARGS, image_cache_size=40), dict(missing_id="ignore"))
    assert single == in_set
    assert [w[0] for w in single["writes"]] == ["update", "tag", "create"] and single["result"]["changes"] == ["create"]
    assert single["result"]["image_cache"]["status"] == "Ready" and single["result"]["image_cache"]["image_cache_id"] != "imc-1"


def test_the_host_turn_alike(run_module, fresh, registry_digests):
    # The turn is taken before the create and given back only once the create is confirmed, in both modules.
    single, in_set = both(run_module, fresh, nothing, dict(ARGS, wait=False))
    assert single["turns"] == in_set["turns"] == ["lock", "create", "unlock"]
    single, in_set = both(run_module, fresh, web(), dict(CONNECTION, name="web", state="absent", wait=False))
    assert single["turns"] == in_set["turns"] == ["lock", "delete", "unlock"]


def test_a_listing_that_misses_the_updated_cache_once_keeps_the_update_alike(run_module, fresh, registry_digests, monkeypatch):
    """One listing (the set's wait) or one read by id (the single module's) misses the cache right after its update:
    the lookup finds the same cache, so the accepted (billed) update and its tag call stay reported, in both modules."""
    def setup(cloud):
        cloud.add("imc-1", images=[NGINX])
        state = dict(hidden=False, updated=False)
        cloud.hooks["update"] = lambda: state.update(updated=True)
        caches, get = cloud.caches, cloud.get_image_cache

        def once(answer):
            if state["updated"] and not state["hidden"]:
                state["hidden"] = True
                return answer
            return None

        monkeypatch.setattr(cloud, "caches", lambda: once([c for c in caches() if c["image_cache_id"] != "imc-1"]) or caches())
        monkeypatch.setattr(eci, "get_image_cache", lambda connection, cache_id: None if once(True) else get(connection, cache_id))
    single, in_set = both(run_module, fresh, setup, dict(ARGS, image_cache_size=40))
    for outcome in (single, in_set):
        assert [w[0] for w in outcome["writes"]] == ["update", "tag"], outcome
        assert outcome["result"]["changes"] == ["update image_cache_size", "record build settings"], outcome["result"]
        assert outcome["refusal"] is None and outcome["result"]["image_cache"]["image_cache_size"] == 40
