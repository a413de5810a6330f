#!/bin/sh
# Long streams run in flat memory.  Profiles are generated on the fly
# (tests/tools/gen_jsonl.c) and piped in, so nothing big touches the disk;
# tests/tools/maxrss.c measures the peak resident memory.
#   - validate: IMEVAL_STREAM_BYTES of JSON Lines (default 200 MB; `make
#     robust-1g` runs 1 GB), every profile counted, peak memory under
#     IMEVAL_STREAM_RSS_MB (default 64);
#   - evaluate: IMEVAL_STREAM_EVAL_BYTES (default 5 MB), every profile
#     scored by every model, same memory bound;
#   - bad input: 2 MB of "{}" lines (six errors each) through validate and
#     evaluate --format json, same memory bound (it used to take 1 GB).
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
BYTES=${IMEVAL_STREAM_BYTES:-200000000}
EVAL_BYTES=${IMEVAL_STREAM_EVAL_BYTES:-5000000}
RSS_MB=${IMEVAL_STREAM_RSS_MB:-64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
cc -O2 -o "$tmp/gen" "$IMEVAL_ROOT/tests/tools/gen_jsonl.c" || exit 1
cc -O2 -o "$tmp/maxrss" "$IMEVAL_ROOT/tests/tools/maxrss.c" || exit 1

check_rss() {
    kb=$(cat "$tmp/rss")
    echo "$1: peak RSS $((kb / 1024)) MiB"
    [ "$kb" -lt $((RSS_MB * 1024)) ] || fail "$1: peak RSS $kb KiB, over $RSS_MB MiB"
}

# validate: every profile read, memory flat.
n=$("$tmp/gen" "$BYTES" | wc -l)
start=$(date +%s)
"$tmp/gen" "$BYTES" | "$tmp/maxrss" "$tmp/rss" "$IMEVAL_BIN" validate -q - 2>"$tmp/err"
status=$?
echo "validate: $BYTES bytes, $n profiles, $(($(date +%s) - start)) s"
[ "$status" -eq 0 ] || { fail "validate stream: exit $status"; head -n 5 "$tmp/err"; }
grep -qx "imeval validate: $n valid, 0 invalid" "$tmp/err" || { fail "validate stream: not '$n valid'"; tail -n 3 "$tmp/err"; }
check_rss "validate $BYTES bytes"

# evaluate: every profile scored by every model.
n=$("$tmp/gen" "$EVAL_BYTES" | wc -l)
models=$("$IMEVAL_BIN" models --format json | grep -c '"isolated":')
"$tmp/gen" "$EVAL_BYTES" | "$tmp/maxrss" "$tmp/rss" "$IMEVAL_BIN" evaluate --format csv - \
    >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] || { fail "evaluate stream: exit $status"; head -n 5 "$tmp/err"; }
rows=$(tail -n +2 "$tmp/out" | wc -l)
[ "$rows" -eq $((n * models)) ] || fail "evaluate stream: $rows rows, expected $n x $models"
check_rss "evaluate $EVAL_BYTES bytes"

# A stream of bad profiles: messages are printed, not hoarded.
for args in "validate -" "evaluate --format json -"; do
    # shellcheck disable=SC2086
    yes '{}' | head -c 2000000 | "$tmp/maxrss" "$tmp/rss" "$IMEVAL_BIN" $args \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] || fail "bad stream ($args): exit $status, expected 1"
    lines=$(grep -c '^imeval [a-z]*: -: format: missing' "$tmp/err")
    [ "$lines" -eq 666667 ] || fail "bad stream ($args): $lines messages about format, expected 666667"
    check_rss "bad stream ($args)"
done
grep -q 'more errors were printed but are not listed here' "$tmp/out" \
    || fail "evaluate --format json: the errors list does not say it was cut"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
