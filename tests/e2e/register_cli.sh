#!/bin/sh
# `imeval register` end to end on a SQLite file (check_register.c runs the
# library against SQLite and PostgreSQL): recording from evaluate, the
# default location, decisions and their rules, reviews, history and status
# in both formats, hostile input from files, tampering, export/import,
# replay, and usage errors.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cases="$IMEVAL_ROOT/datasets/cases"
unset IMEVAL_REGISTER
export IMEVAL_AUTHOR=adviser-one

# The default location is in the user's data directory; IMEVAL_REGISTER
# and --register override it.
XDG_DATA_HOME="$tmp/xdg" "$IMEVAL_BIN" register init >/dev/null
[ -f "$tmp/xdg/imeval/register.db" ] || fail "no register at \$XDG_DATA_HOME/imeval/register.db"
export IMEVAL_REGISTER="$tmp/env.db"
"$IMEVAL_BIN" register init >/dev/null
[ -f "$tmp/env.db" ] || fail "IMEVAL_REGISTER not used"
reg="$tmp/r.db"
"$IMEVAL_BIN" register init "$reg" --format json | jq -e '.backend == "sqlite" and .schema == 2' >/dev/null \
    || fail "init --format json"

# evaluate --register records one assessment per profile and says its id.
"$IMEVAL_BIN" evaluate "$cases/torbay-2018.json" --register "$reg" --assessment tb --format json \
    >"$tmp/out.json" 2>"$tmp/err" || fail "evaluate --register: $(cat "$tmp/err")"
grep -q "recorded assessment tb (torbay-2018)" "$tmp/err" || fail "id not printed: $(cat "$tmp/err")"
jq -e '.results[0].profile == "torbay-2018"' "$tmp/out.json" >/dev/null || fail "result not written"
rec=$(jq -r '.results[0].recommended' "$tmp/out.json")

# A decision against the recommendation needs a rationale (usage error, 2).
other=trust; [ "$rec" = trust ] && other=commissioner
set +e
"$IMEVAL_BIN" register decide tb --model "$other" --register "$reg" 2>"$tmp/err"; st=$?
set -e
[ "$st" -eq 2 ] || fail "decide without rationale exited $st"
grep -q rationale "$tmp/err" || fail "no hint about the rationale"
# A rationale file with a NUL byte is refused, nothing recorded.
printf 'because\000hidden' >"$tmp/nul.txt"
set +e
"$IMEVAL_BIN" register decide tb --model "$other" --rationale-file "$tmp/nul.txt" --register "$reg" 2>"$tmp/err"; st=$?
set -e
[ "$st" -eq 2 ] || fail "NUL rationale exited $st"
grep -q "NUL" "$tmp/err" || fail "NUL not named: $(cat "$tmp/err")"
# SQL metacharacters in a rationale file are stored as written.
printf "x'); DROP TABLE entry; -- \"quoted\" %%s\n" >"$tmp/why.txt"
dec=$("$IMEVAL_BIN" register decide tb --model "$other" --partner plymouth --rationale-file "$tmp/why.txt" \
      --by "O'Brien" --role approver --register "$reg" 2>/dev/null)
"$IMEVAL_BIN" register note tb --text "ratings from the 2018 report" --impact high --register "$reg" >/dev/null
"$IMEVAL_BIN" register sign "$dec" --role assurer --by bob --register "$reg" >/dev/null
"$IMEVAL_BIN" register history torbay --format json --register "$reg" >"$tmp/h.json"
jq -e --arg d "$dec" --rawfile why "$tmp/why.txt" \
    '[.entries[] | select(.id == $d)][0] | .rationale == $why and .author == "O'"'"'Brien" and .partner == "plymouth"' \
    "$tmp/h.json" >/dev/null || fail "decision not stored exactly"
jq -e '(.entries | length) == 4 and .intervention.status == "on_track" and (.trajectory | length) == 1' \
    "$tmp/h.json" >/dev/null || fail "history: $(cat "$tmp/h.json")"

# A later profile reviews the intervention.
sed 's/"id": "torbay-2018"/"id": "torbay-2019"/; s/"as_of": "2018-04"/"as_of": "2019-06"/; s/"grade": "inadequate"/"grade": "requires_improvement"/' \
    "$cases/torbay-2018.json" >"$tmp/torbay-2019.json"
"$IMEVAL_BIN" register review "$dec" "$tmp/torbay-2019.json" --register "$reg" >/dev/null 2>"$tmp/err" \
    || fail "review: $(cat "$tmp/err")"
grep -q "recorded review" "$tmp/err" || fail "review not recorded: $(cat "$tmp/err")"
"$IMEVAL_BIN" register status --format json --register "$reg" >"$tmp/s.json"
jq -e '.authorities[0].authority == "torbay" and .authorities[0].status == "improved" and .counts.improved == 1' \
    "$tmp/s.json" >/dev/null || fail "status: $(cat "$tmp/s.json")"
"$IMEVAL_BIN" register status --register "$reg" | grep -q "improved: step down" || fail "status table"
"$IMEVAL_BIN" register history torbay --register "$reg" | grep -q "trajectory" || fail "history table"

# Who rated the profile and when are kept; a bad date is a usage error.
"$IMEVAL_BIN" evaluate "$cases/doncaster-2013.json" --register "$reg" --assessment dn \
    --rated-by "Ms Rater" --rated-on 2013-03 >/dev/null 2>&1 || fail "evaluate --rated-by"
set +e
"$IMEVAL_BIN" evaluate "$cases/doncaster-2013.json" --register "$reg" --rated-on 13/3 >/dev/null 2>&1; st=$?
set -e
[ "$st" -eq 2 ] || fail "--rated-on 13/3 exited $st"
"$IMEVAL_BIN" register history doncaster --register "$reg" --format json |
    jq -e '.entries[0].rated_by == "Ms Rater" and .entries[0].rated_on == "2013-03"' >/dev/null \
    || fail "rated_by/rated_on not kept"
# A review whose monitoring finding is "deteriorating": escalate.
ddec=$("$IMEVAL_BIN" register decide dn --model commissioner --rationale "persistent failure" \
       --register "$reg" 2>/dev/null)
jq '.id = "doncaster-2014" | .as_of = "2014-06" | .current_intervention = {"model": "commissioner",
    "since": "2013-10", "progress": [{"date": "2014-05", "finding": "deteriorating", "by": "ofsted_monitoring"}]}' \
    "$cases/doncaster-2013.json" >"$tmp/doncaster-2014.json"
"$IMEVAL_BIN" register review "$ddec" "$tmp/doncaster-2014.json" --register "$reg" >/dev/null 2>"$tmp/err" \
    || fail "review with a finding: $(cat "$tmp/err")"
"$IMEVAL_BIN" register status --format json --register "$reg" |
    jq -e '.authorities[0].authority == "doncaster" and .authorities[0].status == "deteriorating"
           and .authorities[0].latest.finding == "deteriorating"' >/dev/null \
    || fail "deteriorating finding not escalated first: $("$IMEVAL_BIN" register status --register "$reg")"

# Replay: identical.
"$IMEVAL_BIN" register replay tb --register "$reg" | grep -q "identical" || fail "replay not identical"
"$IMEVAL_BIN" register replay tb --register "$reg" --format json | jq -e '.identical' >/dev/null || fail "replay json"

# verify: sound, then a tampered row is found (exit 1).
"$IMEVAL_BIN" register verify --register "$reg" --format json >"$tmp/v.json"
jq -e '.ok and .entries == 8' "$tmp/v.json" >/dev/null || fail "verify: $(cat "$tmp/v.json")"
head=$(jq -r .head "$tmp/v.json")
"$IMEVAL_BIN" register verify --register "$reg" --head "$head" >/dev/null || fail "verify --head"

# export / import: lossless and idempotent.
"$IMEVAL_BIN" register export --register "$reg" -o "$tmp/x.jsonl"
"$IMEVAL_BIN" register init "$tmp/copy.db" >/dev/null
"$IMEVAL_BIN" register import "$tmp/x.jsonl" --register "$tmp/copy.db" | grep -q "^8 entries added" || fail "import"
"$IMEVAL_BIN" register import "$tmp/x.jsonl" --register "$tmp/copy.db" --format json \
    | jq -e '.added == 0 and .present == 8' >/dev/null || fail "import twice changed something"
"$IMEVAL_BIN" register export --register "$tmp/copy.db" -o "$tmp/y.jsonl"
cmp -s "$tmp/x.jsonl" "$tmp/y.jsonl" || fail "the copy does not export the same"

sqlite3 "$reg" "DROP TRIGGER entry_no_update; UPDATE entry SET author = 'mallory' WHERE seq = 2;"
set +e
"$IMEVAL_BIN" register verify --register "$reg" 2>"$tmp/err"; st=$?
set -e
[ "$st" -eq 1 ] || fail "tampered register verified (exit $st)"
grep -q "entry 2" "$tmp/err" || fail "tampered entry not named: $(cat "$tmp/err")"

# Usage errors exit 2; a missing register is named.
set +e
"$IMEVAL_BIN" register frobnicate >/dev/null 2>&1; a=$?
"$IMEVAL_BIN" register decide --register "$tmp/copy.db" >/dev/null 2>&1; b=$?
"$IMEVAL_BIN" register history --register "$tmp/copy.db" >/dev/null 2>&1; c=$?
"$IMEVAL_BIN" register status --register "$tmp/none.db" 2>"$tmp/err"; d=$?
set -e
[ "$a$b$c" = 222 ] || fail "usage errors exited $a $b $c"
[ "$d" -ne 0 ] && grep -q "none.db" "$tmp/err" || fail "missing register not named"
"$IMEVAL_BIN" register --help | grep -q "replay ID" || fail "--help"
echo ok
