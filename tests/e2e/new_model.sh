#!/bin/sh
# imeval new-model as a newcomer uses it: scaffold a C and a Lua model in an
# empty directory; the C one builds with its own Makefile against the build
# tree's SDK (imeval-plugin-uninstalled.pc), and, from an imeval installed
# with `make install PREFIX=...`, against the installed SDK; both load with
# `imeval evaluate --model` and score the test profile as its expected.tsv
# says; both pass check-model; a bad NAME, a missing --lang and an existing
# directory are refused with a message, and nothing is written.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
ROOT=$(cd "$IMEVAL_ROOT" && pwd)
BIN=$(cd "$(dirname "$IMEVAL_BIN")" && pwd)/$(basename "$IMEVAL_BIN")
BUILD=$(dirname "$BIN")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "new_model: $*"; exit 1; }
cd "$tmp"

# 1. From the build tree.
"$BIN" new-model my_model --lang c >out.txt || fail "new-model --lang c failed"
grep -q 'wrote a C model my_model in my_model/' out.txt || { cat out.txt; fail "no summary"; }
"$BIN" new-model lua_model --lang lua --dir lua-dir --format json >out.json || fail "--lang lua failed"
[ "$(jq -r '.name, .lang, .dir' out.json | tr '\n' ' ')" = "lua_model lua lua-dir " ] \
    || { cat out.json; fail "json summary"; }
[ "$(jq -r '.files | length' out.json)" = 5 ] || fail "json lists $(jq '.files' out.json)"
[ "$(jq -r .pkg_config_dir out.json)" = "$BUILD/pkgconfig" ] || fail "pkg-config dir $(jq -r .pkg_config_dir out.json)"
for f in my_model/my_model.c my_model/Makefile my_model/example-council.json \
         my_model/expected.tsv my_model/README.md lua-dir/lua_model.lua lua-dir/Makefile; do
    [ -f "$f" ] || fail "$f not written"
done
! grep -rq '@[A-Z_]*@' my_model lua-dir || fail "a placeholder is left: $(grep -rn '@[A-Z_]*@' my_model lua-dir)"
"$BIN" validate --strict my_model/example-council.json >/dev/null 2>&1 || fail "test profile invalid"

(cd my_model && make >make.log 2>&1) || { cat my_model/make.log; fail "the C scaffold does not build"; }
grep -q -- "-I$ROOT/plugins" my_model/make.log || { cat my_model/make.log; fail "not built against the tree's SDK"; }
[ -f my_model/my_model.so ] || fail "no my_model.so"

both() {  # IMEVAL ... : evaluate both scaffolds on the test profile
    "$@" evaluate --timeout 30 --model my_model/my_model.so --model lua-dir/lua_model.lua \
        --format csv my_model/example-council.json
}
both "$BIN" >eval.csv || fail "the scaffolds do not load"
# Committed members (3) and accepting leaders (3): 50 + 10 + 10 = 70.
grep -q '^example-council,2019-03,my_model,[0-9],70.0,' eval.csv || { cat eval.csv; fail "C scaffold score"; }
grep -q '^example-council,2019-03,lua_model,[0-9],70.0,' eval.csv || { cat eval.csv; fail "Lua scaffold score"; }
"$BIN" check-model --profiles 300 my_model/my_model.so >chk.txt || { cat chk.txt; fail "C scaffold fails check-model"; }
"$BIN" check-model --profiles 300 lua-dir/lua_model.lua >chk.txt || { cat chk.txt; fail "Lua scaffold fails check-model"; }
# The scaffold's own loop: make backtest agrees with its expected.tsv.
(cd my_model && make -s backtest >bt.txt 2>&1) || { cat my_model/bt.txt; fail "make backtest (C)"; }
grep -q 'agrees with the record on 1 of 1 case (4 of 4 assertions)' my_model/bt.txt \
    || { cat my_model/bt.txt; fail "C scaffold backtest"; }
(cd lua-dir && make -s backtest >bt.txt 2>&1) || { cat lua-dir/bt.txt; fail "make backtest (Lua)"; }

# 2. From an installed imeval: the Makefile finds the installed SDK.
make -s -C "$ROOT" BUILD="$BUILD" PREFIX="$tmp/prefix" install >install.log 2>&1 \
    || { cat install.log; fail "make install failed"; }
"$tmp/prefix/bin/imeval" new-model installed_model --lang c >/dev/null || fail "installed new-model failed"
(cd installed_model && make >make.log 2>&1) || { cat installed_model/make.log; fail "does not build against the installed SDK"; }
grep -q -- "-I$tmp/prefix/include/imeval" installed_model/make.log \
    || { cat installed_model/make.log; fail "not built against the installed SDK"; }
"$tmp/prefix/bin/imeval" evaluate --timeout 30 --model installed_model/installed_model.so --format csv \
    installed_model/example-council.json >inst.csv || fail "installed imeval does not load it"
grep -q '^example-council,2019-03,installed_model,[0-9],70.0,' inst.csv || { cat inst.csv; fail "installed score"; }

# 3. Refusals: nothing written, a message that says why.
expect() {  # STATUS PATTERN ARGS...
    want=$1 pat=$2; shift 2
    status=0
    "$BIN" new-model "$@" >/dev/null 2>err.txt || status=$?
    [ "$status" -eq "$want" ] || fail "new-model $*: exit $status, expected $want"
    grep -q "$pat" err.txt || { cat err.txt; fail "new-model $*: message"; }
}
expect 2 'not a model id' My-Model --lang c
expect 2 'not a model id' 9lives --lang lua
expect 2 'not a model id' 'a/b' --lang c
expect 2 'lang c or --lang lua is required' fine_name
expect 2 'expected c or lua' fine_name --lang python
expect 2 'give the model' --lang c
before=$(ls -la my_model | md5sum)
expect 1 'already exists' my_model --lang lua
[ "$(ls -la my_model | md5sum)" = "$before" ] || fail "an existing directory was changed"
[ ! -e fine_name ] && [ ! -e 9lives ] || fail "a refused run wrote something"
"$BIN" new-model --help | grep -q 'NAME --lang c|lua' || fail "--help"
echo ok
