#!/bin/sh
# imeval check-model as CI would run it: every bundled model and the
# plugin guide's examples pass (exit 0); each fixture in tests/plugins/ck_*
# breaks one rule and fails exactly that check (exit 1), in the table and
# in --format json; a plugin built for another ABI fails load and abi;
# usage errors exit 2.
set -eu
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}" "${IMEVAL_FIXTURES:=build/tests/plugins}"
: "${IMEVAL_MODELS_DIR:=build/models}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_model: $*"; exit 1; }
# Fewer profiles than the default keep this quick under valgrind and ASan;
# the checks are the same.
N=400

for m in "$IMEVAL_MODELS_DIR"/*.so "$IMEVAL_MODELS_DIR"/*.lua; do
    "$IMEVAL_BIN" check-model --profiles $N "$m" >"$tmp/out" 2>&1 \
        || { cat "$tmp/out"; fail "bundled model $m does not pass"; }
    tail -n 1 "$tmp/out" | grep -q ' 0 failed' || fail "no summary for $m"
    case "$m" in  # the partner models itemise the fit, and its parts sum to it
    *executive_partnership.so|*peer_support.lua)
        grep -Eq '^ok    partners .*; [1-9][0-9]* itemise its fit, and the components sum to it' \
            "$tmp/out" || { cat "$tmp/out"; fail "$m does not itemise its partner's fit"; } ;;
    esac
done
# The batch twins of the bundled models (bench fixtures) keep the batch rule.
for m in "$IMEVAL_FIXTURES"/batch_commissioner.so "$IMEVAL_FIXTURES"/ck_good.so; do
    "$IMEVAL_BIN" check-model --profiles $N "$m" >"$tmp/out" 2>&1 \
        || { cat "$tmp/out"; fail "$m does not pass"; }
done
grep -q '^ok    batch        the batch path gives what single calls give' "$tmp/out" \
    || { cat "$tmp/out"; fail "ck_good's batch path was not compared"; }

# One broken rule each: the check that must fail.
expect_fail() {  # FILE CHECK
    status=0
    "$IMEVAL_BIN" check-model --profiles $N "$1" >"$tmp/out" 2>&1 || status=$?
    [ "$status" -eq 1 ] || { cat "$tmp/out"; fail "$1: exit $status, expected 1"; }
    grep -q "^FAIL  $2 " "$tmp/out" || { cat "$tmp/out"; fail "$1: check $2 did not fail"; }
    status=0
    "$IMEVAL_BIN" check-model --profiles $N --format json "$1" >"$tmp/out.json" || status=$?
    [ "$status" -eq 1 ] || fail "$1: exit $status with --format json, expected 1"
    [ "$(jq -r --arg c "$2" '.checks[] | select(.name == $c) | .status' "$tmp/out.json")" = fail ] \
        || { cat "$tmp/out.json"; fail "$1: json does not say $2 failed"; }
    [ "$(jq -r '.ok' "$tmp/out.json")" = false ] || fail "$1: json ok is not false"
}
expect_fail "$IMEVAL_FIXTURES/ck_no_evidence.so" reasons
grep -q 'cites no evidence' "$tmp/out" || fail "no evidence: message does not say so"
expect_fail "$IMEVAL_FIXTURES/ck_no_reason.so" reasons
expect_fail "$IMEVAL_FIXTURES/ck_bad_field.so" reasons
grep -q 'names \\"ratings.nonsense\\", which is not a profile field' "$tmp/out.json" \
    || { cat "$tmp/out.json"; fail "bad field: message does not name ratings.nonsense"; }
cp "$IMEVAL_ROOT/tests/plugins/ck_bad_field.lua" "$tmp/"
chmod 644 "$tmp/ck_bad_field.lua"
expect_fail "$tmp/ck_bad_field.lua" reasons
expect_fail "$IMEVAL_FIXTURES/ck_stateful.so" determinism
expect_fail "$IMEVAL_FIXTURES/ck_bad_timeline.so" timelines
expect_fail "$IMEVAL_FIXTURES/ck_bad_partner.so" partners
grep -q 'names partner "nowhere-council", which is not among' "$tmp/out" || fail "partner message"
expect_fail "$IMEVAL_FIXTURES/ck_bad_fit.so" partners
grep -q 'fit 50.00, but its 2 components sum to 55.00' "$tmp/out" || { cat "$tmp/out"; fail "fit components message"; }
expect_fail "$IMEVAL_FIXTURES/ck_score_only.so" score_only
expect_fail "$IMEVAL_FIXTURES/ck_brief.so" brief
grep -q 'a brief call (IMV_VIEW_BRIEF, p.brief: a CSV) differs from the full call in the timeline' "$tmp/out" \
    || { cat "$tmp/out"; fail "brief message"; }
# evaluate makes brief calls for a CSV alone: ck_brief's timeline is missing
# there (so the flag reached it) and present in the table.
iow="$IMEVAL_ROOT/datasets/cases/isle-of-wight-2013.json"
"$IMEVAL_BIN" evaluate --no-bundled --model "$IMEVAL_FIXTURES/ck_brief.so" --format csv "$iow" \
    >"$tmp/brief.csv" || fail "evaluate --format csv with ck_brief"
tr -d "\r" <"$tmp/brief.csv" | grep -q "^isle-of-wight-2013,2013-02,ck_brief,1,50.0,moderate,true,,,,hampshire,50.0,,$" \
    || { cat "$tmp/brief.csv"; fail "the CSV's call was not brief"; }
"$IMEVAL_BIN" evaluate --no-bundled --model "$IMEVAL_FIXTURES/ck_brief.so" "$iow" >"$tmp/brief.txt" \
    || fail "evaluate with ck_brief"
grep -Eq '^ 1  ck_brief +50.0  moderate yes +2 +20 +40  hampshire 50$' "$tmp/brief.txt" \
    || { cat "$tmp/brief.txt"; fail "the table's call was brief"; }
expect_fail "$IMEVAL_FIXTURES/ck_bad_batch.so" batch
expect_fail "$IMEVAL_FIXTURES/ck_bad_ids.so" ids
expect_fail "$IMEVAL_FIXTURES/ck_bad_direction.so" directions
grep -q "against its declared direction (never raises)" "$tmp/out" || { cat "$tmp/out"; fail "direction message"; }
expect_fail "$IMEVAL_FIXTURES/reg_wrong_abi.so" abi
grep -q '^FAIL  load ' "$tmp/out" || fail "wrong ABI: load did not fail"
expect_fail "$tmp/no-such-model.so" load

# The JSON document: every check once, in order, with the model's id.
"$IMEVAL_BIN" check-model --profiles $N --format json "$IMEVAL_FIXTURES/ck_good.so" >"$tmp/good.json"
[ "$(jq -r '[.checks[].name] | join(" ")' "$tmp/good.json")" = \
  "load abi ids parameters scores timelines partners determinism reasons directions score_only brief batch speed limits" ] \
    || { cat "$tmp/good.json"; fail "json checks not in the documented order"; }
[ "$(jq -r '.model, .ok, .failed' "$tmp/good.json" | tr '\n' ' ')" = "ck_good true 0 " ] \
    || fail "json summary wrong"

# Usage errors exit 2.
for args in "" "a.so b.so" "--format csv x.so" "--profiles 5 x.so" "--no-such-option x.so"; do
    status=0
    # shellcheck disable=SC2086
    "$IMEVAL_BIN" check-model $args >/dev/null 2>&1 || status=$?
    [ "$status" -eq 2 ] || fail "check-model $args: exit $status, expected 2"
done
"$IMEVAL_BIN" check-model --help | grep -q 'one line per check' || fail "--help"
echo ok
