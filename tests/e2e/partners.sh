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

# ---- sensitivity over the partner's attributes (hand-computed in check_allocate.c) --
jq -e '.partners[0].councils[0].tipping_points[] | select(.attribute == "spare_leadership_capacity"
        and .changes == "viable") | .from == 1.5 and .to == 3.39 and .viable and .fit == 45' \
    "$tmp/p.json" >/dev/null || { jq '.partners[0].councils[0].tipping_points' "$tmp/p.json";
                                 fail "Plymouth's spare-capacity tipping point"; }
cat >"$tmp/west.json" <<'EOF2'
{ "id": "westshire", "grade": "good", "child_population": 150000, "spare_leadership_capacity": 2.5,
  "current_commitments": 5, "capacity": 6, "neighbours": ["torbay"] }
EOF2
run partners "$tmp/west.json" "$cases/torbay-2018.json" >"$tmp/west.txt"
tr -s ' \n' '  ' <"$tmp/west.txt" |
    grep -q 'with one fewer commitment, westshire would be a viable partner (executive_partnership, fit 46.5)' || { cat "$tmp/west.txt"; fail "no 'with one fewer commitment' for westshire"; }
run partners --format json "$tmp/west.json" "$cases/torbay-2018.json" |
    jq -e '[.partners[0].councils[0].tipping_points[] | select(.attribute == "current_commitments")][0] |
           .from == 5 and .to == 4 and .changes == "viable" and .viable' >/dev/null \
    || fail "westshire's commitments tipping point in JSON"

# imeval sensitivity covers each candidate partner of the profile the same way
run sensitivity --format json "$cases/torbay-2018.json" >"$tmp/s.json" || fail "sensitivity failed"
jq -e '.results[0].partners[0] | .partner == "plymouth" and (.viable | not) and .fit == 22.5 and
       ([.tipping_points[] | select(.attribute == "spare_leadership_capacity" and .changes == "viable"
         and .to == 3.39)] | length == 1) and
       ([.tipping_points[] | select(.attribute == "grade" and .to == "good" and .viable)] | length > 0)' \
    "$tmp/s.json" >/dev/null || { jq ".results[0].partners" "$tmp/s.json"; fail "sensitivity: partners"; }
run sensitivity "$cases/isle-of-wight-2013.json" | tr -s ' \n' '  ' |
    grep -q 'hampshire: fit 94.0, viable with 4 more commitments, its fit would fall below 70 (62.0) with 7 more commitments, hampshire would no longer be a viable partner' \
    || fail "sensitivity table: Hampshire's commitments"
run report "$cases/torbay-2018.json" -o "$tmp/t.html" || fail "report torbay failed"
grep -q '<li><bdi>with spare leadership capacity 3.39 (now 1.5), plymouth would be a viable partner (executive_partnership, fit 45.0)</bdi></li>' \
    "$tmp/t.html" || fail "the report does not give Plymouth's tipping point"
run sensitivity --format markdown "$cases/torbay-2018.json" | grep -q '^### Candidate partners' \
    || fail "sensitivity markdown: no partners"
run sensitivity --format json -j 1 "$cases"/*.json >"$tmp/s1.json"
run sensitivity --format json -j 2 "$cases"/*.json | cmp -s - "$tmp/s1.json" \
    || fail "sensitivity JSON differs with --jobs"

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
jq -e '[.assignments[] | .fit_model != null and
        (([.fit_components[].points] | add) - .fit | fabs) < 0.5] | all' "$tmp/a.json" >/dev/null \
    || fail "an assignment's fit components missing or not summing to its fit"
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

# ---- dated partners: an allocation on a date counts what is in force then --
# The worked example of docs/partners.md: on 2013 (the latest as_of) Leeds is not
# yet a partner (partners in practice from 2015-12), so Kingston gets Richmond.
run allocate --format json --partners "$partners" "$cases/barnsley-2012.json" \
    "$cases/kingston-2012.json" "$cases/isle-of-wight-2013.json" "$cases/doncaster-2013.json" \
    >"$tmp/d.json" || fail "allocate 2012-13 failed"
[ "$(jq -r '.as_of' "$tmp/d.json")" = 2013 ] || fail "the allocation's date is not the latest as_of"
[ "$(jq -r '.assignments[] | select(.council == "kingston-2012") | .partner' "$tmp/d.json")" \
  = richmond ] || { jq .assignments "$tmp/d.json"; fail "Kingston 2012 is not given Richmond"; }
jq -e '.partners[] | select(.id == "leeds") | .available == false and .places == 0' "$tmp/d.json" \
    >/dev/null || fail "Leeds is available in 2013"
# Plymouth's dated commitment to Torbay (2018-04 until 2020-03): in force on 2019, not on 2021
# nor on 2017; hand-made: capacity 3, one commitment ended, one open, one from 2019
cat >"$tmp/dated.json" <<'EOF2'
[{ "id": "westshire", "grade": "outstanding", "child_population": 150000,
   "spare_leadership_capacity": 3, "capacity": 3, "available_until": "2022-12",
   "commitments": [{ "council": "eastby", "from": "2014", "until": "2017-01" },
                   { "council": "northby", "from": "2016-06" },
                   { "council": "southby", "from": "2019-01" }] }]
EOF2
for when in 2015:1:2 2017-03:1:2 2019-06:2:1 2023:2:0; do
    date=${when%%:*}; rest=${when#*:}; want_c=${rest%%:*}; want_p=${rest#*:}
    run allocate --format json --as-of "$date" --partners "$tmp/dated.json" \
        "$cases/isle-of-wight-2013.json" >"$tmp/w.json" || fail "allocate --as-of $date failed"
    [ "$(jq -r '.as_of, (.partners[0] | .current_commitments, .places)' "$tmp/w.json" | tr '\n' ' ')" \
      = "$date $want_c $want_p " ] || { jq .partners "$tmp/w.json"; fail "westshire on $date"; }
done
run allocate --as-of 2023 --partners "$tmp/dated.json" "$cases/isle-of-wight-2013.json" |
    grep -q 'westshire *0 of 0 places used; not available on 2023 (available until 2022-12)' \
    || fail "the table does not say westshire is no longer available"
for when in 2017:0 2019:1 2021:0; do
    run allocate --format json --as-of "${when%:*}" --partners "$partners" "$cases/torbay-2018.json" \
        >"$tmp/pl.json" || fail "allocate plymouth ${when%:*}"
    [ "$(jq '.partners[] | select(.id == "plymouth") | .current_commitments' "$tmp/pl.json")" \
      = "${when#*:}" ] || fail "Plymouth's commitments on ${when%:*}"
done
# imeval partners: each council on its own date; an unavailable partner says from when
jq '.[] | select(.id == "leeds")' "$partners" >"$tmp/leeds.json"
run partners --format json "$tmp/leeds.json" "$cases/kingston-2012.json" "$cases/kirklees-2017.json" \
    >"$tmp/l.json" || fail "partners leeds failed"
[ "$(jq -r '.partners[0].councils[] | .verdict, .available' "$tmp/l.json" | tr '\n' ' ')" \
  = "not available false could support true " ] || { jq . "$tmp/l.json"; fail "Leeds by date"; }
[ "$(jq -r '.partners[0].councils[0].availability' "$tmp/l.json")" = "available from 2015-12" ] \
    || fail "no availability given"
run partners "$tmp/leeds.json" "$cases/kingston-2012.json" | grep -q 'on 2012-07: available from 2015-12' \
    || fail "partners table: no availability"
[ "$(run partners --format json --as-of 2013 "$tmp/leeds.json" "$cases/kirklees-2017.json" |
     jq -r '.partners[0].councils[0].verdict')" = "not available" ] || fail "partners --as-of"

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
[ "$(status allocate --as-of June --partners "$partners" "$cases/torbay-2018.json")" = 2 ] \
    || fail "allocate --as-of June"
[ "$(status partners --as-of 2019-13 "$partners" "$cases/torbay-2018.json")" = 2 ] \
    || fail "partners --as-of 2019-13"
printf '{"id": "q", "capacity": 1, "commitments": [{"from": "soon"}]}' >"$tmp/bd.json"
run allocate --partners "$tmp/bd.json" "$cases/torbay-2018.json" >/dev/null 2>"$tmp/err" \
    && fail "a bad commitment date was accepted"
grep -q 'bd.json.*commitments\[0\].from: expected a date' "$tmp/err" || { cat "$tmp/err"; fail "date message"; }
run allocate --help | grep -q -- '--as-of DATE' || fail "allocate --help: no --as-of"
run allocate --help | grep -q -- '--partners FILE' || fail "allocate --help"
run partners --help | grep -q 'PARTNER.json' || fail "partners --help"
echo ok
