# Build and test plumbing for the alibabacloud.eci collection.
# Every target works on a fresh clone with only Python 3.11, make and PyPI:
#   make demo     run playbooks/demo.yml against the local twin of the cloud
#   make test     sanity + units + integration + changelog-lint, stops at the first failure
#   make sanity | units | integration | molecule | changelog-lint | collection-tree | build | clean
# ansible-test needs a path ending in ansible_collections/<namespace>/<name>, so the
# tests run in a copy of the checkout under build/ (see tests/utils/build_tree.py),
# with HOME=build/home so that nothing is written to the real home directory.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3.11
PY_VERSION ?= 3.11
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements.txt tests/unit/requirements.txt tests/requirements-dev.txt

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
DEMO_FIXTURES ?= playbooks/files/demo_fixtures.yml
DEMO_ARGS ?=

.PHONY: help venv collection-tree pip-bootstrap sanity units integration molecule changelog-lint test demo build clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

# Re-installs when a requirements file changes; recreates .venv if it is missing or broken.
$(STAMP): $(REQUIREMENTS)
	@if ! $(VPY) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PY_VERSION)".split("."))))' 2>/dev/null; then \
		echo "creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(VPY) -m pip install --disable-pip-version-check --quiet $(addprefix -r ,$(REQUIREMENTS))
	@touch $@

collection-tree: $(STAMP)
	@$(VPY) tests/utils/build_tree.py --build-dir $(BUILD)

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

units: collection-tree
	$(ANSIBLE_TEST) units --local --python $(PY_VERSION) --requirements --color no $(UNITS_ARGS)

integration: collection-tree
	@if [ -n "$$(ls -A $(TREE)/tests/integration/targets 2>/dev/null)" ]; then \
		cd $(TREE) && $(RUN_ENV) $(VPY) tests/utils/with_emulator.py \
			--integration-config tests/integration/integration_config.yml --ready-after 1 -- \
			$(VENV)/bin/ansible-test integration --local --python $(PY_VERSION) --color no $(INTEGRATION_ARGS); \
	else echo "integration: no targets in tests/integration/targets yet, nothing to run"; fi

# Molecule scenario of the role (converge, idempotence, verify) against a twin started for it.
molecule: collection-tree
	cd $(TREE)/roles/image_cache && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) $(VPY) $(TREE)/tests/utils/with_emulator.py \
		--root $(TREE) --ready-after 1 -- $(VENV)/bin/molecule test

changelog-lint: $(STAMP)
	$(VENV)/bin/antsibull-changelog lint

# Stops at the first failing suite and names it.
test:
	@start=$$(date +%s); \
	for suite in sanity units integration molecule changelog-lint; do \
		echo "==> make $$suite"; \
		if ! $(MAKE) --no-print-directory $$suite; then \
			echo "make test: FAILED in $$suite after $$(( $$(date +%s) - start ))s"; exit 1; fi; \
	done; \
	echo "make test: PASSED (sanity, units, integration, molecule, changelog-lint) in $$(( $$(date +%s) - start ))s"

demo: collection-tree
	cd $(TREE) && $(RUN_ENV) ANSIBLE_COLLECTIONS_PATH=$(BUILD) ANSIBLE_DISPLAY_SKIPPED_HOSTS=false \
		$(VPY) tests/utils/with_emulator.py --ready-after 5 \
		$$( [ -f $(DEMO_FIXTURES) ] && echo --fixtures $(DEMO_FIXTURES) ) -- \
		$(VENV)/bin/ansible-playbook playbooks/demo.yml $(DEMO_ARGS)

# The release artifact: build/alibabacloud-eci-<version>.tar.gz
build: collection-tree
	cd $(TREE) && $(RUN_ENV) $(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD)

clean:
	rm -rf $(BUILD) tests/output

distclean: clean
	rm -rf $(VENV)
