# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""make build ships exactly the tracked files (issue 23): build_tree.py --tracked-only copies only what git tracks, and
check_tarball.py --root fails for an untracked file in the tarball (.env, playbooks/.vault_pass, a cloud config)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
UTILS = os.path.join(HERE, "..", "..", "utils")
UNTRACKED = (".env", "playbooks/.vault_pass", "tests/integration/cloud-config-alicloud.ini")


@pytest.fixture
def checkout(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is needed")
    root = tmp_path / "checkout"
    (root / "plugins").mkdir(parents=True)
    (root / "galaxy.yml").write_text("namespace: alibabacloud\nname: eci\nversion: 0.1.0\n")
    (root / "plugins" / "a.py").write_text("x = 1\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "add", "-A"], cwd=str(root), check=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=str(root), check=True, env=env)
    for name in UNTRACKED:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("secret\n")
    return root


def tarball(path, root, names):
    with tarfile.open(str(path), "w:gz") as tar:
        for name in names:
            tar.add(str(root / name), arcname=name)
    return path


def check(root, path):
    return subprocess.run([sys.executable, os.path.join(UTILS, "ci", "check_tarball.py"), "--quiet", "--root", str(root), str(path)],
                          capture_output=True, text=True, check=False)


def test_the_check_fails_for_every_untracked_file_in_the_tarball(checkout, tmp_path):
    run = check(checkout, tarball(tmp_path / "t.tar.gz", checkout, ["galaxy.yml", "plugins/a.py"] + list(UNTRACKED)))
    assert run.returncode == 1
    for name in UNTRACKED:
        assert f"ships {name}, which git does not track" in run.stdout


def test_the_check_names_no_tracked_file(checkout, tmp_path):
    run = check(checkout, tarball(tmp_path / "t.tar.gz", checkout, ["galaxy.yml", "plugins/a.py"]))
    assert "which git does not track" not in run.stdout


def test_the_release_tree_holds_only_tracked_files(checkout, tmp_path):
    build = tmp_path / "release"
    subprocess.run([sys.executable, os.path.join(UTILS, "build_tree.py"), "--root", str(checkout), "--build-dir", str(build),
                    "--tracked-only"], check=True, capture_output=True)
    tree = build / "ansible_collections" / "alibabacloud" / "eci"
    files = sorted(os.path.relpath(os.path.join(d, f), str(tree)) for d, _dirs, fs in os.walk(str(tree)) if "/.git" not in d + "/"
                   for f in fs if not os.path.relpath(d, str(tree)).startswith(".git"))
    assert files == ["galaxy.yml", "plugins/a.py"]
