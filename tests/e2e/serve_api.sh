#!/bin/sh
# imeval serve's JSON API over real HTTP on loopback (docs/api.md), every
# endpoint with curl, each answer checked against the command: the result
# document of POST /api/evaluate is `imeval evaluate --format json`'s for
# the same profile (with and without draws), /api/sensitivity is
# `imeval sensitivity --format json`'s, /api/charts' sections are the
# sections of `imeval report`'s HTML byte for byte (one renderer), the
# difference view and the report name the changed input, scenarios and
# decisions land in a real SQLite register (what-ifs never as
# assessments), and errors are JSON with their status codes.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
CASES="$IMEVAL_ROOT/datasets/cases"
tmp=$(mktemp -d)
. "$IMEVAL_ROOT/tests/serve-lib.sh"
trap 'serve_kill; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
expect() { # expect STATUS WHAT METHOD PATH [BODYFILE]
    want=$1 what=$2
    shift 2
    got=$(api "$@")
    [ "$got" = "$want" ] || fail "$what: $* answered $got, expected $want: $(head -c 300 "$tmp/body")"
}
body() { # {"profile": FILE's profile, ...extra}
    jq -c --argjson extra "${2:-{\}}" '{profile: .} + $extra' "$1" >"$tmp/req.json"
}
DON="$CASES/doncaster-2013.json"
TOR="$CASES/torbay-2018.json"
REG="$tmp/reg.db"
"$IMEVAL_BIN" register init "$REG" >/dev/null 2>&1 || { echo "FAIL: register init"; exit 1; }
"$IMEVAL_BIN" evaluate "$DON" --register "$REG" --assessment don-1 >/dev/null 2>&1 ||
    { echo "FAIL: evaluate --register"; exit 1; }
serve_start "$DON" "$TOR" --register "$REG" || { echo "FAIL: imeval serve did not start"; exit 1; }

# ---- session, profiles, template
expect 200 session GET /api/session
n_models=$("$IMEVAL_BIN" models --format json | jq length)
[ "$(jq '.models | length' "$tmp/body")" = "$n_models" ] || fail "session: models are not imeval models'"
[ "$(jq '.ratings | length' "$tmp/body")" = 13 ] || fail "session: not 13 ratings"
[ "$(jq .register "$tmp/body")" = true ] || fail "session: register not said"
expect 200 profiles GET /api/profiles
[ "$(jq -c '[.profiles[] | select(.origin == "file") | .id]' "$tmp/body")" = '["doncaster-2013","torbay-2018"]' ] ||
    fail "profiles: the two files, in order: $(cat "$tmp/body")"
[ "$(jq -r '.profiles[] | select(.origin == "register") | .assessment' "$tmp/body")" = don-1 ] ||
    fail "profiles: the register's assessment don-1 missing"
expect 200 "profile f0" GET /api/profiles/f0
[ "$(jq -S .profile "$tmp/body")" = "$(jq -S . "$DON")" ] || fail "profiles/f0 is not the file's profile"
expect 200 "profile of the register" GET /api/profiles/a-don-1
[ "$(jq -S .profile "$tmp/body")" = "$(jq -S . "$DON")" ] || fail "profiles/a-don-1 is not the profile recorded"
expect 404 "unknown profile" GET /api/profiles/f9
expect 404 "a path as a key" GET /api/profiles/..%2F..%2Fetc%2Fpasswd
expect 200 template GET /api/template
jq -c . "$tmp/body" >"$tmp/tpl.json"
expect 200 "evaluate the template" POST /api/evaluate "$tmp/tpl.json"
[ "$(jq '.results[0].ranking | length' "$tmp/body")" = "$n_models" ] || fail "the template does not evaluate"

# ---- evaluate: the result document of imeval evaluate
for f in "$DON" "$TOR" "$CASES/isle-of-wight-2013.json"; do
    body "$f"
    expect 200 "evaluate $(basename "$f")" POST /api/evaluate "$tmp/req.json"
    "$IMEVAL_BIN" evaluate "$f" --format json >"$tmp/cmd.json" 2>/dev/null
    [ "$(jq -S '.results | map(del(.source))' "$tmp/body")" = "$(jq -S '.results | map(del(.source))' "$tmp/cmd.json")" ] ||
        fail "evaluate $(basename "$f"): results differ from imeval evaluate's"
    [ "$(jq -S .models "$tmp/body")" = "$(jq -S .models "$tmp/cmd.json")" ] || fail "evaluate: models differ"
    [ "$(jq -r .format "$tmp/body")" = imeval-result/1 ] || fail "evaluate: format"
done
body "$DON" '{"draws": 2000, "seed": 7}'
expect 200 "evaluate with draws" POST /api/evaluate "$tmp/req.json"
"$IMEVAL_BIN" evaluate "$DON" --format json --draws 2000 --seed 7 >"$tmp/cmd.json" 2>/dev/null
[ "$(jq -S '.results | map(del(.source))' "$tmp/body")" = "$(jq -S '.results | map(del(.source))' "$tmp/cmd.json")" ] ||
    fail "evaluate --draws 2000 --seed 7: results (uncertainty) differ from imeval evaluate's"
[ "$(jq '.results[0].uncertainty.seed' "$tmp/body")" = 7 ] || fail "the seed is not shown"

# ---- sensitivity
body "$DON"
expect 200 sensitivity POST /api/sensitivity "$tmp/req.json"
"$IMEVAL_BIN" sensitivity "$DON" --format json >"$tmp/cmd.json" 2>/dev/null
[ "$(jq -S . "$tmp/body")" = "$(jq -S . "$tmp/cmd.json")" ] || fail "sensitivity differs from imeval sensitivity's"

# ---- the difference view: one rating changed
jq '.ratings.political_commitment = 3.5' "$DON" >"$tmp/what-if.json"
jq -c '{profile: ., base_key: "f0"}' "$tmp/what-if.json" >"$tmp/req.json"
expect 200 diff POST /api/diff "$tmp/req.json"
[ "$(jq -c '[.changed_inputs[].field]' "$tmp/body")" = '["ratings.political_commitment"]' ] ||
    fail "diff: changed inputs $(jq -c .changed_inputs "$tmp/body")"
"$IMEVAL_BIN" evaluate "$tmp/what-if.json" --format json >"$tmp/cmd.json" 2>/dev/null
"$IMEVAL_BIN" evaluate "$DON" --format json >"$tmp/cmd0.json" 2>/dev/null
for m in $(jq -r '.results[0].ranking[].model' "$tmp/cmd.json"); do
    want=$(jq -n --slurpfile a "$tmp/cmd0.json" --slurpfile b "$tmp/cmd.json" --arg m "$m" \
        '($b[0].results[0].ranking[] | select(.model == $m) | .score) - ($a[0].results[0].ranking[] | select(.model == $m) | .score) | . * 10 | round / 10')
    got=$(jq --arg m "$m" '.models[] | select(.model == $m) | .delta' "$tmp/body")
    [ "$got" = "$want" ] || fail "diff: $m moved $got, imeval evaluate says $want"
done
[ "$(jq -r .recommended.to "$tmp/body")" = "$(jq -r '.results[0].recommended' "$tmp/cmd.json")" ] ||
    fail "diff: the recommendation is not imeval evaluate's"
jq -e '[.models[] | .reasons_added + .reasons_removed + .reasons_changed | length] | add > 0' "$tmp/body" >/dev/null ||
    fail "diff: no reason changed although a rating did"
jq -c '{profile: .}' "$tmp/what-if.json" >"$tmp/req.json"
expect 400 "diff without a base" POST /api/diff "$tmp/req.json"

# ---- charts: the report's own sections
body "$DON" '{"draws": 2000, "seed": 1, "sections": ["ranking", "robustness", "change", "timeline"]}'
expect 200 charts POST /api/charts "$tmp/req.json"
cp "$tmp/body" "$tmp/charts.json"
"$IMEVAL_BIN" report "$DON" --draws 2000 --seed 1 -o "$tmp/report.html" 2>/dev/null || fail "imeval report"
for s in ranking:3 robustness:4 change:6 timeline:7; do
    i=${s#*:}
    s=${s%:*}
    jq -j ".sections.$s" "$tmp/charts.json" >"$tmp/sec.html"
    # the section as the report wrote it: from its <section> to its </section>
    awk -v id="a1-s$i" 'index($0, "<section aria-labelledby=\"" id "\">") == 1 { on = 1 }
        on { print } on && /<\/section>$/ { exit }' "$tmp/report.html" >"$tmp/rep.html"
    [ -s "$tmp/rep.html" ] || fail "charts: no section $s in imeval report's HTML"
    cmp -s "$tmp/sec.html" "$tmp/rep.html" || { fail "charts: section $s differs from imeval report's"; diff "$tmp/sec.html" "$tmp/rep.html" | cut -c1-200 | head -5; }
    grep -q '<svg[^>]*role="img"' "$tmp/sec.html" || fail "charts: section $s has no svg"
done
jq -j .sections.ranking "$tmp/charts.json" | grep -o "<svg.*</svg>" >"$tmp/chart.svg"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$tmp/chart.svg" 2>/dev/null || fail "charts: the ranking SVG is not well-formed XML"
fi
# without summary or change the tipping points are not computed, and the
# figure ids stay the report's all the same (no id shared with a later
# call for the tipping points)
body "$DON" '{"draws": 2000, "seed": 1, "sections": ["timeline"]}'
expect 200 "charts: the timeline alone" POST /api/charts "$tmp/req.json"
jq -j .sections.timeline "$tmp/body" >"$tmp/sec.html"
awk 'index($0, "<section aria-labelledby=\"a1-s7\">") == 1 { on = 1 }
    on { print } on && /<\/section>$/ { exit }' "$tmp/report.html" >"$tmp/rep.html"
cmp -s "$tmp/sec.html" "$tmp/rep.html" || fail "charts: the timeline alone differs from imeval report's"
body "$DON" '{"sections": ["nonsense"]}'
expect 400 "charts: unknown section" POST /api/charts "$tmp/req.json"

# ---- report: HTML to download, the changed input flagged
jq -c '{profile: ., base_key: "f0", draws: 200}' "$tmp/what-if.json" >"$tmp/req.json"
code=$(curl -s -D "$tmp/head" -o "$tmp/what-if.html" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/req.json" "$BASE/api/report")
[ "$code" = 200 ] || fail "report: $code"
grep -qi '^Content-Type: text/html' "$tmp/head" || fail "report: not text/html"
grep -qi '^Content-Disposition: attachment; filename="doncaster-2013-what-if.html"' "$tmp/head" ||
    fail "report: no attachment name"
grep -q 'class="whatif"><strong>What-if, not the profile as assessed' "$tmp/what-if.html" ||
    fail "report: not marked as a what-if"
grep -q 'ratings.political_commit.*to <bdi>3.5</bdi>' "$tmp/what-if.html" || fail "report: the changed rating not named"
[ "$(grep -c 'what-if, assessed as' "$tmp/what-if.html")" = 1 ] || fail "report: the changed rating not flagged in the inputs"

# ---- scenario (what-if) and decision in the register
jq -c '{profile: ., base_key: "a-don-1", title: "if members back it", author: "A. Adviser"}' \
    "$tmp/what-if.json" >"$tmp/req.json"
expect 201 scenario POST /api/scenario "$tmp/req.json"
sid=$(jq -r .id "$tmp/body")
[ "$(jq -r .kind "$tmp/body")" = what-if ] || fail "scenario: kind $(jq -r .kind "$tmp/body")"
expect 200 "profiles after the scenario" GET /api/profiles
[ "$(jq -r --arg id "$sid" '.profiles[] | select(.assessment == $id) | .what_if' "$tmp/body")" = true ] ||
    fail "scenario: not listed as a what-if"
expect 200 "the scenario's profile" GET "/api/profiles/a-$sid"
[ "$(jq .profile.ratings.political_commitment "$tmp/body")" = 3.5 ] || fail "scenario: its profile was not kept"
"$IMEVAL_BIN" register history doncaster --register "$REG" --format json >"$tmp/hist.json" 2>/dev/null ||
    fail "register history"
[ "$(jq '[.entries[] | select(.kind == "assessment")] | length' "$tmp/hist.json")" = 1 ] ||
    fail "scenario: the register counts more than the one assessment"
jq -c '{profile: ., base_key: "f0"}' "$tmp/what-if.json" >"$tmp/req.json"
expect 422 "scenario on a file's profile" POST /api/scenario "$tmp/req.json"
printf '{"assessment":"don-1","model":"trust","rationale":"members will not back a commissioner","author":"A. Adviser"}' >"$tmp/req.json"
expect 201 decision POST /api/decision "$tmp/req.json"
did=$(jq -r .id "$tmp/body")
"$IMEVAL_BIN" register history doncaster --register "$REG" --format json 2>/dev/null | grep -q "$did" ||
    fail "decision $did not in the register's history"
printf '{"assessment":"nope","model":"trust","rationale":"x"}' >"$tmp/req.json"
expect 404 "decision on an unknown assessment" POST /api/decision "$tmp/req.json"
"$IMEVAL_BIN" register verify --register "$REG" >/dev/null 2>&1 || fail "register verify after the server wrote"

# ---- errors: JSON with a status
printf '{"profile": ' >"$tmp/req.json"
expect 400 "malformed JSON" POST /api/evaluate "$tmp/req.json"
[ "$(jq .error.status "$tmp/body")" = 400 ] || fail "error body: $(cat "$tmp/body")"
printf '[1,2]' >"$tmp/req.json"
expect 400 "not an object" POST /api/evaluate "$tmp/req.json"
jq -c '{profile: (.ratings.acceptance = 7)}' "$DON" >"$tmp/req.json"
expect 422 "invalid profile" POST /api/evaluate "$tmp/req.json"
[ "$(jq -r '.error.errors[0].where' "$tmp/body")" = ratings.acceptance ] || fail "422 does not name the field: $(cat "$tmp/body")"
body "$DON" '{"draws": 20001}'
expect 400 "too many draws" POST /api/evaluate "$tmp/req.json"
body "$DON" '{"seed": -1}'
expect 400 "negative seed" POST /api/evaluate "$tmp/req.json"
expect 404 "unknown endpoint" GET /api/nothing
expect 405 "GET on a POST endpoint" GET /api/evaluate
serve_stop || fail "serve did not stop cleanly on SIGTERM (exit $?)"

# ---- without a register: saving refused, 409
serve_start "$DON" || { echo "FAIL: imeval serve did not start"; exit 1; }
jq -c '{profile: ., base_key: "f0"}' "$tmp/what-if.json" >"$tmp/req.json"
expect 409 "scenario without a register" POST /api/scenario "$tmp/req.json"
printf '{"assessment":"don-1","model":"trust"}' >"$tmp/req.json"
expect 409 "decision without a register" POST /api/decision "$tmp/req.json"
kill -INT "$SERVE_PID"
wait "$SERVE_PID"
st=$?
SERVE_PID=""
[ "$st" = 0 ] || fail "SIGINT: exit $st, expected 0 after a clean stop"

# ---- usage errors exit 2
"$IMEVAL_BIN" serve --port 70000 >/dev/null 2>&1; [ $? = 2 ] || fail "--port 70000 is not a usage error"
"$IMEVAL_BIN" serve --bind nowhere >/dev/null 2>&1; [ $? = 2 ] || fail "--bind nowhere is not a usage error"
"$IMEVAL_BIN" serve --bind 0.0.0.0 >/dev/null 2>&1; [ $? = 2 ] || fail "--bind 0.0.0.0 is not a usage error"
"$IMEVAL_BIN" serve --register "$tmp/none.db" >/dev/null 2>&1; [ $? = 2 ] || fail "a missing register is not a usage error"
"$IMEVAL_BIN" serve --help | grep -q 'token' || fail "--help does not explain the token"
[ $failures -eq 0 ] && echo "serve_api: ok"
exit $((failures > 0))
