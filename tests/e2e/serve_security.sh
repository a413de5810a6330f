#!/bin/sh
# imeval serve's security matrix (docs/api.md), over real HTTP on
# loopback, each refusal with its status code: no token, bad token (in
# the address, as Bearer, as cookie), foreign Host (DNS rebinding),
# foreign or missing Origin on a POST with the cookie (CSRF), wrong
# content type, oversized body (declared and chunked), oversized headers,
# too many connections, a client that stalls (dropped by the timeout),
# methods and paths that are not served; the headers every answer
# carries; the socket bound to 127.0.0.1 only; and the server surviving a
# looping Lua model and a crashing outside plugin, each costing only that
# model's answer.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}" "${IMEVAL_FIXTURES:=build/tests/plugins}"
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
cc -O2 -o "$tmp/httpc" "$IMEVAL_ROOT/tests/tools/httpc.c" -lpthread || { echo "FAIL: cannot build httpc"; exit 1; }
DON="$CASES/doncaster-2013.json"
jq -c '{profile: .}' "$DON" >"$tmp/req.json"
serve_start "$DON" || { echo "FAIL: imeval serve did not start"; exit 1; }
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }
is() { # is STATUS WHAT CURL-ARGS...
    want=$1 what=$2
    shift 2
    got=$(code "$@")
    [ "$got" = "$want" ] || fail "$what: $got, expected $want ($(head -c 200 "$tmp/body"))"
    if [ "$want" -ge 400 ] && ! jq -e '.error.message | length > 0' "$tmp/body" >/dev/null 2>&1; then
        fail "$what: the refusal is not a JSON error: $(head -c 200 "$tmp/body")"
    fi
}
ZERO=0000000000000000000000000000000000000000000000000000000000000000
J='Content-Type: application/json'

# ---- authentication
is 401 "no token: the page" "$BASE/"
is 401 "no token: the API" "$BASE/api/session"
is 401 "no token: a POST" -H "$J" -H "Origin: $BASE" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 401 "bad token in the address" "$BASE/?token=$ZERO"
is 401 "short token in the address" "$BASE/?token=abc"
is 401 "bad Bearer token" -H "Authorization: Bearer $ZERO" "$BASE/api/session"
is 401 "the token's first half" -H "Authorization: Bearer $(echo "$TOKEN" | cut -c1-32)" "$BASE/api/session"
is 401 "bad cookie" -H "Cookie: imeval_session=$ZERO" "$BASE/api/session"
is 401 "the token as cookie" -H "Cookie: imeval_session=$TOKEN" "$BASE/api/session"
# sign in: the token for a cookie, the token dropped from the address
code -D "$tmp/head" "$BASE/?token=$TOKEN" >/dev/null
grep -q '^HTTP/1.1 303' "$tmp/head" || fail "sign-in is not a 303"
grep -qi '^Location: /\s*$' "$tmp/head" || fail "sign-in does not redirect to /"
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(imeval_session=[0-9a-f]*\);.*/\1/p' "$tmp/head")
[ -n "$cookie" ] || fail "sign-in sets no cookie"
grep -i '^Set-Cookie:' "$tmp/head" | grep -q 'HttpOnly' || fail "the cookie is not HttpOnly"
grep -i '^Set-Cookie:' "$tmp/head" | grep -q 'SameSite=Strict' || fail "the cookie is not SameSite=Strict"
[ "${cookie#imeval_session=}" != "$TOKEN" ] || fail "the cookie is the token itself"
C="Cookie: $cookie"
is 200 "the page with the cookie" -H "$C" "$BASE/"
is 200 "the API with the cookie" -H "$C" "$BASE/api/session"
is 200 "the API with Bearer" -H "Authorization: Bearer $TOKEN" "$BASE/api/session"

# ---- Host (DNS rebinding)
is 421 "foreign Host" -H "$C" -H "Host: evil.example" "$BASE/api/session"
is 421 "foreign Host with the port" -H "$C" -H "Host: evil.example:$PORT" "$BASE/api/session"
is 421 "another port" -H "$C" -H "Host: 127.0.0.1:1" "$BASE/api/session"
is 421 "foreign Host, Bearer" -H "Authorization: Bearer $TOKEN" -H "Host: evil.example" "$BASE/api/session"
is 200 "Host localhost:PORT" -H "$C" -H "Host: localhost:$PORT" "$BASE/api/session"

# ---- CSRF: Origin and content type
is 200 "POST from the page's origin" -H "$C" -H "Origin: $BASE" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 403 "POST from a foreign origin" -H "$C" -H "Origin: http://evil.example" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 403 "POST without Origin" -H "$C" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 403 "POST with Origin null" -H "$C" -H "Origin: null" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 403 "POST from localhost's origin to 127.0.0.1" -H "$C" -H "Origin: http://localhost:$PORT" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 415 "POST as text/plain" -H "$C" -H "Origin: $BASE" -H 'Content-Type: text/plain' --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 415 "POST as a form" -H "$C" -H "Origin: $BASE" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 415 "POST as application/jsonx" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/jsonx' --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 200 "POST with a charset" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json; charset=utf-8' --data-binary "@$tmp/req.json" "$BASE/api/evaluate"

# ---- sizes
head -c 300000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
# A declared length over the limit is answered from the headers alone.  With
# "Expect: 100-continue" the client waits for that answer before sending the
# body, so the 413 always arrives.  Without it, the client may still be sending
# when the server closes: its kernel may then see the reset before the answer
# (curl prints 000).  Either way nothing is read or scored, and the server
# goes on answering.
is 413 "a 300 KB body (Expect: 100-continue)" -H "Authorization: Bearer $TOKEN" -H "$J" -H 'Expect: 100-continue' --data-binary "@$tmp/big.json" "$BASE/api/evaluate"
got=$(code -H "Authorization: Bearer $TOKEN" -H "$J" -H 'Expect:' --data-binary "@$tmp/big.json" "$BASE/api/evaluate")
case $got in 413|000) ;; *) fail "a 300 KB body without Expect: $got, expected 413 (or the connection closed)" ;; esac
is 200 "the server still answers after an oversized body" -H "Authorization: Bearer $TOKEN" "$BASE/api/session"
is 413 "a 300 KB chunked body" -H "Authorization: Bearer $TOKEN" -H "$J" -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/big.json" "$BASE/api/evaluate"
big=$(head -c 40000 /dev/zero | tr '\0' a)
got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "X-Big: $big" "$BASE/api/session")
[ "$got" = 431 ] || fail "40 KB of headers: $got, expected 431"

# ---- methods and paths
is 405 "PUT" -X PUT -H "Authorization: Bearer $TOKEN" "$BASE/api/session"
is 405 "DELETE" -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/session"
is 405 "OPTIONS (no CORS preflight)" -X OPTIONS -H "Origin: http://evil.example" -H "Authorization: Bearer $TOKEN" "$BASE/api/evaluate"
is 404 "a file path" -H "$C" "$BASE/etc/passwd"
is 404 "a traversal" -H "$C" --path-as-is "$BASE/../../../etc/passwd"
is 404 "a directory" -H "$C" "$BASE/serve/page/"
is 404 "the source file" -H "$C" "$BASE/index.html"

# ---- headers on every answer, allowed or refused
for u in "$BASE/" "$BASE/api/session" "$BASE/nothing"; do
    curl -s -o /dev/null -D "$tmp/head" -H "$C" "$u"
    for h in "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" \
             "X-Content-Type-Options: nosniff" "Referrer-Policy: no-referrer" "Cache-Control: no-store"; do
        grep -qiF "$h" "$tmp/head" || fail "$u: no \"$h\""
    done
    grep -qi '^Access-Control-Allow' "$tmp/head" && fail "$u: a CORS header"
done
curl -s -o /dev/null -D "$tmp/head" "$BASE/api/session"
grep -qi "^Content-Security-Policy: default-src 'none'" "$tmp/head" || fail "a 401 without the CSP"

# ---- bound to loopback only: the listening socket is 127.0.0.1:PORT
hexport=$(printf '%04X' "$PORT")
grep -q " 0100007F:$hexport 00000000:0000 0A " /proc/net/tcp || fail "not listening on 127.0.0.1:$PORT"
grep -E " [0-9A-F]{8}:$hexport 00000000:0000 0A " /proc/net/tcp | grep -v " 0100007F:" && fail "listening on another address"
grep -qE " [0-9A-F]{32}:$hexport 0{32}:0000 0A " /proc/net/tcp6 2>/dev/null && fail "listening on IPv6 too"

# ---- too many connections: at most 32 from one address, the rest closed at once
"$tmp/httpc" hold "$PORT" 48 >"$tmp/hold"
closed=$(sed -n 's/^closed \([0-9]*\) of 48$/\1/p' "$tmp/hold")
[ -n "$closed" ] && [ "$closed" -ge 16 ] || fail "48 connections at once: $(cat "$tmp/hold"), expected at least 16 closed"
is 200 "a request after the crowd left" -H "$C" "$BASE/api/session"

# ---- a client that stalls is dropped by the timeout (10 s; generous bound)
t=$("$tmp/httpc" stall "$PORT")
case "$t" in
open) fail "a stalled client was never dropped" ;;
*) awk -v t="$t" 'BEGIN { exit !(t >= 8 && t <= 60) }' || fail "a stalled client was dropped after $t s, expected about 10" ;;
esac
is 200 "a request after the stalled one" -H "$C" "$BASE/api/session"
serve_stop || fail "serve did not stop cleanly (exit $?)"

# ---- behind a TLS proxy (--public-origin): its host and exactly its origin
serve_start "$DON" --public-origin https://whatif.example.org || { echo "FAIL: imeval serve --public-origin"; exit 1; }
PH="Host: whatif.example.org"
is 200 "the proxy's Host" -H "$PH" -H "Authorization: Bearer $TOKEN" "$BASE/api/session"
code -D "$tmp/head" -H "$PH" "$BASE/?token=$TOKEN" >/dev/null
grep -i '^Set-Cookie:' "$tmp/head" | grep -q '; Secure' || fail "sign-in through an https proxy: the cookie is not Secure"
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(imeval_session=[0-9a-f]*\);.*/\1/p' "$tmp/head")
is 200 "POST through the proxy from its origin" -H "$PH" -H "Cookie: $cookie" -H "Origin: https://whatif.example.org" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 403 "POST through the proxy from http://" -H "$PH" -H "Cookie: $cookie" -H "Origin: http://whatif.example.org" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 403 "POST through the proxy from 127.0.0.1's origin" -H "$PH" -H "Cookie: $cookie" -H "Origin: $BASE" -H "$J" --data-binary "@$tmp/req.json" "$BASE/api/evaluate"
is 421 "another host with the proxy" -H "Host: evil.example" -H "Authorization: Bearer $TOKEN" "$BASE/api/session"
serve_stop || fail "serve --public-origin did not stop cleanly"
"$IMEVAL_BIN" serve --public-origin whatif.example.org >/dev/null 2>&1
[ $? = 2 ] || fail "--public-origin without a scheme is not a usage error"
"$IMEVAL_BIN" serve --public-origin https://whatif.example.org/page >/dev/null 2>&1
[ $? = 2 ] || fail "--public-origin with a path is not a usage error"

# ---- a looping Lua model and a crashing outside plugin: one answer each, never the server
# (the outside fixtures misbehave on profiles whose id starts with "bad")
jq -c '{profile: (.id = "bad-doncaster")}' "$DON" >"$tmp/bad.json"
serve_start "$DON" --model "$IMEVAL_ROOT/tests/plugins/lua/loop.lua" --model "$IMEVAL_FIXTURES/iso_segv.so" \
    --model "$IMEVAL_FIXTURES/iso_loop.so" --lua-budget 1000000 --timeout 2 ||
    { echo "FAIL: imeval serve did not start with the hostile models"; exit 1; }
for i in 1 2 3; do
    is 200 "evaluate with looping and crashing models ($i)" -H "Authorization: Bearer $TOKEN" -H "$J" --data-binary "@$tmp/bad.json" "$BASE/api/evaluate"
    errs=$(jq -c '[.results[0].ranking[] | select(.error) | .model] | sort' "$tmp/body")
    [ "$errs" = '["iso_loop","iso_segv","lua_loop"]' ] || fail "the hostile models do not each fail with an error ($errs): $(jq -c '[.results[0].ranking[] | {model, error}]' "$tmp/body" | head -c 400)"
    [ "$(jq -r '.results[0].recommended' "$tmp/body")" = commissioner ] || fail "the others' answer changed"
done
is 200 "the server after the hostile models" -H "Authorization: Bearer $TOKEN" "$BASE/api/session"
kill -0 "$SERVE_PID" || fail "the server died"
serve_stop || fail "serve did not stop cleanly after the hostile models (exit $?)"
[ $failures -eq 0 ] && echo "serve_security: ok"
exit $((failures > 0))
