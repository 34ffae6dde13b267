#!/usr/bin/env bash
# MovieLens next-item quality, item2vec against gensim on identical data and settings:
# `item2vec prep` makes the sequences and the hold-out (last liked movie per user), both
# tools train with configs/movielens.ini's settings (d=100, window 10, negative 5,
# sample 1e-3, min-count 5, 20 epochs) for several seeds, and `item2vec eval` scores
# every vectors file the same way. Prints HR@10, NDCG@10 and MRR per run and the means.
# Usage: scripts/bench/movielens_compare.sh [--bin ITEM2VEC] [--seeds "1 2 3"] [--out DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/scripts/bench/lib.sh"
bin=$repo/build/bin/item2vec seeds="1 2 3" out=$repo/out/movielens-compare
bench_args "$0" 8 bin seeds out -- "$@"
py=/usr/bin/python3
bench_needs_gensim "$0"
bench_mpi_as_root
mkdir -p "$out"
bench_prep_movielens "$bin" "$out/data"
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
