#!/bin/sh
# docs/internals.md names files by path; every one must exist, so that the
# page cannot quietly describe code that was moved or renamed.  Paths are
# the `backticked` words with a slash (globs like plugins/lua/*.c must
# match something; build/ outputs and ../shared are outside the tree).
set -u
: "${IMEVAL_ROOT:=.}"
cd "$IMEVAL_ROOT" || exit 1
doc=docs/internals.md
[ -f "$doc" ] || { echo "FAIL: no $doc"; exit 1; }
failures=0
checked=0
for p in $(grep -o '`[^` ]*/[^` ]*`' "$doc" | tr -d '`' | sed 's/[(),:].*$//' | sort -u); do
    case $p in ../*|build/*|*://*) continue ;; esac
    checked=$((checked + 1))
    # shellcheck disable=SC2086
    set -- $p
    [ -e "$1" ] || { echo "FAIL: $doc names $p, which does not exist"; failures=$((failures + 1)); }
done
# The page is not empty of paths (a broken extraction would pass anything).
[ "$checked" -ge 40 ] || { echo "FAIL: only $checked paths found in $doc"; failures=$((failures + 1)); }
# Its sections are there.
for s in '## The path of one profile' '## Error channels' '## The ownership rule' \
         '## Module map' '## Adding a profile field'; do
    grep -qx "$s" "$doc" || { echo "FAIL: $doc has no \"$s\""; failures=$((failures + 1)); }
done
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
