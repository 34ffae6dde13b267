#!/usr/bin/env bash
# MovieLens next-item quality of graph embeddings against item2vec on the raw sequences:
# `item2vec prep` makes the sequences and the hold-out (last liked movie per user, rating
# >= 3.5) of ml-latest-small (bundled) and ml-100k (../shared/data, skipped where absent);
# `item2vec walk` turns the training sequences into DeepWalk and node2vec walks (several
# p, q); `item2vec train` trains each corpus with configs/movielens.ini (d=100, window 10,
# negative 5, sample 1e-3, min-count 5; 20 epochs on the raw sequences, --walk-epochs on
# the walks, which are 8-16x longer) plus --train-args (default: the fast hogbatch kernel,
# for every corpus alike); `item2vec eval` scores every model on the same test.tsv, with
# the popularity baseline. Prints HR@10, NDCG@10 and MRR per run (and the records eval
# scored: the same for every corpus) and the means over seeds.
# Usage: scripts/bench/walk_compare.sh [--bin ITEM2VEC] [--seeds "1 2"] [--np 2] [--walk-epochs 5]
#          [--walks-per-item 10] [--walk-length 40] [--train-args "..."] [--corpora "raw deepwalk ..."]
#          [--out DIR] [--data DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$repo/build/bin/item2vec seeds="1" np=2 walk_epochs=5 wpi=10 wlen=40 out=$repo/out/walk-compare
data=$repo/../shared/data corpora="" train_args="--kernel hogbatch --negative-pool 1024"
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --np) np=$2; shift 2 ;;
    --walk-epochs) walk_epochs=$2; shift 2 ;;
    --walks-per-item) wpi=$2; shift 2 ;;
    --walk-length) wlen=$2; shift 2 ;;
    --train-args) train_args=$2; shift 2 ;;
    --corpora) corpora=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "walk_compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -d "$data" ] || data=/work/shared/data
py=/usr/bin/python3
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$out"
metrics() {  # JSON -> "hr10 ndcg10 mrr" of the model, or of the popularity baseline with "popularity"
  "$py" -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][sys.argv[2]]; print(r['hr']['10'], r['ndcg']['10'], r['mrr'])" "$1" "$2"
}
prep_set() {  # NAME -> $out/NAME/data (train/, test.tsv)
  local name=$1 d=$out/$1/data
  mkdir -p "$out/$name"
  case $name in
    ml-latest-small) "$bin" prep --input "$repo/data/ml-latest-small/ratings.csv" --output "$d" --user-col userId \
                       --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last --log-level warn ;;
    ml-100k) "$bin" prep --input "$data/ml-100k/u.data" --output "$d" --delimiter tab --header no --user-col 1 \
               --item-col 2 --rating-col 3 --time-col 4 --min-rating 3.5 --holdout last --log-level warn ;;
  esac
}
runs=("raw|" "deepwalk|--method deepwalk" "deepwalk-undirected|--method deepwalk --undirected"
      "deepwalk-window5|--method deepwalk --window 5"
      "node2vec-p1-q0.5|--method node2vec --p 1 --q 0.5" "node2vec-p1-q2|--method node2vec --p 1 --q 2"
      "node2vec-p0.25-q4|--method node2vec --p 0.25 --q 4")
printf "%-16s %-20s %4s %8s %8s %8s %9s %6s %5s\n" dataset corpus seed HR@10 NDCG@10 MRR tokens secs evald | tee "$out/results.txt"
for set in ml-latest-small ml-100k; do
  if [ "$set" = ml-100k ] && [ ! -s "$data/ml-100k/u.data" ]; then echo "skip ml-100k: no $data/ml-100k/u.data" >&2; continue; fi
  prep_set "$set"
  d=$out/$set/data
  for seed in $seeds; do
    for run in "${runs[@]}"; do
      name=${run%%|*} args=${run#*|}
      [ -z "$corpora" ] || [[ " $corpora " == *" $name "* ]] || continue
      start=$(date +%s.%N)
      if [ "$name" = raw ]; then
        input=$d/train epochs=20
      else
        input=$out/$set/walks-$name-$seed epochs=$walk_epochs
        # --min-count 5 as train's: the walks hold the items the raw model knows, so eval
        # scores every corpus on the same records (rarer query items are skipped alike).
        "$bin" walk --input "$d/train" --output "$input" $args --walks-per-item "$wpi" --walk-length "$wlen" \
          --min-count 5 --seed "$seed" --log-level warn
      fi
      model=$out/$set/model-$name-$seed
      mpirun -np "$np" "$bin" train --config "$repo/configs/movielens.ini" --input "$input" --output "$model" \
        --servers 1 --seed "$seed" --epochs "$epochs" $train_args --log-level warn 2> /dev/null
      secs=$(echo "$(date +%s.%N) - $start" | bc)
      tokens=$(cat "$input"/part-* | wc -w)
      "$bin" eval --model "$model/vectors.bin" --test "$d/test.tsv" --train "$d/train" --json "$model/eval.json" > /dev/null 2>&1
      read -r hr ndcg mrr < <(metrics "$model/eval.json" model)
      evald=$(grep -o '"evaluated":[0-9]*' "$model/eval.json" | head -1 | cut -d: -f2)
      printf "%-16s %-20s %4s %8.4f %8.4f %8.4f %9s %6.0f %5s\n" "$set" "$name" "$seed" "$hr" "$ndcg" "$mrr" "$tokens" "$secs" "$evald" |
        tee -a "$out/results.txt"
    done
    pop=$(ls "$out/$set"/model-*-"$seed"/eval.json | head -1)
    read -r hr ndcg mrr < <(metrics "$pop" popularity)
    printf "%-16s %-20s %4s %8.4f %8.4f %8.4f %9s %6s\n" "$set" popularity "$seed" "$hr" "$ndcg" "$mrr" - - | tee -a "$out/results.txt"
  done
done
awk 'NR > 1 { k = $1 " " $2; n[k]++; h[k] += $4; g[k] += $5; m[k] += $6 }
     END { print ""; printf "%-37s %8s %8s %8s\n", "mean over seeds", "HR@10", "NDCG@10", "MRR";
           for (k in n) printf "%-37s %8.4f %8.4f %8.4f\n", k, h[k] / n[k], g[k] / n[k], m[k] / n[k] | "sort" }' "$out/results.txt" |
  tee -a "$out/results.txt"
