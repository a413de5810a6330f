#!/bin/sh
# The README's examples run as written (issue 9): every command shown as
# "$ build/imeval ..." in a ``` block, and the command of the first
# indented example (after "make && "), is run from the top of the tree.  It
# must exit 0, and where the README shows its output, the output (standard
# output and error, as a terminal shows them) must match it line for line;
# a line "..." (indented or not) stands for any number of lines, and "..."
# within a line for any text.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
cd "$IMEVAL_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
bin=$(cd "$(dirname "$IMEVAL_BIN")" && pwd)/$(basename "$IMEVAL_BIN")

# Split README.md into $tmp/cmd.N (the command) and $tmp/want.N (its shown
# output, possibly empty).
awk -v dir="$tmp" '
    /^```/ { inblock = !inblock; n_open = 0; next }
    inblock && /^\$ build\/imeval / {
        n++; cmd = substr($0, 3); print cmd > (dir "/cmd." n); close(dir "/cmd." n)
        printf "" > (dir "/want." n); n_open = 1; next
    }
    inblock && /^\$ / { n_open = 0; next }
    inblock && n_open { print > (dir "/want." n); next }
    !inblock && /^    make && build\/imeval / {
        n++; cmd = $0; sub(/^    make && /, "", cmd); print cmd > (dir "/cmd." n)
        close(dir "/cmd." n); printf "" > (dir "/want." n)
    }
    END { print n + 0 > (dir "/count") }
' README.md
count=$(cat "$tmp/count")
[ "$count" -ge 3 ] || fail "only $count examples found in README.md"

# match WANT GOT: 0 when GOT is WANT with each "..." line standing for any
# number of lines.
match() {
    awk -v wantf="$1" '
        BEGIN { while ((getline l < wantf) > 0) { w[++nw] = l } }
        { g[++ng] = $0 }
        function el(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s == "..." }
        # a line equal to the shown one, where "..." inside it is any text
        function lm(a, b,   r) {
            if (index(a, "...") == 0) return a == b
            r = a
            gsub(/[][\\^$.|?*+(){}]/, "\\\\&", r)
            gsub(/\\\.\\\.\\\./, ".*", r)
            return b ~ ("^" r "$")
        }
        # can w[i..] match g[j..]?
        function m(i, j,   k) {
            if (i > nw) return j > ng
            if (el(w[i])) { for (k = j; k <= ng + 1; k++) if (m(i + 1, k)) return 1; return 0 }
            if (j > ng || !lm(w[i], g[j])) return 0
            return m(i + 1, j + 1)
        }
        END { exit m(1, 1) ? 0 : 1 }
    ' "$2"
}

i=1
while [ "$i" -le "$count" ]; do
    cmd=$(cat "$tmp/cmd.$i")
    run=$(printf '%s' "$cmd" | sed "s|build/imeval|$bin|g")
    timeout -k 5 600 sh -c "$run" >"$tmp/got.$i" 2>&1
    status=$?
    [ "$status" -eq 0 ] || fail "README: \$ $cmd: exit $status: $(head -c 300 "$tmp/got.$i")"
    [ -s "$tmp/got.$i" ] || fail "README: \$ $cmd: no output"
    if [ -s "$tmp/want.$i" ] && ! match "$tmp/want.$i" "$tmp/got.$i"; then
        fail "README: \$ $cmd: the output differs from the README's:"
        diff "$tmp/want.$i" "$tmp/got.$i" | head -n 20 | sed 's/^/    /'
    fi
    i=$((i + 1))
done
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
