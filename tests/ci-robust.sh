#!/bin/sh
# The robustness passes that .ci/run runs after `make check`:
#   make asan      the whole suite under AddressSanitizer + UBSan;
#   make valgrind  the end-to-end runs under memcheck, zero errors and leaks;
#   make fuzz      each libFuzzer harness for FUZZ_SECONDS (default 30).
# Any failure fails the script.  Installs clang (with its sanitizer and
# libFuzzer runtimes) and valgrind first when they are missing.
set -eu
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
echo "== make asan"
make asan
echo "== make valgrind"
make valgrind
echo "== make fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-30}"
make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
echo "robustness passes: ok"
