#!/usr/bin/env bash
# item2vec publish --layout sparrowrecsys against a real redis-server, read back by a reader
# that does what SparrowRecSys's DataManager does (KEYS i2vEmb*, the id as the key's second
# ':'-separated field parsed as an integer, GET, split on whitespace, parse each float), and
# what its recommender does for a user (GET uEmb:<userId>):
#  1. the MovieLens model and its users (embed-users): every item and user comes back equal to
#     vectors.bin / users.vec as float32, bit for bit; every key expires within --ttl (24h)
#  2. --layout versioned,sparrowrecsys writes both layouts; --ttl 0 leaves keys without expiry
#  3. an item id with ':' is refused before anything is written (exit 3); a bad --layout or
#     --ttl is a usage error (exit 2); --help says what this layout cannot promise
# Usage: sparrow_layout_test.sh ITEM2VEC REPO
set -euo pipefail
ITEM2VEC=$1 REPO=$2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" sparrow redis,numpy
start_redis

train_movielens 3 --report false
"$ITEM2VEC" embed-users --model "$WORK/model" --sequences "$WORK/data/test.tsv" --output "$WORK/users.vec" > /dev/null

# The reader: SparrowRecSys's DataManager.loadMovieEmb and RecForYouProcess's user lookup, in
# Python. Checks every vector against the files, as float32, bit for bit.
read_like_sparrowrecsys() {  # EXPECTED_TTL: "24h" (0 < TTL <= 86400) or "none" (no expiry)
  $PY - "$PORT" "$WORK/model/vectors.bin" "$WORK/users.vec" "$1" <<'PYEOF'
import sys
import numpy as np
from word2vec_bin import read_bin
import redis
port, vectors_bin, users_vec, ttl = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def parse_emb_str(s):  # Utility.parseEmbStr: split on whitespace, parse each float
    return np.array([np.float32(float(x)) for x in s.split()], dtype=np.float32)

names, vectors = read_bin(vectors_bin)
rows, dim = vectors.shape
items = {int(name): row for name, row in zip(names, vectors)}
lines = open(users_vec).read().splitlines()
users = {int(l.split()[0]): np.array([np.float32(float(x)) for x in l.split()[1:]], dtype=np.float32) for l in lines[1:]}

r = redis.Redis(port=port, decode_responses=True)
got = {}
for key in r.keys("i2vEmb*"):                    # DataManager: keys(embKey + "*")
    movie_id = int(key.split(":")[1])             # movieEmbKey.split(":")[1], Integer.parseInt
    got[movie_id] = parse_emb_str(r.get(key))     # Utility.parseEmbStr(get(movieEmbKey))
    t = r.ttl(key)
    assert (0 < t <= 86400) if ttl == "24h" else t == -1, "%s has TTL %d, expected %s" % (key, t, ttl)
assert set(got) == set(items), "%d items in Redis, %d in the model" % (len(got), len(items))
for i, v in items.items():
    assert got[i].shape == (dim,) and got[i].tobytes() == v.tobytes(), "item %d differs" % i
for u, v in users.items():                        # RecForYouProcess: get("uEmb:" + userId)
    emb = parse_emb_str(r.get("uEmb:%d" % u))
    assert emb.tobytes() == v.tobytes(), "user %d differs" % u
assert len(r.keys("uEmb*")) == len(users)
print("ok: %d items and %d users read back as SparrowRecSys reads them, dim %d" % (len(got), len(users), dim))
PYEOF
}

echo "== 1. the course's layout"
"$ITEM2VEC" publish --model "$WORK/model" --users "$WORK/users.vec" --redis "127.0.0.1:$PORT" \
  --layout sparrowrecsys > "$WORK/pub1.txt"
cat "$WORK/pub1.txt"
grep -q "^published the sparrowrecsys layout: .* items as i2vEmb:ITEM, .* users as uEmb:USER, dim 32, expiring in 86400 s" \
  "$WORK/pub1.txt" || fail "summary line"
[ -z "$(rcli keys 'i2v:*')" ] || fail "--layout sparrowrecsys also wrote the versioned layout"
read_like_sparrowrecsys 24h || fail "the SparrowRecSys reader did not get every vector back"
value=$(rcli get i2vEmb:260)
[[ "$value" =~ ^-?[0-9.e+-]+( -?[0-9.e+-]+){31}$ ]] || fail "i2vEmb:260 is not 32 floats separated by single spaces: '$value'"

echo "== 2. both layouts, and no expiry"
rcli flushall > /dev/null
"$ITEM2VEC" publish --model "$WORK/model" --users "$WORK/users.vec" --redis "127.0.0.1:$PORT" \
  --layout versioned,sparrowrecsys --ttl 0 > "$WORK/pub2.txt"
grep -q '^published i2v:1 live' "$WORK/pub2.txt" || fail "the versioned layout was not published: $(cat "$WORK/pub2.txt")"
grep -q 'no expiry' "$WORK/pub2.txt" || fail "--ttl 0: $(cat "$WORK/pub2.txt")"
[ "$(rcli get i2v:current)" = 1 ] || fail "i2v:current is not 1"
read_like_sparrowrecsys none || fail "the SparrowRecSys reader, both layouts"

echo "== 3. refusals"
printf '2 3\n1 0.5 0.25 1\nbad:id 1 2 3\n' > "$WORK/colon.txt"
rcli flushall > /dev/null
RC=0; "$ITEM2VEC" publish --model "$WORK/colon.txt" --redis "127.0.0.1:$PORT" --layout sparrowrecsys 2> "$WORK/err" || RC=$?
[ "$RC" = 3 ] || fail "an id with ':' exited $RC, expected 3"
grep -q "item 'bad:id'" "$WORK/err" || fail "the refusal does not name the id: $(cat "$WORK/err")"
[ "$(rcli dbsize)" = 0 ] || fail "a refused publish wrote keys"
RC=0; "$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" --layout course 2> /dev/null || RC=$?
[ "$RC" = 2 ] || fail "--layout course exited $RC, expected 2"
RC=0; "$ITEM2VEC" publish --model "$WORK/model" --redis "127.0.0.1:$PORT" --layout sparrowrecsys --ttl soon 2> /dev/null || RC=$?
[ "$RC" = 2 ] || fail "--ttl soon exited $RC, expected 2"
# (The whole help first: grep -q stopping early would break the pipe under pipefail.)
help=$("$ITEM2VEC" publish --help)
grep -q "reader may see old and new keys mixed" <<< "$help" || fail "--help does not say what the layout cannot promise"
echo "ok: SparrowRecSys's reader gets every vector back"
