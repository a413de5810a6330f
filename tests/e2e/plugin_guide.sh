#!/bin/sh
# The plugin guide works as it says.  Every "$ " line of its console blocks
# is run, in order, in a fresh directory holding the cases and the
# examples, with `imeval` this build; a line ending "# exits N" must exit
# N, every other must exit 0; every output line the guide shows after a
# command must be in that command's output ("..." stands for the rest of a
# line or for lines left out).  The edits of step 2 are the guide's own
# code blocks, applied where it says; its listings of docs/examples/ are
# those files.  Then the examples themselves: C and Lua give the same
# scores on every case, a parameter changes them as declared, and an
# out-of-range value is refused.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
ROOT=$(cd "$IMEVAL_ROOT" && pwd)
BIN=$(cd "$(dirname "$IMEVAL_BIN")" && pwd)/$(basename "$IMEVAL_BIN")
# The build tree (its pkgconfig/ directory), given by the caller when
# IMEVAL_BIN is a wrapper elsewhere (tests/valgrind.sh).
BUILD=${IMEVAL_BUILD:-$(dirname "$BIN")}
guide="$ROOT/docs/plugin-guide.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "plugin_guide: $*"; exit 1; }

# ---- the guide's blocks -----------------------------------------------------
# block N LANG: the Nth fenced block of that language, without its fences.
block() {
    awk -v want="$1" -v lang="$2" '
        /^```/ { if (inb) { inb = 0; next } if ($0 == "```" lang) { n++; inb = (n == want); next } }
        inb { print }' "$guide"
}
block 1 c >"$tmp/listing.c"
diff "$tmp/listing.c" "$ROOT/docs/examples/acceptance.c" >/dev/null \
    || fail "the guide's C listing is not docs/examples/acceptance.c"
block 4 lua >"$tmp/listing.lua"
diff "$tmp/listing.lua" "$ROOT/docs/examples/acceptance.lua" >/dev/null \
    || fail "the guide's Lua listing is not docs/examples/acceptance.lua"
block 1 lua >"$tmp/edit-param.lua"
block 2 lua >"$tmp/edit-term.lua"
block 3 lua >"$tmp/edit-direction.lua"
grep -q 'failure_extent = "-",' "$tmp/edit-direction.lua" || fail "step 3's direction edit moved"
grep -q '`default = 25` for `base`' "$guide" || fail "step 5's default edit moved"

# ---- the working directory a reader has -----------------------------------
w="$tmp/w"
mkdir -p "$w/docs" "$tmp/bin"
ln -s "$ROOT/datasets" "$w/datasets"
cp -r "$ROOT/docs/examples" "$w/docs/examples"
chmod -R go-w "$w"
ln -s "$BIN" "$tmp/bin/imeval"
export PATH="$tmp/bin:$PATH"
export PKG_CONFIG_PATH="$BUILD/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

# The edits, applied before the command that needs them.
checks=0
edit_before() {
    case "$1" in
    *"check-model deep_failure/deep_failure.lua"*)
        checks=$((checks + 1))
        f="$w/deep_failure/deep_failure.lua"
        if [ $checks -eq 1 ]; then   # step 2: the parameter and the term
            awk -v pf="$tmp/edit-param.lua" -v tf="$tmp/edit-term.lua" '
                /\{ name = "min_acceptance"/ { while ((getline l < pf) > 0) print l; np++ }
                /^    local unmet = nil/ { while ((getline l < tf) > 0) print l; nt++ }
                { print }
                END { if (np != 1 || nt != 1) exit 1 }' "$f" >"$f.new" \
                || fail "step 2's anchors are not in the scaffold"
            printf '\n' >>"$f.new"
        else                         # step 3: the direction
            sed 's/failure_extent = "0"/failure_extent = "-"/' "$f" >"$f.new"
        fi
        mv "$f.new" "$f"
        chmod 644 "$f"
        ;;
    *"deep_failure/expected.tsv"*)  # step 5: the default chosen
        f="$w/deep_failure/deep_failure.lua"
        sed 's/{ name = "base", default = 50,/{ name = "base", default = 25,/' "$f" >"$f.new"
        mv "$f.new" "$f"
        chmod 644 "$f"
        grep -q 'name = "base", default = 25' "$f" || fail "the base default is not in the scaffold"
        ;;
    esac
}

# Commands and the output shown after each: "C<tab>command<tab>status" and
# "O<tab>line" records, in order.
awk '
    /^```console$/ { inb = 1; next }
    /^```/ { inb = 0; next }
    inb && /^\$ / {
        cmd = substr($0, 3); want = 0
        if (match(cmd, /   # exits [0-9]+$/)) {
            want = substr(cmd, RSTART + 11) + 0; cmd = substr(cmd, 1, RSTART - 1)
        }
        print "C\t" cmd "\t" want; next
    }
    inb && $0 != "..." { print "O\t" $0 }' "$guide" >"$tmp/script"
[ "$(grep -c '^C' "$tmp/script")" -ge 15 ] || fail "fewer commands in the guide than expected"

n=0
check_output() {  # the shown line $1 must be in the output of command $n
    line=$1
    case "$line" in
    *...*) prefix=${line%%...*}
           awk -v p="$prefix" 'index($0, p) == 1 { found = 1 } END { exit !found }' "$tmp/out.$n" ;;
    *) grep -qxF -- "$line" "$tmp/out.$n" ;;
    esac || { echo "--- output of: $cmd"; cat "$tmp/out.$n"; fail "the guide shows a line it does not print: $line"; }
}
while IFS="$(printf '\t')" read -r kind a b; do
    if [ "$kind" = O ]; then
        check_output "$a"
        continue
    fi
    n=$((n + 1))
    cmd=$a
    edit_before "$cmd"
    status=0
    (cd "$w" && sh -c "$cmd") >"$tmp/out.$n" 2>&1 || status=$?
    [ "$status" -eq "$b" ] || { cat "$tmp/out.$n"; fail "\"$cmd\" exited $status, the guide says $b"; }
done <"$tmp/script"
[ -s "$w/recent-compare.json" ] || fail "the bulk compare wrote nothing"

# ---- the examples, as before ---------------------------------------------
cd "$w"
cc -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -fvisibility=hidden \
   $(pkg-config --cflags imeval-plugin) docs/examples/acceptance.c -o "$tmp/acceptance.so"
cp docs/examples/acceptance.lua "$tmp/"
chmod 644 "$tmp"/acceptance.*
run() {
    # A generous --timeout: the C example runs isolated, and a loaded machine
    # or a sanitizer build can make one call slow; speed is not tested here.
    imeval evaluate --no-bundled --timeout 30 --model "$tmp/acceptance.so" --model "$tmp/acceptance.lua" \
        --format csv "$@" datasets/cases/*.json
}
run >"$tmp/out.csv"
# Same score from both languages for every profile (columns: profile,...,model,rank,score).
c=$(awk -F, '$3=="acceptance_c"{print $1, $5, $7}' "$tmp/out.csv" | sort)
l=$(awk -F, '$3=="acceptance_lua"{print $1, $5, $7}' "$tmp/out.csv" | sort)
[ -n "$c" ] || fail "no rows from the C example"
[ "$c" = "$l" ] || { echo "$c"; echo "$l"; fail "C and Lua examples disagree"; }
# Isle of Wight has acceptance 3: 50 + 10 * (3 - 2) = 60.
echo "$c" | grep -q '^isle-of-wight-2013 60.0 true$' || fail "unexpected IoW score: $c"
# A parameter changes the score as declared: weight 20 gives 70.
run --set acceptance_c.weight=20 | grep -q '^isle-of-wight-2013,2013-02,acceptance_c,[12],70.0,' \
    || fail "--set did not take effect"
# Out of range is refused with exit 2.
status=0
imeval models --no-bundled --model "$tmp/acceptance.lua" --set acceptance_lua.weight=99 2>"$tmp/err" \
    || status=$?
[ "$status" -eq 2 ] || fail "out-of-range --set: exit $status"
grep -q 'outside its range 0..25' "$tmp/err" || { cat "$tmp/err"; fail "out-of-range message"; }
# Both examples pass the conformance check.
imeval check-model --profiles 300 "$tmp/acceptance.so" >/dev/null || fail "acceptance.c fails check-model"
imeval check-model --profiles 300 "$tmp/acceptance.lua" >/dev/null || fail "acceptance.lua fails check-model"
echo ok
