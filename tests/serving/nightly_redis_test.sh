#!/usr/bin/env bash
# The nightly refresh's optional Redis step (PUBLISH_REDIS=HOST:PORT) against a real
# redis-server on a free loopback port (persistence off): a run that passes the gate
# publishes version 1 to Redis; a run whose Redis is gone fails with exit 7 and leaves both
# Redis' live version and MODELS_ROOT/current as they were.
# Usage: nightly_redis_test.sh ITEM2VEC REPO
source "$2/tests/nightly/lib.sh"
command -v redis-server > /dev/null && command -v redis-cli > /dev/null ||
  skip "redis-server not installed (scripts/install_deps.sh installs it)"
unset REDISCLI_AUTH
write_base_conf
for d in 2026-03-01 2026-03-02; do add_day_log "$d"; done
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --logfile "$T/redis.log" &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2> /dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$PORT" ping 2> /dev/null | grep -q PONG && break; sleep 0.05; done

say "1. a run that passes the gate publishes to Redis"
PUBLISH_REDIS=127.0.0.1:$PORT run_nightly first --config "$T/base.conf" --date 2026-03-01
expect_rc 0 "first run"
[ "$(redis-cli -p "$PORT" get i2v:current)" = 1 ] || fail "i2v:current is '$(redis-cli -p "$PORT" get i2v:current)', expected 1"
[ "$(redis-cli -p "$PORT" hget i2v:1:meta items)" = "$(wc -l < "$MODELS/current/vocab.tsv")" ] ||
  fail "Redis' version 1 does not hold every item of the published model"

say "2. Redis gone: exit 7, both live versions unchanged"
kill "$REDIS_PID"; wait "$REDIS_PID" 2> /dev/null || true
PUBLISH_REDIS=127.0.0.1:$PORT run_nightly second --config "$T/base.conf" --date 2026-03-02
expect_rc 7 "run with Redis gone"
grep -q 'publish to redis 127.0.0.1:'"$PORT"' failed' "$LAST_LOG" || fail "the failure does not name the Redis step"
[ "$(current)" = 2026-03-01 ] || fail "current -> $(current) after a failed Redis publish, expected 2026-03-01"
echo "PASS"
