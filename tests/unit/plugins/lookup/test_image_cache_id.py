# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup alibabacloud.eci.image_cache_id against the twin (issue 26)."""

from __future__ import annotations

import sys

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_usage import choose_cache
from ansible_collections.alibabacloud.eci.plugins.module_utils.module import SECRET_ENVIRONMENT
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


def test_a_cache_the_clouds_matching_would_leave_out_still_wins(lookup, twin):
    # The default profile's MatchImage compares references verbatim: asked for nginx:1.25 it answers only imc-both,
    # while imc-older holds it (as docker.io/library/nginx:1.25) with no other image, so imc-older is the answer.
    twin.state.reset({'image_caches': SEEDS[:2]})
    assert lookup('nginx:1.25') == ['imc-older']
    assert all('MatchImage.1' not in r['params'] for r in describes(twin))


def test_a_cache_the_cloud_does_not_match_is_still_found(lookup, twin):
    # The default profile compares references verbatim: docker.io/library/nginx:1.25 is not "nginx:1.25" to it.
    twin.state.reset({'image_caches': [SEEDS[1]]})
    assert lookup('nginx:1.25') == ['imc-older']


def test_one_listing_per_lookup(lookup, twin):
    lookup('nginx:1.25', 'redis:7')
    pages = describes(twin)
    assert pages and all('NextToken' in r['params'] for r in pages[1:]), pages  # the pages of one listing


def test_the_lookup_masks_what_the_modules_mask(lookup, monkeypatch):
    """The secrets of the environment (the credentials chain's variables too) are masked in the lookup's errors: the
    modules' rule (module.secret_values), not a list of its own (ALIBABA_CLOUD_* were missing from it)."""
    plugin_module = sys.modules[type(lookup_loader.get('alibabacloud.eci.image_cache_id')).__module__]
    captured = {}
    real = plugin_module.Connection

    def connection(params, env, secrets=()):
        captured['secrets'] = secrets
        return real(params, env, secrets=secrets)

    monkeypatch.setattr(plugin_module, 'Connection', connection)
    values = {name: f'env-secret-{number}-value' for number, name in enumerate(SECRET_ENVIRONMENT)}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    lookup('nginx:1.25')
    missing = [name for name, value in values.items() if value not in captured['secrets']]
    assert not missing and DEFAULT_ACCESS_KEY_SECRET in captured['secrets'], missing


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
