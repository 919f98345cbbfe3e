# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input: every case fails before any API call (the twin's request log stays empty) with a message naming the option.

Module cases run the module directly (python -m, no ansible-playbook) against a fresh twin each; role cases
run ansible-playbook with the role and the variables of the case.
"""

from __future__ import annotations

import concurrent.futures
import os
import tempfile

import pytest
import yaml

import twinlib

CREATE = dict(name='bad-input', images=['nginx:latest'], security_group_id='sg-demo', vswitch_ids=['vsw-demo'])
INFO = dict()
NETWORK = dict(vswitch_ids=['vsw-demo'])
DROP = object()  # a value that removes the option from the arguments

# Every case must fail before any API call (test_no_api_call_before_failing): no answer of the twin can change it.
pytestmark = pytest.mark.profile_independent('every case fails before any API call')


def many(prefix, count):
    return ['%s-%d' % (prefix, index) for index in range(count)]


# (id, module, base arguments, overrides, words the message must contain: any of them)
MODULE_CASES = [
    ('size-not-a-number', 'eci_image_cache', CREATE, dict(image_cache_size='big'), ['image_cache_size']),
    ('size-too-small', 'eci_image_cache', CREATE, dict(image_cache_size=10), ['image_cache_size']),
    ('size-too-big', 'eci_image_cache', CREATE, dict(image_cache_size=40000), ['image_cache_size']),
    ('size-fraction', 'eci_image_cache', CREATE, dict(image_cache_size=20.5), ['image_cache_size']),
    ('size-bool', 'eci_image_cache', CREATE, dict(image_cache_size=True), ['image_cache_size']),
    ('retention-zero', 'eci_image_cache', CREATE, dict(retention_days=0), ['retention_days']),
    ('retention-too-big', 'eci_image_cache', CREATE, dict(retention_days=70000), ['retention_days']),
    ('retention-not-int', 'eci_image_cache', CREATE, dict(retention_days='abc'), ['retention_days']),
    ('images-empty-list', 'eci_image_cache', CREATE, dict(images=[]), ['images']),
    ('images-too-many', 'eci_image_cache', CREATE, dict(images=['img%d:1' % n for n in range(21)]), ['images']),
    ('images-duplicate', 'eci_image_cache', CREATE, dict(images=['nginx:latest', 'nginx:latest']), ['images']),
    ('image-upper-case', 'eci_image_cache', CREATE, dict(images=['Nginx:latest']), ['images']),
    ('image-url-scheme', 'eci_image_cache', CREATE, dict(images=['https://registry.example.com/app:1']), ['images']),
    ('image-whitespace', 'eci_image_cache', CREATE, dict(images=['nginx latest']), ['images']),
    ('image-empty-string', 'eci_image_cache', CREATE, dict(images=['']), ['images']),
    ('image-bad-digest', 'eci_image_cache', CREATE, dict(images=['nginx@sha256:xyz']), ['images']),
    ('vswitches-too-many', 'eci_image_cache', CREATE, dict(vswitch_ids=many('vsw', 11)), ['vswitch_ids']),
    ('vswitch-with-comma', 'eci_image_cache', CREATE, dict(vswitch_ids=['vsw-a,vsw-b']), ['vswitch_ids']),
    ('tags-too-many', 'eci_image_cache', CREATE, dict(tags=dict(('k%d' % n, 'v') for n in range(21))), ['tags']),
    ('tag-key-aliyun', 'eci_image_cache', CREATE, dict(tags={'aliyun-owner': 'x'}), ['tags']),
    ('tag-key-acs', 'eci_image_cache', CREATE, dict(tags={'ACS:team': 'x'}), ['tags']),
    ('tag-value-url', 'eci_image_cache', CREATE, dict(tags={'doc': 'see http://example.com'}), ['tags']),
    ('tag-key-too-long', 'eci_image_cache', CREATE, dict(tags={'k' * 129: 'v'}), ['tags']),
    ('tag-value-too-long', 'eci_image_cache', CREATE, dict(tags={'k': 'v' * 129}), ['tags']),
    ('tags-not-a-dict', 'eci_image_cache', CREATE, dict(tags='not a dict'), ['tags']),
    ('state-unknown', 'eci_image_cache', CREATE, dict(state='gone'), ['state']),
    ('elimination-unknown', 'eci_image_cache', CREATE, dict(elimination_strategy='FIFO'), ['elimination_strategy']),
    ('size-check-unknown', 'eci_image_cache', CREATE, dict(size_check='maybe'), ['size_check']),
    ('flash-copies-negative', 'eci_image_cache', CREATE, dict(flash_copy_count=-1), ['flash_copy_count']),
    ('standard-copies-negative', 'eci_image_cache', CREATE, dict(standard_copy_count=-2), ['standard_copy_count']),
    ('wait-timeout-negative', 'eci_image_cache', CREATE, dict(wait_timeout=-5), ['wait_timeout']),
    ('name-empty', 'eci_image_cache', CREATE, dict(name=''), ['name']),
    ('name-and-id-missing', 'eci_image_cache', CREATE, dict(name=DROP), ['name']),
    ('registry-server-scheme', 'eci_image_cache', CREATE,
     dict(image_registry_credentials=[dict(server='https://reg.example.com', username='u', password='pass-word-1')]),
     ['image_registry_credentials']),
    ('registry-password-missing', 'eci_image_cache', CREATE,
     dict(image_registry_credentials=[dict(server='reg.example.com', username='u')]), ['password']),
    ('registry-credentials-too-many', 'eci_image_cache', CREATE,
     dict(image_registry_credentials=[dict(server='r%d.example.com' % n, username='u', password='pass-word-1') for n in range(11)]),
     ['image_registry_credentials']),
    ('insecure-registry-scheme', 'eci_image_cache', CREATE, dict(insecure_registries=['http://reg.example.com']),
     ['insecure_registries']),
    ('plain-http-registry-path', 'eci_image_cache', CREATE, dict(plain_http_registries=['reg.example.com/ns']),
     ['plain_http_registries']),
    ('acr-instance-empty', 'eci_image_cache', CREATE, dict(acr_registry_info=[dict(instance_id='')]), ['instance_id']),
    ('unknown-option', 'eci_image_cache', CREATE, dict(colour='red'), ['colour']),
    ('api-retries-negative', 'eci_image_cache', CREATE, dict(api_retries=-1), ['api_retries']),
    ('retry-seconds-negative', 'eci_image_cache', CREATE, dict(api_retry_max_seconds=-1), ['api_retry_max_seconds']),
    ('read-timeout-zero', 'eci_image_cache', CREATE, dict(read_timeout=0), ['read_timeout']),
    ('connect-timeout-negative', 'eci_image_cache', CREATE, dict(connect_timeout=-1), ['connect_timeout']),
    ('endpoint-bad-scheme', 'eci_image_cache', CREATE, dict(eci_endpoint='ftp://127.0.0.1:1'), ['eci_endpoint']),
    ('endpoint-bad-port', 'eci_image_cache', CREATE, dict(eci_endpoint='127.0.0.1:99999'), ['eci_endpoint']),
    ('region-missing', 'eci_image_cache', CREATE, dict(region=DROP), ['region']),
    ('secret-key-missing', 'eci_image_cache', CREATE, dict(secret_key=DROP), ['secret_key']),
    ('profile-and-keys', 'eci_image_cache', CREATE, dict(profile='default'), ['profile']),
    ('info-page-size-zero', 'eci_image_cache_info', INFO, dict(page_size=0), ['page_size']),
    ('info-page-size-too-big', 'eci_image_cache_info', INFO, dict(page_size=101), ['page_size']),
    ('info-match-images-empty', 'eci_image_cache_info', INFO, dict(match_images=[]), ['match_images']),
    ('info-match-images-too-many', 'eci_image_cache_info', INFO, dict(match_images=many('img', 101)), ['match_images']),
    ('info-match-count-zero', 'eci_image_cache_info', INFO, dict(match_images=['nginx:latest'], image_match_count=0),
     ['image_match_count']),
    ('info-full-match-alone', 'eci_image_cache_info', INFO, dict(image_full_match=True), ['match_images']),
    ('info-status-unknown', 'eci_image_cache_info', INFO, dict(status=['Done']), ['status']),
    ('info-empty-id', 'eci_image_cache_info', INFO, dict(image_cache_ids=['']), ['image_cache_ids']),
    ('info-tags-not-a-dict', 'eci_image_cache_info', INFO, dict(tags='x'), ['tags']),
    ('info-page-size-not-int', 'eci_image_cache_info', INFO, dict(page_size='many'), ['page_size']),
    # Issue 23: names, ids, tag values and ports the cloud would refuse (or take wrongly), refused before any call.
    ('name-trailing-newline', 'eci_image_cache', CREATE, dict(name='bad-input\n'), ['name']),
    ('name-control-character', 'eci_image_cache', CREATE, dict(name='bad\x1b[31m'), ['name']),
    ('name-surrounding-blanks', 'eci_image_cache', CREATE, dict(name=' bad-input '), ['name']),
    ('name-too-long', 'eci_image_cache', CREATE, dict(name='n' * 129), ['name']),
    ('security-group-newline', 'eci_image_cache', CREATE, dict(security_group_id='sg-demo\n'), ['security_group_id']),
    ('vswitch-newline', 'eci_image_cache', CREATE, dict(vswitch_ids=['vsw-demo\n']), ['vswitch_ids']),
    ('tag-value-a-list', 'eci_image_cache', CREATE, dict(tags={'team': ['a', 'b']}), ['tags']),
    ('tag-value-a-dict', 'eci_image_cache', CREATE, dict(tags={'team': {'a': 1}}), ['tags']),
    ('image-port-out-of-range', 'eci_image_cache', CREATE, dict(images=['reg.example.com:99999/app:1']), ['images']),
    ('plain-http-port-out-of-range', 'eci_image_cache', CREATE, dict(plain_http_registries=['reg.example.com:70000']),
     ['plain_http_registries']),
    ('network-nothing-given', 'eci_network_info', NETWORK, dict(vswitch_ids=DROP), ['vswitch_ids']),
    ('network-vswitches-too-many', 'eci_network_info', NETWORK, dict(vswitch_ids=many('vsw', 11)), ['vswitch_ids']),
    ('network-empty-vswitch', 'eci_network_info', NETWORK, dict(vswitch_ids=['']), ['vswitch_ids']),
    ('network-unknown-option', 'eci_network_info', NETWORK, dict(nat_gateway_id='ngw-demo'), ['nat_gateway_id']),
    ('network-read-timeout-zero', 'eci_network_info', NETWORK, dict(read_timeout=0), ['read_timeout']),
]

ROLE_BASE = dict(image_cache_name='bad-input', image_cache_images=['nginx:latest'], image_cache_security_group_id='sg-demo',
                 image_cache_vswitch_ids=['vsw-demo'], image_cache_wait=False)
# (id, variable overrides, words the message must contain: any of them)
ROLE_CASES = [
    ('role-name-missing', dict(image_cache_name=DROP), ['image_cache_name']),
    ('role-state-unknown', dict(image_cache_state='gone'), ['image_cache_state']),
    ('role-images-not-a-list', dict(image_cache_images=dict(a=1)), ['image_cache_images']),
    ('role-wait-timeout-not-int', dict(image_cache_wait_timeout='soon'), ['image_cache_wait_timeout']),
    ('role-elimination-unknown', dict(image_cache_elimination_strategy='FIFO'), ['image_cache_elimination_strategy']),
    ('role-size-too-small', dict(image_cache_size=10), ['image_cache_size']),
    ('role-retention-zero', dict(image_cache_retention_days=0), ['image_cache_retention_days']),
    ('role-images-too-many', dict(image_cache_images=['img%d:1' % n for n in range(21)]), ['image_cache_images', 'images']),
    ('role-vswitches-too-many', dict(image_cache_vswitch_ids=many('vsw', 11)), ['image_cache_vswitch_ids', 'vSwitches']),
    ('role-registry-password-missing', dict(image_cache_image_registry_credentials=[dict(server='r.example.com', username='u')]),
     ['password']),
    ('role-image-malformed', dict(image_cache_images=['Bad Image']), ['image']),
    ('role-tag-key-aliyun', dict(image_cache_tags={'aliyun-owner': 'x'}), ['tags']),
    ('role-vswitch-ids-numbers', dict(image_cache_vswitch_ids=[1]), ['image_cache_vswitch_ids']),
    ('role-name-newline', dict(image_cache_name='bad-input\n'), ['image_cache_name']),
    ('role-tag-value-a-list', dict(image_cache_tags={'team': ['a']}), ['image_cache_tags']),
]


def apply(base, overrides):
    args = dict(base)
    for key, value in overrides.items():
        if value is DROP:
            args.pop(key, None)
        else:
            args[key] = value
    return args


def run_module_case(case):
    ident, module, base, overrides, words = case
    with twinlib.Twin() as twin:
        args = apply(twin.auth_args(**base), overrides)
        run = twinlib.run_module(module, args, timeout=60)
        log = twin.requests()
    return ident, run, log, words


def run_role_case(case, workdir):
    ident, overrides, words = case
    variables = apply(ROLE_BASE, overrides)
    playbook = os.path.join(workdir, ident + '.yml')
    with open(playbook, 'w', encoding='utf-8') as handle:
        yaml.safe_dump([dict(name='Role case ' + ident, hosts='localhost', gather_facts=False, vars=variables,
                             roles=['alibabacloud.eci.image_cache'])], handle)
    log_file = os.path.join(workdir, ident + '.jsonl')
    with twinlib.Twin() as twin:
        run = twinlib.run_playbook(playbook, twin, env=twinlib.callback_env(log_file), timeout=180)
        log = twin.requests()
    failed = [record['result'].get('msg') or '' for record in twinlib.read_results(log_file) if record['status'] == 'failed']
    run.result = dict(failed=bool(failed), msg=' '.join(str(msg) for msg in failed))
    return ident, run, log, words


@pytest.fixture(scope='module')
def outcomes():
    workdir = tempfile.mkdtemp(prefix='eci-bad-input-')
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(run_module_case, case) for case in MODULE_CASES]
        futures += [pool.submit(run_role_case, case, workdir) for case in ROLE_CASES]
        results = [future.result() for future in futures]
    rows = []
    for ident, run, log, words in results:
        named = any(word.lower() in run.msg.lower() for word in words)
        rows.append((ident, 'failed' if run.failed else 'PASSED', len(log), 'yes' if named else 'NO', run.msg[:140].replace('\n', ' ')))
    text = ('Bad input: %d cases (%d module, %d role)\n' % (len(results), len(MODULE_CASES), len(ROLE_CASES))
            + twinlib.table(('case', 'outcome', 'api calls', 'names option', 'message'), rows))
    path = twinlib.write_output('bad_input.txt', text)
    print('\n' + text + 'written to ' + path)
    return results


def test_at_least_forty_cases():
    assert len(MODULE_CASES) + len(ROLE_CASES) >= 40


def test_every_case_fails(outcomes):
    assert [ident for ident, run, log, words in outcomes if not run.failed] == []


def test_no_api_call_before_failing(outcomes):
    assert ['%s: %s' % (ident, sorted(set(entry['action'] for entry in log))) for ident, run, log, words in outcomes if log] == []


def test_message_names_the_option(outcomes):
    assert ['%s: %s' % (ident, run.msg[:300]) for ident, run, log, words in outcomes
            if not any(word.lower() in run.msg.lower() for word in words)] == []
