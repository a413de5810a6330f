#!/bin/sh
# imeval template (issue 9): a blank profile that the reader accepts as it
# is, with every field of the format; and a CSV header row whose columns are
# all profile fields, so that a spreadsheet row under it is a profile.
set -u
: "${IMEVAL_BIN:=build/imeval}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$IMEVAL_BIN" template >"$tmp/t.json" || fail "template: exit $?"
"$IMEVAL_BIN" template | "$IMEVAL_BIN" validate - >"$tmp/out" 2>"$tmp/err" \
    || fail "template | validate -: exit $?: $(cat "$tmp/err")"
grep -q '1 valid, 0 invalid' "$tmp/err" || fail "template | validate -: $(cat "$tmp/err")"
grep -q 'warning' "$tmp/err" && fail "the template draws a warning: $(cat "$tmp/err")"
"$IMEVAL_BIN" validate --strict "$tmp/t.json" >/dev/null 2>"$tmp/err" \
    || fail "validate --strict: $(cat "$tmp/err")"
# Every field: the ratings, facts and judgements the format names.
for k in format id name as_of source size ofsted ratings facts current_intervention partners \
         political_commitment failure_extent agency_rate leadership_changes_3y help_and_protection \
         care_leavers child_population; do
    jq -e --arg k "$k" '[paths | .[-1]] | index($k) != null' "$tmp/t.json" >/dev/null \
        || fail "template has no $k"
done
[ "$(jq '.ratings | length' "$tmp/t.json")" -eq 13 ] || fail "template: not 13 ratings"
"$IMEVAL_BIN" evaluate "$tmp/t.json" >/dev/null 2>"$tmp/err" || fail "template does not evaluate: $(cat "$tmp/err")"
# -o writes the file, standard output stays empty.
"$IMEVAL_BIN" template -o "$tmp/o.json" >"$tmp/out" || fail "template -o: exit $?"
[ -s "$tmp/out" ] && fail "template -o also wrote to standard output"
cmp -s "$tmp/o.json" "$tmp/t.json" || fail "template -o differs from standard output"

# CSV: a header row of known columns; a row filled under it validates.
"$IMEVAL_BIN" template --format csv >"$tmp/t.csv" || fail "template --format csv: exit $?"
[ "$(wc -l <"$tmp/t.csv")" -eq 1 ] || fail "template --format csv: not one line"
"$IMEVAL_BIN" validate --strict "$tmp/t.csv" >/dev/null 2>"$tmp/err" \
    || fail "the CSV header is refused: $(cat "$tmp/err")"
row=$(head -n 1 "$tmp/t.csv" | tr ',' '\n' | while read -r col; do
    case $col in
        id) printf 'x-2020,' ;; name) printf 'X,' ;; as_of) printf '2020,' ;;
        ofsted.grade) printf 'inadequate,' ;; ratings.*) printf '2,' ;;
        *) printf ',' ;;
    esac
done | sed 's/,$//')
printf '%s\n' "$row" >>"$tmp/t.csv"
"$IMEVAL_BIN" validate --strict "$tmp/t.csv" >/dev/null 2>"$tmp/err" \
    || fail "a filled CSV row: $(cat "$tmp/err")"
grep -q '1 valid, 0 invalid' "$tmp/err" || fail "a filled CSV row: $(cat "$tmp/err")"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
