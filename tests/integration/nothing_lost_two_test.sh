#!/usr/bin/env bash
# Nothing lost, part two (issue 26): the train-side cases, each checking what is on disk
# and what the job said.
#  1. --output holding the user's files: a plain file named model is refused (exit 2) and
#     left as it was; model.2023/ and report.tmp.123 are not "debris" of an earlier run.
#  2. A killed prep or walk leaves part-*.tmp.PID: train never reads it (the data is not
#     doubled), and the next prep / walk removes it.
#  3. --output that is an input, inside one or holding one, and one input given twice:
#     refused (exit 2) before anything is read.
#  4. Items longer than 4096 bytes: skipped whole (never cut and merged), warned, counted
#     as long_items in train.json.
#  5. An input truncated while the job trains ends it with exit 3 naming the file; a
#     deleted input too (3, not the output code 4).
#  6. A checkpoint taken after a worker finished its shard holds that worker's state, so
#     --resume continues from it (it failed: "cannot open .../worker-1.bin", exit 3).
#  7. SIGUSR1 while the vocabulary is counted: exit 75 in well under the counting time.
#  8. A server rank that ends the job records its exit code in job_result (it stayed
#     "running").
#  9. Training that makes no pair warns, and fails under --strict (exit 3, no model).
# Usage: nothing_lost_two_test.sh GEN_CORPUS
source "$(dirname "$0")/lib.sh"
GEN=$1

make_movielens_corpus "$WORK/ml.txt"
awk 'BEGIN { srand(1); for (u = 0; u < 400; u++) { l = ""; for (i = 0; i < 12; i++) l = l " s" int(rand() * 60); print l } }' \
  > "$WORK/small.txt"
small=(train --input "$WORK/small.txt" --dim 8 --epochs 1 --min-count 1 --log-level info)
expect_rc() {  # CODE LOG WHAT
  [ "$rc" = "$1" ] || { tail -20 "$2" >&2; fail "$3: exit $rc, expected $1"; }
}
json_int() { grep -o "\"$2\": *[0-9-]*" "$1" | head -1 | sed 's/.*: *//'; }

# ---------------------------------------------------------------- 1. the user's files in --output
U=$WORK/mine
mkdir -p "$U/model.2023"
echo "the user's notes" > "$U/model.2023/notes"
echo "the user's report" > "$U/report.tmp.123"
echo "the user's plain file" > "$U/model"
rc=0
run_np 2 "${small[@]}" --output "$U" > "$WORK/u1.log" 2>&1 || rc=$?
expect_rc 2 "$WORK/u1.log" "a plain file named model in --output"
grep -q "'$U/model' is not the link to a model" "$WORK/u1.log" || { cat "$WORK/u1.log" >&2; fail "the refusal does not name $U/model"; }
[ "$(cat "$U/model")" = "the user's plain file" ] || fail "the user's file named model was changed"
rm "$U/model"
run_np 2 "${small[@]}" --output "$U" > "$WORK/u2.log" 2>&1 || { tail -20 "$WORK/u2.log" >&2; fail "train beside the user's files"; }
check_model "$U/model" 8   # (the user's report.tmp.123 is beside it)
[ "$(cat "$U/model.2023/notes")" = "the user's notes" ] || fail "the user's model.2023/ was removed"
[ "$(cat "$U/report.tmp.123")" = "the user's report" ] || fail "the user's report.tmp.123 was removed"
grep -q "unfinished file" "$WORK/u2.log" && fail "the user's files were taken for an earlier run's"
# What a killed train leaves is still removed by the next one.
rc=0
run_np 2 "${small[@]}" --output "$U" --debug-kill-model-write vectors > "$WORK/u3.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "the run killed while writing exited 0"
run_np 2 "${small[@]}" --output "$U" > "$WORK/u4.log" 2>&1 || { tail -20 "$WORK/u4.log" >&2; fail "the run after the kill"; }
grep -q "removed [1-9][0-9]* unfinished file(s) of an earlier run" "$WORK/u4.log" || fail "the killed run's staging was not removed"
[ "$(ls -d "$U"/model.[0-9]* | wc -l)" = 2 ] || fail "expected the published model and model.2023: $(ls "$U")"
echo "ok: train refuses to replace the user's 'model', leaves model.2023/ and report.tmp.123, removes its own debris"

# ---------------------------------------------------------------- 2. a killed prep or walk
"$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/p" --user-col userId \
  --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last > "$WORK/p1.log" 2>&1
cp "$WORK/p/train/part-00000" "$WORK/p/train/part-00000.tmp.99999"   # as a prep killed mid-write leaves it
run_np 2 train --input "$WORK/p/train" --output "$WORK/pm" --dim 8 --epochs 1 > "$WORK/pm.log" 2>&1 ||
  { tail -20 "$WORK/pm.log" >&2; fail "train on prep's output"; }
tokens=$(wc -w < "$WORK/p/train/part-00000")
[ "$(json_int "$WORK/pm/train.json" tokens_seen)" = "$tokens" ] ||
  fail "train read $(json_int "$WORK/pm/train.json" tokens_seen) tokens, the part file holds $tokens"
grep -q "skipped 1 temporary file" "$WORK/pm.log" || fail "the skipped temporary file is not reported"
"$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/p" --user-col userId \
  --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last > "$WORK/p2.log" 2>&1
[ ! -e "$WORK/p/train/part-00000.tmp.99999" ] || fail "the next prep left the killed one's part-00000.tmp.99999"
"$ITEM2VEC" walk -i "$WORK/p/train" -o "$WORK/w" --walks-per-item 1 --log-level warn
cp "$WORK/w/part-00000" "$WORK/w/part-00000.tmp.99999"
"$ITEM2VEC" walk -i "$WORK/p/train" -o "$WORK/w" --walks-per-item 1 --log-level warn
[ ! -e "$WORK/w/part-00000.tmp.99999" ] || fail "the next walk left the killed one's part-00000.tmp.99999"
echo "ok: train read $tokens tokens, not the killed writer's copy; prep and walk remove their own debris"

# ---------------------------------------------------------------- 3. output vs input, an input twice
mkdir -p "$WORK/d"
cp "$WORK/small.txt" "$WORK/d/part-00000"
for args in "--input $WORK/d --output $WORK/d" "--input $WORK/d --output $WORK/d/model" \
            "--input $WORK/d/part-00000 --output $WORK/d" "--input $WORK/d --input $WORK/d/../d/part-00000 --output $WORK/o2"; do
  rc=0
  # shellcheck disable=SC2086
  run_np 2 train $args --dim 8 --epochs 1 --min-count 1 > "$WORK/io.log" 2>&1 || rc=$?
  expect_rc 2 "$WORK/io.log" "train $args"
  grep -q "would read\|given twice" "$WORK/io.log" || { cat "$WORK/io.log" >&2; fail "train $args: no reason given"; }
done
[ "$(ls "$WORK/d")" = part-00000 ] || fail "a refused run wrote into the input directory: $(ls "$WORK/d")"
echo "ok: an output inside an input (or the reverse) and an input given twice are refused"

# ---------------------------------------------------------------- 4. items longer than 4096 bytes
prefix=$(head -c 4096 /dev/zero | tr '\0' 'x')
{
  for i in $(seq 1 200); do echo "a$((i % 7)) b$((i % 5)) c$((i % 3))"; done
  for k in 1 2 3 4 5; do
    for _ in $(seq 1 10); do echo "a1 ${prefix}-long-item-$k b2"; done
  done
} > "$WORK/long.txt"
run_np 2 train --input "$WORK/long.txt" --output "$WORK/long" --dim 8 --epochs 1 --min-count 5 > "$WORK/long.log" 2>&1 ||
  { tail -20 "$WORK/long.log" >&2; fail "train with long items"; }
awk -F'\t' 'length($1) > 4096 { bad++ } length($1) >= 4096 { long++ } END { exit (bad + long) > 0 }' "$WORK/long/vocab.tsv" ||
  fail "an item of 4096 bytes or more is in the vocabulary (cut and merged?)"
[ "$(json_int "$WORK/long/train.json" long_items)" = 50 ] || fail "long_items is '$(json_int "$WORK/long/train.json" long_items)', expected 50"
grep -q "skipped 50 occurrence(s) of items longer than 4096 bytes" "$WORK/long.log" || fail "long items not warned"
echo "ok: 50 long items skipped, warned and counted, none cut into the vocabulary"

# ---------------------------------------------------------------- 5. input truncated or deleted while training
for what in truncate delete; do
  cp "$WORK/ml.txt" "$WORK/ml-$what.txt"
  rc=0
  run_np 2 train --input "$WORK/ml-$what.txt" --output "$WORK/t-$what" --dim 8 --epochs 500 --id-cache 0 \
    --word2vec-exact --progress-seconds 0.2 > "$WORK/t-$what.log" 2>&1 &
  job=$!
  for _ in $(seq 1 600); do grep -qs "progress" "$WORK/t-$what.log" && break; sleep 0.05; done
  if [ "$what" = truncate ]; then truncate -s $(($(stat -c %s "$WORK/ml.txt") * 42 / 100)) "$WORK/ml-$what.txt"
  else rm "$WORK/ml-$what.txt"; fi
  wait $job || rc=$?
  expect_rc 3 "$WORK/t-$what.log" "input ${what}d while training"
  if [ "$what" = truncate ]; then pattern="ml-truncate.txt' shrank while being read"; else pattern="ml-delete.txt' does not exist (any more)"; fi
  grep -q "$pattern" "$WORK/t-$what.log" || { tail -20 "$WORK/t-$what.log" >&2; fail "input ${what}d: no '$pattern'"; }
  [ "$(head -1 "$WORK/t-$what/job_result")" = 3 ] || fail "input ${what}d: job_result says $(head -1 "$WORK/t-$what/job_result")"
  [ ! -e "$WORK/t-$what/vectors.bin" ] || fail "input ${what}d: a model was written"
done
echo "ok: an input truncated or deleted while training ends the job with exit 3 naming it"

# ---------------------------------------------------------------- 6. a checkpoint after a worker finished
# The first half of the bytes holds worker 0's frequent items; the second half only items
# seen once (below --min-count), so worker 1 trains nothing and finishes at once: every
# epoch-end checkpoint of worker 0 comes after it.
{
  awk 'BEGIN { srand(3); for (l = 0; l < 3000; l++) { s = ""; for (i = 0; i < 20; i++) s = s " f" int(rand() * 200); print s } }'
  awk 'BEGIN { for (l = 0; l < 3000; l++) { s = ""; for (i = 0; i < 20; i++) s = s " once" l "_" i; print s } }'
} > "$WORK/skew.txt"
C=$WORK/ck
ck=(train --input "$WORK/skew.txt" --output "$C" --dim 8 --epochs 4 --servers 1 --checkpoint-every 1h --log-level info)
rc=0
# With worker 1 already gone (it finished), Open MPI's mpirun at times does not end the job
# once rank 0 is killed: bounded here, and the ranks it left are ended by hand.
timeout -k 5 60 "$MPIRUN" -np 3 "$ITEM2VEC" "${ck[@]}" --debug-kill-model-write vectors > "$WORK/ck1.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "the run killed while writing its model exited 0"
for r in 1 2; do p=$(rank_pid "$C" "$r"); [ -z "$p" ] || kill -KILL "$p" 2> /dev/null || true; done
ls "$C"/checkpoints/ckpt-*/MANIFEST > /dev/null 2>&1 || { tail -20 "$WORK/ck1.log" >&2; fail "no complete checkpoint was kept"; }
for m in "$C"/checkpoints/ckpt-*/MANIFEST; do
  [ -e "$(dirname "$m")/worker-1.bin" ] || fail "$(dirname "$m") is marked complete without worker-1.bin"
done
timeout -k 5 120 "$MPIRUN" -np 3 "$ITEM2VEC" "${ck[@]}" --resume > "$WORK/ck2.log" 2>&1 ||
  { tail -20 "$WORK/ck2.log" >&2; fail "--resume from the newest checkpoint"; }
grep -q "continuing from checkpoint" "$WORK/ck2.log" || fail "the resumed run did not continue from a checkpoint"
check_model "$C" 8
echo "ok: checkpoints taken after worker 1 finished hold its state; --resume continues from the newest"

# ---------------------------------------------------------------- 7. SIGUSR1 while counting
# Large enough that counting (now spread over the workers, in the compact counting table: about
# 2 s for 20M tokens on 2 cores) takes well over the time an MPI job needs to end at all (1 s).
"$GEN" --output "$WORK/big" --tokens 60M --items 1500000 --parts 1 --seed 5 > /dev/null
start=$(date +%s.%N)
run_np 3 train --input "$WORK/big/parts" --output "$WORK/dry" --dry-run --servers 1 > "$WORK/dry.log" 2>&1 ||
  { tail -20 "$WORK/dry.log" >&2; fail "--dry-run"; }
count_seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
rc=0
"$MPIRUN" -np 3 "$ITEM2VEC" train --input "$WORK/big/parts" --output "$WORK/stop" --servers 1 --log-level info \
  > "$WORK/stop.log" 2>&1 &
job=$!
for _ in $(seq 1 600); do grep -qs "input file(s)" "$WORK/stop.log" && break; sleep 0.01; done
signal_at=$(date +%s.%N)
kill -USR1 $job
wait $job || rc=$?
after=$(awk -v a="$signal_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
expect_rc 75 "$WORK/stop.log" "SIGUSR1 while counting"
grep -q "while counting items" "$WORK/stop.log" || { tail "$WORK/stop.log" >&2; fail "the stop was not acted on while counting"; }
[ "$(head -1 "$WORK/stop/job_result")" = 75 ] || fail "job_result says $(cat "$WORK/stop/job_result")"
awk -v a="$after" -v c="$count_seconds" 'BEGIN { exit !(a < c / 2) }' ||
  fail "the job ended ${after}s after SIGUSR1; counting takes ${count_seconds}s: the stop waited for the count"
echo "ok: SIGUSR1 while counting: exit 75 after ${after}s (counting takes ${count_seconds}s)"

# ---------------------------------------------------------------- 8. a server ends the job
cp -rL "$U/model" "$WORK/prev"   # the model of section 1, its files resolved
python3 - "$WORK/prev/output_vectors.i2v" <<'PYEOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x10   # a damaged row: only the server streaming the rows sees it
open(p, 'wb').write(bytes(b))
PYEOF
rc=0
run_np 2 train --input "$WORK/small.txt" --output "$WORK/warm" --dim 8 --epochs 1 --min-count 1 \
  --init-from "$WORK/prev" > "$WORK/warm.log" 2>&1 || rc=$?
expect_rc 3 "$WORK/warm.log" "a damaged previous model"
grep -q "server\].*output_vectors.i2v" "$WORK/warm.log" || { tail "$WORK/warm.log" >&2; fail "the server did not report the damage"; }
[ "$(head -1 "$WORK/warm/job_result")" = 3 ] || fail "job_result says '$(cat "$WORK/warm/job_result")' after a server ended the job"
grep -q "^rank 1: .*output_vectors.i2v" "$WORK/warm/job_result" || fail "job_result does not say which rank: $(cat "$WORK/warm/job_result")"
echo "ok: a server that ends the job records exit 3 in job_result"

# ---------------------------------------------------------------- 9. no pair at all
for i in $(seq 1 100); do echo "only$((i % 5))"; done > "$WORK/single.txt"
run_np 2 train --input "$WORK/single.txt" --output "$WORK/np" --dim 8 --epochs 1 --min-count 1 > "$WORK/np.log" 2>&1 ||
  { tail -20 "$WORK/np.log" >&2; fail "training on one-item lines"; }
grep -q "training made no pair" "$WORK/np.log" || fail "no warning that training made no pair"
rc=0
run_np 2 train --input "$WORK/single.txt" --output "$WORK/np2" --dim 8 --epochs 1 --min-count 1 --strict > "$WORK/np2.log" 2>&1 || rc=$?
expect_rc 3 "$WORK/np2.log" "--strict with no pair"
[ ! -e "$WORK/np2/vectors.bin" ] || fail "--strict wrote a model of random vectors"
[ "$(head -1 "$WORK/np2/job_result")" = 3 ] || fail "--strict: job_result says $(head -1 "$WORK/np2/job_result")"
echo "ok: no pair: a warning, and exit 3 with no model under --strict"
echo PASS
