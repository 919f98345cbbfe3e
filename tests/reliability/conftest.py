# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the reliability suite: a fresh twin of the cloud per test."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import twinlib  # noqa: E402  pylint: disable=wrong-import-position


def pytest_configure(config):
    if not twinlib.IN_TREE:
        raise pytest.UsageError('run the reliability suite from a collection tree (make collection-tree): %s does not end in '
                                'ansible_collections/alibabacloud/eci' % twinlib.COLLECTION_ROOT)
    config.addinivalue_line('markers', 'slow: takes more than a few seconds')
    config.addinivalue_line('markers', 'profile_independent(why): the twin\'s profile cannot change the outcome (why); '
                            'runs under the default profile only')


def pytest_collection_modifyitems(config, items):
    """Under another profile (make reliability-hostile), a test marked profile_independent is skipped: it proves
    nothing a second time, and the suite's CPU time is CI's budget."""
    if twinlib.PROFILE == 'default':
        return
    for item in items:
        marker = item.get_closest_marker('profile_independent')
        if marker:
            why = marker.args[0] if marker.args else 'the twin plays no part'
            item.add_marker(pytest.mark.skip(reason=f'{why}: the twin profile changes nothing (run once, under the default profile)'))


@pytest.fixture
def twin():
    with twinlib.Twin() as started:
        yield started
