#!/usr/bin/env bash
# Quality of the wire precisions on the local cluster (3 nodes: workers on node1 and node2, the
# server on node3, unshaped): on a planted-cluster corpus from item2vec-gen-corpus, trains each
# setting and prints neighbour precision@10 (the fraction of the 10 nearest neighbours in the
# query's planted cluster, vocabulary ranks 1001-1600, as tests/integration/lib.sh) and HR@10 /
# NDCG@10 of next-item prediction (item2vec eval) on a hold-out: the last item of every 10th
# session, its earlier items the history, trained without that last item.
# Usage: measure_quality.sh ITEM2VEC GEN_CORPUS [TOKENS] [EPOCHS] [PRECISIONS...]   (root)
# Environment: ITEMS=20000 and NOISE=0.3 shape the corpus; EXTRA="..." options added to every
#              run (default: the fast path,
#              --kernel hogbatch --negative-pool 1024); REPEAT=1 seeds per precision.
set -euo pipefail
bin=${1:?usage: measure_quality.sh ITEM2VEC GEN_CORPUS [TOKENS] [EPOCHS] [PRECISIONS...]}
gen=${2:?}
tokens=${3:-3M}
epochs=${4:-5}
shift 4 2> /dev/null || shift $#
precisions=("$@")
[ ${#precisions[@]} -gt 0 ] || precisions=(fp32 bf16 fp16)
export CLUSTER_NAME=i2vquality OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
C="$(cd "$(dirname "$0")" && pwd)/cluster.sh"
work=$(mktemp -d /tmp/item2vec-quality.XXXXXX)
trap '"$C" down > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$gen" --output "$work/corpus" --tokens "$tokens" --items "${ITEMS:-20000}" --noise "${NOISE:-0.3}" --seed 5 > /dev/null 2>&1
mkdir -p "$work/train"
# Hold out the last item of every 10th session (sessions of at least 3 items).
cat "$work/corpus"/parts/part-* | awk -v test="$work/test.tsv" '
  { n = split($0, a, " ") }
  NR % 10 == 0 && n >= 3 { h = a[1]; for (i = 2; i < n; i++) h = h " " a[i]
                           printf "u%d\t%s\t%s\n", NR, a[n], h > test; print h; next }
  { print }' > "$work/train/seqs.txt"
"$C" up 3 > /dev/null
echo "| precision | seed | tokens/s | P@10 | HR@10 | NDCG@10 |"
echo "|---|---|---|---|---|---|"
for seed in $(seq 1 "${REPEAT:-1}"); do
  for p in "${precisions[@]}"; do
    # shellcheck disable=SC2086
    "$C" mpirun --host node1:1,node2:1,node3:1 -np 3 "$bin" train --input "$work/train/seqs.txt" \
      --output "$work/m" --dim 100 --epochs "$epochs" --servers 1 --seed "$seed" --log-level warn \
      ${EXTRA---kernel hogbatch --negative-pool 1024} --wire-precision "$p" > "$work/log" 2>&1 ||
      { tail "$work/log" >&2; exit 1; }
    sed -n '1001,1600p' "$work/m/vocab.tsv" | cut -f1 > "$work/queries.txt"
    prec=$("$bin" similar --model "$work/m" --items-file "$work/queries.txt" -k 10 2> /dev/null |
      awk -F'\t' 'NR == FNR { cluster[$1] = $2; next } /^# / { q = substr($1, 3); next }
                  NF >= 3 { n++; if (cluster[$2] == cluster[q]) same++ } END { printf "%.4f", same / n }' \
        "$work/corpus/clusters.tsv" -)
    "$bin" eval --model "$work/m" --test "$work/test.tsv" --k 10 --json "$work/eval.json" > /dev/null 2>&1 || true
    hr=$(/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["results"]["model"]
print("%.4f %.4f" % (m["hr"]["10"], m["ndcg"]["10"]))' "$work/eval.json")
    tps=$(grep -o '"tokens_per_second":[0-9.e+]*' "$work/m/train.json" | cut -d: -f2)
    printf '| %s | %s | %.0f | %s | %s | %s |\n' "$p" "$seed" "$tps" "$prec" ${hr}
  done
done
