#!/bin/sh
# Text from a profile or a model reaches the outputs escaped:
#   - the table has no control character (terminal escapes, CR) from a
#     profile's name or a model's text;
#   - Markdown escapes HTML (<, >, &), | and CR from profile strings;
#   - JSON is valid UTF-8 even for a file name that is not;
#   - a profile string with \u0000 is refused, naming the field and line
#     (cJSON cut the string there without a word);
#   - a --params file naming a model or a parameter twice is refused.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
T=${IMEVAL_TEST_TIMEOUT:-300}
CASES="$IMEVAL_ROOT/datasets/cases"
D="$IMEVAL_ROOT/tests/data/robust"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ev() {
    timeout -k 5 "$T" "$IMEVAL_BIN" evaluate "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}
esc=$(printf '\033')
cr=$(printf '\r')
has_control() { LC_ALL=C grep -q "[$esc$cr]" "$1"; }

jq '.name = "Evil\u001b[2J\u001b]0;title\u0007<b>bold</b> & | cell\rCR"' \
    "$CASES/torbay-2018.json" >"$tmp/evil.json"
ev "$tmp/evil.json"
[ "$status" -le 1 ] || { fail "hostile profile: exit $status"; cat "$tmp/err"; }
has_control "$tmp/out" && fail "table: a control character from the profile reached the output"
grep -q "Evil" "$tmp/out" || fail "table: the profile's name is not shown"
ev --format markdown "$tmp/evil.json"
has_control "$tmp/out" && fail "markdown: a control character reached the output"
grep -q "<b>\|<i>" "$tmp/out" && fail "markdown: raw HTML from the profile"
grep -qF '&lt;b&gt;bold&lt;/b&gt; &amp; \| cell' "$tmp/out" ||
    { fail "markdown: the name is not escaped"; grep -i evil "$tmp/out" | head -3; }

# A model's texts with escape sequences.
cat >"$tmp/noisy.lua" <<'LUA'
return { id = "noisy", name = "Noisy", version = "1", summary = "s", evidence = "e",
         score = function(p)
           return { score = 50, reasons = { { fields = { "ratings.acceptance" }, points = 1,
                    text = "clear \27[2J screen\rover", evidence = "e\27]0;x\7" } },
                    risks = { "risk \27[31mred" } }
         end }
LUA
chmod 644 "$tmp/noisy.lua"
ev --no-bundled --model "$tmp/noisy.lua" --explain "$CASES/torbay-2018.json"
has_control "$tmp/out" && fail "table --explain: a control character from a model reached the output"
grep -q "clear" "$tmp/out" || { fail "table --explain: the reason is not shown"; cat "$tmp/out" "$tmp/err"; }
ev --no-bundled --model "$tmp/noisy.lua" --format markdown "$CASES/torbay-2018.json"
has_control "$tmp/out" && fail "markdown: a control character from a model reached the output"

# JSON stays valid UTF-8 when a file name is not.
bad="$tmp/$(printf 'bad\377name.json')"
cp "$D/out_of_range.json" "$bad"
ev --format json "$bad" "$CASES/torbay-2018.json"
iconv -f UTF-8 -t UTF-8 "$tmp/out" >/dev/null 2>&1 || fail "JSON: invalid UTF-8 in the document"
jq -e '.errors | length > 0' "$tmp/out" >/dev/null || fail "JSON: not a document with its errors"
timeout -k 5 "$T" "$IMEVAL_BIN" validate --format json "$bad" >"$tmp/out" 2>"$tmp/err"
iconv -f UTF-8 -t UTF-8 "$tmp/out" >/dev/null 2>&1 || fail "validate JSON: invalid UTF-8 in the document"
# The same for every command that names a file in its document (the model's
# path in models and check-model).
baddir="$tmp/$(printf 'models\377')"
mkdir "$baddir"
sed 's/id = "trust"/id = "trust_copy"/' "$IMEVAL_ROOT/models/trust.lua" >"$baddir/copy.lua"
chmod go-w "$baddir" "$baddir/copy.lua"
IMEVAL_TRUST_PLUGIN_DIRS=1 timeout -k 5 "$T" "$IMEVAL_BIN" models --format json --model "$baddir/copy.lua" \
    >"$tmp/out" 2>"$tmp/err" || fail "models with a model under a non-UTF-8 name: $(cat "$tmp/err")"
iconv -f UTF-8 -t UTF-8 "$tmp/out" >/dev/null 2>&1 || fail "models JSON: invalid UTF-8 in the document"
jq -e 'map(select(.id == "trust_copy")) | length == 1' "$tmp/out" >/dev/null ||
    fail "models JSON: the model under a non-UTF-8 name is not listed"
IMEVAL_TRUST_PLUGIN_DIRS=1 timeout -k 5 "$T" "$IMEVAL_BIN" check-model --format json "$baddir/copy.lua" \
    >"$tmp/out" 2>"$tmp/err"
iconv -f UTF-8 -t UTF-8 "$tmp/out" >/dev/null 2>&1 || fail "check-model JSON: invalid UTF-8 in the document"
jq -e . "$tmp/out" >/dev/null || fail "check-model JSON: not a document"

# \u0000 in a profile string is refused, with the field and its line.
jq '.name = "Tor\u0000bay"' "$CASES/torbay-2018.json" >"$tmp/nul.json"
line=$(grep -n '"name"' "$tmp/nul.json" | head -n 1 | cut -d: -f1)
timeout -k 5 "$T" "$IMEVAL_BIN" validate "$tmp/nul.json" >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 1 ] || fail "\\u0000: exit $status, expected 1"
grep -qF "$tmp/nul.json:$line: name: \\u0000 (a NUL character) in a string: not allowed in a profile" "$tmp/err" ||
    { fail "\\u0000: no message naming name and line $line"; cat "$tmp/err"; }
# ... also in a key, and in a file of several profiles (JSON Lines).
{ jq -c . "$CASES/torbay-2018.json"; jq -c '.ratings["gover\u0000nance"] = 2' "$CASES/torbay-2018.json" | sed 's/"id":"torbay-2018"/"id":"t2"/'; } >"$tmp/nul.jsonl"
timeout -k 5 "$T" "$IMEVAL_BIN" validate "$tmp/nul.jsonl" >"$tmp/out" 2>"$tmp/err"
grep -qF "$tmp/nul.jsonl:2: gover\\u0000nance: \\u0000" "$tmp/err" || grep -qF "$tmp/nul.jsonl:2: gover: \\u0000" "$tmp/err" ||
    { fail "\\u0000 in a key: no message for line 2"; cat "$tmp/err"; }
grep -q "1 valid, 1 invalid" "$tmp/err" "$tmp/out" || { fail "\\u0000: the good profile was not kept"; cat "$tmp/out" "$tmp/err"; }

# A parameters file naming a parameter or a model twice.
printf '{"trust": {"base": 20, "base": 30}}\n' >"$tmp/dup.json"
ev --params "$tmp/dup.json" "$CASES/torbay-2018.json"
[ "$status" -ne 0 ] || fail "--params duplicate key: exit 0"
grep -qF 'trust.base: duplicate key "base"' "$tmp/err" || { fail "--params duplicate key: no message"; cat "$tmp/err"; }
printf '{"trust": {"base": 20}, "trust": {"base": 30}}\n' >"$tmp/dup2.json"
ev --params "$tmp/dup2.json" "$CASES/torbay-2018.json"
[ "$status" -ne 0 ] || fail "--params duplicate model: exit 0"
grep -qF 'model "trust" appears twice' "$tmp/err" || { fail "--params duplicate model: no message"; cat "$tmp/err"; }
printf '{"trust": {"ba\\u0000se": 20}}\n' >"$tmp/nulp.json"
ev --params "$tmp/nulp.json" "$CASES/torbay-2018.json"
[ "$status" -ne 0 ] || fail "--params \\u0000: exit 0"
grep -qF '\u0000 (a NUL character)' "$tmp/err" || { fail "--params \\u0000: no message"; cat "$tmp/err"; }

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
