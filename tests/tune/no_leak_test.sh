#!/usr/bin/env bash
# prep --holdout last --validation: valid.tsv holds each user's event before the test one
# (with the history before it), test.tsv the last; neither item is in the training files,
# and no validation record contains its user's test item. On a planted log whose items are
# unique per user (so any leak is visible as a shared token) and on the bundled MovieLens.
source "$REPO/tests/integration/lib.sh"
PY=/usr/bin/python3

# users u0..u59 with 3..14 events each; items u<k>_<n> are unique to a user, s<j> shared.
awk 'BEGIN { print "user,item,time";
  for (k = 0; k < 60; k++) for (n = 0; n < 3 + k % 12; n++)
    printf "u%d,%s,%d\n", k, (n % 3 == 1 ? "s" (k * n % 7) "_" n : "u" k "_" n), 1000 * k + n }' > "$WORK/events.csv"
"$ITEM2VEC" prep -i "$WORK/events.csv" -o "$WORK/p" --user-col user --item-col item --time-col time \
  --holdout last --validation --mode sequence > "$WORK/prep.log" 2>&1 || fail "prep: $(cat "$WORK/prep.log")"
"$ITEM2VEC" prep -i "$WORK/events.csv" -o "$WORK/plain" --user-col user --item-col item --time-col time \
  --holdout last > "$WORK/plain.log" 2>&1 || fail "prep without --validation: $(cat "$WORK/plain.log")"
[ ! -e "$WORK/plain/valid.tsv" ] || fail "valid.tsv written without --validation"

check() {
  local dir=$1 events=$2 planted=$3
  "$PY" - "$dir" "$events" "$planted" <<'PYEOF' || fail "leak check of $dir failed"
import glob, json, sys
d, events_path, planted = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
def records(name):
    out = {}
    for line in open(f"{d}/{name}"):
        user, item, hist = line.rstrip("\n").split("\t")
        assert user not in out, f"{name}: two records for {user}"
        out[user] = (item, hist.split())
    return out
valid, test = records("valid.tsv"), records("test.tsv")
train_tokens = [t for f in glob.glob(f"{d}/train/part-*") for line in open(f) for t in line.split()]
assert valid and set(valid) == set(test), "valid.tsv and test.tsv must hold the same users"
for user, (titem, thist) in test.items():
    vitem, vhist = valid[user]
    # The validation event is the one just before the test event.
    assert thist == vhist + [vitem], f"{user}: test history is not valid history + valid item"
    assert titem != vitem or not planted, f"{user}: same item"
    assert titem not in vhist and titem != vitem, f"{user}: the validation record holds the test item {titem}"
train = set(train_tokens)
if planted:
    for user, (titem, _) in test.items():
        vitem = valid[user][0]
        for item in (titem, vitem):
            if not item.startswith("s"):
                assert item not in train, f"{user}: held-out item {item} is in the training files"
s = json.load(open(f"{d}/summary.json"))
assert s["validation_records"] == len(valid), "summary.json validation_records"
if planted:
    # Every event is trained, validated or tested exactly once.
    n_events = sum(1 for _ in open(events_path)) - 1
    assert len(train_tokens) + len(valid) + len(test) == n_events, (len(train_tokens), len(valid), len(test), n_events)
print(f"{d}: {len(valid)} users, {len(train_tokens)} training tokens: no leak")
PYEOF
}
check "$WORK/p" "$WORK/events.csv" 1
# Without --validation the same events train one more item per user with a validation
# record; a user one event short of one is trained whole (one item more than without).
plain_tokens=$(cat "$WORK/plain/train/"* | wc -w)
valid_tokens=$(cat "$WORK/p/train/"* | wc -w)
n_valid=$(wc -l < "$WORK/p/valid.tsv")
n_short=$(($(wc -l < "$WORK/plain/test.tsv") - n_valid))
[ "$n_short" -eq 5 ] || fail "expected 5 users with 3 events to lose their test record, got $n_short"
[ "$plain_tokens" -eq $((valid_tokens + n_valid - n_short)) ] ||
  fail "--validation should move exactly one event per user out of training ($plain_tokens vs $valid_tokens)"

# The bundled MovieLens (a user rates a movie once, so a test item seen in the validation
# record would be a leak).
"$ITEM2VEC" prep -i "$REPO/data/ml-latest-small/ratings.csv" -o "$WORK/ml" --user-col userId --item-col movieId \
  --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last --validation > "$WORK/ml.log" 2>&1 ||
  fail "prep movielens: $(cat "$WORK/ml.log")"
check "$WORK/ml" "" 0

# --validation needs a last-N hold-out.
if "$ITEM2VEC" prep -i "$WORK/events.csv" -o "$WORK/bad" --user-col user --item-col item --time-col time \
  --validation > "$WORK/bad.log" 2>&1; then fail "--validation without --holdout last was accepted"; fi
grep -q "validation needs --holdout last" "$WORK/bad.log" || fail "unclear refusal: $(cat "$WORK/bad.log")"
echo "PASS"
