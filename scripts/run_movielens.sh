#!/usr/bin/env bash
# The main job on the bundled MovieLens data (data/ml-latest-small):
#   prep  -> each user's movies rated >= 3.5 in time order, the last one held out
#   train -> item2vec under mpirun (1 parameter server + workers), configs/movielens.ini
#   eval  -> next-item HR@K / NDCG@K / MRR against a popularity baseline
#   similar -> the 10 nearest movies, with titles, for a few well-known films
#   publish -> the table into a throwaway redis-server; Star Wars' neighbours read back from it
#   (train also writes the run report, out/movielens/model/report.html: docs/report.md)
# Usage: scripts/run_movielens.sh [OUTPUT_DIR]   (default: out/movielens)
# Environment: ITEM2VEC_BIN (default build/bin/item2vec), NP (MPI ranks, default 3),
#              SERVERS (default 1), MPIRUN_ARGS (extra mpirun arguments).
set -euo pipefail

case "${1:-}" in
  -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
  --input "$out/data/train" --output "$out/model" --servers "$servers" \
  --report-test "$out/data/test.tsv" --names "$repo/data/ml-latest-small/movies.csv"
echo "   run report: $out/model/report.html (open it in a browser)"

echo "== eval: next-item prediction on the held-out last movie of each user"
"$bin" eval --model "$out/model" --test "$out/data/test.tsv" --json "$out/eval.json"

echo "== similar: 10 nearest movies"
# Toy Story, Star Wars IV, Shawshank Redemption, Matrix, Silence of the Lambs
"$bin" similar --model "$out/model" --names "$repo/data/ml-latest-small/movies.csv" -k 10 \
  --item 1 --item 260 --item 318 --item 2571 --item 593

echo "== publish: the lookup table to a throwaway redis-server, neighbours read back from it"
if command -v redis-server > /dev/null && command -v redis-cli > /dev/null && /usr/bin/python3 -c 'import redis' 2> /dev/null; then
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --logfile "$out/redis.log" &
  redis_pid=$!
  trap 'kill "$redis_pid" 2> /dev/null || true' EXIT
  for _ in $(seq 1 100); do redis-cli -p "$port" ping 2> /dev/null | grep -q PONG && break; sleep 0.05; done
  "$bin" publish --model "$out/model" --redis "127.0.0.1:$port"
  # Star Wars IV's 5 nearest movies, computed only from the vectors read back from Redis.
  /usr/bin/python3 - "$port" "$repo/data/ml-latest-small/movies.csv" 260 <<'PYEOF'
import csv, struct, sys, math, redis
r = redis.Redis(port=int(sys.argv[1]))
v = r.get('i2v:current').decode()
dim = int(r.hget('i2v:%s:meta' % v, 'dim'))
keys = list(r.scan_iter(match='i2v:%s:i:*' % v, count=1000))
vecs = {}
for k, val in zip(keys, r.mget(keys)):
    x = struct.unpack('<%df' % dim, val)
    n = math.sqrt(sum(a * a for a in x)) or 1.0
    vecs[k.decode().rsplit(':', 1)[1]] = [a / n for a in x]
titles = {row['movieId']: row['title'] for row in csv.DictReader(open(sys.argv[2], encoding='utf-8'))}
q = vecs[sys.argv[3]]
best = sorted(((sum(a * b for a, b in zip(q, x)), i) for i, x in vecs.items() if i != sys.argv[3]), reverse=True)[:5]
print('# %s\t%s   (from Redis, version %s, %d items)' % (sys.argv[3], titles.get(sys.argv[3], ''), v, len(vecs)))
for rank, (s, i) in enumerate(best, 1):
    print('%d\t%s\t%.6f\t%s' % (rank, i, s, titles.get(i, '')))
PYEOF
  kill "$redis_pid"; wait "$redis_pid" 2> /dev/null || true
  trap - EXIT
else
  echo "   skipped: redis-server, redis-cli or /usr/bin/python3's redis module is missing (scripts/install_deps.sh)"
fi

echo "== done: model in $out/model, metrics in $out/eval.json"
