#!/bin/sh
# imeval serve under load, bounded in time: 32 concurrent keep-alive
# clients for 30 s (IMEVAL_SERVE_LOAD_SECONDS) of mixed requests
# (tests/tools/httpc.c load: session, profiles, evaluate plain and with
# 200 draws, sensitivity, each with another rating) over real HTTP on
# loopback.  Asserts what must hold on any machine: no request fails, and
# resident memory after the run is within a generous bound of memory
# after a warm-up (flat: no leak per request).  It prints throughput,
# median and p99 latency but asserts no timing (docs/performance.md has
# the figures; bench/serve.sh the latency of one change).
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
SECS=${IMEVAL_SERVE_LOAD_SECONDS:-30}
tmp=$(mktemp -d)
. "$IMEVAL_ROOT/tests/serve-lib.sh"
trap 'serve_kill; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
cc -O2 -o "$tmp/httpc" "$IMEVAL_ROOT/tests/tools/httpc.c" -lpthread || { echo "FAIL: cannot build httpc"; exit 1; }
jq -c '.ratings.political_commitment = "@R@" | {profile: ., draws: "@D@"}' \
    "$IMEVAL_ROOT/datasets/cases/doncaster-2013.json" | sed 's/"@R@"/@R@/; s/"@D@"/@D@/' >"$tmp/tpl.json"
serve_start "$IMEVAL_ROOT/datasets/cases/doncaster-2013.json" || { echo "FAIL: imeval serve did not start"; exit 1; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVE_PID/status"; }
"$tmp/httpc" load "$PORT" "$TOKEN" 32 3 "$tmp/tpl.json" >"$tmp/warm" || { echo "FAIL: warm-up: $(cat "$tmp/warm")"; exit 1; }
before=$(rss)
"$tmp/httpc" load "$PORT" "$TOKEN" 32 "$SECS" "$tmp/tpl.json" >"$tmp/load"
st=$?
after=$(rss)
echo "load: $(cat "$tmp/load")"
echo "rss: ${before} kB after warm-up, ${after} kB after ${SECS} s"
failures=0
[ $st -eq 0 ] || { echo "FAIL: requests failed under load: $(cat "$tmp/load")"; failures=1; }
[ "$(jq .errors "$tmp/load")" = 0 ] || { echo "FAIL: errors under load"; failures=1; }
# flat: generous (allocator caches, thread stacks and, under ASan, its
# quarantine vary): 64 MiB or a quarter of the warm figure, whichever is
# more; a leak of a result document a request passes that within the run
allow=$((before / 4))
[ "$allow" -lt 65536 ] && allow=65536
[ "$after" -le $((before + allow)) ] || { echo "FAIL: memory grew from $before to $after kB"; failures=1; }
serve_stop || { echo "FAIL: serve did not stop cleanly after the load"; failures=1; }
[ $failures -eq 0 ] && echo "serve_load: ok"
exit $failures
