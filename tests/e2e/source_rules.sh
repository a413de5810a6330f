#!/bin/sh
# The machine-kept source rules catch what they are for: tools/checksrc.sh
# finds each banned function, a static in Lua's lua_ namespace and a
# private header included from cli/ or bench/, with file and line, and
# passes clean code; tools/check-symbols.sh refuses a library that exports
# a name without imv_.  (make check runs both on the real tree.)
set -eu
: "${IMEVAL_ROOT:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/core" "$tmp/cli" "$tmp/plugins" "$tmp/bench"
: > "$tmp/core/imeval.h"
: > "$tmp/core/internal.h"
cat > "$tmp/core/good.c" <<'C'
#include <stdio.h>
#include "internal.h"
static int lh_ok(void) { char b[8]; return snprintf(b, sizeof b, "%d", 1); } /* not sprintf( */
C
cat > "$tmp/cli/good.c" <<'C'
#include "cli.h"
#include "imeval.h"
#include "register.h"
C
sh "$IMEVAL_ROOT/tools/checksrc.sh" "$tmp" > "$tmp/out" || { echo "clean tree refused:"; cat "$tmp/out"; exit 1; }

n=0
for f in sprintf strcpy strcat strtok atoi gets; do
    n=$((n + 1))
    printf 'void f%d(char *a) { %s(a, "x"); }\n' "$n" "$f" >> "$tmp/core/bad.c"
done
printf 'static void lua_score(void)\n{\n}\n' > "$tmp/plugins/host.c"
printf '#include "imeval.h"\n#include "internal.h"\n' > "$tmp/bench/b.c"
if sh "$IMEVAL_ROOT/tools/checksrc.sh" "$tmp" > "$tmp/out"; then
    echo "checksrc passed a tree with planted breaches"; cat "$tmp/out"; exit 1
fi
line=0
for f in sprintf strcpy strcat strtok atoi gets; do
    line=$((line + 1))
    grep -q "^core/bad.c:$line: $f is banned" "$tmp/out" || { echo "missed $f:"; cat "$tmp/out"; exit 1; }
done
grep -q "^plugins/host.c:1: a name of ours in Lua's lua_ namespace" "$tmp/out" \
    || { echo "missed lua_score:"; cat "$tmp/out"; exit 1; }
grep -q '^bench/b.c:2: includes internal.h' "$tmp/out" || { echo "missed internal.h:"; cat "$tmp/out"; exit 1; }
grep -q 'core/good.c\|cli/good.c\|bench/b.c:1:' "$tmp/out" && { echo "false alarm:"; cat "$tmp/out"; exit 1; }
grep -q '^checksrc: 8 problem(s)$' "$tmp/out" || { echo "wrong count:"; cat "$tmp/out"; exit 1; }

printf 'int imv_fine(void) { return 1; }\n' > "$tmp/ok.c"
printf 'int imv_fine2(void) { return 1; }\nint helper(void) { return 2; }\n' > "$tmp/bad.c"
cc -c "$tmp/ok.c" -o "$tmp/ok.o" && cc -c "$tmp/bad.c" -o "$tmp/bad.o"
ar rcs "$tmp/ok.a" "$tmp/ok.o" && ar rcs "$tmp/bad.a" "$tmp/ok.o" "$tmp/bad.o"
sh "$IMEVAL_ROOT/tools/check-symbols.sh" "$tmp/ok.a" > "$tmp/out" || { echo "clean library refused"; cat "$tmp/out"; exit 1; }
if sh "$IMEVAL_ROOT/tools/check-symbols.sh" "$tmp/bad.a" > "$tmp/out"; then
    echo "check-symbols passed a library exporting helper"; exit 1
fi
grep -q 'exported without the imv_ prefix: helper$' "$tmp/out" || { echo "did not name helper:"; cat "$tmp/out"; exit 1; }
