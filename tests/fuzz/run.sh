#!/bin/sh
# Run each libFuzzer harness for SECONDS from its seed corpus; fail when any
# finds a crash, a leak, a sanitizer report or a broken property.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS HARNESS...
set -u
BUILD=$1
SECONDS_EACH=$2
shift 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
status=0
for h in "$@"; do
    bin="$BUILD/fuzz/$h"
    out="$ROOT/tests/fuzz/corpus-out/$h"
    mkdir -p "$out"
    dict=""
    [ -f "$ROOT/tests/fuzz/$h.dict" ] && dict="-dict=$ROOT/tests/fuzz/$h.dict"
    log="$BUILD/fuzz/$h.log"
    extra=""
    if [ "$h" = fuzz_lua_result ]; then
        # Whole-script seeds (mode byte 1) made from the bundled Lua models
        # at run time, rather than kept as copies that drift from them.
        extra="$BUILD/fuzz/seeds-models"
        mkdir -p "$extra"
        for m in "$ROOT"/models/*.lua; do
            { printf 1; cat "$m"; } >"$extra/script_$(basename "$m")"
        done
    fi
    echo "== $h: $SECONDS_EACH s"
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/$h-" $dict \
        "$out" "$ROOT/tests/fuzz/corpus/$h" $extra >"$log" 2>&1
    rc=$?
    grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb' "$log" | sed 's/^/   /'
    if [ "$rc" -ne 0 ]; then
        echo "   FAILED (exit $rc): see $log"
        grep -E 'ERROR|SUMMARY|fuzz property|Test unit written' "$log" | head -n 10 | sed 's/^/   /'
        status=1
    fi
done
exit $status
