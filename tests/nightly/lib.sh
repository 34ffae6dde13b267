# shellcheck shell=bash
# Shared helpers of the nightly-refresh tests (sourced). Usage: TEST.sh ITEM2VEC_BIN REPO_ROOT
# Each test runs scripts/nightly_refresh.sh on the bundled MovieLens ratings with its own
# config, work dir and models root under a temporary directory, and checks what it leaves:
# exit code, the `current` link, the dated model directories and the history lines.
set -euo pipefail

ITEM2VEC=${1:?usage: $0 ITEM2VEC_BIN REPO_ROOT}
REPO=${2:?usage: $0 ITEM2VEC_BIN REPO_ROOT}
SCRIPT=$REPO/scripts/nightly_refresh.sh
RATINGS=$REPO/data/ml-latest-small/ratings.csv
PY=/usr/bin/python3
# The helpers the pipeline itself uses (MPI environment, lock, history reader).
# shellcheck source=scripts/lib/common.sh
source "$REPO/scripts/lib/common.sh"
export MPIRUN=${MPIRUN:-mpirun}
mpi_local_env

skip() { echo "SKIP: $*"; exit 77; }
[ -x "$PY" ] || skip "$PY (Debian's python3) is not installed"
command -v flock > /dev/null || skip "flock (util-linux) is not installed"
command -v "$MPIRUN" > /dev/null || skip "$MPIRUN not found"
[ -f "$RATINGS" ] || skip "$RATINGS is missing"
[ -x "$ITEM2VEC" ] || { echo "FAIL: $ITEM2VEC is not an executable" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/item2vec-nightly.XXXXXX")
MODELS=$T/models
HISTORY=$T/history.jsonl
LOCK=$T/nightly.lock
trap '[ -n "${NIGHTLY_TEST_KEEP:-}" ] || rm -rf "$T"' EXIT

LAST_LOG=""
fail() {
  echo "FAIL: $*" >&2
  if [ -n "$LAST_LOG" ] && [ -f "$LAST_LOG" ]; then
    echo "---- output of the last run ($LAST_LOG):" >&2
    tail -n 40 "$LAST_LOG" >&2
  fi
  exit 1
}
say() { echo "== $*"; }

# The day's logs: T/logs/DATE/ratings.csv (INPUT_LOGS uses {date}).
add_day_log() {
  mkdir -p "$T/logs/$1"
  ln -sf "$RATINGS" "$T/logs/$1/ratings.csv"
}

# Training settings kept small (dim 32, 5 epochs, one worker, deterministic, fixed seed) so
# that a run takes a second or two and two runs on the same data give the same vectors.
write_base_conf() {
  if [ -f "$REPO/configs/movielens.ini" ]; then
    sed -e 's/^epochs *=.*/epochs = 5/' -e 's/^dim *=.*/dim = 32/' \
      "$REPO/configs/movielens.ini" > "$T/train.ini"
  else
    printf 'dim = 32\nwindow = 10\nepochs = 5\nmin-count = 5\n' > "$T/train.ini"
  fi
  cat > "$T/base.conf" <<CONF
ITEM2VEC_BIN=$ITEM2VEC
MPIRUN=$MPIRUN
MPIRUN_ARGS=(--oversubscribe)
INPUT_LOGS=("$T/logs/{date}/ratings.csv")
PREP_ARGS=(--user-col userId --item-col movieId --time-col timestamp --rating-col rating
           --min-rating 3.5 --holdout last)
NP=2
SERVERS=1
TRAIN_CONFIG=$T/train.ini
TRAIN_ARGS=(--seed 7 --deterministic --progress-seconds 60)
EXTRA_TRAIN_ARGS=()
WARM_START=0
KEEP_MISSING=0
EVAL_K=10
EVAL_ARGS=(--threads 2)
TOLERANCE=0.005
WORK_DIR=$T/work
MODELS_ROOT=$MODELS
KEEP_MODELS=2
KEEP_RUNS=50
KEEP_REFUSED=1
HISTORY_FILE=$HISTORY
LOCK_FILE=$LOCK
TRAIN_TIMEOUT=120
STEP_TIMEOUT=60
RUN_DATE=""
CONF
}

# conf NAME 'KEY=value...': a config that sources the base one and overrides some keys.
conf() {
  printf 'source %q\n%s\n' "$T/base.conf" "$2" > "$T/$1.conf"
  echo "$T/$1.conf"
}

# run_nightly NAME ARGS...: runs the script, output in T/NAME.out, exit code in RC.
run_nightly() {
  local name=$1; shift
  LAST_LOG=$T/$name.out
  RC=0
  bash "$SCRIPT" "$@" > "$LAST_LOG" 2>&1 || RC=$?
}

expect_rc() {  # EXPECTED WHAT
  [ "$RC" = "$1" ] || fail "$2: exit code $RC, expected $1"
}

current() { readlink "$MODELS/current" 2>/dev/null || echo "(none)"; }

dated_dirs() {
  find "$MODELS" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' -printf '%f\n' | sort | tr '\n' ' '
}

history_lines() { history_line_count "$HISTORY"; }

# hist N FIELD: a field of history line N (1-based; -1 = last) as JSON.
hist() { history_field "$HISTORY" "$1" "$2"; }

no_staging_left() {
  if [ -n "$(leftover_staging "$MODELS")" ]; then
    fail "$1: staging or temporary link left in $MODELS: $(find "$MODELS" -mindepth 1 -maxdepth 1 -printf '%f ')"
  fi
}
