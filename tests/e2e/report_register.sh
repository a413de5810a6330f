#!/bin/sh
# imeval report --register REG --assessment ID (issue 12 with issue 13's
# register, a real SQLite file): the decision, its rationale, who decided
# and when, the assumptions and the sign-offs recorded on the assessment
# fill the report's forms, escaped; a decision that differs from the
# recommendation says so; without a register the forms stay empty; a
# wrong id or --register alone is a usage error naming the problem.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
CASES="$IMEVAL_ROOT/datasets/cases"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
REG="$tmp/reg.db"
P="$CASES/doncaster-2013.json"
"$IMEVAL_BIN" register init "$REG" >/dev/null 2>&1 || { echo "FAIL: register init"; exit 1; }
"$IMEVAL_BIN" evaluate "$P" --register "$REG" --assessment don-1 --draws 100 >/dev/null 2>&1 \
    || { echo "FAIL: evaluate --register"; exit 1; }
dec=$("$IMEVAL_BIN" register decide don-1 --register "$REG" --model trust --by "A. Adviser" \
      --rationale "leaders deny the failure <script>x</script> & more" 2>/dev/null | tail -n 1)
[ -n "$dec" ] || fail "register decide printed no id"
"$IMEVAL_BIN" register note don-1 --register "$REG" --text "failure extent read from the 2013 report" \
    --impact "decides first place" --reliability medium --by "A. Adviser" >/dev/null 2>&1 || fail "register note"
"$IMEVAL_BIN" register sign don-1 --register "$REG" --role analyst --text "ratings checked" --by "B. Analyst" \
    >/dev/null 2>&1 || fail "register sign analyst"
"$IMEVAL_BIN" register sign "$dec" --register "$REG" --role approver --text "approved" --by "C. Approver" \
    >/dev/null 2>&1 || fail "register sign approver"

R="$tmp/r.html"
"$IMEVAL_BIN" report "$P" --register "$REG" --assessment don-1 --draws 100 -o "$R" 2>"$tmp/err" \
    || fail "report --register: exit $?: $(cat "$tmp/err")"
sed 's/<wbr>//g; s/<bdi>//g; s/<\/bdi>//g' "$R" >"$tmp/plain.html"
grep -q 'From the register, assessment don-1' "$tmp/plain.html" || fail "no assessment id"
grep -q '<th scope="row">decision</th><td>trust</td>' "$tmp/plain.html" || fail "decision not shown"
grep -q 'leaders deny the failure &lt;script&gt;x&lt;/script&gt; &amp; more' "$tmp/plain.html" || fail "rationale not shown escaped"
grep -q '<script>x' "$R" && fail "the rationale's script came through"
grep -q '<td>A. Adviser (adviser)</td>' "$tmp/plain.html" || fail "who decided"
grep -q "The decision differs from the model recommended when the assessment was recorded (commissioner)" "$tmp/plain.html" \
    || fail "no note that the decision differs from the recommendation"
grep -q 'failure extent read from the 2013 report</td><td>decides first place</td><td>medium</td>' "$tmp/plain.html" \
    || fail "assumption not shown"
grep -q '<th scope="row">analyst</th><td>B. Analyst</td>' "$tmp/plain.html" || fail "analyst sign-off not shown"
grep -q '<th scope="row">approver</th><td>C. Approver</td>' "$tmp/plain.html" || fail "approver sign-off (on the decision) not shown"
grep -q '<th scope="row">assurer</th><td></td>' "$tmp/plain.html" || fail "the assurer's line is not left to fill"

"$IMEVAL_BIN" report "$P" --register "$REG" --assessment don-1 --draws 50 --format json >"$tmp/d.json" 2>/dev/null
command -v jq >/dev/null && { jq -e '.record.decision.text == "trust" and (.record.signoffs | length) == 2 and (.record.assumptions | length) == 1' "$tmp/d.json" >/dev/null \
    || fail "--format json lacks the record: $(jq -c .record "$tmp/d.json")"; }

# Without a register: empty forms.
"$IMEVAL_BIN" report "$P" --draws 100 -o "$tmp/e.html" 2>/dev/null || fail "report: exit $?"
grep -q '<th scope="row">decision</th><td></td>' "$tmp/e.html" || fail "no empty decision form"
grep -q '<th scope="row">analyst</th><td></td>' "$tmp/e.html" || fail "no empty sign-off form"

# Usage errors.
"$IMEVAL_BIN" report "$P" --register "$REG" --assessment nope -o "$tmp/x.html" 2>"$tmp/err"
[ $? = 2 ] && grep -q 'nope' "$tmp/err" && [ ! -e "$tmp/x.html" ] || fail "wrong id: $(cat "$tmp/err")"
"$IMEVAL_BIN" report "$P" --register "$REG" -o "$tmp/x.html" 2>"$tmp/err"
[ $? = 2 ] && grep -q 'needs --assessment' "$tmp/err" || fail "--register alone: $(cat "$tmp/err")"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
