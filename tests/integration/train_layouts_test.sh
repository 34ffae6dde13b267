#!/usr/bin/env bash
# Trains on the bundled MovieLens sequences with NP ranks and SERVERS servers and checks
# the model directory is complete and every token was trained epochs times.
# Usage: train_layouts_test.sh NP SERVERS
source "$(dirname "$0")/lib.sh"
np=$1 servers=$2
make_movielens_corpus "$WORK/seqs.txt"
run_np "$np" train --input "$WORK/seqs.txt" --output "$WORK/model" --servers "$servers" \
  --dim 16 --epochs 2 --min-count 2 --log-level warn
check_model "$WORK/model" 16
tokens=$(wc -w < "$WORK/seqs.txt")
seen=$(json_field "$WORK/model/train.json" tokens_seen)
[ "$seen" = "$((2 * tokens))" ] || fail "tokens_seen $seen, expected 2 x $tokens"
grep -q "\"servers\":$servers," "$WORK/model/train.json" || fail "train.json does not record $servers servers"
# Every worker's time split is consistent: the kernel and the CPU time within the wall time (+
# timer slack), all positive. (Kernel time is wall time around the kernel, so on a loaded machine
# a preempted kernel can exceed the thread's CPU time: no order between those two.)
/usr/bin/python3 - "$WORK/model/train.json" "$((np - servers))" <<'PY' || fail "train.json's worker time split is inconsistent"
import json, sys
workers = json.load(open(sys.argv[1]))["workers"]
assert len(workers) == int(sys.argv[2]), workers
for w in workers:
    assert 0 < w["kernel_seconds"] <= w["seconds"] * 1.05 + 0.05, w
    assert 0 < w["cpu_seconds"] <= w["seconds"] * 1.05 + 0.05, w
    assert w["wait_seconds"] >= 0 and w["read_seconds"] > 0, w
PY
echo "ok: np=$np servers=$servers rows=$(head -1 "$WORK/model/vectors.txt")"
