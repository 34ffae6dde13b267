#!/usr/bin/env bash
# In --deterministic mode (one worker) the vectors are byte-identical whatever the
# number of servers and whether pulls overlap compute; a different seed changes them.
source "$(dirname "$0")/lib.sh"
make_movielens_corpus "$WORK/seqs.txt"
common=(train --input "$WORK/seqs.txt" --dim 24 --epochs 2 --deterministic --log-level warn)
run_np 2 "${common[@]}" --servers 1 --output "$WORK/s1"
run_np 3 "${common[@]}" --servers 2 --output "$WORK/s2"
run_np 4 "${common[@]}" --servers 3 --output "$WORK/s3" --overlap false
run_np 2 "${common[@]}" --servers 1 --output "$WORK/seed2" --seed 2
for d in s2 s3; do
  cmp -s "$WORK/s1/vectors.bin" "$WORK/$d/vectors.bin" || fail "vectors differ between 1 server and $d"
done
cmp -s "$WORK/s1/vectors.bin" "$WORK/seed2/vectors.bin" && fail "seed 2 gave the same vectors as seed 1"
# --deterministic refuses several workers
if run_np 3 "${common[@]}" --servers 1 --output "$WORK/bad" 2> "$WORK/err.txt"; then
  fail "--deterministic with 2 workers was accepted"
fi
grep -q "exactly one worker" "$WORK/err.txt" || fail "no clear message for --deterministic with 2 workers"
echo "ok: identical vectors for 1, 2, 3 servers"
