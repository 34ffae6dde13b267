#!/usr/bin/env bash
# item2vec-traffic-model (scripts/bench/traffic_model.cc) counts the row design's bytes as the
# trainer sends them: on MovieLens, for the fast and the exact path and two server counts,
# its bytes per token equal train.json's bytes_per_token of a real 1-worker run (within
# 0.1 %) with fp32 rows and with the default bf16 wire, and the column design's figure grows
# with the server count while the rows' does not.
source "$(dirname "$0")/lib.sh"
MODEL_BIN=$1
make_movielens_corpus "$WORK/seqs.txt"
for k in "--kernel hogbatch --negative-pool 256" "--kernel pair --negative-pool 0"; do
  for s in 1 2; do
    # shellcheck disable=SC2086
    out=$("$MODEL_BIN" --input "$WORK/seqs.txt" --dim 24 --servers $s $k --batch-tokens 1024)
    cols=$(echo "$out" | awk -F'|' '$2 ~ /negative ids/ { gsub(/ /, "", $3); print $3 }')
    for wire in fp32 bf16; do
      # shellcheck disable=SC2086
      run_np $((s + 1)) train --input "$WORK/seqs.txt" --output "$WORK/m" --dim 24 --epochs 1 --servers $s $k \
        --batch-tokens 1024 --wire-precision $wire --log-level warn
      real=$(grep -o '"bytes_per_token":[0-9.e+-]*' "$WORK/m/train.json" | cut -d: -f2)
      line=fp32
      [ $wire = bf16 ] && line=16-bit
      model=$(echo "$out" | awk -F'|' -v l="$line" '$2 ~ l { gsub(/ /, "", $3); print $3 }')
      echo "$k servers $s wire $wire: train.json $real B/token, model $model, columns $cols"
      awk -v a="$real" -v b="$model" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= 0.001 * a + 0.5) }' ||
        fail "model's row bytes $model differ from the trainer's $real ($k, servers $s, $wire)"
      [ $wire = fp32 ] && fp32_model=$model
    done
    model=$fp32_model
    eval "cols_$s=$cols rows_$s=$model"
  done
  awk -v a="$cols_1" -v b="$cols_2" 'BEGIN { exit !(b > 1.8 * a) }' || fail "column bytes should double with 2 servers: $cols_1 -> $cols_2"
  awk -v a="$rows_1" -v b="$rows_2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 0.05 * a) }' ||
    fail "row bytes should not depend on the server count: $rows_1 -> $rows_2"
done
echo "ok: the traffic model matches the trainer's bytes per token"
