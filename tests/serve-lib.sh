# serve-lib.sh - start and stop `imeval serve` for the tests (sourced by
# tests/e2e/serve_*.sh and bench/serve.sh; not a test itself).
#   serve_start ARGS...   start it on a free port (the kernel picks one),
#                         wait until it has printed its address (it prints
#                         only once it listens), and set URL, TOKEN, BASE
#                         (http://127.0.0.1:PORT), HOSTPORT, PORT, SERVE_PID
#   serve_stop            SIGTERM, wait; the exit status is serve_stop's
#   serve_kill            kill it if it still runs (for traps)
# Needs $tmp (a private directory) and $IMEVAL_BIN.
SERVE_PID=""
serve_start() {
    : >"$tmp/serve.out"
    "$IMEVAL_BIN" serve "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
    SERVE_PID=$!
    i=0
    while [ ! -s "$tmp/serve.out" ]; do
        if ! kill -0 "$SERVE_PID" 2>/dev/null; then
            wait "$SERVE_PID"
            echo "imeval serve $* exited $?:" >&2
            cat "$tmp/serve.err" >&2
            SERVE_PID=""
            return 1
        fi
        i=$((i + 1))
        # 5 min: only a hang (start-up takes well under a second, a minute
        # or more under valgrind on a loaded machine)
        [ "$i" -gt 6000 ] && { echo "imeval serve did not start" >&2; return 1; }
        sleep 0.05
    done
    URL=$(head -n 1 "$tmp/serve.out")
    TOKEN=${URL##*token=}
    BASE=${URL%%/\?token=*}
    HOSTPORT=${BASE#http://}
    PORT=${HOSTPORT##*:}
    return 0
}
serve_stop() {
    [ -n "$SERVE_PID" ] || return 1
    kill -TERM "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID"
    st=$?
    SERVE_PID=""
    return $st
}
serve_kill() {
    [ -n "$SERVE_PID" ] && kill -KILL "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=""
}
# curl with the token as a script sends it: api METHOD PATH [BODYFILE]
# writes the body to $tmp/body and prints the status.
api() {
    if [ -n "${3:-}" ]; then
        curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' --data-binary "@$3" "$BASE$2"
    else
        curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" "$BASE$2"
    fi
}
