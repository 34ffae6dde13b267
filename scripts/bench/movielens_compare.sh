#!/usr/bin/env bash
# MovieLens next-item quality, item2vec against gensim on identical data and settings:
# `item2vec prep` makes the sequences and the hold-out (last liked movie per user), both
# tools train with configs/movielens.ini's settings (d=100, window 10, negative 5,
# sample 1e-3, min-count 5, 20 epochs) for several seeds, and `item2vec eval` scores
# every vectors file the same way. Prints HR@10, NDCG@10 and MRR per run and the means.
# Usage: scripts/bench/movielens_compare.sh [--bin ITEM2VEC] [--seeds "1 2 3"] [--out DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$repo/build/bin/item2vec seeds="1 2 3" out=$repo/out/movielens-compare
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "movielens_compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3
"$py" -c "import gensim" 2> /dev/null || { echo "movielens_compare.sh: needs Debian's python3-gensim" >&2; exit 2; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$out"
"$bin" prep --input "$repo/data/ml-latest-small/ratings.csv" --output "$out/data" --user-col userId \
  --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last 2> /dev/null
cat "$out"/data/train/part-* > "$out/train.txt"
metrics() {  # JSON -> "hr10 ndcg10 mrr"
  "$py" -c "import json,sys; r=json.load(open(sys.argv[1]))['results']['model']; print(r['hr']['10'], r['ndcg']['10'], r['mrr'])" "$1"
}
printf "%-22s %5s %8s %8s %8s\n" tool seed HR@10 NDCG@10 MRR | tee "$out/results.txt"
for seed in $seeds; do
  for layout in "ours-1worker 2" "ours-2workers 3" "gensim-1thread 1" "gensim-2threads 2"; do
    set -- $layout
    name=$1 n=$2
    case $name in
      ours*) mpirun --oversubscribe -np "$n" "$bin" train --config "$repo/configs/movielens.ini" --input "$out/train.txt" \
               --output "$out/$name-$seed" --seed "$seed" --servers 1 --log-level warn 2> /dev/null
             vectors=$out/$name-$seed/vectors.bin ;;
      gensim*) "$py" "$repo/scripts/bench/gensim_train.py" --corpus-file "$out/train.txt" --output "$out/$name-$seed" \
                 --dim 100 --window 10 --negative 5 --sample 1e-3 --min-count 5 --epochs 20 --threads "$n" --seed "$seed" > /dev/null 2>&1
               vectors=$out/$name-$seed/vectors.bin ;;
    esac
    "$bin" eval --model "$vectors" --test "$out/data/test.tsv" --train "$out/train.txt" --json "$out/$name-$seed.json" > /dev/null 2>&1
    read -r hr ndcg mrr < <(metrics "$out/$name-$seed.json")
    printf "%-22s %5s %8.4f %8.4f %8.4f\n" "$name" "$seed" "$hr" "$ndcg" "$mrr" | tee -a "$out/results.txt"
  done
done
awk 'NR > 1 { n[$1]++; h[$1] += $3; g[$1] += $4; m[$1] += $5 }
     END { print ""; printf "%-22s %8s %8s %8s\n", "mean", "HR@10", "NDCG@10", "MRR";
           for (k in n) printf "%-22s %8.4f %8.4f %8.4f\n", k, h[k] / n[k], g[k] / n[k], m[k] / n[k] }' "$out/results.txt" |
  tee -a "$out/results.txt"
