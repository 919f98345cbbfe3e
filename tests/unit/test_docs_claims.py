# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The counts and claims of the README and the guides that can be checked (issue 24): short descriptions, the
plugin lists and counts (derived from the tree, so a new plugin must be listed), the supported ansible-core versions
(meta/runtime.yml), the requirements, the install instructions and the links."""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
RST = ROOT / "docs" / "docsite" / "rst"
GETTING_STARTED = (RST / "getting_started.rst").read_text()
MAX_WORDS = 200
NUMBERS = {word: n for n, word in enumerate("zero one two three four five six seven eight nine ten".split())}
# plugins/ folders that hold no plugin a user calls by name.
NOT_NAMED = {"module_utils", "doc_fragments", "action", "__pycache__"}
TYPE_NAMES = {"modules": "module", "filter": "filter", "lookup": "lookup", "test": "test", "inventory": "inventory",
              "callback": "callback", "connection": "connection"}


def _words(description):
    description = [description] if isinstance(description, str) else description or []
    return len(" ".join(description).split())


def _documentation(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{path} has no DOCUMENTATION")


def _plugins():
    """{type: sorted names} of the plugins in the tree (and the EDA event sources, when there are any)."""
    found = {}
    for folder in sorted(p for p in (ROOT / "plugins").iterdir() if p.is_dir() and p.name not in NOT_NAMED):
        names = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
        if names:
            found[TYPE_NAMES.get(folder.name, folder.name)] = names
    eda = ROOT / "extensions" / "eda" / "plugins" / "event_source"
    if eda.is_dir():
        found["event source"] = sorted(p.stem for p in eda.glob("*.py") if p.stem != "__init__")
    found["role"] = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())
    return found


MODULES = sorted((ROOT / "plugins" / "modules").glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_every_module_description_is_short(path):
    words = _words(_documentation(path)["description"])
    assert words <= MAX_WORDS, (f"{path.stem}'s description has {words} words (at most {MAX_WORDS}): say what it does and "
                                "when to use it, and move the internals to a guide under docs/docsite/rst, linked")


def test_every_role_description_is_short():
    for spec in sorted((ROOT / "roles").glob("*/meta/argument_specs.yml")):
        for entry, value in yaml.safe_load(spec.read_text())["argument_specs"].items():
            words = _words(value.get("description"))
            assert words <= MAX_WORDS, f"{spec.parent.parent.name} {entry}: {words} words (at most {MAX_WORDS})"


def test_the_readme_lists_every_plugin_and_role_of_the_tree():
    table = README[README.index("## Included content"):]
    table = table[:table.index("\n### ")]
    listed = set(re.findall(r"`alibabacloud\.eci\.([a-z0-9_]+)`", table))
    for kind, names in _plugins().items():
        missing = [name for name in names if name not in listed]
        assert not missing, f"README's Included content misses the {kind} {', '.join(missing)}"
    playbooks = sorted(p.stem for p in (ROOT / "playbooks").glob("*.yml"))
    assert not [name for name in playbooks if name not in listed], "README's Included content misses a playbook"
    known = {name for names in _plugins().values() for name in names} | set(playbooks)
    assert not listed - known, f"README lists what the tree does not have: {sorted(listed - known)}"


def test_getting_started_counts_what_the_tree_has():
    plugins = _plugins()
    match = re.search(r"It has (\w+) modules?, (\w+) roles? and (\w+) filters?", GETTING_STARTED)
    assert match, "getting_started.rst no longer says how many modules, roles and filters there are"
    said = tuple(NUMBERS.get(word, word) for word in match.groups())
    assert said == (len(plugins["module"]), len(plugins["role"]), len(plugins.get("filter", []))), said
    for kind in ("module", "filter"):
        for name in plugins.get(kind, []):
            assert f"alibabacloud.eci.{name}``" in GETTING_STARTED, f"getting_started.rst does not name the {kind} {name}"


def _supported(text):
    """The ansible-core versions a sentence "ansible-core 2.x, 2.y and 2.z" names."""
    match = re.search(r"ansible-core ((?:2\.\d+(?:, | and )?)+)", text)
    assert match, "no list of ansible-core versions"
    return [Version(v) for v in re.findall(r"2\.\d+", match.group(1))]


def test_the_supported_versions_are_those_of_meta_runtime():
    requires = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["requires_ansible"]
    admitted = SpecifierSet(requires)
    requirements = README[README.index("## Requirements"):]
    requirements = requirements[:requirements.index("\n## ")]
    assert f"`{requires}`" in requirements, f"README's Requirements does not quote meta/runtime.yml ({requires})"
    for where, text in (("README", requirements), ("getting_started.rst", GETTING_STARTED)):
        versions = _supported(text)
        outside = [str(v) for v in versions if Version(f"{v}.0") not in admitted]
        assert not outside, f"{where} says ansible-core {', '.join(outside)}, which {requires} does not admit"
        lowest = min(v for v in (Version(f"2.{minor}.0") for minor in range(9, 40)) if v in admitted)
        assert Version(f"{lowest.major}.{lowest.minor}") in versions, f"{where} leaves out {lowest.major}.{lowest.minor}"


def test_the_venv_runs_a_supported_ansible_core():
    """make venv installs the newest ansible-core that requires_ansible admits (CORE_REQUIREMENT), never a newer one."""
    from ansible.release import __version__

    requires = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["requires_ansible"]
    assert Version(__version__) in SpecifierSet(requires), f"ansible-core {__version__} runs the tests; {requires} does not admit it"
    dev = (ROOT / "tests" / "requirements-dev.txt").read_text()
    assert not re.search(r"^ansible-core", dev, re.MULTILINE), "tests/requirements-dev.txt pins ansible-core: its range is requires_ansible's"


def test_the_readme_names_every_requirement():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert f"`{line}`" in README, f"README's Requirements leaves out {line}"


def test_the_install_instructions_do_not_claim_galaxy():
    for path in [ROOT / "README.md", ROOT / "docs" / "docsite" / "index.rst"] + sorted(RST.glob("*.rst")):
        for line in path.read_text().splitlines():
            if re.search(r"ansible-galaxy collection install +alibabacloud\.eci\b", line):
                pytest.fail(f"{path.relative_to(ROOT)} installs alibabacloud.eci from Galaxy, where it is not published: {line}")
    assert "not published on Galaxy" in README and "not published on Galaxy" in GETTING_STARTED
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    assert f"build/alibabacloud-eci-{version}.tar.gz" in README, "README's tarball is not galaxy.yml's version"


def test_the_readme_links_point_at_files_that_exist():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


def test_the_awx_guide_says_the_size_check_honours_proxies():
    """The registry reads of size_check use the proxy variables (registry.proxy_settings)."""
    awx = (RST / "awx.rst").read_text()
    assert "connects directly" not in awx
    assert re.search(r"registry reads of ``size_check``[^.]*honour them", re.sub(r"\s+", " ", awx))


UTILS = "ansible_collections.alibabacloud.eci.plugins.module_utils."


def _sdk_imports(path, seen=None):
    """The alibabacloud_* packages a plugin file imports, itself or through the collection's module_utils (any depth,
    lazy imports in functions included)."""
    seen = set() if seen is None else seen
    if path in seen:
        return set()
    seen.add(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            # from ...module_utils import eci names modules; from ...module_utils.eci import x names one module
            names = [f"{node.module}.{a.name}" for a in node.names] if node.module == UTILS.rstrip(".") else [node.module or ""]
        else:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            if name.startswith("alibabacloud_"):
                found.add(name.split(".")[0].replace("_", "-"))
            elif name.startswith(UTILS):
                found |= _sdk_imports(ROOT / "plugins" / "module_utils" / f"{name[len(UTILS):].split('.')[0]}.py", seen)
    return found


def _minimums():
    """{package: '>= version'} of requirements.txt."""
    wanted = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(r"([a-z0-9-]+)>=([0-9.]+)", line.strip())
        if match:
            wanted[match.group(1)] = match.group(2)
    return wanted


@pytest.mark.parametrize("path", MODULES + sorted((ROOT / "plugins" / "lookup").glob("*.py")), ids=lambda p: p.stem)
def test_each_plugin_documents_the_sdks_it_imports(path):
    """requirements (the plugin's own and its doc fragments') name every Alibaba Cloud SDK its code imports, at the
    minimum version of requirements.txt (eci_image_caches and the lookup left out alibabacloud-eci20180808)."""
    docs = _documentation(path)
    listed = list(docs.get("requirements") or [])
    for fragment in docs.get("extends_documentation_fragment") or []:
        module = ROOT / "plugins" / "doc_fragments" / f"{fragment.rsplit('.', 1)[1]}.py"
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION":
                listed += yaml.safe_load(node.value.value).get("requirements") or []
    documented = {m.group(1): m.group(2) for m in (re.fullmatch(r"([a-z0-9-]+) >= ([0-9.]+)", r) for r in listed) if m}
    assert len(documented) == len(listed), f"{path.name}: requirements not of the form 'package >= version': {listed}"
    minimums = _minimums()
    imported = _sdk_imports(path) - {"alibabacloud-tea-util"}  # alibabacloud-tea-openapi's own dependency
    assert imported, f"{path.name} imports no Alibaba Cloud SDK: the test reads its imports wrongly"
    for package in sorted(imported):
        assert package in documented, f"{path.name} imports {package} but its requirements leave it out"
        assert documented[package] == minimums[package], f"{path.name}: {package} >= {documented[package]}, requirements.txt says {minimums[package]}"
