#!/bin/sh
# check-symbols.sh - every symbol libimeval.a defines for other objects
# starts with imv_ (`make check-symbols`, run by `make check`): anything
# else would collide with an application's or a plugin's names.
# usage: tools/check-symbols.sh LIBRARY
set -u
lib=${1:?usage: check-symbols.sh build/libimeval.a}
[ -f "$lib" ] || { echo "check-symbols: $lib does not exist (run make first)"; exit 2; }
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 && $3 !~ /^imv_/ { print $3 }' | sort -u)
if [ -n "$bad" ]; then
    echo "$bad" | sed 's/^/check-symbols: exported without the imv_ prefix: /'
    echo "check-symbols: make it static, or name it imv_..."
    exit 1
fi
echo "check-symbols: ok ($(nm -g --defined-only "$lib" | awk 'NF == 3' | wc -l) symbols, all imv_)"
