# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's listing: the list_order switch, the answer faults, the O(page) index, seeded times (issues 22, 24, 26)."""

from __future__ import annotations

import calendar
import time

import pytest

from alibabacloud_eci20180808 import models as M

from ansible_collections.alibabacloud.eci.tests.emulator import Emulator
from ansible_collections.alibabacloud.eci.tests.emulator import profile as profiles
from ansible_collections.alibabacloud.eci.tests.emulator.fixtures import FixtureError, load_fixtures, seed_time


def describe(client, **kwargs):
    return client.describe_image_caches(M.DescribeImageCachesRequest(region_id='cn-hangzhou', **kwargs)).body


def create(client, helpers, name):
    return client.create_image_cache(helpers.create_request(image_cache_name=name)).body.image_cache_id


def stamp(text):
    return calendar.timegm(time.strptime(text, '%Y-%m-%dT%H:%M:%SZ'))


def seeds(count, **extra):
    return [dict(name=f'seed-{n:03d}', images=['nginx:1.25'], **extra) for n in range(count)]


def test_the_profiles_take_a_list_order():
    assert profiles.load('default')['list_order'] == 'oldest_first'
    assert profiles.load('hostile')['list_order'] == 'newest_first'
    with pytest.raises(profiles.ProfileError, match='list_order must be one of oldest_first, newest_first'):
        profiles.load({'list_order': 'random'})


def test_oldest_first_a_cache_made_while_listing_comes_last_and_nothing_repeats(make_twin, make_client, helpers):
    twin = make_twin(profile={'list_order': 'oldest_first'})
    client = make_client(target=twin)
    ids = [create(client, helpers, f'c-{n}') for n in range(3)]
    first = describe(client, limit=2)
    assert [c.image_cache_id for c in first.image_caches] == ids[:2] and first.total_count == 3
    new = create(client, helpers, 'c-new')
    rest = describe(client, limit=2, next_token=first.next_token)
    assert [c.image_cache_id for c in rest.image_caches] == [ids[2], new] and not rest.next_token


def test_newest_first_a_cache_made_between_two_pages_repeats_one_across_them(make_twin, make_client, helpers):
    twin = make_twin(profile={'list_order': 'newest_first'})
    client = make_client(target=twin)
    ids = [create(client, helpers, f'c-{n}') for n in range(4)]
    first = describe(client, limit=2)
    assert [c.image_cache_id for c in first.image_caches] == [ids[3], ids[2]] and first.total_count == 4
    create(client, helpers, 'c-new')
    rest = describe(client, limit=2, next_token=first.next_token)
    # The new cache pushed ids[2] onto the second page: it is listed twice; ids[0] needs a third page.
    assert [c.image_cache_id for c in rest.image_caches] == [ids[2], ids[1]] and rest.total_count == 5 and rest.next_token
    last = describe(client, limit=2, next_token=rest.next_token)
    assert [c.image_cache_id for c in last.image_caches] == [ids[0]] and not last.next_token


def test_newest_first_filtered_listings_page_the_same_way(make_twin, make_client, helpers):
    twin = make_twin(profile={'list_order': 'newest_first'})
    client = make_client(target=twin)
    ids = [create(client, helpers, f'c-{n}') for n in range(3)]
    first = describe(client, limit=2, image='registry.example.com/app/web:1.0')
    assert [c.image_cache_id for c in first.image_caches] == [ids[2], ids[1]] and first.total_count == 3
    rest = describe(client, limit=2, image='registry.example.com/app/web:1.0', next_token=first.next_token)
    assert [c.image_cache_id for c in rest.image_caches] == [ids[0]]


def test_a_token_of_the_other_order_is_refused(make_twin, make_client, helpers):
    twin = make_twin(profile={'list_order': 'oldest_first'})
    client = make_client(target=twin)
    for n in range(3):
        create(client, helpers, f'c-{n}')
    token = describe(client, limit=1).next_token
    twin.state.set_profile({'list_order': 'newest_first'})
    error = helpers.api_error(describe, client, limit=1, next_token=token)
    assert error.code == 'InvalidParameter.NextToken'


@pytest.mark.parametrize('order', ['oldest_first', 'newest_first'])
def test_pages_of_a_large_region_give_every_cache_once(make_twin, make_client, order):
    twin = make_twin(profile={'list_order': order, 'page_limit_max': 100}, ready_after=0.1)
    twin.state.reset({'image_caches': seeds(250)})
    client = make_client(target=twin)
    seen, token, pages = [], None, 0
    while True:
        body = describe(client, limit=100, next_token=token)
        assert body.total_count == 250
        seen += [c.image_cache_name for c in body.image_caches]
        pages += 1
        token = body.next_token
        if not token:
            break
    expected = [f'seed-{n:03d}' for n in range(250)]
    assert pages == 3 and seen == (expected if order == 'oldest_first' else expected[::-1])


def test_a_page_costs_the_page_not_the_region(make_twin):
    """The index: a page builds only its own rows (counted, not timed, so the test cannot flake)."""
    twin = make_twin(profile={'list_order': 'oldest_first'})
    twin.state.reset({'image_caches': seeds(2000)})
    state = twin.state
    calls = {'entry': 0}
    original = state._entry  # pylint: disable=protected-access

    def counting(seq, region):
        calls['entry'] += 1
        return original(seq, region)

    state._entry = counting  # pylint: disable=protected-access
    now = state.clock()
    rows, more = state.listed_page('cn-hangzhou', now, 20, after=1500)
    assert [seq for seq, _show in rows] == list(range(1501, 1521)) and more
    assert calls['entry'] <= 21
    assert state.listed_count('cn-hangzhou', now) == 2000


def test_the_index_forgets_deleted_and_hidden_caches(make_twin, make_client, helpers):
    twin = make_twin(profile={'visibility_lag': 30})
    client = make_client(target=twin)
    twin.state.reset({'image_caches': seeds(5)})
    ids = [c.image_cache_id for c in describe(client).image_caches]
    client.delete_image_cache(M.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id=ids[1]))
    create(client, helpers, 'hidden')  # within visibility_lag: neither listed nor counted
    body = describe(client, limit=2)
    assert body.total_count == 4 and [c.image_cache_id for c in body.image_caches] == [ids[0], ids[2]]
    rest = describe(client, limit=2, next_token=body.next_token)
    assert [c.image_cache_id for c in rest.image_caches] == [ids[3], ids[4]] and not rest.next_token


def test_malformed_no_list_drops_the_image_caches_list(twin, helpers):
    helpers.control(twin, 'POST', 'reset', {'image_caches': seeds(2)})
    assert helpers.control(twin, 'POST', 'faults', {'action': 'DescribeImageCaches', 'fault': 'malformed_no_list'})[0] == 200
    query, headers = helpers.sign(twin)
    status, body = helpers.send(twin, query, headers)
    assert status == 200 and 'ImageCaches' not in body and body['TotalCount'] == 2 and body['RequestId']
    query, headers = helpers.sign(twin)
    assert len(helpers.send(twin, query, headers)[1]['ImageCaches']) == 2  # one time only


def test_malformed_total_ends_the_listing_with_a_count_above_it(twin, helpers):
    helpers.control(twin, 'POST', 'reset', {'image_caches': seeds(3)})
    helpers.control(twin, 'POST', 'faults', {'action': 'DescribeImageCaches', 'fault': 'malformed_total'})
    query, headers = helpers.sign(twin, {'RegionId': 'cn-hangzhou', 'Limit': '2'})
    status, body = helpers.send(twin, query, headers)
    assert status == 200 and len(body['ImageCaches']) == 2 and body['TotalCount'] == 4 and body['NextToken'] == ''
    requests = helpers.control(twin, 'GET', 'requests')[1]
    assert requests[-1]['fault'] == 'malformed_total'


def test_an_unknown_fault_kind_names_the_new_kinds(twin, helpers):
    status, body = helpers.control(twin, 'POST', 'faults', {'fault': 'garbled'})
    assert status == 400 and 'malformed_no_list' in body['error'] and 'malformed_total' in body['error']


# -- seeded creation and last-matched times (issue 26) ------------------------------------------------------
def test_seeds_take_creation_and_last_matched_times(make_twin, make_client):
    twin = make_twin()
    before = time.time()
    twin.state.reset({'image_caches': [
        dict(name='old', images=['nginx:1.25'], creation_time='2026-01-02T03:04:05Z', last_matched_time='2026-02-01T00:00:00Z'),
        dict(name='relative', images=['nginx:1.25'], creation_time='40 days ago', last_matched_time='3 days ago'),
        dict(name='never', images=['nginx:1.25'], creation_time='10 days ago'),
        dict(name='plain', images=['nginx:1.25']),
    ]})
    caches = {c.image_cache_name: c for c in describe(make_client(target=twin)).image_caches}
    assert (caches['old'].creation_time, caches['old'].last_matched_time) == ('2026-01-02T03:04:05Z', '2026-02-01T00:00:00Z')
    # Relative to the reset, whenever the machine got round to it: 40 and 3 days before one moment.
    created, matched = stamp(caches['relative'].creation_time), stamp(caches['relative'].last_matched_time)
    assert matched - created == 37 * 86400
    assert before - 40 * 86400 - 1 <= created <= time.time() - 40 * 86400
    assert caches['never'].last_matched_time is None and caches['plain'].last_matched_time is None
    assert caches['never'].status == 'Ready'


def test_the_reset_endpoint_takes_seeded_times(twin, helpers, client):
    status, _body = helpers.control(twin, 'POST', 'reset', {'image_caches': [
        dict(name='idle', images=['nginx:1.25'], creation_time='2025-06-01T00:00:00Z', last_matched_time='2025-07-01T00:00:00Z')]})
    assert status == 200
    (cache,) = describe(client).image_caches
    assert (cache.creation_time, cache.last_matched_time) == ('2025-06-01T00:00:00Z', '2025-07-01T00:00:00Z')


@pytest.mark.parametrize('seed, message', [
    (dict(creation_time='yesterday'), 'creation_time'),
    (dict(last_matched_time='soon'), 'last_matched_time'),
    (dict(creation_time='2 days ago', last_matched_time='3 days ago'), 'before its creation_time'),
])
def test_bad_seeded_times_are_refused_naming_the_key(twin, helpers, seed, message):
    status, body = helpers.control(twin, 'POST', 'reset', {'image_caches': [dict(name='bad', images=['nginx:1.25'], **seed)]})
    assert status == 400 and message in body['error']


def test_seed_time_forms():
    assert seed_time(None, 1000.0, 'creation_time', 'x') is None
    assert seed_time('2 hours ago', 10000.0, 'creation_time', 'x') == 10000.0 - 7200
    assert seed_time('1 day ago', 100000.0, 'creation_time', 'x') == 100000.0 - 86400
    assert seed_time('1970-01-01T00:01:00Z', 0.0, 'creation_time', 'x') == 60.0
    with pytest.raises(FixtureError, match='cache x: creation_time'):
        seed_time('tomorrow', 0.0, 'creation_time', 'x')


def test_a_fixtures_file_with_a_bad_time_fails_at_load(tmp_path):
    path = tmp_path / 'fixtures.yml'
    path.write_text('image_caches: [{name: a, images: [nginx], creation_time: "not a time"}]\n', encoding='utf-8')
    with pytest.raises(FixtureError, match='creation_time'):
        load_fixtures(str(path))
    with pytest.raises(FixtureError):
        Emulator(fixtures=str(path))
