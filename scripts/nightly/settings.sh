# shellcheck shell=bash
# The checks of scripts/nightly_refresh.sh's settings (sourced by it; configs/nightly.conf
# explains every key).
#
# Contract: nightly_settings_check runs after nightly_conf_load (scripts/lib/common.sh) has
# loaded the config, in the calling shell, and
#   - fills the defaults of the optional keys and turns every list key into an array;
#   - checks every value, the tools and the item2vec binary (and which train options it
#     has: sets HAS_CHECKPOINTS), makes the paths absolute, sets BIN and MPIRUN_BIN;
#   - sets RUN_DATE (DATE_ARG, else the config's, else today) and fills {date} in INPUT_LOGS;
#   - sets CURRENT (MODELS_ROOT/current), which must be a symlink if it exists.
# REQUIRES: the caller defines die_usage MESSAGE, which prints it and exits 2 (never
# returns), and sets PY (the python of the JSON reports), HISTORY_PY and DATE_ARG. The first
# bad setting ends the script that way, before anything is created.
# SC2015: `check && check || die_usage` is meant (die_usage exits). SC2034: the variables set
# here are read by nightly_refresh.sh.
# shellcheck disable=SC2015,SC2034

nightly_settings_check() {
  local key arg tool i
  CHECKPOINT_EVERY=${CHECKPOINT_EVERY-10m}
  TRAIN_RETRIES=${TRAIN_RETRIES-1}
  NEW_ITEMS=${NEW_ITEMS-random}
  REPORT=${REPORT-1}
  REPORT_NAMES=${REPORT_NAMES-}
  REPORT_ARGS=${REPORT_ARGS-}
  PUSHGATEWAY=${PUSHGATEWAY-}
  METRICS_TEXTFILE=${METRICS_TEXTFILE-}
  METRICS_JOB=${METRICS_JOB-item2vec_nightly}
  TUNE_EVERY=${TUNE_EVERY-0}
  TUNE_DIR=${TUNE_DIR-$MODELS_ROOT/../tune}
  TUNE_ARGS=${TUNE_ARGS-}

  for key in MPIRUN_ARGS INPUT_LOGS PREP_ARGS TRAIN_ARGS EXTRA_TRAIN_ARGS EVAL_ARGS REPORT_ARGS TUNE_ARGS; do
    as_array "$key"
  done

  is_uint "$NP" && [ "$NP" -ge 2 ] || die_usage "NP must be an integer >= 2 (one worker, one server), not '$NP'"
  is_uint "$SERVERS" && [ "$SERVERS" -ge 1 ] && [ "$SERVERS" -lt "$NP" ] ||
    die_usage "SERVERS must be an integer from 1 to NP-1 = $((NP - 1)), not '$SERVERS'"
  is_uint "$EVAL_K" && [ "$EVAL_K" -ge 1 ] || die_usage "EVAL_K must be a positive integer, not '$EVAL_K'"
  [[ "$TOLERANCE" =~ ^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]] ||
    die_usage "TOLERANCE must be a non-negative number (absolute HR@K difference), not '$TOLERANCE'"
  is_uint "$KEEP_MODELS" && [ "$KEEP_MODELS" -ge 1 ] || die_usage "KEEP_MODELS must be an integer >= 1, not '$KEEP_MODELS'"
  is_uint "$KEEP_RUNS" && [ "$KEEP_RUNS" -ge 1 ] || die_usage "KEEP_RUNS must be an integer >= 1, not '$KEEP_RUNS'"
  is_uint "$TRAIN_TIMEOUT" || die_usage "TRAIN_TIMEOUT must be seconds (0 = none), not '$TRAIN_TIMEOUT'"
  is_uint "$STEP_TIMEOUT" || die_usage "STEP_TIMEOUT must be seconds (0 = none), not '$STEP_TIMEOUT'"
  [[ "$NEW_ITEMS" =~ ^(random|cooccurrence)$ ]] || die_usage "NEW_ITEMS must be random or cooccurrence, not '$NEW_ITEMS'"
  is_uint "$TUNE_EVERY" || die_usage "TUNE_EVERY must be a number of nights (0 = never tune), not '$TUNE_EVERY'"
  for arg in "${TUNE_ARGS[@]}"; do
    case "$arg" in --input|--input=*|-i|--valid|--valid=*|--output|--output=*|-o|--train-config|--train-config=*|\
                   --np|--np=*|--servers|--servers=*|--launcher|--launcher=*|--test|--test=*)
      die_usage "TUNE_ARGS must not set $arg (the script sets it)" ;; esac
  done
  is_uint "$TRAIN_RETRIES" || die_usage "TRAIN_RETRIES must be an integer >= 0, not '$TRAIN_RETRIES'"
  [[ "$CHECKPOINT_EVERY" =~ ^[0-9]*\.?[0-9]+[smhd]?$ ]] ||
    die_usage "CHECKPOINT_EVERY must be a duration such as 30s, 10m, 1h or 0, not '$CHECKPOINT_EVERY'"
  for key in WARM_START KEEP_MISSING KEEP_REFUSED REPORT; do
    is_bool "${!key}" || die_usage "$key must be 0 or 1, not '${!key}'"
  done
  [ ${#INPUT_LOGS[@]} -gt 0 ] || die_usage "INPUT_LOGS is empty: give the event log file(s) or director(ies)"
  for key in WORK_DIR MODELS_ROOT HISTORY_FILE LOCK_FILE TUNE_DIR; do
    [ -n "${!key}" ] || die_usage "$key must not be empty"
    printf -v "$key" '%s' "$(readlink -m -- "${!key}")"
  done
  for arg in "${EVAL_ARGS[@]}"; do
    case "$arg" in --k|--k=*|--json|--json=*|--model|--model=*|--test|--test=*)
      die_usage "EVAL_ARGS must not set $arg (the script sets it)" ;; esac
  done

  if [ -n "$REPORT_NAMES" ]; then
    [ -f "$REPORT_NAMES" ] || die_usage "REPORT_NAMES '$REPORT_NAMES' not found (the titles file of the report)"
    REPORT_NAMES=$(readlink -m -- "$REPORT_NAMES")
  fi
  [ -z "$PUSHGATEWAY" ] || [[ "$PUSHGATEWAY" =~ ^https?://[^[:space:]]+$ ]] ||
    die_usage "PUSHGATEWAY must be an http:// or https:// URL, not '$PUSHGATEWAY'"
  if [ -n "$METRICS_TEXTFILE" ]; then
    [[ "$METRICS_TEXTFILE" == *.prom ]] || die_usage "METRICS_TEXTFILE must end in .prom (node-exporter reads only those), not '$METRICS_TEXTFILE'"
    METRICS_TEXTFILE=$(readlink -m -- "$METRICS_TEXTFILE")
  fi
  [[ "$METRICS_JOB" =~ ^[A-Za-z0-9_.-]+$ ]] || die_usage "METRICS_JOB must be letters, digits, '_', '.' or '-', not '$METRICS_JOB'"

  [ -x "$PY" ] || die_usage "$PY not found (Debian's python3 is needed to read the JSON reports)"
  [ -f "$HISTORY_PY" ] || die_usage "$HISTORY_PY is missing (the history writer; a partial checkout?)"
  for tool in flock timeout; do
    command -v "$tool" > /dev/null || die_usage "'$tool' not found (util-linux / coreutils)"
  done
  BIN=$(command -v -- "$ITEM2VEC_BIN" || true)
  [ -n "$BIN" ] && [ -x "$BIN" ] || die_usage "item2vec binary '$ITEM2VEC_BIN' not found or not executable (build it, or set ITEM2VEC_BIN)"
  [[ "$BIN" = /* ]] || BIN=$(readlink -m -- "$BIN")
  MPIRUN_BIN=$(command -v -- "$MPIRUN" || true)
  [ -n "$MPIRUN_BIN" ] || die_usage "MPI launcher '$MPIRUN' not found (install Open MPI, or set MPIRUN)"
  if [ -n "$TRAIN_CONFIG" ]; then
    [ -f "$TRAIN_CONFIG" ] || die_usage "TRAIN_CONFIG '$TRAIN_CONFIG' not found (set it empty and give TRAIN_ARGS instead)"
    TRAIN_CONFIG=$(readlink -m -- "$TRAIN_CONFIG")
  fi
  # The help text once, then grep on it: `item2vec train --help | grep -q` under pipefail fails
  # whenever grep exits before item2vec has written all of it (SIGPIPE), which made these checks
  # depend on timing.
  local train_help
  train_help=$("$BIN" train --help 2>&1 || true)
  if [ "$WARM_START" = 1 ]; then
    grep -q -- '--init-from' <<< "$train_help" ||
      die_usage "WARM_START=1 but this item2vec train has no --init-from option; set WARM_START=0"
  fi
  # Checkpoints and resume need an item2vec train that has them (older builds do not).
  HAS_CHECKPOINTS=0
  if grep -q -- '--checkpoint-every' <<< "$train_help"; then HAS_CHECKPOINTS=1; fi
  if [ "$KEEP_MISSING" = 1 ] && [ "$WARM_START" = 1 ]; then
    grep -q -- '--keep-missing' <<< "$train_help" ||
      die_usage "KEEP_MISSING=1 but this item2vec train has no --keep-missing option; set KEEP_MISSING=0"
  fi

  [ -z "$DATE_ARG" ] || RUN_DATE=$DATE_ARG
  [ -n "$RUN_DATE" ] || RUN_DATE=$(date +%F)
  [[ "$RUN_DATE" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] && [ "$(date -d "$RUN_DATE" +%F 2>/dev/null)" = "$RUN_DATE" ] ||
    die_usage "the run date must be a valid YYYY-MM-DD, not '$RUN_DATE'"
  for i in "${!INPUT_LOGS[@]}"; do
    INPUT_LOGS[i]=${INPUT_LOGS[i]//"{date}"/$RUN_DATE}
  done

  CURRENT=$MODELS_ROOT/current
  if [ -e "$CURRENT" ] && [ ! -L "$CURRENT" ]; then
    die_usage "$CURRENT exists and is not a symlink; move it away (the script manages it as a link)"
  fi
}
