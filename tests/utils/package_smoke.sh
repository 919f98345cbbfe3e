#!/usr/bin/env bash
# Smoke test of the installed collection tarball (make package-test), run by with_emulator.py
# so that ALICLOUD_* point at a twin with its default network (vsw-demo, sg-demo).
# Usage: package_smoke.sh VENV_BIN INSTALLED_COLLECTION_DIR
# ANSIBLE_COLLECTIONS_PATH must name only the folder the tarball was installed into.
set -euo pipefail
bin="${1:?usage: package_smoke.sh VENV_BIN INSTALLED_COLLECTION_DIR}"
installed="${2:?usage: package_smoke.sh VENV_BIN INSTALLED_COLLECTION_DIR}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"   # no checkout, no adjacent collection: only the installed one can be found

# The collection ansible-galaxy sees is the installed copy.
"$bin/ansible-galaxy" collection list alibabacloud.eci | tee list.txt
grep -qF "$(dirname "$(dirname "$installed")")" list.txt

# Its modules and role document themselves.
for module in "$installed"/plugins/modules/*.py; do
  "$bin/ansible-doc" "alibabacloud.eci.$(basename "$module" .py)" >/dev/null
done
"$bin/ansible-doc" -t role alibabacloud.eci.image_cache >/dev/null

# A playbook shipped in the collection, run by its FQCN: the whole life of a cache.
"$bin/ansible-playbook" alibabacloud.eci.demo

# The role, from a playbook of the user's own.
cat > role.yml <<'YAML'
---
- name: The role of the installed collection
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Create a cache with the role
      ansible.builtin.include_role:
        name: alibabacloud.eci.image_cache
      vars:
        image_cache_name: package-smoke
        image_cache_images: [registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1.25]
        image_cache_security_group_id: sg-demo
        image_cache_vswitch_ids: [vsw-demo]
    - name: Find it
      alibabacloud.eci.eci_image_cache_info:
        name: package-smoke
      register: found
    - name: It is Ready
      ansible.builtin.assert:
        that: found.image_caches | map(attribute='status') | list == ['Ready']
    - name: Delete it with the role
      ansible.builtin.include_role:
        name: alibabacloud.eci.image_cache
      vars:
        image_cache_name: package-smoke
        image_cache_state: absent
YAML
"$bin/ansible-playbook" -i localhost, role.yml
echo "package smoke test: the installed tarball documents itself, runs its demo playbook and its role"
