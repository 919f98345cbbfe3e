# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's run-time configuration (the command-line flags) and its defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_ACCESS_KEY_ID = 'LTAI5tEmulatorAccessKey'
DEFAULT_ACCESS_KEY_SECRET = 'emulator-secret-not-for-production'
DEFAULT_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'default_fixtures.yml')
DEFAULT_REGION = 'cn-hangzhou'
DEFAULT_RESOURCE_GROUP_ID = 'rg-acfmdefault0001'


@dataclass
class Config:
    """Run-time settings (the command-line flags)."""

    access_key_id: str = DEFAULT_ACCESS_KEY_ID
    access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET
    security_token: str | None = None
    ready_after: float = 3.0
    token_ttl: float | None = None  # --token-ttl: overrides the profile's token_ttl when given
    fixtures: str | None = None
    registry: str | None = None  # --registry: image sizes of images on this registry are read from it
    profile: object = None  # --profile: a built-in name, a YAML file or a mapping (profile.load); None = default
