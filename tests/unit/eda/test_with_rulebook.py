# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""tests/eda/with_rulebook.py (make eda) finds Java 17 and installs ansible-rulebook, and says what is missing when it cannot."""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "eda", "with_rulebook.py")
_spec = importlib.util.spec_from_file_location("with_rulebook", SCRIPT)
with_rulebook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(with_rulebook)


def fake_java(home, version):
    """A JAVA_HOME whose bin/java prints a `java -version` banner of this version (on stderr, like java)."""
    os.makedirs(os.path.join(home, "bin"))
    java = os.path.join(home, "bin", "java")
    with open(java, "w", encoding="utf-8") as handle:
        handle.write(f'#!/bin/sh\necho \'openjdk version "{version}" 2025-04-15\' >&2\n')
    os.chmod(java, os.stat(java).st_mode | stat.S_IXUSR)
    return str(home)


def test_java_home_is_taken_when_it_is_a_java_17(tmp_path, monkeypatch):
    home = fake_java(tmp_path / "jdk", "17.0.15")
    monkeypatch.setattr(with_rulebook.glob, "glob", lambda pattern: [])
    assert with_rulebook.find_java_home({"JAVA_HOME": home}) == os.path.realpath(home)


def test_another_java_home_is_passed_over_for_a_java_17_under_usr_lib_jvm(tmp_path, monkeypatch):
    other, wanted = fake_java(tmp_path / "jdk-25", "25.0.1"), fake_java(tmp_path / "java-17", "17.0.15")
    monkeypatch.setattr(with_rulebook.glob, "glob", lambda pattern: [wanted] if pattern == "/usr/lib/jvm/*17*" else [])
    assert with_rulebook.find_java_home({"JAVA_HOME": other}) == os.path.realpath(wanted)


def test_no_java_17_names_what_is_missing_and_how_to_get_it(tmp_path, monkeypatch):
    other, broken = fake_java(tmp_path / "jdk-11", "11.0.2"), str(tmp_path / "java-17-broken")
    monkeypatch.setattr(with_rulebook.glob, "glob", lambda pattern: [broken])
    with pytest.raises(with_rulebook.Missing) as missing:
        with_rulebook.find_java_home({"JAVA_HOME": other})
    message = str(missing.value)
    assert "ansible-rulebook needs Java 17" in message
    assert f"{other} (Java 11)" in message and f"{broken} (no java)" in message
    assert "apt-get install openjdk-17-jre-headless" in message and "JAVA_HOME" in message


def test_main_stops_before_the_command_when_java_17_is_missing(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(with_rulebook.glob, "glob", lambda pattern: [])
    monkeypatch.delenv("JAVA_HOME", raising=False)
    ran = []
    monkeypatch.setattr(with_rulebook, "run_child", lambda *args, **kwargs: ran.append(args) or 0)
    assert with_rulebook.main(["--venv", str(tmp_path / "venv"), "--", "true"]) == 2
    assert ran == []
    assert "JAVA_HOME is not set and there is no /usr/lib/jvm/*17*" in capsys.readouterr().err


def failing_pip(calls, output="ERROR: No matching distribution found for ansible-rulebook>=1.1.0"):
    """subprocess.run for ensure_venv: venv creation works, pip install fails with output."""

    def run(command, **kwargs):
        calls.append(command)
        if command[1:3] == ["-m", "venv"]:
            os.makedirs(os.path.join(command[3], "bin"))
            python = os.path.join(command[3], "bin", "python")
            with open(python, "w", encoding="utf-8") as handle:
                handle.write("#!/bin/sh\n")
            os.chmod(python, 0o755)
            return subprocess.CompletedProcess(command, 0, "")
        return subprocess.CompletedProcess(command, 1, output)

    return run


def test_a_failed_pip_install_names_ansible_rulebook_the_requirement_and_pips_answer(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# comment\nansible-rulebook>=1.1.0\n", encoding="utf-8")
    venv, calls = str(tmp_path / "venv"), []
    monkeypatch.setattr(with_rulebook.subprocess, "run", failing_pip(calls))
    with pytest.raises(with_rulebook.Missing) as missing:
        with_rulebook.ensure_venv(venv, str(requirements))
    message = str(missing.value)
    assert f"ansible-rulebook could not be installed into {venv}" in message
    assert f"pip could not install ansible-rulebook>=1.1.0 ({requirements}) from its package index" in message
    assert "exited 1" in message and "No matching distribution found for ansible-rulebook>=1.1.0" in message
    assert calls[-1][1:4] == ["-m", "pip", "install"]
    assert not os.path.exists(os.path.join(venv, ".installed"))


def test_main_stops_before_the_command_when_ansible_rulebook_cannot_be_installed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(with_rulebook, "find_java_home", lambda: str(tmp_path / "jdk"))
    calls, ran = [], []
    monkeypatch.setattr(with_rulebook.subprocess, "run", failing_pip(calls))
    monkeypatch.setattr(with_rulebook, "run_child", lambda *args, **kwargs: ran.append(args) or 0)
    assert with_rulebook.main(["--venv", str(tmp_path / "venv"), "--", "true"]) == 2
    assert ran == []
    err = capsys.readouterr().err
    assert "with_rulebook: ansible-rulebook could not be installed" in err and "pip could not install ansible-rulebook" in err
