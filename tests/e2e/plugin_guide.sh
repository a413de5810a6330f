#!/bin/sh
# The plugin guide's examples work as the guide says: the C example builds
# with the documented command, both load with --model, they agree with each
# other on every case profile, and their parameters can be set.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -fvisibility=hidden \
   -I"$IMEVAL_ROOT/plugins" "$IMEVAL_ROOT/docs/examples/acceptance.c" -o "$tmp/acceptance.so"
cp "$IMEVAL_ROOT/docs/examples/acceptance.lua" "$tmp/"
chmod 644 "$tmp"/*; chmod 755 "$tmp"
run() {
    # A generous --timeout: the C example runs isolated, and a loaded machine
    # or a sanitizer build can make one call slow; speed is not tested here.
    "$IMEVAL_BIN" evaluate --no-bundled --timeout 30 --model "$tmp/acceptance.so" --model "$tmp/acceptance.lua" \
        --format csv "$@" "$IMEVAL_ROOT"/datasets/cases/*.json
}
run > "$tmp/out.csv"
# Same score from both languages for every profile (columns: profile,...,model,rank,score).
c=$(awk -F, '$3=="acceptance_c"{print $1, $5, $7}' "$tmp/out.csv" | sort)
l=$(awk -F, '$3=="acceptance_lua"{print $1, $5, $7}' "$tmp/out.csv" | sort)
[ -n "$c" ] || { echo "no rows from the C example"; exit 1; }
[ "$c" = "$l" ] || { echo "C and Lua examples disagree:"; echo "$c"; echo "$l"; exit 1; }
# Isle of Wight has acceptance 3: 50 + 10 * (3 - 2) = 60.
echo "$c" | grep -q '^isle-of-wight-2013 60.0 true$' || { echo "unexpected IoW score: $c"; exit 1; }
# A parameter changes the score as declared: weight 20 gives 70.
run --set acceptance_c.weight=20 | grep -q '^isle-of-wight-2013,2013-02,acceptance_c,[12],70.0,' \
    || { echo "--set did not take effect"; exit 1; }
# Out of range is refused with exit 2.
if "$IMEVAL_BIN" models --no-bundled --model "$tmp/acceptance.lua" --set acceptance_lua.weight=99 2>"$tmp/err"; then
    echo "out-of-range --set accepted"; exit 1
fi
grep -q 'outside its range 0..25' "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo ok
