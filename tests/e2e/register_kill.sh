#!/bin/sh
# The register under real imeval processes on a SQLite file: `imeval
# evaluate --register` killed with SIGKILL at random moments (10 rounds)
# never leaves a damaged register or a half-written entry, and keeps every
# assessment it said it recorded; 8 evaluate processes recording at once
# lose nothing and never fail with "database is locked".
# (check_register.c runs the same against PostgreSQL through the library;
# register_pg.sh runs the command against a PostgreSQL server.)
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
reg=${REGISTER_UNDER_TEST:-$tmp/r.db}
"$IMEVAL_BIN" register init "$reg" >/dev/null
"$IMEVAL_BIN" synth --count 400 --seed 5 -o "$tmp/p.jsonl"
entries() { "$IMEVAL_BIN" register verify --register "$reg" --format json | jq .entries; }

said=0
round=0
while [ "$round" -lt 10 ]; do
    round=$((round + 1))
    "$IMEVAL_BIN" evaluate "$tmp/p.jsonl" --register "$reg" --format csv >/dev/null 2>"$tmp/err.$round" &
    pid=$!
    # 50..450 ms: somewhere in the middle of recording
    sleep "0.$(( (round * 37) % 40 + 5 ))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    said=$((said + $(grep -c '^imeval [a-z]*: recorded assessment' "$tmp/err.$round" || true)))
    "$IMEVAL_BIN" register verify --register "$reg" >/dev/null 2>"$tmp/verr" ||
        fail "round $round: the register does not verify after SIGKILL: $(cat "$tmp/verr")"
    n=$(entries)
    # Everything it said it recorded is there (and at most the one in flight more).
    [ "$n" -ge "$said" ] && [ "$n" -le $((said + round)) ] || fail "round $round: $n entries, $said said recorded"
done
[ "$said" -gt 0 ] || fail "no round recorded anything before the kill"

# Eight writers at once.
before=$(entries)
split -n l/8 "$tmp/p.jsonl" "$tmp/part."
i=0
pids=""
for part in "$tmp"/part.*; do
    mv "$part" "$part.jsonl"
    i=$((i + 1))
    "$IMEVAL_BIN" evaluate "$part.jsonl" --register "$reg" --format csv >/dev/null 2>"$tmp/w.$i" &
    pids="$pids $!"
done
[ "$i" -eq 8 ] || fail "split made $i parts"
failed=0
for pid in $pids; do wait "$pid" || failed=$((failed + 1)); done
[ "$failed" -eq 0 ] || fail "$failed concurrent writers failed: $(cat "$tmp"/w.*)"
! grep -qi "locked" "$tmp"/w.* || fail "database is locked: $(grep -i locked "$tmp"/w.*)"
after=$(entries)
[ "$after" -eq $((before + 400)) ] || fail "8 writers: $before + 400 expected, $after there"
echo ok
