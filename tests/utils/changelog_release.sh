#!/usr/bin/env bash
# Generate the release notes of the version in galaxy.yml from the fragments, in a copy of
# the collection (antsibull-changelog release consumes the fragments: keep_fragments is false),
# and check them: a section for the version, every module and role of plugins/ and roles/
# listed as new, every fragment's text present. The checkout is not changed.
# Usage: changelog_release.sh WORKDIR   (run from the collection root; antsibull-changelog on PATH)
# The notes stay in WORKDIR/collection/CHANGELOG.rst for review.
set -euo pipefail
workdir="${1:?usage: changelog_release.sh WORKDIR}"
root="$(pwd)"
version="$(sed -n 's/^version: *//p' galaxy.yml)"
copy="$workdir/collection"
rm -rf "$workdir" && mkdir -p "$copy"
# Tracked and new files, as `git ls-files` sees them (without git: everything but generated folders).
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$root" ls-files -z --cached --others --exclude-standard -- galaxy.yml changelogs plugins roles meta \
    | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | xargs -0 cp --parents -t "$copy"
else
  cp -r galaxy.yml changelogs plugins roles meta "$copy"/
fi
# A repository of its own: antsibull-changelog (vcs: auto) would otherwise see the copy through the
# checkout's repository, where build/ is ignored, and find no plugins.
git init --quiet "$copy" 2>/dev/null || true
fragments=(changelogs/fragments/*.yml)
(cd "$copy" && antsibull-changelog lint && antsibull-changelog release --version "$version" --date "$(date +%Y-%m-%d)")
notes="$copy/CHANGELOG.rst"
fail=0
check() { grep -qF -- "$1" "$notes" || { echo "FAIL release notes lack: $1"; fail=1; }; }
check "v$version"
for module in plugins/modules/*.py; do check "alibabacloud.eci.$(basename "$module" .py) - "; done
for role in roles/*/; do check "alibabacloud.eci.$(basename "$role") - "; done
# Every fragment's first entry (trivial ones excepted) appears in the notes (YAML folded, so compare one line's words).
for fragment in "${fragments[@]}"; do
  first="$(python -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1])) or {}
for k, v in d.items():
    if k == "trivial" or k.startswith("add "):
        continue  # trivial entries are not in the notes; new objects are checked above
    text = v if isinstance(v, str) else (v[0] if v and isinstance(v[0], str) else "")
    print(" ".join(text.split()[:6])); break' "$fragment")"
  [ -z "$first" ] || check "$first"
done
left=$(find "$copy/changelogs/fragments" -name '*.yml' | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL $left fragments were not consumed by the release"; fail=1; }
[ -s "$copy/changelogs/changelog.yaml" ] || { echo "FAIL no changelogs/changelog.yaml written"; fail=1; }
[ "$fail" -eq 0 ] || exit 1
echo "release notes of $version generated from ${#fragments[@]} fragments: $notes"
