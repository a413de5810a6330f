#!/bin/sh
# The robustness passes that .ci/run runs after `make check`:
#   make asan      the whole suite under AddressSanitizer + UBSan;
#   make valgrind  the end-to-end runs under memcheck, zero errors and leaks;
#   make fuzz      each libFuzzer harness for FUZZ_SECONDS (default 30).
# Each pass runs even when one before it failed (a failing sanitizer run
# must not hide what valgrind and the fuzzers say); the script fails when
# any did, and ends with one line per pass and its time.  Installs clang
# (with its sanitizer and libFuzzer runtimes) and valgrind first when they
# are missing.
set -u
cd "$(dirname "$0")/.."
missing=""
for p in clang libclang-rt-dev valgrind; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
failed=0
report=""
pass() {
    name=$1
    shift
    echo "== $name"
    t0=$(date +%s)
    "$@"
    rc=$?
    secs=$(( $(date +%s) - t0 ))
    if [ "$rc" -eq 0 ]; then
        report="$report
ok   $name ($secs s)"
    else
        report="$report
FAIL $name (exit $rc, $secs s)"
        failed=$((failed + 1))
    fi
}
pass "make asan" make asan
pass "make valgrind" make valgrind
pass "make fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-30}" make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
echo "== robustness passes:$report"
if [ "$failed" -ne 0 ]; then
    echo "robustness passes: $failed failed"
    exit 1
fi
echo "robustness passes: ok"
