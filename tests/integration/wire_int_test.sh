#!/usr/bin/env bash
# The integer wires (--wire-precision int8, int4, int4-int8; common/wire_codec.h) end to end:
# 2 workers + 1 server on the fast path with 16k-token batches (configs/cluster.ini's shape),
# d = 48, on a planted-cluster corpus. Each run writes a complete model without NaN; its bytes
# per token (train.json) are the bf16 run's scaled by the rows' sizes (a row of 48 values plus
# its 4-byte key and 4-byte version each way: bf16 104, int8 60, int4 36 bytes; int4-int8 36
# pulled and 60 pushed), within 0.03 of the ratio; and its neighbour precision@10 is within
# 0.03 of the bf16 run's (or above it).
# Usage: wire_int_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1
"$gen" --output "$WORK/corpus" --tokens 2M --items 10k --clusters 500 --noise 0.5 --seed 4 > /dev/null
common=(train --input "$WORK/corpus/parts" --servers 1 --kernel hogbatch --negative-pool 1024 --epochs 2 --dim 48
        --batch-tokens 16384 --log-level warn)
declare -A bytes precision
for wire in bf16 int8 int4 int4-int8; do
  run_np 3 "${common[@]}" --wire-precision "$wire" --output "$WORK/$wire" || fail "run with --wire-precision $wire failed"
  check_model "$WORK/$wire" 48
  grep -qi nan "$WORK/$wire/vectors.txt" && fail "$wire: NaN in the vectors"
  bytes[$wire]=$(json_field "$WORK/$wire/train.json" bytes_per_token)
  precision[$wire]=$(cluster_precision "$WORK/corpus" "$WORK/$wire")
  echo "$wire: ${bytes[$wire]} B/token, P@10 ${precision[$wire]}"
done
for pair in "int8 0.577" "int4 0.346" "int4-int8 0.462"; do
  read -r wire expect <<< "$pair"
  awk -v a="${bytes[$wire]}" -v b="${bytes[bf16]}" -v e="$expect" 'BEGIN { r = a / b; exit !(r > e - 0.03 && r < e + 0.03) }' ||
    fail "$wire sends ${bytes[$wire]} B/token against bf16's ${bytes[bf16]}: expected a ratio of about $expect"
  awk -v a="${precision[$wire]}" -v b="${precision[bf16]}" 'BEGIN { exit !(a >= b - 0.03) }' ||
    fail "$wire: P@10 ${precision[$wire]} more than 0.03 below bf16's ${precision[bf16]}"
done
echo "ok: the integer wires send the expected bytes and keep the quality"
