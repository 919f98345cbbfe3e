# Build and test plumbing for the alibabacloud.eci collection.
# Every target works on a fresh clone with only make, PyPI and a Python >= 3.12 (python3.13 or python3.12 on
# PATH, or pyenv's; PYTHON=/path/to/python3.X overrides):
#   make demo     run playbooks/demo.yml against the local twin of the cloud
#   make test     every suite below (see TEST_SUITES), the twin-bound ones side by side (TEST_ALONE);
#                 stops at the first failure, names it and prints each suite's wall and CPU time
#   make sanity | units | integration | molecule | changelog-lint | collection-tree | build | clean
#   make integration-part1 | integration-part2   the integration targets in two halves (make test runs them side by side)
#   make lint          ansible-lint (production profile) and yamllint on roles/, playbooks/, integration targets
#                      and ruff (the house style: f-strings, type hints) on plugins/ and tests/emulator/
#   make doc-check     ansible-doc renders every module and the role; module_defaults group lists every module
#   make docs          docs site with antsibull-docs + Sphinx: build/docs/build/html/index.html
#   make targets-alone the README's cheap targets, each alone from an empty build folder (TARGETS_ALONE)
#   make package-test  build the tarball, check its file list, install it alone and run playbooks from it
#   make ee-test       execution environment: ansible-builder create with the built tarball, its galaxy stage run offline
#   make awx-check     the AWX credential type injects exactly the variables the modules read
#   make awx-runner    the sample AWX job templates run with ansible-runner against the twin, as AWX runs them
#   make changelog-release  the committed release notes are complete and current; pending fragments join them
#   make release-notes cut the release of galaxy.yml's version (or add new fragments to it): CHANGELOG.md
#   make test-matrix   sanity, units and integration on every supported ansible-core (2.19, 2.20, 2.21), side by side
# ansible-test needs a path ending in ansible_collections/<namespace>/<name>, so the
# tests run in a copy of the checkout under build/ (see tests/utils/build_tree.py),
# with HOME=build/home so that nothing is written to the real home directory.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# The main venv: the newest ansible-core on the newest Python >= PYTHON_MIN of this machine, found by
# tests/utils/find_python.sh (pythonX.Y on PATH, else pyenv's versions); PYTHON=/path/to/python3.X overrides.
PYTHON_MIN ?= 3.12
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell tests/utils/find_python.sh $(PYTHON_MIN) 2>/dev/null)
endif
ifeq ($(origin PY_VERSION),undefined)
PY_VERSION := $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))
endif
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements.txt tests/unit/requirements.txt tests/requirements-dev.txt
# The ansible-core releases the collection supports, from meta/runtime.yml's requires_ansible (its one home), e.g.
# ansible-core>=2.19.0,<2.22.0: every venv install passes it, so a newer release (ansible-lint and molecule ask for
# any ansible-core) never becomes the main venv's ansible-core before the collection supports it.
CORE_REQUIREMENT := ansible-core$(shell sed -n "s/^requires_ansible: *['\"]\{0,1\}\([^'\"]*\).*/\1/p" meta/runtime.yml)

BUILD := $(CURDIR)/build
TREE := $(BUILD)/ansible_collections/alibabacloud/eci
TEST_HOME := $(BUILD)/home
# Environment for every ansible-test / ansible-playbook run.
RUN_ENV := HOME=$(TEST_HOME) PATH=$(VENV)/bin:$$PATH\
	ANSIBLE_HOME=$(TEST_HOME)/.ansible PIP_DISABLE_PIP_VERSION_CHECK=1
ANSIBLE_TEST := cd $(TREE) && $(RUN_ENV) $(VENV)/bin/ansible-test

# Extra arguments, e.g. `make sanity SANITY_ARGS='--test pylint'` or `make units UNITS_ARGS=-v`.
SANITY_ARGS ?=
UNITS_ARGS ?=
INTEGRATION_ARGS ?=
# The twin's behaviour switches for integration and reliability: default, hostile or a YAML file.
PROFILE ?= default
# More variables of the integration config (NAME=VALUE ...): the matrix sets integration_scope=ansible_core, which
# targets read to leave out repeats that only the main venv's run needs (default scope: all).
INTEGRATION_VARS ?=
DEMO_FIXTURES ?= playbooks/files/demo_fixtures.yml
DEMO_ARGS ?=
# Extra pip arguments for the venv (test-matrix pins ansible-core with it).
VENV_PIP_ARGS ?=

.PHONY: help venv collection-tree pip-bootstrap sanity units integration integration-hostile molecule reliability reliability-hostile bench bench-smoke changelog-lint test demo build clean distclean \
	lint doc-check docs package-test ee-test awx-check awx-runner changelog-release release-notes targets-alone test-matrix matrix-one integration-part1 integration-part2

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

# Creates .venv, or recreates it if it is missing or broken.
ENSURE_VENV := if [ -z "$(PY_VERSION)" ]; then tests/utils/find_python.sh $(PYTHON_MIN) || true; \
		echo "no usable Python >= $(PYTHON_MIN) (PYTHON='$(PYTHON)') for $(VENV)"; exit 1; fi; \
	if ! $(VPY) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PY_VERSION)".split("."))))' 2>/dev/null; then \
		echo "creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi

# Re-installs when a requirements file changes.
$(STAMP): $(REQUIREMENTS) meta/runtime.yml
	@test "$(CORE_REQUIREMENT)" != ansible-core || { echo "meta/runtime.yml has no requires_ansible"; exit 2; }
	@$(ENSURE_VENV)
	$(VPY) -m pip install --disable-pip-version-check --quiet $(addprefix -r ,$(REQUIREMENTS)) '$(CORE_REQUIREMENT)' $(VENV_PIP_ARGS)
	@touch $@

# The demo needs only ansible-core (the supported range, CORE_REQUIREMENT) and the collection's
# requirements.txt; the twin runs on the standard library and ansible-core's PyYAML.
DEMO_STAMP := $(VENV)/.demo-installed
$(DEMO_STAMP): requirements.txt meta/runtime.yml
	@$(ENSURE_VENV)
	$(VPY) -m pip install --disable-pip-version-check --quiet -r requirements.txt '$(CORE_REQUIREMENT)'
	@touch $@

# Also makes $(TEST_HOME), which HOME points at in every run (antsibull-docs logs there).
collection-tree: $(STAMP)
	@$(VPY) tests/utils/build_tree.py --build-dir $(BUILD)
	@mkdir -p $(TEST_HOME)

# ansible-test downloads a get-pip.py from a host that may be unreachable; it uses a cached
# copy first. Install our stand-in (pip from ensurepip's wheel, then pip from PyPI) there,
# under the name of the pip version this ansible-test wants.
pip-bootstrap: $(STAMP)
	@pip_version=$$($(VPY) -c 'import ansible_test, os, re; \
		src = open(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")).read(); \
		print(re.search(r"pip=.([0-9.]+).", src).group(1))'); \
	mkdir -p $(TEST_HOME)/.ansible/test/cache; \
	cp tests/utils/get_pip.py $(TEST_HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py

sanity: collection-tree pip-bootstrap
	$(ANSIBLE_TEST) sanity --venv --python $(PY_VERSION) --color no $(SANITY_ARGS)

# The venv holds tests/unit/requirements.txt (REQUIREMENTS, as ansible-test's own units.txt asks: pytest, pytest-mock,
# pytest-xdist, mock, pyyaml): --requirements would only resolve it again on every run (about 40 CPU-seconds).
units: collection-tree
	$(ANSIBLE_TEST) units --local --python $(PY_VERSION) --color no $(UNITS_ARGS)

# When tests/utils/registry/with_registry.py exists, the run happens next to local OCI registries
# (Debian's docker-registry, one anonymous and one with basic auth and a random password) with the
# test images pushed; with_emulator.py passes them to the targets (image_size_preflight) and the twin.
integration: collection-tree
	@if [ -n "$$(ls -A $(TREE)/tests/integration/targets 2>/dev/null)" ]; then \
		registry=(); if [ -f $(TREE)/tests/utils/registry/with_registry.py ]; then \
			registry=($(VPY) tests/utils/registry/with_registry.py \
				--auth "eci-test:$$($(VPY) -c 'import secrets; print(secrets.token_hex(12))')" \
				--push $(BUILD)/registry-images.json --); fi; \
		cd $(TREE) && $(RUN_ENV) "$${registry[@]}" $(VPY) tests/utils/with_emulator.py \
			--integration-config tests/integration/integration_config.yml --ready-after 2 --profile $(PROFILE) \
			$(addprefix --var ,$(INTEGRATION_VARS)) -- \
			$(VENV)/bin/ansible-test integration --local --python $(PY_VERSION) --color no $(INTEGRATION_ARGS); \
	else echo "integration: no targets in tests/integration/targets yet, nothing to run"; fi

# make integration in two parts (make test runs them in two lanes): the module targets, and the others (the role,
# the list module, the playbooks). INTEGRATION_PART1 names the first part's targets; the second excludes them.
INTEGRATION_PART1 ?= eci_image_cache eci_image_cache_info eci_network_info image_size_preflight
integration-part1:
	$(MAKE) --no-print-directory integration INTEGRATION_ARGS='$(INTEGRATION_PART1) $(INTEGRATION_ARGS)'
integration-part2:
	$(MAKE) --no-print-directory integration INTEGRATION_ARGS='$(addprefix --exclude ,$(INTEGRATION_PART1)) $(INTEGRATION_ARGS)'

# Molecule scenario of the role (converge, idempotence, verify) against a twin started for it.
molecule: collection-tree
	cd $(TREE)/roles/image_cache && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VPY) $(TREE)/tests/utils/with_emulator.py \
		--root $(TREE) --ready-after 1 -- $(VENV)/bin/molecule test

# Fault matrix, concurrency, bad input, secrets and timeouts (tests/reliability; each test starts its own twins).
RELIABILITY_ARGS ?=
reliability: collection-tree
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) RELIABILITY_OUTPUT=$(BUILD)/reliability TWIN_PROFILE=$(PROFILE) \
		$(VPY) -m pytest -p no:cacheprovider -q -rfEX tests/reliability $(RELIABILITY_ARGS)

# The same under the twin's hostile profile (issue 13): the image cache targets and the reliability suite.
HOSTILE_TARGETS ?= eci_image_cache eci_image_cache_info eci_image_caches
integration-hostile:
	$(MAKE) --no-print-directory integration PROFILE=hostile INTEGRATION_ARGS='$(HOSTILE_TARGETS) $(INTEGRATION_ARGS)'
reliability-hostile:
	$(MAKE) --no-print-directory reliability PROFILE=hostile

# Benchmarks: `make bench` measures fully (about 10 minutes) and draws docs/benchmarks/info-time.png;
# `make bench-smoke` runs every benchmark at tiny sizes, only to keep them working.
BENCH_DIR := $(BUILD)/bench
bench: collection-tree
	$(VPY) -m pip install --quiet -r tests/bench/requirements.txt
	cd $(TREE) && $(RUN_ENV) $(VPY) tests/bench/bench.py --output $(BENCH_DIR)/results.json \
		--markdown $(BENCH_DIR)/results.md --document $(CURDIR)/docs/benchmarks.md --plot $(CURDIR)/docs/benchmarks/info-time.png
bench-smoke: collection-tree
	cd $(TREE) && $(RUN_ENV) $(VPY) tests/bench/bench.py --smoke --output $(BENCH_DIR)/smoke.json

changelog-lint: $(STAMP)
	$(VENV)/bin/antsibull-changelog lint

# Every suite of TEST_SUITES; those of TEST_ALONE (mostly waiting on their own twin of the cloud) each run in a
# lane of their own with BUILD=$(BUILD)/suites/<suite> (own tree, twin, registry, ansible-test output and home),
# beside one lane that runs the others in order (tests/utils/run_suites.py). Stops at the first failing suite,
# names it and prints the end of its log; logs in $(BUILD)/logs/<suite>.log. TEST_SERIAL=yes: one lane, as before.
# The integration targets run in two lanes (integration-part1, integration-part2: together `make integration`), so no
# lane is much longer than the others when two busy cores are shared.
TEST_SUITES ?= sanity units integration-part1 integration-part2 integration-hostile molecule reliability reliability-hostile bench-smoke changelog-lint lint doc-check docs package-test ee-test awx-check awx-runner changelog-release
# TEST_MATRIX: ansible-core versions whose matrix suites join the run, each version in two lanes of its own:
# matrix-<version>-integration and matrix-<version>-checks (sanity and units), sharing one venv per version.
TEST_MATRIX ?=
MATRIX_CHECKS = $(TEST_MATRIX:%=matrix-%-checks)
MATRIX_INTEGRATIONS = $(TEST_MATRIX:%=matrix-%-integration)
# Longest first: with TEST_JOBS, a free slot goes to the lane listed first (the main lane, then TEST_ALONE's order).
TEST_ALONE ?= integration-hostile integration-part1 integration-part2 reliability-hostile $(MATRIX_CHECKS) reliability \
	$(MATRIX_INTEGRATIONS) eda awx-runner package-test molecule
# At most this many suites at once. The run is CPU-bound on two cores and every suite's CPU time grows with the number
# of suites sharing them: .ci/run took 38 minutes (71 CPU-minutes) with 4, 48 (91 CPU-minutes) with 5.
TEST_JOBS ?= $(if $(TEST_MATRIX),4,3)
TEST_SERIAL ?=
test: $(STAMP)
	@$(VPY) tests/utils/run_suites.py --build $(BUILD) --alone '$(TEST_ALONE)' --jobs $(TEST_JOBS) $(if $(filter yes,$(TEST_SERIAL)),--serial) \
		-- $(TEST_SUITES) $(MATRIX_CHECKS) $(MATRIX_INTEGRATIONS)

demo: $(DEMO_STAMP)
	@$(VPY) tests/utils/build_tree.py --build-dir $(BUILD)
	@mkdir -p $(TEST_HOME)
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) ANSIBLE_DISPLAY_SKIPPED_HOSTS=false \
		$(VPY) tests/utils/with_emulator.py --ready-after 5 \
		$$( [ -f $(DEMO_FIXTURES) ] && echo --fixtures $(DEMO_FIXTURES) ) -- \
		$(VENV)/bin/ansible-playbook playbooks/demo.yml $(DEMO_ARGS)

# The release artifact: build/alibabacloud-eci-<version>.tar.gz
# The tarball ships exactly the collection's tracked files (git ls-files, less galaxy.yml's build_ignore): it is built
# from a copy of them, so an untracked .env, vault password or cloud config lying in the checkout never reaches it.
# check_tarball.py --root fails when the tarball holds anything git does not track.
RELEASE := $(BUILD)/release
RELEASE_TREE := $(RELEASE)/ansible_collections/alibabacloud/eci
build: $(STAMP)
	@mkdir -p $(TEST_HOME)
	@$(VPY) tests/utils/build_tree.py --tracked-only --build-dir $(RELEASE)
	cd $(RELEASE_TREE) && $(RUN_ENV) $(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD)

clean:
	rm -rf $(BUILD) tests/output

distclean: clean
	rm -rf $(VENV)

# ---------------------------------------------------------------------------------------------
# Ecosystem checks (issue 7): lint, ansible-doc, docs site, package, execution environment,
# AWX credential type, release notes, and the ansible-core version matrix.

LINT_PATHS ?= roles playbooks tests/integration/targets
# ansible-lint resolves the collection from the tree, so the role and modules are the checked-out ones.
lint: collection-tree
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VENV)/bin/yamllint --strict $(LINT_PATHS)
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VENV)/bin/ansible-lint --profile production \
		--offline --nocolor $(LINT_PATHS)
	cd $(TREE) && $(VENV)/bin/ruff check --no-cache --config $(TREE)/ruff.toml

# Every module and the role render with ansible-doc (from the tree, as users see them);
# every module is in the module_defaults group and the group test calls each of them.
doc-check: collection-tree
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VPY) tests/utils/ci/check_ansible_doc.py \
		--ansible-doc $(VENV)/bin/ansible-doc
	cd $(TREE) && $(VPY) tests/utils/ci/check_module_defaults_group.py

DOCS_DIR := $(BUILD)/docs
# The site: $(DOCS_DIR)/build/html/index.html (module, role and filter pages from the code, plus docs/docsite/rst guides).
docs: collection-tree
	$(VPY) tests/utils/ci/check_readme_targets.py
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VENV)/bin/antsibull-docs lint-collection-docs \
		--plugin-docs .
	$(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) tests/utils/build_docs.sh $(DOCS_DIR)
	@echo "docs: $(DOCS_DIR)/build/html/index.html"

# Targets the README names, each run alone from an empty build folder (a fresh clone's state; only
# .venv is shared). Not part of `make test`: it repeats those suites. Narrow it with TARGETS_ALONE.
TARGETS_ALONE ?= changelog-lint awx-check changelog-release doc-check docs ee-test
targets-alone: $(STAMP)
	$(VPY) tests/utils/ci/check_readme_targets.py --alone $(TARGETS_ALONE)

PACKAGE_DIR := $(BUILD)/package-test
# The built tarball holds no build output, venvs or caches; installed alone into an empty
# collections path, its own playbooks run against the twin.
package-test: build
	rm -rf $(PACKAGE_DIR) && mkdir -p $(PACKAGE_DIR)/collections
	$(VPY) tests/utils/ci/check_tarball.py --root $(CURDIR) $(BUILD)/alibabacloud-eci-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz
	$(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(PACKAGE_DIR)/collections $(VENV)/bin/ansible-galaxy collection install --offline --no-deps --force \
		-p $(PACKAGE_DIR)/collections $(BUILD)/alibabacloud-eci-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz
	cd $(PACKAGE_DIR) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(PACKAGE_DIR)/collections \
		ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_DISPLAY_SKIPPED_HOSTS=false \
		$(VPY) $(CURDIR)/tests/utils/with_emulator.py --root $(CURDIR) --ready-after 0.5 \
		--fixtures $(PACKAGE_DIR)/collections/ansible_collections/alibabacloud/eci/playbooks/files/demo_fixtures.yml -- \
		$(CURDIR)/tests/utils/package_smoke.sh $(VENV)/bin $(PACKAGE_DIR)/collections/ansible_collections/alibabacloud/eci

EE_DIR := $(BUILD)/ee-test
# ansible-builder create (no container engine needed) on the example definition, which takes the
# tarball of `make build`; checks the context and runs its galaxy stage offline (tests/utils/ci/check_ee.py).
ee-test: build
	rm -rf $(EE_DIR) && mkdir -p $(EE_DIR)
	$(RUN_ENV) $(VPY) tests/utils/ci/check_ee.py --ansible-builder $(VENV)/bin/ansible-builder \
		--context $(EE_DIR)/context --collections-dir $(BUILD)

awx-check: $(STAMP)
	$(VPY) tests/utils/ci/check_awx_credential_type.py

# The sample AWX job templates (docs/awx/job_template.yml) run as AWX runs them: the credential type's
# injectors rendered, the inventory imported and sliced, `ansible-runner run` against the twin (tests/awx).
AWX_RUNNER_ARGS ?=
awx-runner: collection-tree
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VPY) tests/utils/with_emulator.py \
		--fixtures tests/awx/world.yml --ready-after 1 -- \
		$(VPY) -m pytest -p no:cacheprovider -q -rfEX tests/awx $(AWX_RUNNER_ARGS)

# The release of galaxy.yml's version as committed (changelogs/changelog.yaml, CHANGELOG.md), and the
# pending fragments joining it when `make release-notes` runs again, tried in a copy.
changelog-release: $(STAMP)
	PATH=$(VENV)/bin:$$PATH $(VPY) tests/utils/ci/check_changelog_release.py --work $(BUILD)/changelog-release

# Cuts the release of galaxy.yml's version in the checkout, or adds the new fragments to it if it is
# already cut: writes changelogs/changelog.yaml and CHANGELOG.md, consumes changelogs/fragments/*.yml;
# --reload-plugins, or a plugin added since the last cut is missed (the plugin cache is kept).
release-notes: $(STAMP)
	PATH=$(VENV)/bin:$$PATH antsibull-changelog release --version "$$(sed -n 's/^version: *//p' galaxy.yml)" --update-existing --reload-plugins

# One venv per ansible-core version under build/matrix-venvs/<version>/ and one tree under $(BUILD)/matrix/<version>/,
# so the main .venv is untouched; the versions run side by side (tests/utils/run_suites.py, one lane each; logs in $(BUILD)/logs/matrix-<version>.log).
# MATRIX_VERSIONS: every supported ansible-core release (meta/runtime.yml's requires_ansible must admit exactly these:
# make docs checks it); .ci/run runs the matrix on all but the main venv's, which make test covers.
# Each version runs on the oldest Python of MATRIX_PYTHONS_<version> (its controller Pythons) this machine has,
# the main venv on the newest: together they cover 3.11 to 3.13.
# MATRIX_SUITES may be narrowed, e.g. make test-matrix MATRIX_VERSIONS=2.19 MATRIX_SUITES=units
MATRIX_VERSIONS ?= 2.19 2.20 2.21
MATRIX_PYTHONS_2.19 := 3.11 3.13
MATRIX_PYTHONS_2.20 := 3.12 3.14
MATRIX_PYTHONS_2.21 := 3.12 3.14
MATRIX_SUITES ?= sanity units integration
# The units whose outcome can depend on ansible-core: the test files of the plugins and the role that import
# ansible-core, themselves, through a conftest or through a module of the collection (tests/utils/ansible_core_units.py).
# The others (the registry client, the image reference rules, the twin, the conformance probe, the test tools) are
# pure Python and run once, in make units on the main venv.
MATRIX_UNITS ?= $(shell python3 tests/utils/ansible_core_units.py tests/unit/plugins tests/unit/roles)
# The integration targets of the matrix (default: every target); .ci/run names those that depend on ansible-core.
MATRIX_INTEGRATION_ARGS ?= $(INTEGRATION_ARGS)
MATRIX_DIR := $(BUILD)/matrix
# The venv of each version, shared by the lanes of that version (each lane has a BUILD of its own); built under a lock.
MATRIX_VENV_DIR ?= $(CURDIR)/build/matrix-venvs
# Every version at once (MATRIX_JOBS=0); .ci/run runs the versions as lanes of make test instead (TEST_MATRIX).
MATRIX_JOBS ?= 0
test-matrix:
	@$(or $(PYTHON),python3) tests/utils/run_suites.py --build $(BUILD) --label 'make test-matrix' --keep-build --jobs $(MATRIX_JOBS) \
		$(if $(filter yes,$(TEST_SERIAL)),--serial,--alone '$(addprefix matrix-,$(MATRIX_VERSIONS))') -- $(addprefix matrix-,$(MATRIX_VERSIONS))

# matrix-2.20 = make matrix-one CORE_VERSION=2.20; make test's lanes: matrix-2.20-checks (sanity, units) and
# matrix-2.20-integration (GNU make takes the rule with the shortest stem).
matrix-%:
	@$(MAKE) --no-print-directory matrix-one CORE_VERSION=$*
matrix-%-checks:
	@$(MAKE) --no-print-directory matrix-one CORE_VERSION=$* MATRIX_SUITES='sanity units'
matrix-%-integration:
	@$(MAKE) --no-print-directory matrix-one CORE_VERSION=$* MATRIX_SUITES=integration

matrix-one:
	@test -n "$(CORE_VERSION)" || { echo "matrix-one: set CORE_VERSION, e.g. 2.19"; exit 2; }
	@test -n "$(MATRIX_PYTHONS_$(CORE_VERSION))" || { echo "matrix-one: ansible-core $(CORE_VERSION) is not supported (no MATRIX_PYTHONS_$(CORE_VERSION) in the Makefile)"; exit 2; }
	@python=$$(tests/utils/find_python.sh --oldest $(MATRIX_PYTHONS_$(CORE_VERSION))) || exit 1; \
	venv=(PYTHON=$$python VENV=$(MATRIX_VENV_DIR)/$(CORE_VERSION) REQUIREMENTS='requirements.txt tests/unit/requirements.txt' \
		VENV_PIP_ARGS='ansible-core==$(CORE_VERSION).*'); \
	mkdir -p $(MATRIX_VENV_DIR); \
	flock $(MATRIX_VENV_DIR)/$(CORE_VERSION).lock $(MAKE) --no-print-directory venv "$${venv[@]}" || exit 1; \
	for suite in $(MATRIX_SUITES); do \
		echo "==> ansible-core $(CORE_VERSION) on $$python: make $$suite"; \
		$(MAKE) --no-print-directory $$suite "$${venv[@]}" BUILD=$(MATRIX_DIR)/$(CORE_VERSION) \
			UNITS_ARGS='$(MATRIX_UNITS) $(UNITS_ARGS)' INTEGRATION_ARGS='$(MATRIX_INTEGRATION_ARGS)' \
			INTEGRATION_VARS='integration_scope=ansible_core $(INTEGRATION_VARS)' || exit 1; \
		$(MATRIX_VENV_DIR)/$(CORE_VERSION)/bin/python -c 'import ansible.release as r, sys; print("ansible-core", r.__version__, "on Python", sys.version.split()[0])'; \
	done

# ---------------------------------------------------------------------------------------------
# Event-Driven Ansible (issue 25): ansible-rulebook, in its own venv $(EDA_VENV) with Java 17 (tests/eda/with_rulebook.py
# finds it and says what is missing), runs the rulebook alibabacloud.eci.refresh_on_push against the twin and a local
# registry with basic auth, and ACR push notifications are POSTed to it (tests/eda). The test starts the twin itself,
# with the guide's commands (docs/docsite/rst/refresh_on_push.rst).
#   make eda           the guide end to end: a push rebuilds exactly the cache of its tag in its region, once
EDA_VENV := $(BUILD)/eda-venv
EDA_ARGS ?=
.PHONY: eda
eda: collection-tree
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VPY) tests/eda/with_rulebook.py --venv $(EDA_VENV) -- \
		$(VPY) tests/utils/registry/with_registry.py --auth "eci-test:$$($(VPY) -c 'import secrets; print(secrets.token_hex(12))')" -- \
		$(VPY) -m pytest -p no:cacheprovider -q -rfEX tests/eda $(EDA_ARGS)
TEST_SUITES += eda
# make lint also checks the rulebook and the test playbooks of tests/eda.
LINT_PATHS += extensions/eda/rulebooks tests/eda
