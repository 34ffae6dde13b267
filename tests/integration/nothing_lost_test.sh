#!/usr/bin/env bash
# Nothing lost, nothing half-true (issue 11): what is on disk after a failure.
#  1. Rank 0 killed while writing the model (after the vectors, before train.json, just
#     after the switch, and by a real SIGKILL once training is done): the directory holds
#     one whole model, the previous or the new one; the next run removes the debris.
#  2. A full disk (a small tmpfs this test mounts): exit 4, the previous model whole, no
#     staged directory or temporary file left.
#  3. Two jobs on one --output (or one --checkpoint-dir): the second fails at once (exit 2)
#     naming the first, which finishes with its own settings; a SIGKILLed job's lock is
#     taken over by the next.
#  4. Checkpoints stand alone: each has its own vocab.bin; damaging the newest one's
#     leaves the previous usable; all damaged -> --resume exits 3 (checkpoints kept),
#     --resume=if-possible starts afresh; --resume without any checkpoint exits 3.
#  5. Inputs: a resume given the input by a relative path continues; an edited input of
#     the same size is refused.
#  Throughout: OUTPUT/job_result holds the job's own exit code ("running" when rank 0 was
#  killed), for scripts that cannot trust mpirun's status.
source "$(dirname "$0")/lib.sh"

make_movielens_corpus "$WORK/ml.txt"
awk 'BEGIN { srand(1); for (u = 0; u < 400; u++) { l = ""; for (i = 0; i < 12; i++) l = l " s" int(rand() * 60); print l } }' \
  > "$WORK/small.txt"
small=(train --input "$WORK/small.txt" --dim 8 --epochs 1 --min-count 1 --log-level info)
big=(train --input "$WORK/ml.txt" --dim 16 --epochs 1 --log-level info)

# Checksums of every model file, read through the directory's fixed names.
snapshot() { local f; for f in vectors.txt vectors.bin output_vectors.i2v vocab.tsv train.json; do md5sum < "$1/$f"; done; }
# Unpublished model directories and temporary files in an output directory.
debris() { ls -A "$1" | grep -E '^model\.[0-9]+$|\.tmp\.[0-9]+$' | grep -vx -- "$(readlink "$1/model")" || true; }
expect_rc() {  # CODE LOG WHAT
  [ "$rc" = "$1" ] || { tail -20 "$2" >&2; fail "$3: exit $rc, expected $1"; }
}

# ---------------------------------------------------------------- 1. killed during the model write
M=$WORK/m
run_np 2 "${small[@]}" --output "$M" > "$WORK/m0.log" 2>&1 || { cat "$WORK/m0.log" >&2; fail "first model"; }
check_model "$M" 8
good=$(snapshot "$M")
for point in vectors train-json; do
  rc=0
  run_np 2 "${big[@]}" --output "$M" --debug-kill-model-write "$point" > "$WORK/kill-$point.log" 2>&1 || rc=$?
  [ "$rc" != 0 ] || fail "kill at $point: the run exited 0"
  [ "$(snapshot "$M")" = "$good" ] || fail "kill at $point: the previous model changed"
  check_model "$M" 8
  [ -n "$(debris "$M")" ] || fail "kill at $point: no staged directory left (was the kill before the write?)"
  [ "$(head -1 "$M/job_result")" = running ] || fail "kill at $point: job_result says '$(head -1 "$M/job_result")'"
  echo "ok: killed after '$point': the previous 8-dim model is whole ($(debris "$M" | tr '\n' ' ')left)"
done
run_np 2 "${big[@]}" --output "$M" > "$WORK/m1.log" 2>&1 || { tail -20 "$WORK/m1.log" >&2; fail "run after the kills"; }
grep -q "took over the lock of a job that is gone" "$WORK/m1.log" || fail "the killed job's lock was not taken over"
grep -q "removed [0-9]* unfinished file(s) of an earlier run" "$WORK/m1.log" || fail "no debris removal reported"
[ -z "$(debris "$M")" ] || fail "debris left after a good run: $(debris "$M")"
check_model "$M" 16
[ "$(ls -d "$M"/model.* | wc -l)" = 1 ] || fail "more than one model directory: $(ls "$M")"
echo "ok: the next run removed the debris and published a whole 16-dim model"
rc=0
run_np 2 "${small[@]}" --output "$M" --debug-kill-model-write published > "$WORK/kill-published.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "kill after publishing: exit 0"
check_model "$M" 8
echo "ok: killed just after the switch: the new 8-dim model is whole"
# A real SIGKILL of rank 0 as soon as training is done (during or around the write).
good=$(snapshot "$M")
run_np 2 "${big[@]}" --output "$M" > "$WORK/sigkill.log" 2>&1 &
job=$!
for _ in $(seq 1 600); do grep -qs "trained [0-9]* tokens" "$WORK/sigkill.log" && break; sleep 0.01; done
p=$(rank_pid "$M" 0)
[ -z "$p" ] || kill -KILL "$p" 2> /dev/null || true
wait "$job" || true
# The kill may land between a link's temporary and its rename (seen under load: report.html.tmp.PID):
# only temporaries of train's own names may be left, and the next run removes them.
for t in $(ls -A "$M" | grep '\.tmp\.' || true); do
  case "${t%.tmp.*}" in
    model | report.html | job_result | vectors.txt | vectors.bin | output_vectors.i2v | vocab.tsv | train.json) ;;
    *) fail "SIGKILL after 'trained': '$t' left, not a temporary of a name train writes" ;;
  esac
done
if [ "$(snapshot "$M")" = "$good" ]; then ALLOW_TEMPS=1 check_model "$M" 8; which="previous"; else ALLOW_TEMPS=1 check_model "$M" 16; which="new"; fi
echo "ok: SIGKILL after 'trained': the $which model is whole ($(debris "$M" | tr '\n' ' ')left)"
run_np 2 "${small[@]}" --output "$M" > "$WORK/after-sigkill.log" 2>&1 || { tail -20 "$WORK/after-sigkill.log" >&2; fail "run after the SIGKILL"; }
[ -z "$(debris "$M")" ] || fail "debris left after the run that followed the SIGKILL: $(debris "$M")"
check_model "$M" 8
echo "ok: the run after the SIGKILL removed its debris"

# ---------------------------------------------------------------- 2. full disk
F=$WORK/full
mkdir -p "$F"
if mount -t tmpfs -o size=400k item2vec-full "$F" 2> "$WORK/mount.err"; then
  trap 'umount "$F" 2> /dev/null || true; rm -rf "$WORK"' EXIT
  run_np 2 "${small[@]}" --output "$F/m" > "$WORK/full0.log" 2>&1 || { cat "$WORK/full0.log" >&2; fail "small model on tmpfs"; }
  good=$(snapshot "$F/m")
  rc=0
  run_np 2 "${big[@]}" --output "$F/m" > "$WORK/full1.log" 2>&1 || rc=$?
  expect_rc 4 "$WORK/full1.log" "full disk"
  grep -q "No space left on device\|disk full" "$WORK/full1.log" || fail "full disk: no clear message"
  grep -q "the previous model in '$F/m' is unchanged" "$WORK/full1.log" || fail "full disk: message does not say the model is unchanged"
  [ "$(snapshot "$F/m")" = "$good" ] || fail "full disk: the previous model changed"
  check_model "$F/m" 8
  [ -z "$(debris "$F/m")" ] || fail "full disk: left $(debris "$F/m")"
  [ "$(head -1 "$F/m/job_result")" = 4 ] || fail "full disk: job_result says '$(cat "$F/m/job_result")'"
  umount "$F"
  trap 'rm -rf "$WORK"' EXIT
  echo "ok: full disk: exit 4, the previous model whole, nothing staged left"
else
  echo "SKIP (full disk): cannot mount a tmpfs here: $(cat "$WORK/mount.err")"
fi

# ---------------------------------------------------------------- 3. two jobs, one output
T=$WORK/two
# The first job runs some seconds (60 epochs of the per-pair kernel); once it reports progress
# both its ranks are stopped (SIGSTOP) while the two refused jobs run, so it holds its lock
# however fast this machine trains, then continued (SIGCONT). Its liveness timeout is long
# enough not to count the stop as a lost peer.
long=(train --input "$WORK/ml.txt" --epochs 60 --word2vec-exact --log-level info --progress-seconds 0.3)
run_np 2 "${long[@]}" --dim 16 --output "$T" --checkpoint-dir "$WORK/shared-ck" --liveness-timeout 110 \
  > "$WORK/two1.log" 2>&1 &
job=$!
for _ in $(seq 1 600); do grep -qs "progress" "$WORK/two1.log" && break; sleep 0.05; done
first=$(rank_pid "$T" 0)
second=$(rank_pid "$T" 1)
[ -n "$first" ] && [ -n "$second" ] || fail "the first job is not running"
kill -STOP "$first" "$second"
trap 'kill -KILL "$first" "$second" 2> /dev/null; rm -rf "$WORK"' EXIT  # no stopped job left on a failure
rc=0
start=$(date +%s)
timeout 60 "$MPIRUN" -np 2 "$ITEM2VEC" train --input "$WORK/ml.txt" --dim 24 --epochs 1 --output "$T" > "$WORK/two2.log" 2>&1 || rc=$?
expect_rc 2 "$WORK/two2.log" "second job on the same output"
[ $(($(date +%s) - start)) -le 20 ] || fail "the second job did not fail at once"
grep -q "directory '$T' is in use by another job (host $(hostname) pid $first " "$WORK/two2.log" ||
  { cat "$WORK/two2.log" >&2; fail "the second job's message does not name the first"; }
# Another output but the same --checkpoint-dir: refused too (they would share checkpoints).
rc=0
timeout 60 "$MPIRUN" -np 2 "$ITEM2VEC" train --input "$WORK/ml.txt" --epochs 1 --output "$WORK/other" \
  --checkpoint-dir "$WORK/shared-ck" > "$WORK/two2b.log" 2>&1 || rc=$?
expect_rc 2 "$WORK/two2b.log" "second job on the same --checkpoint-dir"
grep -q "directory '$WORK/shared-ck' is in use by another job (host $(hostname) pid $first " "$WORK/two2b.log" ||
  { cat "$WORK/two2b.log" >&2; fail "the message does not name the first job"; }
[ ! -e "$WORK/other/vectors.bin" ] || fail "the refused job wrote a model"
kill -CONT "$first" "$second"
trap 'rm -rf "$WORK"' EXIT
rc=0
wait "$job" || rc=$?
expect_rc 0 "$WORK/two1.log" "the first job"
check_model "$T" 16
grep -q '"dim": *16' "$T/train.json" || fail "train.json is not the first job's"
[ "$(head -1 "$T/job_result")" = 0 ] || fail "the refused second job touched the first's job_result: $(cat "$T/job_result")"
[ ! -e "$T/.item2vec.lock" ] || fail "the lock file outlived its job"
echo "ok: a second job on the same output failed at once naming pid $first; the first finished"
run_np 2 "${long[@]}" --dim 16 --output "$T" > "$WORK/two3.log" 2>&1 &
job=$!
for _ in $(seq 1 600); do grep -qs "progress" "$WORK/two3.log" && break; sleep 0.05; done
for r in 0 1; do p=$(rank_pid "$T" "$r"); [ -z "$p" ] || kill -KILL "$p"; done
wait "$job" || true
grep -q "pid " "$T/.item2vec.lock" || fail "a SIGKILLed job left no lock record"
run_np 2 "${big[@]}" --output "$T" > "$WORK/two4.log" 2>&1 || { tail -20 "$WORK/two4.log" >&2; fail "run after a SIGKILLed job"; }
grep -q "took over the lock of a job that is gone" "$WORK/two4.log" || fail "no stale-lock message"
echo "ok: a SIGKILLed job's lock is taken over by the next run"

# ---------------------------------------------------------------- 4. independent checkpoints
C=$WORK/ck
ck=(train --input "$WORK/ml.txt" --dim 16 --epochs 60 --servers 1 --log-level info --checkpoint-every 0.3s)
stop_after_checkpoint 2 "$C" "$WORK/ck1.log" 3 "${ck[@]}"
newest=$(ls -d "$C"/checkpoints/ckpt-* | sort | tail -1)
previous=$(ls -d "$C"/checkpoints/ckpt-* | sort | tail -2 | head -1)
[ "$newest" != "$previous" ] || fail "expected two checkpoints, found $(ls "$C/checkpoints")"
[ "$(stat -c %h "$newest/vocab.bin")" = 1 ] && [ "$(stat -c %h "$previous/vocab.bin")" = 1 ] ||
  fail "vocab.bin is shared between checkpoints (link counts $(stat -c %h "$newest/vocab.bin"), $(stat -c %h "$previous/vocab.bin"))"
for copy in all relative edited; do cp -a "$C" "$WORK/ck-$copy"; done
size=$(stat -c %s "$newest/vocab.bin")
printf '\x5a' | dd of="$newest/vocab.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$newest/vocab.bin" "$WORK/ck-all/checkpoints/$(basename "$newest")/vocab.bin" && fail "the damage did not land"
cmp -s "$previous/vocab.bin" "$WORK/ck-all/checkpoints/$(basename "$previous")/vocab.bin" ||
  fail "damaging the newest vocab.bin changed the previous checkpoint's"
run_np 2 "${ck[@]}" --output "$C" --resume > "$WORK/ck2.log" 2>&1 || { tail -20 "$WORK/ck2.log" >&2; fail "resume after a damaged vocab.bin"; }
grep -qE "skipping damaged checkpoint .*$(basename "$newest").*vocab.bin" "$WORK/ck2.log" || fail "the damaged vocab.bin was not named"
grep -q "continuing from checkpoint .*$(basename "$previous").*1 newer damaged checkpoint(s) skipped" "$WORK/ck2.log" ||
  fail "did not resume from $(basename "$previous") saying why"
check_model "$C" 16
echo "ok: a damaged vocab.bin spoils only its own checkpoint; resumed from $(basename "$previous")"
A=$WORK/ck-all
for d in "$A"/checkpoints/ckpt-*; do
  printf '\x5a' | dd of="$d/vocab.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
done
rc=0
run_np 2 "${ck[@]}" --output "$A" --resume > "$WORK/ck3.log" 2>&1 || rc=$?
expect_rc 3 "$WORK/ck3.log" "--resume with every checkpoint damaged"
grep -q "every checkpoint in $A/checkpoints is damaged (2 skipped" "$WORK/ck3.log" || fail "no clear message when every checkpoint is damaged"
grep -q -- "--resume=if-possible" "$WORK/ck3.log" || fail "the message does not say how to start afresh"
[ "$(ls -d "$A"/checkpoints/ckpt-* | wc -l)" = 2 ] || fail "a refused resume removed checkpoints"
[ ! -e "$A/vectors.bin" ] || fail "a refused resume wrote a model"
[ "$(head -1 "$A/job_result")" = 3 ] || fail "job_result of the refused resume says '$(cat "$A/job_result")'"
run_np 2 "${ck[@]}" --output "$A" --resume=if-possible > "$WORK/ck4.log" 2>&1 || { tail -20 "$WORK/ck4.log" >&2; fail "--resume=if-possible"; }
grep -q "starting from the beginning (the damaged ones are removed)" "$WORK/ck4.log" || fail "--resume=if-possible did not say it starts afresh"
check_model "$A" 16
rc=0
run_np 2 "${big[@]}" --output "$WORK/none" --resume > "$WORK/ck5.log" 2>&1 || rc=$?
expect_rc 3 "$WORK/ck5.log" "--resume without any checkpoint"
grep -q "there is no complete checkpoint in $WORK/none/checkpoints" "$WORK/ck5.log" || fail "no clear message without checkpoints"
[ ! -e "$WORK/none/vectors.bin" ] || fail "a refused resume wrote a model"
echo "ok: --resume with no usable checkpoint exits 3 (checkpoints kept); --resume=if-possible starts afresh"

# ---------------------------------------------------------------- 5. relative and edited inputs
(cd "$WORK" && "$MPIRUN" -np 2 "$ITEM2VEC" train --input ml.txt --dim 16 --epochs 60 --servers 1 --log-level info \
   --output "$WORK/ck-relative" --resume) > "$WORK/rel.log" 2>&1 || { tail -20 "$WORK/rel.log" >&2; fail "resume with a relative input path"; }
grep -q "continuing from checkpoint" "$WORK/rel.log" || fail "the relative path was not taken for the same input"
check_model "$WORK/ck-relative" 16
first_char=$(head -c 1 "$WORK/ml.txt")
printf '%s' "$([ "$first_char" = 9 ] && echo 8 || echo 9)" | dd of="$WORK/ml.txt" bs=1 seek=0 conv=notrunc status=none
rc=0
run_np 2 "${ck[@]}" --output "$WORK/ck-edited" --resume > "$WORK/edit.log" 2>&1 || rc=$?
expect_rc 2 "$WORK/edit.log" "resume on an edited input"
grep -q "the input changed since checkpoint .*ml.txt has the same size but other content" "$WORK/edit.log" ||
  { cat "$WORK/edit.log" >&2; fail "no clear message for an edited input"; }
echo "ok: a relative input path resumes; an edited input of the same size is refused"
