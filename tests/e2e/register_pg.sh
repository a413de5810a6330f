#!/bin/sh
# The register command against a real PostgreSQL server (a throw-away
# cluster from tests/pg-cluster.sh on a Unix socket, removed afterwards):
# init as the owner, roles granted, assessments recorded by an adviser,
# eight adviser processes at once, a partner council that reads only the
# authority it is granted and cannot write, append-only enforced by the
# server, verify, replay, export to SQLite and back.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
tmp=$(mktemp -d)
pg=$(mktemp -u /tmp/imvpg-e2e.XXXXXX)
trap 'sh "$IMEVAL_ROOT/tests/pg-cluster.sh" stop "$pg"; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
admin=$(sh "$IMEVAL_ROOT/tests/pg-cluster.sh" start "$pg") || fail "the PostgreSQL test cluster did not start"
psql=$(ls -d /usr/lib/postgresql/*/bin | sort -r | head -1)/psql
"$psql" -qX "$admin" -c "CREATE DATABASE reg" >/dev/null
url() { echo "postgresql:///reg?host=$pg&user=$1"; }
cases="$IMEVAL_ROOT/datasets/cases"

"$IMEVAL_BIN" register init "$(url imeval_owner)" | grep -q "postgresql register ready" || fail "init"
"$IMEVAL_BIN" register grant adviser adviser -r "$(url imeval_owner)" >/dev/null
"$IMEVAL_BIN" register grant council_a reader torbay -r "$(url imeval_owner)" >/dev/null
export IMEVAL_REGISTER="$(url adviser)"
"$IMEVAL_BIN" evaluate "$cases/torbay-2018.json" --assessment tb >/dev/null 2>"$tmp/err" || fail "record: $(cat "$tmp/err")"
"$IMEVAL_BIN" evaluate "$cases/doncaster-2013.json" --assessment dn >/dev/null 2>&1
"$IMEVAL_BIN" register decide tb --model commissioner --rationale "the commissioner's report" >/dev/null 2>&1 \
    || fail "decide as adviser"
"$IMEVAL_BIN" synth --count 80 --seed 9 -o "$tmp/p.jsonl"
split -n l/8 "$tmp/p.jsonl" "$tmp/part."
pids=""
for part in "$tmp"/part.*; do
    mv "$part" "$part.jsonl"
    "$IMEVAL_BIN" evaluate "$part.jsonl" --register "$IMEVAL_REGISTER" --format csv >/dev/null 2>"$part.err" &
    pids="$pids $!"
done
for pid in $pids; do wait "$pid" || fail "a concurrent writer failed: $(cat "$tmp"/*.err)"; done
"$IMEVAL_BIN" register verify --format json >"$tmp/v.json" || fail "verify: $(cat "$tmp/v.json")"
jq -e '.ok and .entries == 83' "$tmp/v.json" >/dev/null || fail "entries: $(cat "$tmp/v.json")"
"$IMEVAL_BIN" register replay tb | grep -q identical || fail "replay"

# The partner council reads torbay only and writes nothing.
"$IMEVAL_BIN" register history torbay -r "$(url council_a)" --format json | jq -e '(.entries | length) == 2' >/dev/null \
    || fail "council cannot read its grant"
set +e
"$IMEVAL_BIN" register history doncaster -r "$(url council_a)" >/dev/null 2>&1; a=$?
"$IMEVAL_BIN" register note tb --text x -r "$(url council_a)" >/dev/null 2>"$tmp/err"; b=$?
"$IMEVAL_BIN" register status -r "$(url council_b)" >/dev/null 2>"$tmp/err2"; c=$?
set -e
[ "$a" -ne 0 ] || fail "the council read an authority it was not granted"
[ "$b" -ne 0 ] && grep -q "permission denied" "$tmp/err" || fail "the council wrote: $(cat "$tmp/err")"
[ "$c" -ne 0 ] && grep -q "permission denied" "$tmp/err2" || fail "an ungranted role read"
# Even the owner cannot change a row while the triggers stand.
"$psql" -qX "$(url imeval_owner)" -c "UPDATE entry SET author = 'x'" >/dev/null 2>"$tmp/err" && fail "UPDATE allowed"
grep -q "append-only" "$tmp/err" || fail "no append-only message: $(cat "$tmp/err")"

# To SQLite and back: the same entries.
"$IMEVAL_BIN" register export -o "$tmp/x.jsonl"
"$IMEVAL_BIN" register init "$tmp/copy.db" >/dev/null
"$IMEVAL_BIN" register import "$tmp/x.jsonl" -r "$tmp/copy.db" --format json | jq -e '.added == 83' >/dev/null \
    || fail "import into SQLite"
"$IMEVAL_BIN" register export -r "$tmp/copy.db" -o "$tmp/y.jsonl"
cmp -s "$tmp/x.jsonl" "$tmp/y.jsonl" || fail "SQLite copy exports differently"
echo ok
