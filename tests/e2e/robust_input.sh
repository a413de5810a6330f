#!/bin/sh
# Bad input gets a clear error, never a crash or a hang.  Every input of
# tests/data/robust/ (and a few made here: 10,000-deep nesting, a 10 MB
# string, a directory, an unreadable file, garbage, an object of 300 keys)
# goes through `imeval validate` and `imeval evaluate`, both as a file and
# on standard input.  Each run must:
#   - exit with the status of RESULT-FORMAT.md (1: some profiles failed;
#     0 for the inputs that are fine: CRLF and quoted newlines in CSV);
#   - print the expected message naming the file ("-" for standard input)
#     and the line or the JSON path;
#   - print nothing on stderr but such one-line messages and the summary;
#   - finish within IMEVAL_TEST_TIMEOUT seconds (default 300: it catches hangs).
# Leaks and memory errors are the valgrind and ASan passes' business
# (make valgrind, make asan run this same script).
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
T=${IMEVAL_TEST_TIMEOUT:-300}
D="$IMEVAL_ROOT/tests/data/robust"
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# run CMD INPUT MODE: run `imeval CMD` on INPUT (a path), given as a file
# argument (MODE=file) or on standard input (MODE=stdin).  Sets $status,
# $src (the name the messages must use) and fills $tmp/out, $tmp/err.
run() {
    if [ "$3" = file ]; then
        src=$2
        timeout -k 5 "$T" "$IMEVAL_BIN" "$1" "$2" >"$tmp/out" 2>"$tmp/err"
    else
        src=-
        timeout -k 5 "$T" "$IMEVAL_BIN" "$1" - <"$2" >"$tmp/out" 2>"$tmp/err"
    fi
    status=$?
}

# Every stderr line is a one-line message about $src (or the program),
# or a summary line, in the command's form "imeval COMMAND: ...".
check_lines() {
    bad=$(grep -v -e "^imeval [a-z]*: $src:" -e "^imeval [a-z]*: warning: $src:" \
        -e '^imeval [a-z]*: [0-9][0-9]* valid, ' -e '^imeval [a-z]*: [0-9][0-9]* profiles\{0,1\} evaluated' \
        -e '^imeval [a-z]*: interrupted' "$tmp/err" | head -n 3)
    [ -z "$bad" ] || fail "$1: unexpected stderr lines: $bad"
}

# expect INPUT STATUS MESSAGE...: every mode and command gives STATUS and
# each MESSAGE (with SRC replaced by the input's name) on stderr.
expect() {
    input=$1
    want=$2
    shift 2
    for cmd in validate evaluate; do
        for mode in file stdin; do
            run "$cmd" "$input" "$mode"
            what="$cmd $mode $input"
            if [ "$status" -ne "$want" ]; then
                fail "$what: exit $status, expected $want"
                sed 's/^/    /' "$tmp/err" | head -n 5
            fi
            for m in "$@"; do
                text=$(printf '%s' "$m" | sed "s|SRC|$src|g")
                grep -qF -- "$text" "$tmp/err" || {
                    fail "$what: no \"$text\" on stderr"
                    sed 's/^/    /' "$tmp/err" | head -n 5
                }
            done
            check_lines "$what"
        done
    done
}

cd "$D" || exit 1

# ---- JSON ----------------------------------------------------------------
expect empty.json 1 "SRC:1: empty file: expected a profile object"
expect truncated.json 1 "SRC:1: truncated JSON"
expect wrong_types.json 1 \
    "SRC: ratings.governance: expected a rating 0..4 or a range" \
    "SRC: facts.failure_years: expected a number, got a boolean"
expect nan.json 1 "SRC:4: malformed JSON near 'NaN,'"
expect infinity.json 1 "SRC:4: malformed JSON near '-Infinity,'"
expect huge_number.json 1 "SRC: ratings.governance: is not a finite number"
expect out_of_range.json 1 \
    "SRC: ratings.governance: 7 is outside 0..4" \
    "SRC: facts.failure_years: -1 is negative" \
    "SRC: facts.agency_rate: 1.5 is outside 0..1"
expect bad_utf8.json 1 "SRC:1: invalid UTF-8"
expect bom.json 1 "SRC:1: starts with a UTF-8 byte order mark"
expect nul.json 1 "SRC:1: NUL byte in the file"
expect duplicate_key.json 1 'SRC: ratings.governance: duplicate key "governance"'
expect duplicate_ids.jsonl 1 \
    'SRC: id: duplicate profile id "robust-ok" (first seen in SRC line 1)'

# ---- CSV -----------------------------------------------------------------
expect crlf.csv 0
expect quoted_newline.csv 0
# A quoted newline must not throw the line numbers off.
expect quoted_newline_then_bad.csv 1 \
    "SRC: ratings.governance: 9 is outside 0..4 (profile csv-bad at line 5)"
expect short_row.csv 1 "SRC:2: row has 6 cells, the header has 18"
expect long_row.csv 1 "SRC:3: row has 19 cells, the header has 18"
expect unclosed_quote.csv 1 "SRC:3: malformed CSV: a quoted field in the row starting here"
expect nan.csv 1 "SRC: ratings.senior_leadership: is not a finite number (profile csv-nan at line 2)"
expect nul.csv 1 "SRC:2: NUL byte in a CSV cell"
expect bad_utf8.csv 1 "SRC:2: invalid UTF-8 in column 2"

# CRLF and quoted newlines give the same values as plain lines.
for f in crlf.csv quoted_newline.csv; do
    run validate "$f" file
    grep -q "csv-two" "$tmp/out" || fail "$f: csv-two not read"
    grep -q "has uncertain ratings" "$tmp/out" || fail "$f: the 1..3 range was not read"
done

# ---- made here -----------------------------------------------------------
cd "$tmp" || exit 1
head -c 10000 /dev/zero | tr '\0' '[' >deep.json
head -c 10000 /dev/zero | tr '\0' ']' >>deep.json
expect deep.json 1 "SRC:1: JSON nested deeper than 32 levels"
{
    printf '{"format": "imeval-profile/1", "id": "big", "name": "'
    head -c 10485760 /dev/zero | tr '\0' 'a'
    printf '"}\n'
} >big_string.json
expect big_string.json 1 "SRC:1: profile larger than 4 MiB"
printf 'this is not a profile\n' >garbage.txt
expect garbage.txt 1 "SRC:1: not a profile file"
awk 'BEGIN { printf "{"; for (i = 0; i < 300; i++) printf "%s\"k%d\": 1", i ? ", " : "", i; print "}" }' \
    >many_keys.json
expect many_keys.json 1 "SRC:1: object with 300 fields: not a profile"
# A CSV row that never ends (an unclosed quote) is cut off at 4 MiB.
{
    head -n 1 "$D/crlf.csv"
    printf 'x,"'
    head -c 6000000 /dev/zero | tr '\0' 'a'
} >endless_row.csv
expect endless_row.csv 1 "SRC:2: CSV row larger than 4 MiB"
# A wide CSV header is refused at once, with one message (the pairwise
# duplicate check took minutes on it and printed every equal pair).
awk 'BEGIN { printf "id"; for (i = 0; i < 100000; i++) printf ",c%d", i; print "" }' >wide_header.csv
expect wide_header.csv 1 "SRC:1: header row of 100001 columns: not a profile CSV (at most 1024 are read"
[ "$(wc -l <"$tmp/err")" -le 3 ] || fail "wide_header.csv: $(wc -l <"$tmp/err") lines on stderr"
# Duplicate columns: one message per repeated name, however often it
# repeats, naming where it first appears; 1,000 columns of one name.
{
    head -n 1 "$D/crlf.csv" | tr -d '\r' | sed 's/$/,ratings.governance,id,ratings.governance/'
    awk 'BEGIN { printf "x"; for (i = 1; i < 1000; i++) printf ",x"; print "" }'
} >dup_header.csv
head -n 1 dup_header.csv >dup_columns.csv
expect dup_columns.csv 1 'SRC:1: column "id" appears twice in the header (first as column 1)'
gov=$(head -n 1 "$D/crlf.csv" | tr -d '\r' | tr ',' '\n' | grep -n -x 'ratings.governance' | cut -d: -f1)
expect dup_columns.csv 1 "SRC:1: column \"ratings.governance\" appears 3 times in the header (first as column $gov)"
[ "$(grep -c 'appears' "$tmp/err")" -eq 2 ] || fail "dup_columns.csv: not one message per repeated name"
tail -n 1 dup_header.csv | sed 's/^x/id/' >same_name.csv
expect same_name.csv 1 'SRC:1: column "x" appears 999 times in the header (first as column 2)'
[ "$(grep -c 'appears' "$tmp/err")" -eq 1 ] || fail "same_name.csv: more than one message"

# Endless input that never closes its value: the reader gives up on it.
for cmd in validate evaluate; do
    yes '[' | timeout -k 5 "$T" "$IMEVAL_BIN" "$cmd" - >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] || fail "$cmd endless '[': exit $status, expected 1"
    grep -qF -- "-:2: a value that does not end after 68 MiB" "$tmp/err" \
        || { fail "$cmd endless '[': no message"; cat "$tmp/err"; }
done

# A directory: as an argument, and on standard input.
mkdir adir
for cmd in validate evaluate; do
    run "$cmd" adir file
    [ "$status" -eq 1 ] || fail "$cmd adir: exit $status, expected 1"
    grep -qF "adir: is a directory" "$tmp/err" || fail "$cmd adir: no 'is a directory'"
    check_lines "$cmd adir"
    run "$cmd" adir stdin
    [ "$status" -eq 1 ] || fail "$cmd - < adir: exit $status, expected 1"
    grep -qF -- "-:1: read error: Is a directory" "$tmp/err" || fail "$cmd - < adir: no read error"
    check_lines "$cmd - < adir"
done

# A missing file.
run validate no-such-file.json file
[ "$status" -eq 1 ] || fail "missing file: exit $status"
grep -qF "no-such-file.json: cannot open: No such file or directory" "$tmp/err" \
    || fail "missing file: no message"

# An unreadable file.  As root, permissions do not stop reading, so the
# program then runs as nobody (setpriv) on a file only root may read.
cp "$D/good.json" secret.json
chmod 600 secret.json
chmod 755 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
    as_other="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
    chmod 000 secret.json
    as_other=""
fi
for cmd in validate evaluate; do
    # shellcheck disable=SC2086
    timeout -k 5 "$T" $as_other "$IMEVAL_BIN" "$cmd" "$tmp/secret.json" >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] || { fail "$cmd unreadable: exit $status, expected 1"; cat "$tmp/err"; }
    grep -qF "$tmp/secret.json: cannot open: Permission denied" "$tmp/err" \
        || { fail "$cmd unreadable: no 'Permission denied'"; cat "$tmp/err"; }
done

# /proc/self/mem opens but cannot be read at offset 0 (EIO): a read error.
run validate /proc/self/mem file
[ "$status" -eq 1 ] || fail "/proc/self/mem: exit $status"
grep -qF "/proc/self/mem:1: read error: Input/output error" "$tmp/err" \
    || fail "/proc/self/mem: no read error"

# Good profiles around bad ones are all still read.
cat "$D/good.json" "$D/nan.json" >mixed.json
sed 's/robust-ok/robust-3/' "$D/good.json" >>mixed.json
run validate mixed.json file
[ "$status" -eq 1 ] || fail "mixed: exit $status"
grep -q "^imeval validate: 2 valid, 1 invalid" "$tmp/err" || { fail "mixed: not 2 valid, 1 invalid"; cat "$tmp/err"; }

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo ok
