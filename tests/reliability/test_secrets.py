# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets never leak: playbooks on success and failure paths, run with -vvv and --diff, with every result
written to a file by a callback; stdout, stderr, the result files and the twin's request log are searched
for every secret (AccessKey secrets, the STS token, registry passwords) in plain, URL-encoded and JSON forms."""

from __future__ import annotations

import json
import os
import tempfile

import twinlib


def leaks(texts, secrets_by_name):
    found = []
    for where, text in texts.items():
        for name, secret in secrets_by_name.items():
            for form in twinlib.encoded_forms(secret):
                if form in text:
                    found.append('%s found in %s (as %r)' % (name, where, form[:4] + '...'))
    return found


def run_paths(twin, label, workdir, secrets_by_name):
    log_file = os.path.join(workdir, label + '.jsonl')
    env = dict(twinlib.callback_env(log_file), TEST_REGISTRY_PASSWORD=secrets_by_name['registry password'],
               TEST_REGISTRY_PASSWORD_2=secrets_by_name['second registry password'],
               TEST_WRONG_SECRET=secrets_by_name['wrong secret'], TEST_WRONG_TOKEN=secrets_by_name['wrong security token'],
               TEST_CACHE_NAME='secrets-' + label)
    run = twinlib.run_playbook(os.path.join(twinlib.PLAYBOOK_DIR, 'secrets.yml'), twin, extra_args=['-vvv', '--diff'],
                               env=env, timeout=300)
    with open(log_file, encoding='utf-8') as handle:
        results = handle.read()
    texts = {label + ' stdout': run.stdout, label + ' stderr': run.stderr, label + ' callback results': results,
             label + ' request log': json.dumps(twin.requests())}
    return run, texts, twinlib.read_results(log_file)


def test_no_secret_in_any_output():
    workdir = tempfile.mkdtemp(prefix='eci-secrets-')
    common = {'registry password': twinlib.new_secret(), 'second registry password': twinlib.new_secret(),
              'wrong secret': twinlib.new_secret(), 'wrong security token': twinlib.new_secret()}
    texts, statuses, all_secrets = {}, {}, dict(common)
    with twinlib.Twin() as plain:
        all_secrets['AccessKey secret'] = plain.secret_key
        run, found_texts, records = run_paths(plain, 'keys', workdir, common)
        texts.update(found_texts)
        statuses['keys'] = (run, records)
    with twinlib.Twin(security_token=twinlib.new_secret()) as sts:
        all_secrets['STS AccessKey secret'] = sts.secret_key
        all_secrets['STS security token'] = sts.security_token
        run, found_texts, records = run_paths(sts, 'sts', workdir, common)
        texts.update(found_texts)
        statuses['sts'] = (run, records)
    # The paths really ran: the success and the failure paths each left a result.
    for label, (run, records) in statuses.items():
        assert run.rc == 0, '%s: %s' % (label, run.stdout[-3000:])
        failed = set(record['task'] for record in records if record['status'] == 'failed')
        assert {'API error with a registry password (unknown security group)', 'Wrong AccessKey secret',
                'Connection error with a registry password (nothing listens)',
                'A security token the endpoint does not accept'} <= failed, (label, failed)
        assert 'SignatureDoesNotMatch' in ''.join(json.dumps(r['result']) for r in records if r['task'] == 'Wrong AccessKey secret')
        assert 'InvalidSecurityToken' in ''.join(json.dumps(r['result']) for r in records
                                                 if r['task'] == 'A security token the endpoint does not accept')
    text = 'Secrets searched: %s\nin: %s\n' % (', '.join(sorted(all_secrets)), ', '.join('%s (%d bytes)' % (k, len(v))
                                                                                         for k, v in sorted(texts.items())))
    found = leaks(texts, all_secrets)
    text += 'hits: %d\n%s' % (len(found), '\n'.join(found))
    print('\n' + text + '\nwritten to ' + twinlib.write_output('secrets.txt', text + '\n'))
    assert found == []
