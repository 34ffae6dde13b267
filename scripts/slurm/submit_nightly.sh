#!/usr/bin/env bash
# Submits the nightly refresh as a chain of Slurm jobs:
#
#   prep ──afterok──▶ train ──afterok──▶ eval ──afterok──▶ publish
#
#   prep     `item2vec prep`: raw interaction events → sequence files   (1 task)
#   train    scripts/slurm/train.sbatch on the allocation, with --requeue and
#            --signal=B:TERM@120: near the time limit the ranks checkpoint and exit 75,
#            the job requeues itself and the rerun resumes from the same output directory
#   eval     `item2vec eval` on the new model; a non-zero exit (a quality gate that fails)
#            stops the chain before publishing                          (1 task)
#   publish  scripts/nightly_refresh.sh publishes the evaluated model    (1 task)
#
# Each job starts only when the previous one COMPLETED (exit 0); --kill-on-invalid-dep
# cancels the rest of the chain when one fails, instead of leaving it pending forever.
# Run from cron (or scrontab) once a night, e.g.
#   15 1 * * *  cd /path/to/item2vec && scripts/slurm/submit_nightly.sh --raw /data/events/today
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() {
  cat <<EOF
Usage: scripts/slurm/submit_nightly.sh --raw PATH [options]

Submits prep → train → eval → publish as Slurm jobs linked with --dependency=afterok
and prints the job ids (one per line: STEP JOBID).

Options:
  --raw PATH          raw events for \`item2vec prep\` (file or directory; required)
  --work DIR          this night's directory: sequences/, model/, eval.json, logs/
                      (default out/nightly/YYYY-MM-DD under the repository)
  --config FILE       item2vec INI file for training (default configs/default.ini)
  --bin PATH          the item2vec binary (default: \$ITEM2VEC_BIN, else build/bin/item2vec)
  --nodes N           training nodes (default 1)
  --ntasks N          training ranks, one per core (default 16)
  --mem SIZE          training memory per node (default 16G)
  --time T            training time limit (default 04:00:00)
  --step-mem SIZE     memory of the prep, eval and publish jobs (default 8G)
  --step-time T       time limit of the prep, eval and publish jobs (default 01:00:00)
  --partition P       Slurm partition for every job
  --account A         Slurm account for every job
  --dry-run           print the sbatch commands instead of submitting (job ids shown
                      as <prep>, <train>, <eval>)
  -h, --help          this help

Environment:
  NIGHTLY_REFRESH     the publish script (default scripts/nightly_refresh.sh)
  LAUNCHER, ITEM2VEC_SERVERS, ITEM2VEC_RESUME_ARGS   passed to train.sbatch (see its --help)

Logs: WORK/logs/<job name>-<job id>.out (and .err for training).
Exit: 0 submitted, 2 bad options, 1 sbatch refused a job (jobs already submitted are
cancelled).
EOF
}

RAW="" WORK="" CONFIG="configs/default.ini" BIN="${ITEM2VEC_BIN:-}"
NODES=1 NTASKS=16 MEM=16G TIME=04:00:00 STEP_MEM=8G STEP_TIME=01:00:00
PARTITION="" ACCOUNT="" DRY_RUN=0
die() { echo "submit_nightly.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --raw) RAW=${2:?--raw needs a value}; shift 2 ;;
    --work) WORK=${2:?--work needs a value}; shift 2 ;;
    --config) CONFIG=${2?--config needs a value}; shift 2 ;;
    --bin) BIN=${2:?--bin needs a value}; shift 2 ;;
    --nodes) NODES=${2:?}; shift 2 ;;
    --ntasks) NTASKS=${2:?}; shift 2 ;;
    --mem) MEM=${2:?}; shift 2 ;;
    --time) TIME=${2:?}; shift 2 ;;
    --step-mem) STEP_MEM=${2:?}; shift 2 ;;
    --step-time) STEP_TIME=${2:?}; shift 2 ;;
    --partition) PARTITION=${2:?}; shift 2 ;;
    --account) ACCOUNT=${2:?}; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ -n "$RAW" ] || die "--raw is required (see --help)"
[[ "$NTASKS" =~ ^[0-9]+$ && "$NTASKS" -ge 2 ]] || die "--ntasks must be at least 2 (one server, one worker)"

cd "$REPO"   # sbatch's submit dir: relative paths in the jobs resolve against the repository
WORK=$(readlink -m "${WORK:-out/nightly/$(date +%F)}")
RAW=$(readlink -m "$RAW")
BIN=$(readlink -m "${BIN:-build/bin/item2vec}")
[ -z "$CONFIG" ] || CONFIG=$(readlink -m "$CONFIG")
NIGHTLY_REFRESH="${NIGHTLY_REFRESH:-$REPO/scripts/nightly_refresh.sh}"
LOGS="$WORK/logs"
SEQS="$WORK/sequences"
MODEL="$WORK/model"

# ---------------------------------------------------------------- the step commands
# Kept thin on purpose: the work is in `item2vec prep`, `item2vec eval` and
# scripts/nightly_refresh.sh; adjust these lines if their options change.
PREP_CMD=("$BIN" prep --input "$RAW" --output "$SEQS")
EVAL_CMD=("$BIN" eval --model "$MODEL" --input "$SEQS" --output "$WORK/eval.json")
PUBLISH_CMD=("$NIGHTLY_REFRESH" --publish-only --model "$MODEL" --eval "$WORK/eval.json")
# -------------------------------------------------------------------------------------

COMMON=(--parsable --kill-on-invalid-dep=yes)
[ -n "$PARTITION" ] && COMMON+=(--partition="$PARTITION")
[ -n "$ACCOUNT" ] && COMMON+=(--account="$ACCOUNT")
STEP_SCRIPT="$REPO/scripts/slurm/nightly_step.sbatch"
TRAIN_SCRIPT="$REPO/scripts/slurm/train.sbatch"

SUBMITTED=()
cancel_submitted() {
  [ ${#SUBMITTED[@]} -gt 0 ] || return 0
  echo "submit_nightly.sh: cancelling the jobs already submitted: ${SUBMITTED[*]}" >&2
  scancel "${SUBMITTED[@]}" || true
}
# submit NAME DEPENDENCY SBATCH_ARGS...: prints the job id (or <NAME> in a dry run).
submit() {
  local name=$1 dep=$2; shift 2
  local cmd=(sbatch "${COMMON[@]}" --job-name="item2vec-nightly-$name"
             --output="$LOGS/%x-%j.out")
  [ -n "$dep" ] && cmd+=(--dependency="afterok:$dep")
  cmd+=("$@")
  if [ "$DRY_RUN" = 1 ]; then
    printf '%q ' "${cmd[@]}" >&3; echo >&3
    echo "<$name>"
    return
  fi
  local out
  if ! out=$("${cmd[@]}"); then
    echo "submit_nightly.sh: sbatch refused the $name job" >&2
    cancel_submitted
    exit 1
  fi
  echo "${out%%;*}"
}

exec 3>&1   # the dry run prints on the real stdout; submit's own stdout is captured
[ "$DRY_RUN" = 1 ] || mkdir -p "$LOGS"
STEP=(--ntasks=1 --mem="$STEP_MEM" --time="$STEP_TIME")
P=$(submit prep "" "${STEP[@]}" "$STEP_SCRIPT" prep -- "${PREP_CMD[@]}")
SUBMITTED+=("$P")
T=$(submit train "$P" --nodes="$NODES" --ntasks="$NTASKS" --mem="$MEM" --time="$TIME" \
      --requeue --signal=B:TERM@120 --error="$LOGS/%x-%j.err" \
      --export="ALL,ITEM2VEC_BIN=$BIN,ITEM2VEC_INPUT=$SEQS,ITEM2VEC_OUTPUT=$MODEL,ITEM2VEC_CONFIG=$CONFIG" \
      "$TRAIN_SCRIPT")
SUBMITTED+=("$T")
E=$(submit eval "$T" "${STEP[@]}" "$STEP_SCRIPT" eval -- "${EVAL_CMD[@]}")
SUBMITTED+=("$E")
U=$(submit publish "$E" "${STEP[@]}" "$STEP_SCRIPT" publish -- "${PUBLISH_CMD[@]}")

printf 'prep %s\ntrain %s\neval %s\npublish %s\n' "$P" "$T" "$E" "$U"
[ "$DRY_RUN" = 1 ] || echo "submit_nightly.sh: logs in $LOGS; watch with: squeue -j $P,$T,$E,$U" >&2
