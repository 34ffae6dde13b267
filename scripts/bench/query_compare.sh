#!/usr/bin/env bash
# Next-item HR@10 of the three queries of `item2vec eval`: the last history item, the user
# vector (`--query user`: the mean of every known history item, as embed-users writes it)
# and the popularity baseline, on the same records, for ml-latest-small (bundled) and
# ml-100k (../shared/data/ml-100k, skipped when absent).
#   prep  --min-rating 3.5 --holdout last (the last liked movie of each user held out)
#   train configs/movielens.ini, --deterministic, mpirun -np 2 (one worker, one server)
#   eval  --query last,mean:3,user --k 10 (popularity scored with the last item's exclusions)
# Usage: scripts/bench/query_compare.sh [--bin ITEM2VEC] [--out DIR] [--seed N] [--metric M]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/scripts/bench/lib.sh"
bin=$repo/build/bin/item2vec out=$repo/out/query-compare seed=1 metric=cosine
bench_args "$0" 10 bin out seed metric -- "$@"
bench_mpi_as_root
data=${ITEM2VEC_DATA:-$repo/../shared/data}
[ -d "$data" ] || data=/work/shared/data
mkdir -p "$out"
printf "| data | records | last item | mean of last 3 | user vector | popularity |\n|---|---:|---:|---:|---:|---:|\n" |
  tee "$out/results.md"
run() {  # NAME PREP_ARGS...
  local name=$1
  shift
  "$bin" prep --output "$out/$name/data" --min-rating 3.5 --holdout last "$@" 2> "$out/$name.prep.log"
  mpirun --oversubscribe -np 2 "$bin" train --config "$repo/configs/movielens.ini" --input "$out/$name/data/train" \
    --output "$out/$name/model" --servers 1 --deterministic --seed "$seed" --log-level warn 2> "$out/$name.train.log"
  "$bin" eval --model "$out/$name/model" --test "$out/$name/data/test.tsv" --query last,mean:3,user --k 10 \
    --metric "$metric" --json "$out/$name/eval.json" > "$out/$name/eval.txt" 2> "$out/$name.eval.log"
  /usr/bin/python3 - "$out/$name/eval.json" "$name" <<'PY' | tee -a "$out/results.md"
import json, sys
r = json.load(open(sys.argv[1]))
q, p = r["results"]["queries"], r["results"]["popularity"]
print(f"| {sys.argv[2]} | {r['records']['evaluated']} | {q['last']['hr']['10']:.4f} | {q['mean:3']['hr']['10']:.4f} "
      f"| {q['user']['hr']['10']:.4f} | {p['hr']['10']:.4f} |")
PY
}
run ml-latest-small --input "$repo/data/ml-latest-small/ratings.csv" --user-col userId --item-col movieId \
  --time-col timestamp --rating-col rating
if [ -f "$data/ml-100k/u.data" ]; then
  run ml-100k --input "$data/ml-100k/u.data" --header no --delimiter tab --user-col 1 --item-col 2 --rating-col 3 \
    --time-col 4
else
  echo "(ml-100k skipped: $data/ml-100k/u.data not found)"
fi
