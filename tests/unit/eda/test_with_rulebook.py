# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""tests/eda/with_rulebook.py (make eda) finds Java 17, and says what is missing when there is none."""

from __future__ import annotations

import importlib.util
import os
import stat

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
