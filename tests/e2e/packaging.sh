#!/bin/sh
# Packaging as a researcher meets it: the man pages render without a groff
# warning; `make install DESTDIR=...` puts the program, models, SDK headers,
# pkg-config file, examples, case outcomes and man pages where they belong;
# `pkg-config --cflags --libs imeval-plugin` then works and a plugin builds
# with it; the build tree's imeval-plugin-uninstalled.pc points at the
# source headers; `make uninstall` leaves no file behind.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
ROOT=$(cd "$IMEVAL_ROOT" && pwd)
BUILD=$(cd "$(dirname "$IMEVAL_BIN")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "packaging: $*"; exit 1; }

# 1. Man pages: groff -ww prints every warning; there must be none.
for page in "$ROOT"/docs/man/*.[1-8]; do
    groff -man -Tutf8 -ww -z "$page" 2>"$tmp/warn" || fail "groff failed on $page"
    [ -s "$tmp/warn" ] && { cat "$tmp/warn"; fail "groff warnings in $page"; }
    MANWIDTH=80 man -l "$page" >"$tmp/page" 2>"$tmp/warn" || fail "man -l failed on $page"
    grep -q '^NAME' "$tmp/page" || fail "$page renders without a NAME section"
done
# Every command `imeval --help` lists has its section in imeval(1).
cmds=$("$IMEVAL_BIN" --help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
[ "$(echo "$cmds" | wc -w)" -ge 10 ] || fail "imeval --help lists too few commands: $cmds"
for cmd in $cmds; do
    grep -q "^\.SS \"$cmd" "$ROOT/docs/man/imeval.1" \
        || fail "imeval.1 has no section for $cmd (add a .SS \"$cmd ...\" in docs/man/imeval.1)"
done

# 2. Install into a staging directory.
stage="$tmp/stage"
make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$stage" PREFIX=/usr/local install >"$tmp/log" 2>&1 \
    || { cat "$tmp/log"; fail "make install failed"; }
p="$stage/usr/local"
for f in bin/imeval libexec/imeval/imeval-luajit include/imeval/imeval_plugin.h lib/pkgconfig/imeval-plugin.pc \
         share/man/man1/imeval.1 share/man/man3/imeval_plugin.3 share/bash-completion/completions/imeval \
         share/doc/imeval/plugin-guide.md share/doc/imeval/examples/acceptance.c \
         share/doc/imeval/examples/acceptance.lua share/imeval/datasets/cases/expected.tsv \
         share/imeval/datasets/cases/isle-of-wight-2013.json lib/imeval/models/trust.lua lib/imeval/models/commissioner.so; do
    [ -f "$p/$f" ] || fail "make install did not install $f"
done
[ -x "$p/bin/imeval" ] || fail "installed imeval is not executable"
[ -x "$p/libexec/imeval/imeval-luajit" ] || fail "installed imeval-luajit is not executable"
if [ -f "$ROOT/plugins/imeval_aux.h" ]; then
    [ -f "$p/include/imeval/imeval_aux.h" ] || fail "imeval_aux.h not installed"
fi

# 3. pkg-config finds the installed SDK (a staged tree: the sysroot is the
#    stage) and a plugin builds with what it says, nothing else.
flags=$(PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$p/lib/pkgconfig" \
        pkg-config --cflags --libs imeval-plugin) || fail "pkg-config does not find imeval-plugin"
[ "$(echo $flags)" = "-I$p/include/imeval" ] || fail "pkg-config gave \"$flags\""
[ "$(PKG_CONFIG_PATH="$p/lib/pkgconfig" pkg-config --modversion imeval-plugin)" = \
  "$("$IMEVAL_BIN" --version | sed 's/^imeval \([^ ]*\).*/\1/')" ] || fail "pc version differs from imeval's"
cc -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -fvisibility=hidden $flags \
   "$p/share/doc/imeval/examples/acceptance.c" -o "$tmp/acceptance.so" \
    || fail "the installed example does not build with pkg-config's flags"
chmod 644 "$tmp/acceptance.so"
# The installed program runs its installed models and the plugin.
"$p/bin/imeval" evaluate --timeout 30 --model "$tmp/acceptance.so" --format csv \
    "$p/share/imeval/datasets/cases/isle-of-wight-2013.json" >"$tmp/out.csv" \
    || fail "the installed imeval does not evaluate"
grep -q '^isle-of-wight-2013,2013-02,acceptance_c,' "$tmp/out.csv" || fail "plugin not scored"
grep -q ',trust,' "$tmp/out.csv" || fail "installed bundled models not found"
# The installed backtest finds the installed case outcomes and their profiles.
"$p/bin/imeval" backtest >"$tmp/bt.txt" 2>&1 || { cat "$tmp/bt.txt"; fail "installed backtest failed"; }
grep -q 'agrees with the record on \([0-9][0-9]*\) of \1 cases' "$tmp/bt.txt" || { cat "$tmp/bt.txt"; fail "installed backtest"; }

# 4. Before installation: the build tree's uninstalled .pc names the source headers.
flags=$(PKG_CONFIG_PATH="$BUILD/pkgconfig" pkg-config --cflags imeval-plugin)
[ "$(echo $flags)" = "-I$ROOT/plugins" ] || fail "uninstalled pc gave \"$flags\""

# 5. Uninstall: no file left, and none of imeval's own directories.
make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$stage" PREFIX=/usr/local uninstall >"$tmp/log" 2>&1 \
    || { cat "$tmp/log"; fail "make uninstall failed"; }
left=$(find "$stage" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
left=$(find "$stage" -name '*imeval*')
[ -z "$left" ] || fail "make uninstall left directories: $left"
echo ok
