#!/usr/bin/env bash
# The fast paths keep quality: on a synthetic corpus with planted clusters, the hogbatch
# kernel and the negative pool give neighbour precision@10 (fraction of an item's 10
# nearest neighbours in its planted cluster) within 0.03 of word2vec.c's per-pair kernel,
# and all of them learn the clusters. Usage: kernel_quality_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1
"$gen" --output "$WORK/corpus" --tokens 1500k --items 5k --clusters 250 --noise 0.5 --seed 3 > /dev/null

precision() { cluster_precision "$WORK/corpus" "$1"; }

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
