#!/bin/sh
# bench/allocate.sh IMEVAL WORKDIR: the national allocation at the scale of
# issue 15 (150 councils needing a partner, 40 partner councils), timed
# end to end: reading, scoring every council with every partner at every
# load, the integer programme and the "one more place" re-solves.  Prints
# the median of 3 runs, wall and CPU.  Called by bench/bench.sh.
set -eu
IMEVAL=$1
WORK=$2
mkdir -p "$WORK"
"$IMEVAL" synth --count 150 --seed 11 --years 2017-2024 -o "$WORK/councils.jsonl"
# 40 partners, deterministic: good or outstanding, spare capacity 2..3.5,
# 0 or 1 current commitments, each neighbouring four of the councils.
jq -r '.id' "$WORK/councils.jsonl" | awk '
    { ids[NR] = $0 }
    END {
        printf "[";
        for (i = 1; i <= 40; i++) {
            nb = "";
            for (k = 0; k < 4; k++) {
                j = (i * 7 + k * 37) % NR + 1;
                nb = nb (k ? ", " : "") "\"" ids[j] "\"";
            }
            printf "%s{\"id\": \"partner-%d\", \"name\": \"Partner %d\", \"grade\": \"%s\", ", \
                   (i > 1 ? ",\n " : ""), i, i, (i % 3 ? "good" : "outstanding");
            printf "\"child_population\": %d, \"spare_leadership_capacity\": %.1f, ", \
                   40000 + (i * 7919) % 260000, 2 + (i % 4) * 0.5;
            printf "\"current_commitments\": %d, \"neighbours\": [%s]}", (i % 5 == 0), nb;
        }
        print "]";
    }' >"$WORK/partners.json"
runs=""
for r in 1 2 3; do
    s0=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        cpu=$( { /usr/bin/time -f '%U %S' "$IMEVAL" allocate --format json \
                 --partners "$WORK/partners.json" "$WORK/councils.jsonl" >"$WORK/out.json"; } 2>&1 |
               tail -1 | awk '{ print $1 + $2 }')
    else
        "$IMEVAL" allocate --format json --partners "$WORK/partners.json" "$WORK/councils.jsonl" \
            >"$WORK/out.json"
        cpu=nan
    fi
    s1=$(date +%s.%N)
    runs="$runs$(awk -v a="$s0" -v b="$s1" -v c="$cpu" 'BEGIN { printf "%.3f %s\n", b - a, c }')
"
done
med=$(printf '%s' "$runs" | sort -n | sed -n 2p)
assigned=$(jq '.assignments | length' "$WORK/out.json")
places=$(jq '[.partners[].places] | add' "$WORK/out.json")
gain=$(jq '.total_gain' "$WORK/out.json")
set -- $med
printf "   150 councils x 40 partners: %.2f s wall, %s s CPU (median of 3); %s assigned to %s places, total gain %s, optimal\n" \
    "$1" "$2" "$assigned" "$places" "$gain"
