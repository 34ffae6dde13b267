#!/usr/bin/env bash
# The fast paths keep quality: on a synthetic corpus with planted clusters, the hogbatch
# kernel and the negative pool give neighbour precision@10 (fraction of an item's 10
# nearest neighbours in its planted cluster) within 0.03 of word2vec.c's per-pair kernel,
# and all of them learn the clusters. Usage: kernel_quality_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1
"$gen" --output "$WORK/corpus" --tokens 1500k --items 5k --clusters 250 --noise 0.5 --seed 3 > /dev/null

# precision MODEL_DIR: P@10 over 600 mid-frequency items (ranks 1001-1600), where the
# clusters are learnable but not trivial (the most frequent items score ~0.99 with any
# kernel, the rarest ~0.1).
precision() {
  sed -n '1001,1600p' "$1/vocab.tsv" | cut -f1 > "$WORK/queries.txt"
  "$ITEM2VEC" similar --model "$1" --items-file "$WORK/queries.txt" -k 10 2> /dev/null |
    awk -F'\t' 'NR == FNR { cluster[$1] = $2; next }
                /^# / { q = substr($1, 3); next }
                NF >= 3 { n++; if (cluster[$2] == cluster[q]) same++ }
                END { if (n != 6000) { print "bad neighbour count " n > "/dev/stderr"; exit 1 } printf "%.4f\n", same / n }' \
      "$WORK/corpus/clusters.tsv" -
}

declare -A p
for variant in "pair 0" "hogbatch 0" "pair 1024" "hogbatch 1024"; do
  set -- $variant
  run_np 2 train --input "$WORK/corpus/parts" --output "$WORK/m-$1-$2" --kernel "$1" --negative-pool "$2" \
    --epochs 1 --dim 48 --deterministic --log-level warn
  p[$1-$2]=$(precision "$WORK/m-$1-$2")
  echo "kernel $1, negative pool $2: P@10 ${p[$1-$2]}"
done
ref=${p[pair-0]}
awk -v r="$ref" 'BEGIN { exit !(r > 0.5) }' || fail "per-pair kernel learned no clusters (P@10 $ref)"
for k in hogbatch-0 pair-1024 hogbatch-1024; do
  awk -v r="$ref" -v x="${p[$k]}" 'BEGIN { d = x - r; exit !(d > -0.03) }' ||
    fail "$k P@10 ${p[$k]} is more than 0.03 below the per-pair kernel's $ref"
done
echo "ok: fast kernels within 0.03 of word2vec.c's per-pair kernel"
