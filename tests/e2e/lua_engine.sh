#!/bin/sh
# --lua-engine: the Lua models' score-only draws on LuaJIT (imeval-luajit
# worker processes, plugins/jit.c) give byte for byte what Lua 5.4 gives:
#   - the bundled models on the cases and on 40 authorities with every
#     rating a range: json, csv, explain, --draws, --vary-parameters,
#     --rating-noise, sensitivity, at --jobs 1, 2 and 3;
#   - a model whose draws loop for ever under LuaJIT (and, above acceptance
#     3, under both: Lua 5.4's budget error), in bounded time;
#   - a model whose results in half the draws are not plain scores (a
#     score past 100, a timeline past 1,200 months, too many unmet
#     preconditions, NaN, none): the same failures and counts;
#   - a model whose scores differ between the engines in every draw (the
#     Lua 5.4 figures, and a warning once a run that says so);
#   - a model LuaJIT cannot load (Lua 5.4 syntax): the Lua 5.4 figures, and
#     a warning once a run that it ran slower, quoting LuaJIT's error;
#   - without imeval-luajit: auto runs on Lua 5.4 and says nothing;
#     --lua-engine luajit refuses to run, saying what to build; a worker
#     that cannot serve gives the Lua 5.4 figures too, with a warning for
#     each model; a plain evaluate
#     (no draws) never starts a worker.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
T=${IMEVAL_TEST_TIMEOUT:-300}
CASES="$IMEVAL_ROOT/datasets/cases"
FIX="$IMEVAL_ROOT/tests/plugins/lua"
P="$IMEVAL_ROOT/tests/data/isolate/host_all.json"
case "$IMEVAL_BIN" in /*) ;; *) IMEVAL_BIN="$PWD/$IMEVAL_BIN" ;; esac
BUILD=$(dirname "$IMEVAL_BIN")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
[ -x "$BUILD/imeval-luajit" ] || { echo "FAIL: no $BUILD/imeval-luajit (make builds it)"; exit 1; }

# run NAME ARGS...: $BIN ARGS into $tmp/NAME.out, .err and .rc
BIN=$IMEVAL_BIN
run() {
    name=$1
    shift
    timeout -k 5 "$T" "$BIN" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    echo $? >"$tmp/$name.rc"
}
# same WHAT A B: A's and B's output, messages and exit status are the same
same() {
    cmp -s "$tmp/$2.out" "$tmp/$3.out" ||
        { fail "$1: output differs"; diff "$tmp/$2.out" "$tmp/$3.out" | head -n 6; }
    cmp -s "$tmp/$2.err" "$tmp/$3.err" ||
        { fail "$1: messages differ"; diff "$tmp/$2.err" "$tmp/$3.err" | head -n 6; }
    cmp -s "$tmp/$2.rc" "$tmp/$3.rc" || fail "$1: exit status $(cat "$tmp/$2.rc") vs $(cat "$tmp/$3.rc")"
}

# 40 authorities, every rating a range (as `bench uncertain` makes them)
"$IMEVAL_BIN" synth --count 40 --seed 1 |
    jq -c '.ratings |= map_values(if type == "number"
        then {low: ([. - 0.5, 0] | max), mode: ., high: ([. + 0.5, 4] | min)} else . end)' \
        >"$tmp/ranges.jsonl" || exit 1
grep -q '"low"' "$tmp/ranges.jsonl" || { echo "FAIL: no ranges made"; exit 1; }

# The bundled models: every command and form, both engines, three --jobs.
i=0
while read -r cmd; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # the command's words are meant to split
    run "ref$i" $cmd --lua-engine lua5.4 --jobs 1
    [ "$(cat "$tmp/ref$i.rc")" = 0 ] || { fail "$cmd: exit $(cat "$tmp/ref$i.rc")"; head -n 3 "$tmp/ref$i.err"; }
    for jobs in 1 2 3; do
        # shellcheck disable=SC2086
        run "jit$i-$jobs" $cmd --lua-engine luajit --jobs $jobs
        same "$cmd --jobs $jobs" "ref$i" "jit$i-$jobs"
    done
done <<EOF
evaluate --format json $CASES/*.json
evaluate --format csv $CASES/*.json
evaluate --explain $CASES/*.json
evaluate --format json --draws 1000 $CASES/*.json
evaluate --format csv --draws 500 --vary-parameters $CASES/*.json
evaluate --format json --draws 500 --rating-noise 0.5 $CASES/*.json
evaluate --explain --draws 300 $CASES/torbay-2018.json $CASES/isle-of-wight-2013.json
sensitivity --format json $CASES/torbay-2018.json $CASES/isle-of-wight-2013.json $CASES/doncaster-2015.json
evaluate --format json --draws 1000 $tmp/ranges.jsonl
evaluate --format csv --draws 1000 --vary-parameters $tmp/ranges.jsonl
EOF
grep -q '"p95"' "$tmp/ref4.out" || fail "the draws runs have no uncertainty in them"

# The fixtures, isolated (the reference is the Lua 5.4 worker) and in-process.
fixture() {
    what=$1
    shift
    for iso in isolate no-isolate; do
        run "f-ref-$iso" evaluate --no-bundled --$iso --timeout 20 "$@" --lua-engine lua5.4
        for engine in luajit auto; do
            start=$(date +%s)
            run "f-$engine-$iso" evaluate --no-bundled --$iso --timeout 20 "$@" --lua-engine $engine
            took=$(($(date +%s) - start))
            [ "$took" -lt "$T" ] || fail "$what, --$iso --lua-engine $engine: $took s"
            cmp -s "$tmp/f-ref-$iso.out" "$tmp/f-$engine-$iso.out" ||
                { fail "$what, --$iso --lua-engine $engine: output differs"; diff "$tmp/f-ref-$iso.out" "$tmp/f-$engine-$iso.out" | head -n 6; }
            cmp -s "$tmp/f-ref-$iso.rc" "$tmp/f-$engine-$iso.rc" || fail "$what, --$iso --lua-engine $engine: exit status differs"
        done
    done
}
# (a budget the worker takes: under 1.6 million it declines every draw)
fixture "loops in draws under LuaJIT" --model "$FIX/jit_loop.lua" --lua-budget 1700000 --draws 100 --format json "$P"
grep -q "instruction budget of 1700000 exceeded" "$tmp/f-ref-isolate.out" ||
    { fail "jit_loop: no budget error from Lua 5.4 in the draws above acceptance 3"; head -c 600 "$tmp/f-ref-isolate.out"; }
grep -q '"p95"' "$tmp/f-ref-isolate.out" || fail "jit_loop: no uncertainty in the output"
fixture "scores differ between the engines" --model "$FIX/jit_differ.lua" --draws 600 --format json "$P"
for f in f-luajit-isolate f-auto-no-isolate; do
    grep -q "warning: model jit_differ: its scores under LuaJIT and Lua 5.4 differ (first in the draws of host-all)" "$tmp/$f.err" ||
        { fail "jit_differ ($f): no warning that the engines disagree"; cat "$tmp/$f.err"; }
    [ "$(grep -c "jit_differ: its scores" "$tmp/$f.err")" = 1 ] || fail "jit_differ ($f): the warning is not said once"
done
grep -q "differ" "$tmp/f-ref-isolate.err" && fail "jit_differ under lua5.4: a warning about engines"
# Odd results in half the draws: a score past 100 (which LuaJIT's worker
# answers and imeval must fail as Lua 5.4's does), the others declined.
fixture "results that are not plain scores" --model "$FIX/jit_odd.lua" --draws 2000 --format json "$P"
grep -q '"failed_share":[[:space:]]*0\.[1-9]' "$tmp/f-ref-isolate.out" ||
    { fail "jit_odd: no draws failed under Lua 5.4"; head -c 600 "$tmp/f-ref-isolate.out"; }
grep -q '"viable_share":[[:space:]]*0\.[1-9]' "$tmp/f-ref-isolate.out" ||
    { fail "jit_odd: no draw viable under Lua 5.4"; head -c 600 "$tmp/f-ref-isolate.out"; }
fixture "Lua 5.4 syntax" --model "$FIX/jit_syntax.lua" --draws 600 --format json "$P"
grep -q '"p95"' "$tmp/f-luajit-isolate.out" || { fail "jit_syntax: no uncertainty"; cat "$tmp/f-luajit-isolate.err"; }
# Right but slower: said once, with LuaJIT's own error, never under lua5.4.
for f in f-luajit-isolate f-auto-isolate f-luajit-no-isolate f-auto-no-isolate; do
    [ "$(grep -c "warning: model jit_syntax: its draws ran on Lua 5.4, not LuaJIT, so more slowly (the figures are the same): LuaJIT could not load the script (.*jit_syntax.lua:9: unexpected symbol near '/')" "$tmp/$f.err")" = 1 ] ||
        { fail "jit_syntax ($f): not one warning that LuaJIT could not load it"; cat "$tmp/$f.err"; }
done
for f in f-ref-isolate f-ref-no-isolate; do
    [ -s "$tmp/$f.err" ] && { fail "jit_syntax under lua5.4 ($f): messages"; cat "$tmp/$f.err"; }
done

# No imeval-luajit: imeval on its own in a directory, the bundled models
# named by IMEVAL_BUNDLED_DIR.
mkdir "$tmp/bin"
cp "$IMEVAL_BIN" "$tmp/bin/imeval"
export IMEVAL_BUNDLED_DIR="$BUILD/models"
set -- evaluate --format json --draws 500 "$CASES/torbay-2018.json" "$tmp/ranges.jsonl"
run alone-ref "$@" --lua-engine lua5.4
BIN="$tmp/bin/imeval"
run alone-auto "$@"
same "no imeval-luajit, auto" alone-ref alone-auto
run alone-jit "$@" --lua-engine luajit
[ "$(cat "$tmp/alone-jit.rc")" = 2 ] || fail "no imeval-luajit, --lua-engine luajit: exit $(cat "$tmp/alone-jit.rc"), expected 2"
grep -q "lua-engine luajit: the LuaJIT worker imeval-luajit is not installed.*build it with make" "$tmp/alone-jit.err" ||
    { fail "no imeval-luajit, --lua-engine luajit: no message saying what to build"; cat "$tmp/alone-jit.err"; }
[ -s "$tmp/alone-jit.out" ] && fail "no imeval-luajit, --lua-engine luajit: it wrote output"
# A worker that cannot serve (it notes that it ran, then exits): the Lua
# 5.4 figures all the same; without draws it is never started.
cat >"$tmp/bin/imeval-luajit" <<EOF
#!/bin/sh
echo ran >>"$tmp/started"
exit 3
EOF
chmod 755 "$tmp/bin/imeval-luajit"
run broken "$@" --lua-engine luajit
cmp -s "$tmp/alone-ref.out" "$tmp/broken.out" || fail "a worker that cannot serve: output differs"
cmp -s "$tmp/alone-ref.rc" "$tmp/broken.rc" || fail "a worker that cannot serve: exit status differs"
# ... and a warning for each Lua model, the same in every run (which of a
# dead worker's failures comes first is timing: it is not quoted).
for model in peer_support strategic_partnership trust; do
    [ "$(grep -c "warning: model $model: its draws ran on Lua 5.4, not LuaJIT, so more slowly (the figures are the same): the LuaJIT worker $tmp/bin/imeval-luajit did not start or failed in every batch" "$tmp/broken.err")" = 1 ] ||
        { fail "a worker that cannot serve: not one warning for $model"; cat "$tmp/broken.err"; }
done
[ "$(wc -l <"$tmp/broken.err")" = 3 ] || { fail "a worker that cannot serve: other messages"; cat "$tmp/broken.err"; }
[ -s "$tmp/started" ] || fail "the stand-in worker was never started: the test proves nothing"
rm -f "$tmp/started"
run plain evaluate --format json "$CASES"/*.json
[ "$(cat "$tmp/plain.rc")" = 0 ] || fail "plain evaluate: exit $(cat "$tmp/plain.rc")"
[ -e "$tmp/started" ] && fail "a plain evaluate (no draws) started a LuaJIT worker"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
