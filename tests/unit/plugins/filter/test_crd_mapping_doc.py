# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/crd_mapping.md's tables and the image_cache_manifest filter's mapping (SUPPORTED, ALIASES, NOT_IN_CRD and the
acr_registry_info suboptions) name the same options the same way, so an option added to one and not the other fails
here. (That every eci_image_cache option is in the filter's mapping is test_image_cache_manifest's
test_every_module_option_is_supported_or_explained.)"""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_manifest import (
    ACR_NOT_IN_CRD,
    ACR_SUPPORTED,
    ALIASES,
    NOT_IN_CRD,
    SUPPORTED,
)

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "docs", "crd_mapping.md")
NONE = "none (**error**)"


def _table(heading):
    """The rows (lists of cells) of the first table after a heading of docs/crd_mapping.md."""
    with open(DOC) as doc:
        text = doc.read()
    section = text[text.index(heading):]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
        elif rows:
            break
    return rows[2:]  # without the header and its rule


@pytest.fixture(scope="module")
def option_rows():
    """{option: (aliases, CRD cell, filter only)} of the option table."""
    rows = {}
    for cells in _table("## Option by option"):
        names = re.findall(r"`([a-z_]+)`", cells[0])
        assert names, cells
        rows[names[0]] = (names[1:], cells[1], "(filter only)" in cells[0])
    return rows


def test_every_option_of_the_filter_is_a_row_and_every_row_an_option(option_rows):
    documented = set(option_rows)
    for aliases, _cell, _only in option_rows.values():
        documented.update(aliases)
    assert sorted((set(SUPPORTED) | set(ALIASES) | set(NOT_IN_CRD)) - documented) == [], "missing from docs/crd_mapping.md"
    assert sorted(documented - set(SUPPORTED) - set(ALIASES) - set(NOT_IN_CRD)) == [], "not in the filter's mapping"


def test_aliases_are_documented_with_their_option(option_rows):
    for alias, option in ALIASES.items():
        assert alias in option_rows[option][0], alias


def test_rows_say_error_exactly_for_the_options_the_crd_cannot_express(option_rows):
    for option, (aliases, cell, _only) in option_rows.items():
        if option in NOT_IN_CRD:
            assert cell == NONE, option
            assert all(alias in NOT_IN_CRD for alias in aliases), option
        else:
            assert option in SUPPORTED and cell != NONE and "error" not in cell, option


def test_filter_only_settings_are_marked(option_rows, module_options):
    for option, (_aliases, _cell, filter_only) in option_rows.items():
        assert filter_only == (option not in module_options), option


def test_acr_suboptions_table_matches_the_filter():
    rows = dict((re.findall(r"`([a-z_]+)`", cells[0])[0], cells[1]) for cells in _table("### `acr_registry_info` suboptions"))
    assert sorted(rows) == sorted(set(ACR_SUPPORTED) | set(ACR_NOT_IN_CRD))
    for name, cell in rows.items():
        assert (cell == NONE) == (name in ACR_NOT_IN_CRD), name
