# Shared by the readers' tests: the skips (exit 77) where python3's modules or mpirun are
# missing, a work directory removed at exit, fail, and the small deterministic MovieLens model
# they read.
# Usage: source lib.sh NAME PYTHON_MODULES   (after ITEM2VEC and REPO are set)
# shellcheck shell=bash
# shellcheck source=../support/script_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/script_lib.sh" "$1"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
need_python "$2" "python3-numpy, python3-hnswlib"
need_command "$MPIRUN" "Open MPI"

# train_movielens DIM: prep's MovieLens sequences in WORK/data, a deterministic 3-epoch model
# of dimension DIM in WORK/model.
train_movielens() {
  "$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/data" --user-col userId \
    --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last > /dev/null 2>&1
  "$MPIRUN" -np 2 "$ITEM2VEC" train --config "$REPO/configs/movielens.ini" --input "$WORK/data/train" \
    --output "$WORK/model" --dim "$1" --epochs 3 --deterministic --log-level warn --report false
}
