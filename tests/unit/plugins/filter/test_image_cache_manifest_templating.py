# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filter through Ansible's own templating: a tiny playbook run by ansible-playbook,
with the collection found on ANSIBLE_COLLECTIONS_PATH under its FQCN."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.alibabacloud.eci.plugins.filter import image_cache_manifest as plugin

# <root>/ansible_collections/alibabacloud/eci/plugins/filter/image_cache_manifest.py -> <root>
COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(plugin.__file__), *([os.pardir] * 5)))

PLAYBOOK = """
- name: Render the filter
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    cache_size: "40"
    settings:
      name: web-cache
      images: [registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25, busybox]
      image_pull_secrets: ["default:pull"]
      image_cache_size: "{{ cache_size }}"
      retention_days: 7
      vswitch_ids: [vsw-a, vsw-b]
      security_group_id: sg-a
      auto_match_image_cache: true
      flash: "{{ 1 == 1 }}"
      acr_registry_info:
        - instance_id: cri-a
          region_id: cn-beijing
      cpu_arch: amd64
      os_type: linux
      resource_group_id: "{{ omit_me | default(None) }}"
  tasks:
    - name: Build the manifest
      ansible.builtin.set_fact:
        manifest: "{{ settings | alibabacloud.eci.image_cache_manifest }}"

    - name: Write it out
      ansible.builtin.copy:
        content: "{{ manifest | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""

BAD_PLAYBOOK = """
- name: Render the filter with bad settings
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Build the manifest
      ansible.builtin.debug:
        msg: "{{ {'name': 'web-cache', 'images': ['busybox'], 'zone_id': 'cn-hangzhou-h', 'flash': 'yes'}
                 | alibabacloud.eci.image_cache_manifest }}"
"""


def ansible_env(tmp_path):
    # An empty configuration file, so that no ansible.cfg of the machine or the checkout applies.
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\n")
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_ROOT,
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_CONFIG": str(config),
    })
    env.pop("PYTHONPATH", None)
    return env


def run_ansible(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "ansible"] + list(args), cwd=str(tmp_path), env=ansible_env(tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120, check=False)


def run_playbook(tmp_path, text, *extra):
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "ansible", "playbook", "-i", "localhost,", str(playbook)] + list(extra),
        cwd=str(tmp_path), env=ansible_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        timeout=120, check=False)


@pytest.fixture(scope="module", autouse=True)
def collection_on_its_path():
    if os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(plugin.__file__))))))) != "ansible_collections":
        pytest.fail("the collection must be in a tree .../ansible_collections/alibabacloud/eci to be found by FQCN")


def test_rendered_by_ansible_playbook(tmp_path, assert_valid_manifest):
    out = tmp_path / "manifest.json"
    result = run_playbook(tmp_path, PLAYBOOK, "-e", "out=%s" % out)
    assert result.returncode == 0, result.stdout
    manifest = assert_valid_manifest(json.loads(out.read_text()))
    assert manifest == {
        "apiVersion": "eci.alibabacloud.com/v1",
        "kind": "ImageCache",
        "metadata": {
            "name": "web-cache",
            "annotations": {
                "k8s.aliyun.com/vswitch-ids": "vsw-a,vsw-b",
                "k8s.aliyun.com/security-group-id": "sg-a",
                "k8s.aliyun.com/imc-cpu-arch": "amd64",
                "k8s.aliyun.com/imc-os-type": "linux",
                "k8s.aliyun.com/acr-instance-ids": "cn-beijing:cri-a",
                "k8s.aliyun.com/imc-enable-reuse": "true",
                "k8s.aliyun.com/imc-enable-flash": "true",
            },
        },
        "spec": {
            "images": ["registry.cn-hangzhou.aliyuncs.com/acs/nginx:1.25", "busybox"],
            "imagePullSecrets": ["default:pull"],
            "imageCacheSize": 40,
            "retentionDays": 7,
        },
    }


def test_errors_reach_the_playbook(tmp_path):
    result = run_playbook(tmp_path, BAD_PLAYBOOK)
    assert result.returncode != 0
    output = " ".join(result.stdout.split())
    assert "zone_id: the ImageCache CRD has no equivalent" in output
    assert "flash must be a boolean (true or false)" in output


def test_ansible_doc_renders_the_documentation(tmp_path):
    result = run_ansible(tmp_path, "doc", "-t", "filter", "--json", "alibabacloud.eci.image_cache_manifest")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    plugin_doc = json.loads(result.stdout)["alibabacloud.eci.image_cache_manifest"]
    assert plugin_doc["doc"]["name"] == "image_cache_manifest"
    assert plugin_doc["doc"]["version_added"] == "0.1.0"
    assert "settings | alibabacloud.eci.image_cache_manifest" in plugin_doc["examples"]
    assert plugin_doc["return"]["_value"]["type"] == "dict"
