#!/usr/bin/env bash
# End to end on the bundled ml-latest-small: prep (last liked movie held out), walk
# (node2vec), train on the walks under mpirun, eval on the hold-out: the model has vectors
# for the walked items and eval reports HR@10 above zero, with the popularity baseline.
# Usage: walk_movielens_test.sh
source "$(dirname "$0")/../integration/lib.sh"
"$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/ml" --user-col userId \
  --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last --log-level warn
"$ITEM2VEC" walk --input "$WORK/ml/train" --output "$WORK/walks" --method node2vec --p 1 --q 0.5 \
  --walks-per-item 5 --walk-length 40 --log-level warn
run_np 2 train --input "$WORK/walks" --output "$WORK/model" --servers 1 --dim 32 --window 5 --epochs 2 \
  --min-count 1 --log-level warn || fail "train on the walks failed"
check_model "$WORK/model" 32
"$ITEM2VEC" eval --model "$WORK/model" --test "$WORK/ml/test.tsv" --train "$WORK/ml/train" \
  --json "$WORK/eval.json" > "$WORK/eval.txt" 2> "$WORK/eval.log" || { cat "$WORK/eval.log" >&2; fail "eval failed"; }
hr=$(/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(r['model']['hr']['10'], r['popularity']['hr']['10'])" "$WORK/eval.json")
set -- $hr
awk -v m="$1" 'BEGIN { exit !(m > 0.01) }' || fail "HR@10 of the walk model is $1"
echo "ok: walk -> train -> eval on ml-latest-small: HR@10 $1 (popularity $2)"
