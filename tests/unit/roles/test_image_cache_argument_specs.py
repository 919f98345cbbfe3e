# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's argument specs and defaults/main.yml describe the same variables with the same defaults."""

from __future__ import annotations

import pathlib
import re

import yaml

from ansible_collections.alibabacloud.eci.plugins.filter.image_cache_role_variables import (
    image_cache_role_variables,
    module_options,
    role_variable,
)

ROLE = pathlib.Path(__file__).resolve().parents[3] / "roles" / "image_cache"
SPEC = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
# Variables the role's tasks register or set for themselves, not inputs.
INTERNAL = {"image_cache_problems", "image_cache_network", "image_cache_result", "image_cache_found_vswitches",
            "image_cache_security_group", "image_cache_eip", "image_cache_pending", "image_cache_other_zone", "image_cache_full",
            "image_cache_other_vpc", "image_cache_all_args", "image_cache_option_variables", "image_cache_args", "image_cache_connection_options",
            "image_cache_network_args", "image_cache_wanted_state", "image_cache_missing",
            "image_cache_no_route", "image_cache_found",
            "image_cache_summary", "image_cache_summary_result", "image_cache_check_probe",
            # image_cache_list (tasks/list.yml, vars/main.yml)
            "image_cache_list_args", "image_cache_list_network", "image_cache_list_networks", "image_cache_list_result",
            "image_cache_net_args"}


def test_every_default_is_declared_with_the_same_value():
    for name, value in DEFAULTS.items():
        assert name in SPEC, "%s is in defaults/main.yml but not in meta/argument_specs.yml" % name
        assert SPEC[name].get("default") == value, "%s: argument_specs default %r, defaults/main.yml %r" % (
            name, SPEC[name].get("default"), value)


def test_every_declared_default_is_in_defaults():
    for name, option in SPEC.items():
        if "default" in option:
            assert name in DEFAULTS, "%s has a default in argument_specs but not in defaults/main.yml" % name


def test_every_option_is_prefixed_typed_and_described():
    for name, option in SPEC.items():
        assert name.startswith("image_cache_")
        assert option.get("type") and option.get("description"), name


def test_tasks_use_only_declared_variables():
    used = set()
    for path in (ROLE / "tasks").glob("*.yml"):
        used.update(re.findall(r"\b(image_cache_[a-z_]+)\b", path.read_text()))
    undeclared = sorted(used - set(SPEC) - INTERNAL)
    assert undeclared == [], "variables used in tasks but not declared: %s" % undeclared


def test_the_role_checks_variables_with_the_collection_validation_and_holds_no_copy():
    """The grammar and the limits live in plugins/module_utils only; the role asks image_cache_problems."""
    limits = (ROLE / "tasks" / "limits.yml").read_text()
    assert "alibabacloud.eci.image_cache_problems('image_cache_')" in limits
    for path in list((ROLE / "tasks").glob("*.yml")) + [ROLE / "vars" / "main.yml"]:
        text = path.read_text()
        for copy in ("[a-z0-9]+(?:", "32768", "65536", "<= 20", "<= 10", "{129,}"):
            assert copy not in text, "%s holds a copy of a rule of the collection's validation: %s" % (path.name, copy)


def _module_options():
    """Every option eci_image_cache takes: its own and those of the doc fragment (without aliases)."""
    from ansible_collections.alibabacloud.eci.plugins.doc_fragments.common import ModuleDocFragment
    from ansible_collections.alibabacloud.eci.plugins.modules import eci_image_cache
    options = set(yaml.safe_load(eci_image_cache.DOCUMENTATION)["options"])
    options.update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    return options


ROLE_VARS = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
SYNOPSIS = " ".join(yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["description"])


def test_the_role_variables_filter_knows_exactly_the_module_options():
    """The role passes the options the filter names (vars/main.yml): the module's, no more, no fewer."""
    assert sorted(module_options()) == sorted(_module_options())
    assert len(module_options()) == len(set(module_options()))


def test_every_module_option_has_a_declared_role_variable():
    """Each option has a variable in meta/argument_specs.yml (the synopsis says so): an option added to the module and
    not to argument_specs.yml fails here."""
    missing = sorted(role_variable(option) for option in _module_options() if role_variable(option) not in SPEC)
    assert missing == [], "declare these in roles/image_cache/meta/argument_specs.yml: %s" % missing
    assert "Every option of the module has a variable" in SYNOPSIS


def test_role_variable_names():
    assert role_variable("name") == "image_cache_name"
    assert role_variable("images") == "image_cache_images"
    assert role_variable("image_cache_id") == "image_cache_id"
    assert role_variable("image_cache_size") == "image_cache_size"
    found = image_cache_role_variables(["image_cache_name", "image_cache_images", "image_cache_id", "image_cache_size",
                                        "image_cache_access_key", "image_cache_list", "image_cache_args", "images",
                                        "image_cache_image_cache_id", "other"])
    assert found == {"image_cache_name": "name", "image_cache_images": "images", "image_cache_id": "image_cache_id",
                     "image_cache_size": "image_cache_size", "image_cache_access_key": "access_key"}
    assert list(found) == ["image_cache_name", "image_cache_images", "image_cache_id", "image_cache_size",
                           "image_cache_access_key"]


def test_no_other_variable_of_the_role_is_taken_for_an_option():
    """The role reads every defined variable named like an option's: its own variables must not be named so."""
    options = set(role_variable(option) for option in module_options())
    assert sorted(options & (INTERNAL | set(DEFAULTS) | set(ROLE_VARS))) == []


def test_the_role_passes_options_by_the_filter_without_a_list_of_its_own():
    """vars/main.yml reads the defined option variables that the filter names; no option is listed by hand."""
    assert "alibabacloud.eci.image_cache_role_variables" in ROLE_VARS["image_cache_option_variables"]
    assert "query('ansible.builtin.varnames', '^image_cache_')" in ROLE_VARS["image_cache_option_variables"]
    text = (ROLE / "vars" / "main.yml").read_text()
    # Only elimination_strategy is read by name, for its rule ('' is a value).
    read = re.findall(r"(image_cache_[a-z_]+) \| default\(none\)", text)
    assert read == ["image_cache_elimination_strategy"], "vars/main.yml reads option variables by hand: %s" % read


def test_no_task_passes_a_module_option_as_a_templated_omit():
    """default(omit) in a task argument wipes out the play's module_defaults: the tasks pass options with module_defaults."""
    for path in (ROLE / "tasks").glob("*.yml"):
        assert not re.search(r"default\(\s*omit", path.read_text()), path.name


def test_only_role_switches_have_defaults():
    """A default for a variable that stands for a module option would override module_defaults."""
    options = {role_variable(o) for o in _module_options()}
    assert sorted(set(DEFAULTS) & options) == []
