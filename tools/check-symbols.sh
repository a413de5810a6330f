#!/bin/sh
# check-symbols.sh - every symbol libimeval.a defines for other objects
# starts with imv_ (`make check-symbols`, run by `make check`): anything
# else would collide with an application's or a plugin's names.
# usage: tools/check-symbols.sh LIBRARY
set -u
lib=${1:?usage: check-symbols.sh build/libimeval.a}
[ -f "$lib" ] || { echo "check-symbols: $lib does not exist (run make first)"; exit 2; }
# Sanitizer builds add their own globals beside ours (__odr_asan.imv_x for
# every global imv_x under ASan): those are the compiler's, not the API.
tool='^__(odr_asan|asan_|ubsan_|sancov|sanitizer)'
bad=$(nm -g --defined-only "$lib" | awk -v tool="$tool" \
      'NF == 3 && $3 !~ /^imv_/ && $3 !~ tool { print $3 }' | sort -u)
if [ -n "$bad" ]; then
    echo "$bad" | sed 's/^/check-symbols: exported without the imv_ prefix: /'
    echo "check-symbols: make it static, or name it imv_..."
    exit 1
fi
n=$(nm -g --defined-only "$lib" | awk -v tool="$tool" 'NF == 3 && $3 !~ tool' | wc -l)
echo "check-symbols: ok ($n symbols, all imv_)"
