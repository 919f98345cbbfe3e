# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading flattened RPC parameters (X.N, X.N.Field, X.N.Field.M) back into structures."""

from __future__ import annotations

import re

from .errors import malformed, missing, invalid

# Parameters every RPC request may carry that no handler looks at.
SIGNING_PARAMS = frozenset((
    'Action', 'Version', 'Format', 'Timestamp', 'SignatureNonce', 'SignatureMethod', 'SignatureVersion',
    'AccessKeyId', 'Signature', 'SecurityToken', 'SignatureType', 'BearerToken',
))


class Params:
    """The flattened query parameters of one request, with typed accessors raising cloud-like errors."""

    def __init__(self, raw: dict[str, str]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return name in self.raw

    def get_str(self, name: str, required: bool = False, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None or (required and value == ''):
            if required:
                raise missing(name)
            return default
        return value

    def get_int(self, name: str, lo: int | None = None, hi: int | None = None, default: int | None = None,
                required: bool = False) -> int | None:
        value = self.get_str(name, required=required)
        if value is None or value == '':
            return default
        if not re.fullmatch(r'[+-]?\d+', value.strip()):
            raise malformed(name, value, 'an integer')
        number = int(value)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            if hi is None:
                raise invalid(name, f'It must be an integer >= {lo}, got {number}.')
            raise invalid(name, f'It must be an integer from {lo} to {hi}, got {number}.')
        return number

    def get_bool(self, name: str, default: bool | None = None) -> bool | None:
        value = self.get_str(name)
        if value is None or value == '':
            return default
        low = value.strip().lower()
        if low == 'true':
            return True
        if low == 'false':
            return False
        raise malformed(name, value, 'a boolean (true or false)')

    def _indexed(self, name: str) -> dict[int, dict[str, str]]:
        """Group X.N (sub key '') and X.N.Field keys by N."""
        pattern = re.compile(re.escape(name) + r'\.([^.]+)(?:\.(.+))?\Z')
        groups: dict[int, dict[str, str]] = {}
        for key, value in self.raw.items():
            match = pattern.match(key)
            if not match:
                continue
            index = match.group(1)
            if not index.isdigit() or int(index) < 1:
                raise malformed(key, index, 'a positive list index (X.N starts at 1)')
            groups.setdefault(int(index), {})[match.group(2) or ''] = value
        return dict(sorted(groups.items()))

    def get_list(self, name: str, max_items: int | None = None) -> list[str]:
        """X.1, X.2, ... as a list of strings (ordered by N)."""
        items = [group[''] for group in self._indexed(name).values() if '' in group]
        if max_items is not None and len(items) > max_items:
            raise invalid(name, f'At most {max_items} items are allowed, got {len(items)}.')
        return items

    def get_objects(self, name: str, max_items: int | None = None) -> list[dict]:
        """X.N.Field as a list of dicts; X.N.Field.M becomes a list under Field."""
        result = []
        for index, group in self._indexed(name).items():
            obj: dict = {'_index': index}
            nested: dict[str, dict[int, str]] = {}
            for sub, value in group.items():
                if sub == '':
                    continue
                if '.' in sub:
                    field, pos = sub.split('.', 1)
                    if not pos.isdigit() or int(pos) < 1:
                        raise malformed(f'{name}.{index}.{sub}', pos, 'a positive list index')
                    nested.setdefault(field, {})[int(pos)] = value
                else:
                    obj[sub] = value
            for field, values in nested.items():
                obj[field] = [values[k] for k in sorted(values)]
            result.append(obj)
        if max_items is not None and len(result) > max_items:
            raise invalid(name, f'At most {max_items} items are allowed, got {len(result)}.')
        return result

    def fingerprint(self) -> tuple:
        """What identifies a request for ClientToken comparisons (signing parameters left out)."""
        return tuple(sorted((k, v) for k, v in self.raw.items() if k not in SIGNING_PARAMS))
