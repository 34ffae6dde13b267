#!/usr/bin/env bash
# --dry-run prints the memory plan (servers hold 2 * ceil(V/S) * d * 4 bytes of model) and
# stops without training; a layout that does not fit the node's memory is refused before
# training, by a dry run and by a real run, and nothing is written.
source "$(dirname "$0")/lib.sh"
make_movielens_corpus "$WORK/seqs.txt"
out=$(run_np 3 train --input "$WORK/seqs.txt" --output "$WORK/dry" --dim 64 --servers 2 --dry-run --log-level warn)
echo "$out"
echo "$out" | grep -q "fits: yes" || fail "dry run did not report that it fits"
[ -e "$WORK/dry/vectors.bin" ] && fail "dry run trained"
# Model share per server: 2 * ceil(V / 2) * 64 * 4 bytes + versions, V from a real vocabulary.
run_np 2 train --input "$WORK/seqs.txt" --output "$WORK/real" --dim 8 --epochs 1 --log-level warn
V=$(wc -l < "$WORK/real/vocab.tsv")
expect=$(awk -v v="$V" 'BEGIN { r = int((v + 1) / 2); printf "%.1f", r * (2 * 64 * 4 + 8) / 1048576 }')
echo "$out" | grep -q "model share $expect MiB" || fail "model share is not 2*ceil(V/S)*d*4 = $expect MiB for V=$V"
rc=0
ITEM2VEC_MEMORY_LIMIT_MB=1 run_np 3 train --input "$WORK/seqs.txt" --output "$WORK/small" --dim 64 --dry-run \
  > "$WORK/small.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || { cat "$WORK/small.log"; fail "dry run under a 1 MiB limit exited $rc, expected 2"; }
grep -q "does not fit" "$WORK/small.log" || fail "no 'does not fit' message"
rc=0
ITEM2VEC_MEMORY_LIMIT_MB=1 run_np 3 train --input "$WORK/seqs.txt" --output "$WORK/small" --dim 64 \
  > "$WORK/small.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "real run under a 1 MiB limit exited $rc, expected 2"
[ -e "$WORK/small/vectors.bin" ] && fail "a refused run wrote vectors"
echo "ok: plan printed, model share $expect MiB for V=$V, refusal under a small limit"
