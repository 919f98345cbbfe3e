# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local twin of Alibaba Cloud (ECI image caches, VPC/ECS network reads) for tests: see README.md."""

from __future__ import annotations

from .server import Emulator, TwinServer
from .config import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Config
from .model import default_image_size
from .state import State

__all__ = ['Emulator', 'TwinServer', 'Config', 'State', 'DEFAULT_ACCESS_KEY_ID', 'DEFAULT_ACCESS_KEY_SECRET', 'default_image_size']
