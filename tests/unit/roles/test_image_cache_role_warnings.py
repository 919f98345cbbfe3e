# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How often a run of the role prints ansible-core's "unsafe" warning about templated task args (issue 24: the README
said once per run; it is once per task of the role that passes its arguments as a template).

ansible-core deduplicates a warning by its text and where it comes from: each task whose `args:` is a template is a
place of its own, so each prints it once per run, whatever the number of hosts or loops.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import yaml
from ansible.release import __version__ as ansible_version

from ansible_collections.alibabacloud.eci.tests.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

ROOT = pathlib.Path(__file__).resolve().parents[3]
WARNING = "Using a template for task args is unsafe"
README = (ROOT / "README.md").read_text()


def _templated_args_tasks(path: pathlib.Path) -> list[str]:
    def walk(tasks):
        for task in tasks or []:
            if isinstance(task.get("args"), str) and "{{" in task["args"]:
                yield task.get("name")
            for key in ("block", "rescue", "always"):
                yield from walk(task.get(key))
    return list(walk(yaml.safe_load(path.read_text())))


def run_role(tmp_path: pathlib.Path, role_vars: dict) -> tuple[subprocess.CompletedProcess, dict]:
    """ansible-playbook --check of the role with role_vars against a twin (its default network); (the run, its env)."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "roles": [{"role": "alibabacloud.eci.image_cache", "vars": role_vars}]}]))
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")
    twin = Emulator(access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET).start()
    try:
        env = dict(os.environ, ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(ROOT.parents[2]),
                   ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable, ALICLOUD_ACCESS_KEY=DEFAULT_ACCESS_KEY_ID,
                   ALICLOUD_SECRET_KEY=DEFAULT_ACCESS_KEY_SECRET, ALICLOUD_REGION="cn-hangzhou",
                   ALICLOUD_ECI_ENDPOINT=twin.url, ALICLOUD_VPC_ENDPOINT=twin.url, ALICLOUD_ECS_ENDPOINT=twin.url)
        env.pop("PYTHONPATH", None)
        run = subprocess.run([sys.executable, "-m", "ansible", "playbook", "-i", "localhost,", "--check", str(playbook)],
                             cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, timeout=300, check=False)
    finally:
        twin.stop()
    return run, env


ROLE_VARS = {"image_cache_name": "web", "image_cache_images": ["registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1.25"],
             "image_cache_size": 20, "image_cache_size_check": "skip",
             "image_cache_security_group_id": "sg-demo", "image_cache_vswitch_ids": ["vsw-demo"]}


def test_one_cache_prints_the_warning_once_per_task_with_templated_args_as_the_readme_says(tmp_path):
    network = _templated_args_tasks(ROOT / "roles" / "image_cache" / "tasks" / "network.yml")
    cache = _templated_args_tasks(ROOT / "roles" / "image_cache" / "tasks" / "cache.yml")
    assert len(network) == 1 and len(cache) == 1, (network, cache)
    # The README's claim: twice for one cache (the network read and the cache), not once per run.
    assert re.search(r"once per task of the role that passes them\s+this way: twice for one cache", README), \
        "README.md no longer says how often the role prints the warning"
    run, env = run_role(tmp_path, ROLE_VARS)
    assert run.returncode == 0, run.stdout
    printed = run.stdout.count(WARNING)
    inject = subprocess.run([sys.executable, "-m", "ansible", "config", "dump", "--only-changed"], cwd=str(tmp_path),
                            env=env, stdout=subprocess.PIPE, universal_newlines=True, check=False).stdout
    if "INJECT_FACTS_AS_VARS" in inject:  # switched off: ansible-core does not warn at all
        assert printed == 0, run.stdout
    elif tuple(int(part) for part in ansible_version.split(".")[:2]) >= (2, 19):
        assert printed == 2, run.stdout
    else:
        assert printed <= 2, run.stdout  # older ansible-core words it otherwise, or not at all


def test_an_image_on_another_regions_vpc_endpoint_stops_the_role_without_advising_nat(tmp_path):
    """Issue 24: registry-vpc.<other region> is not a registry on the internet, and no NAT gateway reaches it."""
    image = "registry-vpc.cn-beijing.aliyuncs.com/acs/nginx:1.25"
    run, _env = run_role(tmp_path, dict(ROLE_VARS, image_cache_images=[image]))
    assert run.returncode != 0, run.stdout
    text = " ".join(run.stdout.split())
    assert f"{image} is on the VPC endpoint of Container Registry in cn-beijing, which the VPCs of cn-hangzhou cannot reach" in text
    assert "a NAT gateway does not help" in text and "from a registry on the internet" not in text
    assert "Add an SNAT entry" not in text
