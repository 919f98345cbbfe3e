# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the output of a run of the playbook image_cache_report against the caches lookup_and_info.yml seeds.

Usage: check_report.py OUTPUT priced|data REGISTRY [--measured]

OUTPUT is the run's output (default callback, ANSIBLE_SHOW_CUSTOM_STATS=true). Checked: every column of every row of
the printed table, the footer, and the whole of what set_stats returns (image_cache_report: caches and total), each
against the expected caches below. `priced`: every cache, price_per_gib_month=0.1, nothing measured. `data`: the
caches tagged team=data, no price (no cost anywhere); --measured: their images were measured in the local registry.
REGISTRY: the registry host of the seeded test images.
"""

from __future__ import annotations

import datetime
import json
import sys
from typing import Any

PRICE = 0.1
COLUMNS = ['id', 'name', 'status', 'size_gib', 'idle_days', 'expires', 'monthly_cost']
# id: name, status, size (GiB), idle days, expiry (None: never; else days from now), images, held by (in the report of
# every cache), the need when measured and whether that makes the cache oversized (at least 4 times the need).
CACHES = {
    'imc-web-idle': ('web-idle', 'Ready', 20, 40, None, ['nginx:1.25'], ['imc-web-used'], None, False),
    'imc-web-never': ('web-never', 'Ready', 40, 35, None, ['redis:7'], ['imc-web-used'], None, False),
    'imc-web-used': ('web-used', 'Ready', 20, 1, None, ['nginx:1.25', 'redis:7'], [], None, False),
    'imc-api-idle': ('api-idle', 'Ready', 20, 200, 165, ['postgres:16'], [], None, False),  # created 200 days ago, kept 365
    'imc-big': ('big', 'Ready', 200, 1, None, ['REGISTRY/test/single:1.0'], [], 20, True),
    'imc-4x': ('four-times', 'Ready', 240, 1, None, ['REGISTRY/test/huge:1.0'], [], 60, True),  # exactly 4 times
    'imc-under-4x': ('under-four-times', 'Ready', 79, 1, None, ['REGISTRY/test/multi:1.0'], [], 20, False),  # 3.95 times
    'imc-failed': ('failed', 'Failed', 20, 60, None, ['busybox:1.36'], [], None, False),
}
DATA = ['imc-big', 'imc-4x', 'imc-under-4x']


def fail(message: str) -> None:
    sys.exit(f'check_report: {message}')


def json_after(text: str, marker: str) -> Any:
    """The JSON value that starts at the first '{' after marker."""
    start = text.find(marker)
    if start < 0:
        fail(f'{marker!r} not in the output')
    value, _end = json.JSONDecoder().raw_decode(text, text.index('{', start))
    return value


def expected_rows(kind: str, measured: bool, registry: str) -> list[dict[str, Any]]:
    rows = []
    for cache_id, (name, status, size, idle, expires_in, images, held_by, need, oversized) in CACHES.items():
        if kind == 'data' and cache_id not in DATA:
            continue
        need = need if measured else None
        flags = [f"held by {', '.join(held_by)}"] if held_by else []
        if measured and oversized:
            flags.append(f'oversized (needs {need} GiB)')
        rows.append(dict(id=cache_id, name=name, status=status, size_gib=size, idle_days=idle, expires=expires_in,
                         images=[image.replace('REGISTRY', registry) for image in images], held_by=held_by, flags=flags,
                         needed_size_gib=need, monthly_cost=round(size * PRICE, 2) if kind == 'priced' else None))
    return rows


def check_expiry(cache_id: str, actual: str, expires_in: int | None) -> None:
    if expires_in is None:
        if actual != 'never':
            fail(f'{cache_id}: expires {actual!r}, expected never')
        return
    moment = datetime.datetime.fromisoformat(actual.replace('Z', '+00:00'))
    wanted = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=expires_in)
    if abs((moment - wanted).total_seconds()) > 3600:
        fail(f'{cache_id}: expires {actual!r}, expected about {wanted.isoformat()}')


def main() -> None:
    output_file, kind, registry = sys.argv[1:4]
    measured = '--measured' in sys.argv[4:]
    text = open(output_file, encoding='utf-8').read()
    table = json_after(text, 'TASK [Print the report]')['msg']
    returned = json_after(text, 'CUSTOM STATS:')['image_cache_report']
    wanted = expected_rows(kind, measured, registry)

    # The returned data (set_stats): every key of every row, in the listing's order.
    returned_ids = [row['id'] for row in returned['caches']]
    if returned_ids != [row['id'] for row in wanted]:
        fail(f'set_stats caches {returned_ids}, expected {[row["id"] for row in wanted]}')
    for row, want in zip(returned['caches'], wanted):
        if sorted(row) != sorted(want):
            fail(f'{row["id"]}: set_stats keys {sorted(row)}, expected {sorted(want)}')
        for key, value in want.items():
            if key == 'expires':
                check_expiry(row['id'], row[key], value)
            elif row[key] != value:
                fail(f'{row["id"]}: set_stats {key} {row[key]!r}, expected {value!r}')
    flagged = [row['id'] for row in wanted if row['flags']]
    total = dict(caches=len(wanted), size_gib=sum(row['size_gib'] for row in wanted), flagged=flagged,
                 monthly_cost=round(sum(row['size_gib'] for row in wanted) * PRICE, 2) if kind == 'priced' else None)
    if returned['total'] != total:
        fail(f'set_stats total {returned["total"]}, expected {total}')

    # The printed table: a header, a rule, a row per cache, a rule, the footer; each row's columns as returned.
    header, rows, footer = table[0], table[2:-2], table[-1]
    if header.split()[:len(COLUMNS)] != ['id', 'name', 'status', 'GiB', 'idle', 'expires', 'cost/month']:
        fail(f'header {header!r}')
    if len(rows) != len(wanted):
        fail(f'{len(rows)} rows printed, expected {len(wanted)}')
    for line, want, row in zip(rows, wanted, returned['caches']):
        fields = line.split(None, len(COLUMNS))
        printed = dict(zip(COLUMNS, fields))
        shown = dict(id=want['id'], name=want['name'], status=want['status'], size_gib=str(want['size_gib']),
                     idle_days=str(want['idle_days']), expires=row['expires'],
                     monthly_cost='-' if want['monthly_cost'] is None else str(want['monthly_cost']))
        if printed != shown:
            fail(f'row {line!r}: columns {printed}, expected {shown}')
        rest = ', '.join(want['images']) + (' ; ' + '; '.join(want['flags']) if want['flags'] else '')
        if fields[len(COLUMNS)] != rest:
            fail(f'row {line!r}: images and flags {fields[len(COLUMNS)]!r}, expected {rest!r}')
    cost = f", {total['monthly_cost']} a month at {PRICE} per GiB" if kind == 'priced' else ''
    wanted_footer = f"{total['caches']} cache(s), {total['size_gib']} GiB{cost}; flagged: {len(flagged)}"
    if footer != wanted_footer:
        fail(f'footer {footer!r}, expected {wanted_footer!r}')
    if kind != 'priced' and 'a month' in text:
        fail('a cost is shown without price_per_gib_month')
    print(f'check_report: {kind}: {len(rows)} rows, the footer and set_stats as expected')


if __name__ == '__main__':
    main()
