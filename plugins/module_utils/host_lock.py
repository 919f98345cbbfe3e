# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An exclusive lock shared by the module's runs on one host (forks, parallel playbooks).

Runs that would create the same cache take turns with it, so that the second run finds the
first one's cache instead of sending the same CreateImageCache: the ClientToken already stops
a duplicate, the turn makes `changed` truthful. A lock that cannot be had (no fcntl, a temp
directory we may not use, a holder that takes too long) is never an error: the caller goes on
without it, and the ClientToken still keeps the cache single.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
import time

try:
    import fcntl
except ImportError:  # not POSIX: no turns, the ClientToken alone keeps caches single
    fcntl = None


def lock_directory():
    """A directory only this user can write, under the system temp directory, for every run of this user."""
    return os.path.join(tempfile.gettempdir(), "ansible-alibabacloud-eci-%d" % os.getuid())


class HostLock:
    """A named lock file under lock_directory(), taken with flock; acquire() says whether it was had."""

    def __init__(self, name, directory=None, sleep=time.sleep, clock=time.monotonic):
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
        self.directory = directory or lock_directory()
        self.path = os.path.join(self.directory, digest + ".lock")
        self.problem = None
        self._fd = None
        self._sleep = sleep
        self._clock = clock

    @property
    def held(self):
        return self._fd is not None

    def acquire(self, timeout, poll=0.1):
        """Wait up to timeout seconds for the lock; True when held, False (with self.problem) when not."""
        if fcntl is None:
            self.problem = "this platform has no fcntl"
            return False
        try:
            fd = self._open()
        except OSError as error:
            self.problem = "cannot use %s: %s" % (self.path, error.strerror or error)
            return False
        deadline = self._clock() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    self.problem = "cannot lock %s: %s" % (self.path, error.strerror or error)
                    break
            if self._clock() >= deadline:
                self.problem = "another run held it for more than %g seconds" % timeout
                break
            self._sleep(poll)
        os.close(fd)
        return False

    def release(self):
        if self._fd is not None:
            fd, self._fd = self._fd, None
            # Closing the descriptor drops the flock; the file stays for the next run (unlinking it could
            # let two runs lock two different files of the same name).
            os.close(fd)

    def _open(self):
        try:
            os.mkdir(self.directory, 0o700)
        except OSError as error:
            if error.errno != errno.EEXIST:
                raise
        info = os.lstat(self.directory)
        # Someone else's directory, or a symlink planted in a shared /tmp, is not ours to write to.
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            raise OSError(errno.EPERM, "not a private directory of this user")
        return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
