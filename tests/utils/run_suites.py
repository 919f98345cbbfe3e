#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run make suites in lanes side by side (make test); stop at the first failure and name it.

Usage: run_suites.py --build DIR [--alone 'A B'] [--keep-build] [--serial] [--log-dir DIR] [--label TEXT] -- SUITE...

Every suite named in --alone (most of their time is waiting on their own twin of the cloud) runs in a
lane of its own, `make SUITE BUILD=DIR/suites/SUITE`: its own tree, twin, registry, ansible-test output
and home (--keep-build: the suites separate their folders themselves). The other suites run one after another in one lane on the main BUILD, in the order given.
All lanes start together. Each suite's output goes to LOG_DIR/SUITE.log; a line is printed when a suite
starts and ends, with its wall time and CPU time (user + system of the suite and all its children).
At the first failure the other lanes are stopped (SIGTERM to their process groups, SIGKILL after a
grace), the end of the failing suite's log is printed and the exit code is 1; with --serial every
suite runs in the one lane, as before. A summary table ends every run.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import threading
import time

STOP_GRACE = 20  # seconds a stopped lane has to clean up (its twins, registries) before SIGKILL
LOG_TAIL = 150  # lines of a failing suite's log printed


class Suite:
    """One `make SUITE` run: its command, log and result."""

    def __init__(self, name: str, build: str | None, log_dir: str) -> None:
        self.name = name
        self.build = build
        self.log = os.path.join(log_dir, f'{name}.log')
        self.status = 'not run'
        self.wall = 0.0
        self.cpu = 0.0

    def command(self, make: str) -> list[str]:
        """The make command line of this suite."""
        return [make, '--no-print-directory', self.name] + ([f'BUILD={self.build}'] if self.build else [])


class Runner:
    """Starts the lanes, watches them, stops them all at the first failure."""

    def __init__(self, make: str, label: str, jobs: int = 0) -> None:
        self.make = make
        self.label = label
        self.lock = threading.Lock()
        # At most `jobs` suites at once (0: no limit); a free slot goes to the waiting lane listed first.
        self.slots = jobs or 1 << 30
        self.slot_changed = threading.Condition()
        self.waiting: list[int] = []
        self.failed: Suite | None = None
        self.running: dict[str, subprocess.Popen] = {}
        self.start = time.monotonic()

    def say(self, text: str) -> None:
        with self.lock:
            print(f'{self.label}: {text}', flush=True)

    def elapsed(self) -> int:
        return int(time.monotonic() - self.start)

    def queue(self, orders: range) -> None:
        """Every lane waits for a slot from the start, so the lanes listed first get the first slots whichever
        thread happens to run first."""
        with self.slot_changed:
            self.waiting.extend(orders)

    def run_lane(self, suites: list[Suite], order: int = 0) -> None:
        for index, suite in enumerate(suites):
            with self.lock:
                if self.failed is not None:
                    self.leave_queue(order)
                    return
            self.take_slot(order)
            passed = False
            try:
                passed = self.run_suite(suite)
            finally:
                # A lane with suites left keeps its place in the queue while it gives its slot back.
                self.give_slot(requeue=order if passed and index + 1 < len(suites) else None)
            if not passed:
                return

    def take_slot(self, order: int) -> None:
        with self.slot_changed:
            if order not in self.waiting:
                self.waiting.append(order)
            while not (self.slots > 0 and min(self.waiting) == order):
                self.slot_changed.wait()
            self.waiting.remove(order)
            self.slots -= 1
            self.slot_changed.notify_all()

    def give_slot(self, requeue: int | None = None) -> None:
        with self.slot_changed:
            if requeue is not None:
                self.waiting.append(requeue)
            self.slots += 1
            self.slot_changed.notify_all()

    def leave_queue(self, order: int) -> None:
        with self.slot_changed:
            if order in self.waiting:
                self.waiting.remove(order)
            self.slot_changed.notify_all()

    def run_suite(self, suite: Suite) -> bool:
        """Run one suite to its end; True when it passed."""
        os.makedirs(os.path.dirname(suite.log), exist_ok=True)
        started = time.monotonic()
        with open(suite.log, 'w', encoding='utf-8') as log:
            with self.lock:
                if self.failed is not None:
                    return False
                self.say_unlocked(f'==> make {suite.name}' + (f' (BUILD={suite.build})' if suite.build else '') + f', log {suite.log}')
                # pylint: disable-next=consider-using-with
                proc = subprocess.Popen(suite.command(self.make), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
                self.running[suite.name] = proc
            # wait4: the CPU time of this suite's process tree alone (its children are reaped into it)
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        suite.wall = time.monotonic() - started
        suite.cpu = usage.ru_utime + usage.ru_stime
        with self.lock:
            del self.running[suite.name]
            stopped = self.failed is not None
            if proc.returncode == 0:
                suite.status = 'passed'
            elif stopped:
                suite.status = 'stopped'
            else:
                suite.status = f'FAILED (exit {proc.returncode})'
                self.failed = suite
            self.say_unlocked(f'{suite.name} {suite.status} in {suite.wall:.0f}s (CPU {suite.cpu:.0f}s)')
        if suite.status.startswith('FAILED'):
            self.stop_others()
        return suite.status == 'passed'

    def say_unlocked(self, text: str) -> None:
        print(f'{self.label}: {text}', flush=True)

    def stop_others(self) -> None:
        """SIGTERM every running suite's process group; SIGKILL those still there after STOP_GRACE."""
        with self.lock:
            procs = list(self.running.items())
        for name, proc in procs:
            self.say(f'stopping {name}')
            signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for _name, proc in procs:
            while proc.returncode is None and time.monotonic() < deadline:
                time.sleep(0.2)
            if proc.returncode is None:
                signal_group(proc, signal.SIGKILL)


def signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def raise_keyboard_interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a CI timeout) stops every lane like Ctrl-C does."""
    raise KeyboardInterrupt(f'signal {signum}')


def tail(path: str, lines: int) -> str:
    with open(path, encoding='utf-8', errors='replace') as handle:
        return ''.join(handle.readlines()[-lines:])


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--build', required=True, help='the main build folder (make BUILD)')
    parser.add_argument('--alone', default='', help='suites that run in a lane of their own, with BUILD=BUILD/suites/SUITE')
    parser.add_argument('--keep-build', action='store_true', help='lanes of their own keep the main BUILD (the suites separate their own)')
    parser.add_argument('--serial', action='store_true', help='every suite one after another on the main BUILD')
    parser.add_argument('--jobs', type=int, default=0,
                        help='at most this many suites at once, the lanes listed first first (default 0: every lane at once)')
    parser.add_argument('--log-dir', help='where SUITE.log files go (default: BUILD/logs)')
    parser.add_argument('--label', default='make test', help='prefix of every line printed')
    parser.add_argument('--make', default=os.environ.get('MAKE', 'make'), help='make command (default: $MAKE or make)')
    parser.add_argument('suites', nargs='+', help='the suites (make targets), after --')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    build = os.path.abspath(args.build)
    log_dir = os.path.abspath(args.log_dir or os.path.join(build, 'logs'))
    alone = set() if args.serial else set(args.alone.split())
    main_lane = [Suite(name, None, log_dir) for name in args.suites if name not in alone]
    # The lanes of their own in --alone's order (longest first, so the longest start first under --jobs).
    order = [name for name in dict.fromkeys(args.alone.split()) if name in args.suites and name in alone]
    lanes = [[Suite(name, None if args.keep_build else os.path.join(build, 'suites', name), log_dir)] for name in order]
    lanes = ([main_lane] if main_lane else []) + lanes
    suites = [suite for lane in lanes for suite in lane]

    runner = Runner(args.make, args.label, args.jobs)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    runner.queue(range(len(lanes)))
    threads = [threading.Thread(target=runner.run_lane, args=(lane, order), daemon=True) for order, lane in enumerate(lanes)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    except KeyboardInterrupt:
        runner.say('interrupted: stopping every suite')
        with runner.lock:
            runner.failed = runner.failed or Suite('(interrupted)', None, log_dir)
        runner.stop_others()
        return 130

    width = max(len(suite.name) for suite in suites)
    runner.say(f'{"suite":<{width}}  {"wall":>6}  {"CPU":>6}  result')
    for suite in suites:
        runner.say(f'{suite.name:<{width}}  {suite.wall:>5.0f}s  {suite.cpu:>5.0f}s  {suite.status}')
    unfinished = [suite for suite in suites if suite.status != 'passed']
    if runner.failed is None and unfinished:
        # A lane that ended without running its suites (an error in the runner itself) is a failure, never a pass.
        runner.failed = unfinished[0]
    if runner.failed is not None:
        failed = runner.failed
        log_tail = tail(failed.log, LOG_TAIL) if os.path.exists(failed.log) else f'(no log: {failed.name} {failed.status})\n'
        print(f'---- end of {failed.log} ----\n{log_tail}---- end of {failed.name} ----', flush=True)
        runner.say(f'FAILED in {failed.name} after {runner.elapsed()}s (log {failed.log})')
        return 1
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    runner.say(f'PASSED ({" ".join(args.suites)}) in {runner.elapsed()}s (CPU {children.ru_utime + children.ru_stime:.0f}s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
