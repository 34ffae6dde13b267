# shellcheck shell=bash disable=SC2034  # the NIGHTLY_* variables are read by the callers
# Shell helpers shared by scripts/nightly_refresh.sh, scripts/slurm/submit_nightly.sh and
# their tests (tests/nightly, tests/slurm). Sourced, never run:
#   source "$REPO/scripts/lib/common.sh"
#
# Contract: sourcing defines functions and the NIGHTLY_* constants below, and nothing else:
# it runs no command, sets no shell option and no trap, so callers keep their own `set -e`
# and error handling. Helpers report failures by return codes (and, for the config loader,
# in NIGHTLY_CONF_ERROR); none of them exits. Needs bash 4 and flock (util-linux).
#
#   config    nightly_conf_load FILE, as_array NAME, is_uint, is_bool
#   MPI       mpi_allow_root, mpi_local_env, mpi_lost_node_settings FILE
#   lock      lock_try FILE, lock_holder FILE
#   history   history_python, history_line_count FILE, history_field FILE N KEY
#   models    leftover_staging MODELS_ROOT
#   misc      shell_quote ARGS..., elapsed_since EPOCHREALTIME

NIGHTLY_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NIGHTLY_HISTORY_PY=$(cd "$NIGHTLY_LIB_DIR/../nightly" && pwd)/history.py

# ---------------------------------------------------------------- config
# The keys a nightly config (configs/nightly.conf explains each) must set, and the ones it may.
NIGHTLY_CONF_KEYS=(MPIRUN_ARGS INPUT_LOGS PREP_ARGS NP SERVERS TRAIN_CONFIG TRAIN_ARGS EXTRA_TRAIN_ARGS
                   WARM_START KEEP_MISSING EVAL_K EVAL_ARGS TOLERANCE WORK_DIR MODELS_ROOT KEEP_MODELS
                   KEEP_RUNS KEEP_REFUSED HISTORY_FILE LOCK_FILE TRAIN_TIMEOUT STEP_TIMEOUT RUN_DATE)
NIGHTLY_CONF_OPTIONAL_KEYS=(CHECKPOINT_EVERY TRAIN_RETRIES NEW_ITEMS REPORT REPORT_NAMES REPORT_ARGS
                            PUSHGATEWAY METRICS_TEXTFILE METRICS_JOB)

# Loads a nightly config (bash, KEY=value) into the calling shell: every key is unset first,
# so only ITEM2VEC_BIN and MPIRUN may come from the environment; then every required key
# must be set. Returns 1 with the reason in NIGHTLY_CONF_ERROR otherwise. Call it at the top
# level of a script (a `declare` inside the config would be local to this function).
nightly_conf_load() {  # FILE
  local file=$1 key
  NIGHTLY_CONF_ERROR=""
  unset "${NIGHTLY_CONF_KEYS[@]}" "${NIGHTLY_CONF_OPTIONAL_KEYS[@]}"
  if [ ! -f "$file" ]; then NIGHTLY_CONF_ERROR="config file '$file' not found"; return 1; fi
  # shellcheck source=/dev/null
  if ! source "$file"; then
    NIGHTLY_CONF_ERROR="config file '$file' failed to load (bash syntax error?)"
    return 1
  fi
  for key in ITEM2VEC_BIN MPIRUN "${NIGHTLY_CONF_KEYS[@]}"; do
    if ! declare -p "$key" > /dev/null 2>&1; then
      NIGHTLY_CONF_ERROR="$file does not set $key (see configs/nightly.conf)"
      return 1
    fi
  done
}

# A list key may be an array or a whitespace-separated string: makes NAME an array.
as_array() {  # NAME
  if [[ "$(declare -p "$1")" =~ ^declare\ -[a-zA-Z]*a ]]; then return 0; fi
  local value=${!1}
  read -r -a "$1" <<< "$value"
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_bool() { [[ "$1" =~ ^[01]$ ]]; }

# ---------------------------------------------------------------- MPI
# Open MPI refuses root without explicit consent (containers, CI): given when running as root.
mpi_allow_root() {
  if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
}

# Makes mpirun, its daemons and the ranks read FILE (configs/openmpi-mca-params.conf: daemon
# keepalives, so that a lost node ends the job in seconds on stock kernel settings) before Open
# MPI's own default files, unless OMPI_MCA_mca_param_files is set already. Returns 1 when FILE
# is missing (nothing is set).
mpi_lost_node_settings() {  # FILE
  [ -n "${OMPI_MCA_mca_param_files:-}" ] && return 0
  [ -f "$1" ] || return 1
  local defaults
  defaults=$(ompi_info --all --parsable 2> /dev/null |
    sed -n 's/^mca:mca:base:param:mca_param_files:value://p' | tr -d '"' || true)
  export OMPI_MCA_mca_param_files="$1${defaults:+,$defaults}"
}

# For tests on one machine: root allowed, traffic on loopback only, more ranks than cores.
mpi_local_env() {
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
}

# ---------------------------------------------------------------- lock
# Takes FILE's lock without waiting, on file descriptor 9 of the calling shell (held until
# that shell exits or closes fd 9). Returns 0 taken, 1 another process holds it, 2 FILE
# cannot be opened (its directory is created first).
lock_try() {  # FILE
  mkdir -p "$(dirname "$1")" 2> /dev/null || return 2
  exec 9>> "$1" || return 2
  flock -n 9 || return 1
}

# What the holder wrote into the lock file (a note such as "pid N run ID since T"), if any.
lock_holder() {  # FILE
  head -c 300 "$1" 2> /dev/null || true
}

# ---------------------------------------------------------------- history
# The python that runs scripts/nightly/history.py (standard library only): Debian's if
# installed, else the first python3 on PATH.
history_python() {
  if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else command -v python3; fi
}

history_line_count() {  # FILE
  if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi
}

# The value of KEY in history line N (1-based; -1 = the last) as JSON.
history_field() {  # FILE N KEY
  "$(history_python)" "$NIGHTLY_HISTORY_PY" field "$1" "$2" "$3"
}

# ---------------------------------------------------------------- models
# Prints the staged models and temporary `current` links in MODELS_ROOT, one path a line:
# what a run leaves only when it is killed outright.
leftover_staging() {  # MODELS_ROOT
  local path
  for path in "$1"/.staging-* "$1"/.current.tmp.*; do
    if [ -e "$path" ] || [ -L "$path" ]; then echo "$path"; fi
  done
}

# ---------------------------------------------------------------- misc
# The arguments quoted for a shell, each followed by a space.
shell_quote() { printf '%q ' "$@"; }

# Seconds (3 decimals) since T0, an earlier $EPOCHREALTIME.
elapsed_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
