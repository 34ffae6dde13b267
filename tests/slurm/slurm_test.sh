#!/usr/bin/env bash
# End-to-end test of scripts/slurm/ on a real, private, single-node Slurm.
#
# Starts its own munged, slurmctld and slurmd (config from slurm.conf.in beside this file,
# every state file, log and socket under a temporary directory, free ports), submits
# scripts/slurm/train.sbatch on a small sequence file made from the bundled MovieLens
# ratings, and checks what Slurm recorded:
#   1. srun launcher, binary found relative to the submit dir: COMPLETED, complete vectors
#   2. LAUNCHER=mpirun: COMPLETED, complete vectors
#   3. a missing input path: FAILED with exit code 3
#   4. a binary that exits 75 (checkpointed), submitted with --requeue: requeued by the job
#   5. the same without --requeue: FAILED with exit code 75
#   6. SIGTERM to the batch shell (what --signal=B:TERM@120 sends) reaches the ranks;
#      with the real binary they checkpoint and exit 75, and a resubmission resumes
#   7. scripts/slurm/submit_nightly.sh --dry-run prints one sbatch command that runs
#      scripts/nightly_refresh.sh with options its --help lists; bad settings submit nothing
#   8. submit_nightly.sh's job runs the real nightly_refresh.sh (prep, mpirun train inside
#      the allocation, eval, gate, publish): COMPLETED and published; a missing input log is
#      FAILED 3; SIGTERM to the batch shell (--signal=B:...) ends it FAILED 143, current kept
# Stops the daemons it started by pid, also on failure.
#
# Exit: 0 passed, 1 failed, 77 skipped (no apt to install Slurm, not root, or the daemons
# could not start here); ctest maps 77 to "skipped" (SKIP_RETURN_CODE).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: slurm_test.sh ITEM2VEC_BINARY REPO_ROOT

Runs the Slurm batch scripts of REPO_ROOT/scripts/slurm on a private single-node Slurm
(installing Debian's slurm-wlm and munge with apt-get if missing). Needs root.
Normally run by ctest: `ctest -L slurm` in a build directory.

Environment:
  I2V_SLURM_TEST_KEEP=1   keep the temporary directory (logs, job outputs) afterwards
EOF
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
if [ $# -ne 2 ]; then usage >&2; exit 2; fi

BIN=$(readlink -f "$1")
REPO=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The helpers the nightly pipeline itself uses (MPI environment, history reader, staging).
# shellcheck source=scripts/lib/common.sh
source "$REPO/scripts/lib/common.sh"
TRAIN_SBATCH="$REPO/scripts/slurm/train.sbatch"
NIGHTLY="$REPO/scripts/slurm/submit_nightly.sh"
RATINGS="$REPO/data/ml-latest-small/ratings.csv"
T_START=$(date +%s)

say() { echo "[slurm_test $(( $(date +%s) - T_START ))s] $*"; }
skip() { say "SKIPPED: $*"; exit 77; }
fail() { say "FAILED: $*"; FAILED=1; exit 1; }

[ -x "$BIN" ] || fail "item2vec binary not found: $1"
[ -f "$TRAIN_SBATCH" ] || fail "missing $TRAIN_SBATCH"
[ -f "$RATINGS" ] || fail "missing bundled data $RATINGS"
[ "$(id -u)" = 0 ] || skip "needs root (munged, slurmctld and slurmd run as root here)"

# ---------------------------------------------------------------- install if missing
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
   ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "Slurm is not installed and apt-get is unavailable"
  say "installing slurm-wlm and munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # "policy-rc.d denied execution of start" is expected in containers: we start the daemons.
  if ! { apt-get update -q && apt-get install -y -q slurm-wlm munge; } >/tmp/item2vec-slurm-apt.log 2>&1; then
    tail -20 /tmp/item2vec-slurm-apt.log
    skip "apt-get install slurm-wlm munge failed (log above)"
  fi
fi
for tool in munged munge unmunge slurmctld slurmd sbatch scontrol sinfo squeue scancel srun mpirun; do
  command -v "$tool" >/dev/null || skip "'$tool' not found after installation"
done
MUNGED=$(command -v munged)

# ---------------------------------------------------------------- private instance
WORK=$(mktemp -d /tmp/item2vec-slurm-test.XXXXXX)
chmod 0755 "$WORK"   # munged requires its socket's directory to be reachable by all
STATE="$WORK/state"
mkdir -p "$STATE/ctld" "$STATE/d" "$WORK/munge"
chmod 0755 "$WORK/munge"
PIDS=()          # daemons we started, stopped in reverse order
FAILED=0

stop_daemons() {
  local i pid
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    pid=${PIDS[$i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] || [ "$FAILED" = 1 ]; then
    for f in "$STATE"/slurmctld.log "$STATE"/slurmd.log "$WORK"/munge/munged.log; do
      [ -f "$f" ] && { echo "---- last lines of $f"; tail -25 "$f"; }
    done
    for f in "$WORK"/run/*.out "$WORK"/run/*.err "$WORK"/run/nightly/work/slurm/*.out; do
      [ -f "$f" ] && { echo "---- $f"; tail -40 "$f"; }
    done
  fi
  stop_daemons
  if [ "${I2V_SLURM_TEST_KEEP:-0}" = 1 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
    say "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  say "daemons stopped; exit $rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Two free TCP ports on loopback for slurmctld and slurmd.
free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  else
    local p
    while :; do
      p=$(( 20000 + RANDOM % 40000 ))
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
  fi
}
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
while [ "$SLURMD_PORT" = "$CTLD_PORT" ]; do SLURMD_PORT=$(free_port); done
HOST=$(hostname -s)
CPUS=$(nproc); [ "$CPUS" -ge 2 ] || CPUS=2

# munge with its own key and socket, so it neither needs nor disturbs /etc/munge.
MSOCK="$WORK/munge/munge.socket"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=128 count=1 2>/dev/null
chmod 0400 "$WORK/munge/munge.key"
"$MUNGED" --foreground --socket="$MSOCK" --key-file="$WORK/munge/munge.key" \
  --log-file="$WORK/munge/munged.log" --pid-file="$WORK/munge/munged.pid" \
  --seed-file="$WORK/munge/munged.seed" >"$WORK/munge/munged.stdout" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do
  munge -S "$MSOCK" -n </dev/null 2>/dev/null | unmunge -S "$MSOCK" >/dev/null 2>&1 && break
  sleep 0.1
done
munge -S "$MSOCK" -n </dev/null 2>/dev/null | unmunge -S "$MSOCK" 2>/dev/null | grep -q Success ||
  { cat "$WORK/munge/munged.stdout" "$WORK/munge/munged.log" 2>/dev/null | tail -5; skip "munged did not start"; }

sed -e "s|@HOST@|$HOST|g" -e "s|@MUNGE_SOCKET@|$MSOCK|g" -e "s|@CTLD_PORT@|$CTLD_PORT|g" \
    -e "s|@SLURMD_PORT@|$SLURMD_PORT|g" -e "s|@STATE@|$STATE|g" -e "s|@CPUS@|$CPUS|g" \
    -e "s|@MEM_MB@|4000|g" "$HERE/slurm.conf.in" >"$WORK/slurm.conf"
export SLURM_CONF="$WORK/slurm.conf"   # every Slurm command (and every job) uses this instance

T_DAEMONS=$(date +%s)
slurmctld -D -c -f "$SLURM_CONF" >"$STATE/slurmctld.stdout" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" >"$STATE/slurmd.stdout" 2>&1 &
PIDS+=($!)
ready=0
for _ in $(seq 1 150); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then ready=1; break; fi
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || break 2; done
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  tail -5 "$STATE"/slurmctld.stdout "$STATE"/slurmd.stdout "$STATE"/slurmctld.log "$STATE"/slurmd.log 2>/dev/null || true
  skip "slurmctld/slurmd did not bring the node up within 30 s (permissions or ports? logs above)"
fi
say "private Slurm up in $(( $(date +%s) - T_DAEMONS ))s (ports $CTLD_PORT/$SLURMD_PORT, $WORK)"

# ---------------------------------------------------------------- data and job helpers
RUN="$WORK/run"
mkdir -p "$RUN/build/bin" "$RUN/fake"
# Per user, the movies rated >= 3.5 in time order, one line per user.
tail -n +2 "$RATINGS" | tr -d '\r' | awk -F, '$3 >= 3.5' | LC_ALL=C sort -t, -k1,1n -k4,4n -k2,2n |
  awk -F, '{ if ($1 != u) { if (NR > 1) printf "\n"; u = $1; printf "%s", $2 } else printf " %s", $2 }
           END { if (NR > 0) printf "\n" }' >"$RUN/sequences.txt"
[ -s "$RUN/sequences.txt" ] || fail "could not build sequences from $RATINGS"
say "sequences: $(wc -l <"$RUN/sequences.txt") users"
printf '# small and fast: this test is about Slurm, not the model\nepochs = 1\ndim = 16\nmin-count = 2\n' >"$RUN/test.ini"
ln -s "$BIN" "$RUN/build/bin/item2vec"          # the default binary path under the submit dir
printf '#!/bin/sh\n# stands in for an item2vec that saved a checkpoint and was interrupted\nexit 75\n' >"$RUN/fake/item2vec"
chmod +x "$RUN/fake/item2vec"

cat >"$RUN/fake/item2vec-sigterm" <<FAKE
#!/bin/bash
# stands in for an item2vec rank that checkpoints on SIGTERM and exits 75
trap 'exit 75' TERM
touch "$RUN/sigterm-ready.\${SLURM_PROCID:-0}"
while :; do sleep 0.1; done
FAKE
chmod +x "$RUN/fake/item2vec-sigterm"
# MPI as root, on loopback only (this machine); the job inherits the environment.
mpi_local_env
unset ITEM2VEC_BIN ITEM2VEC_INPUT ITEM2VEC_OUTPUT ITEM2VEC_CONFIG ITEM2VEC_SERVERS ITEM2VEC_REQUEUE LAUNCHER

# submit ENV... -- SBATCH_ARGS...: prints the job id. Small resources override the template's.
submit() {
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  (cd "$RUN" && env "${envs[@]}" sbatch --parsable --nodes=1 --ntasks=2 --cpus-per-task=1 \
     --mem=1000M --time=00:05:00 "$@" "$TRAIN_SBATCH") | cut -d';' -f1
}
field() { scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
TERMINAL='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$'
DEADLINE=$(( $(date +%s) + 400 ))
# wait_job ID [requeue]: until the job is in a final state (or, with "requeue", restarted).
# wait_for JOB WHAT CONDITION...: runs CONDITION every 0.2 s until it holds; fails when the
# job ends first or the deadline passes.
wait_for() {
  local job=$1 what=$2 st
  shift 2
  until "$@"; do
    st=$(field "$job" JobState)
    [[ "$st" =~ $TERMINAL ]] && fail "job $job ended ($st) before $what"
    [ "$(date +%s)" -lt "$DEADLINE" ] || fail "job $job: not $what in time"
    sleep 0.2
  done
}
wait_job() {
  local st
  while :; do
    st=$(field "$1" JobState)
    if [ "${2:-}" = requeue ]; then
      [ "$(field "$1" Restarts)" -ge 1 ] 2>/dev/null && return 0
    fi
    [[ "$st" =~ $TERMINAL ]] && return 0
    [ "$(date +%s)" -lt "$DEADLINE" ] || fail "job $1 still '$st' after the time limit of this test"
    sleep 0.5
  done
}
check_vectors() {   # DIR
  local dir=$1 rows dim lines bad
  [ -f "$dir/vectors.txt" ] || fail "$dir/vectors.txt missing"
  [ -s "$dir/vectors.bin" ] || fail "$dir/vectors.bin missing or empty"
  [ -f "$dir/train.json" ] || fail "$dir/train.json missing"
  read -r rows dim < <(head -1 "$dir/vectors.txt")
  [[ "$rows" =~ ^[0-9]+$ && "$dim" =~ ^[0-9]+$ && "$rows" -gt 0 ]] || fail "bad header in $dir/vectors.txt: '$rows $dim'"
  lines=$(( $(wc -l <"$dir/vectors.txt") - 1 ))
  [ "$lines" = "$rows" ] || fail "$dir/vectors.txt header says $rows rows, has $lines"
  bad=$(awk -v d="$dim" 'NR > 1 && NF != d + 1' "$dir/vectors.txt" | wc -l)
  [ "$bad" = 0 ] || fail "$bad rows of $dir/vectors.txt do not have $dim values"
  say "  $dir: $rows x $dim vectors, vectors.bin $(stat -L -c %s "$dir/vectors.bin") bytes"
}
expect() {   # ID STATE EXITCODE WHAT
  local st ec
  st=$(field "$1" JobState); ec=$(field "$1" ExitCode)
  [ "$st" = "$2" ] && [ "$ec" = "$3" ] || fail "$4: job $1 is $st with ExitCode=$ec, expected $2 with $3"
  say "ok: $4 (job $1 $st ExitCode=$ec)"
}

# ---------------------------------------------------------------- the jobs
say "submitting jobs"
J_SRUN=$(submit ITEM2VEC_INPUT="$RUN/sequences.txt" ITEM2VEC_OUTPUT="$RUN/model-srun" \
  ITEM2VEC_CONFIG="$RUN/test.ini" -- --job-name=t-srun)
J_MPIRUN=$(submit LAUNCHER=mpirun ITEM2VEC_BIN="$BIN" ITEM2VEC_INPUT="$RUN/sequences.txt" \
  ITEM2VEC_OUTPUT="$RUN/model-mpirun" ITEM2VEC_CONFIG="$RUN/test.ini" -- --job-name=t-mpirun)
J_BAD=$(submit ITEM2VEC_BIN="$BIN" ITEM2VEC_INPUT="$RUN/no-such-input" \
  ITEM2VEC_OUTPUT="$RUN/model-bad" ITEM2VEC_CONFIG= -- --job-name=t-bad)
J_RQ=$(submit ITEM2VEC_BIN="$RUN/fake/item2vec" ITEM2VEC_INPUT="$RUN/sequences.txt" \
  ITEM2VEC_OUTPUT="$RUN/model-rq" ITEM2VEC_CONFIG= -- --job-name=t-requeue --requeue)
J_NORQ=$(submit ITEM2VEC_BIN="$RUN/fake/item2vec" ITEM2VEC_INPUT="$RUN/sequences.txt" \
  ITEM2VEC_OUTPUT="$RUN/model-norq" ITEM2VEC_CONFIG= -- --job-name=t-norequeue --no-requeue)
say "jobs: srun=$J_SRUN mpirun=$J_MPIRUN bad-input=$J_BAD exit75+requeue=$J_RQ exit75=$J_NORQ"

wait_job "$J_SRUN"
expect "$J_SRUN" COMPLETED 0:0 "train.sbatch with srun --mpi=pmix"
check_vectors "$RUN/model-srun"

wait_job "$J_MPIRUN"
expect "$J_MPIRUN" COMPLETED 0:0 "train.sbatch with LAUNCHER=mpirun"
check_vectors "$RUN/model-mpirun"

wait_job "$J_BAD"
expect "$J_BAD" FAILED 3:0 "a missing input is a FAILED job with item2vec's exit code"
grep -q 'bad input' "$RUN/t-bad-$J_BAD.err" || fail "job $J_BAD: no 'bad input' message in its log"

wait_job "$J_RQ" requeue
restarts=$(field "$J_RQ" Restarts)
grep -q "requeueing job $J_RQ" "$RUN/t-requeue-$J_RQ.err" || fail "job $J_RQ: no requeue message in its log"
say "ok: exit 75 with --requeue put the job back in the queue (job $J_RQ $(field "$J_RQ" JobState), Restarts=$restarts)"
scancel "$J_RQ" || true   # Slurm would restart it after its ~2 min requeue delay

wait_job "$J_NORQ"
expect "$J_NORQ" FAILED 75:0 "exit 75 without --requeue is FAILED with 75"
grep -q 'to resume, submit again' "$RUN/t-norequeue-$J_NORQ.err" || fail "job $J_NORQ: no resubmit hint in its log"

# The time-limit warning (--signal=B:TERM@120) reaches only the batch shell: it must pass
# SIGTERM on to the ranks and end with their exit code. scancel --batch does the same.
J_TERM=$(submit ITEM2VEC_BIN="$RUN/fake/item2vec-sigterm" ITEM2VEC_INPUT="$RUN/sequences.txt" \
  ITEM2VEC_OUTPUT="$RUN/model-term" ITEM2VEC_CONFIG= -- --job-name=t-sigterm --no-requeue)
sigterm_ranks_ready() { [ -e "$RUN/sigterm-ready.0" ] && [ -e "$RUN/sigterm-ready.1" ]; }
wait_for "$J_TERM" "its ranks started" sigterm_ranks_ready
scancel --batch --signal=TERM "$J_TERM"
wait_job "$J_TERM"
expect "$J_TERM" FAILED 75:0 "SIGTERM to the batch shell is forwarded to the ranks (exit 75)"
grep -q 'received SIGTERM' "$RUN/t-sigterm-$J_TERM.err" || fail "job $J_TERM: no SIGTERM message in its log"

# The same with the real binary: SIGTERM at the time-limit warning makes the ranks save a
# checkpoint and exit 75; the job submitted again with the same output resumes from it.
printf 'epochs = 200\ndim = 16\nmin-count = 2\nprogress-seconds = 0.5\n' >"$RUN/long.ini"
J_REAL=$(submit ITEM2VEC_INPUT="$RUN/sequences.txt" ITEM2VEC_OUTPUT="$RUN/model-real" \
  ITEM2VEC_CONFIG="$RUN/long.ini" -- --job-name=t-real --no-requeue)
wait_for "$J_REAL" "training started" grep -qs 'progress' "$RUN/t-real-$J_REAL.err"
scancel --batch --signal=TERM "$J_REAL"
wait_job "$J_REAL"
expect "$J_REAL" FAILED 75:0 "real item2vec: SIGTERM -> checkpoint, exit 75"
ls "$RUN"/model-real/checkpoints/ckpt-*/MANIFEST >/dev/null 2>&1 || fail "job $J_REAL left no complete checkpoint"
J_RESUMED=$(submit ITEM2VEC_INPUT="$RUN/sequences.txt" ITEM2VEC_OUTPUT="$RUN/model-real" \
  ITEM2VEC_CONFIG="$RUN/long.ini" -- --job-name=t-resumed --no-requeue)
wait_job "$J_RESUMED"
expect "$J_RESUMED" COMPLETED 0:0 "the resubmitted job resumed from the checkpoint and finished"
grep -q 'continuing from checkpoint' "$RUN/t-resumed-$J_RESUMED.err" || fail "job $J_RESUMED did not resume"
check_vectors "$RUN/model-real"

# ---------------------------------------------------------------- nightly job (dry run)
# The real scripts/nightly_refresh.sh with the real binary (prep, train under mpirun inside the
# allocation, eval, gate, publish), on settings kept small.
[ -f "$NIGHTLY" ] || fail "missing $NIGHTLY"
REFRESH="$REPO/scripts/nightly_refresh.sh"
NW="$RUN/nightly"
mkdir -p "$NW/events/2026-05-01"
ln -s "$RATINGS" "$NW/events/2026-05-01/ratings.csv"
cat >"$NW/nightly.conf" <<CONF
ITEM2VEC_BIN=$BIN
MPIRUN=mpirun
MPIRUN_ARGS=(--oversubscribe)
INPUT_LOGS=("$NW/events/{date}/ratings.csv")
PREP_ARGS=(--user-col userId --item-col movieId --time-col timestamp --rating-col rating
           --min-rating 3.5 --holdout last)
NP=2
SERVERS=1
TRAIN_CONFIG=$RUN/test.ini
TRAIN_ARGS=(--seed 7)
EXTRA_TRAIN_ARGS=()
WARM_START=0
KEEP_MISSING=0
EVAL_K=10
EVAL_ARGS=()
TOLERANCE=1
WORK_DIR=$NW/work
MODELS_ROOT=$NW/models
KEEP_MODELS=3
KEEP_RUNS=10
KEEP_REFUSED=0
HISTORY_FILE=$NW/history.jsonl
LOCK_FILE=$NW/nightly.lock
TRAIN_TIMEOUT=120
STEP_TIMEOUT=60
RUN_DATE=""
CONF
printf 'source %q\nEXTRA_TRAIN_ARGS=(--epochs 2000)\n' "$NW/nightly.conf" >"$NW/slow.conf"
printf 'source %q\nNP=1\n' "$NW/nightly.conf" >"$NW/bad.conf"
nightly() {   # CONFIG DATE [more submit_nightly.sh options]: prints "nightly JOBID"
  local conf=$1 date=$2; shift 2
  bash "$NIGHTLY" --config "$conf" --date "$date" --mem 1000M "$@"
}
nightly_field() { history_field "$NW/history.jsonl" "$1" "$2"; }   # N KEY (-1: last), as JSON
history_lines() { history_line_count "$NW/history.jsonl"; }
no_staging() { [ -z "$(leftover_staging "$NW/models")" ] || fail "$1: a staged model was left in $NW/models"; }

out=$(nightly "$NW/nightly.conf" 2026-05-01 --dry-run 2>&1) || fail "submit_nightly.sh --dry-run failed: $out"
[ "$(grep -c '^sbatch ' <<<"$out")" = 1 ] || fail "submit_nightly.sh --dry-run: expected one sbatch command, got:"$'\n'"$out"
line=$(grep '^sbatch ' <<<"$out")
for want in --requeue "--signal=B:TERM@" --dependency=singleton --ntasks=2 --mem=1000M \
            "nightly_step.sbatch refresh -- $REFRESH --config $NW/nightly.conf --date 2026-05-01"; do
  grep -qF -- "$want" <<<"$line" || fail "submit_nightly.sh --dry-run: '$want' missing in: $line"
done
# Every option the job gives nightly_refresh.sh is one its --help documents.
refresh_help=$(bash "$REFRESH" --help)
for opt in $(tr ' ' '\n' <<<"${line#* -- }" | grep '^--'); do
  grep -qE -- "(^|[ \[])$opt([ =]|$)" <<<"$refresh_help" || fail "the job calls nightly_refresh.sh with $opt, which its --help does not list"
done
say "ok: submit_nightly.sh --dry-run prints one sbatch command of nightly_refresh.sh with --requeue, --signal and singleton"
rc=0; out=$(nightly "$NW/bad.conf" 2026-05-01 2>&1) || rc=$?
{ [ "$rc" = 2 ] && grep -q 'NP must be' <<<"$out"; } || fail "a bad nightly config: exit $rc (expected 2 with the reason): $out"
rc=0; out=$(bash "$NIGHTLY" --raw "$RATINGS" --dry-run 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "submit_nightly.sh --raw (an option that is gone): exit $rc, expected 2"
[ -z "$(squeue -h -n item2vec-nightly 2>/dev/null)" ] || fail "a refused submission queued a job"
say "ok: bad settings and removed options exit 2 and submit nothing"

# ---------------------------------------------------------------- nightly job (real)
slurm_log() { echo "$NW/work/slurm/item2vec-nightly-$1.out"; }
J=$(nightly "$NW/nightly.conf" 2026-05-01 2>/dev/null | awk '$1 == "nightly" { print $2 }')
[ -n "$J" ] || fail "submit_nightly.sh did not submit"
wait_job "$J"
expect "$J" COMPLETED 0:0 "nightly job: nightly_refresh.sh publishes the first model"
[ "$(readlink "$NW/models/current")" = 2026-05-01 ] || fail "nightly job: current -> $(readlink "$NW/models/current")"
check_vectors "$NW/models/current"
[ -s "$NW/models/current/eval.json" ] || fail "nightly job: no eval.json with the published model"
[ "$(nightly_field -1 decision)" = '"published"' ] || fail "nightly job: history says $(nightly_field -1 decision)"
grep -q '\[nightly refresh\] done' "$(slurm_log "$J")" || fail "nightly job: no 'done' in $(slurm_log "$J")"

J=$(nightly "$NW/nightly.conf" 2026-05-02 2>/dev/null | awk '$1 == "nightly" { print $2 }')
wait_job "$J"
expect "$J" FAILED 3:0 "nightly job: a missing input log fails with nightly_refresh.sh's prep code"
[ "$(nightly_field -1 decision)/$(nightly_field -1 step)" = '"failed"/"prep"' ] ||
  fail "nightly job without input: history says $(nightly_field -1 decision)/$(nightly_field -1 step)"
[ "$(readlink "$NW/models/current")" = 2026-05-01 ] || fail "a failed nightly job moved current"

# What --signal=B:TERM@120 does before the time limit: SIGTERM to the batch shell only.
J=$(nightly "$NW/slow.conf" 2026-05-01 2>/dev/null | awk '$1 == "nightly" { print $2 }')
[ -n "$J" ] || fail "submit_nightly.sh did not submit the slow run"
until grep -q '\] \[nightly\] train: ' "$(slurm_log "$J")" 2>/dev/null; do
  st=$(field "$J" JobState)
  [[ "$st" =~ $TERMINAL ]] && fail "nightly job $J ended ($st) before training"
  [ "$(date +%s)" -lt "$DEADLINE" ] || fail "nightly job $J: training did not start"
  sleep 0.3
done
sleep 1
scancel --batch --signal=TERM "$J"
wait_job "$J"
expect "$J" FAILED 143:0 "nightly job: SIGTERM to the batch shell stops nightly_refresh.sh cleanly (143)"
grep -q 'received SIGTERM' "$(slurm_log "$J")" || fail "nightly job $J: the batch shell did not pass SIGTERM on"
[ "$(nightly_field -1 decision)/$(nightly_field -1 step)" = '"failed"/"train"' ] ||
  fail "stopped nightly job: history says $(nightly_field -1 decision)/$(nightly_field -1 step)"
[ "$(history_lines)" = 3 ] || fail "history has $(history_lines) lines after 3 nightly jobs"
[ "$(readlink "$NW/models/current")" = 2026-05-01 ] || fail "a stopped nightly job moved current"
no_staging "stopped nightly job"
say "ok: nightly job: publishes; a failed prep and a stopped train leave current as it was"

say "PASSED in $(( $(date +%s) - T_START ))s"
