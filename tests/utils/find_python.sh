#!/usr/bin/env bash
# Prints the path of a Python interpreter of this machine whose version lies in [MIN, MAX]
# (the newest one, or the oldest with --oldest), or exits 1 with a message naming what to install.
# Looks at pythonX.Y on PATH (pyenv's shims fail for a version not selected: each candidate is run),
# then at pyenv's versions ($(pyenv root)/versions/*/bin/pythonX.Y).
# Usage: find_python.sh [--oldest] MIN [MAX]     e.g. find_python.sh 3.12 3.14
set -u
order=newest
if [ "${1:-}" = --oldest ]; then order=oldest; shift; fi
min=${1:?usage: find_python.sh [--oldest] MIN [MAX]}
max=${2:-3.20}
minor_of() { echo "${1#*.}"; }
major=${min%%.*}
versions=()
for ((minor = $(minor_of "$min"); minor <= $(minor_of "$max"); minor++)); do versions+=("$major.$minor"); done
if [ "$order" = newest ]; then
	reversed=(); for v in "${versions[@]}"; do reversed=("$v" "${reversed[@]}"); done; versions=("${reversed[@]}")
fi
pyenv_root=$(pyenv root 2>/dev/null || true)
for version in "${versions[@]}"; do
	candidates=("python$version")
	if [ -n "$pyenv_root" ]; then
		for dir in $(ls -d "$pyenv_root"/versions/"$version".* 2>/dev/null | sort -rV); do candidates+=("$dir/bin/python$version"); done
	fi
	for candidate in "${candidates[@]}"; do
		# sys.executable: the real interpreter behind a shim, so that a venv made from it works anywhere.
		if path=$("$candidate" -c "import sys; assert sys.version_info[:2] == ($major, ${version#*.}); print(sys.executable)" 2>/dev/null) \
				&& [ -n "$path" ]; then
			echo "$path"; exit 0
		fi
	done
done
echo "find_python.sh: no Python $min to $max on this machine (looked for python$min to python$max on PATH and in pyenv's versions);" \
	"install one (e.g. apt-get install python3.13, or pyenv install 3.13) or pass PYTHON=/path/to/python3.X to make" >&2
exit 1
