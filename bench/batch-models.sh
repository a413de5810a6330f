#!/bin/sh
# batch-models.sh - make a directory of the seven bundled models, each with a
# batch path, without editing models/: the C ones are the batch_*.so
# wrappers of tests/plugins (batch_wrap.h), the Lua ones are wrapped here
# in a script that adds score_batch(ps, params_list) as a loop over score.
# The ids are unchanged, so `imeval ... --no-bundled --models DIR` must
# give the same output as the bundled models.
#
# usage: bench/batch-models.sh OUTDIR FIXTURES_DIR MODELS_SRC_DIR
set -eu
out=$1 fixtures=$2 src=$3
mkdir -p "$out"
for so in "$fixtures"/batch_*.so; do
    name=$(basename "$so" .so)
    cp "$so" "$out/${name#batch_}.so"
done
for lua in "$src"/*.lua; do
    {
        echo "local model = (function()"
        cat "$lua"
        echo "end)()"
        echo "local score = model.score"
        echo "model.score_batch = function(ps, params_list)"
        echo "  local out = {}"
        echo "  for i = 1, #ps do"
        echo "    -- one value an item: a score-only call's two (score, unmet) as a table"
        echo "    local s, u = score(ps[i], params_list[i])"
        echo "    if u ~= nil then s = { score = s, unmet_preconditions = u } end"
        echo "    out[i] = s"
        echo "  end"
        echo "  return out"
        echo "end"
        echo "return model"
    } >"$out/$(basename "$lua")"
done
chmod -R go-w "$out"
