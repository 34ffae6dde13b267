# Shared by the readers' tests: the skips (exit 77) where python3's modules or mpirun are
# missing, a work directory removed at exit, fail, and the small deterministic MovieLens model
# they read. PYTHONPATH holds this folder (word2vec_bin.py).
# Usage: source lib.sh NAME PYTHON_MODULES   (after ITEM2VEC and REPO are set)
# shellcheck shell=bash
MPIRUN=${MPIRUN:-mpirun}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PYTHONPATH=$HERE${PYTHONPATH:+:$PYTHONPATH}
$PY -c "import $2" 2> /dev/null || { echo "SKIP: /usr/bin/python3 lacks one of: $2 (python3-numpy, python3-hnswlib)"; exit 77; }
command -v "$MPIRUN" > /dev/null || { echo "SKIP: mpirun not found"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/item2vec-$1.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# train_movielens DIM: prep's MovieLens sequences in WORK/data, a deterministic 3-epoch model
# of dimension DIM in WORK/model.
train_movielens() {
  "$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/data" --user-col userId \
    --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last > /dev/null 2>&1
  "$MPIRUN" -np 2 "$ITEM2VEC" train --config "$REPO/configs/movielens.ini" --input "$WORK/data/train" \
    --output "$WORK/model" --dim "$1" --epochs 3 --deterministic --log-level warn --report false
}
