# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every request field of the settings table that CreateImageCache or UpdateImageCache takes is a parameter the twin
(tests/emulator/eci.py) reads for that action. The twin ignores parameters it does not know, so without this a
setting added to the table and not to the twin would be sent and never checked. This test may import both; the twin
itself imports nothing from plugins/ (tests/unit/emulator/test_emulator_independent.py)."""

from __future__ import annotations

import pytest

from alibabacloud_eci20180808 import models

from ansible_collections.alibabacloud.eci.plugins.module_utils.eci import _request
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import SETTINGS, request_fields
from ansible_collections.alibabacloud.eci.tests.emulator import eci as twin
from ansible_collections.alibabacloud.eci.tests.emulator.params import Params

SAMPLES = {"str": "x1", "int": 30, "raw": 30, "bool": True, "dict": {"k": "v"}, "path": "/tmp"}


def _sample(spec):
    """A value of an option's type, every suboption of a list of dicts given."""
    if spec.get("type") == "list":
        if spec.get("elements") == "dict":
            return [dict((name, _sample(sub)) for name, sub in spec["options"].items())]
        return ["x1"]
    return SAMPLES[spec.get("type", "str")]


class _Recording(Params):
    """Params that answer 'not sent' (or one image, which a create needs) and note every parameter asked for."""

    def __init__(self):
        super().__init__({})
        self.read = set()

    def get_str(self, name, required=False, default=None):
        self.read.add(name)
        return default

    def get_list(self, name, max_items=None):
        self.read.add(name)
        return ["nginx"]

    def get_objects(self, name, max_items=None):
        self.read.add(name)
        return []


def _twin_reads(create):
    params = _Recording()
    twin._spec(params, create=create)
    return params.read


ACTIONS = {
    "create": (models.CreateImageCacheRequest, dict(
        tag_class=models.CreateImageCacheRequestTag,
        credential_class=models.CreateImageCacheRequestImageRegistryCredential,
        acr_class=models.CreateImageCacheRequestAcrRegistryInfo)),
    "update": (models.UpdateImageCacheRequest, dict(
        credential_class=models.UpdateImageCacheRequestImageRegistryCredential,
        acr_class=models.UpdateImageCacheRequestAcrRegistryInfo)),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_request_field_of_the_table_is_read_by_the_twin(action):
    settings = dict((setting.option, _sample(setting.spec)) for setting in SETTINGS)
    fields = request_fields(settings, action)
    taken = [setting.field for setting in SETTINGS if getattr(setting, action)]
    assert sorted(fields) == sorted(taken), "a sample value of each setting must give its field"
    request_class, classes = ACTIONS[action]
    sent = set(_request(request_class, fields, **classes).to_map())
    unread = sorted(sent - _twin_reads(create=action == "create"))
    assert unread == [], "%s: the twin (tests/emulator/eci.py _spec) does not read %s" % (action, unread)


def test_the_recording_sees_what_the_twin_reads():
    """The recording itself tells reads apart: a create reads the create-only fields, an update does not."""
    create, update = _twin_reads(create=True), _twin_reads(create=False)
    assert {"ImageCacheName", "Image", "VSwitchId", "Tag", "ImageRegistryCredential"} <= create
    assert sorted(create - update) == ["Annotations", "InsecureRegistry", "PlainHttpRegistry", "ZoneId"]
