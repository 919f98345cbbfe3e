# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""tests/bench/bench.py's Markdown for a run of some sections only (--only sets --markdown)."""

from __future__ import annotations

import importlib.util
import os

BENCH = os.path.join(os.path.dirname(__file__), '..', '..', 'bench', 'bench.py')


def load_bench():
    spec = importlib.util.spec_from_file_location('eci_bench', BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_markdown_of_a_run_of_section_6_only():
    bench = load_bench()
    row = dict(how='eci_image_caches, one task', caches=5, ready_after=20, seconds=24.5, build_times=1.22, calls=12,
               describe_calls=8)
    results = dict(machine=dict(cpu='cpu', cores=2, memory='4 GiB', system='Linux', python='3.11', ansible='core'),
                   date='2026-11-30 18:00 UTC', command='tests/bench/bench.py --only sets', mode='full', seconds=300,
                   sets=dict(build=[row, dict(row, how='loop of the role image_cache', build_times=10.1)],
                             noop=dict(caches=50, seconds=8.4, one_task_seconds=8.2, calls=3, describe_calls=3, pages=3)))
    text = bench.markdown(results)
    assert '## 6. Sets of caches' in text and '**1.22**' in text
    assert '## 1.' not in text and '## 4.' not in text
