#!/usr/bin/env bash
# Seven workers pushing to one server stay stable: hot rows updated by every worker get
# their stale deltas scaled (staleness-aware updates) instead of summed. Without that,
# this run diverged (final loss ~1e23, NaN vectors). Usage: many_workers_test.sh GEN_CORPUS
source "$(dirname "$0")/lib.sh"
"$1" --output "$WORK/corpus" --tokens 5M --items 100k --seed 1 > /dev/null
for kernel in pair hogbatch; do
  run_np 8 train --input "$WORK/corpus/parts" --output "$WORK/m-$kernel" --servers 1 --epochs 1 --kernel "$kernel" \
    --negative-pool $([ "$kernel" = hogbatch ] && echo 1024 || echo 0) --log-level warn
  check_model "$WORK/m-$kernel" 100
  loss=$(json_field "$WORK/m-$kernel/train.json" final_loss)
  awk -v l="$loss" 'BEGIN { exit !(l > 0 && l < 4.0) }' || fail "$kernel: final loss $loss with 7 workers (diverged?)"
  grep -qiE ' (nan|inf)' "$WORK/m-$kernel/vectors.txt" && fail "$kernel: NaN or Inf in the vectors"
  echo "ok: $kernel, 7 workers + 1 server, final loss $loss"
done
