#!/usr/bin/env bash
# item2vec export, opened by the readers it is for, on the MovieLens model (1 worker,
# --deterministic):
#  1. --format npy: numpy.load gives a float32 (items, dim) array equal to vectors.bin bit for
#     bit, items.txt its items in order; --max-items 100 --normalize gives 100 unit rows
#  2. --format projector --names movies.csv: the TSV pair follows the Embedding Projector's
#     parsing rules (check_projector_tsv.py) and equals the model, titles and counts included;
#     projector_config.pbtxt names both files
#  3. from a bare vectors file (no vocab.tsv, no names): a one-column metadata.tsv, no header
#  4. a model of dimension 1 is refused for the Projector (exit 2); bad options exit 2
# Usage: export_test.sh ITEM2VEC REPO
# `check && check || fail` is meant (fail exits).
# shellcheck disable=SC2015
set -euo pipefail
ITEM2VEC=$1 REPO=$2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" export numpy
MOVIES=$REPO/data/ml-latest-small/movies.csv

train_movielens 24

echo "== 1. npy"
"$ITEM2VEC" export --model "$WORK/model" --format npy --output "$WORK/npy"
"$ITEM2VEC" export --model "$WORK/model" --format npy --output "$WORK/npy100" --max-items 100 --normalize > /dev/null
$PY - "$WORK" <<'PY' || fail "numpy does not read back the model"
import sys
import numpy as np
from word2vec_bin import read_bin
w = sys.argv[1]
items, model = read_bin(w + "/model/vectors.bin")
rows, dim = model.shape
a = np.load(w + "/npy/vectors.npy")
assert a.dtype == np.float32 and a.shape == (rows, dim) and a.flags.c_contiguous, (a.dtype, a.shape)
assert a.tobytes() == model.tobytes(), "vectors.npy differs from vectors.bin"
assert open(w + "/npy/items.txt").read().split("\n")[:-1] == items, "items.txt"
b = np.load(w + "/npy100/vectors.npy")
assert b.shape == (100, dim)
assert np.allclose(np.linalg.norm(b, axis=1), 1, atol=1e-6)
assert np.allclose(b, model[:100] / np.linalg.norm(model[:100], axis=1, keepdims=True), atol=1e-6)
print("ok: numpy reads %d x %d float32, equal to vectors.bin" % a.shape)
PY

echo "== 2. projector"
"$ITEM2VEC" export --model "$WORK/model" --format projector --output "$WORK/proj" --names "$MOVIES"
$PY "$HERE/check_projector_tsv.py" "$WORK/proj" "$WORK/model/vectors.bin" "$MOVIES" || fail "projector TSV pair"
[ "$(head -1 "$WORK/proj/metadata.tsv")" = "item	title	count" ] || fail "metadata header: $(head -1 "$WORK/proj/metadata.tsv")"
[ "$(sed -n 2p "$WORK/proj/metadata.tsv" | cut -f3)" = "$(head -1 "$WORK/model/vocab.tsv" | cut -f2)" ] ||
  fail "the count column is not vocab.tsv's"
grep -q 'tensor_path: "vectors.tsv"' "$WORK/proj/projector_config.pbtxt" &&
  grep -q 'metadata_path: "metadata.tsv"' "$WORK/proj/projector_config.pbtxt" || fail "projector_config.pbtxt"

echo "== 3. a bare vectors file"
"$ITEM2VEC" export --model "$WORK/model/vectors.txt" --format projector --output "$WORK/bare" > /dev/null
$PY "$HERE/check_projector_tsv.py" "$WORK/bare" "$WORK/model/vectors.bin" || fail "bare projector TSV pair"
[ "$(head -1 "$WORK/bare/metadata.tsv")" = "$(head -1 "$WORK/model/vocab.tsv" | cut -f1)" ] ||
  fail "a one-column metadata.tsv has no header"

echo "== 4. refusals"
printf '2 1\na 0.5\nb 0.25\n' > "$WORK/dim1.txt"
RC=0; "$ITEM2VEC" export --model "$WORK/dim1.txt" --format projector --output "$WORK/x" 2> "$WORK/err" || RC=$?
[ "$RC" = 2 ] && grep -q "at least 2 dimensions" "$WORK/err" || fail "dim 1 for the Projector: exit $RC, $(cat "$WORK/err")"
RC=0; "$ITEM2VEC" export --model "$WORK/model" --format csv --output "$WORK/x" 2> /dev/null || RC=$?
[ "$RC" = 2 ] || fail "--format csv exited $RC"
RC=0; "$ITEM2VEC" export --model "$WORK/nope" --format npy --output "$WORK/x" 2> /dev/null || RC=$?
[ "$RC" = 3 ] || fail "a missing model exited $RC"
echo "ok: numpy and the Embedding Projector's rules read what export writes"
