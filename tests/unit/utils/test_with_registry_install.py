# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/utils/registry/with_registry.py installs docker-registry once when the suites of make test start side by side,
and waits for apt's lock held by another apt-get instead of failing (a fresh machine's CI failed so: "Could not get
lock /var/lib/apt/lists/lock"). A stand-in apt-get on PATH records its calls, answers the lock error first, and
"installs" by writing docker-registry and htpasswd into a folder of PATH."""

from __future__ import annotations

import os
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils', 'registry'))
import with_registry  # noqa: E402  pylint: disable=wrong-import-position,import-error

FAKE_APT = '''#!/bin/sh
echo "$*" >> {calls}
if [ ! -e {locked} ]; then
    touch {locked}
    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)"
    exit 100
fi
sleep 0.5
case "$*" in *install*) for b in docker-registry htpasswd; do printf '#!/bin/sh\\n' > {bin}/$b; chmod +x {bin}/$b; done;; esac
'''


@pytest.fixture
def fake_apt(tmp_path, monkeypatch):
    tools = tmp_path / 'bin'
    tools.mkdir()
    calls = tmp_path / 'calls'
    (tools / 'apt-get').write_text(FAKE_APT.format(calls=calls, locked=tmp_path / 'locked', bin=tools))
    (tools / 'apt-get').chmod(0o755)
    monkeypatch.setenv('PATH', f'{tools}:/usr/bin:/bin')
    monkeypatch.setattr(with_registry.os, 'geteuid', lambda: 0)
    monkeypatch.setattr(with_registry.tempfile, 'gettempdir', lambda: str(tmp_path))
    monkeypatch.setattr(with_registry.shutil, 'which', lambda name: str(tools / name) if (tools / name).exists() else None)
    monkeypatch.setattr(with_registry.time, 'sleep', lambda seconds: None)
    return calls


def test_suites_starting_together_install_once_and_wait_for_apts_lock(fake_apt):
    errors = []

    def install():
        try:
            with_registry.ensure_installed()
        except Exception as error:  # pylint: disable=broad-exception-caught
            errors.append(error)

    threads = [threading.Thread(target=install) for dummy in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    calls = fake_apt.read_text().splitlines()
    # The first update met the lock and was tried again; one update and one install in all, by one suite.
    assert [c.split()[-2] if 'update' in c else 'install' for c in calls] == ['update', 'update', 'install'], calls
    assert all('DPkg::Lock::Timeout=' in c for c in calls), calls


def test_an_apt_failure_that_is_no_lock_fails_at_once(fake_apt, tmp_path):
    (tmp_path / 'locked').touch()
    (tmp_path / 'bin' / 'apt-get').write_text('#!/bin/sh\necho "$*" >> %s\necho "E: Unable to locate package"\nexit 100\n'
                                              % fake_apt)
    with pytest.raises(with_registry.RegistryUnavailable, match='Unable to locate package'):
        with_registry.ensure_installed()
    assert len(fake_apt.read_text().splitlines()) == 1
