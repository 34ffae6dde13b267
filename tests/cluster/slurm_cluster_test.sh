#!/usr/bin/env bash
# Slurm across a real local cluster of 3 nodes (scripts/cluster/slurm_cluster.sh: slurmctld
# and munged in node1, one `slurmd -N nodeK` per node's namespace):
# - `sbatch -N 3 scripts/slurm/train.sbatch` places its 3 ranks (2 workers, 1 server) on the
#   three nodes with srun --mpi=pmix, over TCP between them: COMPLETED 0:0, a complete model;
# - a requeueable job that gets SIGTERM at the time-limit warning (scancel --batch, what
#   --signal=B:TERM@120 sends) checkpoints, exits 75, requeues itself, and its rerun resumes
#   from the checkpoint on three nodes again: COMPLETED 0:0.
# Skipped (77) where namespaces cannot be made or Slurm is not installed.
source "$(dirname "$0")/lib.sh"
SLURM_CLUSTER="$REPO/scripts/cluster/slurm_cluster.sh"
for tool in slurmctld slurmd sbatch munged; do
  command -v "$tool" > /dev/null || { echo "SKIP: '$tool' not installed (scripts/install_deps.sh installs slurm-wlm and munge)"; exit 77; }
done
cluster_up 3
trap '"$SLURM_CLUSTER" down > /dev/null 2>&1 || true; "$CLUSTER" down > /dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
"$SLURM_CLUSTER" up > "$WORK/slurm_up.log" 2>&1 || { cat "$WORK/slurm_up.log"; fail "slurm_cluster.sh up failed"; }
make_movielens_corpus "$WORK/seqs.txt"
printf 'epochs = 2\ndim = 16\nmin-count = 2\n' > "$WORK/short.ini"
printf 'epochs = 40\ndim = 16\nmin-count = 2\nprogress-seconds = 0.5\n' > "$WORK/long.ini"

in_slurm() { "$SLURM_CLUSTER" run "$@"; }
field() { in_slurm scontrol show job "$1" 2> /dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
submit() {  # ENV... -- SBATCH_ARGS...: prints the job id
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  (cd "$WORK" && in_slurm env ITEM2VEC_BIN="$ITEM2VEC" ITEM2VEC_INPUT="$WORK/seqs.txt" "${envs[@]}" \
     sbatch --parsable -N 3 --ntasks=3 --ntasks-per-node=1 --cpus-per-task=1 --mem=1000M --time=00:10:00 "$@" \
     "$REPO/scripts/slurm/train.sbatch") | cut -d';' -f1
}
TERMINAL='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$'
DEADLINE=$(( $(date +%s) + 360 ))
wait_job() {  # ID [requeue]
  local st
  while :; do
    st=$(field "$1" JobState)
    [ "${2:-}" = requeue ] && [ "$(field "$1" Restarts)" -ge 1 ] 2> /dev/null && return 0
    [[ "$st" =~ $TERMINAL ]] && return 0
    [ "$(date +%s)" -lt "$DEADLINE" ] || fail "job $1 still '$st' at the test's time limit"
    sleep 0.5
  done
}
expect() {  # ID STATE EXITCODE WHAT LOG
  local st ec
  st=$(field "$1" JobState); ec=$(field "$1" ExitCode)
  [ "$st" = "$2" ] && [ "$ec" = "$3" ] || { tail -30 "$5"; fail "$4: job $1 is $st with ExitCode=$ec, expected $2 $3"; }
}
on_three_nodes() {  # LOG WHAT: the placement line shows ranks on node1, node2 and node3
  local line
  line=$(grep 'placement: ' "$1" | tail -1)
  for h in node1 node2 node3; do
    [[ "$line" == *" on $h"* ]] || { tail -30 "$1"; fail "$2: no rank on $h ($line)"; }
  done
}

# 1. A job on three nodes.
before=$(tx_bytes 3)
J=$(submit ITEM2VEC_OUTPUT="$WORK/model" ITEM2VEC_CONFIG="$WORK/short.ini" -- --job-name=t3)
wait_job "$J"
expect "$J" COMPLETED 0:0 "train.sbatch -N 3" "$WORK/t3-$J.err"
check_model "$WORK/model" 16
on_three_nodes "$WORK/t3-$J.err" "train.sbatch -N 3"
[ "$(field "$J" NodeList)" = "node[1-3]" ] || fail "job $J ran on $(field "$J" NodeList), not node[1-3]"
sent=$(( $(tx_bytes 3) - before ))
[ "$sent" -gt 100000 ] || fail "node3 sent only $sent bytes over its link: the ranks did not talk over TCP"
echo "ok: job $J COMPLETED on node[1-3] ($sent bytes from node3)"

# 2. SIGTERM at the time-limit warning -> checkpoint, exit 75, requeue, resume on 3 nodes.
J=$(submit ITEM2VEC_OUTPUT="$WORK/long" ITEM2VEC_CONFIG="$WORK/long.ini" -- --job-name=trq --requeue)
until grep -qs 'progress' "$WORK/trq-$J.err"; do
  st=$(field "$J" JobState)
  [[ "$st" =~ $TERMINAL ]] && { tail -30 "$WORK/trq-$J.err"; fail "job $J ended ($st) before training started"; }
  [ "$(date +%s)" -lt "$DEADLINE" ] || fail "job $J: training did not start"
  sleep 0.2
done
in_slurm scancel --batch --signal=TERM "$J"
wait_job "$J" requeue
grep -q "requeueing job $J" "$WORK/trq-$J.err" || { tail -30 "$WORK/trq-$J.err"; fail "job $J did not requeue itself"; }
ls "$WORK"/long/checkpoints/ckpt-*/MANIFEST > /dev/null 2>&1 || fail "job $J left no complete checkpoint"
# Slurm holds a requeued job about 2 minutes (BeginTime); release it now.
in_slurm scontrol update JobId="$J" StartTime=now
wait_job "$J"
expect "$J" COMPLETED 0:0 "the requeued job" "$WORK/trq-$J.err"
grep -q 'continuing from checkpoint' "$WORK/trq-$J.err" || { tail -30 "$WORK/trq-$J.err"; fail "the rerun did not resume"; }
grep -q "on node\[1-3\]: 3 tasks .* restart 1" "$WORK/trq-$J.err" || { grep 'train.sbatch' "$WORK/trq-$J.err"; fail "the rerun was not on three nodes"; }
on_three_nodes "$WORK/trq-$J.err" "the requeued job"
check_model "$WORK/long" 16
echo "ok: SIGTERM -> checkpoint, exit 75, requeue; the rerun resumed on node[1-3] and COMPLETED"
