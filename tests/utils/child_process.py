# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the wrapped command of with_emulator.py and with_registry.py, passing Ctrl-C and SIGTERM on to it."""

from __future__ import annotations

import signal
import subprocess

STOP_TIMEOUT = 5


def raise_keyboard_interrupt(signum, frame):
    """Turn SIGTERM into the same clean-up path as Ctrl-C (install with signal.signal(SIGTERM, ...))."""
    raise KeyboardInterrupt('signal %d' % signum)


def run_child(command, env, stop_timeout=STOP_TIMEOUT):
    """Run command to its end and return its exit code; on KeyboardInterrupt, interrupt it, wait, kill, re-raise."""
    with subprocess.Popen(command, env=env) as child:
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(stop_timeout)
            except subprocess.TimeoutExpired:
                child.kill()
            raise
