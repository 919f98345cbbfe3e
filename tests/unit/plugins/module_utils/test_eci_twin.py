# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eci.describe_image_caches against the twin: the raw answers the SDK's models hide (issue 22)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError, Connection
from ansible_collections.alibabacloud.eci.plugins.module_utils.eci import describe_image_caches
from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator


@pytest.fixture
def twin():
    emulator = Emulator(ready_after=0.2, profile={'list_order': 'newest_first', 'page_limit_max': 20}).start()
    emulator.state.reset({'image_caches': [dict(name=f'seed-{n}', images=['nginx:1.25']) for n in range(5)]})
    yield emulator
    emulator.stop()


def connect(twin):
    return Connection(dict(region="cn-hangzhou", access_key=DEFAULT_ACCESS_KEY_ID, secret_key=DEFAULT_ACCESS_KEY_SECRET,
                           eci_endpoint=twin.url, api_retries=0), {})


def fault(twin, kind, times=1):
    twin.state.add_fault('DescribeImageCaches', kind, times, 0.0)


def test_an_answer_without_image_caches_is_an_error_not_no_caches(twin):
    fault(twin, 'malformed_no_list')
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connect(twin), name='seed-1')
    error = caught.value
    logged = twin.state.requests[-1]
    assert (error.action, error.code) == ("DescribeImageCaches", "MalformedResponse")
    assert error.request_id == logged['request_id'] and logged['request_id'] in str(error)
    assert len(twin.state.requests) == 1  # not read again, never taken for "no caches"


def test_an_empty_listing_from_the_twin_is_no_caches(twin):
    twin.state.reset({'image_caches': []})
    assert describe_image_caches(connect(twin)) == []


def test_a_truncated_listing_is_an_error_once_it_stays_truncated(twin):
    fault(twin, 'malformed_total', times=3)
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connect(twin), page_size=2)
    assert caught.value.code == "MalformedResponse" and "TotalCount 6" in caught.value.message
    assert caught.value.request_id == twin.state.requests[-1]['request_id']


def test_a_truncated_answer_once_is_read_again(twin):
    fault(twin, 'malformed_total', times=1)
    assert len(describe_image_caches(connect(twin), page_size=2)) == 5


def test_a_cache_created_between_pages_of_a_newest_first_cloud_is_no_duplicate(twin):
    connection = connect(twin)
    state = twin.state
    made = []
    original = state.listed_page

    def create_after_the_first_page(*args, **kwargs):
        result = original(*args, **kwargs)
        if not made:
            made.append(state.new_cache(name='new', region='cn-hangzhou', images=['nginx:1.25'], size=20, now=state.clock()))
        return result

    state.listed_page = create_after_the_first_page
    caches = describe_image_caches(connection, page_size=2)
    ids = [cache['image_cache_id'] for cache in caches]
    assert len(ids) == len(set(ids))
    assert {cache['image_cache_name'] for cache in caches} >= {f'seed-{n}' for n in range(5)}
