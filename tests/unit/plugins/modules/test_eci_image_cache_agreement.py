# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_cache's argument spec, the settings table (module_utils/settings.py) and the module docs agree,
so a CreateImageCache parameter added in one place and missed in another fails here.

The argument spec is taken from the object main() hands to AlibabaCloudModule, wherever it is defined."""

from __future__ import annotations

import re

import pytest
import yaml

from ansible_collections.alibabacloud.eci.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec
from ansible_collections.alibabacloud.eci.plugins.module_utils.settings import SETTINGS
from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache

# Options that are no setting of the cache: what to do, how to find it, how to run. Anything else the module
# takes must be a row of the settings table.
NOT_SETTINGS = {"state", "image_cache_id", "purge_tags", "force_update", "size_check", "image_platform", "wait",
                "wait_timeout", "lock_dir", "refresh"}
# How each encoding of the table may be given: the argument spec type it needs.
ENCODING_TYPES = {"text": {"str"}, "int": {"int", "raw"}, "bool": {"bool"}, "set": {"list"}, "list": {"list"},
                  "joined": {"list"}, "joined_set": {"list"}, "json": {"dict"}, "tags": {"dict"},
                  "credentials": {"list"}, "acr": {"list"}}


class _Captured(Exception):
    def __init__(self, spec):
        super().__init__("captured")
        self.spec = spec


@pytest.fixture(scope="module")
def spec():
    """The module's own argument spec (without the connection options of the doc fragment)."""
    original = eci_image_cache.AlibabaCloudModule

    def capture(argument_spec, **kwargs):
        raise _Captured(argument_spec)

    eci_image_cache.AlibabaCloudModule = capture
    try:
        with pytest.raises(_Captured) as caught:
            eci_image_cache.main()
    finally:
        eci_image_cache.AlibabaCloudModule = original
    return caught.value.spec


@pytest.fixture(scope="module")
def docs():
    return yaml.safe_load(eci_image_cache.DOCUMENTATION)["options"]


def _camel(field):
    return "".join(part[:1].upper() + part[1:] for part in field.split("_"))


def test_every_setting_is_an_option_and_every_option_a_setting_or_named_as_none(spec):
    settings = set(setting.option for setting in SETTINGS)
    assert settings - set(spec) == set(), "rows of the settings table the module does not take"
    assert set(spec) - settings - NOT_SETTINGS == set(), "options in no row of the settings table (add them to settings.py)"
    assert settings & NOT_SETTINGS == set()


def test_encodings_fit_the_option_types(spec):
    for setting in SETTINGS:
        assert spec[setting.option].get("type", "str") in ENCODING_TYPES[setting.encoding], setting.option


def test_docs_name_the_api_field_of_each_setting(docs):
    for setting in SETTINGS:
        description = " ".join(docs[setting.option]["description"])
        assert re.search(r"API C\(%s(\.N)?\)" % re.escape(_camel(setting.field)), description), (
            "%s: the docs do not say it is sent as %s" % (setting.option, _camel(setting.field)))


def _compare(spec_options, doc_options, where):
    assert set(spec_options) == set(doc_options), "%s: options in the spec and the docs differ" % where
    for name, option in spec_options.items():
        doc = doc_options[name]
        here = "%s%s" % (where, name)
        assert option.get("type", "str") == doc.get("type", "str"), here
        assert option.get("elements") == doc.get("elements"), here
        assert option.get("default") == doc.get("default"), here
        assert list(option.get("choices") or []) == list(doc.get("choices") or []), here
        assert sorted(option.get("aliases") or []) == sorted(doc.get("aliases") or []), here
        assert bool(option.get("required")) == bool(doc.get("required")), here
        if option.get("options") or doc.get("suboptions"):
            _compare(option.get("options") or {}, doc.get("suboptions") or {}, here + ".")


def test_argument_spec_and_docs_agree(spec, docs):
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    _compare(spec, dict((name, option) for name, option in docs.items() if name not in fragment), "")


def test_each_setting_option_is_its_rows_spec_entry():
    """The spec entry of a setting is its row's, and the other options are exactly the ones that are no setting."""
    built = image_cache_settings_spec()
    for setting in SETTINGS:
        assert built[setting.option] == setting.spec, setting.option
    assert set(built) - set(s.option for s in SETTINGS) == NOT_SETTINGS - {"wait", "wait_timeout"}


def test_the_item_spec_of_eci_image_caches_and_its_docs_agree():
    """eci_image_caches' items (and defaults) take the settings spec without defaults; their suboptions docs (one YAML
    anchor) must list the same options the same way, so an option documented for eci_image_cache only fails here."""
    from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_caches
    options = yaml.safe_load(eci_image_caches.DOCUMENTATION)["options"]
    from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import set_item_spec
    item_spec = set_item_spec()
    assert set(item_spec) == set(image_cache_settings_spec(defaults=False)) | {"take_over"}
    _compare(item_spec, options["caches"]["suboptions"], "caches[].")
    _compare(item_spec, options["defaults"]["suboptions"], "defaults.")
