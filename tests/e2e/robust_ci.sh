#!/bin/sh
# .ci/run runs every pass even when one fails, exits non-zero when any
# failed, and prints the README suite's "N passed, N failed" as its last
# line.  The scripts run in a copy of the tree's CI files with a `make`
# first on PATH that plays a failing pass, so this checks the CI scripts'
# own control flow, not the build.
set -u
: "${IMEVAL_ROOT:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
mkdir -p "$tmp/tree/.ci" "$tmp/tree/tests" "$tmp/bin"
cp "$IMEVAL_ROOT/.ci/run" "$tmp/tree/.ci/run"
cp "$IMEVAL_ROOT/tests/ci-robust.sh" "$tmp/tree/tests/ci-robust.sh"
# The stand-in make logs each target it is asked for; CHECK_RC and
# ASAN_RC say which pass fails.
cat >"$tmp/bin/make" <<EOF
#!/bin/sh
echo "\$1" >>"$tmp/targets"
case "\$1" in
check) if [ "\$CHECK_RC" -eq 0 ]; then echo "7 passed, 0 failed"; else echo "5 passed, 2 failed"; fi
       exit "\$CHECK_RC" ;;
asan) exit "\$ASAN_RC" ;;
esac
exit 0
EOF
# Every package is installed, as far as the script can tell.
printf '#!/bin/sh\nprintf "install ok installed"\n' >"$tmp/bin/dpkg-query"
chmod 755 "$tmp/bin/make" "$tmp/bin/dpkg-query"
run_ci() {
    rm -f "$tmp/targets"
    CHECK_RC=$1 ASAN_RC=$2 PATH="$tmp/bin:$PATH" bash "$tmp/tree/.ci/run" >"$tmp/out" 2>&1
}

run_ci 0 2
[ $? -ne 0 ] || fail ".ci/run exited 0 although make asan failed"
[ "$(tr '\n' ' ' <"$tmp/targets")" = "check asan valgrind fuzz " ] ||
    fail "passes run: \"$(tr '\n' ' ' <"$tmp/targets")\", expected all four despite make asan failing"
[ "$(tail -n 1 "$tmp/out")" = "7 passed, 0 failed" ] || fail "last line is not the test count"
grep -q "FAIL make asan" "$tmp/out" || fail "the failing pass is not named"

run_ci 2 0
[ $? -ne 0 ] || fail ".ci/run exited 0 although make check failed"
[ "$(tr '\n' ' ' <"$tmp/targets")" = "check asan valgrind fuzz " ] || fail "a failing make check stopped the passes"
[ "$(tail -n 1 "$tmp/out")" = "5 passed, 2 failed" ] || fail "last line is not the test count after a failing make check"

run_ci 0 0 || fail ".ci/run failed with every pass passing"
[ "$(tail -n 1 "$tmp/out")" = "7 passed, 0 failed" ] || fail "last line is not the test count when all pass"
if [ "$failures" -ne 0 ]; then
    sed 's/^/    /' "$tmp/out"
    exit 1
fi
exit 0
