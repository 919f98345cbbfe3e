# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Malformed DescribeImageCaches answers through the modules, against the twin (issue 22, Deliver 6): an error naming
the action and the request id, never "no caches", never a create under another ClientToken."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache, eci_image_cache_info
from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator


@pytest.fixture
def twin():
    emulator = Emulator(ready_after=0.2).start()
    yield emulator
    emulator.stop()


def connection(twin):
    return dict(region='cn-hangzhou', access_key=DEFAULT_ACCESS_KEY_ID, secret_key=DEFAULT_ACCESS_KEY_SECRET,
                eci_endpoint=twin.url, vpc_endpoint=twin.url, ecs_endpoint=twin.url, api_retries=0)


def malformed_after_the_create(twin, kind):
    """From the first CreateImageCache on, every DescribeImageCaches answer is malformed."""
    state = twin.state
    original = state.take_fault

    def take_fault(action):
        if action == 'DescribeImageCaches' and any(r['action'] == 'CreateImageCache' for r in state.requests):
            return {'action': action, 'fault': kind, 'times': 1, 'seconds': 0.0}
        return original(action)

    state.take_fault = take_fault


@pytest.mark.parametrize('kind', ['malformed_no_list', 'malformed_total'])
def test_a_create_is_never_sent_again_under_another_token(run_module, twin, kind):
    malformed_after_the_create(twin, kind)
    result, failed = run_module(eci_image_cache.main, dict(
        connection(twin), name='web', images=['registry.example.com/app/web:1.0'], security_group_id='sg-demo',
        vswitch_ids=['vsw-demo'], size_check='skip', wait=True, wait_timeout=30))
    creates = [r for r in twin.state.requests if r['action'] == 'CreateImageCache']
    assert failed and result['error']['code'] == 'MalformedResponse'
    assert result['error']['action'] == 'DescribeImageCaches' and result['error']['request_id'] in result['msg']
    assert len(creates) == 1 and len(twin.state.caches) == 1


def test_the_info_module_fails_on_an_answer_without_its_list(run_module, twin):
    twin.state.add_fault('DescribeImageCaches', 'malformed_no_list', 1, 0.0)
    result, failed = run_module(eci_image_cache_info.main, connection(twin))
    assert failed and result['error']['code'] == 'MalformedResponse'
    assert result['error']['request_id'] == twin.state.requests[-1]['request_id']
