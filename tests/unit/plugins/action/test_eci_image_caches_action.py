# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_caches' action plugin: unknown item keys are named on the controller, never their values."""

from __future__ import annotations

from ansible_collections.alibabacloud.eci.plugins.action import eci_image_caches as action
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec


def test_unknown_keys_are_found_in_items_and_their_entries_without_values():
    spec = image_cache_settings_spec()
    item = dict(name="a", pasword="x", image_registry_credentials=[dict(server="s", username="u", passwd="secret")],
                acr_registry_info=[dict(instance_id="cri-1")], image_cache_name="a")
    assert action.unknown_keys(item, spec, "image_cache_list[0]") == [
        "image_cache_list[0].pasword", "image_cache_list[0].image_registry_credentials[0].passwd"]
    assert action.unknown_keys(dict(name="a", vswitch_id=["v"]), spec, "caches[1]") == []
