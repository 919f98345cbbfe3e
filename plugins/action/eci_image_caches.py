# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_caches on the controller: the play's module_defaults of eci_image_cache reach every item, and an
unknown key in an item is refused here, naming the item, never showing its value.

Each item is what one eci_image_cache task takes, so module_defaults for alibabacloud.eci.eci_image_cache (and the
cache options of group/alibabacloud.eci.eci) apply to every item, below the task's `defaults`, as they would to a
loop of eci_image_cache tasks; only the controller knows them. An unknown key (a mistyped `password`, say) would
fail in the module with the items echoed in the invocation, where -vvv shows its value: it fails here instead.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import image_cache_settings_spec

try:  # ansible-core 2.19 and later
    from ansible.executor.module_common import _apply_action_arg_defaults
    get_action_args_with_defaults = None
except ImportError:  # ansible-core 2.17, 2.18
    _apply_action_arg_defaults = None
    from ansible.executor.module_common import get_action_args_with_defaults

SINGLE = "alibabacloud.eci.eci_image_cache"
# Options of eci_image_cache that are options of the whole set in eci_image_caches.
SET_OPTIONS = ("wait", "wait_timeout")


def known_keys(spec: dict[str, dict[str, Any]]) -> set[str]:
    keys = set(spec)
    for option in spec.values():
        keys.update(option.get("aliases") or ())
    return keys


def unknown_keys(value: Any, spec: dict[str, dict[str, Any]], where: str) -> list[str]:
    """Where `value` (a dict of options of `spec`) has keys the spec does not know, sub-options included."""
    if not isinstance(value, dict):
        return []
    found = [f"{where}.{key}" for key in sorted(set(value) - known_keys(spec), key=str)]
    for name, option in spec.items():
        sub = option.get("options")
        if sub and option.get("type") == "list" and isinstance(value.get(name), list):
            for index, entry in enumerate(value[name]):
                found.extend(unknown_keys(entry, sub, f"{where}.{name}[{index}]"))
        elif sub and isinstance(value.get(name), dict):
            found.extend(unknown_keys(value[name], sub, f"{where}.{name}"))
    return found


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = False

    def _single_cache_defaults(self) -> dict[str, Any]:
        """The module_defaults an eci_image_cache task of this play would get, its cache options only."""
        if _apply_action_arg_defaults is not None:
            found = _apply_action_arg_defaults(SINGLE, self._task, {}, self._templar)
        else:
            found = get_action_args_with_defaults(SINGLE, {}, self._task.module_defaults, self._templar,
                                                  action_groups=self._task._parent._play._action_groups)
        spec = image_cache_settings_spec()
        names = dict((alias, name) for name, option in spec.items() for alias in option.get("aliases") or ())
        return dict((names.get(key, key), value) for key, value in found.items()
                    if key in known_keys(spec) | set(SET_OPTIONS) and value is not None)

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        spec = image_cache_settings_spec()
        labels = args.get("labels") or {}
        caches_label = labels.get("caches") or "caches"
        problems = []
        for index, item in enumerate(args.get("caches") or []):
            problems.extend(unknown_keys(item, spec, f"{caches_label}[{index}]"))
        problems.extend(unknown_keys(args.get("defaults"), spec, (labels.get("defaults") or "defaults.").rstrip(".")))
        if problems:
            result.update(failed=True, changed=False, msg="Unsupported option(s), not options of eci_image_cache (their "
                          f"values are not shown, in case one is a mistyped password): {', '.join(problems)}.")
            return result
        inherited = self._single_cache_defaults()
        for option in SET_OPTIONS:
            value = inherited.pop(option, None)
            if value is not None and option not in args:
                args[option] = value
        if inherited:
            given = dict(args.get("defaults") or {})
            # The task's own `defaults` win; an alias there counts as its option.
            given_options = set(given) | set(name for name, option in spec.items()
                                             if set(option.get("aliases") or ()) & set(given))
            args["defaults"] = dict(dict((k, v) for k, v in inherited.items() if k not in given_options), **given)
        result.update(self._execute_module(module_name="alibabacloud.eci.eci_image_caches", module_args=args,
                                           task_vars=task_vars))
        return result
