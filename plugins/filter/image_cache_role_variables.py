# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: image_cache_role_variables
short_description: The role variables that stand for eci_image_cache options, and the option of each
version_added: 0.1.0
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
description:
  - Picks, from a list of variable names, those that are the C(alibabacloud.eci.image_cache) role's variable of an
    option of P(alibabacloud.eci.eci_image_cache#module), and returns each with its option.
  - The role variable of an option is C(image_cache_) plus the option (C(image_cache_images) for C(images)), except
    C(name), whose variable is C(image_cache_name), and options already starting with C(image_cache_)
    (C(image_cache_id), C(image_cache_size)), which keep their name.
  - The options are read from the module's argument spec, so the role passes a new option without a list of its own.
    The role gives it the names of the variables that are defined (the C(ansible.builtin.varnames) lookup) and reads
    their values with the C(ansible.builtin.vars) lookup, so an unset variable is never a task argument.
options:
  _input:
    description:
      - Variable names, for example the result of C(query('ansible.builtin.varnames', '^image_cache_')). Names that
        stand for no option are left out.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: The options whose role variable is defined, with their values
  ansible.builtin.debug:
    msg: "{{ dict(variables.values() | zip(query('ansible.builtin.vars', *variables))) }}"
  vars:
    variables: "{{ query('ansible.builtin.varnames', '^image_cache_') | alibabacloud.eci.image_cache_role_variables }}"
"""

RETURN = r"""
_value:
  description:
    - The role variables among the names, in their order, each mapped to its eci_image_cache option.
  type: dict
"""

from collections.abc import Sequence
from typing import Any, Callable

from ansible.errors import AnsibleFilterError

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import auth_argument_spec
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec

# eci_image_cache's options besides the settings spec and the connection options (its main() adds them);
# tests/unit/roles checks that these are exactly the module's options.
WAIT_OPTIONS = ("wait", "wait_timeout")


def module_options() -> tuple[str, ...]:
    """Every option eci_image_cache takes (without aliases)."""
    return tuple(image_cache_settings_spec()) + WAIT_OPTIONS + tuple(auth_argument_spec())


def role_variable(option: str) -> str:
    """The image_cache role's variable of an eci_image_cache option."""
    if option == "name":
        return "image_cache_name"
    return option if option.startswith("image_cache_") else "image_cache_" + option


def image_cache_role_variables(names: Any) -> dict[str, str]:
    """{variable: option} for the names that are role variables of eci_image_cache options."""
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
        raise AnsibleFilterError(f"image_cache_role_variables: the input must be a list of variable names, got "
                                 f"{type(names).__name__}.")
    options = dict((role_variable(option), option) for option in module_options())
    return dict((name, options[name]) for name in names if name in options)


class FilterModule:
    """alibabacloud.eci filters."""

    def filters(self) -> dict[str, Callable[..., dict[str, str]]]:
        return {"image_cache_role_variables": image_cache_role_variables}
