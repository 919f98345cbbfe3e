# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eci_image_caches on the controller: the play's module_defaults of eci_image_cache reach every item and the
connection, and an unknown key in an item is refused here, naming the item, never showing its value.

Each item is what one eci_image_cache task takes, so module_defaults for alibabacloud.eci.eci_image_cache (and
group/alibabacloud.eci.eci) apply to every item, below the task's `defaults`, as they would to a loop of
eci_image_cache tasks; only the controller knows them. Their connection options (region, keys, endpoints, timeouts)
apply to the set as they would to an eci_image_cache task, so the set never works in another region or account than
that task would; what the set cannot take (name, image_cache_id: one value for every item) fails the task, named.
An unknown key (a mistyped `password`, say) would fail in the module with the items echoed in the invocation, where
-vvv shows its value: it fails here instead. async works as for any module (ActionBase._execute_module wraps it).
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import auth_argument_spec
from ansible_collections.alibabacloud.eci.plugins.module_utils.image_cache_spec import set_item_spec

try:  # ansible-core 2.19 and later
    from ansible.executor.module_common import _apply_action_arg_defaults
    get_action_args_with_defaults = None
except ImportError:  # ansible-core 2.17, 2.18
    _apply_action_arg_defaults = None
    from ansible.executor.module_common import get_action_args_with_defaults

SINGLE = "alibabacloud.eci.eci_image_cache"
# Options of eci_image_cache that are options of the whole set in eci_image_caches.
SET_OPTIONS = ("wait", "wait_timeout")
# Options of eci_image_cache that identify one cache: a module_defaults value for them cannot apply to every item.
NOT_FOR_A_SET = ("name", "image_cache_id")


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
    _supports_async = True

    def _defaults_of(self, action: str) -> dict[str, Any]:
        """The module_defaults a task of `action` in this play would get (the group's and the action's own)."""
        if _apply_action_arg_defaults is not None:
            return _apply_action_arg_defaults(action, self._task, {}, self._templar)
        return get_action_args_with_defaults(action, {}, self._task.module_defaults, self._templar,
                                             action_groups=self._task._parent._play._action_groups)

    @staticmethod
    def _canonical(found: dict[str, Any], spec: dict[str, dict[str, Any]]) -> dict[str, Any]:
        names = dict((alias, name) for name, option in spec.items() for alias in option.get("aliases") or ())
        return dict((names.get(key, key), value) for key, value in found.items() if value is not None)

    def _single_cache_defaults(self) -> dict[str, Any]:
        """The module_defaults an eci_image_cache task of this play would get, its cache options only."""
        spec = set_item_spec()
        found = self._canonical(self._defaults_of(SINGLE), spec)
        return dict((key, value) for key, value in found.items() if key in set(spec) | set(SET_OPTIONS))

    def _connection_defaults(self, args: dict[str, Any]) -> dict[str, Any]:
        """The connection options an eci_image_cache task of this play would get, where the task itself does not set
        them (a value equal to the set's own module_defaults came from them, not from the task)."""
        spec = auth_argument_spec()
        single = self._canonical(self._defaults_of(SINGLE), spec)
        own = self._canonical(self._defaults_of(self._task.resolved_action or "alibabacloud.eci.eci_image_caches"), spec)
        given = self._canonical(args, spec)
        taken = {}
        for option in spec:
            if option in single and (option not in given or given[option] == own.get(option)):
                taken[option] = single[option]
        return taken

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        spec = set_item_spec()
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
        refused = sorted(option for option in NOT_FOR_A_SET if option in self._defaults_of(SINGLE))
        if refused:
            result.update(failed=True, changed=False, msg=f"module_defaults of {SINGLE} set {', '.join(refused)}, which names one "
                          "cache and cannot apply to every item of eci_image_caches; give it in the items instead.")
            return result
        connection = self._connection_defaults(args)
        if connection:
            spec_auth = auth_argument_spec()
            for option, value in connection.items():
                for alias in [option] + list(spec_auth[option].get("aliases") or ()):
                    args.pop(alias, None)
                args[option] = value
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
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result.update(self._execute_module(module_name="alibabacloud.eci.eci_image_caches", module_args=args,
                                           task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            # remove a temporary path we created (as ansible's own action plugins do)
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
