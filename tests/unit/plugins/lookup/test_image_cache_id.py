# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup alibabacloud.eci.image_cache_id against the twin (issue 26)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_usage import choose_cache
from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

SEEDS = [
    dict(id='imc-both', name='both', images=['nginx:1.25', 'redis:7'], creation_time='10 days ago'),
    dict(id='imc-older', name='older', images=['docker.io/library/nginx:1.25'], creation_time='5 days ago'),
    dict(id='imc-newer', name='newer', images=['nginx:1.25'], creation_time='1 day ago'),
    dict(id='imc-failed', name='failed', images=['nginx:1.25'], status='Failed'),
    dict(id='imc-busy', name='busy-only-failed', images=['busybox:1.36'], status='Failed'),
]


@pytest.fixture(params=['default', 'hostile'])
def twin(request):
    emulator = Emulator(ready_after=0.2, profile=request.param).start()
    emulator.state.reset({'image_caches': SEEDS})
    yield emulator
    emulator.stop()


@pytest.fixture
def lookup(twin, monkeypatch):
    for name in ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_REGION", "ALICLOUD_ECI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    plugin = lookup_loader.get('alibabacloud.eci.image_cache_id')

    def run(*terms, **options):
        settings = dict(access_key=DEFAULT_ACCESS_KEY_ID, secret_key=DEFAULT_ACCESS_KEY_SECRET, region='cn-hangzhou',
                        eci_endpoint=twin.url, api_retries=0)
        settings.update(options)
        return plugin.run(list(terms), variables={}, **settings)

    return run


def describes(twin):
    return [r for r in twin.state.requests if r['action'] == 'DescribeImageCaches']


def test_the_cache_with_the_fewest_other_images_wins_the_newest_on_a_tie(lookup):
    # older and newer both hold nginx:1.25 alone (older in the canonical form): newer wins; both holds redis too.
    assert lookup('nginx:1.25') == ['imc-newer']


def test_every_image_must_be_held(lookup):
    assert lookup('nginx:1.25', 'redis:7') == ['imc-both']
    assert lookup(['docker.io/library/redis:7']) == ['imc-both']  # list terms flattened, references normalised


def test_the_clouds_own_matching_is_asked_first(lookup, twin):
    lookup('nginx:1.25', 'redis:7')
    first = describes(twin)[0]['params']
    assert first['MatchImage.1'] == 'nginx:1.25' and first['MatchImage.2'] == 'redis:7' and first['ImageFullMatch'] == 'True'


def test_a_cache_the_cloud_does_not_match_is_still_found(lookup, twin):
    # The default profile compares references verbatim: docker.io/library/nginx:1.25 is not "nginx:1.25" to it.
    twin.state.reset({'image_caches': [SEEDS[1]]})
    assert lookup('nginx:1.25') == ['imc-older']


def test_a_cache_that_is_not_ready_is_never_answered(lookup):
    with pytest.raises(AnsibleLookupError) as caught:
        lookup('busybox:1.36')
    assert 'busybox:1.36' in str(caught.value) and 'no Ready image cache' in str(caught.value)


def test_no_cache_is_an_error_naming_the_images(lookup):
    with pytest.raises(AnsibleLookupError) as caught:
        lookup('nginx:1.25', 'postgres:16')
    assert 'nginx:1.25, postgres:16' in str(caught.value) and 'cn-hangzhou' in str(caught.value)


def test_default_answers_instead_of_the_error(lookup):
    assert lookup('postgres:16', default='') == ['']
    assert lookup('postgres:16', default=None) == [None]


def test_a_bad_image_is_refused_before_any_call(lookup, twin):
    with pytest.raises(AnsibleLookupError) as caught:
        lookup('https://nginx')
    assert 'https://nginx' in str(caught.value) and not describes(twin)
    with pytest.raises(AnsibleLookupError, match='at least one image'):
        lookup()


def test_api_errors_never_show_the_secret(lookup):
    with pytest.raises(AnsibleLookupError) as caught:
        lookup('nginx:1.25', secret_key='wrong-secret-value-123', access_key='LTAIwrongkey12345')
    assert 'wrong-secret-value-123' not in str(caught.value) and 'DescribeImageCaches' in str(caught.value)


def test_the_environment_supplies_the_connection(twin, monkeypatch):
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", DEFAULT_ACCESS_KEY_ID)
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", DEFAULT_ACCESS_KEY_SECRET)
    monkeypatch.setenv("ALICLOUD_REGION", "cn-hangzhou")
    monkeypatch.setenv("ALICLOUD_ECI_ENDPOINT", twin.url)
    plugin = lookup_loader.get('alibabacloud.eci.image_cache_id')
    assert plugin.run(['nginx:1.25', 'redis:7'], variables={}) == ['imc-both']


def test_choose_cache_ranks_without_any_call():
    caches = [
        dict(image_cache_id='b', status='Ready', images=['nginx:1.25'], creation_time='2026-01-01T00:00:00Z'),
        dict(image_cache_id='a', status='Ready', images=['nginx:1.25'], creation_time='2026-01-01T00:00:00Z'),
        dict(image_cache_id='c', status='Updating', images=['nginx:1.25'], creation_time='2026-02-01T00:00:00Z'),
        dict(image_cache_id='d', status='Ready', images=['nginx:1.25', 'x:1'], creation_time='2026-03-01T00:00:00Z'),
    ]
    assert choose_cache(caches, ['docker.io/library/nginx:1.25'])['image_cache_id'] == 'a'  # same age: the smaller id
    assert choose_cache(caches, ['x:1'])['image_cache_id'] == 'd'
    assert choose_cache(caches, ['y:1']) is None
