#!/usr/bin/env python
"""Check the built docs site (make docs, after Sphinx): real content where templates used to be.

- The landing page is the collection's (docs/docsite/index.rst), not the antsibull-docs template: it
  links every module, the role and the filter, names every playbook of playbooks/ and links every guide
  of docs/docsite/extra-docs.yml.
- Every environment variable the modules read (parsed from plugins/module_utils as `make awx-check`
  does) is defined on the environment variables page, the module pages link to it, and no page says
  that no environment variables are defined.
- The supported ansible-core versions of meta/runtime.yml (requires_ansible) are exactly the versions
  CI tests (MATRIX_VERSIONS of the Makefile), and the collection's page states that range.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys

import yaml
from packaging.specifiers import SpecifierSet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_awx_credential_type import variables_read  # noqa: E402  pylint: disable=wrong-import-position

TEMPLATE_MARKERS = ('Welcome to my Ansible collection documentation', 'This docsite contains documentation of')
EMPTY_ENV_INDEX = 'No environment variables have been defined'
COLLECTION = os.path.join('collections', 'alibabacloud', 'eci')


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def landing_page_problems(root, html):
    problems = []
    index = read(os.path.join(html, 'index.html'))
    problems += ['index.html is the antsibull-docs template (%r)' % m for m in TEMPLATE_MARKERS if m in index]
    pages = ['%s_module.html' % os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, 'plugins', 'modules', '*.py'))]
    pages += ['%s_filter.html' % os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, 'plugins', 'filter', '*.py'))]
    pages += ['%s_role.html' % os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(root, 'roles', '*', ''))]
    problems += ['index.html does not link %s' % p for p in pages if '%s/%s' % (COLLECTION, p) not in index]
    playbooks = [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(root, 'playbooks', '*.yml'))]
    problems += ['index.html does not name the playbook alibabacloud.eci.%s' % p for p in playbooks
                 if 'alibabacloud.eci.%s' % p not in index]
    with open(os.path.join(root, 'docs', 'docsite', 'extra-docs.yml'), encoding='utf-8') as handle:
        guides = [g for section in yaml.safe_load(handle)['sections'] for g in section['toctree']]
    problems += ['index.html does not link the guide %s' % g for g in guides
                 if '%s/docsite/%s.html' % (COLLECTION, g) not in index]
    return problems


def env_problems(root, html):
    problems = []
    wanted = sorted(variables_read(sorted(glob.glob(os.path.join(root, 'plugins', 'module_utils', '*.py')))))
    if not wanted:
        return ['found no environment variables read in plugins/module_utils: the parser is broken']
    page_path = os.path.join(html, COLLECTION, 'docsite', 'environment_variables.html')
    if not os.path.exists(page_path):
        return ['the site has no environment variables page (%s)' % page_path]
    page = read(page_path)
    problems += ['the environment variables page does not define %s' % v for v in wanted if 'id="envvar-%s"' % v not in page]
    module = read(os.path.join(html, COLLECTION, 'eci_image_cache_module.html'))
    if 'environment_variables.html#envvar-ALICLOUD_ACCESS_KEY' not in module:
        problems.append('eci_image_cache_module.html does not link ALICLOUD_ACCESS_KEY to the environment variables page')
    for path in glob.glob(os.path.join(html, '**', '*.html'), recursive=True):
        if EMPTY_ENV_INDEX in read(path):
            problems.append('%s says "%s"' % (os.path.relpath(path, html), EMPTY_ENV_INDEX))
    return problems


def version_problems(root, html):
    with open(os.path.join(root, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        spec = SpecifierSet(yaml.safe_load(handle)['requires_ansible'])
    matrix = re.search(r'^MATRIX_VERSIONS \?= (.+)$', read(os.path.join(root, 'Makefile')), re.MULTILINE).group(1).split()
    supported = ['2.%d' % minor for minor in range(10, 40) if spec.contains('2.%d.0' % minor)]
    problems = []
    if supported != matrix:
        problems.append('meta/runtime.yml requires_ansible %s allows %s, but CI tests %s (MATRIX_VERSIONS)'
                        % (spec, supported, matrix))
    page = read(os.path.join(html, COLLECTION, 'index.html'))
    lowest, above = '%s.0' % matrix[0], '2.%d.0' % (int(matrix[-1].split('.')[1]) + 1)
    for text in ('%s or newer' % lowest, 'older than %s' % above):
        if text not in page:
            problems.append('the collection page does not state "%s"' % text)
    return problems


def main():
    """Exit 1 listing every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', required=True, help='collection root')
    parser.add_argument('--html', required=True, help='the built site (build/html)')
    args = parser.parse_args()
    problems = landing_page_problems(args.root, args.html) + env_problems(args.root, args.html)
    problems += version_problems(args.root, args.html)
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        sys.exit(1)
    print('docs site: the landing page is the collection\'s, every environment variable the modules read is '
          'defined and linked, the supported versions match CI')


if __name__ == '__main__':
    main()
