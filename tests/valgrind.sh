#!/bin/sh
# The end-to-end runs under valgrind memcheck: zero errors, zero definite or
# indirect leaks.  Every imeval started here, directly or by the e2e scripts
# (through IMEVAL_BIN), runs under a wrapper that logs memcheck's report;
# a run fails on memcheck errors (exit 99), and the logs are checked again
# at the end for any error or leak summary that is not zero.
# usage: tests/valgrind.sh BUILD_DIR
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/logs"
# robust_input.sh runs imeval as nobody to test an unreadable file: that
# run must reach the wrapper and write its log too.
chmod 755 "$tmp"
chmod 1777 "$tmp/logs"

# Children forked for isolated plugins exit with _exit from inside the
# parent's call stack; their memory is the parent's, so they are not
# checked on their own (--child-silent-after-fork).  valgrind runs one
# thread at a time; its default lock let a busy worker thread keep it for
# seconds on a loaded machine, so the thread a signal went to ran its
# handler late (--fair-sched=yes hands the lock round in turn).
cat >"$tmp/imeval" <<EOF
#!/bin/sh
exec valgrind -q --fair-sched=yes --leak-check=full --error-exitcode=99 \\
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
    --child-silent-after-fork=yes --log-file="$tmp/logs/%p.log" "$BUILD/imeval" "\$@"
EOF
chmod 755 "$tmp/imeval"
export IMEVAL_BIN="$tmp/imeval" IMEVAL_ROOT="$ROOT" IMEVAL_MODELS_DIR="$BUILD/models"
export IMEVAL_BUILD="$BUILD"
export IMEVAL_FIXTURES="$BUILD/tests/plugins" IMEVAL_FIXTURE_SRC="$ROOT/tests/plugins"
export IMEVAL_DATASETS="$ROOT/datasets" IMEVAL_TESTDATA="$ROOT/tests/data"
# Slower under valgrind: a longer limit per run.
export IMEVAL_TEST_TIMEOUT=1800 IMEVAL_SIGINT_AFTER=30
cd "$ROOT" || exit 1
chmod -R go-w "$BUILD/tests/plugins" "$BUILD/models" "$ROOT/tests/plugins" 2>/dev/null

failed=0
step() {
    name=$1
    expect=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -eq "$expect" ]; then
        echo "ok   $name"
    else
        echo "FAIL $name: exit $status, expected $expect"
        sed 's/^/    /' "$tmp/out" | tail -n 20
        sed 's/^/    /' "$tmp/err" | tail -n 20
        failed=$((failed + 1))
    fi
}

cases="$ROOT/datasets/cases"
for fmt in table json csv markdown; do
    step "evaluate --format $fmt" 0 "$IMEVAL_BIN" evaluate --format "$fmt" "$cases"/*.json
done
step "evaluate --explain" 0 "$IMEVAL_BIN" evaluate --explain "$cases"/*.json
step "evaluate --draws 200 --vary-parameters" 0 \
    "$IMEVAL_BIN" evaluate --draws 200 --vary-parameters --format json "$cases"/*.json
step "evaluate -j 1 -o FILE" 0 "$IMEVAL_BIN" evaluate -j 1 --format json -o "$tmp/out.json" "$cases"/*.json
step "explain" 0 "$IMEVAL_BIN" explain executive_partnership "$cases/isle-of-wight-2013.json"
step "validate" 0 "$IMEVAL_BIN" validate "$cases"/*.json
step "validate --format json (bad inputs)" 1 \
    "$IMEVAL_BIN" validate --format json "$ROOT"/tests/data/robust/*
step "models" 0 "$IMEVAL_BIN" models
step "isolated fixture plugin" 0 "$IMEVAL_BIN" evaluate --isolate --timeout 120 --model "$BUILD/tests/plugins/robust_bad.so" \
    "$cases/torbay-2018.json"
step "Lua result strings made by metamethods" 0 "$IMEVAL_BIN" evaluate --model "$ROOT/tests/plugins/robust_bad.lua" \
    --set robust_bad_lua.mode=21 --format json "$cases/torbay-2018.json"
for mode in 1 5 6 7 9 14 19; do
    step "bad plugin output (Lua mode $mode)" 1 "$IMEVAL_BIN" evaluate --no-bundled \
        --model "$ROOT/tests/plugins/robust_bad.lua" --set robust_bad_lua.mode=$mode "$cases/torbay-2018.json"
done
for t in robust_input.sh robust_plugins.sh robust_output.sh plugin_guide.sh; do
    step "e2e $t" 0 sh "$ROOT/tests/e2e/$t"
done

# Every log: with -q, memcheck writes nothing for a clean run.
bad=$(find "$tmp/logs" -name '*.log' -size +0c | head -n 5)
runs=$(ls "$tmp"/logs | wc -l)
if [ -n "$bad" ]; then
    for f in $bad; do
        echo "memcheck report in $f:"
        sed 's/^/    /' "$f" | head -n 40
    done
    failed=$((failed + 1))
fi
echo "valgrind: $runs runs of imeval checked, $failed failures"
[ "$failed" -eq 0 ] && [ "$runs" -gt 0 ]
