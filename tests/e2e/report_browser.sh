#!/bin/sh
# The report in a real browser: tests/browser/a11y.mjs drives Debian's
# /usr/bin/chromium through playwright-core (no browser is ever
# downloaded) and runs axe-core's WCAG 2.x A and AA rules: no violation,
# no page or console error, no network request, every chart an
# svg[role=img] with its title and description, and an injected script
# blocked by the report's CSP.  The first page's screenshot is kept in
# build/artefacts/ (not in git).  node_modules is installed from the
# committed package-lock.json with `npm ci` when it is missing.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
B="$IMEVAL_ROOT/tests/browser"
ART="$(dirname "$IMEVAL_BIN")/artefacts"
mkdir -p "$ART"
for t in node npm; do
    command -v "$t" >/dev/null 2>&1 || { echo "FAIL: $t is not installed (tests/install-deps.sh test installs it)"; exit 1; }
done
[ -x "${IMEVAL_CHROMIUM:-/usr/bin/chromium}" ] || { echo "FAIL: no /usr/bin/chromium (tests/install-deps.sh test installs it)"; exit 1; }
if [ ! -d "$B/node_modules/playwright-core" ] || [ ! -d "$B/node_modules/axe-core" ]; then
    (cd "$B" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null 2>&1) \
        || { echo "FAIL: npm ci in tests/browser failed (is the npm registry reachable?)"; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
CASES="$IMEVAL_ROOT/datasets/cases"
"$IMEVAL_BIN" report "$CASES/doncaster-2013.json" --draws 500 --seed 7 -o "$tmp/one.html" 2>/dev/null \
    || { echo "FAIL: report exited $?"; exit 1; }
"$IMEVAL_BIN" report "$CASES/isle-of-wight-2013.json" "$CASES/torbay-2018.json" -o "$tmp/two.html" 2>/dev/null \
    || { echo "FAIL: two-profile report exited $?"; exit 1; }
# A hostile name and source (markup, quotes, a right-to-left override) must
# not break the page's accessibility either.
command -v jq >/dev/null && jq --arg n "<i>\"Council\"</i> & $(printf '\342\200\256')evil" \
    '.id = "hostile" | .name = $n | .source = $n' "$CASES/isle-of-wight-2013.json" >"$tmp/h.json" &&
    "$IMEVAL_BIN" report "$tmp/h.json" --draws 100 -o "$tmp/hostile.html" 2>/dev/null &&
    { node "$B/a11y.mjs" "$tmp/hostile.html" "$ART/report-hostile-screen-page1.png" || failures=$((failures + 1)); } ||
    { echo "FAIL: no hostile report"; failures=$((failures + 1)); }
node "$B/a11y.mjs" "$tmp/one.html" "$ART/report-screen-page1.png" || failures=$((failures + 1))
node "$B/a11y.mjs" "$tmp/two.html" "$ART/report-two-screen-page1.png" || failures=$((failures + 1))
[ "$failures" -eq 0 ] || { echo "FAIL: $failures report(s) failed the browser checks"; exit 1; }
