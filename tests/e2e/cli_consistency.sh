#!/bin/sh
# The subcommands agree with each other (issue 9, "The command"): imeval
# version and help COMMAND, formats refused where they are not written,
# -o and -j where a command writes or scores, option combinations and
# unusable -o refused before the run, a missing --model is a usage error,
# and a signal's exit status says which signal.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CASE="$IMEVAL_ROOT/datasets/cases/torbay-2018.json"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# run EXPECTED_STATUS ARGS...: stdout to $tmp/out, stderr to $tmp/err
run() {
    want=$1; shift
    # only a hang guard (the -o DIR case used to run the whole draws first)
    timeout -k 5 120 "$IMEVAL_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "imeval $*: exit $got, expected $want: $(head -c 300 "$tmp/err")"
}

run 0 version
grep -q '^imeval [0-9][0-9.]* (plugin ABI [0-9]' "$tmp/out" || fail "version: $(cat "$tmp/out")"
cp "$tmp/out" "$tmp/version"
run 0 --version
cmp -s "$tmp/out" "$tmp/version" || fail "--version differs from imeval version"
run 2 version extra
run 0 help
grep -q 'imeval help COMMAND' "$tmp/out" || fail "usage does not mention imeval help COMMAND"
grep -q '^  version ' "$tmp/out" || fail "usage does not list version"
run 0 help validate
grep -q '^usage: imeval validate' "$tmp/out" || fail "help validate: $(head -1 "$tmp/out")"

# A format a command does not write is refused, with the ones it does.
for c in explain models validate; do
    for f in csv markdown; do
        case $c in explain) args="trust $CASE" ;; models) args="" ;; *) args="$CASE" ;; esac
        # shellcheck disable=SC2086
        run 2 $c --format $f $args
        grep -q -- "--format $f is not written by $c; it writes table or json" "$tmp/err" \
            || fail "$c --format $f: $(cat "$tmp/err")"
        [ -s "$tmp/out" ] && fail "$c --format $f wrote output"
    done
done
run 2 sensitivity --format csv "$CASE"
grep -q "table, json or markdown" "$tmp/err" || fail "sensitivity --format csv: $(cat "$tmp/err")"

# --vary-parameters means nothing without draws.
run 2 evaluate --vary-parameters "$CASE"
grep -q -- "--vary-parameters.*--draws" "$tmp/err" || fail "vary without draws: $(cat "$tmp/err")"
run 0 evaluate --vary-parameters --draws 20 "$CASE"

# The model under study must exist: a usage error, and nothing is run.
run 2 evaluate --model "$tmp/nope.lua" "$CASE"
grep -q "nope.lua: cannot read model" "$tmp/err" || fail "missing --model: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "missing --model: something was evaluated"

# -o on every command that writes a document; -j on every one that scores.
run 0 validate -o "$tmp/v.json" -f json "$CASE"
jq -e '.valid | length == 1' "$tmp/v.json" >/dev/null 2>&1 || fail "validate -o: $(head -c 200 "$tmp/v.json")"
run 0 models -o "$tmp/m.txt"
grep -q '^commissioner ' "$tmp/m.txt" || fail "models -o wrote no table"
[ -s "$tmp/out" ] && fail "models -o also wrote to standard output"
run 0 sensitivity -j 1 -f json "$IMEVAL_ROOT"/datasets/cases/*.json
cp "$tmp/out" "$tmp/s1"
run 0 sensitivity -j 2 -f json "$IMEVAL_ROOT"/datasets/cases/*.json
cmp -s "$tmp/out" "$tmp/s1" || fail "sensitivity -j 2 differs from -j 1"
run 0 explain -j 2 trust "$CASE"

# -o that cannot be written fails first, not after the run.
run 2 evaluate -o "" "$CASE"
grep -q -- "-o: the file name is empty" "$tmp/err" || fail "-o '': $(cat "$tmp/err")"
mkdir "$tmp/dir"
run 2 evaluate -o "$tmp/dir" --draws 100000000 "$CASE"
grep -q -- "-o: .*dir is a directory" "$tmp/err" || fail "-o DIR: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "-o DIR: evaluated anyway"

# --seed takes a whole number: " -1" would otherwise be 2^64-1.
for s in " -1" "-1" " 5" "+5" ""; do
    run 2 evaluate --seed "$s" --draws 10 "$CASE"
done
run 0 evaluate --seed 18446744073709551615 --draws 10 "$CASE"

# Stopped by a signal: 128 + the signal, as a shell reports it.
for sig in TERM INT; do
    "$IMEVAL_BIN" synth --count 100000000 >/dev/null 2>"$tmp/err" &
    pid=$!
    sleep 1
    kill -$sig $pid
    wait $pid
    got=$?
    want=$([ $sig = TERM ] && echo 143 || echo 130)
    [ "$got" -eq "$want" ] || fail "SIG$sig: exit $got, expected $want"
done

# One form for every message (issue 9): "imeval COMMAND: what: why (hint)",
# on one line; a usage error exits 2 and ends with the command's --help.
# form STATUS COMMAND ARGS...: imeval COMMAND ARGS fails with STATUS and
# every stderr line has the form.
printf '{"format":"imeval-profile/1","id":"bad-1","name":"B","as_of":"2020","ofsted":{"grade":"good"},"ratings":{"acceptance":9}}\n' >"$tmp/bad.json"
printf 'a,b\n1,2\n' >"$tmp/garbage.csv"
form() {
    want=$1; sub=$2; shift 2
    timeout -k 5 120 "$IMEVAL_BIN" "$sub" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    what="imeval $sub $*"
    [ "$got" -eq "$want" ] || fail "$what: exit $got, expected $want: $(head -c 300 "$tmp/err")"
    [ -s "$tmp/err" ] || { fail "$what: no message"; return; }
    bad=$(grep -v "^imeval $sub\( [a-z-]*\)\?: [^ ]" "$tmp/err" | head -n 2)
    [ -z "$bad" ] || fail "$what: not \"imeval $sub: what: why\": $bad"
    if [ "$want" -eq 2 ]; then
        tail -n 1 "$tmp/err" | grep -q "[ (]see imeval $sub --help)\$" \
            || fail "$what: a usage error that does not end with (see imeval $sub --help): $(tail -n 1 "$tmp/err")"
    fi
}
for c in evaluate explain validate models sensitivity report synth new-model check-model \
         compare backtest partners allocate template register completion serve; do
    form 2 $c --bogus-option
done
form 2 evaluate
form 2 evaluate --draws many "$CASE"
form 2 evaluate --darws 10 "$CASE"
grep -q "did you mean --draws?" "$tmp/err" || fail "--darws: no did you mean: $(cat "$tmp/err")"
form 2 evaluate --format xml "$CASE"
form 2 evaluate --only trsut "$CASE"
grep -q "did you mean trust?" "$tmp/err" || fail "--only trsut: no did you mean: $(cat "$tmp/err")"
form 2 evaluate --set trust.nope=1 "$CASE"
form 2 evaluate --params "$tmp/nope.json" "$CASE"
form 2 evaluate --model "$tmp/nope.lua" "$CASE"
form 2 evaluate --no-bundled "$CASE"
form 2 evaluate -o "$tmp/no/such/dir/x.json" "$CASE"
form 2 evaluate --draws
form 1 evaluate "$tmp/bad.json"
form 1 evaluate "$tmp/nope.json" "$CASE"
form 1 evaluate "$tmp/garbage.csv"
form 2 explain
form 2 explain trsut "$CASE"
grep -q "did you mean trust?" "$tmp/err" || fail "explain trsut: no did you mean: $(cat "$tmp/err")"
form 1 explain trust "$tmp/bad.json"
form 2 validate
form 2 validate --format csv "$CASE"
form 1 validate "$tmp/bad.json"
form 1 validate "$tmp/nope.json"
form 2 models extra
form 2 models --format markdown
form 2 sensitivity
form 2 sensitivity --format csv "$CASE"
form 2 report
form 2 report --format csv "$CASE"
form 2 report --register "$tmp/r.db" "$CASE"
form 2 synth extra
form 2 synth --years 1-2
form 2 synth --count -1
form 2 new-model
form 2 new-model x --lang cobol
form 2 check-model
form 2 check-model --format csv x.lua
form 2 compare "$CASE"
form 2 backtest --format csv
form 1 backtest "$tmp/nope.tsv"
form 2 partners
form 2 allocate
form 1 allocate --partners "$tmp/nope.json" "$CASE"
form 2 register bogus
form 2 template extra
form 2 template --format markdown
form 2 version extra
# The top level: unknown commands, with the nearest.
timeout 60 "$IMEVAL_BIN" evalute >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "evalute: not a usage error"
grep -qx 'imeval: "evalute": unknown command (did you mean evaluate? see imeval --help)' "$tmp/err" \
    || fail "evalute: $(cat "$tmp/err")"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
