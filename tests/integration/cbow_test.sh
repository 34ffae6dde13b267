#!/usr/bin/env bash
# CBOW (--model cbow) through the worker/server path. Usage: cbow_test.sh GEN_CORPUS_BINARY
#  1. On a planted-cluster corpus CBOW learns the clusters (neighbour precision@10 over
#     mid-frequency items > 0.5, as the skip-gram kernels must), with mean and with sum.
#  2. train.json records the model and word2vec.c's CBOW alpha 0.05; --alpha overrides it.
#  3. Stopped by SIGTERM after a checkpoint and resumed (on another server count): vectors
#     byte-identical to an uninterrupted run; resuming with --model sg is refused.
source "$(dirname "$0")/lib.sh"
gen=$1
"$gen" --output "$WORK/corpus" --tokens 1500k --items 5k --clusters 250 --noise 0.5 --seed 3 > /dev/null

for variant in mean sum; do
  extra=()
  [ "$variant" = sum ] && extra=(--cbow-sum)
  run_np 2 train --input "$WORK/corpus/parts" --output "$WORK/cbow-$variant" --model cbow "${extra[@]}" \
    --epochs 1 --dim 48 --deterministic --log-level warn
  p=$(cluster_precision "$WORK/corpus" "$WORK/cbow-$variant")
  echo "cbow ($variant): P@10 $p"
  awk -v x="$p" 'BEGIN { exit !(x > 0.5) }' || fail "CBOW ($variant) learned no clusters (P@10 $p)"
done
grep -q '"model":"cbow"' "$WORK/cbow-mean/train.json" || fail "train.json does not record --model cbow"
grep -q '"alpha":0.05,' "$WORK/cbow-mean/train.json" || fail "CBOW's default alpha is not 0.05: $(grep -o '"alpha":[0-9.]*' "$WORK/cbow-mean/train.json")"
grep -q '"cbow_sum":true' "$WORK/cbow-sum/train.json" || fail "train.json does not record --cbow-sum"

make_movielens_corpus "$WORK/seqs.txt"
ck=(train --input "$WORK/seqs.txt" --model cbow --dim 16 --epochs 60 --deterministic --log-level info)
run_np 3 "${ck[@]}" --servers 2 --output "$WORK/ref" > /dev/null 2>&1 || fail "reference run failed"
grep -q '"alpha":0.01,' <(run_np 2 train --input "$WORK/seqs.txt" --model cbow --alpha 0.01 --epochs 1 --dim 8 \
  --log-level warn --output "$WORK/a" > /dev/null 2>&1; cat "$WORK/a/train.json") || fail "--alpha does not override CBOW's default"
stop_after_checkpoint 3 "$WORK/ck" "$WORK/ck1.log" 2 "${ck[@]}" --servers 2 --checkpoint-every 0.3s
run_np 2 train --input "$WORK/seqs.txt" --dim 16 --epochs 60 --deterministic --output "$WORK/ck" --resume > "$WORK/ck3.log" 2>&1 &&
  fail "resuming a CBOW checkpoint as skip-gram was accepted"
grep -q -- "--model cbow then, (default) now" "$WORK/ck3.log" || { grep error "$WORK/ck3.log" >&2; fail "the model change is not named"; }
run_np 2 "${ck[@]}" --servers 1 --output "$WORK/ck" --resume > "$WORK/ck2.log" 2>&1 || { tail -5 "$WORK/ck2.log" >&2; fail "resume failed"; }
grep -q "continuing from checkpoint" "$WORK/ck2.log" || fail "the resumed run did not use the checkpoint"
cmp -s "$WORK/ref/vectors.bin" "$WORK/ck/vectors.bin" || fail "resumed CBOW vectors differ from the uninterrupted run's"
echo "ok: CBOW learns the clusters and resumes byte-identically"
