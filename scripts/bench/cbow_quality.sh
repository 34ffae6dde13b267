#!/usr/bin/env bash
# CBOW quality, item2vec `--model cbow` against gensim Word2Vec(sg=0, cbow_mean=1) on the same
# data and settings, runs interleaved (ours, gensim, ours, gensim, ...) per seed:
#  - planted: item2vec-gen-corpus --tokens 500k --items 5k --clusters 250 --noise 0.7 --seed 3,
#    dim 48, neighbour precision@10 over vocabulary ranks 1001-1600 (as tests/integration's
#    cluster_precision), for both models with item2vec's vocabulary as the query list;
#  - movielens: data/ml-latest-small through `item2vec prep --min-rating 3.5 --holdout last`,
#    dim 100, next-item HR@10 and NDCG@10 by `item2vec eval` on the same test file.
# Both: window 5, negative 5, sample 1e-3, min-count 5, alpha 0.05, EPOCHS epochs (default 5);
# item2vec with 2 ranks (1 worker + 1 server) --deterministic, gensim with 1 thread.
# Prints one line per run and the means per tool and data set, with ours/gensim.
# Usage: scripts/bench/cbow_quality.sh [--bin ITEM2VEC] [--gen GEN_CORPUS] [--seeds "1 2 3"]
#          [--epochs 5] [--data "planted movielens"] [--ours-args "ARGS"] [--out DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/scripts/bench/lib.sh"
bin=$repo/build/bin/item2vec gen=$repo/build/bin/item2vec-gen-corpus seeds="1 2 3" epochs=5
data="planted movielens" ours_args="" out=$repo/out/cbow-quality
bench_args "$0" 14 bin gen seeds epochs data ours-args out -- "$@"
py=/usr/bin/python3
bench_needs_gensim "$0"
bench_mpi_as_root
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
mkdir -p "$out"
common=(--window 5 --negative 5 --sample 1e-3 --min-count 5 --epochs "$epochs" --alpha 0.05)

# Neighbour precision@10 of VECTORS over ranks 1001-1600 of QUERY_VOCAB, clusters from CORPUS.
precision() {  # vectors query_vocab corpus_dir
  sed -n '1001,1600p' "$2" | cut -f1 > "$out/queries.txt"
  "$bin" similar --model "$1" --items-file "$out/queries.txt" -k 10 2> /dev/null |
    awk -F'\t' 'NR == FNR { cluster[$1] = $2; next }
                /^# / { q = substr($1, 3); next }
                NF >= 3 { n++; if (cluster[$2] == cluster[q]) same++ }
                END { printf "%.4f\n", same / n }' "$3/clusters.tsv" -
}
eval_metrics() {  # vectors -> "hr10 ndcg10"
  "$bin" eval --model "$1" --test "$out/ml/test.tsv" --train "$out/ml.txt" --json "$out/eval.json" > /dev/null 2>&1
  "$py" -c "import json,sys; r=json.load(open(sys.argv[1]))['results']['model']; print(r['hr']['10'], r['ndcg']['10'])" \
    "$out/eval.json"
}
ours() {  # input output dim seed
  mpirun --oversubscribe -np 2 "$bin" train --input "$1" --output "$2" --model cbow --dim "$3" --seed "$4" \
    "${common[@]}" --deterministic --log-level warn $ours_args 2> "$2.log" > /dev/null
}
theirs() {  # input output dim seed
  "$py" "$repo/scripts/bench/gensim_train.py" --corpus-file "$1" --output "$2" --sg 0 --cbow-mean 1 --dim "$3" \
    --seed "$4" "${common[@]}" --threads 1 > /dev/null 2>&1
}

printf "%-10s %-7s %5s %8s %8s %10s\n" data tool seed metric1 metric2 tokens/s | tee "$out/results.txt"
for d in $data; do
  case $d in
    planted)
      [ -s "$out/planted.txt" ] || {
        "$gen" --output "$out/planted" --tokens 500k --items 5k --clusters 250 --noise 0.7 --seed 3 > /dev/null 2>&1
        cat "$out"/planted/parts/* > "$out/planted.txt"; }
      input=$out/planted.txt dim=48 ;;
    movielens)
      [ -s "$out/ml.txt" ] || {
        bench_prep_movielens "$bin" "$out/ml"
        cat "$out"/ml/train/part-* > "$out/ml.txt"; }
      input=$out/ml.txt dim=100 ;;
    *) echo "cbow_quality.sh: unknown data set $d (planted or movielens)" >&2; exit 2 ;;
  esac
  for seed in $seeds; do
    for tool in ours gensim; do
      dir=$out/$d-$tool-$seed
      rm -rf "$dir"
      if [ "$tool" = ours ]; then
        ours "$input" "$dir" "$dim" "$seed"
        tps=$("$py" -c "import json,sys; j=json.load(open(sys.argv[1])); print(int(j.get('tokens_per_second', 0)))" \
          "$dir/train.json" 2> /dev/null || echo 0)
      else
        theirs "$input" "$dir" "$dim" "$seed"
        tps=$("$py" -c "import json,sys; j=json.load(open(sys.argv[1])); print(int(j['tokens'] * j['epochs'] / j['train_seconds']))" \
          "$dir/gensim.json")
      fi
      if [ "$d" = planted ]; then
        m1=$(precision "$dir/vectors.bin" "$out/planted-ours-$(set -- $seeds; echo "$1")/vocab.tsv" "$out/planted") m2=-
      else
        read -r m1 m2 < <(eval_metrics "$dir/vectors.bin")
      fi
      [ "$m2" = - ] || m2=$(printf "%.4f" "$m2")
      printf "%-10s %-7s %5s %8.4f %8s %10s\n" "$d" "$tool" "$seed" "$m1" "$m2" "$tps" | tee -a "$out/results.txt"
    done
  done
done
awk 'NR > 1 { k = $1 " " $2; n[k]++; a[k] += $4; b[k] += ($5 == "-" ? 0 : $5); t[k] += $6 }
     END { print ""; printf "%-18s %8s %8s %10s %10s\n", "mean", "metric1", "metric2", "tokens/s", "vs gensim";
           for (k in n) { split(k, p, " "); g = p[1] " gensim";
             printf "%-18s %8.4f %8.4f %10d %10s\n", k, a[k] / n[k], b[k] / n[k], t[k] / n[k],
               (p[2] == "ours" && a[g] > 0) ? sprintf("%.3f", (a[k] / n[k]) / (a[g] / n[g])) : "" } }' \
  "$out/results.txt" | tee -a "$out/results.txt"
