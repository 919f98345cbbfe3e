# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_cache_info: idle_days (issue 26) and listings that repeat or break (issue 22), against the twin."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_usage import idle_days
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache_info
from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

DAY = 86400
SEEDS = [
    dict(id='imc-fresh', name='fresh', images=['nginx:1.25'], creation_time='2 days ago', tags={'team': 'web'}),
    dict(id='imc-used', name='used', images=['nginx:1.25'], creation_time='90 days ago', last_matched_time='3 days ago',
         tags={'team': 'web'}),
    dict(id='imc-idle', name='idle', images=['nginx:1.25'], creation_time='90 days ago', last_matched_time='45 days ago',
         tags={'team': 'web'}),
    dict(id='imc-never', name='never', images=['nginx:1.25'], creation_time='31 days ago', tags={'team': 'api'}),
]


@pytest.fixture(params=['default', 'hostile'])
def twin(request):
    emulator = Emulator(ready_after=0.2, profile=request.param).start()
    emulator.state.reset({'image_caches': SEEDS})
    yield emulator
    emulator.stop()


def args(twin, **options):
    return dict(region='cn-hangzhou', access_key=DEFAULT_ACCESS_KEY_ID, secret_key=DEFAULT_ACCESS_KEY_SECRET,
                eci_endpoint=twin.url, api_retries=0, **options)


def by_id(result):
    return {cache['image_cache_id']: cache for cache in result['image_caches']}


def test_every_cache_has_idle_days(run_module, twin):
    result, failed = run_module(eci_image_cache_info.main, args(twin))
    assert not failed
    days = {ident: cache['idle_days'] for ident, cache in by_id(result).items()}
    # Since the last match when there is one, else since the creation.
    assert days == {'imc-fresh': 2, 'imc-used': 3, 'imc-idle': 45, 'imc-never': 31}


def test_the_idle_days_option_keeps_the_caches_idle_that_long(run_module, twin):
    result, failed = run_module(eci_image_cache_info.main, args(twin, idle_days=31))
    assert not failed and sorted(by_id(result)) == ['imc-idle', 'imc-never']
    result, _failed = run_module(eci_image_cache_info.main, args(twin, idle_days=32, tags={'team': 'web'}))
    assert sorted(by_id(result)) == ['imc-idle']
    result, _failed = run_module(eci_image_cache_info.main, args(twin, idle_days=0))
    assert len(result['image_caches']) == 4


def test_a_negative_idle_days_fails_before_any_call(run_module, twin):
    result, failed = run_module(eci_image_cache_info.main, args(twin, idle_days=-1))
    assert failed and 'idle_days' in result['msg'] and '0 or more' in result['msg']
    assert not twin.state.requests


@pytest.mark.parametrize('cache, expected', [
    (dict(creation_time='1970-01-01T00:00:00Z', last_matched_time=None), 10),
    (dict(creation_time='1970-01-01T00:00:00Z', last_matched_time=''), 10),
    (dict(creation_time='1970-01-01T00:00:00Z', last_matched_time='1970-01-08T12:00:00Z'), 2),
    (dict(creation_time='1970-01-11T00:00:01Z'), 0),          # in the future: 0, never negative
    (dict(creation_time='not a time'), None),
    (dict(), None),
])
def test_idle_days_counts_whole_days(cache, expected):
    assert idle_days(cache, 10 * DAY + 3600) == expected


def test_a_cache_repeated_across_pages_is_listed_once(run_module, monkeypatch):
    # A newest-first cloud and a cache created between two page reads: the repeated cache is one cache.
    with Emulator(ready_after=0.2, profile={'list_order': 'newest_first', 'page_limit_max': 20}) as twin:
        twin.state.reset({'image_caches': [dict(name=f'c-{n}', images=['nginx:1.25']) for n in range(5)]})
        state, original, made = twin.state, twin.state.listed_page, []

        def create_after_the_first_page(*a, **k):
            result = original(*a, **k)
            if not made:
                made.append(state.new_cache(name='late', region='cn-hangzhou', images=['x:1'], size=20, now=state.clock()))
            return result

        monkeypatch.setattr(state, 'listed_page', create_after_the_first_page)
        result, failed = run_module(eci_image_cache_info.main, args(twin, page_size=2))
    assert not failed
    ids = [cache['image_cache_id'] for cache in result['image_caches']]
    assert len(ids) == len(set(ids)) and {f'c-{n}' for n in range(5)} <= {c['image_cache_name'] for c in result['image_caches']}


def test_a_listing_without_its_list_fails_naming_the_action_and_request_id(run_module, twin):
    twin.state.add_fault('DescribeImageCaches', 'malformed_no_list', 1, 0.0)
    result, failed = run_module(eci_image_cache_info.main, args(twin))
    request_id = twin.state.requests[-1]['request_id']
    assert failed and result['error']['code'] == 'MalformedResponse' and result['error']['request_id'] == request_id
    assert 'DescribeImageCaches' in result['msg'] and request_id in result['msg']


def test_measure_images_gives_what_the_images_need(run_module, twin, monkeypatch):
    from ansible_collections.alibabacloud.eci.plugins.module_utils import image_reads

    gib = 1024 ** 3
    # The hostile profile echoes images in Docker's canonical form.
    sizes = {name: dict(image=name, registry='docker.io', compressed_size=gib, uncompressed_size=3 * gib)
             for name in ('nginx:1.25', 'docker.io/library/nginx:1.25')}
    reads = []

    def fake_sizes(self, images, platform, credentials, plain, insecure):
        reads.append(list(images))
        return [sizes.get(i) or dict(image=i, error=dict(kind='unreachable', message='no route', registry='x'))
                for i in images]

    monkeypatch.setattr(image_reads.RegistryReads, 'sizes', fake_sizes)
    twin.state.reset({'image_caches': SEEDS[:2] + [dict(id='imc-other', name='other', images=['other:1'])]})
    result, failed = run_module(eci_image_cache_info.main, args(twin, measure_images=True))
    assert not failed
    caches = by_id(result)
    assert (caches['imc-fresh']['images_size_gib'], caches['imc-fresh']['needed_size_gib']) == (3.0, 20)
    assert (caches['imc-other']['images_size_gib'], caches['imc-other']['needed_size_gib']) == (None, None)
    result, _failed = run_module(eci_image_cache_info.main, args(twin))
    assert 'needed_size_gib' not in result['image_caches'][0]


def test_find_held_by_names_the_other_ready_caches_holding_every_image(run_module, twin):
    twin.state.reset({'image_caches': [
        dict(id='imc-small', name='small', images=['nginx:1.25']),
        dict(id='imc-big', name='big', images=['docker.io/library/nginx:1.25', 'redis:7']),
        dict(id='imc-twin', name='twin', images=['nginx:1.25']),
        dict(id='imc-failed', name='failed', images=['nginx:1.25', 'redis:7', 'x:1'], status='Failed'),
    ]})
    result, failed = run_module(eci_image_cache_info.main, args(twin, find_held_by=True))
    assert not failed
    held = {ident: sorted(cache['held_by']) for ident, cache in by_id(result).items()}
    # A Failed cache holds nothing a pod can use; normalised references compare equal.
    assert held == {'imc-small': ['imc-big', 'imc-twin'], 'imc-big': [], 'imc-twin': ['imc-big', 'imc-small'],
                    'imc-failed': []}
