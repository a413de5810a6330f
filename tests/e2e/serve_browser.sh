#!/bin/sh
# The what-if page of `imeval serve` in a real browser over real HTTP on
# loopback: a register with one assessment (Middlesbrough 2020) is made, then
# `imeval serve datasets/cases/*.json --register REG` is started on a free
# port, and tests/browser/serve.mjs drives Debian's /usr/bin/chromium
# through playwright-core (no browser is ever downloaded): sign in with the
# printed token, pick the assessment, move a rating by keyboard and see the
# ranking become what `imeval evaluate --format json` gives for the same
# changed profile, add a partner and see its fit (checked the same way),
# a refused input shown with the server's message, save a what-if scenario
# and a decision (then checked with `imeval register history`), download
# the report (HTML, the changed input flagged), keyboard-only use, axe-core
# (WCAG 2.x A/AA) with no violation, no CSP violation, no page or console
# error, no request to another origin.  Screenshots are kept in
# build/artefacts/ (not in git).  The server is always stopped.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
B="$IMEVAL_ROOT/tests/browser"
ART="$(dirname "$IMEVAL_BIN")/artefacts"
mkdir -p "$ART"
rm -f "$ART/serve-failure.png"
for t in node npm jq; do
    command -v "$t" >/dev/null 2>&1 || { echo "FAIL: $t is not installed (tests/install-deps.sh test installs it)"; exit 1; }
done
[ -x "${IMEVAL_CHROMIUM:-/usr/bin/chromium}" ] || { echo "FAIL: no ${IMEVAL_CHROMIUM:-/usr/bin/chromium} (tests/install-deps.sh test installs the package chromium)"; exit 1; }
if [ ! -d "$B/node_modules/playwright-core" ] || [ ! -d "$B/node_modules/axe-core" ]; then
    (cd "$B" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null 2>&1) \
        || { echo "FAIL: npm ci in tests/browser failed (is the npm registry reachable?)"; exit 1; }
fi
tmp=$(mktemp -d)
pid=""
# Stop the server: SIGTERM, and SIGKILL from a watchdog if it has not gone
# in 60 s; sets $status to its exit status.
status=0
halt() {
    kill "$pid" 2>/dev/null
    (i=0
     while [ $i -lt 600 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
     kill -9 "$pid" 2>/dev/null) &
    wait "$pid"
    status=$?
    pid=""
}
stop() {
    [ -n "$pid" ] && halt
    rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

BIN=$(cd "$(dirname "$IMEVAL_BIN")" && pwd)/$(basename "$IMEVAL_BIN")
CASES=$(cd "$IMEVAL_ROOT/datasets/cases" && pwd)
REG="$tmp/reg.db"
"$BIN" register init "$REG" >/dev/null 2>"$tmp/init.err" \
    || { echo "FAIL: register init: $(cat "$tmp/init.err")"; exit 1; }
"$BIN" evaluate "$CASES/middlesbrough-2020.json" --register "$REG" --assessment mb-2020 --by tester \
    --format json >/dev/null 2>"$tmp/rec.err" \
    || { echo "FAIL: recording the assessment: $(cat "$tmp/rec.err")"; exit 1; }

# The server prints the address to open, http://127.0.0.1:PORT/?token=<64 hex>.
"$BIN" serve "$CASES"/*.json --register "$REG" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
url=""
i=0
while [ $i -lt 3000 ]; do
    url=$(grep -o -h 'http://[^ ]*/?token=[0-9a-f]\{64\}' "$tmp/serve.out" "$tmp/serve.err" 2>/dev/null | head -1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "FAIL: imeval serve exited early: $(cat "$tmp/serve.err")"; pid=""; exit 1; }
    sleep 0.1
    i=$((i + 1))
done
[ -n "$url" ] || { echo "FAIL: imeval serve printed no address in 300 s: $(cat "$tmp/serve.out" "$tmp/serve.err")"; exit 1; }

IMEVAL_BIN="$BIN" IMEVAL_REGISTER="$REG" IMEVAL_CASES="$CASES" \
    node "$B/serve.mjs" "$url" "$tmp" "$ART" || { echo "FAIL: the what-if page failed its checks (above)"; exit 1; }
kill -0 "$pid" 2>/dev/null || { echo "FAIL: imeval serve died during the test: $(cat "$tmp/serve.err")"; pid=""; exit 1; }
# A clean stop (SIGTERM) exits 0, with nothing a sanitizer would report.
halt
[ "$status" -eq 0 ] || { echo "FAIL: imeval serve exited $status when stopped: $(cat "$tmp/serve.err")"; exit 1; }
if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/serve.err"; then
    echo "FAIL: the sanitizer reported on imeval serve:"; cat "$tmp/serve.err"; exit 1
fi
echo "ok: the what-if page in Chromium"
