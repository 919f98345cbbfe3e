#!/usr/bin/env bash
# Caches in use (issue 26) against the twin, in seconds: the lookup image_cache_id, eci_image_cache_info's idle_days,
# the playbook image_cache_report, and the playbook prune_idle_caches in check mode and for real, and its re-check of
# each cache right before the delete. Each ansible-playbook start costs seconds: add checks to the runs there are.
set -eux

config=../../integration_config.yml
setting() { sed -n "s/^$1: '\(.*\)'\$/\1/p" "$config"; }
ALICLOUD_ACCESS_KEY="$(setting alicloud_access_key)"
ALICLOUD_SECRET_KEY="$(setting alicloud_secret_key)"
ALICLOUD_ECI_ENDPOINT="$(setting eci_endpoint)"
ALICLOUD_REGION="$(setting alicloud_region)"
export ALICLOUD_ACCESS_KEY ALICLOUD_SECRET_KEY ALICLOUD_ECI_ENDPOINT ALICLOUD_REGION
export ANSIBLE_SHOW_CUSTOM_STATS=true ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
out="${OUTPUT_DIR:-/tmp}"
registry_host="$(setting registry_host)"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"

ansible-playbook files/lookup_and_info.yml -e "@$config" "$@"

# The report over every cache, with a price (no registry reads: the twin's images are not on a registry here).
ansible-playbook alibabacloud.eci.image_cache_report -e price_per_gib_month=0.1 -e report_measure_images=false "$@" \
  | tee "$out/report_all.txt"
# Every column of the table, its footer and all of set_stats, against the seeds.
"$python" files/check_report.py "$out/report_all.txt" priced "${registry_host:-registry.example.com}"
# The team data caches, without a price (no cost anywhere). With the local registry their images are measured there:
# 200 and 240 GiB (exactly 4 x 60) are flagged oversized, 79 GiB (just under 4 x 20) is not.
if [ -n "$registry_host" ]; then
  measure=(-e "{\"report_plain_http_registries\": [\"$registry_host\"]}"); measured=--measured
else
  measure=(-e report_measure_images=false); measured=
fi
ansible-playbook alibabacloud.eci.image_cache_report -e '{"report_tags": {"team": "data"}}' "${measure[@]}" "$@" \
  | tee "$out/report_data.txt"
"$python" files/check_report.py "$out/report_data.txt" data "${registry_host:-registry.example.com}" $measured

# Pruning: a tag filter is required.
if ansible-playbook alibabacloud.eci.prune_idle_caches "$@" > "$out/prune_no_tags.txt" 2>&1; then exit 1; fi
grep -q 'prune_tags is required' "$out/prune_no_tags.txt"
# More than prune_max_caches: stops before any delete.
if ansible-playbook alibabacloud.eci.prune_idle_caches -e '{"prune_tags": {"team": "web"}}' -e prune_max_caches=1 "$@" \
  > "$out/prune_max.txt" 2>&1; then exit 1; fi
grep -q 'more than prune_max_caches (1): nothing was' "$out/prune_max.txt"
# Check mode: says what would go and what it frees, deletes nothing.
ansible-playbook alibabacloud.eci.prune_idle_caches -e '{"prune_tags": {"team": "web"}}' -e prune_idle_days=30 --check "$@" \
  | tee "$out/prune_check.txt"
grep -q 'Would delete 3 image cache(s) idle for at least 30 days with tags' "$out/prune_check.txt"
grep -q 'freeing 80 GiB' "$out/prune_check.txt"
grep -q 'Would have deleted 3 image cache(s), 80 GiB' "$out/prune_check.txt"
# For real: the three idle web caches go (the Failed one too), nothing else. That the same three are deleted shows the
# check mode run deleted none of them; prune_recheck.yml checks what is left.
ansible-playbook alibabacloud.eci.prune_idle_caches -e '{"prune_tags": {"team": "web"}}' -e prune_idle_days=30 "$@" \
  | tee "$out/prune_real.txt"
grep -q 'Deleted 3 image cache(s), 80 GiB; kept 0 that changed since the listing.' "$out/prune_real.txt"
grep -q '"freed_gib": 80, *"idle_days": 30, *"kept": \[\], *"tags"' "$out/prune_real.txt"
# Again: nothing left to prune.
ansible-playbook alibabacloud.eci.prune_idle_caches -e '{"prune_tags": {"team": "web"}}' -e prune_idle_days=30 "$@" \
  | tee "$out/prune_again.txt"
grep -q 'Deleted 0 image cache(s), 0 GiB' "$out/prune_again.txt"
# What that left; then the per-cache tasks over a listing gone stale (a re-tag, a use): those two are kept.
ansible-playbook files/prune_recheck.yml -e "@$config" "$@"
