#!/bin/sh
# Where -o writes (cli/outfile.c):
#   - a FIFO or a device is written directly, never replaced by a regular
#     file; -o /dev/full fails with a message and exit 1;
#   - -o /dev/stdout works for a user who cannot write in /dev;
#   - an existing file keeps its mode; a symbolic link is followed (the
#     file it points to is replaced, the link stays);
#   - Ctrl-C while the output is a slow pipe: the document is completed,
#     not cut (handlers restart the interrupted write), exit 130.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
T=${IMEVAL_TEST_TIMEOUT:-300}
CASES="$IMEVAL_ROOT/datasets/cases"
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ev() {
    timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --format json "$CASES/torbay-2018.json" "$@" \
        >"$tmp/stdout" 2>"$tmp/err"
    status=$?
}
# Runs that write to /dev run as nobody when the tests run as root: were
# imeval to replace what it writes to, it could not replace a device then.
as_user=""
if [ "$(id -u)" -eq 0 ]; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
ev -o "$tmp/ref.json"
[ "$status" -eq 0 ] || { fail "reference run: exit $status"; cat "$tmp/err"; }

# A FIFO: written through, still a FIFO afterwards.
mkfifo "$tmp/fifo"
timeout -k 5 "$T" cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
ev -o "$tmp/fifo"
wait "$reader"
[ "$status" -eq 0 ] || { fail "-o FIFO: exit $status"; cat "$tmp/err"; }
[ -p "$tmp/fifo" ] || fail "-o FIFO: the FIFO was replaced by a regular file"
cmp -s "$tmp/fifo.out" "$tmp/ref.json" || fail "-o FIFO: the reader did not get the document"
[ -z "$(find "$tmp" -name '*.tmp.*')" ] || fail "-o FIFO: a temporary file was left"

# /dev/full: the write fails, and imeval says so.
timeout -k 5 "$T" $as_user "$IMEVAL_BIN" evaluate --format json "$CASES/torbay-2018.json" \
    -o /dev/full >"$tmp/stdout" 2>"$tmp/err"
status=$?
[ "$status" -eq 1 ] || fail "-o /dev/full: exit $status, expected 1"
grep -q "error writing /dev/full: No space left on device" "$tmp/err" ||
    { fail "-o /dev/full: no message"; cat "$tmp/err"; }
[ -c /dev/full ] || fail "-o /dev/full: /dev/full is no longer a device"

# /dev/stdout, as a user who cannot create files in /dev.
timeout -k 5 "$T" $as_user "$IMEVAL_BIN" evaluate --format json "$CASES/torbay-2018.json" \
    -o /dev/stdout 2>"$tmp/err" | cat >"$tmp/stdout.json"
[ -L /dev/stdout ] || fail "-o /dev/stdout: /dev/stdout was replaced"
cmp -s "$tmp/stdout.json" "$tmp/ref.json" ||
    { fail "-o /dev/stdout: the document did not come out"; cat "$tmp/err"; }

# An existing file keeps its mode.
cp "$tmp/ref.json" "$tmp/private.json"
chmod 600 "$tmp/private.json"
ev -o "$tmp/private.json"
[ "$(stat -c %a "$tmp/private.json")" = 600 ] ||
    fail "-o: mode 600 became $(stat -c %a "$tmp/private.json")"
chmod 640 "$tmp/private.json"
ev -o "$tmp/private.json"
[ "$(stat -c %a "$tmp/private.json")" = 640 ] ||
    fail "-o: mode 640 became $(stat -c %a "$tmp/private.json")"

# A symbolic link: the file it points to is replaced, the link stays.
mkdir "$tmp/real"
echo old >"$tmp/real/target.json"
ln -s real/target.json "$tmp/link.json"
ev -o "$tmp/link.json"
[ "$status" -eq 0 ] || { fail "-o LINK: exit $status"; cat "$tmp/err"; }
[ -L "$tmp/link.json" ] || fail "-o LINK: the link was replaced by a file"
cmp -s "$tmp/real/target.json" "$tmp/ref.json" || fail "-o LINK: the target was not written"
[ -z "$(find "$tmp" -name '*.tmp.*')" ] || fail "-o LINK: a temporary file was left: $(find "$tmp" -name '*.tmp.*')"
# A link that leads nowhere is refused, saying so.
ln -s nowhere/x.json "$tmp/dangling.json"
ev -o "$tmp/dangling.json"
[ "$status" -ne 0 ] || fail "-o dangling link: exit 0"
grep -q "dangling.json: it is a symbolic link" "$tmp/err" ||
    { fail "-o dangling link: no message"; cat "$tmp/err"; }

# Ctrl-C while imeval is blocked writing to a pipe nobody reads yet: the
# interrupted write resumes (SA_RESTART) and the document is complete.
cc -O2 -o "$tmp/gen" "$IMEVAL_ROOT/tests/tools/gen_jsonl.c" || exit 1
mkfifo "$tmp/slow"
( exec 3<"$tmp/slow"; sleep "${IMEVAL_SLOW_READER:-6}"; cat <&3 >"$tmp/slow.json" ) &
reader=$!
"$tmp/gen" 0 | timeout -k 5 "$T" "$IMEVAL_BIN" evaluate --format json - >"$tmp/slow" 2>"$tmp/err" &
pid=$!
sleep "${IMEVAL_SIGINT_AFTER:-3}"
kill -INT "$pid"
wait "$pid"
status=$?
wait "$reader"
[ "$status" -eq 130 ] || { fail "slow pipe SIGINT: exit $status, expected 130"; cat "$tmp/err"; }
grep -q "error writing" "$tmp/err" && { fail "slow pipe SIGINT: a write failed"; cat "$tmp/err"; }
done_n=$(sed -n 's/^imeval evaluate: interrupted: \([0-9]*\) profiles.*/\1/p' "$tmp/err")
[ "$(tail -c 2 "$tmp/slow.json")" = "}" ] || fail "slow pipe SIGINT: the document is cut"
n=$(jq '.results | length' "$tmp/slow.json" 2>/dev/null)
[ -n "$n" ] && [ "$n" = "${done_n:-x}" ] ||
    { fail "slow pipe SIGINT: not a JSON document of the $done_n profiles it says (jq: ${n:-invalid})"; }
[ "${done_n:-0}" -gt 0 ] || fail "slow pipe SIGINT: nothing was evaluated"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
