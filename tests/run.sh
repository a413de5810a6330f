#!/bin/sh
# Run every Check suite in BUILD/tests and the shell end-to-end tests, then
# print one closing line "N passed, N failed" over all of them.
# usage: tests/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export IMEVAL_BIN="$BUILD/imeval"
export IMEVAL_MODELS_DIR="$BUILD/models"
export IMEVAL_FIXTURES="$BUILD/tests/plugins"
export IMEVAL_FIXTURE_SRC="$ROOT/tests/plugins"
export IMEVAL_DATASETS="$ROOT/datasets"
export IMEVAL_TESTDATA="$ROOT/tests/data"
export IMEVAL_ROOT="$ROOT"
# Time limits only catch hangs: generous enough for a sanitizer build on a
# loaded 2-core machine (`make asan` multiplies them again).  Check scales
# every suite's limit by CK_TIMEOUT_MULTIPLIER.
export IMEVAL_TEST_TIMEOUT="${IMEVAL_TEST_TIMEOUT:-300}"
export CK_TIMEOUT_MULTIPLIER="${CK_TIMEOUT_MULTIPLIER:-1}"
# Bundled models are found next to the binary; tests never depend on cwd.
cd "$ROOT" || exit 1
# Git checkouts may leave fixture files group-writable under a loose umask;
# the loader refuses those, as it should, so make them private here.
chmod -R go-w "$BUILD/tests/plugins" "$BUILD/models" "$ROOT/tests/plugins" 2>/dev/null
# Outside plugins are refused when any directory above them may be written
# by others (core/registry.c): so are the build and source trees' own.
chmod go-w "$ROOT" "$ROOT/tests" "$BUILD" "$BUILD/tests" 2>/dev/null
# The directories above the checkout are not ours to change.  When one of
# them could be written by others (a shared CI workspace, say), every outside
# fixture would be refused for it: the tests then trust the directories above
# the files (IMEVAL_TRUST_PLUGIN_DIRS=1), and the tests of that check, which
# work in their own directories under /tmp, unset it.
d=$(cd "$ROOT/.." && pwd -P)
me=$(id -u)
while :; do
    mode=$(stat -c %a "$d") owner=$(stat -c %u "$d")
    wide=$(( (0$mode & 022) != 0 && !((0$mode & 01000) != 0 && owner == 0) ))
    if [ "$wide" = 1 ] || { [ "$owner" != 0 ] && [ "$owner" != "$me" ]; }; then
        echo "note: $d (mode $mode, owner $owner) may be written by others: the tests load their" \
             "fixtures with IMEVAL_TRUST_PLUGIN_DIRS=1"
        export IMEVAL_TRUST_PLUGIN_DIRS=1
        break
    fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
done

passed=0
failed=0
log=$(mktemp)
for t in "$BUILD"/tests/check_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300} "$t" >"$log" 2>&1
    status=$?
    cat "$log"
    # Check prints "NN%: Checks: N, Failures: F, Errors: E".
    line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$name: no Check summary (exit $status): counted as one failure"
        failed=$((failed + 1))
        continue
    fi
    checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    errs=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    bad=$((fails + errs))
    passed=$((passed + checks - bad))
    failed=$((failed + bad))
done
for t in "$ROOT"/tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    if sh "$t" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $(basename "$t")"
    else
        failed=$((failed + 1))
        echo "FAIL $(basename "$t")"
        sed 's/^/    /' "$log"
    fi
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
