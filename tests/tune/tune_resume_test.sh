#!/usr/bin/env bash
# A tune killed (SIGKILL) in the middle and started again with the same --output continues
# from its trial log: the logged trials are not trained again, and nothing of the killed
# run's trials is left running.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
prep_movielens_validation "$WORK/ml"
args=(tune -i "$WORK/ml/train" --valid "$WORK/ml/valid.tsv" --space "$SPACE" --launcher "$MPIRUN" --np 2
      -o "$WORK/t" --budget 40x --max-trials 10 --seed 5)

"$ITEM2VEC" "${args[@]}" > "$WORK/first.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  # header + 4 trials logged
  [ -f "$WORK/t/trials.jsonl" ] && [ "$(wc -l < "$WORK/t/trials.jsonl")" -ge 5 ] && break
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2> /dev/null || fail "tune ended before it could be killed: $(cat "$WORK/first.log")"
kill -9 "$pid"
wait "$pid" 2> /dev/null || true
logged=$(($(wc -l < "$WORK/t/trials.jsonl") - 1))
[ "$logged" -ge 4 ] || fail "only $logged trials logged"
[ ! -e "$WORK/t/trials.json" ] || fail "a killed tune wrote trials.json"
# The killed tune's trial (its launcher dies with it) must not keep training.
for _ in $(seq 1 100); do
  pgrep -f "$WORK/t/trials/" > /dev/null || break
  sleep 0.1
done
pgrep -f "$WORK/t/trials/" > /dev/null && fail "the killed tune's trial is still running"

"$ITEM2VEC" "${args[@]}" > "$WORK/second.log" 2>&1 || fail "rerun: $(cat "$WORK/second.log")"
grep -q "$logged trials came from the trial log" "$WORK/second.log" ||
  fail "the rerun did not reuse the $logged logged trials: $(grep -i 'log' "$WORK/second.log")"
"$PY" - "$WORK/t" "$logged" <<'PYEOF' || fail "trial log check"
import json, sys
d, logged = sys.argv[1], int(sys.argv[2])
lines = [json.loads(l) for l in open(f"{d}/trials.jsonl") if l.strip()][1:]
keys = [l["key"] for l in lines]
assert len(keys) == len(set(keys)), "a trial was trained twice"
t = json.load(open(f"{d}/trials.json"))["trials"]
assert [x["from_log"] for x in t[:logged]] == [True] * logged, "the logged trials were not reused"
assert not any(x["from_log"] for x in t[logged:])
assert len(t) == len(lines) == 10, (len(t), len(lines))
print("resume ok:", logged, "from the log,", len(t) - logged, "trained after")
PYEOF
echo "PASS"
