#!/usr/bin/env bash
# Submits the nightly refresh, scripts/nightly_refresh.sh, as ONE Slurm job:
#
#   sbatch nightly_step.sbatch refresh -- scripts/nightly_refresh.sh --config C --date D
#
# nightly_refresh.sh is the single source of truth for the pipeline (lock → prep → train →
# eval new and current → gate → publish → prune → history, configured by configs/nightly.conf).
# It is not split into a chain of jobs on purpose: its guarantees rest on one process owning
# the run from start to end — the lock is held for the whole run (so the stale-staging cleanup
# of the next run can never delete a model that is still on its way to the gate), the gate
# compares with the `current` of that moment, a failure at any step removes the staged model,
# and the run writes exactly one history line. Splitting it over several jobs would need all of
# that rebuilt on files passed between jobs, for little gain: prep and eval take minutes next to
# training, on the same allocation.
#
# Slurm settings of the job and why:
#   --ntasks           NP of the config (the ranks nightly_refresh.sh starts with mpirun, which
#                      runs inside the allocation); --nodes, --mem, --time as given
#   --time             default TRAIN_TIMEOUT + 3 × STEP_TIMEOUT (prep, two evals) + 10 minutes
#   --signal=B:TERM@120  the batch shell gets SIGTERM 2 minutes before the time limit and passes
#                      it to nightly_refresh.sh, which stops the step in flight, removes the staged
#                      model, leaves `current` as it was, writes its "failed" history line and
#                      exits 143 (instead of being SIGKILLed half-way by Slurm)
#   --requeue          after a node failure or a preemption Slurm starts the job again; the rerun
#                      is a fresh run of the whole pipeline (the interrupted one published
#                      nothing, and its leftovers are removed under the lock). A job that ends by
#                      itself is never requeued: the refresh does not resume a half-trained model
#                      (nothing to resume from: its staging directory is removed on failure), so
#                      exit 143 at the time limit, a refused gate (6) etc. end the job FAILED.
#   --dependency=singleton   one nightly job (this job name, this user) runs at a time; a second
#                      submission waits in the queue instead of exiting 8 on the lock
#   the job's exit code is nightly_refresh.sh's (see its --help): sacct/squeue show why it failed
#
# Run from cron (or scrontab) once a night, e.g.
#   15 1 * * *  cd /path/to/item2vec && scripts/slurm/submit_nightly.sh --config /site/nightly.conf
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
source "$REPO/scripts/lib/common.sh"
NAME=item2vec-nightly
SIGNAL_SECONDS=120

usage() {
  cat <<EOF
Usage: scripts/slurm/submit_nightly.sh [options]

Checks the settings (nightly_refresh.sh --dry-run), then submits one Slurm job that runs
scripts/nightly_refresh.sh (prep → train → eval → gate → publish; see its --help) and prints
its job id as "nightly JOBID".

Options:
  --config FILE       nightly settings for nightly_refresh.sh (default configs/nightly.conf):
                      input logs, training, gate, models root, history
  --date YYYY-MM-DD   the run's date (default: today when submitting, so a job that starts
                      after midnight still refreshes the day it was submitted for)
  --force             passed to nightly_refresh.sh: publish even if the gate refuses
  --bin PATH          the item2vec binary (exported to the job as ITEM2VEC_BIN, which the
                      default config honours)
  --nodes N           nodes (default 1)
  --ntasks N          tasks (default NP of the config: the ranks of training)
  --mem SIZE          memory per node (default 16G)
  --time T            time limit (default TRAIN_TIMEOUT + 3 × STEP_TIMEOUT + 10 min of the
                      config, or 12:00:00 when either is 0)
  --partition P       Slurm partition
  --account A         Slurm account
  --logs DIR          directory of the job's Slurm log, %x-%j.out (default WORK_DIR/slurm of
                      the config); the steps' own logs are in WORK_DIR/runs/RUN_ID/logs/
  --dry-run           check the settings and print the sbatch command instead of submitting
  -h, --help          this help

The job has --requeue (a node failure or preemption reruns the whole refresh from scratch),
--signal=B:TERM@$SIGNAL_SECONDS (nightly_refresh.sh ends cleanly before the time limit: exit 143,
history "failed", current unchanged) and --dependency=singleton (nightly jobs never overlap).
Its exit code is nightly_refresh.sh's: 0 published, 3 prep, 4 train, 5 eval, 6 refused by the
gate, 7 publish, 8 locked by a run outside Slurm, 143 stopped before the time limit.

Environment: MPIRUN, ITEM2VEC_BIN (read by the config), OMPI_* — the job gets the submitting
shell's environment (--export=ALL).
Exit: 0 submitted (or printed), 2 bad options or settings (nothing submitted), 1 sbatch failed.
EOF
}

CONFIG="$REPO/configs/nightly.conf" DATE="" FORCE=0 BIN=""
NODES=1 NTASKS="" MEM=16G TIME="" PARTITION="" ACCOUNT="" LOGS="" DRY_RUN=0
die() { echo "submit_nightly.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --config) CONFIG=${2:?--config needs a file}; shift 2 ;;
    --date) DATE=${2:?--date needs YYYY-MM-DD}; shift 2 ;;
    --force) FORCE=1; shift ;;
    --bin) BIN=${2:?--bin needs a path}; shift 2 ;;
    --nodes) NODES=${2:?--nodes needs a value}; shift 2 ;;
    --ntasks) NTASKS=${2:?--ntasks needs a value}; shift 2 ;;
    --mem) MEM=${2:?--mem needs a value}; shift 2 ;;
    --time) TIME=${2:?--time needs a value}; shift 2 ;;
    --partition) PARTITION=${2:?--partition needs a value}; shift 2 ;;
    --account) ACCOUNT=${2:?--account needs a value}; shift 2 ;;
    --logs) LOGS=${2:?--logs needs a directory}; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --raw|--work|--step-mem|--step-time)
      die "$1 is gone: the whole refresh is one job of scripts/nightly_refresh.sh, whose input logs and directories come from --config (INPUT_LOGS, WORK_DIR, MODELS_ROOT; see --help)" ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive integer, not '$NODES'"
[ -z "$NTASKS" ] || [[ "$NTASKS" =~ ^[1-9][0-9]*$ ]] || die "--ntasks must be a positive integer, not '$NTASKS'"

cd "$REPO"   # sbatch's submit dir: relative paths in the job resolve against the repository
[ -f "$CONFIG" ] || die "config file '$CONFIG' not found"
CONFIG=$(readlink -f -- "$CONFIG")
[ -n "$DATE" ] || DATE=$(date +%F)
NIGHTLY_REFRESH="$REPO/scripts/nightly_refresh.sh"
STEP_SCRIPT="$REPO/scripts/slurm/nightly_step.sbatch"
[ -z "$BIN" ] || { BIN=$(readlink -m -- "$BIN"); export ITEM2VEC_BIN=$BIN; }

# The command the job runs: only options of `nightly_refresh.sh --help`.
REFRESH_CMD=("$NIGHTLY_REFRESH" --config "$CONFIG" --date "$DATE")
[ "$FORCE" = 0 ] || REFRESH_CMD+=(--force)

# The settings are checked here, before anything is queued: a bad config fails now, not at 1 am.
if ! check=$(bash "${REFRESH_CMD[@]}" --dry-run 2>&1); then
  echo "$check" >&2
  die "the settings do not pass 'nightly_refresh.sh --dry-run' (above); nothing submitted"
fi

# NP, WORK_DIR and the timeouts of the config size the job (read the way the script reads them).
# nightly_conf_load is the loader nightly_refresh.sh uses (scripts/lib/common.sh), run in a
# subshell so that the config's variables stay out of this script.
read -r NP WORK_DIR TRAIN_TIMEOUT STEP_TIMEOUT < <(
  nightly_conf_load "$CONFIG" > /dev/null 2>&1 || exit 1
  printf "%s %s %s %s\n" "$NP" "$(readlink -m -- "$WORK_DIR")" "$TRAIN_TIMEOUT" "$STEP_TIMEOUT") ||
  die "cannot read NP, WORK_DIR, TRAIN_TIMEOUT and STEP_TIMEOUT from $CONFIG"
[ -n "$NTASKS" ] || NTASKS=$NP
if [ -z "$TIME" ]; then
  if [ "$TRAIN_TIMEOUT" -gt 0 ] && [ "$STEP_TIMEOUT" -gt 0 ]; then
    minutes=$(( (TRAIN_TIMEOUT + 3 * STEP_TIMEOUT + 59) / 60 + 10 ))
    TIME=$(printf '%02d:%02d:00' $((minutes / 60)) $((minutes % 60)))
  else
    TIME=12:00:00
  fi
fi
LOGS=$(readlink -m -- "${LOGS:-$WORK_DIR/slurm}")

CMD=(sbatch --parsable --job-name="$NAME" --dependency=singleton
     --nodes="$NODES" --ntasks="$NTASKS" --cpus-per-task=1 --mem="$MEM" --time="$TIME"
     --requeue --signal="B:TERM@$SIGNAL_SECONDS" --open-mode=append
     --output="$LOGS/%x-%j.out")
[ -z "$PARTITION" ] || CMD+=(--partition="$PARTITION")
[ -z "$ACCOUNT" ] || CMD+=(--account="$ACCOUNT")
CMD+=("$STEP_SCRIPT" refresh -- "${REFRESH_CMD[@]}")

if [ "$DRY_RUN" = 1 ]; then
  printf '%q ' "${CMD[@]}"; echo
  echo "nightly <nightly>"
  exit 0
fi
mkdir -p "$LOGS"
if ! out=$("${CMD[@]}"); then
  echo "submit_nightly.sh: sbatch refused the nightly job" >&2
  exit 1
fi
JOB=${out%%;*}
echo "nightly $JOB"
echo "submit_nightly.sh: job $JOB refreshes $DATE with $CONFIG; Slurm log $LOGS/$NAME-$JOB.out," \
  "step logs and history as configured there; watch with: squeue -j $JOB" >&2
