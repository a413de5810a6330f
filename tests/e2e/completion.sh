#!/bin/sh
# Bash completion (issue 9): `imeval completion bash` is written from the
# option table that writes --help, so sourcing it in bash completes the
# subcommands, each subcommand's own options (every one its --help lists,
# and none it does not take) and the values of --format and --lang.
set -u
: "${IMEVAL_BIN:=build/imeval}"
command -v bash >/dev/null || { echo "FAIL: bash is not installed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$IMEVAL_BIN" completion bash >"$tmp/imeval.bash" || fail "imeval completion bash: exit $?"
bash -n "$tmp/imeval.bash" || fail "the script is not valid bash"

# complete WORD...: COMPREPLY, sorted, one a line, for the command line
# "imeval WORD..." with the cursor on the last word.
complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=(imeval "$@"); COMP_CWORD=$#; _imeval
             printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$tmp/imeval.bash" "$@"
}
has() { printf '%s\n' "$1" | grep -qx -- "$2"; }

got=$(complete_words ev)
[ "$got" = evaluate ] || fail "imeval ev<TAB>: \"$got\""
got=$(complete_words "")
for c in evaluate explain validate models sensitivity register report synth template completion version; do
    has "$got" "$c" || fail "imeval <TAB> does not offer $c"
done
got=$(complete_words help val)
[ "$got" = validate ] || fail "imeval help val<TAB>: \"$got\""
got=$(complete_words evaluate --dr)
[ "$got" = --draws ] || fail "imeval evaluate --dr<TAB>: \"$got\""
got=$(complete_words validate --dr)
[ -z "$got" ] || fail "imeval validate --dr<TAB> offers \"$got\" (validate has no --draws)"
got=$(complete_words evaluate --format "")
[ "$(printf '%s' "$got" | tr '\n' ' ')" = "csv json markdown table" ] \
    || fail "imeval evaluate --format <TAB>: \"$got\""
got=$(complete_words evaluate -f j)
[ "$got" = json ] || fail "imeval evaluate -f j<TAB>: \"$got\""
got=$(complete_words explain --format "")
[ "$(printf '%s' "$got" | tr '\n' ' ')" = "json table" ] || fail "imeval explain --format <TAB>: \"$got\""
got=$(complete_words template -f "")
[ "$(printf '%s' "$got" | tr '\n' ' ')" = "csv json" ] || fail "imeval template -f <TAB>: \"$got\""
# The formats offered are exactly those the command accepts (and --help lists).
for c in evaluate explain validate models sensitivity report new-model check-model compare \
         backtest partners allocate template; do
    offered=$(complete_words "$c" --format "" | tr '\n' ' ')
    [ -n "$offered" ] || fail "$c --format <TAB>: nothing offered"
    for f in table json csv markdown; do
        "$IMEVAL_BIN" "$c" --format "$f" --help >"$tmp/h" 2>"$tmp/e"
        st=$?
        case " $offered" in
            *" $f "*) [ "$st" -eq 0 ] || fail "$c: completion offers --format $f, which it refuses" ;;
            *) [ "$st" -eq 2 ] || fail "$c: --format $f is accepted but not offered" ;;
        esac
    done
    for f in $offered; do
        "$IMEVAL_BIN" "$c" --help | sed -n '/--format FMT/,/^  -/p' | tr -s ' \n' ' ' | grep -q "$f" \
            || fail "$c --help does not list the format $f it writes"
    done
done
got=$(complete_words new-model x --lang "")
[ "$(printf '%s' "$got" | tr '\n' ' ')" = "c lua" ] || fail "new-model --lang <TAB>: \"$got\""
got=$(complete_words evaluate --draws "")
[ -z "$got" ] || fail "imeval evaluate --draws <TAB> offers \"$got\""
mkdir "$tmp/mdir"
: >"$tmp/mfile.lua"
got=$(cd "$tmp" && complete_words evaluate --model mf)
[ "$got" = mfile.lua ] || fail "--model mf<TAB>: \"$got\""
got=$(cd "$tmp" && complete_words evaluate --models m)
[ "$got" = mdir ] || fail "--models m<TAB>: \"$got\" (directories only)"

# Every option a subcommand's --help lists is completed for it, and
# nothing else: the same table.
for c in evaluate explain validate models sensitivity report synth new-model check-model \
         compare backtest partners allocate template serve; do
    "$IMEVAL_BIN" "$c" --help | sed -n '/^options:/,$p' | grep -o '^  \(-., \|    \)--[a-z][a-z0-9-]*' \
        | grep -o -- '--[a-z][a-z0-9-]*' | sort -u >"$tmp/listed"
    complete_words "$c" -- | grep -- '^--' | sort -u >"$tmp/completed"
    cmp -s "$tmp/listed" "$tmp/completed" \
        || fail "$c: --help and completion differ: $(diff "$tmp/listed" "$tmp/completed" | grep '^[<>]' | tr '\n' ' ')"
done

"$IMEVAL_BIN" completion zsh >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "completion zsh: not a usage error"
grep -q '^imeval completion: zsh: only bash is written (see imeval completion --help)$' "$tmp/err" \
    || fail "completion zsh: $(cat "$tmp/err")"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
