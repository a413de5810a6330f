#!/bin/sh
# checksrc.sh - the source rules of STYLE.md that a machine can keep
# (`make checksrc`, run by `make check`).  Prints FILE:LINE: rule for each
# breach and exits 1 when there is any.
#   1. No sprintf, strcpy, strcat, strtok, atoi or gets: each has a bounded
#      or checked replacement (snprintf, memcpy with a length, strtok_r,
#      strtol with an end pointer, fgets).
#   2. No static of ours in Lua's own lua_ namespace (lua_*, luaL_*):
#      a reader cannot tell it from lua.h.
#   3. The command and the bench include no engine header but imeval.h:
#      everything else in core/ is private.
# usage: tools/checksrc.sh [ROOT]
set -u
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The shipped code; tests may use the banned functions on fixed inputs.
# bench/limit.c is issue 16's reference floor, kept byte-for-byte as given.
src=$(find core plugins cli models bench docs/examples -name '*.[ch]' 2>/dev/null |
      grep -v '^bench/limit\.c$' | sort)

# Code only: comments and string literals are blanked first, so a
# comment may name what it avoids.
code() {
    awk '{
        out = ""; i = 1; n = length($0)
        while (i <= n) {
            c = substr($0, i, 1); d = substr($0, i, 2)
            if (incom) { if (d == "*/") { incom = 0; i += 2 } else i++; continue }
            if (d == "/*") { incom = 1; i += 2; continue }
            if (d == "//") break
            if (c == "\"" || c == "\047") {
                q = c; i++
                while (i <= n && substr($0, i, 1) != q) i += substr($0, i, 1) == "\\" ? 2 : 1
                i++; out = out q q; continue
            }
            out = out c; i++
        }
        print FILENAME ":" FNR ":" out
    }' "$@"
}

# shellcheck disable=SC2086
code $src | grep -E '[^_a-zA-Z0-9.>](sprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\(' |
    sed -E 's/^([^:]+:[0-9]+):.*[^_a-zA-Z0-9.>](sprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\(.*/\1: \2 is banned (use snprintf, memcpy, strtok_r, strtol, fgets)/' >>"$out"

# shellcheck disable=SC2086
grep -nE '^static[^=;(]*[^_a-zA-Z0-9](lua_|luaL_)[a-zA-Z0-9_]*[[:space:]]*\(|^[[:space:]]*}[[:space:]]*lua_[a-zA-Z0-9_]*;|^typedef[^;]*[[:space:]]lua_[a-zA-Z0-9_]*;' \
    $src /dev/null |
    sed -E 's/^([^:]+:[0-9]+):.*/\1: a name of ours in Lua'"'"'s lua_ namespace (rename it, e.g. lh_)/' >>"$out"

# core/'s headers other than imeval.h are private to the engine.
private=$(cd core 2>/dev/null && ls ./*.h 2>/dev/null | sed 's|^\./||' | grep -vx 'imeval.h' | tr '\n' '|')
private=${private%|}
for f in $(echo "$src" | grep -E '^(cli|bench)/'); do
    [ -n "$private" ] || break
    grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*/)?('"$private"')"' "$f" |
        sed -E "s|^([0-9]+):.*\"([^\"]+)\".*|$f:\\1: includes \\2: outside core/ include only imeval.h of the engine|" >>"$out"
done

if [ -s "$out" ]; then
    cat "$out"
    echo "checksrc: $(wc -l <"$out") problem(s)"
    exit 1
fi
echo "checksrc: ok"
