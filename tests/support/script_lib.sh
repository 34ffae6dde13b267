# The start that the test scripts share (sourced by tests/integration/lib.sh, readers/lib.sh,
# serving/lib.sh): Open MPI on the loopback, allowed as root and oversubscribed; a work
# directory WORK removed at exit; fail; the skips (exit 77) for a missing command or Python
# module; PYTHONPATH holding tests/support (word2vec_bin.py).
# Usage: source script_lib.sh NAME   (WORK is ${TMPDIR:-/tmp}/item2vec-NAME.XXXXXX)
# shellcheck shell=bash
MPIRUN=${MPIRUN:-mpirun}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
SUPPORT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PYTHONPATH=$SUPPORT${PYTHONPATH:+:$PYTHONPATH}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/item2vec-$1.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# need_command COMMAND HOW: skip unless COMMAND is on the PATH.
need_command() { command -v "$1" > /dev/null || { echo "SKIP: $1 not found ($2)"; exit 77; }; }
# need_python MODULES HOW: skip unless /usr/bin/python3 imports MODULES (comma-separated).
need_python() { $PY -c "import $1" 2> /dev/null || { echo "SKIP: /usr/bin/python3 lacks $1 ($2)"; exit 77; }; }
