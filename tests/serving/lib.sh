# Shared by the serving tests that run item2vec publish against a real redis-server: the
# skips (exit 77) where redis-server, redis-cli, python3's modules or mpirun are missing, a
# work directory removed at exit with the server, a free loopback port, start_redis /
# stop_redis / rcli, and the small deterministic MovieLens model they publish.
# Usage: source lib.sh NAME PYTHON_MODULES   (after ITEM2VEC and REPO are set)
# shellcheck shell=bash
# shellcheck source=../support/script_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/script_lib.sh" "$1"
need_command redis-server "scripts/install_deps.sh installs redis-server"
need_command redis-cli "scripts/install_deps.sh installs redis-tools"
need_python "$2" "apt install python3-redis python3-numpy"
need_command "$MPIRUN" "Open MPI"
unset REDISCLI_AUTH
REDIS_PID=
cleanup() {
  [ -z "$REDIS_PID" ] || kill -9 "$REDIS_PID" 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
# start_redis [extra redis-server args]: a fresh server on PORT, in the foreground of a
# background job (so its pid is ours), persistence off unless the args turn it on.
start_redis() {
  redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
    --logfile "$WORK/redis.log" "$@" &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$PORT" ${REDISCLI_AUTH:+--no-auth-warning} ping 2> /dev/null | grep -q -e PONG -e NOAUTH && return 0
    sleep 0.05
  done
  fail "redis-server did not start on port $PORT: $(tail -5 "$WORK/redis.log")"
}
stop_redis() {
  kill -TERM "$REDIS_PID" 2> /dev/null || true
  wait "$REDIS_PID" 2> /dev/null || true
  REDIS_PID=
}
rcli() { redis-cli -p "$PORT" "$@"; }

# train_movielens EPOCHS [train args]: prep's MovieLens sequences and test file in WORK/data, a
# deterministic dim-32 model in WORK/model.
train_movielens() {
  local epochs=$1
  shift
  "$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/data" \
    --user-col userId --item-col movieId --time-col timestamp --rating-col rating \
    --min-rating 3.5 --holdout last > /dev/null 2>&1
  "$MPIRUN" -np 2 "$ITEM2VEC" train --config "$REPO/configs/movielens.ini" --input "$WORK/data/train" \
    --output "$WORK/model" --dim 32 --epochs "$epochs" --deterministic --log-level warn "$@"
}
