#!/usr/bin/env bash
# Nightly model refresh that survives failures:
#
#   lock ─▶ prep ─▶ [tune, every TUNE_EVERY nights] ─▶ train (staging) ─▶ eval new + current ─▶ gate ─▶ publish ─▶ prune
#
# The serving model is MODELS_ROOT/current, a relative symlink to a dated directory. It only
# ever changes by one rename (a new link made under a temporary name, then `mv -T` over
# `current`), and only after every step succeeded and the new model's HR@K is not more than
# TOLERANCE below the current model's on the same held-out records. Any failure leaves
# `current` as it was, deletes (or, when the gate refused it, sets aside) the staged model and
# exits with a code that names the cause. Every run that got the lock appends one JSON line to
# HISTORY_FILE. Settings: configs/nightly.conf (every key is explained there).
# SC2015: `check && check || die` is meant (die exits). SC2317: trap handlers run indirectly.
# shellcheck disable=SC2015,SC2317
set -Eeuo pipefail
export LC_NUMERIC=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=nightly_refresh.sh
PY=/usr/bin/python3   # Debian's python: the standard library's json, nothing else
HISTORY_PY=$REPO/scripts/nightly/history.py
METRICS_PY=$REPO/scripts/nightly/metrics.py
# Config loading, validators, lock, MPI and history helpers shared with the Slurm submitter
# and the tests.
# shellcheck source=scripts/lib/common.sh
source "$REPO/scripts/lib/common.sh"
# nightly_settings_check: every check of the settings (configs/nightly.conf).
# shellcheck source=scripts/nightly/settings.sh
source "$REPO/scripts/nightly/settings.sh"

# Exit codes, one per cause (documented in --help).
readonly EXIT_OK=0 EXIT_INTERNAL=1 EXIT_USAGE=2 EXIT_PREP=3 EXIT_TRAIN=4 EXIT_EVAL=5 \
  EXIT_GATE=6 EXIT_PUBLISH=7 EXIT_LOCKED=8

usage() {
  cat <<EOF
Usage: scripts/nightly_refresh.sh [--config FILE] [--date YYYY-MM-DD] [--dry-run] [--force]

Refreshes the item embedding model from the day's event logs and publishes it only if it is
not worse than the model in service:

  1. lock      take LOCK_FILE (flock); if another run holds it, exit 8 at once
  2. prep      item2vec prep INPUT_LOGS -> WORK_DIR/runs/RUN_ID/data (train/, test.tsv)
  2b. tune     with TUNE_EVERY=N, every N nights: prep again with --validation and
               item2vec tune on valid.tsv (never test.tsv) with the job's ranks; its winner
               TUNE_DIR/best.ini is train's config until the next tune (a failed tune keeps
               the previous one)
  3. train     mpirun -np NP item2vec train -> MODELS_ROOT/.staging-RUN_ID
               (with WARM_START=1, --init-from the current model), checkpointing every
               CHECKPOINT_EVERY; if a rank crashes, up to TRAIN_RETRIES reruns with
               --resume continue from the newest checkpoint
  4. eval      item2vec eval of the new model and of the current one on the same test.tsv
  5. gate      publish only if HR@K(new) >= HR@K(current) - TOLERANCE; the first run (no
               current model) publishes when the steps above succeed
     (redis)   with PUBLISH_REDIS=HOST:PORT set: item2vec publish the staged model to Redis
  6. publish   mv the staged model to MODELS_ROOT/YYYY-MM-DD, then switch MODELS_ROOT/current
               to it atomically (new link under a temporary name, mv -T over current)
  7. prune     keep the KEEP_MODELS newest dated models (never the one current points to)
               and the KEEP_RUNS newest run directories
  8. history   append one JSON line to HISTORY_FILE: date, decision (published, refused or
               failed), reason, HR@K/NDCG@K/MRR of new and current model, model paths,
               durations of each step
  9. report    with REPORT=1 (the default), item2vec report rewrites the published (or
               refused) model's report.html with this run's eval, the model that was in
               service as the previous model, and the history across nights (REPORT_NAMES:
               titles); a failure here is a warning
 10. metrics   with PUSHGATEWAY and/or METRICS_TEXTFILE, the run's figures (exit code,
               decision, durations, HR@K, vocabulary size, loss, tokens/s, published model
               and Redis version) go to a Prometheus Pushgateway (job METRICS_JOB) and/or a
               node-exporter textfile; a failure here is a warning

A failed step leaves current untouched, deletes the staged model (a refused one is moved to
RUN_DIR/refused-model when KEEP_REFUSED=1), and exits with its code. Logs of every step are
in WORK_DIR/runs/RUN_ID/logs/ (prep.log, train.log, eval-new.log, eval-current.log and this
script's own nightly.log).

Options:
  --config FILE       settings (bash, KEY=value); default configs/nightly.conf
  --date YYYY-MM-DD   the run's date (overrides RUN_DATE of the config): names the model
                      directory and fills {date} in INPUT_LOGS
  --dry-run           check the settings and print the steps and commands; run nothing
  --force             publish even if the gate refuses or the current model cannot be
                      evaluated (recorded in the history as forced)
  -h, --help          this help

Exit codes:
  0  published
  1  internal error (an unexpected command failed; see nightly.log)
  2  bad options or settings (nothing was run)
  3  prep failed (missing input log, prep error, no held-out records)
  4  train failed (error, timeout, incomplete model)
  5  eval failed (new or current model)
  6  quality gate refused the new model
  7  publish failed (current is unchanged)
  8  another run holds the lock
  129, 130, 143  interrupted by SIGHUP, SIGINT, SIGTERM (the step in flight is stopped)
EOF
}

die_usage() { echo "$PROG: $*" >&2; exit "$EXIT_USAGE"; }

# ------------------------------------------------------------------ command line
CONFIG=$REPO/configs/nightly.conf DATE_ARG="" DRY_RUN=0 FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || die_usage "--config needs a file"; CONFIG=$2; shift 2 ;;
    --config=*) CONFIG=${1#*=}; shift ;;
    --date) [ $# -ge 2 ] || die_usage "--date needs YYYY-MM-DD"; DATE_ARG=$2; shift 2 ;;
    --date=*) DATE_ARG=${1#*=}; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage; exit "$EXIT_OK" ;;
    *) die_usage "unknown option '$1' (see --help)" ;;
  esac
done

# ------------------------------------------------------------------ settings
# Only ITEM2VEC_BIN, MPIRUN and PUBLISH_REDIS(_PREFIX) may come from the environment.
nightly_conf_load "$CONFIG" || die_usage "$NIGHTLY_CONF_ERROR"

nightly_settings_check

# ------------------------------------------------------------------ the run's paths and commands
RUN_ID=$(date +%Y%m%dT%H%M%S)-$RUN_DATE-$$
RUN_DIR=$WORK_DIR/runs/$RUN_ID
LOG_DIR=$RUN_DIR/logs
DATA=$RUN_DIR/data
STAGING=$MODELS_ROOT/.staging-$RUN_ID
EVAL_NEW=$RUN_DIR/eval-new.json
EVAL_CUR=$RUN_DIR/eval-current.json

PREP_CMD=("$BIN" prep)
for p in "${INPUT_LOGS[@]}"; do PREP_CMD+=(--input "$p"); done
PREP_CMD+=(--output "$DATA" "${PREP_ARGS[@]}")

# The model `current` points to now ("" when there is none). Read again under the lock.
current_target() {
  [ -L "$CURRENT" ] || return 0
  local dir
  dir=$(readlink -f -- "$CURRENT" || true)
  if [ -n "$dir" ] && [ -d "$dir" ]; then echo "$dir"; fi
}

# With TUNE_EVERY: the winner kept between tunes (best.ini holds TRAIN_CONFIG's settings
# too, so it replaces it), and whether a tune is due tonight (none yet, or the last one
# TUNE_EVERY or more nights before RUN_DATE).
TUNED_INI=$TUNE_DIR/best.ini
TUNE_DATA=$RUN_DIR/tune-data
tune_due() {
  [ "$TUNE_EVERY" -gt 0 ] || return 1
  [ -s "$TUNED_INI" ] && [ -s "$TUNE_DIR/last_tune" ] || return 0
  local last days
  last=$(head -n 1 -- "$TUNE_DIR/last_tune")
  days=$(( ($(date -d "$RUN_DATE" +%s) - $(date -d "$last" +%s)) / 86400 ))
  [ "$days" -ge "$TUNE_EVERY" ] || [ "$days" -lt 0 ]
}
train_config() {
  if [ "$TUNE_EVERY" -gt 0 ] && [ -s "$TUNED_INI" ]; then echo "$TUNED_INI"; else echo "$TRAIN_CONFIG"; fi
}
TUNE_PREP_CMD=("$BIN" prep)
for p in "${INPUT_LOGS[@]}"; do TUNE_PREP_CMD+=(--input "$p"); done
TUNE_PREP_CMD+=(--output "$TUNE_DATA" "${PREP_ARGS[@]}" --validation)
TUNE_OUT=$TUNE_DIR/runs/$RUN_ID
TUNE_CMD=("$BIN" tune --input "$TUNE_DATA/train" --valid "$TUNE_DATA/valid.tsv" --output "$TUNE_OUT"
          --np "$NP" --servers "$SERVERS" --launcher "$MPIRUN_BIN ${MPIRUN_ARGS[*]}")
[ -z "$TRAIN_CONFIG" ] || TUNE_CMD+=(--train-config "$TRAIN_CONFIG")
TUNE_CMD+=("${TUNE_ARGS[@]}")

# Sets TRAIN_CMD for the current model CUR_DIR.
build_train_cmd() {
  TRAIN_CMD=("$MPIRUN_BIN" -np "$NP" "${MPIRUN_ARGS[@]}" "$BIN" train
             --input "$DATA/train" --output "$STAGING" --servers "$SERVERS")
  local config
  config=$(train_config)
  [ -z "$config" ] || TRAIN_CMD+=(--config "$config")
  TRAIN_CMD+=("${TRAIN_ARGS[@]}")
  INIT_FROM=""
  if [ "$WARM_START" = 1 ] && [ -n "$CUR_DIR" ]; then
    # The resolved directory, not the link: train.json then names the model it came from.
    INIT_FROM=$CUR_DIR
    TRAIN_CMD+=(--init-from "$INIT_FROM")
    [ "$KEEP_MISSING" = 0 ] || TRAIN_CMD+=(--keep-missing)
    [ "$NEW_ITEMS" = random ] || TRAIN_CMD+=(--new-items "$NEW_ITEMS")
  fi
  [ "$HAS_CHECKPOINTS" = 0 ] || TRAIN_CMD+=(--checkpoint-every "$CHECKPOINT_EVERY")
  TRAIN_CMD+=("${EXTRA_TRAIN_ARGS[@]}")
}

eval_cmd() {  # MODEL JSON
  EVAL_CMD=("$BIN" eval --model "$1" --test "$DATA/test.tsv" --k "$EVAL_K" --json "$2" "${EVAL_ARGS[@]}")
}

quote() { shell_quote "$@"; }

if [ "$DRY_RUN" = 1 ]; then
  CUR_DIR=$(current_target)
  build_train_cmd
  echo "$PROG: dry run for $RUN_DATE with $CONFIG (nothing is run)"
  echo "1. lock     flock -n $(quote "$LOCK_FILE")(exit $EXIT_LOCKED if held)"
  echo "2. prep     $(quote "${PREP_CMD[@]}")> $LOG_DIR/prep.log"
  if tune_due; then
    echo "2b. tune    $(quote "${TUNE_PREP_CMD[@]}")> $LOG_DIR/tune-prep.log"
    echo "            $(quote "${TUNE_CMD[@]}")> $LOG_DIR/tune.log"
    echo "            then cp $TUNE_OUT/best.ini $(quote "$TUNED_INI")(train's config from tonight on)"
  elif [ "$TUNE_EVERY" -gt 0 ]; then
    echo "2b. tune    not due (last tune $(head -n 1 -- "$TUNE_DIR/last_tune"), every $TUNE_EVERY nights): train with $TUNED_INI"
  fi
  echo "3. train    $(quote "${TRAIN_CMD[@]}")> $LOG_DIR/train.log"
  if [ "$WARM_START" = 1 ] && [ -z "$CUR_DIR" ]; then
    echo "            (WARM_START=1 but there is no current model: training starts from scratch)"
  fi
  eval_cmd "$STAGING" "$EVAL_NEW"
  echo "4. eval     $(quote "${EVAL_CMD[@]}")> $LOG_DIR/eval-new.log"
  if [ -n "$CUR_DIR" ]; then
    eval_cmd "$CUR_DIR" "$EVAL_CUR"
    echo "            $(quote "${EVAL_CMD[@]}")> $LOG_DIR/eval-current.log"
    echo "5. gate     publish if HR@$EVAL_K(new) >= HR@$EVAL_K(current: $CUR_DIR) - $TOLERANCE$([ "$FORCE" = 0 ] || echo ' (skipped: --force)')"
  else
    echo "5. gate     no current model: publish if the steps succeed"
  fi
  echo "6. publish  mv -T $(quote "$STAGING")$(quote "$MODELS_ROOT/$RUN_DATE")(or $RUN_DATE.N if taken)"
  echo "            ln -s $RUN_DATE $(quote "$MODELS_ROOT/.current.tmp.$RUN_ID")&& mv -T $(quote "$MODELS_ROOT/.current.tmp.$RUN_ID")$(quote "$CURRENT")"
  echo "7. prune    keep the $KEEP_MODELS newest dated models in $MODELS_ROOT (and current's), the $KEEP_RUNS newest runs in $WORK_DIR/runs"
  echo "8. history  append one JSON line to $HISTORY_FILE"
  if [ "$REPORT" = 1 ]; then
    echo "9. report   $(quote "$BIN" report --model "$MODELS_ROOT/$RUN_DATE" --eval-json "$EVAL_NEW" --history "$HISTORY_FILE")..."
  fi
  if [ -n "$PUSHGATEWAY$METRICS_TEXTFILE" ]; then
    echo "10. metrics job $METRICS_JOB${PUSHGATEWAY:+ to $PUSHGATEWAY}${METRICS_TEXTFILE:+, textfile $METRICS_TEXTFILE}"
  fi
  exit "$EXIT_OK"
fi

# ------------------------------------------------------------------ run state and helpers
mpi_allow_root
# A lost node ends training in seconds (Open MPI's daemon keepalives), not after TCP timeouts.
mpi_lost_node_settings "$REPO/configs/openmpi-mca-params.conf" || true
STARTED_AT=$(date -Iseconds) T_START=$EPOCHREALTIME
STEP=lock LOCKED=0 DONE=0 CHILD="" ERR_AT="" STEP_ERROR="" TIMED_OUT=0 NIGHTLY_LOG=""
CUR_DIR="" INIT_FROM="" PUBLISHED_DIR="" CANDIDATE="" REDIS_VERSION="" RUN_HISTORY_LINE=""
NEW_HR="" NEW_NDCG="" NEW_MRR="" CUR_HR="" CUR_NDCG="" CUR_MRR=""
declare -A DUR=()

log() {
  local line
  line="[$(date '+%F %T')] [nightly] $*"
  echo "$line" >&2
  if [ -n "$NIGHTLY_LOG" ]; then echo "$line" >> "$NIGHTLY_LOG" || true; fi
}

elapsed() { elapsed_since "$1"; }

# Runs one step's command with its output in LOG and a time limit (0 = none). The command
# runs in the background so that a signal to this script stops it (see on_signal).
run_step() {  # LIMIT LOG CMD...
  local limit=$1 logf=$2; shift 2
  local t0=$EPOCHREALTIME rc=0 name=$STEP
  log "$name: $(quote "$@")"
  [ "$limit" = 0 ] || set -- timeout --kill-after=30 "$limit" "$@"
  "$@" > "$logf" 2>&1 < /dev/null &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  DUR[$name]=$(awk -v a="${DUR[$name]:-0}" -v b="$(elapsed "$t0")" 'BEGIN { printf "%.3f", a + b }')
  if [ "$rc" = 0 ]; then
    log "$name: done in ${DUR[$name]}s"
    return 0
  fi
  # 124 or 137 is a timeout only when the limit was reached: mpirun itself exits 137 when a
  # rank is SIGKILLed, a crash to retry.
  TIMED_OUT=0
  if [ "$limit" != 0 ] && { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } &&
    awk -v d="$(elapsed "$t0")" -v l="$limit" 'BEGIN { exit !(d >= l) }'; then
    TIMED_OUT=1
    STEP_ERROR="timed out after ${limit}s (log: $logf)"
  else
    local why
    why=$(grep -iE 'error|fail|abort' "$logf" 2>/dev/null | grep -v '^-*$' | head -1 | cut -c1-300 || true)
    STEP_ERROR="exit code $rc${why:+: $why} (log: $logf)"
  fi
  log "$name: output ends with:"
  tail -n 5 "$logf" 2>/dev/null | sed 's/^/    /' >&2 || true
  return "$rc"
}

# HR@K NDCG@K MRR EVALUATED of the model in an eval JSON report.
read_metrics() {  # JSON
  "$PY" - "$1" "$EVAL_K" <<'PY'
import json, sys
path, k = sys.argv[1], sys.argv[2]
with open(path) as f:
    report = json.load(f)
m = report["results"]["model"]
print(repr(float(m["hr"][k])), repr(float(m["ndcg"][k])), repr(float(m["mrr"])),
      int(report["records"]["evaluated"]))
PY
}

# Appends the run's JSON line to HISTORY_FILE (one write of one line).
write_history() {  # DECISION REASON EXIT_CODE
  DUR[total]=$(elapsed "$T_START")
  local args=(
    s date "$RUN_DATE" s decision "$1" s reason "$2" i exit_code "$3" s step "$STEP"
    s run_id "$RUN_ID" s started_at "$STARTED_AT" s finished_at "$(date -Iseconds)"
    i k "$EVAL_K" f tolerance "$TOLERANCE" b forced "$FORCE"
    f new_hr "$NEW_HR" f new_ndcg "$NEW_NDCG" f new_mrr "$NEW_MRR"
    f current_hr "$CUR_HR" f current_ndcg "$CUR_NDCG" f current_mrr "$CUR_MRR"
    s model "$PUBLISHED_DIR" s current_model "$CUR_DIR" s candidate "$CANDIDATE"
    b warm_start "$([ -n "$INIT_FROM" ] && echo 1 || echo 0)" s init_from "$INIT_FROM"
    s log_dir "$LOG_DIR" s config "$CONFIG" i train_attempts "${TRAIN_ATTEMPTS:-0}"
    i redis_version "$REDIS_VERSION")
  local name
  for name in "${!DUR[@]}"; do args+=(d "$name" "${DUR[$name]}"); done
  [ -z "$CANDIDATE" ] || args+=(t train "$CANDIDATE/train.json")
  local line
  # scripts/nightly/history.py defines the line's format (and reads it back for the tests).
  if ! line=$("$PY" "$HISTORY_PY" line "${args[@]}"); then
    log "warning: could not format the history line"
    return 0
  fi
  RUN_HISTORY_LINE=$line
  if mkdir -p "$(dirname "$HISTORY_FILE")" && printf '%s\n' "$line" >> "$HISTORY_FILE"; then
    log "history: appended to $HISTORY_FILE"
  else
    log "warning: could not append to $HISTORY_FILE"
  fi
}

# Rewrites the run report of the model this run leaves (published, or refused and kept) with
# the run's eval, the model that was in service and the history including this run. Warnings only.
write_report() {
  [ "$REPORT" = 1 ] && [ -n "$CANDIDATE" ] && [ -d "$CANDIDATE" ] || return 0
  local eval_json=$CANDIDATE/eval.json
  [ -s "$eval_json" ] || eval_json=$EVAL_NEW
  local cmd=("$BIN" report --model "$CANDIDATE" --title "nightly refresh $RUN_DATE ($1)" --history "$HISTORY_FILE")
  [ ! -s "$eval_json" ] || cmd+=(--eval-json "$eval_json")
  [ -z "$CUR_DIR" ] || [ ! -d "$CUR_DIR" ] || cmd+=(--previous "$CUR_DIR")
  [ -z "$REPORT_NAMES" ] || cmd+=(--names "$REPORT_NAMES")
  cmd+=("${REPORT_ARGS[@]}")
  log "report: $(quote "${cmd[@]}")"
  if "${cmd[@]}" > "$LOG_DIR/report.log" 2>&1; then
    log "report: $CANDIDATE/report.html"
  else
    log "warning: the report failed (the run's result stands): $(tail -n 1 "$LOG_DIR/report.log" 2>/dev/null)"
  fi
}

# Exports the run's figures (the history line) to the Pushgateway and/or the textfile. Warnings only.
export_metrics() {
  [ -n "$PUSHGATEWAY$METRICS_TEXTFILE" ] && [ -n "$RUN_HISTORY_LINE" ] || return 0
  local cmd=("$PY" "$METRICS_PY" --job "$METRICS_JOB")
  [ -z "$PUSHGATEWAY" ] || cmd+=(--pushgateway "$PUSHGATEWAY")
  [ -z "$METRICS_TEXTFILE" ] || cmd+=(--textfile "$METRICS_TEXTFILE")
  local out
  if out=$("${cmd[@]}" <<< "$RUN_HISTORY_LINE" 2>&1); then
    log "metrics: exported (job $METRICS_JOB)"
  else
    log "warning: exporting the metrics failed: $out"
  fi
}

# The ranks of a stopped or timed-out mpirun may still be saving their stop checkpoint into
# the staging directory for a moment after it exits: wait for them (20 s at most), or they
# would write into it again once it is removed.
wait_for_ranks() {
  local _
  for _ in $(seq 100); do
    pgrep -f -- "$STAGING" > /dev/null || return 0
    sleep 0.2
  done
  log "warning: training processes still use $STAGING"
}

# Removes the staged model, or sets a refused one aside in the run directory.
discard_staging() {  # DECISION
  [ -n "$STAGING" ] && [ -e "$STAGING" ] || { CANDIDATE=""; return 0; }
  wait_for_ranks
  if [ "$1" = refused ] && [ "$KEEP_REFUSED" = 1 ]; then
    if mv -T "$STAGING" "$RUN_DIR/refused-model"; then
      CANDIDATE=$RUN_DIR/refused-model
      log "the refused model is kept in $CANDIDATE"
      return 0
    fi
  fi
  rm -rf -- "$STAGING" || log "warning: could not remove $STAGING"
  CANDIDATE=""
}

# Keeps the KEEP_RUNS newest run directories (names start with the start time); never this one.
prune_runs() {
  local runs i
  mapfile -t runs < <(find "$WORK_DIR/runs" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort)
  for ((i = 0; i < ${#runs[@]} - KEEP_RUNS; i++)); do
    [ "${runs[i]}" != "$RUN_ID" ] || continue
    rm -rf -- "${WORK_DIR:?}/runs/${runs[i]}" || log "warning: could not remove run ${runs[i]}"
  done
}

# Ends the run: the staged model goes, the history gets its line, the script exits CODE.
finish() {  # CODE DECISION REASON
  local code=$1 decision=$2 reason=$3
  DONE=1
  case "$decision" in
    published) log "$reason" ;;
    refused) log "refused: $reason" ;;
    *) log "error: $reason" ;;
  esac
  [ "$decision" = published ] || discard_staging "$decision"
  prune_runs || true
  write_history "$decision" "$reason" "$code"
  write_report "$decision"
  export_metrics
  log "exit $code ($decision); logs in $LOG_DIR"
  exit "$code"
}

on_exit() {
  local rc=$?
  set +e
  if [ "$LOCKED" = 1 ] && [ "$DONE" = 0 ]; then
    DONE=1
    [ "$rc" != 0 ] || rc=$EXIT_INTERNAL
    log "error: unexpected failure in step '$STEP'${ERR_AT:+ at $ERR_AT} (exit code $rc)"
    discard_staging failed
    write_history failed "internal error in step $STEP${ERR_AT:+ at $ERR_AT}" "$rc"
    export_metrics
    log "exit $rc (failed); logs in $LOG_DIR"
  fi
  exit "$rc"
}

on_signal() {  # NAME CODE
  trap '' INT TERM HUP
  if [ -n "$CHILD" ]; then
    log "SIG$1: stopping the $STEP step (pid $CHILD)"
    kill -TERM "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
    CHILD=""
  fi
  if [ "$LOCKED" = 1 ] && [ "$DONE" = 0 ]; then
    finish "$2" failed "interrupted by SIG$1 during step $STEP"
  fi
  exit "$2"
}

trap 'ERR_AT="line $LINENO: $BASH_COMMAND"' ERR
trap on_exit EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ------------------------------------------------------------------ 1. lock
lock_rc=0
lock_try "$LOCK_FILE" || lock_rc=$?
if [ "$lock_rc" = 2 ]; then die_usage "cannot open LOCK_FILE $LOCK_FILE (or create its directory)"; fi
if [ "$lock_rc" != 0 ]; then
  holder=$(lock_holder "$LOCK_FILE")
  echo "$PROG: another run holds $LOCK_FILE${holder:+ ($holder)}; not starting" >&2
  exit "$EXIT_LOCKED"
fi
LOCKED=1
echo "pid $$ run $RUN_ID since $STARTED_AT" > "$LOCK_FILE"
mkdir -p "$LOG_DIR" "$MODELS_ROOT"
NIGHTLY_LOG=$LOG_DIR/nightly.log
log "run $RUN_ID for $RUN_DATE (config $CONFIG, run directory $RUN_DIR)"

# Leftovers of a run that was killed outright (the lock proves no run is using them).
mapfile -t stale < <(leftover_staging "$MODELS_ROOT")
for path in "${stale[@]}"; do
  log "removing $path, left by an earlier run that did not finish"
  rm -rf -- "$path"
done
if [ -L "$CURRENT" ] && [ ! -d "$CURRENT" ]; then
  log "warning: $CURRENT -> $(readlink "$CURRENT") is dangling; treating this as the first run"
fi
CUR_DIR=$(current_target)
log "current model: ${CUR_DIR:-none}"

# ------------------------------------------------------------------ 2. prep
STEP=prep
for p in "${INPUT_LOGS[@]}"; do
  [ -e "$p" ] || finish "$EXIT_PREP" failed "prep: input log '$p' does not exist"
done
run_step "$STEP_TIMEOUT" "$LOG_DIR/prep.log" "${PREP_CMD[@]}" ||
  finish "$EXIT_PREP" failed "prep failed: $STEP_ERROR"
[ -s "$DATA/test.tsv" ] ||
  finish "$EXIT_PREP" failed "prep wrote no held-out records ($DATA/test.tsv); PREP_ARGS needs a --holdout"
[ -d "$DATA/train" ] || finish "$EXIT_PREP" failed "prep wrote no $DATA/train"

# ------------------------------------------------------------------ 2b. tune (TUNE_EVERY)
# Re-tunes in this job every TUNE_EVERY nights on a second prep of the same logs that also
# holds out validation records (the search never sees test.tsv), and keeps the winner in
# TUNE_DIR for the nights between. A failed tune keeps the previous winner (or TRAIN_CONFIG).
if tune_due; then
  STEP=tune
  log "tune: due (TUNE_EVERY=$TUNE_EVERY); searching into $TUNE_OUT"
  if run_step "$STEP_TIMEOUT" "$LOG_DIR/tune-prep.log" "${TUNE_PREP_CMD[@]}" &&
     run_step "$TRAIN_TIMEOUT" "$LOG_DIR/tune.log" "${TUNE_CMD[@]}" && [ -s "$TUNE_OUT/best.ini" ]; then
    cp -f -- "$TUNE_OUT/best.ini" "$TUNED_INI.tmp.$$" && mv -f -- "$TUNED_INI.tmp.$$" "$TUNED_INI"
    printf '%s\n' "$RUN_DATE" > "$TUNE_DIR/last_tune.tmp.$$" && mv -f -- "$TUNE_DIR/last_tune.tmp.$$" "$TUNE_DIR/last_tune"
    log "tune: $(grep -m1 -E '^# (Trial|No trial)' "$TUNED_INI" | sed 's/^# //') -> $TUNED_INI"
  else
    log "tune: failed ($STEP_ERROR; see $LOG_DIR/tune.log); training with $(train_config || true)"
  fi
  rm -rf -- "$TUNE_DATA"
elif [ "$TUNE_EVERY" -gt 0 ]; then
  log "tune: not due (last $(head -n 1 -- "$TUNE_DIR/last_tune"), every $TUNE_EVERY nights); training with $TUNED_INI"
fi

# ------------------------------------------------------------------ 3. train
STEP=train
build_train_cmd
if [ "$WARM_START" = 1 ]; then
  if [ -n "$INIT_FROM" ]; then log "train: warm start from $INIT_FROM"
  else log "train: WARM_START=1 but there is no current model; training from scratch"; fi
fi
TRAIN_ATTEMPTS=1
while true; do
  train_rc=0
  rm -f -- "$STAGING/job_result"
  run_step "$TRAIN_TIMEOUT" "$LOG_DIR/train.log" "${TRAIN_CMD[@]}" || train_rc=$?
  # The job's own exit code (STAGING/job_result, by rank 0) wins over mpirun's (139 after an
  # abort, 1 after a forwarded SIGTERM); "running" there: rank 0 was killed, mpirun's stands.
  job_rc=$(head -n 1 -- "$STAGING/job_result" 2> /dev/null || true)
  if [[ "$job_rc" =~ ^[0-9]+$ ]] && [ "$job_rc" != "$train_rc" ]; then
    log "train: mpirun exited $train_rc but the job's result is $job_rc ($(sed -n 2p -- "$STAGING/job_result")); using the job's"
    train_rc=$job_rc
  fi
  [ "$train_rc" != 0 ] || break
  # A crashed or stopped rank: rerun from the newest checkpoint. Not a timeout (it would
  # run out of time again), bad options or bad input (a rerun fails the same way).
  case "$train_rc" in 2|3) retry=0 ;; *) retry=1 ;; esac
  [ "$TIMED_OUT" = 0 ] || retry=0
  if [ "$HAS_CHECKPOINTS" = 0 ] || [ "$retry" = 0 ] || [ "$TRAIN_ATTEMPTS" -gt "$TRAIN_RETRIES" ]; then
    finish "$EXIT_TRAIN" failed "train failed: $STEP_ERROR"
  fi
  cp -f "$LOG_DIR/train.log" "$LOG_DIR/train-attempt$TRAIN_ATTEMPTS.log" || true
  TRAIN_ATTEMPTS=$((TRAIN_ATTEMPTS + 1))
  log "train: attempt $((TRAIN_ATTEMPTS - 1)) failed ($STEP_ERROR); attempt $TRAIN_ATTEMPTS resumes from the newest checkpoint"
  # if-possible: a crash before the first checkpoint leaves nothing to resume from.
  [[ " ${TRAIN_CMD[*]} " == *" --resume"* ]] || TRAIN_CMD+=(--resume=if-possible)
done
CANDIDATE=$STAGING
for f in vocab.tsv train.json; do
  [ -s "$STAGING/$f" ] || finish "$EXIT_TRAIN" failed "train exited 0 but wrote no $STAGING/$f"
done
[ -s "$STAGING/vectors.bin" ] || [ -s "$STAGING/vectors.txt" ] ||
  finish "$EXIT_TRAIN" failed "train exited 0 but wrote no vectors in $STAGING"

# ------------------------------------------------------------------ 4. eval
STEP="eval"
eval_cmd "$STAGING" "$EVAL_NEW"
run_step "$STEP_TIMEOUT" "$LOG_DIR/eval-new.log" "${EVAL_CMD[@]}" ||
  finish "$EXIT_EVAL" failed "eval of the new model failed: $STEP_ERROR"
metrics=$(read_metrics "$EVAL_NEW") ||
  finish "$EXIT_EVAL" failed "cannot read HR@$EVAL_K from $EVAL_NEW"
read -r NEW_HR NEW_NDCG NEW_MRR new_evaluated <<< "$metrics"
[ "$new_evaluated" -gt 0 ] ||
  finish "$EXIT_EVAL" failed "eval scored no test record (no history item is in the new model); see $EVAL_NEW"
log "new model: HR@$EVAL_K $NEW_HR, NDCG@$EVAL_K $NEW_NDCG, MRR $NEW_MRR on $new_evaluated records"
cur_eval_error=""
if [ -n "$CUR_DIR" ]; then
  eval_cmd "$CUR_DIR" "$EVAL_CUR"
  if run_step "$STEP_TIMEOUT" "$LOG_DIR/eval-current.log" "${EVAL_CMD[@]}"; then
    if metrics=$(read_metrics "$EVAL_CUR"); then
      read -r CUR_HR CUR_NDCG CUR_MRR _ <<< "$metrics"
      log "current model: HR@$EVAL_K $CUR_HR, NDCG@$EVAL_K $CUR_NDCG, MRR $CUR_MRR"
    else
      cur_eval_error="cannot read HR@$EVAL_K from $EVAL_CUR"
    fi
  else
    cur_eval_error=$STEP_ERROR
  fi
  if [ -n "$cur_eval_error" ]; then
    if [ "$FORCE" = 0 ]; then
      finish "$EXIT_EVAL" failed "eval of the current model $CUR_DIR failed: $cur_eval_error (--force publishes anyway)"
    fi
    log "warning: eval of the current model failed ($cur_eval_error); publishing anyway (--force)"
  fi
fi

# ------------------------------------------------------------------ 5. gate
STEP=gate
if [ -z "$CUR_DIR" ]; then
  reason="first model (no current model to compare with): HR@$EVAL_K $NEW_HR"
elif [ -n "$CUR_HR" ] && "$PY" -c '
import sys
new, cur, tol = map(float, sys.argv[1:4])
sys.exit(0 if new >= cur - tol - 1e-12 else 1)' "$NEW_HR" "$CUR_HR" "$TOLERANCE"; then
  reason="HR@$EVAL_K $NEW_HR >= current $CUR_HR - tolerance $TOLERANCE"
elif [ "$FORCE" = 1 ]; then
  reason="forced (--force): HR@$EVAL_K $NEW_HR vs current ${CUR_HR:-unknown}"
else
  finish "$EXIT_GATE" refused "HR@$EVAL_K $NEW_HR is more than $TOLERANCE below the current model's $CUR_HR ($CUR_DIR)"
fi
log "gate: pass: $reason"

# ------------------------------------------------------------------ 5b. Redis (optional)
# PUBLISH_REDIS=HOST:PORT (env; REDISCLI_AUTH): a failure keeps Redis' live version and current.
if [ -n "${PUBLISH_REDIS:-}" ]; then
  STEP=redis
  run_step 0 "$LOG_DIR/publish-redis.log" "$ITEM2VEC_BIN" publish --model "$STAGING" \
    --redis "$PUBLISH_REDIS" --prefix "${PUBLISH_REDIS_PREFIX:-i2v}" ||
    finish "$EXIT_PUBLISH" failed "publish to redis $PUBLISH_REDIS failed: $STEP_ERROR (the live version is unchanged)"
  # "published PREFIX:VERSION live (was N): ...": the version, for the history and the metrics.
  REDIS_VERSION=$(sed -n 's/^published [^ ]*:\([0-9][0-9]*\) live .*/\1/p' "$LOG_DIR/publish-redis.log" | tail -n 1)
fi

# ------------------------------------------------------------------ 6. publish
STEP=publish
t0=$EPOCHREALTIME
name=$RUN_DATE n=2
while [ -e "$MODELS_ROOT/$name" ] || [ -L "$MODELS_ROOT/$name" ]; do name=$RUN_DATE.$n; n=$((n + 1)); done
cp -- "$EVAL_NEW" "$STAGING/eval.json" ||
  finish "$EXIT_PUBLISH" failed "publish: cannot write $STAGING/eval.json"
mv -T -- "$STAGING" "$MODELS_ROOT/$name" ||
  finish "$EXIT_PUBLISH" failed "publish: cannot move $STAGING to $MODELS_ROOT/$name"
STAGING="" CANDIDATE=$MODELS_ROOT/$name
tmp_link=$MODELS_ROOT/.current.tmp.$RUN_ID
if ! { ln -s -- "$name" "$tmp_link" && mv -T -- "$tmp_link" "$CURRENT"; }; then
  rm -f -- "$tmp_link"
  rm -rf -- "${MODELS_ROOT:?}/$name"
  CANDIDATE=""
  finish "$EXIT_PUBLISH" failed "publish: cannot switch $CURRENT to $name (current is unchanged)"
fi
PUBLISHED_DIR=$MODELS_ROOT/$name
DUR[publish]=$(elapsed "$t0")
log "publish: $CURRENT -> $name"

# ------------------------------------------------------------------ 7. prune (warnings only)
STEP=prune
keep=$(basename -- "$(readlink -- "$CURRENT")")
mapfile -t dated < <(find "$MODELS_ROOT" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
  -regex '.*/[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[0-9]+)?' -printf '%f\n' | sort -V)
for ((i = 0; i < ${#dated[@]} - KEEP_MODELS; i++)); do
  [ "${dated[i]}" != "$keep" ] || continue
  if rm -rf -- "${MODELS_ROOT:?}/${dated[i]}"; then log "prune: removed model ${dated[i]}"
  else log "warning: could not remove model ${dated[i]}"; fi
done

# ------------------------------------------------------------------ 8. history
STEP="done"
finish "$EXIT_OK" published "published $PUBLISHED_DIR: $reason"
