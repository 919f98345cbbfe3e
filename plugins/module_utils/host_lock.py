# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An exclusive lock shared by the module's runs that see one file system (forks, parallel playbooks).

Runs that would create the same cache take turns with it, so that the second run finds the
first one's cache instead of sending the same CreateImageCache: the ClientToken already stops
a duplicate, the turn makes `changed` truthful. A lock that cannot be had (no fcntl, no usable
directory, a holder that takes too long) is never an error: the caller goes on without it, and
the ClientToken still keeps the cache single.

What it covers: runs whose lock files are in one directory. By default that is a private directory
of the user (see private_directories()), so runs of one user on one machine, in one container,
take turns. Jobs in separate containers (AWX and AAP run each job in its own execution environment
container with its own /tmp) do not, unless a shared directory is mounted into every container and
given as shared_directory (the module option `lock_dir` or the environment variable
ALICLOUD_ECI_LOCK_DIR, see LOCK_DIR_ENV).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
import time
from typing import Callable, Mapping

try:
    import fcntl
except ImportError:  # not POSIX: no turns, the ClientToken alone keeps caches single
    fcntl = None

# Environment variable naming a shared lock directory (the module option lock_dir wins over it).
LOCK_DIR_ENV = "ALICLOUD_ECI_LOCK_DIR"
DIRECTORY_NAME = "ansible-alibabacloud-eci"
# A shared directory made by the module, and its lock files: group-writable (the docs of lock_dir say so).
SHARED_DIRECTORY_MODE = 0o770
SHARED_FILE_MODE = 0o660
PRIVATE_FILE_MODE = 0o600


def lock_directory() -> str:
    """The first choice of private directory: under the system temp directory, one per user."""
    return os.path.join(tempfile.gettempdir(), f"{DIRECTORY_NAME}-{os.getuid()}")


def private_directories(environ: Mapping[str, str] | None = None) -> list[str]:
    """The private per-user lock directories, in the order they are tried.

    The temp directory one first (every run of the user finds it); when another user has taken that
    name (anyone may create directories in a shared /tmp), XDG_RUNTIME_DIR (private to the user by
    the XDG spec), then ~/.ansible/tmp (the directory ansible itself keeps private).
    """
    environ = os.environ if environ is None else environ
    found = [lock_directory()]
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        found.append(os.path.join(runtime, DIRECTORY_NAME))
    home = environ.get("HOME") or os.path.expanduser("~")
    if home and os.path.isabs(home):
        found.append(os.path.join(home, ".ansible", "tmp", DIRECTORY_NAME))
    return found


def configured_directory(option: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The shared lock directory: the module option (lock_dir) when set, else ALICLOUD_ECI_LOCK_DIR, else None."""
    environ = os.environ if environ is None else environ
    value = option if option not in (None, "") else environ.get(LOCK_DIR_ENV)
    return value or None


class HostLock:
    """A named lock file taken with flock; acquire() says whether it was had, and problem says why not.

    directory: one private directory to use (it must be this user's and writable by nobody else).
    shared_directory: a directory shared by several users or containers (for example mounted into
    every AWX execution environment); it must exist or be creatable, and is used as it is. The module
    passes configured_directory(params["lock_dir"]); without it (and without directory),
    ALICLOUD_ECI_LOCK_DIR of environ is the shared directory.
    Neither: the first usable directory of private_directories().
    """

    def __init__(self, name: str, directory: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, shared_directory: str | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
        if not shared_directory and not directory:
            shared_directory = configured_directory(None, environ)
        self.shared = bool(shared_directory)
        if shared_directory:
            self.candidates = [shared_directory]
        elif directory:
            self.candidates = [directory]
        else:
            self.candidates = private_directories(environ)
        self.directory = self.candidates[0]
        self.path = self._path(self.directory)
        self.problem = None
        self._fd = None
        self._sleep = sleep
        self._clock = clock

    def _path(self, directory: str) -> str:
        return os.path.join(directory, self.digest + ".lock")

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float, poll: float = 0.1) -> bool:
        """Wait up to timeout seconds for the lock; True when held, False (with self.problem) when not."""
        if fcntl is None:
            self.problem = "this platform has no fcntl"
            return False
        try:
            fd = self._open()
        except OSError as error:
            self.problem = f"cannot use {self.path}: {error.strerror or error}"
            return False
        deadline = self._clock() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    self.problem = f"cannot lock {self.path}: {error.strerror or error}"
                    break
            if self._clock() >= deadline:
                self.problem = f"another run held it for more than {timeout:g} seconds"
                break
            self._sleep(poll)
        os.close(fd)
        return False

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            # Closing the descriptor drops the flock; the file stays for the next run (unlinking it could
            # let two runs lock two different files of the same name).
            os.close(fd)

    def _open(self) -> int:
        """Open the lock file in the first usable candidate directory; OSError of the last one otherwise."""
        last = None
        for directory in self.candidates:
            self.directory, self.path = directory, self._path(directory)
            try:
                if self.shared:
                    return self._open_shared(directory)
                return self._open_private(directory)
            except OSError as error:
                last = error
        raise last

    def _open_private(self, directory: str) -> int:
        try:
            os.makedirs(os.path.dirname(directory), 0o700)
        except OSError as error:
            if error.errno != errno.EEXIST:
                raise
        try:
            os.mkdir(directory, 0o700)
        except OSError as error:
            if error.errno != errno.EEXIST:
                raise
        info = os.lstat(directory)
        # Someone else's directory, or a symlink planted in a shared /tmp, is not ours to write to: the next
        # candidate is tried, so a directory pre-created by another user cannot switch the lock off.
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            raise OSError(errno.EPERM, "not a private directory of this user")
        return open_lock_file(self.path, PRIVATE_FILE_MODE)

    def _open_shared(self, directory: str) -> int:
        parent = os.path.dirname(os.path.abspath(directory))
        if not os.path.isdir(parent):
            os.makedirs(parent)
        try:
            os.mkdir(directory, SHARED_DIRECTORY_MODE)
        except OSError as error:
            if error.errno != errno.EEXIST:
                raise
        else:
            # Made here: group-writable whatever the umask (as documented), so that every user of the group can lock.
            os.chmod(directory, SHARED_DIRECTORY_MODE)
        info = os.lstat(directory)
        if stat.S_ISLNK(info.st_mode):
            # Not followed: a link planted at the configured path would make the lock write where it points.
            raise OSError(errno.ELOOP, "it is a symbolic link; give the directory it points to")
        if not stat.S_ISDIR(info.st_mode):
            raise OSError(errno.ENOTDIR, "not a directory")
        # Group-writable lock files: every user of the shared directory must be able to open them.
        return open_lock_file(self.path, SHARED_FILE_MODE)


def open_lock_file(path: str, mode: int) -> int:
    """A descriptor of the lock file at path, made with mode (whatever the umask) when it is new. Never through a
    symbolic link (O_NOFOLLOW; a new file with O_EXCL), and only a regular file: OSError otherwise."""
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, mode)
        created = True
    except FileExistsError:
        fd = os.open(path, flags)
        created = False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EPERM, "the lock path is not a regular file")
        if created:
            os.fchmod(fd, mode)
    except OSError:
        os.close(fd)
        raise
    return fd
