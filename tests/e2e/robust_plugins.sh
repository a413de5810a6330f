#!/bin/sh
# Plugins are only loaded from where the user said.
#   - the current directory is never searched implicitly: a plugin in cwd
#     (or cwd/models), even one named like a bundled model, is not loaded by
#     `models`, `evaluate` or an IMEVAL_MODEL_PATH with empty entries.  Its
#     constructor would create a marker file if it ever were;
#   - plugin files or directories that other users can write are refused
#     with a message saying why and what to do; the rest still load.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
T=${IMEVAL_TEST_TIMEOUT:-300}
CASE="$IMEVAL_ROOT/datasets/cases/torbay-2018.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
case "$IMEVAL_BIN" in /*) ;; *) IMEVAL_BIN="$PWD/$IMEVAL_BIN" ;; esac

cat >"$tmp/evil.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void evil(void)
{
    const char *m = getenv("IMV_EVIL_MARKER");
    FILE *f = m ? fopen(m, "w") : NULL;
    if (f)
        fclose(f);
}
__attribute__((visibility("default"))) const void *imeval_model(const void *h)
{
    (void)h;
    evil();
    return NULL;
}
EOF
mkdir "$tmp/cwd" "$tmp/cwd/models"
cc -shared -fPIC -o "$tmp/cwd/evil.so" "$tmp/evil.c" || exit 1
for name in commissioner.so trust.so models/evil.so models/commissioner.so; do
    cp "$tmp/cwd/evil.so" "$tmp/cwd/$name"
done
printf 'return { id = "evil_lua", name = "Evil", version = "1", summary = "s", evidence = "e",\n  score = function() return 100 end }\n' \
    >"$tmp/cwd/evil.lua"
cp "$tmp/cwd/evil.lua" "$tmp/cwd/models/evil.lua"
chmod -R go-w "$tmp/cwd"
export IMV_EVIL_MARKER="$tmp/marker"

cd "$tmp/cwd" || exit 1
for path in "" ":" "::" ":/nonexistent:"; do
    for cmd in "models" "evaluate $CASE"; do
        # shellcheck disable=SC2086
        IMEVAL_MODEL_PATH="$path" timeout -k 5 "$T" "$IMEVAL_BIN" $cmd >"$tmp/out" 2>"$tmp/err"
        [ -e "$tmp/marker" ] && { fail "'$cmd' with IMEVAL_MODEL_PATH='$path' loaded a plugin from cwd"; rm -f "$tmp/marker"; }
        grep -q evil_lua "$tmp/out" && fail "'$cmd' with IMEVAL_MODEL_PATH='$path' loaded evil.lua from cwd"
        grep -q "commissioner" "$tmp/out" || fail "'$cmd': the bundled commissioner is missing"
    done
done
# Named explicitly, the plugin in cwd is the one loaded (as ./evil.so, not
# from the library path), and refused for having no model.
timeout -k 5 "$T" "$IMEVAL_BIN" models --model evil.so >"$tmp/out" 2>"$tmp/err"
[ -e "$tmp/marker" ] || fail "--model evil.so did not load ./evil.so"
grep -q "evil.so: plugin refused to load" "$tmp/err" || { fail "--model evil.so: no message"; cat "$tmp/err"; }
rm -f "$tmp/marker"
# A bare name that is not in cwd is not looked up in the library path.
timeout -k 5 "$T" "$IMEVAL_BIN" models --model libc.so >"$tmp/out" 2>"$tmp/err"
grep -q "libc.so: cannot read model: No such file or directory" "$tmp/err" \
    || { fail "--model libc.so: not refused"; cat "$tmp/err"; }
cd "$tmp" || exit 1

# Permissions, through the command.
mkdir "$tmp/open" "$tmp/shared"
cp "$tmp/cwd/evil.lua" "$tmp/open/group_writable.lua"
chmod 664 "$tmp/open/group_writable.lua"
cp "$tmp/cwd/evil.lua" "$tmp/shared/in_shared_dir.lua"
chmod 644 "$tmp/shared/in_shared_dir.lua"
chmod 777 "$tmp/shared"
timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --model "$tmp/open/group_writable.lua" \
    --model "$tmp/shared/in_shared_dir.lua" "$CASE" >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 1 ] || fail "unsafe plugins: exit $status, expected 1 (the rest still evaluated)"
grep -q "group_writable.lua: refused: the file is writable by other users (mode 664); run chmod go-w on it" \
    "$tmp/err" || { fail "group-writable file: no message"; cat "$tmp/err"; }
grep -q "in_shared_dir.lua: refused: its directory .*shared is writable by other users (mode 777)" \
    "$tmp/err" || { fail "world-writable directory: no message"; cat "$tmp/err"; }
grep -q evil_lua "$tmp/out" && fail "an unsafe plugin was loaded"
grep -q "commissioner" "$tmp/out" || fail "the bundled models were not evaluated"
# --models DIR on a world-writable directory refuses every plugin in it.
timeout -k 5 "$T" "$IMEVAL_BIN" models --no-bundled --models "$tmp/shared" >"$tmp/out" 2>"$tmp/err"
[ "$?" -eq 2 ] || fail "--models on a shared directory: expected exit 2 (no models)"
grep -q "refused: its directory" "$tmp/err" || fail "--models on a shared directory: no message"
chmod 755 "$tmp/shared"

# The whole path, as ssh checks it: a symbolic link from a safe directory
# into a world-writable one, a safe directory inside a world-writable one,
# and (as root) a file or a directory owned by another user are refused;
# IMEVAL_TRUST_PLUGIN_DIRS=1 skips the directories above the file.
# tests/run.sh sets it when the checkout's own parents are loose: not here.
unset IMEVAL_TRUST_PLUGIN_DIRS
mkdir -p "$tmp/safe" "$tmp/wide/inner"
chmod 777 "$tmp/wide"
chmod 755 "$tmp/wide/inner"
cp "$tmp/cwd/evil.lua" "$tmp/wide/inner/deep.lua"
chmod 644 "$tmp/wide/inner/deep.lua"
ln -s "$tmp/wide/inner/deep.lua" "$tmp/safe/link.lua"
for plugin in "$tmp/wide/inner/deep.lua" "$tmp/safe/link.lua"; do
    timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --model "$plugin" "$CASE" >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] || fail "$plugin under a world-writable directory: exit $status, expected 1"
    grep -q "refused: its directory .*/wide is writable by other users (mode 777)" "$tmp/err" ||
        { fail "$plugin under a world-writable directory: no message"; cat "$tmp/err"; }
    grep -q "IMEVAL_TRUST_PLUGIN_DIRS=1" "$tmp/err" || fail "$plugin: the override is not named"
    grep -q evil_lua "$tmp/out" && fail "$plugin under a world-writable directory was loaded"
    IMEVAL_TRUST_PLUGIN_DIRS=1 timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --model "$plugin" "$CASE" \
        >"$tmp/out" 2>"$tmp/err"
    grep -q evil_lua "$tmp/out" || { fail "$plugin with IMEVAL_TRUST_PLUGIN_DIRS=1: not loaded"; cat "$tmp/err"; }
done
chmod 755 "$tmp/wide"
if [ "$(id -u)" -eq 0 ]; then
    cp "$tmp/cwd/evil.lua" "$tmp/safe/theirs.lua"
    chmod 644 "$tmp/safe/theirs.lua"
    chown 65534 "$tmp/safe/theirs.lua"
    timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --model "$tmp/safe/theirs.lua" "$CASE" >"$tmp/out" 2>"$tmp/err"
    grep -q "theirs.lua: refused: the file .*theirs.lua belongs to another user (uid 65534)" "$tmp/err" ||
        { fail "a plugin owned by another user: no message"; cat "$tmp/err"; }
    grep -q evil_lua "$tmp/out" && fail "a plugin owned by another user was loaded"
    mkdir "$tmp/their_dir"
    cp "$tmp/cwd/evil.lua" "$tmp/their_dir/in_theirs.lua"
    chmod 644 "$tmp/their_dir/in_theirs.lua"
    chown 65534 "$tmp/their_dir"
    timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --model "$tmp/their_dir/in_theirs.lua" "$CASE" >"$tmp/out" 2>"$tmp/err"
    grep -q "in_theirs.lua: refused: its directory .*their_dir belongs to another user (uid 65534)" "$tmp/err" ||
        { fail "a directory owned by another user: no message"; cat "$tmp/err"; }
fi

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
