#!/usr/bin/env bash
# Across 4 nodes of a real local cluster (network namespaces, TCP between nodes):
# - 8 ranks (6 workers, 2 servers on different nodes) train to a complete model, and the bytes
#   went over the nodes' links (TCP, not shared memory);
# - deterministic mode (1 worker, the servers spread over the other nodes) writes vectors
#   byte-identical to the same run on one node;
# - prep under mpirun across 3 nodes writes the same bytes as one process;
# - the memory plan is per host: the node whose ranks do not fit is refused, by name.
source "$(dirname "$0")/lib.sh"
cluster_up 4
make_movielens_corpus "$WORK/seqs.txt"

# 8 ranks: ranks 0-5 workers (node1 x3, node2 x3), ranks 6 and 7 servers on node3 and node4.
before=$(tx_bytes 3)
cluster_mpirun --host node1:3,node2:3,node3:1,node4:1 -np 8 "$ITEM2VEC" train --input "$WORK/seqs.txt" \
  --output "$WORK/eight" --dim 16 --epochs 2 --servers 2 > "$WORK/eight.log" 2>&1 ||
  { tail -20 "$WORK/eight.log"; fail "8 ranks on 4 nodes failed"; }
check_model "$WORK/eight" 16
grep -q "killing processes left" "$WORK/eight.log" && fail "a finished job left processes behind"
sent=$(( $(tx_bytes 3) - before ))
[ "$sent" -gt 100000 ] || fail "node3 (a server) sent only $sent bytes over its link: the job did not use TCP"
for h in node1 node2 node3 node4; do
  grep -q "host $h: this node's ranks need" "$WORK/eight.log" || fail "no memory plan line for host $h"
done

# Deterministic: 1 worker on node1, 3 servers on node2..node4, against one node (plain mpirun).
det=(train --input "$WORK/seqs.txt" --dim 16 --epochs 3 --deterministic --servers 3)
cluster_mpirun --host node1:1,node2:1,node3:1,node4:1 -np 4 "$ITEM2VEC" "${det[@]}" --output "$WORK/det_cluster" \
  > "$WORK/det_cluster.log" 2>&1 || { tail -20 "$WORK/det_cluster.log"; fail "deterministic run on 4 nodes failed"; }
run_np 4 "${det[@]}" --output "$WORK/det_one" > "$WORK/det_one.log" 2>&1 || fail "deterministic run on one node failed"
cmp "$WORK/det_cluster/vectors.bin" "$WORK/det_one/vectors.bin" ||
  fail "deterministic vectors differ between 4 nodes and one node"

# prep across 3 nodes against one process.
opts=(-i "$REPO/data/ml-latest-small/ratings.csv" --user-col userId --item-col movieId --time-col timestamp
      --rating-col rating --min-rating 3.5 --holdout last --min-item-count 3 --memory 200K --parts 2)
"$ITEM2VEC" prep -o "$WORK/prep_one" "${opts[@]}" 2> "$WORK/prep_one.log" || fail "prep in one process failed"
cluster_mpirun --host node1:1,node2:1,node3:1 -np 3 "$ITEM2VEC" prep -o "$WORK/prep_three" "${opts[@]}" \
  2> "$WORK/prep_three.log" || { cat "$WORK/prep_three.log"; fail "prep on 3 nodes failed"; }
for f in $(cd "$WORK/prep_one" && find . -type f ! -name summary.json | sort); do
  cmp "$WORK/prep_one/$f" "$WORK/prep_three/$f" || fail "prep: $f differs between 3 nodes and one process"
done

# Memory per host: 3 ranks on node2 (~76 MiB) do not fit a 60 MiB limit, 1 rank per node does.
rc=0
ITEM2VEC_MEMORY_LIMIT_MB=60 cluster_mpirun --host node1:1,node2:3,node3:1 -np 5 "$ITEM2VEC" train \
  --input "$WORK/seqs.txt" --output "$WORK/small" --dim 16 --servers 1 > "$WORK/small.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || { tail -20 "$WORK/small.log"; fail "a node that does not fit: exit $rc, expected 2"; }
grep -q "host node2: this node's ranks need .* does not fit" "$WORK/small.log" || fail "the refusal does not name node2"
grep -q "host node1: this node's ranks need .* does not fit" "$WORK/small.log" && fail "node1 (1 rank) was refused"
[ -e "$WORK/small/vectors.bin" ] && fail "a refused run wrote vectors"
no_processes_left 4
echo "ok: 8 ranks on 4 nodes over TCP ($sent bytes from node3), deterministic = one node, prep = one process, node2 refused by name"
