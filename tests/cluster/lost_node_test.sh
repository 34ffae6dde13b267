#!/usr/bin/env bash
# A lost node on a cluster as users have it: the kernel's default TCP settings in every node
# (net.ipv4.tcp_retries2 = 15: many minutes before a connection with unacknowledged data gives up),
# the launcher started plainly, and nothing that kills what is left afterwards (no reaper).
# 3 nodes, one rank each: worker rank 0 on node1, worker rank 1 on node2, server rank 2 on node3.
# Once training has a checkpoint, a worker's node (node2) and then, in a second job, the server's
# node (node3) is cut off (packets dropped). Each job must end non-zero within 30 s of the cut
# with the documented exit code, and no process of it (rank, mpirun, orted, srun) may be left on
# any node, not even behind the cut:
#   mpirun  plain mpirun with only configs/openmpi-mca-params.conf (OMPI_MCA_mca_param_files, as
#           train.sbatch and the nightly refresh set it): exit 5 (item2vec's ranks noticed first)
#           or 205 (mpirun's keepalives noticed the lost daemon first, Open MPI's own code).
#   slurm   scripts/slurm/train.sbatch (srun --mpi=pmix) on a real 3-node Slurm with its default
#           timeouts: the job's exit code is 5.
# The ranks behind the cut end themselves (--liveness-timeout, then the exit watchdog when their
# MPI_Abort cannot reach the launcher).
# Usage: lost_node_test.sh mpirun|slurm GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
mode=$1 gen=$2
export CLUSTER_TCP_RETRIES2=stock CLUSTER_PLAIN=1
MCA_FILE="$REPO/configs/openmpi-mca-params.conf"
SLURM_CLUSTER="$REPO/scripts/cluster/slurm_cluster.sh"
if [ "$mode" = slurm ]; then
  for tool in slurmctld slurmd sbatch munged; do
    command -v "$tool" > /dev/null || { echo "SKIP: '$tool' not installed"; exit 77; }
  done
fi
cluster_up 3
default=$(sysctl -n net.ipv4.tcp_retries2 2> /dev/null || echo 15)
[ "$("$CLUSTER" exec node3 sysctl -n net.ipv4.tcp_retries2)" = 15 ] ||
  fail "node3's tcp_retries2 is $("$CLUSTER" exec node3 sysctl -n net.ipv4.tcp_retries2), not the kernel's 15 (host: $default)"
"$gen" --output "$WORK/corpus" --tokens 1M --items 8000 --seed 3 --noise 0.6 > /dev/null
printf 'dim = 16\nepochs = 8\nprogress-seconds = 1\ncheckpoint-every = 1s\n' > "$WORK/run.ini"
if [ "$mode" = slurm ]; then
  trap '"$SLURM_CLUSTER" down > /dev/null 2>&1 || true; "$CLUSTER" down > /dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  "$SLURM_CLUSTER" up > "$WORK/slurm_up.log" 2>&1 || { cat "$WORK/slurm_up.log"; fail "slurm_cluster.sh up failed"; }
fi

# Processes of the job in node K (Slurm's own daemons are not the job's: slurmd, slurmstepd,
# slurmctld, munged, and the batch script's slurmscriptd).
job_processes() {
  local pids
  pids=$("$CLUSTER" pids "node$1" | tr '\n' ',')
  [ -n "$pids" ] || return 0
  ps -o pid=,comm= -p "${pids%,}" | awk '$2 !~ /^(slurmd|slurmstepd|slurmctld|munged|slurmscriptd)$/ { printf "%s (%s) ", $1, $2 }'
}

# Starts the job writing to OUT (in the background: JOB), waits for its first checkpoint.
start_job() {
  local out=$1
  if [ "$mode" = mpirun ]; then
    env OMPI_MCA_mca_param_files="$MCA_FILE,/etc/openmpi/openmpi-mca-params.conf" \
      "$CLUSTER" mpirun --host node1:1,node2:1,node3:1 -np 3 "$ITEM2VEC" train --input "$WORK/corpus/parts" \
      --config "$WORK/run.ini" --servers 1 --output "$WORK/$out" > "$WORK/$out.log" 2>&1 &
    JOB=$!
  else
    (cd "$WORK" && "$SLURM_CLUSTER" run env ITEM2VEC_BIN="$ITEM2VEC" ITEM2VEC_INPUT="$WORK/corpus/parts" \
       ITEM2VEC_OUTPUT="$WORK/$out" ITEM2VEC_CONFIG="$WORK/run.ini" ITEM2VEC_SERVERS=1 ITEM2VEC_MCA_FILE="$MCA_FILE" \
       sbatch --parsable -N 3 --ntasks=3 --ntasks-per-node=1 --cpus-per-task=1 --mem=1000M --time=00:10:00 \
       -o "$WORK/$out.log" -e "$WORK/$out.log" "$REPO/scripts/slurm/train.sbatch") > "$WORK/$out.id" ||
      fail "$out: sbatch failed"
  fi
  for _ in $(seq 1 600); do ls "$WORK/$out"/checkpoints/*/MANIFEST > /dev/null 2>&1 && return 0; sleep 0.1; done
  tail -20 "$WORK/$out.log"
  for k in 1 2 3; do echo "node$k: $(job_processes "$k")"; done
  fail "$out: no checkpoint within 60 s"
}

# Waits up to 60 s for the job to end; sets RC and SECONDS_TO_END.
wait_end() {
  local out=$1 t0=$2 t1
  if [ "$mode" = mpirun ]; then
    timeout 60 tail --pid="$JOB" -f /dev/null || true
    kill -0 "$JOB" 2> /dev/null && { tail -20 "$WORK/$out.log"; fail "$out: mpirun still running 60 s after the cut"; }
    RC=0; wait "$JOB" || RC=$?
  else
    # The batch script's last line is its verdict; its exit code is the job's ExitCode.
    for _ in $(seq 1 600); do grep -qE '^\[train.sbatch\] (failed|done|item2vec stopped)' "$WORK/$out.log" && break; sleep 0.1; done
    grep -qE '^\[train.sbatch\] (failed|done|item2vec stopped)' "$WORK/$out.log" ||
      { tail -20 "$WORK/$out.log"; fail "$out: the batch script had not ended 60 s after the cut"; }
    local id; id=$(cut -d';' -f1 "$WORK/$out.id")
    RC=""
    for _ in $(seq 1 100); do
      RC=$("$SLURM_CLUSTER" run scontrol show job "$id" | tr ' ' '\n' | sed -n 's/^ExitCode=\([0-9]*\):.*/\1/p')
      [ -n "$RC" ] && [ "$RC" != 0 ] && break
      sleep 0.2
    done
  fi
  t1=$(date +%s.%N)
  SECONDS_TO_END=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

cut_run() {  # NODE OUT LOST_PATTERN
  local node=$1 out=$2 lost=$3 t0 left k
  start_job "$out"
  "$CLUSTER" cut "$node" > /dev/null
  t0=$(date +%s.%N)
  wait_end "$out" "$t0"
  [ "$RC" != 0 ] || fail "$out: the job exited 0 after $node was cut"
  if [ "$mode" = mpirun ]; then
    [ "$RC" = 5 ] || [ "$RC" = 205 ] || { tail -20 "$WORK/$out.log"; fail "$out: mpirun exited $RC, not 5 or 205"; }
  else
    [ "$RC" = 5 ] || { tail -20 "$WORK/$out.log"; fail "$out: the Slurm job's exit code is $RC, not 5"; }
  fi
  awk -v s="$SECONDS_TO_END" 'BEGIN { exit !(s <= 30) }' || fail "$out: the job took $SECONDS_TO_END s to end after the cut (limit 30 s)"
  # Nothing may be left, also behind the cut (where the ranks end themselves).
  for _ in $(seq 1 50); do
    left=""
    for k in 1 2 3; do left+=$(job_processes "$k"); done
    [ -z "$left" ] && break
    sleep 0.2
  done
  for k in 1 2 3; do
    [ -z "$(job_processes "$k")" ] || fail "$out: processes of the job left on node$k 10 s after it ended: $(job_processes "$k")"
  done
  grep -qE "$lost" "$WORK/$out.log" || { tail -30 "$WORK/$out.log"; fail "$out: no message naming the lost rank or node $node"; }
  "$CLUSTER" heal "$node" > /dev/null
  echo "$out: $node cut, exit $RC after $SECONDS_TO_END s, no process left"
}

cut_run node2 worker_cut "on node node2\$|worker rank 1 on host node2|rank 1 on host node2"
if [ "$mode" = slurm ]; then
  # Slurm may have set node2 DOWN or drained it while it was cut; ReturnToService=2 brings it back.
  for _ in $(seq 1 100); do
    "$SLURM_CLUSTER" run sinfo -h -N -o '%N %t' | grep -qE '^node2 (idle|mix|alloc)' && break
    "$SLURM_CLUSTER" run scontrol update NodeName=node2 State=RESUME > /dev/null 2>&1 || true
    sleep 0.5
  done
fi
cut_run node3 server_cut "server rank 2 on host node3|on node node3\$"
echo "ok ($mode): a cut node ends the job within 30 s on stock TCP settings, nothing left on any node"
