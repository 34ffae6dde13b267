#!/usr/bin/env bash
# prep -> train --side-info -> eval -> similar -> publish, end to end (issue 31): the movies
# of movies.csv without events get cold vectors, eval ranks them with the rest, similar marks
# them "(cold)", and publish writes them with the others plus the set PREFIX:N:cold and
# cold_items in the meta hash (a real redis-server).
# Usage: side_info_pipeline_test.sh ITEM2VEC REPO
set -euo pipefail
ITEM2VEC=$1 REPO=$2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" serving_side_info redis
"$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/data" --user-col userId \
  --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last > /dev/null 2>&1 ||
  fail "prep failed"
# The side-info table: movies.csv as it is (CSV, quoted titles), but its title column is no
# attribute: cut it out with Python's csv module; genres stay '|'-separated.
$PY - "$REPO/data/ml-latest-small/movies.csv" "$WORK/items.csv" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    for r in csv.reader(f):
        w.writerow([r[0], r[2]])
PY
"$MPIRUN" -np 3 "$ITEM2VEC" train --config "$REPO/configs/movielens.ini" --input "$WORK/data/train" --epochs 5 \
  --side-info "$WORK/items.csv" --output "$WORK/model" --log-level warn --report false || fail "train --side-info failed"
cold=$(grep -o '"cold_items":[0-9]*' "$WORK/model/train.json" | cut -d: -f2)
[ "$cold" -gt 1000 ] || fail "cold_items in train.json: '$cold'"
"$ITEM2VEC" eval --model "$WORK/model" --test "$WORK/data/test.tsv" --train "$WORK/data/train" > "$WORK/eval.txt" ||
  fail "eval failed"
# Every held-out movie has a vector now (cold or not): none is skipped.
awk '$1 == "model" && $NF != 0 { exit 1 }' "$WORK/eval.txt" || fail "eval skipped records: $(cat "$WORK/eval.txt")"
first_cold=$(awk -F'\t' '$2 == 0 { print $1; exit }' "$WORK/model/vocab.tsv")
"$ITEM2VEC" similar --model "$WORK/model" --item "$first_cold" --names "$REPO/data/ml-latest-small/movies.csv" -k 5 \
  > "$WORK/similar.txt" || fail "similar failed"
head -1 "$WORK/similar.txt" | grep -q "(cold)$" || fail "similar does not mark the cold query: $(head -1 "$WORK/similar.txt")"
start_redis
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/pub.txt" || fail "publish failed"
grep -q "^$cold of the items are cold" "$WORK/pub.txt" || fail "publish summary: $(cat "$WORK/pub.txt")"
[ "$(rcli scard i2v:1:cold)" = "$cold" ] || fail "i2v:1:cold has $(rcli scard i2v:1:cold) members, expected $cold"
[ "$(rcli sismember i2v:1:cold "$first_cold")" = 1 ] || fail "$first_cold is not in i2v:1:cold"
[ "$(rcli hget i2v:1:meta cold_items)" = "$cold" ] || fail "meta cold_items: $(rcli hget i2v:1:meta cold_items)"
[ "$(rcli exists "i2v:1:i:$first_cold")" = 1 ] || fail "the cold movie's vector was not published"
echo "ok: prep -> train --side-info ($cold cold movies) -> eval (none skipped) -> similar (marked) -> publish (set, meta)"
