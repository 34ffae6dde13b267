#!/usr/bin/env bash
# Partitions on a real local cluster of 3 nodes (worker rank 0 on node1, worker rank 1 on
# node2, server rank 2 on node3): after the first checkpoint, a node's link is cut (packets
# dropped, as a failed switch port would). The job must end non-zero within 30 s, leave no
# process on any node (not even behind the cut), and say which host was lost and which
# ranks ran there; `--resume` on the nodes left (one worker fewer, or the server moved) then
# finishes with neighbour precision within 0.03 of the uninterrupted run.
# Liveness: --peer-timeout 5 (ranks) and OOB keepalives of 2 s + 3 x 1 s (mpirun's daemons,
# set by cluster.sh mpirun) replace the 120 s default wait.
# Usage: partition_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1
cluster_up 3
"$gen" --output "$WORK/corpus" --tokens 1M --items 8000 --seed 3 --noise 0.6 > /dev/null
train=(train --input "$WORK/corpus/parts" --dim 16 --epochs 2 --peer-timeout 5 --progress-seconds 1 --servers 1)

cluster_mpirun --host node1:1,node2:1,node3:1 -np 3 "$ITEM2VEC" "${train[@]}" --output "$WORK/ref" \
  > "$WORK/ref.log" 2>&1 || { tail -20 "$WORK/ref.log"; fail "uninterrupted run failed"; }
ref_p=$(cluster_precision "$WORK/corpus" "$WORK/ref")

# Cuts NODE once the run writing to OUT has a complete checkpoint; checks exit, time, cleanup.
cut_run() {
  local node=$1 out=$2 rc=0 t0 t1
  cluster_mpirun --host node1:1,node2:1,node3:1 -np 3 "$ITEM2VEC" "${train[@]}" --output "$WORK/$out" \
    --checkpoint-every 1s > "$WORK/$out.log" 2>&1 &
  local job=$!
  for _ in $(seq 1 300); do ls "$WORK/$out"/checkpoints/*/MANIFEST > /dev/null 2>&1 && break; sleep 0.1; done
  ls "$WORK/$out"/checkpoints/*/MANIFEST > /dev/null 2>&1 || fail "$out: no checkpoint before the cut"
  "$CLUSTER" cut "$node" > /dev/null
  t0=$(date +%s.%N)
  wait "$job" || rc=$?
  t1=$(date +%s.%N)
  "$CLUSTER" heal "$node" > /dev/null
  [ "$rc" != 0 ] || fail "$out: the job exited 0 after $node was cut"
  awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 30) }' ||
    fail "$out: the job took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s to end after the cut (limit 30 s)"
  grep -q "killing processes left" "$WORK/$out.log" && fail "$out: the job left processes the launcher had to kill"
  no_processes_left 3
  grep -q "lost communication with a remote daemon" "$WORK/$out.log" && grep -q "on node $node\$" "$WORK/$out.log" ||
    { tail -30 "$WORK/$out.log"; fail "$out: no message naming the lost host $node"; }
  grep -q "placement: .* on $node" "$WORK/$out.log" || fail "$out: no placement line naming the ranks on $node"
  [ -e "$WORK/$out/vectors.bin" ] && fail "$out: a cut run wrote vectors"
  echo "$out: $node cut, exit $rc after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
}

# A worker's node: resume with the worker on node1 and the server on node3 (one worker fewer).
cut_run node2 worker_cut
cluster_mpirun --host node1:1,node3:1 -np 2 "$ITEM2VEC" "${train[@]}" --output "$WORK/worker_cut" --resume \
  > "$WORK/worker_cut2.log" 2>&1 || { tail -20 "$WORK/worker_cut2.log"; fail "resume after the worker's node was cut failed"; }
grep -q "continuing from checkpoint" "$WORK/worker_cut2.log" || fail "the resumed run did not use the checkpoint"
p1=$(cluster_precision "$WORK/corpus" "$WORK/worker_cut")

# The server's node: resume with the server on node2.
cut_run node3 server_cut
cluster_mpirun --host node1:1,node2:1 -np 2 "$ITEM2VEC" "${train[@]}" --output "$WORK/server_cut" --resume \
  > "$WORK/server_cut2.log" 2>&1 || { tail -20 "$WORK/server_cut2.log"; fail "resume after the server's node was cut failed"; }
grep -q "continuing from checkpoint" "$WORK/server_cut2.log" || fail "the resumed run did not use the checkpoint"
p2=$(cluster_precision "$WORK/corpus" "$WORK/server_cut")
for p in "$p1" "$p2"; do
  awk -v p="$p" -v r="$ref_p" 'BEGIN { exit !(p >= r - 0.03) }' ||
    fail "resumed precision $p below the uninterrupted run's $ref_p - 0.03"
done
echo "ok: cuts end the job in < 30 s with no process left; resumed P@10 $p1 (worker cut), $p2 (server cut), uninterrupted $ref_p"
