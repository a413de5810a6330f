#!/bin/sh
# serve.sh - `make bench` section 8: the what-if server (imeval serve)
# over real HTTP on loopback: the latency of one rating change as the page
# sends it (POST /api/evaluate, a new rating each time, one keep-alive
# connection), plain and with 2,000 draws, with the server's CPU per
# request beside the wall-clock median; then 32 concurrent clients for
# 30 s of mixed requests (tests/e2e/serve_load.sh asserts on the same
# load; here only figures).  Prints; asserts nothing.
# usage: bench/serve.sh IMEVAL ROOT WORKDIR
set -eu
IMEVAL_BIN=$1
ROOT=$2
tmp=$3
mkdir -p "$tmp"
. "$ROOT/tests/serve-lib.sh"
trap 'serve_kill' EXIT
trap 'exit 1' INT TERM
cc -O2 -o "$tmp/httpc" "$ROOT/tests/tools/httpc.c" -lpthread
jq -c '.ratings.political_commitment = "@R@" | {profile: ., draws: "@D@"}' \
    "$ROOT/datasets/cases/doncaster-2013.json" | sed 's/"@R@"/@R@/; s/"@D@"/@D@/' >"$tmp/tpl.json"
serve_start "$ROOT/datasets/cases/doncaster-2013.json"
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{ print ($14 + $15) / t }' "/proc/$SERVE_PID/stat"; }
"$tmp/httpc" latency "$PORT" "$TOKEN" 20 "$tmp/tpl.json" 0 >/dev/null   # warm the workers
for spec in "0 300" "2000 60"; do
    set -- $spec
    c0=$(cpu)
    out=$("$tmp/httpc" latency "$PORT" "$TOKEN" "$2" "$tmp/tpl.json" "$1")
    c1=$(cpu)
    med=$(echo "$out" | jq .median_ms)
    p90=$(echo "$out" | jq .p90_ms)
    per=$(awk -v a="$c0" -v b="$c1" -v n="$2" 'BEGIN { printf "%.1f", (b - a) / n * 1000 }')
    target=$([ "$1" = 0 ] && echo 50 || echo 300)
    printf "   one rating change, %4s draws: median %6.1f ms wall (p90 %.1f), server CPU %5.1f ms a request; target < %s ms (%s requests)\n" \
        "$1" "$med" "$p90" "$per" "$target" "$2"
done
rss0=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVE_PID/status")
c0=$(cpu)
out=$("$tmp/httpc" load "$PORT" "$TOKEN" 32 30 "$tmp/tpl.json" || true)
c1=$(cpu)
rss1=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVE_PID/status")
echo "$out" | jq -r --arg c "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')" \
    --arg r0 "$rss0" --arg r1 "$rss1" \
    '"   32 clients x 30 s, mixed: \(.requests) requests, \(.errors) errors, \(.rps) req/s, median \(.median_ms) ms, p99 \(.p99_ms) ms; server CPU \($c) s; RSS \($r0) kB before, \($r1) kB after"'
serve_stop
