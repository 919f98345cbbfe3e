#!/usr/bin/env bash
# The twin stands in for three regions: playbooks/fleet_image_cache.yml runs over an
# inventory of three region hosts (connection local, three forks), then the caches are
# checked per region: each region holds its own cache and sees no other region's.
set -eux

config=../../integration_config.yml
setting() { sed -n "s/^$1: '\(.*\)'\$/\1/p" "$config"; }
ALICLOUD_ACCESS_KEY="$(setting alicloud_access_key)"
ALICLOUD_SECRET_KEY="$(setting alicloud_secret_key)"
ALICLOUD_ECI_ENDPOINT="$(setting eci_endpoint)"
ALICLOUD_VPC_ENDPOINT="$(setting vpc_endpoint)"
ALICLOUD_ECS_ENDPOINT="$(setting ecs_endpoint)"
export ALICLOUD_ACCESS_KEY ALICLOUD_SECRET_KEY ALICLOUD_ECI_ENDPOINT ALICLOUD_VPC_ENDPOINT ALICLOUD_ECS_ENDPOINT
# The region comes from each host, never from the environment.
unset ALICLOUD_REGION ALIBABA_CLOUD_REGION_ID
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false

inventory=files/inventory.yml
ansible-playbook -i "$inventory" files/setup.yml -e "@$config"
ansible-playbook -i "$inventory" alibabacloud.eci.fleet_image_cache --forks 3 "$@"
ansible-playbook -i "$inventory" files/verify.yml -e "@$config" -e fleet_expect=present "$@"
# Again: nothing changes anywhere.
ansible-playbook -i "$inventory" alibabacloud.eci.fleet_image_cache --forks 3 "$@" \
  | tee "${OUTPUT_DIR:-/tmp}/fleet_second_run.txt"
grep -E 'region-(hangzhou|shanghai|beijing) +: ok=[0-9]+ +changed=0 ' "${OUTPUT_DIR:-/tmp}/fleet_second_run.txt" | wc -l | grep -qx 3
# Delete in one region only: the other two keep theirs.
ansible-playbook -i "$inventory" alibabacloud.eci.fleet_image_cache --limit region-beijing -e image_cache_state=absent "$@"
ansible-playbook -i "$inventory" files/verify.yml -e "@$config" -e fleet_expect=beijing_deleted "$@"
# Delete everywhere.
ansible-playbook -i "$inventory" alibabacloud.eci.fleet_image_cache --forks 3 -e image_cache_state=absent "$@"
ansible-playbook -i "$inventory" files/verify.yml -e "@$config" -e fleet_expect=absent "$@"
