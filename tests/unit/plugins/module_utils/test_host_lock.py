# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lock that makes runs on one host take turns before a create."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from ansible_collections.alibabacloud.eci.plugins.module_utils import host_lock
from ansible_collections.alibabacloud.eci.plugins.module_utils.host_lock import HostLock


def test_held_until_released(tmp_path):
    directory = str(tmp_path / "locks")
    first = HostLock("create\nsame", directory=directory)
    assert first.acquire(1) and first.held
    assert oct(os.stat(directory).st_mode & 0o777) == oct(0o700)
    assert oct(os.stat(first.path).st_mode & 0o777) == oct(0o600)
    second = HostLock("create\nsame", directory=directory)
    assert second.acquire(0.3) is False
    assert second.problem == "another run held it for more than 0.3 seconds"
    first.release()
    assert not first.held
    assert second.acquire(0.3) and second.held
    second.release()
    first.release()  # a second release is harmless


def test_different_names_do_not_wait(tmp_path):
    directory = str(tmp_path / "locks")
    one, other = HostLock("create\na", directory=directory), HostLock("create\nb", directory=directory)
    assert one.acquire(1) and other.acquire(0)
    assert one.path != other.path
    one.release()
    other.release()


def test_waits_with_the_given_clock_until_the_deadline(tmp_path, fake_time):
    directory = str(tmp_path / "locks")
    holder = HostLock("n", directory=directory)
    assert holder.acquire(1)
    waiter = HostLock("n", directory=directory, sleep=fake_time.sleep, clock=fake_time.clock)
    assert waiter.acquire(5, poll=0.5) is False
    assert fake_time.sleeps == [0.5] * 10
    holder.release()


def test_another_process_holds_it(tmp_path):
    """flock is per open file: a second process waits for the first, as parallel ansible runs do."""
    directory = str(tmp_path / "locks")
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        sys.path[:0] = %r
        from ansible_collections.alibabacloud.eci.plugins.module_utils.host_lock import HostLock
        lock = HostLock("shared", directory=%r)
        assert lock.acquire(5)
        print("held", flush=True)
        time.sleep(1.0)
        lock.release()
        time.sleep(5)
    """) % (sys.path, directory)], stdout=subprocess.PIPE, universal_newlines=True)
    try:
        assert child.stdout.readline().strip() == "held"
        mine = HostLock("shared", directory=directory)
        started = time.monotonic()
        assert mine.acquire(10)
        waited = time.monotonic() - started
        assert 0.5 < waited < 5, waited
        mine.release()
    finally:
        child.kill()
        child.wait()


def test_a_directory_others_can_write_is_refused(tmp_path):
    directory = tmp_path / "locks"
    directory.mkdir(mode=0o700)
    os.chmod(str(directory), 0o777)
    lock = HostLock("n", directory=str(directory))
    assert lock.acquire(1) is False
    assert "not a private directory of this user" in lock.problem
    assert not os.listdir(str(directory))


def test_a_symlink_instead_of_the_directory_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "locks"
    link.symlink_to(target)
    lock = HostLock("n", directory=str(link))
    assert lock.acquire(1) is False
    assert "not a private directory" in lock.problem
    assert not os.listdir(str(target))


def test_without_fcntl_no_lock_and_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(host_lock, "fcntl", None)
    lock = HostLock("n", directory=str(tmp_path / "locks"))
    assert lock.acquire(1) is False and lock.problem == "this platform has no fcntl"


def test_default_directory_is_per_user(monkeypatch, tmp_path):
    monkeypatch.setattr(host_lock.tempfile, "tempdir", str(tmp_path))
    assert host_lock.lock_directory() == os.path.join(str(tmp_path), "ansible-alibabacloud-eci-%d" % os.getuid())


def _environ(tmp_path):
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    return {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path / "home")}


def test_a_squatted_temp_directory_falls_back_to_xdg_runtime_dir(monkeypatch, tmp_path):
    """Another user's directory under /tmp (here: one others can write) must not switch the lock off."""
    monkeypatch.setattr(host_lock.tempfile, "tempdir", str(tmp_path))
    squatted = tmp_path / ("ansible-alibabacloud-eci-%d" % os.getuid())
    squatted.mkdir()
    os.chmod(str(squatted), 0o777)
    environ = _environ(tmp_path)
    first = HostLock("create\nx", environ=environ)
    assert first.acquire(1), first.problem
    assert first.directory == os.path.join(environ["XDG_RUNTIME_DIR"], "ansible-alibabacloud-eci")
    assert not os.listdir(str(squatted))
    # The next run of the user falls back the same way, so the two still take turns.
    second = HostLock("create\nx", environ=environ)
    assert second.acquire(0.2) is False and second.problem == "another run held it for more than 0.2 seconds"
    first.release()


def test_without_xdg_runtime_dir_the_fallback_is_ansible_tmp(monkeypatch, tmp_path):
    monkeypatch.setattr(host_lock.tempfile, "tempdir", str(tmp_path))
    (tmp_path / ("ansible-alibabacloud-eci-%d" % os.getuid())).symlink_to(tmp_path)
    environ = {"HOME": str(tmp_path / "home")}
    lock = HostLock("create\nx", environ=environ)
    assert lock.acquire(1), lock.problem
    assert lock.directory == str(tmp_path / "home" / ".ansible" / "tmp" / "ansible-alibabacloud-eci")
    assert oct(os.stat(lock.directory).st_mode & 0o777) == oct(0o700)
    lock.release()


def test_private_directories_in_order(monkeypatch, tmp_path):
    monkeypatch.setattr(host_lock.tempfile, "tempdir", "/tmp")
    found = host_lock.private_directories({"XDG_RUNTIME_DIR": "/run/user/7", "HOME": "/home/u"})
    assert found == ["/tmp/ansible-alibabacloud-eci-%d" % os.getuid(), "/run/user/7/ansible-alibabacloud-eci",
                     "/home/u/.ansible/tmp/ansible-alibabacloud-eci"]
    # A relative XDG_RUNTIME_DIR is invalid by the spec and ignored.
    assert "run/ansible-alibabacloud-eci" not in host_lock.private_directories({"XDG_RUNTIME_DIR": "run", "HOME": "/h"})


def test_every_candidate_unusable_gives_the_last_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(host_lock.tempfile, "tempdir", str(tmp_path))
    (tmp_path / ("ansible-alibabacloud-eci-%d" % os.getuid())).write_text("a file")
    home = tmp_path / "home"
    home.write_text("not a directory either")
    lock = HostLock("n", environ={"HOME": str(home)})
    assert lock.acquire(1) is False
    assert lock.problem.startswith("cannot use %s" % home)


def test_a_shared_directory_is_used_as_it_is(tmp_path):
    """A directory mounted into every container (AWX): group-writable is fine, lock files are group-writable."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), 0o777)
    one = HostLock("create\nx", shared_directory=str(shared))
    assert one.acquire(1), one.problem
    assert one.directory == str(shared)
    assert os.stat(one.path).st_mode & 0o007 == 0  # never world-accessible
    other = HostLock("create\nx", shared_directory=str(shared))
    assert other.acquire(0.2) is False
    one.release()
    assert other.acquire(0.2)
    other.release()


def test_a_shared_directory_is_created(tmp_path):
    lock = HostLock("n", shared_directory=str(tmp_path / "a" / "b"))
    assert lock.acquire(1) and os.path.isdir(str(tmp_path / "a" / "b"))
    lock.release()


def test_a_shared_path_that_is_a_file_is_a_problem_not_an_error(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    lock = HostLock("n", shared_directory=str(path))
    assert lock.acquire(1) is False
    assert lock.problem.startswith("cannot use %s" % path)


def test_configured_directory_option_then_environment():
    assert host_lock.configured_directory("/opt/locks", {"ALICLOUD_ECI_LOCK_DIR": "/env"}) == "/opt/locks"
    assert host_lock.configured_directory(None, {"ALICLOUD_ECI_LOCK_DIR": "/env"}) == "/env"
    assert host_lock.configured_directory("", {"ALICLOUD_ECI_LOCK_DIR": ""}) is None
    assert host_lock.configured_directory(None, {}) is None


def test_the_environment_names_a_shared_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(host_lock.tempfile, "tempdir", str(tmp_path / "tmp"))
    shared = tmp_path / "mounted"
    lock = HostLock("create\nx", environ={"ALICLOUD_ECI_LOCK_DIR": str(shared), "HOME": str(tmp_path)})
    assert lock.acquire(1), lock.problem
    assert lock.directory == str(shared) and lock.shared
    lock.release()
    # An explicit private directory wins over the environment.
    assert HostLock("n", directory=str(tmp_path / "own"), environ={"ALICLOUD_ECI_LOCK_DIR": str(shared)}).shared is False


# -- issue 23: modes as documented, never through a planted link ---------------------------------------------
@pytest.fixture
def strict_umask():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_a_shared_directory_made_here_is_group_writable_whatever_the_umask(tmp_path, strict_umask):
    shared = tmp_path / "made"
    lock = HostLock("n", shared_directory=str(shared))
    assert lock.acquire(1), lock.problem
    assert os.stat(str(shared)).st_mode & 0o777 == 0o770
    assert os.stat(lock.path).st_mode & 0o777 == 0o660
    lock.release()


def test_a_private_lock_file_is_private_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        lock = HostLock("n", directory=str(tmp_path / "private"))
        assert lock.acquire(1), lock.problem
        assert os.stat(lock.path).st_mode & 0o777 == 0o600
        lock.release()
    finally:
        os.umask(previous)


@pytest.mark.parametrize("shared", [True, False])
def test_a_symlink_planted_at_the_lock_path_is_not_written_through(tmp_path, shared):
    directory = tmp_path / "locks"
    directory.mkdir(mode=0o700)
    target = tmp_path / "victim"
    kwargs = {"shared_directory": str(directory)} if shared else {"directory": str(directory)}
    lock = HostLock("n", **kwargs)
    os.symlink(str(target), lock.path)
    assert lock.acquire(0.2) is False
    assert not target.exists()  # no empty file made where the link points
    assert lock.problem.startswith("cannot use")


def test_a_symlink_planted_at_the_shared_directory_is_refused(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    link = tmp_path / "shared"
    os.symlink(str(real), str(link))
    lock = HostLock("n", shared_directory=str(link))
    assert lock.acquire(0.2) is False
    assert os.listdir(str(real)) == []
    assert "symbolic link" in lock.problem


def test_a_fifo_planted_at_the_lock_path_neither_blocks_nor_is_used(tmp_path):
    directory = tmp_path / "locks"
    directory.mkdir()
    lock = HostLock("n", shared_directory=str(directory))
    os.mkfifo(lock.path)
    assert lock.acquire(0.2) is False
    assert "not a regular file" in lock.problem
