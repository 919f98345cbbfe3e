"""Offline stand-in for the get-pip.py bootstrap script of ansible-test.

ansible-test (sanity --venv, and other commands that create virtual environments)
downloads https://ci-files.testing.ansible.com/ansible-test/get-pip-<version>.py,
which is not reachable from every machine, unless the file
~/.ansible/test/cache/get_pip_<version with _>.py already exists. `make sanity` copies
this script there. It runs pip from the wheel bundled with Python's ensurepip and lets
it install the requested pip (e.g. pip==24.2) from the package index, like get-pip.py.
ansible-test calls it as: python get_pip.py [pip options] pip==X.Y [--no-setuptools] [--no-wheel]
"""

from __future__ import annotations

import glob
import os
import sys

import ensurepip

# get-pip.py understands these; `pip install` does not, and nothing else is installed anyway.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    """Install pip into the running interpreter's environment."""
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), '_bundled')
    wheels = sorted(glob.glob(os.path.join(bundled, 'pip-*.whl')))
    if not wheels:
        sys.exit('get_pip stand-in: no pip wheel in %s' % bundled)
    sys.path.insert(0, wheels[-1])

    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    sys.exit(pip_main(['install'] + args))


if __name__ == '__main__':
    main()
