#!/usr/bin/env bash
# item2vec publish against a real redis-server:
#  1. the MovieLens model (trained here, deterministic) is published; every item's value,
#     read back with python3-redis, equals its bytes in vectors.bin bit for bit; meta and
#     PREFIX:current are right;
#  2. a second and third publish flip current and prune beyond --keep;
#  3. redis-server killed (SIGKILL) in the middle of a publish: the publish fails with the
#     connection error, current still names the old version after a restart, and the next
#     publish removes the partial version;
#  4. a server with a password: a wrong REDISCLI_AUTH, none, and a right --password-file.
#  5. what publish refuses before writing anything (issue 26): --timeout-ms 0 or -1 (exit
#     2; 0 meant "wait for ever"), a vectors or --users file naming one key twice (exit 3),
#     a server whose maxmemory-policy evicts any key (exit 2);
#  6. one publisher per prefix (issue 26): a second publish while one is writing fails at
#     once naming the first, which goes live; a publisher that lost its lock (deleted, as
#     if it expired while it was stopped) does not flip PREFIX:current back over a newer
#     version, and the next publish removes its keys, those without meta included; a
#     SIGKILLed publisher's lock is taken over by the next publish.
# Usage: publish_redis_test.sh ITEM2VEC REPO EVAL_BENCH_DATA
set -euo pipefail
ITEM2VEC=$1 REPO=$2 GEN=$3
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" serving redis,numpy

# --- The MovieLens model (small and deterministic: dim 32, 5 epochs).
train_movielens 5

# --- 1. Publish and compare bit for bit.
start_redis
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/pub1.txt"
cat "$WORK/pub1.txt"
grep -q '^published i2v:1 live (was 0)' "$WORK/pub1.txt" || fail "first publish summary: $(cat "$WORK/pub1.txt")"
[ "$(rcli get i2v:current)" = 1 ] || fail "i2v:current is '$(rcli get i2v:current)', expected 1"
compare_with_bin() {  # compare_with_bin VERSION: every item key equals vectors.bin's bytes
  $PY - "$WORK/model/vectors.bin" "$PORT" "$1" <<'PYEOF'
import sys, redis
from word2vec_bin import read_bin
path, port, version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
items, vectors = read_bin(path)
rows, dim = vectors.shape
expect = {item.encode(): row.tobytes() for item, row in zip(items, vectors)}
r = redis.Redis(port=port)
keys = list(r.scan_iter(match=('i2v:%s:i:*' % version).encode(), count=1000))
assert len(keys) == rows, "%d item keys in Redis, %d rows in vectors.bin" % (len(keys), rows)
prefix = ('i2v:%s:i:' % version).encode()
got = dict(zip([k[len(prefix):] for k in keys], r.mget(keys)))
bad = [k for k in expect if got.get(k) != expect[k]]
assert not bad, "%d items differ from vectors.bin, e.g. %r" % (len(bad), bad[:3])
meta = {k.decode(): v.decode() for k, v in r.hgetall('i2v:%s:meta' % version).items()}
assert meta['state'] == 'complete' and meta['dim'] == str(dim) and meta['items'] == str(rows) \
    and meta['users'] == '0' and meta['format'] == 'binary', meta
assert len(meta['train_hash']) == 16 and meta['created'].endswith('Z'), meta
print("ok: %d items x %d bit-identical to vectors.bin in version %s" % (rows, dim, version))
PYEOF
}
compare_with_bin 1

# --- 1b. User vectors (embed-users --last 3 --half-life 2), checked against a float64
# recomputation from vectors.txt, published as PREFIX:VERSION:u:USER.
"$ITEM2VEC" embed-users --model "$WORK/model" --sequences "$WORK/data/test.tsv" --output "$WORK/users.vec" \
  --last 3 --half-life 2
"$ITEM2VEC" publish --model "$WORK/model" --users "$WORK/users.vec" --redis "127.0.0.1:$PORT" --prefix withusers |
  grep -q '^published withusers:1 live.* [1-9][0-9]* users' || fail "publish --users"
$PY - "$WORK/model/vectors.txt" "$WORK/data/test.tsv" "$WORK/users.vec" "$PORT" <<'PYEOF'
import math, struct, sys, redis
def read_vec(path):
    lines = open(path).read().split('\n')[1:]
    return {f[0]: [float(x) for x in f[1:]] for f in (l.split(' ') for l in lines if l)}
items, users = read_vec(sys.argv[1]), read_vec(sys.argv[3])
unit = {k: [x / (math.sqrt(sum(a * a for a in v)) or 1) for x in v] for k, v in items.items()}
r = redis.Redis(port=int(sys.argv[4]))
checked = skipped = 0
for line in open(sys.argv[2]):
    user, _, hist = line.rstrip('\n').split('\t')
    known = [i for i in hist.split() if i in unit][-3:]
    if not known:
        assert user not in users, user; skipped += 1; continue
    w = [0.5 ** ((len(known) - 1 - j) / 2) for j in range(len(known))]
    want = [sum(wj * unit[i][k] for wj, i in zip(w, known)) / sum(w) for k in range(len(unit[known[0]]))]
    got = users[user]
    assert max(abs(a - b) for a, b in zip(want, got)) < 1e-5, (user, want[:3], got[:3])
    assert r.get('withusers:1:u:' + user) == struct.pack('<%df' % len(got), *got), user
    checked += 1
assert checked > 500, checked
print("ok: %d user vectors match the recomputation and Redis, %d users skipped" % (checked, skipped))
PYEOF

# --- 2. A second publish flips; a third one prunes beyond --keep 2.
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/pub2.txt"
grep -q '^published i2v:2 live (was 1).*pruned: none' "$WORK/pub2.txt" || fail "second publish: $(cat "$WORK/pub2.txt")"
[ "$(rcli get i2v:current)" = 2 ] || fail "i2v:current is not 2 after the second publish"
[ "$(rcli exists i2v:1:meta)" = 1 ] || fail "version 1 was pruned although --keep 2 keeps it"
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" --keep 2 > "$WORK/pub3.txt"
grep -q '^published i2v:3 live (was 2).*pruned: 1 ' "$WORK/pub3.txt" || fail "third publish: $(cat "$WORK/pub3.txt")"
items=$(wc -l < "$WORK/model/vocab.tsv")
[ "$(rcli --scan --pattern 'i2v:1:*' | wc -l)" = 0 ] || fail "keys of pruned version 1 remain"
n_i2v=$(rcli --scan --pattern 'i2v:*' | wc -l)
[ "$n_i2v" = $((2 * (items + 1) + 2)) ] || fail "$n_i2v i2v keys, expected versions 2 and 3 + current + seq"
compare_with_bin 3
# Text values read back as the same floats.
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" --prefix i2vtext --format text > /dev/null
first=$(head -c 200 "$WORK/model/vectors.txt" | sed -n 2p | cut -d' ' -f1)
diff <(sed -n 2p "$WORK/model/vectors.txt" | cut -d' ' -f2-) <(rcli get "i2vtext:1:i:$first") > /dev/null ||
  fail "text value of item $first differs from vectors.txt"
echo "ok: flip, prune and text format"

# --- 3. redis-server killed mid-publish. AOF on (in WORK) so that a restart shows what a
# reader would see; the publisher is paused (SIGSTOP) once its version is partly written, so
# the kill lands mid-publish whatever the machine's speed.
stop_redis
start_redis --appendonly yes --appendfsync always
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > /dev/null
"$GEN" "$WORK/big" 200000 16 1 1 > /dev/null
"$ITEM2VEC" publish --model "$WORK/big/model" --redis "127.0.0.1:$PORT" --batch 200 > "$WORK/pub_kill.txt" 2> "$WORK/pub_kill.err" &
pub=$!
# Pause the publisher as soon as version 2 has 20000 keys (polled every millisecond).
$PY - "$PORT" $pub <<'PYEOF' || fail "the big publish did not get 20000 keys into version 2 in time"
import os, signal, sys, time, redis
r, pid = redis.Redis(port=int(sys.argv[1])), int(sys.argv[2])
base = r.dbsize()
for _ in range(60000):
    if r.exists('i2v:2:meta') and r.dbsize() > base + 20000:
        os.kill(pid, signal.SIGSTOP)
        sys.exit(0)
    time.sleep(0.001)
sys.exit(1)
PYEOF
[ "$(rcli exists i2v:2:meta)" = 1 ] || fail "the big publish did not start version 2 in time"
kill -9 "$REDIS_PID"; wait "$REDIS_PID" 2> /dev/null || true
kill -CONT $pub
if wait $pub; then fail "publish succeeded although redis-server was killed in the middle"; fi
cat "$WORK/pub_kill.err"
grep -q 'redis 127.0.0.1:'"$PORT"'.*\(closed the connection\|Connection reset\|failed\)' "$WORK/pub_kill.err" ||
  fail "the publish error does not say the connection to redis failed: $(cat "$WORK/pub_kill.err")"
start_redis --appendonly yes --appendfsync always
[ "$(rcli get i2v:current)" = 1 ] || fail "i2v:current is '$(rcli get i2v:current)' after the crash, expected 1"
[ "$(rcli hget i2v:2:meta state)" = writing ] || fail "the partial version 2 has no meta state 'writing'"
partial=$(rcli --scan --pattern 'i2v:2:*' | wc -l)
echo "after the crash: current 1, partial version 2 with $partial keys"
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/pub_after.txt"
cat "$WORK/pub_after.txt"
grep -q '^published i2v:3 live (was 1).*removed partial: 2;' "$WORK/pub_after.txt" || fail "publish after the crash: $(cat "$WORK/pub_after.txt")"
[ "$(rcli --scan --pattern 'i2v:2:*' | wc -l)" = 0 ] || fail "keys of the partial version 2 remain"
echo "ok: a crash mid-publish keeps current and the next publish cleans up"

# --- 4. Passwords.
stop_redis
rm -rf "$WORK/appendonlydir"
start_redis --requirepass 's3cret pass'
set +e
REDISCLI_AUTH=wrong "$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" 2> "$WORK/wrong.err"
rc=$?
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" 2> "$WORK/none.err"
rc_none=$?
set -e
cat "$WORK/wrong.err" "$WORK/none.err"
[ $rc = 2 ] || fail "wrong password: exit $rc, expected 2"
grep -q 'refused the password from REDISCLI_AUTH.*WRONGPASS' "$WORK/wrong.err" || fail "wrong password message unclear"
[ $rc_none = 2 ] && grep -q 'needs a password' "$WORK/none.err" || fail "no password: exit $rc_none, unclear message"
printf 's3cret pass\n' > "$WORK/pw"
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" --password-file "$WORK/pw" | grep -q '^published i2v:1 live' ||
  fail "publish with the right --password-file failed"
echo "ok: passwords"
stop_redis

# --- 5. Refused before anything is written.
start_redis
expect_refusal() {  # CODE PATTERN ARGS...: exit CODE, PATTERN in stderr, nothing in Redis
  local code=$1 pattern=$2 rc=0; shift 2
  timeout 30 "$ITEM2VEC" publish --redis "127.0.0.1:$PORT" "$@" > /dev/null 2> "$WORK/refused.err" || rc=$?
  [ "$rc" = "$code" ] || { cat "$WORK/refused.err" >&2; fail "publish $*: exit $rc, expected $code"; }
  grep -q -- "$pattern" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "publish $*: no '$pattern'"; }
  [ "$(rcli dbsize)" = 0 ] || fail "publish $*: wrote $(rcli dbsize) keys although it was refused"
}
expect_refusal 2 "--timeout-ms must be at least 1" --model "$WORK/model" --timeout-ms 0
expect_refusal 2 "--timeout-ms must be at least 1" --model "$WORK/model" --timeout-ms -1
printf '3 2\nx 1 2\ny 3 4\nx 5 6\n' > "$WORK/dup.txt"
expect_refusal 3 "item 'x' appears twice, in rows 1 and 3" --model "$WORK/dup.txt"
printf '2 32\nu1%s\nu1%s\n' "$(printf ' 0.5%.0s' $(seq 32))" "$(printf ' 0.25%.0s' $(seq 32))" > "$WORK/dupusers.vec"
expect_refusal 3 "--users: .*'u1' appears twice" --model "$WORK/model" --users "$WORK/dupusers.vec"
stop_redis
start_redis --maxmemory 100mb --maxmemory-policy allkeys-lru
expect_refusal 2 "maxmemory-policy allkeys-lru" --model "$WORK/model"
stop_redis
start_redis --maxmemory 100mb --maxmemory-policy volatile-lru
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" | grep -q '^published i2v:1 live' ||
  fail "a volatile-lru server (never evicts keys without expiry) was refused"
stop_redis
echo "ok: bad timeouts, names given twice and an evicting server are refused with nothing written"

# --- 6. One publisher per prefix.
start_redis
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > /dev/null   # version 1 live
# pause_when_writing PID VERSION: SIGSTOP the publisher once VERSION has 20000 keys.
pause_when_writing() {
  $PY - "$PORT" "$1" "$2" <<'PYEOF' || fail "the big publish did not get 20000 keys into version $2 in time"
import os, signal, sys, time, redis
r, pid, v = redis.Redis(port=int(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
base = r.dbsize()
for _ in range(60000):
    if r.exists('i2v:%s:meta' % v) and r.dbsize() > base + 20000:
        os.kill(pid, signal.SIGSTOP)
        sys.exit(0)
    time.sleep(0.001)
sys.exit(1)
PYEOF
}
"$ITEM2VEC" publish --model "$WORK/big/model" --redis "127.0.0.1:$PORT" --batch 200 > "$WORK/a.txt" 2> "$WORK/a.err" &
pub_a=$!
pause_when_writing $pub_a 2
rc=0
start=$(date +%s)
timeout 60 "$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/b.txt" 2> "$WORK/b.err" || rc=$?
kill -CONT $pub_a
[ "$rc" = 2 ] || { cat "$WORK/b.err" >&2; fail "a second publisher on the prefix: exit $rc, expected 2"; }
grep -q "prefix 'i2v' is being published by another process (host .* pid $pub_a " "$WORK/b.err" ||
  { cat "$WORK/b.err" >&2; fail "the second publisher's message does not name the first"; }
[ $(($(date +%s) - start)) -le 10 ] || fail "the second publisher did not fail at once"
wait $pub_a || { cat "$WORK/a.err" >&2; fail "the first publisher failed after the second was refused"; }
grep -q '^published i2v:2 live (was 1)' "$WORK/a.txt" || fail "first publisher: $(cat "$WORK/a.txt")"
[ "$(rcli get i2v:current)" = 2 ] || fail "i2v:current is '$(rcli get i2v:current)', expected 2"
[ "$(rcli exists i2v:lock)" = 0 ] || fail "the lock outlived its publisher"
echo "ok: a second publisher fails at once naming the first, which goes live"
# A publisher that lost its lock while stopped (here deleted; an expiry does the same).
"$ITEM2VEC" publish --model "$WORK/big/model" --redis "127.0.0.1:$PORT" --batch 200 > "$WORK/a2.txt" 2> "$WORK/a2.err" &
pub_a=$!
pause_when_writing $pub_a 3
rcli del i2v:lock > /dev/null
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/b2.txt" 2> "$WORK/b2.err" ||
  { kill -CONT $pub_a; cat "$WORK/b2.err" >&2; fail "a publish after the lock was freed failed"; }
grep -q '^published i2v:4 live (was 2).*removed partial: 3;' "$WORK/b2.txt" || fail "second publisher: $(cat "$WORK/b2.txt")"
kill -CONT $pub_a
if wait $pub_a; then fail "a publisher that lost its lock went live: $(cat "$WORK/a2.txt")"; fi
cat "$WORK/a2.err"
grep -q "lost i2v:lock" "$WORK/a2.err" || fail "the publisher that lost its lock does not say so"
[ "$(rcli get i2v:current)" = 4 ] || fail "i2v:current went back to '$(rcli get i2v:current)', expected 4"
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/c.txt"
[ "$(rcli --scan --pattern 'i2v:3:*' | wc -l)" = 0 ] || fail "keys of the lost publisher's version 3 remain"
[ "$(rcli get i2v:current)" = 5 ] || fail "i2v:current is not 5 after the cleaning publish"
echo "ok: a publisher that lost its lock does not flip current back; the next publish removes its keys"
# Keys of a version without meta (left by such a publisher before this fix) are removed too.
rcli set i2v:9:i:orphan x > /dev/null
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/d.txt"
grep -q 'removed partial: 9;' "$WORK/d.txt" || fail "a version without meta was not removed: $(cat "$WORK/d.txt")"
[ "$(rcli exists i2v:9:i:orphan)" = 0 ] || fail "the orphan key i2v:9:i:orphan remains"
# A SIGKILLed publisher's lock is taken over on this host.
"$ITEM2VEC" publish --model "$WORK/big/model" --redis "127.0.0.1:$PORT" --batch 200 > /dev/null 2>&1 &
pub_a=$!
pause_when_writing $pub_a 7
kill -KILL $pub_a; wait $pub_a 2> /dev/null || true
grep -q "pid $pub_a " <(rcli get i2v:lock) || fail "the killed publisher left no lock"
"$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" > "$WORK/e.txt" 2> "$WORK/e.err" ||
  { cat "$WORK/e.err" >&2; fail "a publish after a SIGKILLed one failed"; }
grep -q "took over i2v:lock of a publisher that is gone" "$WORK/e.err" || fail "no takeover message: $(cat "$WORK/e.err")"
grep -q '^published i2v:8 live.*removed partial: 7;' "$WORK/e.txt" || fail "after a SIGKILLed publisher: $(cat "$WORK/e.txt")"
echo "ok: a SIGKILLed publisher's lock is taken over and its partial version removed"
stop_redis
echo "PASS"
