# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""python -m tests.conformance --region R [--confirm-create] [--output FILE]"""

from __future__ import annotations

import sys

from .probe import main

if __name__ == '__main__':
    sys.exit(main())
