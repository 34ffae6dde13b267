#!/usr/bin/env bash
# Partitions on a real local cluster of 3 nodes (worker rank 0 on node1, worker rank 1 on
# node2, server rank 2 on node3): after the first checkpoint, a node's link is cut (packets
# dropped, as a failed switch port would). The job must end non-zero within 30 s, leave no
# process on any node (not even behind the cut), and say which rank was lost and on which host;
# `--resume` on the nodes left (one worker fewer, or the server moved) then finishes with
# neighbour precision within 0.03 of the uninterrupted run.
# Liveness: item2vec's defaults (--liveness-timeout 10: heartbeats, a worker's wait on a server
# and a server's wait on a worker are bounded by 10 s, far below the 120 s --peer-timeout).
# The worker's node is cut with the wrapper's Open MPI daemon keepalives (2 s + 3 x 1 s): Open MPI
# notices first, names the node and tears the job down cleanly (no process for the wrapper to
# kill). The server's node is cut with keepalives of 12 s, longer than the ranks' liveness: the
# job's own detection acts first and names the rank and host; every rank ends by itself, and
# mpirun's teardown does not wait long on the lost node (the nodes' TCP gives up after 4
# retransmissions, cluster.sh), though the wrapper may have to end a daemon behind the cut.
# Usage: partition_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1
cluster_up 3
"$gen" --output "$WORK/corpus" --tokens 1M --items 8000 --seed 3 --noise 0.6 > /dev/null
# 4 epochs: training outlasts the first checkpoint by several seconds even on a loaded machine, so
# the cut lands while the job trains (not while rank 0 writes the model or its report).
train=(train --input "$WORK/corpus/parts" --dim 16 --epochs 4 --progress-seconds 1 --servers 1)

cluster_mpirun --host node1:1,node2:1,node3:1 -np 3 "$ITEM2VEC" "${train[@]}" --output "$WORK/ref" \
  > "$WORK/ref.log" 2>&1 || { tail -20 "$WORK/ref.log"; fail "uninterrupted run failed"; }
ref_p=$(cluster_precision "$WORK/corpus" "$WORK/ref")

# Cuts NODE once the run writing to OUT has a complete checkpoint; checks exit, time, cleanup.
# cut_run NODE OUT LOST_PATTERN KEEPALIVE: KEEPALIVE is Open MPI's daemon keepalive time (s).
cut_run() {
  local node=$1 out=$2 lost=$3 keepalive=$4 rc=0 t0 t1
  OMPI_MCA_oob_tcp_keepalive_time=$keepalive cluster_mpirun --host node1:1,node2:1,node3:1 -np 3 "$ITEM2VEC" "${train[@]}" --output "$WORK/$out" \
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
  # No rank may outlive the job; with keepalives slower than the ranks' liveness, mpirun gives up
  # on the lost node's daemon and the wrapper may have to end daemons (never ranks).
  if [ "$keepalive" -le 2 ]; then
    grep "killing processes left" "$WORK/$out.log" && fail "$out: the job left processes the launcher had to kill"
  fi
  grep "killing processes left.*item2vec" "$WORK/$out.log" && fail "$out: ranks outlived the job"
  no_processes_left 3
  grep -qE "$lost" "$WORK/$out.log" || { tail -30 "$WORK/$out.log"; fail "$out: no message naming the lost rank on $node"; }
  grep -q "placement: .* on $node" "$WORK/$out.log" || fail "$out: no placement line naming the ranks on $node"
  [ -e "$WORK/$out/vectors.bin" ] && fail "$out: a cut run wrote vectors"
  echo "$out: $node cut, exit $rc after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
}

# A worker's node: resume with the worker on node1 and the server on node3 (one worker fewer).
# Open MPI's keepalives act first (the wrapper's 2 s): it names the node and tears down cleanly;
# the job's own detection, when it is first, names the rank.
cut_run node2 worker_cut "on node node2\$|worker rank 1 on host node2 sent (nothing|a push header)" 2
cluster_mpirun --host node1:1,node3:1 -np 2 "$ITEM2VEC" "${train[@]}" --output "$WORK/worker_cut" --resume \
  > "$WORK/worker_cut2.log" 2>&1 || { tail -20 "$WORK/worker_cut2.log"; fail "resume after the worker's node was cut failed"; }
grep -q "continuing from checkpoint" "$WORK/worker_cut2.log" || fail "the resumed run did not use the checkpoint"
p1=$(cluster_precision "$WORK/corpus" "$WORK/worker_cut")

# The server's node: resume with the server on node2.
# Keepalives slower than the ranks' liveness: the job's own detection (10 s) names the rank.
cut_run node3 server_cut "no answer within 10 s from server rank 2 on host node3" 12
cluster_mpirun --host node1:1,node2:1 -np 2 "$ITEM2VEC" "${train[@]}" --output "$WORK/server_cut" --resume \
  > "$WORK/server_cut2.log" 2>&1 || { tail -20 "$WORK/server_cut2.log"; fail "resume after the server's node was cut failed"; }
grep -q "continuing from checkpoint" "$WORK/server_cut2.log" || fail "the resumed run did not use the checkpoint"
p2=$(cluster_precision "$WORK/corpus" "$WORK/server_cut")
for p in "$p1" "$p2"; do
  awk -v p="$p" -v r="$ref_p" 'BEGIN { exit !(p >= r - 0.03) }' ||
    fail "resumed precision $p below the uninterrupted run's $ref_p - 0.03"
done
echo "ok: cuts end the job in < 30 s with no process left; resumed P@10 $p1 (worker cut), $p2 (server cut), uninterrupted $ref_p"
