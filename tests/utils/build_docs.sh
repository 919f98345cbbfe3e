#!/usr/bin/env bash
# Build the docs site of alibabacloud.eci with antsibull-docs and Sphinx (make docs).
# Usage: build_docs.sh DEST   (the collection must be on ANSIBLE_COLLECTIONS_PATH;
#                              antsibull-docs and sphinx-build on PATH)
# DEST/build/html/index.html is the site: module, role and filter pages rendered from the
# code, plus the guides of docs/docsite/rst (listed in docs/docsite/extra-docs.yml).
# Offline: intersphinx (docs.ansible.com, docs.python.org) is not fetched; the two labels of
# docs.ansible.com that plugin pages refer to (and action_plugins) become plain links (rst/ansible_references.rst).
# Set DOCS_INTERSPHINX=1 to keep the generated intersphinx mapping when the network allows it.
set -euo pipefail
dest="${1:?usage: build_docs.sh DEST}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rm -rf "$dest" && mkdir -p "$dest"
antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$dest" \
  --project 'alibabacloud.eci' --copyright 'alibabacloud.eci contributors' \
  --title 'Alibaba Cloud ECI Collection' alibabacloud.eci >/dev/null
cd "$dest"
if [ "${DOCS_INTERSPHINX:-0}" != 1 ]; then
  printf '\n# Offline build (tests/utils/build_docs.sh): no intersphinx inventories.\nintersphinx_mapping = {}\n' >> conf.py
fi
mkdir -p rst && chmod og-w rst
antsibull-docs --config-file antsibull-docs.cfg collection --use-current --fail-on-error \
  --cleanup everything --dest-dir rst alibabacloud.eci
# The landing page is the collection's own, not the sphinx-init template's.
cp "$root/docs/docsite/index.rst" rst/index.rst
# antsibull-docs' environment variable index lists only plugin options' `env` entries, which modules
# cannot have: it would say that none are defined. The collection's variables are on
# docsite/environment_variables (.. envvar:: directives, docs/docsite/config.yml), linked from the modules.
rm -f rst/collections/environment_variables.rst
if [ "${DOCS_INTERSPHINX:-0}" != 1 ]; then
  cat > rst/ansible_references.rst <<'RST'
:orphan:

References to the Ansible documentation
=======================================

.. _common_return_values:

Return Values
-------------

See https://docs.ansible.com/ansible/latest/reference_appendices/common_return_values.html

.. _ansible_configuration_settings:

Ansible Configuration Settings
------------------------------

See https://docs.ansible.com/ansible/latest/reference_appendices/config.html

.. _action_plugins:

Action Plugins
--------------

See https://docs.ansible.com/ansible/latest/plugins/action.html
RST
fi
sphinx-build -M html rst build -c . -W --keep-going -q
for page in index.html collections/alibabacloud/eci/index.html \
    collections/alibabacloud/eci/eci_image_cache_module.html collections/alibabacloud/eci/image_cache_role.html \
    collections/alibabacloud/eci/docsite/troubleshooting.html; do
  [ -s "build/html/$page" ] || { echo "docs: build/html/$page is missing" >&2; exit 1; }
done
python3 "$root/tests/utils/ci/check_docs_site.py" --root "$root" --html build/html
echo "docs site: $dest/build/html/index.html ($(find build/html -name '*.html' | wc -l) pages)"
