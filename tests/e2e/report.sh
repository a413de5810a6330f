#!/bin/sh
# imeval report (issue 12), with real tools:
#   - the HTML is one self-contained file: a strict CSP meta, no external
#     URL, no script but the embedded JSON data, every SVG fragment
#     well-formed XML (xmllint), a <title> and <desc> in every chart;
#   - the sections come in the order of the issue;
#   - chart numbers are the JSON's: data- attributes of the marks against
#     the embedded result and sensitivity JSON (and those against
#     `imeval evaluate --format json` run with the command the provenance
#     gives, whose result hash the report states);
#   - hostile names and sources (<script>, quotes, &, a right-to-left
#     override, a 10 kB name) come out escaped, and formulas in CSV cells
#     are neutralised;
#   - Chromium prints it to PDF: pdftotext finds the recommendation and the
#     result hash, pdfinfo the page count; page 1 is rendered to PNG as an
#     artefact (build/artefacts/, not in git);
#   - without Chromium the message names the Debian package; a Chromium
#     that hangs is stopped at the deadline; a failed run keeps -o's file.
# No golden files: every expectation is computed from the JSON in the run.
set -u
: "${IMEVAL_BIN:=build/imeval}" "${IMEVAL_ROOT:=.}"
CASES="$IMEVAL_ROOT/datasets/cases"
ART="$(dirname "$IMEVAL_BIN")/artefacts"
mkdir -p "$ART"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
need() {
    command -v "$1" >/dev/null 2>&1 || { echo "FAIL: $1 is not installed (tests/install-deps.sh test installs it)"; exit 1; }
}
need jq
need xmllint
need perl

# --- one authority, HTML ---------------------------------------------------
# A case whose choice is not clear-cut, so that robustness and tipping points have something to show.
R="$tmp/stoke.html"
"$IMEVAL_BIN" report "$CASES/stoke-on-trent-2007.json" --draws 500 --seed 7 -o "$R" 2>"$tmp/err" \
    || fail "report exited $?: $(cat "$tmp/err")"
[ -s "$R" ] || { echo "FAIL: no report written"; exit 1; }

grep -q '<meta http-equiv="Content-Security-Policy" content="default-src '"'none'"'; style-src '"'unsafe-inline'"';' "$R" \
    || fail "no strict Content-Security-Policy meta"
# No external URL of any kind, no link, no element that loads anything.
if grep -Eiq "https?:|ftp:|//[a-z0-9]|url\(|@import|<link|<img|<iframe|<object|<embed| src=| href=" "$R"; then
    fail "an external reference: $(grep -Eio "https?:[^\" ]*|//[a-z0-9][^\" ]*|url\([^)]*|@import|<link|<img|<iframe| src=| href=" "$R" | head -3)"
fi
# The only scripts are JSON data blocks, never run.
scripts=$(grep -o '<script[^>]*>' "$R" | sort -u)
echo "$scripts" | grep -v '^<script type="application/json" id="imeval-[a-z]*">$' | grep -q . \
    && fail "a script that is not JSON data: $scripts"

# Sections in the issue's order.
order=$(perl -ne 'while (/<h2 id="[^"]*">([^<]*)</g) { print "$1\n" }' "$R" | tr '\n' '|')
want="Summary|Ranking|Robustness|Why each model scores as it does|What would change the answer|Timeline|Partners|Inputs|Method and limits|Provenance|Appendix|"
[ "$order" = "$want" ] || fail "sections: $order, want $want"
grep -q '<h1 id="a1">' "$R" || fail "no heading"
sed 's/<[^>]*>//g' "$R" | grep -Eq '^Strategic partnership \(contracted partner\) ranks first; Improvement board is first in [0-9]*% of draws: the choice is (not|fairly) robust to the judgement on [a-z ]+\.$' \
    || fail "no headline sentence with the recommendation: $(grep 'class="headline"' "$R")"

# Every SVG fragment well-formed on its own, with a title and a description.
perl -0ne '$i = 0; while (/(<svg\b.*?<\/svg>)/gs) { $i++; open(F, ">", "'"$tmp"'/svg$i.xml"); print F $1; close F }' "$R"
n_svg=$(ls "$tmp"/svg*.xml 2>/dev/null | wc -l)
[ "$n_svg" -ge 7 ] || fail "only $n_svg charts"
for s in "$tmp"/svg*.xml; do
    xmllint --noout "$s" 2>"$tmp/xerr" || fail "$(basename "$s") is not well-formed: $(head -3 "$tmp/xerr")"
    [ "$(xmllint --xpath 'count(/svg[@role="img"]/title)' "$s")" = 1 ] || fail "$(basename "$s"): no <title>"
    [ "$(xmllint --xpath 'count(/svg/desc)' "$s")" = 1 ] || fail "$(basename "$s"): no <desc>"
done
cat "$tmp"/svg*.xml >"$tmp/all.svg"
for kind in dot-interval stacked100 waterfall diverging tipping timeline; do
    grep -q "data-chart=\"$kind\"" "$tmp/all.svg" || fail "no $kind chart"
done

# The embedded JSON: the result document, and its hash as the report states it.
perl -0ne 'print $1 if /<script type="application\/json" id="imeval-result">(.*?)<\/script>/s' "$R" >"$tmp/result.json"
perl -0ne 'print $1 if /<script type="application\/json" id="imeval-sensitivity">(.*?)<\/script>/s' "$R" >"$tmp/sens.json"
jq -e '.format == "imeval-result/1"' "$tmp/result.json" >/dev/null || fail "embedded result JSON does not parse"
jq -e '.results[0].ratings' "$tmp/sens.json" >/dev/null || fail "embedded sensitivity JSON does not parse"
hash=$(jq -r '.provenance.result.sha256' "$tmp/result.json")
[ "$(jq -c '.results[]' "$tmp/result.json" | sha256sum | cut -d' ' -f1)" = "$hash" ] \
    || fail "result hash $hash is not that of the embedded results"
grep -q "$hash" "$R" || fail "the report does not state the result hash"
[ "$(sha256sum <"$CASES/stoke-on-trent-2007.json" | cut -d' ' -f1)" = "$(jq -r '.provenance.profiles[0].sha256' "$tmp/result.json")" ] \
    || fail "profile hash differs from sha256sum"
# The command the provenance gives reproduces the result, hash for hash.
cmd=$(jq -r '.provenance.command' "$tmp/result.json")
case "$cmd" in "imeval evaluate --format json --draws 500 --seed 7 "*) ;; *) fail "reproducing command: $cmd" ;; esac
eval "\"\$IMEVAL_BIN\" ${cmd#imeval }" >"$tmp/again.json" 2>/dev/null || true
[ "$(jq -r '.provenance.result.sha256' "$tmp/again.json" 2>/dev/null)" = "$hash" ] \
    || fail "running the provenance's command gave another result hash"

# Chart numbers against the JSON.
num_eq() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }'; }
attrs() { # element attribute... : one line per element having all of them
    perl -e '($el, @at) = @ARGV[1..$#ARGV]; open F, $ARGV[0]; local $/; $_ = <F>;
        while (/<$el\b([^>]*)>/g) { $a = $1; @v = ();
            for $k (@at) { last unless $a =~ /\b$k="([^"]*)"/; push @v, $1 }
            print join(" ", @v), "\n" if @v == @at }' "$tmp/all.svg" "$@"
}
checked=0
attrs circle data-key data-score >"$tmp/dots"
while read -r key v; do
    j=$(jq -r --arg k "$key" '.results[0].ranking[] | select(.model == $k) | .score' "$tmp/result.json")
    num_eq "$v" "$j" || fail "dot $key: $v, JSON $j"; checked=$((checked + 1))
done <"$tmp/dots"
[ "$(wc -l <"$tmp/dots")" -eq "$(jq '.results[0].ranking | length' "$tmp/result.json")" ] || fail "a dot per model"
attrs line data-key data-p05 data-p95 | while read -r key lo hi; do
    jl=$(jq -r --arg k "$key" '.results[0].uncertainty.models[$k].p05' "$tmp/result.json")
    jh=$(jq -r --arg k "$key" '.results[0].uncertainty.models[$k].p95' "$tmp/result.json")
    { num_eq "$lo" "$jl" && num_eq "$hi" "$jh"; } || echo "interval $key: $lo-$hi, JSON $jl-$jh"
done >"$tmp/bad"; [ -s "$tmp/bad" ] && fail "$(cat "$tmp/bad")"
attrs rect data-key data-rank data-share >"$tmp/shares"
[ -s "$tmp/shares" ] || fail "no rank-acceptability segments"
while read -r key rank v; do
    j=$(jq -r --arg k "$key" --argjson r "$rank" '.results[0].uncertainty.models[$k].rank_probability[$r - 1]' "$tmp/result.json")
    num_eq "$v" "$j" || fail "share $key rank $rank: $v, JSON $j"; checked=$((checked + 1))
done <"$tmp/shares"
attrs rect data-key data-phase data-end | while read -r key phase v; do
    case "$phase" in set-up) f=setup_months ;; to) f=months_to_fair ;; *) f=x ;; esac
    [ "$phase" = to ] && continue
    j=$(jq -r --arg k "$key" --arg f "$f" '.results[0].ranking[] | select(.model == $k) | .timeline[$f]' "$tmp/result.json")
    num_eq "$v" "$j" || echo "timeline $key $phase: $v, JSON $j"
done >"$tmp/bad"; [ -s "$tmp/bad" ] && fail "$(cat "$tmp/bad")"
perl -ne 'while (/<rect\b([^>]*data-phase="to (fair|good)"[^>]*)>/g) { $a = $1; $p = $2; $a =~ /data-key="([^"]*)"/; $k = $1; $a =~ /data-end="([^"]*)"/; print "$k $p $1\n" }' "$tmp/all.svg" >"$tmp/lanes"
[ -s "$tmp/lanes" ] || fail "no timeline lanes"
while read -r key p v; do
    j=$(jq -r --arg k "$key" --arg f "months_to_$p" '.results[0].ranking[] | select(.model == $k) | .timeline[$f]' "$tmp/result.json")
    num_eq "$v" "$j" || fail "timeline $key to $p: $v, JSON $j"; checked=$((checked + 1))
done <"$tmp/lanes"
# Each lane's whisker is the model's timeline_range (low..high) for that leg.
perl -ne 'while (/<line\b([^>]*data-low="[^"]*"[^>]*)>/g) { $a = $1; next unless $a =~ /data-phase="([^"]*)"/; $p = $1; $a =~ /data-key="([^"]*)"/; $k = $1; $a =~ /data-low="([^"]*)"/; $l = $1; $a =~ /data-high="([^"]*)"/; print "$k $p $l $1\n" }' "$tmp/all.svg" | tr ' ' '\t' | sed 's/\tto\t/\tto /' >"$tmp/ranges"
[ -s "$tmp/ranges" ] || fail "no timeline ranges drawn (the models give timeline_range)"
while IFS="$(printf '\t')" read -r key phase lo hi; do
    case "$phase" in set-up) f=setup_months ;; "to fair") f=months_to_fair ;; *) f=months_to_good ;; esac
    jl=$(jq -r --arg k "$key" --arg f "$f" '.results[0].ranking[] | select(.model == $k) | .timeline_range[$f].low' "$tmp/result.json")
    jh=$(jq -r --arg k "$key" --arg f "$f" '.results[0].ranking[] | select(.model == $k) | .timeline_range[$f].high' "$tmp/result.json")
    { num_eq "$lo" "$jl" && num_eq "$hi" "$jh"; } || fail "timeline range $key $phase: $lo-$hi, JSON $jl-$jh"
    checked=$((checked + 1))
done <"$tmp/ranges"
attrs rect data-key data-direction data-to >"$tmp/tips"
[ -s "$tmp/tips" ] || fail "no tipping points drawn"
while read -r key dir v; do
    case "$dir" in up) d=increase ;; *) d=decrease ;; esac
    j=$(jq -r --arg k "$key" --arg d "$d" '.results[0].ratings[$k][$d].to' "$tmp/sens.json")
    num_eq "$v" "$j" || fail "tip $key $dir: $v, JSON $j"; checked=$((checked + 1))
done <"$tmp/tips"
# The waterfalls end at the model's score, and start + steps = score.
attrs rect data-key data-score | while read -r key v; do
    j=$(jq -r --arg k "$key" '.results[0].ranking[] | select(.model == $k) | .score' "$tmp/result.json")
    num_eq "$v" "$j" || echo "waterfall $key ends at $v, JSON $j"
done >"$tmp/bad"; [ -s "$tmp/bad" ] && fail "$(cat "$tmp/bad")"
perl -e 'open F, $ARGV[0]; local $/; $_ = <F>; while (/(<svg[^>]*data-chart="waterfall".*?<\/svg>)/gs) { $c = $1; $s = 0;
    $s += $1 while $c =~ /data-(?:base|points)="([^"]*)"/g; $c =~ /data-score="([^"]*)"/; printf "%s %s\n", $s, $1 }' "$tmp/all.svg" |
while read -r sum score; do num_eq "$(printf '%.6f' "$sum")" "$(printf '%.6f' "$score")" || echo "waterfall steps sum to $sum, score $score"; done >"$tmp/bad"
[ -s "$tmp/bad" ] && fail "$(cat "$tmp/bad")"
[ "$checked" -ge 20 ] || fail "only $checked chart numbers checked"

# --- several authorities: a summary page, then a section each ---------------
M="$tmp/multi.html"
"$IMEVAL_BIN" report "$CASES/doncaster-2013.json" "$CASES/isle-of-wight-2013.json" --draws 200 -o "$M" 2>/dev/null \
    || fail "two profiles: exit $?"
grep -q '<h1 id="cover">Intervention options for 2 authorities</h1>' "$M" || fail "no summary page for two"
[ "$(grep -c '<article class="authority"' "$M")" = 2 ] || fail "not one section per authority"

# --- hostile names and sources --------------------------------------------------
# Names are at most 512 bytes (a 10 kB one is refused with the field and the
# limit); sources up to the note limit, so the 10 kB text goes there.
long=$(head -c 10240 /dev/zero | tr '\0' W)
w3900=$(head -c 3900 /dev/zero | tr '\0' W)
w480=$(head -c 440 /dev/zero | tr '\0' W)
rlo=$(printf '\342\200\256')
jq -n --arg name "<script>alert(1)</script> \"quoted\" & amp; ${rlo}evil $w480" \
      --arg src "</script><script>alert(2)</script> & \"src\" ${rlo} $w3900" \
      --slurpfile base "$CASES/isle-of-wight-2013.json" \
      '$base[0] | .id = "hostile" | .name = $name | .source = $src | .partners[0].name = $name' >"$tmp/hostile.json"
H="$tmp/hostile.html"
"$IMEVAL_BIN" report "$tmp/hostile.json" --draws 100 -o "$H" 2>"$tmp/herr0" || fail "hostile profile: exit $?: $(cut -c1-300 "$tmp/herr0")"
grep -q '<script>alert' "$H" && fail "a <script> from the profile came through"
grep -q '</script><script>' "$H" && fail "a </script> from the profile came through"
sed 's/<wbr>//g' "$H" >"$tmp/nowbr.html"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; amp;' "$tmp/nowbr.html" || fail "the hostile name is not escaped as text"
grep -q '&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp; &quot;src&quot;' "$tmp/nowbr.html" || fail "the hostile source is not escaped as text"
grep -q "$rlo" "$H" && fail "a raw right-to-left override came through"
grep -q '\[U+202E\]evil' "$H" || fail "the right-to-left override is not shown as [U+202E]"
[ "$(grep -o 'WWWWWWWWWWWWWWWWWWWWWWWW<wbr>' "$H" | wc -l)" -ge 150 ] || fail "the 3.9 kB source has no break opportunities"
perl -0ne '$i = 0; while (/(<svg\b.*?<\/svg>)/gs) { $i++; open(F, ">", "'"$tmp"'/h$i.xml"); print F $1; close F }' "$H"
for s in "$tmp"/h*.xml; do xmllint --noout "$s" 2>/dev/null || fail "hostile: $(basename "$s") not well-formed"; done
perl -0ne 'print $1 if /<script type="application\/json" id="imeval-result">(.*?)<\/script>/s' "$H" >"$tmp/hres.json"
[ "$(jq -r '.results[0].name' "$tmp/hres.json")" = "<script>alert(1)</script> \"quoted\" & amp; ${rlo}evil $w480" ] \
    || fail "the embedded JSON does not keep the name as given"
[ "$(jq -r '.results[0].profile_source' "$tmp/hres.json")" = "</script><script>alert(2)</script> & \"src\" ${rlo} $w3900" ] \
    || fail "the embedded JSON does not keep the profile's source as given"
jq --arg name "$long" '.name = $name' "$tmp/hostile.json" >"$tmp/long.json"
"$IMEVAL_BIN" report "$tmp/long.json" -o "$tmp/long.html" 2>"$tmp/lerr"
[ $? = 1 ] && grep -q 'name: string of 10240 bytes is longer than the 512 allowed' "$tmp/lerr" && [ ! -e "$tmp/long.html" ] \
    || fail "a 10 kB name: $(cut -c1-200 "$tmp/lerr")"
# Formulas in CSV cells (OWASP CSV injection): a model text starting with = is neutralised.
mkdir -p "$tmp/m"
cat >"$tmp/m/formula.lua" <<'LUA'
return {
  id = "formula", name = "Formula", version = "1.0.0",
  summary = "a test model whose texts look like spreadsheet formulas", evidence = "none",
  parameters = {},
  score = function(p, w)
    return { score = 10, unmet_preconditions = { "=cmd|' /C calc'!A0" } }
  end,
}
LUA
chmod 644 "$tmp/m/formula.lua"; chmod 755 "$tmp/m"
if "$IMEVAL_BIN" evaluate --no-bundled --model "$tmp/m/formula.lua" --format csv "$CASES/doncaster-2013.json" >"$tmp/f.csv" 2>"$tmp/ferr"; then
    grep -q '^[^,]*,[^,]*,formula,' "$tmp/f.csv" || fail "formula model missing from CSV"
    grep -q ",=cmd" "$tmp/f.csv" && fail "a formula reached a CSV cell: $(grep ',=cmd' "$tmp/f.csv")"
    grep -q ",'=cmd\|,\"'=cmd" "$tmp/f.csv" || fail "formula cell not neutralised: $(cat "$tmp/f.csv")"
else
    fail "formula model did not run: $(cat "$tmp/ferr")"
fi

# --- PDF through Chromium -----------------------------------------------------------
CHROMIUM=${IMEVAL_CHROMIUM:-$(command -v chromium)}
if [ -z "$CHROMIUM" ]; then
    fail "chromium is not installed (tests/install-deps.sh test installs it)"
else
    need pdftotext
    P="$tmp/stoke.pdf"
    "$IMEVAL_BIN" report "$CASES/stoke-on-trent-2007.json" --draws 500 --seed 7 -o "$P" 2>"$tmp/perr" \
        || fail "PDF: exit $?: $(cat "$tmp/perr")"
    [ "$(head -c 4 "$P" 2>/dev/null)" = "%PDF" ] || fail "PDF: not a PDF"
    pdftotext -layout "$P" "$tmp/p.txt" 2>/dev/null || fail "pdftotext failed"
    grep -q "Strategic partnership (contracted partner) ranks first" "$tmp/p.txt" || fail "PDF text lacks the recommendation"
    grep -q "$hash" "$tmp/p.txt" || fail "PDF text lacks the result hash $hash"
    pages=$(pdfinfo "$P" | sed -n 's/^Pages: *//p')
    [ "${pages:-0}" -ge 5 ] || fail "PDF has ${pages:-no} pages"
    pdfinfo "$P" | grep -q '^Page size:.*(A4)' || fail "PDF pages are not A4"
    pdfinfo "$P" | grep -q '^Tagged: *yes' || fail "PDF is not tagged (no structure for screen readers)"
    echo "PDF: $pages pages, $(wc -c <"$P") bytes; HTML $(wc -c <"$R") bytes"
    pdftoppm -png -r 100 -f 1 -l 1 -singlefile "$P" "$ART/report-page1" || fail "pdftoppm failed"
    [ -s "$ART/report-page1.png" ] || fail "no screenshot of page 1"
    cp "$P" "$ART/report-doncaster.pdf"
fi

# Without Chromium: a message naming the package, exit 2, nothing written.
echo old >"$tmp/keep.pdf"
IMEVAL_CHROMIUM="$tmp/no-such-chromium" "$IMEVAL_BIN" report "$CASES/doncaster-2013.json" -o "$tmp/keep.pdf" 2>"$tmp/nerr"
rc=$?
[ "$rc" = 2 ] || fail "no chromium: exit $rc, want 2"
grep -q "Debian package chromium" "$tmp/nerr" || fail "no chromium: message does not name the package: $(cat "$tmp/nerr")"
[ "$(cat "$tmp/keep.pdf")" = old ] || fail "no chromium: the previous file was changed"
# A Chromium that hangs is stopped at the deadline, and the old file kept.
printf '#!/bin/sh\nsleep 600\n' >"$tmp/hang"; chmod 755 "$tmp/hang"
start=$(date +%s)
IMEVAL_CHROMIUM="$tmp/hang" IMEVAL_PDF_TIMEOUT=2 "$IMEVAL_BIN" report "$CASES/doncaster-2013.json" --draws 50 -o "$tmp/keep.pdf" 2>"$tmp/herr"
rc=$?
el=$(( $(date +%s) - start ))
[ "$rc" = 1 ] || fail "hanging chromium: exit $rc, want 1"
[ "$el" -lt 120 ] || fail "hanging chromium: took $el s"
grep -q "did not finish printing within 2 s" "$tmp/herr" || fail "hanging chromium: $(cat "$tmp/herr")"
[ "$(cat "$tmp/keep.pdf")" = old ] || fail "hanging chromium: the previous file was changed"
ls "$tmp"/keep.pdf.tmp.* >/dev/null 2>&1 && fail "hanging chromium: temporary file left"
pgrep -f "$tmp/hang" >/dev/null && fail "hanging chromium: its process is still running"

# Usage errors.
"$IMEVAL_BIN" report 2>/dev/null; [ $? = 2 ] || fail "no profile: not a usage error"
"$IMEVAL_BIN" report --format csv "$CASES/doncaster-2013.json" 2>/dev/null; [ $? = 2 ] || fail "--format csv: not a usage error"
"$IMEVAL_BIN" report --format json "$CASES/doncaster-2013.json" --draws 50 | jq -e '.format == "imeval-report-data/1" and (.result.results | length) == 1' >/dev/null \
    || fail "--format json: not the report's data"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "report: $checked chart numbers checked against the JSON"
