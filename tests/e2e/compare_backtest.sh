#!/bin/sh
# imeval compare and imeval backtest as a researcher runs them on the cases:
# a change that is no change changes nothing (tau 1, no recommendation
# moved); a commissioner with a base of 90 wins where it did not and the
# figures say so; an added model leaves the others' ranking alone; JSON is
# deterministic; the bundled models agree with every recorded case; a
# second set that disagrees is reported case by case and exits 1; a file
# in the format with a failing or malformed assertion is reported by line;
# usage errors exit 2.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
cases="$IMEVAL_ROOT/datasets/cases"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "compare_backtest: $*"; exit 1; }
run() { "$IMEVAL_BIN" "$@"; }
# The number of case profiles and of cases with recorded outcomes.
n_profiles=$(ls "$cases"/*.json | wc -l | tr -d ' ')
n_cases=$(grep -v '^#' "$cases/expected.tsv" | awk 'NF { print $1 }' | sort -u | wc -l | tr -d ' ')

# ---- compare -------------------------------------------------------------
# The default value set again: nothing changes.
def=$(run models --format json | jq -r '.[] | select(.id == "trust") | .parameters[] |
      select(.name == "w_commitment") | .default')
run compare --format json --b-set "trust.w_commitment=$def" "$cases"/*.json >"$tmp/same.json" \
    || fail "compare with no change failed"
[ "$(jq -r '.summary.profiles, .summary.recommendation_changed, .summary.min_kendall_tau,
           .summary.viability_changes' "$tmp/same.json" | tr '\n' ' ')" = "$n_profiles 0 1 0 " ] \
    || { jq .summary "$tmp/same.json"; fail "an unchanged set compares as changed"; }
[ "$(jq '[.models[] | select(.mean_score_change != 0)] | length' "$tmp/same.json")" = 0 ] \
    || fail "an unchanged set moved a score"

# A commissioner that starts at 90 instead of 35.
run compare --format json --b-set commissioner.base=90 "$cases"/*.json >"$tmp/base.json" \
    || fail "compare --b-set failed"
jq -e '.summary.changed_profiles | index("barnsley-2012")' "$tmp/base.json" >/dev/null \
    || { jq .summary "$tmp/base.json"; fail "barnsley-2012 did not change"; }
[ "$(jq -r '[.profiles[] | select(.changed) | .recommended_b] | unique | join(",")' "$tmp/base.json")" \
  = commissioner ] || fail "a changed recommendation is not the commissioner"
[ "$(jq -r '[.profiles[] | select(.changed)] | length' "$tmp/base.json")" = \
  "$(jq -r .summary.recommendation_changed "$tmp/base.json")" ] || fail "summary count"
jq -e '.summary.mean_kendall_tau < 1 and .summary.min_kendall_tau >= -1' "$tmp/base.json" >/dev/null \
    || fail "tau did not drop"
jq -e '.models[] | select(.id == "commissioner") | .mean_score_change > 30 and
       .mean_score_change <= 55' "$tmp/base.json" >/dev/null || fail "commissioner's mean change"
jq -e '.models[] | select(.id == "trust") | .mean_score_change == 0' "$tmp/base.json" >/dev/null \
    || fail "trust's scores moved"
# The same inputs give the same bytes.
run compare --format json --b-set commissioner.base=90 "$cases"/*.json | cmp -s - "$tmp/base.json" \
    || fail "compare JSON is not deterministic"
# The table says where.
run compare --b-set commissioner.base=90 "$cases"/*.json >"$tmp/base.txt"
grep -q '^barnsley-2012 .*improvement_board -> commissioner *CHANGED' "$tmp/base.txt" \
    || { cat "$tmp/base.txt"; fail "table does not show the change"; }
grep -q 'the recommendation changed on [1-9]' "$tmp/base.txt" || fail "table summary"
run compare --format markdown --b-set commissioner.base=90 "$cases"/*.json >"$tmp/base.md"
grep -q '^| barnsley-2012 | improvement_board -> commissioner | \*\*changed\*\* |' "$tmp/base.md" \
    || { cat "$tmp/base.md"; fail "markdown row"; }

# A model added on side B only: the others keep their order (tau 1).
cat >"$tmp/flat.lua" <<'EOF'
return { id = "flat_fifty", name = "Flat", version = "1.0.0", summary = "always 50",
  evidence = "none (test)", parameters = {},
  score = function(p) return { score = 50, reasons = { { fields = "", points = 50,
    text = "the same for everyone", evidence = "none (test)" } } } end }
EOF
chmod 644 "$tmp/flat.lua"
run compare --format json --b-model "$tmp/flat.lua" "$cases"/*.json >"$tmp/add.json" || fail "--b-model failed"
jq -e '.models[] | select(.id == "flat_fifty") | (.in_a | not) and .in_b' "$tmp/add.json" >/dev/null \
    || fail "flat_fifty is not on side B only"
[ "$(jq -r .summary.min_kendall_tau "$tmp/add.json")" = 1 ] || fail "adding a model reordered the others"

# Two separate sets: the same id in two directories (v1 scores 50, v2 60).
mkdir "$tmp/v1" "$tmp/v2"
cp "$tmp/flat.lua" "$tmp/v1/flat.lua"
sed 's/score = 50, reasons/score = 60, reasons/; s/points = 50/points = 60/' "$tmp/flat.lua" >"$tmp/v2/flat.lua"
chmod 755 "$tmp/v1" "$tmp/v2"; chmod 644 "$tmp/v1/flat.lua" "$tmp/v2/flat.lua"
run compare --format json --no-bundled --models "$tmp/v1" --b-separate --b-models "$tmp/v2" \
    "$cases"/*.json >"$tmp/sep.json" || fail "--b-separate failed"
[ "$(jq -r '.a.models, .b.models | join(",")' "$tmp/sep.json" | tr '\n' ' ')" = "flat_fifty flat_fifty " ] \
    || { jq '.a, .b' "$tmp/sep.json"; fail "separate sets hold other models"; }
jq -e '.models[0].mean_score_change == 10' "$tmp/sep.json" >/dev/null || fail "v1 -> v2 is not +10"
# Without --b-separate B would load both copies of flat_fifty: refused by name.
status=0
run compare --no-bundled --models "$tmp/v1" --b-models "$tmp/v2" "$cases"/*.json >/dev/null 2>"$tmp/err" \
    || status=$?
[ "$status" -ne 0 ] || fail "a duplicate id on side B was accepted"

# Usage errors.
for args in "$cases/barnsley-2012.json" "--b-set trust.base=1" \
            "--format csv --b-set trust.base=1 $cases/barnsley-2012.json"; do
    status=0
    # shellcheck disable=SC2086
    run compare $args >/dev/null 2>"$tmp/err" || status=$?
    [ "$status" -eq 2 ] || fail "compare $args: exit $status, expected 2"
done
run compare "$cases/barnsley-2012.json" 2>&1 | grep -q 'nothing to compare' || fail "no-B message"
status=0
run compare --b-set trust.no_such=1 "$cases/barnsley-2012.json" >/dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "an unknown --b-set parameter: exit $status"

# ---- backtest ------------------------------------------------------------
run backtest >"$tmp/bt.txt" || { cat "$tmp/bt.txt"; fail "the bundled models disagree with the record"; }
grep -q "^A (the bundled models; [0-9]* models): agrees with the record on $n_cases of $n_cases cases" "$tmp/bt.txt" \
    || { cat "$tmp/bt.txt"; fail "backtest summary"; }
run backtest --format json "$cases/expected.tsv" >"$tmp/bt.json"
[ "$(jq -r '.sets[0].assertions_hold' "$tmp/bt.json")" = "$(grep -c '^[a-z]' "$cases/expected.tsv")" ] \
    || fail "not every assertion was checked"

status=0
run backtest --b-set commissioner.base=90 --format json >"$tmp/bt2.json" || status=$?
[ "$status" -eq 1 ] || fail "a disagreeing set B exits $status, expected 1"
jq -e --argjson n "$n_cases" '.sets[1].cases_agree < .sets[1].cases and .sets[0].cases_agree == $n' "$tmp/bt2.json" >/dev/null \
    || fail "set B's agreement"
jq -e '.cases[] | select(.id == "barnsley-2012") | .sets[1].assertions[] |
       select(.rule == "first" and .result == "fails") | .found |
       test("recommended commissioner")' "$tmp/bt2.json" >/dev/null || fail "barnsley's failed line"

# Any file in the format: profiles beside it, a failing line named, n/a counted.
mkdir "$tmp/mine"
cp "$cases/barnsley-2012.json" "$cases/torbay-2018.json" "$tmp/mine/"
cat >"$tmp/mine/expected.tsv" <<'EOF'
# two of mine
barnsley-2012   first   improvement_board
torbay-2018     first   trust
torbay-2018     viable  flat_fifty
EOF
status=0
run backtest "$tmp/mine/expected.tsv" >"$tmp/mine.txt" || status=$?
[ "$status" -eq 1 ] || fail "a failing assertion exits $status"
grep -q '^torbay-2018 *DISAGREES (0/1)' "$tmp/mine.txt" || { cat "$tmp/mine.txt"; fail "torbay row"; }
grep -q 'line 3 first trust: recommended improvement_board, expected trust' "$tmp/mine.txt" \
    || { cat "$tmp/mine.txt"; fail "the failing line is not named"; }
grep -q 'agrees with the record on 1 of 2 cases (1 of 2 assertions; 1 not applicable)' "$tmp/mine.txt" \
    || { cat "$tmp/mine.txt"; fail "mine summary"; }
run backtest --b-model "$tmp/flat.lua" "$tmp/mine/expected.tsv" 2>&1 | \
    grep -q '^B (A with --b-model .*flat.lua): agrees with the record on 1 of 2 cases (2 of 3' \
    || fail "set B with the added model"
printf 'barnsley-2012 firstt improvement_board\n' >"$tmp/mine/bad.tsv"
status=0
run backtest "$tmp/mine/bad.tsv" >/dev/null 2>"$tmp/err" || status=$?
[ "$status" -eq 1 ] || fail "a malformed file exits $status"
grep -q 'bad.tsv:1: unknown rule "firstt"' "$tmp/err" || { cat "$tmp/err"; fail "malformed message"; }
status=0
run backtest --format markdown >/dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "backtest --format markdown: exit $status"
run backtest --help | grep -q 'agrees with the record' || fail "--help"
echo ok
