#!/bin/sh
# An isolated native plugin gives exactly what it gives in-process: a
# fixture calling every host function (tests/plugins/host_all.c), in
# every output format, with and without --draws (score-only calls), and
# the plugin guide's C example on a low-acceptance profile with draws.
# A model failing in some draws says so in the table, not only in JSON.
# An outside plugin that prints while loading is refused, its text kept
# out of the document.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}" "${IMEVAL_FIXTURES:=build/tests/plugins}"
T=${IMEVAL_TEST_TIMEOUT:-300}
P="$IMEVAL_ROOT/tests/data/isolate/host_all.json"
CASES="$IMEVAL_ROOT/datasets/cases"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
# Both paths, same arguments; the outputs must be byte-identical.
compare() {
    what=$1
    shift
    for mode in isolate no-isolate; do
        timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --$mode --timeout 120 "$@" >"$tmp/$mode.out" 2>"$tmp/$mode.err"
        echo $? >"$tmp/$mode.rc"
    done
    cmp -s "$tmp/isolate.out" "$tmp/no-isolate.out" ||
        { fail "$what: isolated output differs"; diff "$tmp/isolate.out" "$tmp/no-isolate.out" | head -n 10; }
    cmp -s "$tmp/isolate.rc" "$tmp/no-isolate.rc" || fail "$what: exit status differs"
    cmp -s "$tmp/isolate.err" "$tmp/no-isolate.err" ||
        { fail "$what: messages differ"; diff "$tmp/isolate.err" "$tmp/no-isolate.err" | head -n 10; }
    if grep -q "crashed" "$tmp/isolate.err" "$tmp/isolate.out"; then fail "$what: the plugin crashed"; fi
}
for fmt in table json csv markdown; do
    for draws in 0 400; do
        compare "host_all, $fmt, --draws $draws" --no-bundled --model "$IMEVAL_FIXTURES/host_all.so" \
            --model "$IMEVAL_FIXTURES/iso_good.so" --format $fmt --draws $draws --explain "$P" "$CASES/torbay-2018.json"
    done
done
# The table says that the figures are of the draws that did not fail.
compare "host_all table" --no-bundled --model "$IMEVAL_FIXTURES/host_all.so" --draws 400 "$P"
grep -q "host_all failed in [0-9.]*% of the draws: its mean, p05 and p95 are of the other [0-9.]*% only" \
    "$tmp/isolate.out" || { fail "the table does not say host_all failed in some draws"; cat "$tmp/isolate.out"; }

# The plugin guide's example, on a profile whose acceptance range crosses 2.
cc -std=c11 -O2 -fPIC -shared -fvisibility=hidden -I"$IMEVAL_ROOT/plugins" \
    "$IMEVAL_ROOT/docs/examples/acceptance.c" -o "$tmp/acceptance.so" || exit 1
chmod 644 "$tmp/acceptance.so"
compare "plugin guide example, draws" --no-bundled --model "$tmp/acceptance.so" --draws 400 --format json "$P"
grep -q '"mean"' "$tmp/isolate.out" || fail "plugin guide example: no uncertainty in the output"
# A plugin whose constructor prints is refused, loaded in a child: the
# JSON document on standard output stays clean and complete.
timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --format json --model "$IMEVAL_FIXTURES/iso_load_print.so" \
    "$CASES/torbay-2018.json" >"$tmp/print.json" 2>"$tmp/print.err"
status=$?
[ "$status" -eq 1 ] || fail "printing constructor: exit $status, expected 1 (a model refused)"
grep -q "hello from a plugin" "$tmp/print.json" && fail "printing constructor: its text reached the JSON"
head -c 1 "$tmp/print.json" | grep -q '{' || fail "printing constructor: the output does not start with {"
grep -q "iso_load_print.so: refused: it printed 32 bytes while loading" "$tmp/print.err" ||
    { fail "printing constructor: no message"; cat "$tmp/print.err"; }
grep -q '"profile":' "$tmp/print.json" && [ "$(tail -n 1 "$tmp/print.json")" = "}" ] ||
    fail "printing constructor: not a complete result"
# Lua models from outside the bundled set run in worker processes by
# default: the bundled Lua models, copied elsewhere, give byte for byte
# what they give in-process, with draws (batches of views per round trip)
# and at every --jobs.
for f in "$IMEVAL_ROOT"/models/*.lua; do cp "$f" "$tmp/"; done
chmod 644 "$tmp"/*.lua
set -- --no-bundled --format json --draws 300 --seed 11 --explain
for f in "$tmp"/*.lua; do set -- "$@" --model "$f"; done
set -- "$@" "$CASES"/*.json
timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --no-isolate --jobs 1 "$@" >"$tmp/lua-ref.json" 2>"$tmp/lua-ref.err"
grep -q '"mean"' "$tmp/lua-ref.json" || { fail "outside Lua models: no uncertainty in the output"; cat "$tmp/lua-ref.err"; }
for jobs in 1 2 3 8; do
    for mode in isolate no-isolate; do
        timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --$mode --timeout 120 --jobs $jobs "$@" >"$tmp/lua.json" 2>"$tmp/lua.err"
        cmp -s "$tmp/lua.json" "$tmp/lua-ref.json" ||
            { fail "outside Lua models, --$mode --jobs $jobs: output differs"; diff "$tmp/lua.json" "$tmp/lua-ref.json" | head -n 10; }
        cmp -s "$tmp/lua.err" "$tmp/lua-ref.err" || fail "outside Lua models, --$mode --jobs $jobs: messages differ"
    done
done
# Draws of ratings and parameters (a batch's views cross as their ratings
# and parameters after the first) and sensitivity's grids (views that
# differ in more than ratings cross whole), isolated as in-process.
lua_models=""
for f in "$tmp"/*.lua; do lua_models="$lua_models --model $f"; done
for cmd in "evaluate --format json --draws 300 --vary-parameters --rating-noise 0.5" "sensitivity --format json"; do
    for mode in isolate no-isolate; do
        # shellcheck disable=SC2086 # word splitting of the lists is meant
        timeout -k 5 "$T" "$IMEVAL_BIN" $cmd --no-bundled --$mode --timeout 120 $lua_models \
            "$CASES"/torbay-2018.json "$CASES"/isle-of-wight-2013.json >"$tmp/$mode.json" 2>"$tmp/$mode.err"
    done
    grep -q '"model"' "$tmp/isolate.json" || { fail "$cmd: no results"; cat "$tmp/isolate.err"; }
    cmp -s "$tmp/isolate.json" "$tmp/no-isolate.json" ||
        { fail "outside Lua models, $cmd: isolated output differs"; diff "$tmp/isolate.json" "$tmp/no-isolate.json" | head -n 10; }
    cmp -s "$tmp/isolate.err" "$tmp/no-isolate.err" || fail "outside Lua models, $cmd: messages differ"
done
timeout -k 5 "$T" "$IMEVAL_BIN" models --no-bundled --format json --model "$tmp/trust.lua" >"$tmp/models.json" 2>&1
grep -q '"isolated":[[:space:]]*true' "$tmp/models.json" || fail "an outside Lua model is not isolated by default"
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
