# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every action handler of the twin gets (ECI, VPC and ECS alike), and the request helpers they share."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from .auth import Identity
from .errors import invalid
from .params import Params
from .regions import check_region
from .state import State


@dataclass
class Context:
    """What a handler gets: the state (its lock is held), the parameters, the time and the caller."""

    state: State
    params: Params
    now: float
    identity: Identity


def region_of(p: Params) -> str:
    """The request's RegionId, required and known."""
    return check_region(p.get_str('RegionId', required=True))


def encode_token(kind: str, value: int) -> str:
    """An opaque NextToken for a page that starts after value; kind keeps tokens of one listing out of another."""
    return base64.urlsafe_b64encode(f'{kind}:{value}'.encode('ascii')).decode('ascii').rstrip('=')


def decode_token(token: str | None, kind: str) -> int | None:
    """The value of a NextToken of this kind; None when no token is given; InvalidParameter for a foreign token."""
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)).decode('ascii')
        prefix, value = text.split(':', 1)
        if prefix == kind and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise invalid('NextToken', 'Use the NextToken of the previous response.')
