#!/usr/bin/env bash
# item2vec tune end to end on the bundled MovieLens: prep --validation, a search whose
# --test is malformed (the search never reads it), then a search that trains the winner on
# the full input and evaluates it on the test split; the outputs, and best.ini read back
# by `train --config`.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
prep_movielens_validation "$WORK/ml"
common=(-i "$WORK/ml/train" --valid "$WORK/ml/valid.tsv" --space "$SPACE" --launcher "$MPIRUN" --np 2 --seed 3)

# 1. The search alone: test.tsv is malformed and must never be read.
printf 'not a record\n' > "$WORK/bad_test.tsv"
"$ITEM2VEC" tune "${common[@]}" --test "$WORK/bad_test.tsv" -o "$WORK/t1" --budget 8x --max-trials 8 \
  > "$WORK/t1.log" 2>&1 || fail "tune: $(cat "$WORK/t1.log")"
grep -q "trial 0 (defaults)" "$WORK/t1.log" || fail "no progress line of the defaults trial"
grep -q "best .* ETA" "$WORK/t1.log" || fail "no progress line with best so far and ETA"
for f in best.ini trials.csv trials.json trials.jsonl search.html; do
  [ -s "$WORK/t1/$f" ] || fail "$f missing"
done
[ ! -e "$WORK/t1/trials" ] || fail "trial directories left behind"
grep -q "<svg" "$WORK/t1/search.html" || fail "search.html has no plot"
grep -q "<script\|src=\|href=" "$WORK/t1/search.html" && fail "search.html is not self-contained"
"$PY" - "$WORK/t1" <<'PYEOF' || fail "trials.json / trials.csv check"
import csv, json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/trials.json"))
t = j["trials"]
assert 2 <= len(t) <= 8, len(t)
assert t[0]["default"] and t[0]["epochs"] == 5 and t[0]["settings"]["dim"] == "100", t[0]
best = t[j["best_trial"]]
assert best["hr"] >= t[0]["hr"], "the winner is below the defaults"
assert all(0 <= x["hr"] <= 1 for x in t)
assert any(x["hr"] > 0 for x in t), "every trial scored 0"
assert j["defaults_won"] == (j["best_trial"] == 0)
rows = list(csv.DictReader(open(f"{d}/trials.csv")))
assert len(rows) == len(t) and "ns-exponent" in rows[0] and "hr" in rows[0]
print("trials ok:", len(t), "best", j["best_trial"], best["hr"], "defaults", t[0]["hr"])
PYEOF
grep -q "^epochs = " "$WORK/t1/best.ini" || fail "best.ini lacks epochs: $(cat "$WORK/t1/best.ini")"

# 2. With --final-output: the winner trained on the full input, evaluated on test.tsv.
"$ITEM2VEC" tune "${common[@]}" --test "$WORK/ml/test.tsv" -o "$WORK/t2" --budget 6x --max-trials 5 \
  --final-output "$WORK/final" > "$WORK/t2.log" 2>&1 || fail "tune --final-output: $(cat "$WORK/t2.log")"
check_model "$WORK/final" "$(sed -n 's/^dim = //p' "$WORK/t2/best.ini" | tail -1)"
grep -q "the winner on the test split: HR@10" "$WORK/t2.log" || fail "no test report: $(tail -5 "$WORK/t2.log")"
"$PY" -c "import json,sys; f=json.load(open(sys.argv[1]))['final']; assert 0 <= f['test_hr'] <= 1, f" \
  "$WORK/t2/trials.json" || fail "trials.json has no final test figures"

# 2b. --sample: trials train on a share of the lines; the sample's full-epoch trials are
# checked against the defaults on the full input (validation only) before one is the answer,
# whether or not they beat the defaults on the share (there that judgement does not carry over).
"$ITEM2VEC" tune "${common[@]}" --test "$WORK/ml/test.tsv" -o "$WORK/t5" --budget 6x --max-trials 5 --sample 0.3 \
  --sample-min-tokens 0 --final-output "$WORK/final5" --log-level debug > "$WORK/t5.log" 2>&1 || fail "tune --sample: $(cat "$WORK/t5.log")"
grep -q "every trial trains on [0-9]* of 608 training lines" "$WORK/t5.log" || fail "no sample line: $(head "$WORK/t5.log")"
# On the 0.3 share min-count 5 becomes 2 (about the items the full input keeps).
trial_commands=$(grep -c "trial command: .* --min-count 2\( \|$\)" "$WORK/t5.log" || true)
[ "$trial_commands" -ge 2 ] || fail "sample trials did not scale min-count 5 to 2: $(grep 'trial command' "$WORK/t5.log" | head -2)"
"$PY" - "$WORK/t5/trials.json" <<'PYEOF' || fail "--sample full-input check"
import json, sys
j = json.load(open(sys.argv[1]))
f = j["final"]
full = {tuple(sorted(t["settings"].items())) for t in j["trials"] if t["full"] and not t["default"] and not t["failed"]}
if full:
    assert "full_valid_hr" in f, ("full-epoch trials on the share but no full-input check", f, full)
    assert f["full_candidates"] == min(3, len(full)), (f, full)
    rejected = f["full_valid_hr"] <= f["full_valid_default_hr"]
    assert f["sample_winner_rejected"] == rejected, f
    assert j["defaults_won"] == rejected, j["defaults_won"]
else:
    assert j["defaults_won"] and "full_valid_hr" not in f, j
print("sample ok:", f, "full-epoch settings on the share:", len(full))
PYEOF

# 2c. The floor on the sample's tokens. The bundled MovieLens has 60,505 training tokens:
# under the default floor (300,000) --sample 0.3 is raised to the full input, loudly, and
# the trials train there with min-count unscaled; under a floor of 30,000 it is raised to
# about a half, a sample that holds the requested one.
"$ITEM2VEC" tune "${common[@]}" -o "$WORK/t6" --budget 3x --max-trials 2 --sample 0.3 --log-level debug \
  > "$WORK/t6.log" 2>&1 || fail "tune --sample under the floor: $(cat "$WORK/t6.log")"
grep -q "\-\-sample 0.3 RAISED to 1: .*every trial trains on the full input" "$WORK/t6.log" ||
  fail "no warning of the raised share: $(head -5 "$WORK/t6.log")"
grep -q "trial command: .* --min-count " "$WORK/t6.log" && fail "min-count scaled on the full input"
[ ! -e "$WORK/t6/sample" ] || fail "a sample file was written for a share raised to 1"
grep -q "^# --sample 0.3 was RAISED to 1" "$WORK/t6/best.ini" || fail "best.ini does not say the share was raised"
"$ITEM2VEC" tune "${common[@]}" -o "$WORK/t7" --budget 3x --max-trials 2 --sample 0.3 --sample-min-tokens 30000 \
  > "$WORK/t7.log" 2>&1 || fail "tune --sample-min-tokens 30000: $(cat "$WORK/t7.log")"
"$PY" - "$WORK/t6/trials.json" "$WORK/t7/trials.json" "$WORK/t7/sample/train.txt" <<'PYEOF' || fail "--sample-min-tokens"
import json, sys
full, half = (json.load(open(p)) for p in sys.argv[1:3])
assert full["sample"] == 1 and full["sample_requested"] == 0.3 and full["sample_raised"], full
assert full["sample_tokens"] == full["input_tokens"] == 60505 and full["sample_min_tokens"] == 300000, full
assert half["sample_raised"] and abs(half["sample"] - 30000 / 60505) < 1e-6, half
tokens = sum(len(l.split()) for l in open(sys.argv[3]))
assert tokens == half["sample_tokens"] and 0.3 * 60505 < tokens < 60505, (tokens, half)
print("floor ok:", full["sample"], half["sample"], tokens)
PYEOF

# 3. best.ini is a train config.
run_np 2 train --config "$WORK/t1/best.ini" --input "$WORK/ml/train" --output "$WORK/from_ini" --report false \
  > "$WORK/train.log" 2>&1 || fail "train --config best.ini: $(cat "$WORK/train.log")"

# 4. Refusals: the same file as valid and test; a space naming an option tune does not vary.
if "$ITEM2VEC" tune "${common[@]}" --test "$WORK/ml/valid.tsv" -o "$WORK/t3" > "$WORK/t3.log" 2>&1; then
  fail "--test = --valid was accepted"
fi
printf 'kernel = choice pair shared\n' > "$WORK/bad_space.ini"
if "$ITEM2VEC" tune -i "$WORK/ml/train" --valid "$WORK/ml/valid.tsv" --space "$WORK/bad_space.ini" -o "$WORK/t4" \
  > "$WORK/t4.log" 2>&1; then fail "a space varying --kernel was accepted"; fi
echo "PASS"
