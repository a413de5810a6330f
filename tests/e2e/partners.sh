#!/bin/sh
# imeval partners and imeval allocate as a partner council and the DfE run
# them on the cases and the bundled partner councils: Hampshire-Isle of
# Wight is a strong pairing and Plymouth-Torbay a stretched, non-viable
# one; the allocation never exceeds a partner's places, names every
# council once (assigned or with its best model without a partner), and
# its total is the sum of its gains; more commitments never make a
# partner more useful; JSON is deterministic; bad input is refused with
# the file and the field; usage errors exit 2.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
cases="$IMEVAL_ROOT/datasets/cases"
partners="$IMEVAL_ROOT/datasets/partners/partners.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "partners: $*"; exit 1; }
run() { "$IMEVAL_BIN" "$@"; }

# ---- one partner council -----------------------------------------------
jq '.[] | select(.id == "hampshire")' "$partners" >"$tmp/hampshire.json"
jq '.[] | select(.id == "plymouth")' "$partners" >"$tmp/plymouth.json"
run partners --format json "$tmp/hampshire.json" "$cases/isle-of-wight-2013.json" >"$tmp/h.json" \
    || fail "partners hampshire failed"
[ "$(jq -r '.partners[0].councils[0] | .verdict, .with_partner.model, .neighbouring' "$tmp/h.json" |
     tr '\n' ' ')" = "could support executive_partnership true " ] \
    || { jq . "$tmp/h.json"; fail "Hampshire cannot support the Isle of Wight"; }
jq -e '.partners[0].councils[0].with_partner.fit >= 70' "$tmp/h.json" >/dev/null \
    || fail "Hampshire-Isle of Wight is not a strong fit"
jq -e '.partners[0].councils[0].gain > 0 and .partners[0].places == 2' "$tmp/h.json" >/dev/null \
    || fail "Hampshire's gain or places"

run partners --format json "$tmp/plymouth.json" "$cases/torbay-2018.json" >"$tmp/p.json" \
    || fail "partners plymouth failed"
[ "$(jq -r '.partners[0].councils[0] | .verdict, .with_partner.viable' "$tmp/p.json" | tr '\n' ' ')" \
  = "not viable false " ] || { jq . "$tmp/p.json"; fail "Plymouth-Torbay 2018 is viable"; }
jq -e '.partners[0].councils[0].with_partner.fit < 45 and .partners[0].places == 0' "$tmp/p.json" \
    >/dev/null || fail "Plymouth is not stretched"
# The table names the verdict too.
run partners "$tmp/plymouth.json" "$cases/torbay-2018.json" | grep -q 'torbay-2018 *not viable' \
    || fail "the table does not say Plymouth-Torbay is not viable"

# Commitments: one more never raises a fit or turns a no into a yes.
jq '.current_commitments = 1' "$tmp/hampshire.json" >"$tmp/h1.json"
run partners --format json "$tmp/h1.json" "$cases"/*.json >"$tmp/h1out.json"
run partners --format json "$tmp/hampshire.json" "$cases"/*.json >"$tmp/h0out.json"
jq -n --slurpfile a "$tmp/h0out.json" --slurpfile b "$tmp/h1out.json" -e '
    [range(0; $a[0].partners[0].councils | length) as $i |
     ($a[0].partners[0].councils[$i].with_partner) as $x |
     ($b[0].partners[0].councils[$i].with_partner) as $y |
     (($y.fit // -1) <= ($x.fit // -1)) and (($y.viable | not) or $x.viable)] | all' >/dev/null \
    || fail "an extra commitment raised a fit"

# ---- the fit itemised by component, everywhere it appears ---------------
# result JSON: every result that names a partner in the two partner models
# gives partner.components, one each of the named parts, summing to the fit
# (one decimal each: within 0.05 per part)
run evaluate --format json "$cases"/*.json >"$tmp/ev.json" || fail "evaluate failed"
jq -e '[.results[].ranking[] | select(.partner and (.model == "executive_partnership"
        or .model == "peer_support")) | .partner |
        (.components | length) >= 7 and
        ([.components[].name] | (unique | length) == length) and
        (([.components[] | .points] | add) - .fit | fabs) <= 0.05 * (.components | length)
        and ([.components[] | .evidence | length > 0] | all)] | (length > 10) and all' \
    "$tmp/ev.json" >/dev/null || fail "fit components missing, repeated or not summing to the fit"
jq -e '[.results[].ranking[] | select(.partner) | .partner.components[].name] | unique -
       ["limit"] == (["base", "commitments", "grade", "neighbouring", "receiving_conditions",
                      "size", "spare_capacity"] | sort)' "$tmp/ev.json" >/dev/null \
    || { jq '[.results[].ranking[] | select(.partner) | .partner.components[].name] | unique' \
            "$tmp/ev.json"; fail "unexpected fit component names"; }
# the table (compact), explain and the report
run evaluate "$cases/isle-of-wight-2013.json" >"$tmp/ev.txt"
grep -q 'executive_partnership: partner hampshire.s fit 94.0: base 40, grade +25,' "$tmp/ev.txt" \
    || { cat "$tmp/ev.txt"; fail "the table does not itemise Hampshire's fit"; }
run explain executive_partnership "$cases/torbay-2018.json" >"$tmp/ex.txt"
tr '\n' ' ' <"$tmp/ex.txt" | grep -q 'partner plymouth.s fit 22.5: base 40, grade -25, spare capacity -4' \
    || { cat "$tmp/ex.txt"; fail "explain does not itemise Plymouth's fit"; }
run report "$cases/isle-of-wight-2013.json" -o "$tmp/r.html" || fail "report failed"
grep -q 'What the fit of <bdi>hampshire</bdi> is made of' "$tmp/r.html" \
    || fail "the report does not itemise the fit"
grep -q '<td><bdi>spare_capacity</bdi></td><td class="n">+8.0</td>' "$tmp/r.html" \
    || fail "the report's fit table lacks spare capacity"
# imeval partners: the fit of each pairing with its parts, in the JSON and the table
jq -e '[.partners[0].councils[].with_partner | select(.fit != null) |
        .fit_model != null and (([.fit_components[].points] | add) - .fit | fabs) < 0.5] |
       (length > 5) and all' "$tmp/h0out.json" >/dev/null \
    || fail "partners: a pairing's fit components missing or not summing to its fit"
run partners "$tmp/plymouth.json" "$cases/torbay-2018.json" |
    grep -q 'fit 22.5 (executive_partnership) = base 40, grade -25, spare capacity -4,' \
    || fail "partners: the table does not itemise Plymouth's fit"

# ---- the national allocation -------------------------------------------
run allocate --format json --partners "$partners" "$cases"/*.json >"$tmp/a.json" \
    || fail "allocate failed"
run allocate --format json --partners "$partners" "$cases"/*.json | cmp -s - "$tmp/a.json" \
    || fail "allocate JSON differs between two runs"
n=$(ls "$cases"/*.json | wc -l)
[ "$(jq '(.assignments | length) + (.unassigned | length)' "$tmp/a.json")" = "$n" ] \
    || fail "not every council is named once"
[ "$(jq '[.assignments[].council, .unassigned[].council] | unique | length' "$tmp/a.json")" = "$n" ] \
    || fail "a council is named twice"
jq -e '[.partners[] | .assigned <= .places and .assigned == (.councils | length)] | all' \
    "$tmp/a.json" >/dev/null || { jq .partners "$tmp/a.json"; fail "a partner is over capacity"; }
jq -e '([.assignments[].gain] | add) as $t | (($t - .total_gain) | fabs) < 0.5' "$tmp/a.json" \
    >/dev/null || fail "the total is not the sum of the gains"
jq -e '[.assignments[] | .gain > 0] | all' "$tmp/a.json" >/dev/null || fail "a pairing gains nothing"
jq -e '[.unassigned[] | .why | length > 0] | all' "$tmp/a.json" >/dev/null || fail "no reason given"
[ "$(jq -r '.assignments[] | select(.council == "isle-of-wight-2013") | .partner' "$tmp/a.json")" \
  = hampshire ] || fail "the Isle of Wight is not given Hampshire"
jq -e '[.assignments[] | select(.partner == "plymouth")] | length == 0' "$tmp/a.json" >/dev/null \
    || fail "Plymouth, with no places, was given a council"

# One place fewer everywhere (capacity 0): nobody is assigned, everyone is told their best.
jq 'map(.capacity = 0)' "$partners" >"$tmp/none.json"
run allocate --format json --partners "$tmp/none.json" "$cases"/*.json >"$tmp/n.json" 2>"$tmp/n.err" \
    || fail "allocate with no places failed"
[ "$(jq '.assignments | length' "$tmp/n.json")" = 0 ] || fail "assigned with no places"
jq -e '[.unassigned[] | .best_model != null] | all' "$tmp/n.json" >/dev/null \
    || fail "an unassigned council has no best model"
jq -e '.best_extra_place.partner == "hampshire"' "$tmp/n.json" >/dev/null \
    || { jq '.best_extra_place, [.partners[] | {id, extra_place_gain}]' "$tmp/n.json";
         fail "one more place at Hampshire is not the most help"; }

# Table and markdown say the same.
run allocate --partners "$partners" "$cases"/*.json | grep -q 'isle-of-wight-2013 *hampshire' \
    || fail "table"
run allocate --format markdown --partners "$partners" "$cases"/*.json | grep -q '^| isle-of-wight-2013 | hampshire |' \
    || fail "markdown"

# ---- bad input ------------------------------------------------------------
printf '[{"id": "x", "grade": "great", "spare_leadership_capacity": 9}]' >"$tmp/bad.json"
if run allocate --partners "$tmp/bad.json" "$cases/torbay-2018.json" >/dev/null 2>"$tmp/err"; then
    fail "a bad partner file was accepted"
fi
grep -q 'bad.json.*\[0\].grade' "$tmp/err" || { cat "$tmp/err"; fail "no message naming the grade"; }
grep -q 'bad.json.*\[0\].spare_leadership_capacity' "$tmp/err" || fail "no message naming the rating"
printf '{"id": "y", "grade": "good"}' >"$tmp/nocap.json"
run allocate --partners "$tmp/nocap.json" "$cases/torbay-2018.json" >/dev/null 2>"$tmp/err" \
    && fail "a partner without capacity or spare capacity was accepted"
grep -q 'give capacity' "$tmp/err" || { cat "$tmp/err"; fail "no advice on capacity"; }
printf '[{"id": "z"' >"$tmp/trunc.json"
run allocate --partners "$tmp/trunc.json" "$cases/torbay-2018.json" >/dev/null 2>"$tmp/err" \
    && fail "truncated JSON was accepted"
grep -q 'trunc.json:1: not valid JSON' "$tmp/err" || { cat "$tmp/err"; fail "truncated JSON message"; }
jq '[.[0], .[0]]' "$partners" >"$tmp/dup.json"
run allocate --partners "$tmp/dup.json" "$cases/torbay-2018.json" >/dev/null 2>"$tmp/err" \
    && fail "a duplicate partner id was accepted"
grep -q 'duplicate partner id "hampshire"' "$tmp/err" || { cat "$tmp/err"; fail "duplicate message"; }

# ---- usage -------------------------------------------------------------
status() { set +e; run "$@" >/dev/null 2>&1; s=$?; set -e; echo "$s"; }
[ "$(status allocate "$cases/torbay-2018.json")" = 2 ] || fail "allocate without --partners"
[ "$(status allocate --partners "$partners")" = 2 ] || fail "allocate without profiles"
[ "$(status allocate --format csv --partners "$partners" "$cases/torbay-2018.json")" = 2 ] \
    || fail "allocate --format csv"
[ "$(status partners "$partners")" = 2 ] || fail "partners without profiles"
[ "$(status partners --format markdown "$partners" "$cases/torbay-2018.json")" = 2 ] \
    || fail "partners --format markdown"
run allocate --help | grep -q -- '--partners FILE' || fail "allocate --help"
run partners --help | grep -q 'PARTNER.json' || fail "partners --help"
echo ok
