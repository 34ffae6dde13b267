#!/usr/bin/env bash
# The hot-row cache (--hot-rows H --hot-sync K, worker/hot_rows.h):
#  1. Quality: on a generated corpus with planted clusters, 2 workers + 1 server on the
#     fast path, neighbour precision@10 with --hot-rows 1000 --hot-sync 16 is within 0.03
#     of the same run without the cache (the cached items are 5% of this vocabulary; on the
#     5k-item corpus of kernel_quality_test.sh they are 20% of it, and K = 16 batches is a
#     tenth of an epoch there: that costs more, see worker/hot_rows.h).
#  2. Determinism: with one worker (--deterministic) two identical runs with the cache
#     give the same bytes, and so does a run on another server count.
#  3. Checkpoints: SIGTERM -> checkpoint -> exit 75 -> --resume (on another server count)
#     finishes byte-identical to the uninterrupted run with one worker: a checkpoint is
#     taken right after a sync, so the servers hold every update and the cache is what a
#     resumed worker pulls. With 2 workers a stop and resume finishes with a whole model.
# Usage: hot_rows_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1

# Starts NP ranks writing to OUTPUT in the background, sends SIGTERM to every rank once
# rank 0 has logged progress, and checks the job stopped with a checkpoint (exit 75).
stop_with_sigterm() {
  local out=$2
  stop_by_sigterm "$@"
  ls "$out"/checkpoints/ckpt-*/MANIFEST > /dev/null 2>&1 || fail "SIGTERM with the cache left no complete checkpoint"
  [ -e "$out/vectors.bin" ] && fail "a stopped run wrote vectors.bin"
  return 0
}

# ---------------------------------------------------------------- 1. quality, 2 workers
"$gen" --output "$WORK/corpus" --tokens 4M --items 20k --clusters 1000 --noise 0.5 --seed 3 > /dev/null
# Both runs at one batch size (automatic batches are 4096 tokens with --hot-rows, 16384
# without on this corpus), so that the bytes compared are the cache's doing.
fast=(train --input "$WORK/corpus/parts" --servers 1 --kernel hogbatch --negative-pool 1024 --epochs 1 --dim 48
      --batch-tokens 4096 --log-level warn)
run_np 3 "${fast[@]}" --output "$WORK/off" || fail "run without the cache failed"
run_np 3 "${fast[@]}" --output "$WORK/on" --hot-rows 1000 --hot-sync 16 || fail "run with the cache failed"
check_model "$WORK/on" 48
grep -q '"hot_rows":1000' "$WORK/on/train.json" || fail "train.json does not record --hot-rows"
p_off=$(cluster_precision "$WORK/corpus" "$WORK/off")
p_on=$(cluster_precision "$WORK/corpus" "$WORK/on")
b_off=$(json_field "$WORK/off/train.json" bytes_per_token)
b_on=$(json_field "$WORK/on/train.json" bytes_per_token)
echo "2 workers + 1 server: P@10 $p_off without the cache, $p_on with it; bytes/token $b_off, $b_on"
awk -v r="$p_off" 'BEGIN { exit !(r > 0.5) }' || fail "the run without the cache learned no clusters (P@10 $p_off)"
awk -v r="$p_off" -v x="$p_on" 'BEGIN { exit !(x - r > -0.03) }' ||
  fail "P@10 $p_on with the cache is more than 0.03 below $p_off without it"
awk -v r="$b_off" -v x="$b_on" 'BEGIN { exit !(x < r) }' || fail "the cache did not reduce bytes per token ($b_on vs $b_off)"
echo "ok: with the cache within 0.03 of without"

# ---------------------------------------------------------------- 2. determinism, 1 worker
make_movielens_corpus "$WORK/seqs.txt"
det=(train --input "$WORK/seqs.txt" --dim 16 --epochs 60 --deterministic --hot-rows 300 --hot-sync 4
     --log-level info --progress-seconds 0.5)
run_np 3 "${det[@]}" --servers 2 --output "$WORK/ref" > "$WORK/ref.log" 2>&1 || { tail "$WORK/ref.log" >&2; fail "reference run failed"; }
run_np 3 "${det[@]}" --servers 2 --output "$WORK/again" > /dev/null 2>&1 || fail "second run failed"
run_np 2 "${det[@]}" --servers 1 --output "$WORK/one" > /dev/null 2>&1 || fail "run on one server failed"
check_model "$WORK/ref" 16
cmp -s "$WORK/ref/vectors.bin" "$WORK/again/vectors.bin" || fail "two identical runs with the cache differ"
cmp -s "$WORK/ref/vectors.bin" "$WORK/one/vectors.bin" || fail "with the cache, 1 and 2 servers give different vectors"
echo "ok: with the cache, identical runs and 1 or 2 servers give the same bytes"

# ---------------------------------------------------------------- 3. stop and resume
stop_with_sigterm 3 "$WORK/term" "$WORK/term1.log" "${det[@]}" --servers 2
REF="$WORK/ref" resume_run 2 "$WORK/term" "$WORK/term2.log" "with the cache" "${det[@]}" --servers 1
echo "ok: SIGTERM -> checkpoint -> resume on another server count, byte-identical with the cache"

two=(train --input "$WORK/corpus/parts" --servers 1 --kernel hogbatch --negative-pool 1024 --epochs 2 --dim 48
     --hot-rows 1000 --hot-sync 16 --log-level info --progress-seconds 0.5)
stop_with_sigterm 3 "$WORK/two" "$WORK/two1.log" "${two[@]}"
resume_run 3 "$WORK/two" "$WORK/two2.log" "2 workers with the cache" "${two[@]}"
check_model "$WORK/two" 48
p_two=$(cluster_precision "$WORK/corpus" "$WORK/two")
awk -v x="$p_two" 'BEGIN { exit !(x > 0.5) }' || fail "2 workers stopped and resumed: P@10 $p_two"
echo "ok: 2 workers with the cache stopped and resumed, P@10 $p_two"
