#!/usr/bin/env bash
# The main job on the bundled MovieLens data (data/ml-latest-small):
#   prep  -> each user's movies rated >= 3.5 in time order, the last one held out
#   train -> item2vec under mpirun (1 parameter server + workers), configs/movielens.ini
#   eval  -> next-item HR@K / NDCG@K / MRR against a popularity baseline
#   similar -> the 10 nearest movies, with titles, for a few well-known films
# Usage: scripts/run_movielens.sh [OUTPUT_DIR]   (default: out/movielens)
# Environment: ITEM2VEC_BIN (default build/bin/item2vec), NP (MPI ranks, default 3),
#              SERVERS (default 1), MPIRUN_ARGS (extra mpirun arguments).
set -euo pipefail

case "${1:-}" in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${ITEM2VEC_BIN:-$repo/build/bin/item2vec}
out=${1:-$repo/out/movielens}
np=${NP:-3}
servers=${SERVERS:-1}
[ -x "$bin" ] || { echo "error: $bin not found; build first (scripts/build.sh)" >&2; exit 2; }
command -v mpirun > /dev/null || { echo "error: mpirun not found; run scripts/install_deps.sh" >&2; exit 2; }

# Running as root (containers, CI) needs Open MPI's explicit consent; a 2-core laptop
# needs --oversubscribe for 3 ranks (the server sleeps while idle).
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
mkdir -p "$out"

echo "== prep: ratings.csv -> sequences of liked movies (rating >= 3.5), last movie held out"
"$bin" prep --input "$repo/data/ml-latest-small/ratings.csv" --output "$out/data" \
  --user-col userId --item-col movieId --time-col timestamp --rating-col rating \
  --min-rating 3.5 --holdout last

echo "== train: mpirun -np $np ($servers server(s), $((np - servers)) worker(s))"
# shellcheck disable=SC2086
mpirun --oversubscribe -np "$np" ${MPIRUN_ARGS:-} "$bin" train --config "$repo/configs/movielens.ini" \
  --input "$out/data/train" --output "$out/model" --servers "$servers"

echo "== eval: next-item prediction on the held-out last movie of each user"
"$bin" eval --model "$out/model" --test "$out/data/test.tsv" --json "$out/eval.json"

echo "== similar: 10 nearest movies"
# Toy Story, Star Wars IV, Shawshank Redemption, Matrix, Silence of the Lambs
"$bin" similar --model "$out/model" --names "$repo/data/ml-latest-small/movies.csv" -k 10 \
  --item 1 --item 260 --item 318 --item 2571 --item 593

echo "== done: model in $out/model, metrics in $out/eval.json"
