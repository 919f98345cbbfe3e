# -*- coding: utf-8 -*-
"""Run the sample AWX job templates of docs/awx/job_template.yml the way AWX runs a job.

For every awx.awx.job_template of the sample, as AWX / Automation Controller would:
- the job's credential is rendered through the credential type's injectors (docs/awx/credential_type.yml)
  like AWX renders them: a sandboxed Jinja2 environment whose namespace holds only the inputs that are set,
  so an unset optional field becomes an empty string;
- the inventory is what AWX imports from the project file of the inventory source
  (`ansible-inventory --list --export`), written as the executable inventory script AWX hands to a job,
  sliced like AWX slices it (hosts ordered by name, every job_slice_count-th host per slice);
- a private data directory holds the project (the collection's playbooks/ and inventories/), the
  inventory, env/envvars (the injected variables and nothing else of ALICLOUD_*), env/extravars (the
  template's extra_vars) and env/cmdline (forks, limit);
- `ansible-runner run` runs the template's playbook against the twin started by tests/utils/with_emulator.py,
  and the assertions read the job events ansible-runner writes: per host ok and changed, no failed or
  unreachable event, the secret key in no event.
Every job template starts from a fresh twin world (tests/awx/world.yml): each is another account.
Run by `make awx-runner` (with_emulator.py sets ALICLOUD_* and EMULATOR_URL for this process only).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import stat
import subprocess
import sys
import urllib.request

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The collection tree's ansible_collections/ folder, so the test reads the build record with the collection's own parser.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(ROOT))))
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import BUILD_TAG_KEY, parse_build_record  # noqa: E402
AWX_DIR = os.path.join(ROOT, 'docs', 'awx')
CREDENTIAL_TYPE = 'Alibaba Cloud ECI'
BIN = os.path.dirname(sys.executable)


def _awx_objects():
    """{module short name: {object name: module arguments}} of the sample playbook's tasks."""
    with open(os.path.join(AWX_DIR, 'job_template.yml'), encoding='utf-8') as handle:
        plays = yaml.safe_load(handle)
    objects = {}
    for task in (t for play in plays for t in play.get('tasks', [])):
        module = next(k for k in task if k.startswith('awx.awx.'))
        args = task[module]
        objects.setdefault(module.split('.')[-1], {})[args['name']] = args
    return objects


OBJECTS = _awx_objects()
with open(os.path.join(AWX_DIR, 'credential_type.yml'), encoding='utf-8') as _handle:
    CREDENTIAL_TYPE_DEF = yaml.safe_load(_handle)


def render_injectors(credential_type, inputs):
    """The environment AWX injects for a credential of this type with these inputs."""
    namespace = {'tower': {}}
    for field in credential_type['inputs']['fields']:
        value = inputs.get(field['id'])
        if field.get('type') == 'boolean':
            namespace[field['id']] = bool(value)
        elif value:  # AWX leaves unset and empty inputs out: they render as ''
            namespace[field['id']] = value
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type['injectors'].get('env', {}).items()}


def inventory_data(project, source_path, slice_number=1, slice_count=1):
    """The inventory AWX gives a job: imported with ansible-inventory --list --export, then sliced."""
    result = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', os.path.join(project, source_path),
                             '--list', '--export'], capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    hosts = sorted(data['_meta']['hostvars'])
    if slice_count > 1:
        hosts = hosts[slice_number - 1::slice_count]
    data['_meta']['hostvars'] = {h: v for h, v in data['_meta']['hostvars'].items() if h in hosts}
    for group in data.values():
        if isinstance(group, dict) and 'hosts' in group:
            group['hosts'] = [h for h in group['hosts'] if h in hosts]
    return data, hosts


def twin(path, method='GET'):
    request = urllib.request.Request(os.environ['EMULATOR_URL'] + path, method=method, data=b'' if method == 'POST' else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode('utf-8'))


def credential_inputs(credential):
    """The sample credential's inputs, with the twin's keys and endpoints for its placeholders."""
    inputs = {k: v for k, v in credential['inputs'].items() if '{{' not in str(v)}
    inputs.update(access_key=os.environ['ALICLOUD_ACCESS_KEY'], secret_key=os.environ['ALICLOUD_SECRET_KEY'],
                  eci_endpoint=os.environ['EMULATOR_URL'], vpc_endpoint=os.environ['EMULATOR_URL'],
                  ecs_endpoint=os.environ['EMULATOR_URL'])
    return inputs


def private_data_dir(base, template, injected, inventory):
    """Lay a job out as AWX does for ansible-runner; return the directory."""
    pdd = os.path.join(base, 'pdd')
    project = os.path.join(pdd, 'project')
    for folder in ('playbooks', 'inventories'):
        shutil.copytree(os.path.join(ROOT, folder), os.path.join(project, folder))
    os.makedirs(os.path.join(pdd, 'inventory'))
    script = os.path.join(pdd, 'inventory', 'hosts')
    with open(script, 'w', encoding='utf-8') as handle:
        handle.write('#! %s\n# -*- coding: utf-8 -*-\nimport json\nprint(json.dumps(json.loads(%r)))\n' % (sys.executable, json.dumps(inventory)))
    os.chmod(script, stat.S_IRWXU)
    os.makedirs(os.path.join(pdd, 'env'))
    envvars = dict(injected, JOB_ID='1', AWX_HOST='https://awx.example.com', ANSIBLE_RETRY_FILES_ENABLED='False')
    extravars = dict(template.get('extra_vars') or {}, awx_job_template_name=template['name'],
                     awx_inventory_name=template['inventory'])
    cmdline = ['--forks=%d' % template['forks']] if template.get('forks') else []
    if template.get('limit'):
        cmdline += ['--limit', template['limit']]
    for name, content in (('envvars', envvars), ('extravars', extravars)):
        with open(os.path.join(pdd, 'env', name), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(content, handle)
    with open(os.path.join(pdd, 'env', 'cmdline'), 'w', encoding='utf-8') as handle:
        handle.write(' '.join(cmdline))
    return pdd


def run_job(pdd, playbook, ident):
    """`ansible-runner run`; return (status, rc, events, stdout)."""
    # The job sees only what AWX gives it: none of this process's ALICLOUD_* / ALIBABA_CLOUD_* variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith(('ALICLOUD_', 'ALIBABA_CLOUD_', 'EMULATOR_'))}
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    result = subprocess.run([os.path.join(BIN, 'ansible-runner'), 'run', pdd, '-p', playbook, '--ident', ident],
                            env=env, capture_output=True, text=True, timeout=600, check=False)
    artifacts = os.path.join(pdd, 'artifacts', ident)
    with open(os.path.join(artifacts, 'status'), encoding='utf-8') as handle:
        status = handle.read().strip()
    with open(os.path.join(artifacts, 'rc'), encoding='utf-8') as handle:
        rc = int(handle.read().strip())
    events = []
    for path in glob.glob(os.path.join(artifacts, 'job_events', '*.json')):
        with open(path, encoding='utf-8') as handle:
            events.append(json.load(handle))
    events.sort(key=lambda e: e['counter'])
    return status, rc, events, result.stdout + result.stderr


def assert_job(status, rc, events, output, hosts, secret, changed):
    """The job succeeded on every host, changed (or not) each, and never showed the secret."""
    assert status == 'successful' and rc == 0, output[-4000:]
    failed = [e for e in events if e['event'] in ('runner_on_failed', 'runner_on_unreachable')
              and not e['event_data'].get('ignore_errors')]
    assert not failed, [(e['event_data'].get('host'), e['event_data'].get('task'), e['event_data'].get('res', {}).get('msg'))
                        for e in failed]
    stats = next(e['event_data'] for e in events if e['event'] == 'playbook_on_stats')
    assert not stats.get('failures') and not stats.get('dark'), stats
    assert sorted(stats.get('ok') or {}) == sorted(hosts), stats
    changed_hosts = sorted(h for h, n in (stats.get('changed') or {}).items() if n)
    assert changed_hosts == (sorted(hosts) if changed else []), stats
    ok_hosts = {e['event_data']['host'] for e in events if e['event'] == 'runner_on_ok'}
    assert ok_hosts == set(hosts), ok_hosts
    leaks = [e['counter'] for e in events if secret in json.dumps(e)]
    assert not leaks, 'the secret key is in job events %s' % leaks


def test_sample_is_what_awx_allows():
    """One credential of the ECI type per job template and one per account; inventories from project files."""
    templates = OBJECTS['job_template']
    assert templates, 'docs/awx/job_template.yml defines no job template'
    used = []
    for name, template in templates.items():
        credentials = template.get('credentials') or []
        types = [OBJECTS['credential'][c]['credential_type'] for c in credentials]
        assert types.count(CREDENTIAL_TYPE) == 1, '%s: AWX allows one credential of a type per job, got %s' % (name, credentials)
        used += credentials
        sources = [s for s in OBJECTS['inventory_source'].values() if s['inventory'] == template['inventory']]
        assert len(sources) == 1 and os.path.isfile(os.path.join(ROOT, sources[0]['source_path'])), name
        assert os.path.isfile(os.path.join(ROOT, template['playbook'])), template['playbook']
    assert len(used) == len(set(used)) == len(OBJECTS['credential']), 'one credential per account: %s' % used
    assert CREDENTIAL_TYPE_DEF['name'] == CREDENTIAL_TYPE


def test_injectors_render_like_awx():
    """Unset optional fields are injected as empty strings (the modules treat them as unset)."""
    env = render_injectors(CREDENTIAL_TYPE_DEF, {'access_key': 'LTAIexample', 'secret_key': 's3cret', 'region': 'cn-hangzhou'})
    assert env['ALICLOUD_ACCESS_KEY'] == 'LTAIexample' and env['ALICLOUD_SECRET_KEY'] == 's3cret'
    assert env['ALICLOUD_REGION'] == 'cn-hangzhou'
    assert env['ALICLOUD_SECURITY_TOKEN'] == '' and env['ALICLOUD_ECI_ENDPOINT'] == ''
    assert render_injectors(CREDENTIAL_TYPE_DEF, {'eci_endpoint': 'http://127.0.0.1:1'})['ALICLOUD_ECI_ENDPOINT'] == 'http://127.0.0.1:1'


@pytest.mark.parametrize('name', sorted(OBJECTS['job_template']))
def test_job_template(name, tmp_path):
    """Every slice of the job succeeds and creates the cache on each of its hosts; a relaunch changes nothing."""
    template = OBJECTS['job_template'][name]
    credential = OBJECTS['credential'][template['credentials'][0]]
    inputs = credential_inputs(credential)
    injected = render_injectors(CREDENTIAL_TYPE_DEF, inputs)
    assert injected['ALICLOUD_SECURITY_TOKEN'] == ''  # an unset optional field, as AWX injects it
    source = next(s for s in OBJECTS['inventory_source'].values() if s['inventory'] == template['inventory'])
    twin('/_emulator/reset', 'POST')  # another account

    slices = max(1, template.get('job_slice_count') or 1)
    all_hosts = []
    for number in range(1, slices + 1):
        inventory, hosts = inventory_data(ROOT, source['source_path'], number, slices)
        assert hosts, '%s: slice %d of %d is empty' % (name, number, slices)
        all_hosts += hosts
        pdd = private_data_dir(str(tmp_path / ('slice%d' % number)), template, injected, inventory)
        assert_job(*run_job(pdd, template['playbook'], 'launch'), hosts=hosts, secret=inputs['secret_key'], changed=True)
        if number == 1 and name == min(OBJECTS['job_template']):
            # Relaunched, the slice finds its caches and changes nothing (once: each run costs seconds).
            assert_job(*run_job(pdd, template['playbook'], 'relaunch'), hosts=hosts, secret=inputs['secret_key'], changed=False)

    # One cache per host's region, with the settings of the inventory: each region saw its own host only.
    hostvars = inventory_data(ROOT, source['source_path'])[0]['_meta']['hostvars']
    caches = twin('/_emulator/state')['image_caches']
    regions = sorted(hostvars[h]['image_cache_region'] for h in all_hosts)
    assert sorted(c['RegionId'] for c in caches) == regions, caches
    for cache in caches:
        assert cache['ImageCacheName'] == 'web-frontend' and cache['Status'] == 'Ready', cache
        assert cache['Images'] == ['registry-vpc.%s.aliyuncs.com/acs/nginx:1.25' % cache['RegionId']], cache
        tags = {t['Key']: t['Value'] for t in cache['Tags']}
        record = parse_build_record(tags.pop(BUILD_TAG_KEY, None))
        assert tags == {'managed-by': 'ansible', 'fleet': 'web'}, cache
        # The create recorded every build setting it sent (none unknown), so a later run can tell a failed build's cause.
        assert record and all(record.values()), cache


def test_profile_inventory_fails_before_any_call(tmp_path):
    """The workstation inventory (eci_profile per account) under an AWX credential: a clear error per host, no API call."""
    template = OBJECTS['job_template'][min(OBJECTS['job_template'])]
    inputs = credential_inputs(OBJECTS['credential'][template['credentials'][0]])
    injected = render_injectors(CREDENTIAL_TYPE_DEF, inputs)
    inventory, hosts = inventory_data(ROOT, os.path.join('inventories', 'fleet', 'hosts.yml'))
    twin('/_emulator/reset', 'POST')
    pdd = private_data_dir(str(tmp_path), template, injected, inventory)
    status, rc, events, output = run_job(pdd, template['playbook'], 'profiles')
    assert status == 'failed' and rc != 0, output[-2000:]
    failed = {e['event_data']['host']: e['event_data']['res']['msg'] for e in events if e['event'] == 'runner_on_failed'}
    assert sorted(failed) == sorted(hosts), failed
    for host, msg in failed.items():
        assert '%s sets eci_profile' % host in msg and 'inventories/awx/' in msg, msg
    assert twin('/_emulator/requests') == []
