#!/bin/sh
# The LuaJIT host against the Lua 5.4 host: the same score-only draws of
# each bundled Lua model (every case, synthetic profiles of both rule eras,
# random ratings, with and without varied parameters, in uncertainty's
# batches) give bit-identical scores and the same unmet preconditions.
# The JIT host may decline a few: a draw it cannot time as short enough
# to be within its budget (preempted on a loaded machine, or compiling a
# trace: plugins/lua/jit.c); with a budget of 1e8 (2.5 ms a call), never
# more than 1 in 50.
# build/tests/tools/lua_scores is the driver, built against each host
# (tests/tools/lua_scores.c).
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
tools=$(dirname "$IMEVAL_BIN")/tests/tools
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "luajit_identity: $*"; exit 1; }

"$IMEVAL_BIN" synth --count 40 --seed 3 >"$tmp/a.jsonl"
"$IMEVAL_BIN" synth --count 40 --seed 4 --years 2017-2024 >"$tmp/b.jsonl"
for m in peer_support strategic_partnership trust; do
    for vary in "" --vary; do
        for t in lua_scores lua_scores_jit; do
            # shellcheck disable=SC2086
            "$tools/$t" $vary --draws 150 --batch 256 --budget 100000000 "$IMEVAL_ROOT/models/$m.lua" \
                "$IMEVAL_ROOT"/datasets/cases/*.json "$tmp/a.jsonl" "$tmp/b.jsonl" \
                >"$tmp/$t" || fail "$t $vary $m failed"
        done
        n=$(wc -l <"$tmp/lua_scores")
        [ "$n" -ge 10000 ] || fail "$m $vary: only $n views scored"
        d=$(awk '$5 != 0' "$tmp/lua_scores_jit" | wc -l)
        [ $((d * 50)) -le "$n" ] || fail "$m $vary: the JIT host declined $d of $n views"
        # a declined view is the reference's to score: compare the others
        paste -d ' ' "$tmp/lua_scores" "$tmp/lua_scores_jit" |
            awk '$11 == 0 && ($1 != $7 || $2 != $8 || $3 != $9 || $4 != $10 || $6 != $12)' |
            head -n 3 >"$tmp/differ"
        [ -s "$tmp/differ" ] && { cat "$tmp/differ"; fail "$m $vary: the hosts disagree"; }
        [ "$(wc -l <"$tmp/lua_scores_jit")" -eq "$n" ] || fail "$m $vary: not every view scored"
        awk '$4 > 0' "$tmp/lua_scores" | grep -q . || fail "$m $vary: no draw had unmet preconditions"
    done
done
echo "luajit_identity: ok"
