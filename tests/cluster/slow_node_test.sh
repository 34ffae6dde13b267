#!/usr/bin/env bash
# A slow node: node2's link at 100 Mbit/s (tbf both ways), the others unshaped. The job
# completes, and rank 0's progress lines give each worker's tokens/s, so the straggler shows.
source "$(dirname "$0")/lib.sh"
cluster_up 3
"$CLUSTER" rate node2 100mbit > /dev/null
tc -n "$CLUSTER_NAME-node2" qdisc show dev eth0 | grep -q "tbf.*rate 100Mbit" || fail "node2's link is not shaped"
make_movielens_corpus "$WORK/seqs.txt"
cluster_mpirun --host node1:1,node2:1,node3:1 -np 3 "$ITEM2VEC" train --input "$WORK/seqs.txt" --output "$WORK/m" \
  --dim 32 --epochs 20 --servers 1 --progress-seconds 0.5 > "$WORK/log" 2>&1 || { tail -20 "$WORK/log"; fail "slow-node run failed"; }
check_model "$WORK/m" 32
grep -Eq "progress .*per worker tokens/s 0:[0-9]+ 1:[0-9]+$" "$WORK/log" ||
  { grep progress "$WORK/log" | tail -3; fail "progress lines lack per-worker tokens/s"; }
no_processes_left 3
echo "ok: completed with node2 at 100 Mbit/s; $(grep progress "$WORK/log" | tail -1 | grep -o 'per worker.*')"
