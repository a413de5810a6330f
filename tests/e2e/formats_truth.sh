#!/bin/sh
# Every format tells the same truth (issue 12):
#   - JSON has "provenance" (hashes, versions, the reproducing command,
#     draws, seed) and the profile's own "source" as "profile_source"; the
#     same inputs give the same bytes (no time unless --stamp);
#   - Markdown carries the caution, the intervention in place, the
#     partner's fit, the uncertainty table under --draws and the
#     provenance, whose result hash is the JSON's;
#   - CSV gains mean, p05, p95, first_share, top_two_share, viable_share
#     under --draws, with the JSON's figures, and is unchanged without;
#   - sensitivity writes Markdown with the JSON's tipping points;
#   - the table and Markdown headings say that timelines are months.
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
command -v jq >/dev/null || { echo "FAIL: jq is not installed (tests/install-deps.sh test)"; exit 1; }
IOW="$CASES/isle-of-wight-2013.json"
TOR="$CASES/torbay-2018.json"

"$IMEVAL_BIN" evaluate "$IOW" "$TOR" --format json --draws 300 --seed 5 >"$tmp/a.json" || fail "json exit $?"
"$IMEVAL_BIN" evaluate "$IOW" "$TOR" --format json --draws 300 --seed 5 --jobs 1 -o "$tmp/b.json" || fail "json -o exit $?"
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "JSON differs between stdout --jobs N and -o FILE --jobs 1"
jq -e '.provenance | (.engine.version | type) == "string" and .draws == 300 and .seed == 5
       and (.profiles | length) == 2 and (.models | length) >= 7 and (.result.sha256 | length) == 64
       and (has("time") | not)' "$tmp/a.json" >/dev/null || fail "provenance block: $(jq -c .provenance.result "$tmp/a.json")"
[ "$(jq -r '.provenance.profiles[1].sha256' "$tmp/a.json")" = "$(sha256sum <"$TOR" | cut -d' ' -f1)" ] \
    || fail "profile hash is not sha256sum's"
m=$(jq -r '.provenance.models[] | select(.id == "commissioner") | .file' "$tmp/a.json")
[ "$(jq -r '.provenance.models[] | select(.id == "commissioner") | .sha256' "$tmp/a.json")" = \
  "$(sha256sum <"$(dirname "$IMEVAL_BIN")/models/$m" | cut -d' ' -f1)" ] || fail "model file hash is not sha256sum's"
[ "$(jq -r .provenance.result.sha256 "$tmp/a.json")" = "$(jq -c '.results[]' "$tmp/a.json" | sha256sum | cut -d' ' -f1)" ] \
    || fail "result hash is not that of jq -c '.results[]'"
[ "$(jq -r '.results[0].profile_source' "$tmp/a.json")" = "$(jq -r .source "$IOW")" ] || fail "profile_source is not the profile's source"
"$IMEVAL_BIN" evaluate "$IOW" --format json --stamp >"$tmp/s.json" || fail "--stamp exit $?"
jq -e '.provenance.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")' "$tmp/s.json" >/dev/null || fail "--stamp: no time"
jq -e '.provenance.argv[1] == "evaluate"' "$tmp/s.json" >/dev/null || fail "--stamp: no argv"
"$IMEVAL_BIN" evaluate "$IOW" --format json --set commissioner.base=40 >"$tmp/set.json"
jq -e '.provenance.models[] | select(.id == "commissioner") | .changed_parameters.base == {"value": 40, "default": 35}' "$tmp/set.json" >/dev/null \
    || fail "a changed parameter is not flagged: $(jq -c '.provenance.models[0].changed_parameters' "$tmp/set.json")"
jq -e '.provenance.command | endswith("--set commissioner.base=40 '"$IOW"'")' "$tmp/set.json" >/dev/null || fail "command lacks --set"

# Markdown
"$IMEVAL_BIN" evaluate "$IOW" "$TOR" --format markdown --draws 300 --seed 5 >"$tmp/a.md" || fail "markdown exit $?"
grep -q '| partner (fit) |' "$tmp/a.md" || fail "markdown: no partner fit heading"
fit=$("$IMEVAL_BIN" evaluate "$IOW" --format json | jq -r '[.results[0].ranking[] | select(.partner.id == "hampshire")][0].partner.fit | round')
grep -q "| hampshire ($fit) |" "$tmp/a.md" || fail "markdown: no partner fit (hampshire $fit)"
grep -q '| set-up (months) | to fair (months) | to good (months) |' "$tmp/a.md" || fail "markdown: headings lack months"
grep -q '^> \*\*Caution:\*\* even the best viable model fits poorly' "$tmp/a.md" || fail "markdown: no caution for torbay-2018"
grep -q '^In place: ' "$tmp/a.md" || fail "markdown: no intervention in place for torbay-2018"
grep -q '^| model | mean | p05 | p95 | first | top two | viable in |$' "$tmp/a.md" || fail "markdown: no uncertainty table"
p05=$(jq -r '.results[0].uncertainty.models.executive_partnership.p05' "$tmp/a.json")
grep -q "^| executive_partnership | [0-9.]* | $(printf '%.1f' "$p05") |" "$tmp/a.md" || fail "markdown p05 is not the JSON's $p05"
grep -q '^## Provenance$' "$tmp/a.md" || fail "markdown: no provenance"
grep -q "Result SHA-256: \`$(jq -r .provenance.result.sha256 "$tmp/a.json")\`" "$tmp/a.md" || fail "markdown result hash is not the JSON's"

# CSV
"$IMEVAL_BIN" evaluate "$IOW" --format csv --draws 300 --seed 5 >"$tmp/a.csv" || fail "csv exit $?"
head -n 1 "$tmp/a.csv" | grep -q ',error,mean,p05,p95,first_share,top_two_share,viable_share' || fail "csv: no uncertainty columns"
line=$(grep '^isle-of-wight-2013,2013-02,executive_partnership,' "$tmp/a.csv" | tr -d '\r')
want=$(jq -r '.results[0].uncertainty.models.executive_partnership | "\(.p05),\(.p95)"' "$tmp/a.json")
got=$(echo "$line" | awk -F, '{ printf "%g,%g", $16, $17 }')
[ "$got" = "$(echo "$want" | awk -F, '{ printf "%g,%g", $1, $2 }')" ] || fail "csv p05,p95 $got, JSON $want"
"$IMEVAL_BIN" evaluate "$IOW" --format csv >"$tmp/b.csv"
[ "$(head -n 1 "$tmp/b.csv" | tr -d '\r')" = "profile,as_of,model,rank,score,band,viable,setup_months,months_to_fair,months_to_good,partner,partner_fit,first_unmet_precondition,error" ] \
    || fail "csv header without draws changed"

# sensitivity as Markdown
# A case whose choice tips inside the given range of failure_extent.
"$IMEVAL_BIN" sensitivity --format markdown "$CASES/middlesbrough-2020.json" >"$tmp/s.md" || fail "sensitivity markdown exit $?"
"$IMEVAL_BIN" sensitivity --format json "$CASES/middlesbrough-2020.json" >"$tmp/s.json" || fail "sensitivity json exit $?"
to=$(jq -r '.results[0].ratings.failure_extent.decrease.to' "$tmp/s.json")
first=$(jq -r '.results[0].ratings.failure_extent.decrease.first' "$tmp/s.json")
grep -q "^| failure_extent | 3.50 | 3.00-4.00 | $to: $first (\*\*inside the given range\*\*) | none |$" "$tmp/s.md" \
    || fail "sensitivity markdown: failure_extent row is not the JSON's ($to)"
grep -q '^### Parameters the first place depends on$' "$tmp/s.md" || fail "sensitivity markdown: no parameters"

# The table heading says months.
"$IMEVAL_BIN" evaluate "$IOW" | grep -q '^ *--- months ----$' || fail "table: no months over the timeline columns"

# explain, models and validate refuse the formats they do not write.
for f in csv markdown; do
    for c in "explain commissioner $IOW" "models" "validate $IOW"; do
        # shellcheck disable=SC2086
        "$IMEVAL_BIN" $c --format $f >"$tmp/out" 2>"$tmp/err"
        rc=$?
        [ "$rc" = 2 ] || fail "$c --format $f: exit $rc, want 2"
        [ -s "$tmp/out" ] && fail "$c --format $f printed: $(head -c 80 "$tmp/out")"
        grep -q "format $f is not written" "$tmp/err" || fail "$c --format $f: $(cat "$tmp/err")"
    done
done
"$IMEVAL_BIN" explain commissioner "$IOW" --format json | jq -e . >/dev/null || fail "explain --format json no longer works"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
