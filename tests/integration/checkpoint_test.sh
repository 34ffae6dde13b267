#!/usr/bin/env bash
# Checkpoint and resume (issue: nightly refresh that survives failures).
#  1. SIGTERM (what Slurm sends at the time limit) to the ranks: a checkpoint, exit 75;
#     --resume, here on a different server count, finishes with vectors byte-identical to
#     an uninterrupted run (--deterministic).
#  2. A corrupted newest checkpoint is named in the log and the one before it is used;
#     the result is still byte-identical.
#  3. Periodic checkpoints, then a worker and (separately) a server killed with SIGKILL
#     mid-training: the job ends within 30 s; --resume finishes, with neighbour precision
#     within 0.03 of an uninterrupted run. A resume on another worker count also finishes.
# Usage: checkpoint_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1


# ---------------------------------------------------------------- 1. SIGTERM, exact resume
make_movielens_corpus "$WORK/seqs.txt"
det=(train --input "$WORK/seqs.txt" --dim 16 --epochs 60 --deterministic --log-level info --progress-seconds 0.5)
run_np 3 "${det[@]}" --servers 2 --output "$WORK/ref" > "$WORK/ref.log" 2>&1 || fail "reference run failed"

stop_by_sigterm 3 "$WORK/term" "$WORK/term1.log" "${det[@]}" --servers 2
ls "$WORK"/term/checkpoints/ckpt-*/MANIFEST > /dev/null 2>&1 || fail "SIGTERM left no complete checkpoint"
[ -e "$WORK/term/vectors.bin" ] && fail "a stopped run wrote vectors.bin"
grep -q "stopped after saving a checkpoint" "$WORK/term1.log" || fail "no stop message"
# Resume on 1 server instead of 2: the servers re-partition the matrices.
run_np 2 "${det[@]}" --servers 1 --output "$WORK/term" --resume > "$WORK/term2.log" 2>&1 ||
  { tail -20 "$WORK/term2.log" >&2; fail "resume after SIGTERM failed"; }
grep -q "continuing from checkpoint" "$WORK/term2.log" || fail "the resumed run did not use the checkpoint"
cmp -s "$WORK/ref/vectors.bin" "$WORK/term/vectors.bin" ||
  fail "resumed vectors differ from the uninterrupted run's (deterministic mode)"
[ -e "$WORK/term/checkpoints" ] && [ -n "$(ls "$WORK/term/checkpoints")" ] && fail "checkpoints left after the model was written"
check_model "$WORK/term" 16
echo "ok: SIGTERM -> checkpoint, exit 75; resume on another server count is byte-identical"

# ---------------------------------------------------------------- 2. corrupted checkpoint
stop_after_checkpoint 3 "$WORK/bad" "$WORK/bad1.log" 3 "${det[@]}" --servers 2 --checkpoint-every 0.3s
newest=$(ls -d "$WORK"/bad/checkpoints/ckpt-* | sort | tail -1)
previous=$(ls -d "$WORK"/bad/checkpoints/ckpt-* | sort | tail -2 | head -1)
[ "$newest" != "$previous" ] || fail "expected two checkpoints kept, found $(ls "$WORK"/bad/checkpoints)"
[ "$(ls -d "$WORK"/bad/checkpoints/ckpt-* | wc -l)" = 2 ] || fail "more than 2 checkpoints kept: $(ls "$WORK"/bad/checkpoints)"
# Flip every bit of the middle byte (writing a fixed byte left the file intact whenever the
# byte already had that value, about one run in 256).
size=$(stat -c %s "$newest/server-1.bin")
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$newest/server-1.bin" | tr -d ' ')
printf "\\x$(printf %02x $((byte ^ 255)))" | dd of="$newest/server-1.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
run_np 3 "${det[@]}" --servers 2 --output "$WORK/bad" --resume > "$WORK/bad2.log" 2>&1 ||
  { tail -20 "$WORK/bad2.log" >&2; fail "resume with a corrupted newest checkpoint failed"; }
grep -qE "skipping damaged checkpoint .*$(basename "$newest").*server-1.bin.*(checksum|corrupted)" "$WORK/bad2.log" ||
  { grep -i checkpoint "$WORK/bad2.log" >&2; fail "the corrupted file was not named"; }
grep -q "continuing from checkpoint .*$(basename "$previous")" "$WORK/bad2.log" || fail "did not fall back to $(basename "$previous")"
cmp -s "$WORK/ref/vectors.bin" "$WORK/bad/vectors.bin" || fail "vectors after the fallback differ from the uninterrupted run's"
echo "ok: corrupted $(basename "$newest")/server-1.bin detected; resumed from $(basename "$previous"), byte-identical"

# A resume with other settings is refused with the option named.
run_np 3 "${det[@]}" --servers 2 --output "$WORK/term2" > /dev/null 2>&1 &
job=$!
for _ in $(seq 1 300); do p=$(rank_pid "$WORK/term2" 0); [ -n "$p" ] && break; sleep 0.05; done
sleep 1
sigterm_ranks "$WORK/term2" 3
wait "$job" || true
if run_np 3 train --input "$WORK/seqs.txt" --dim 24 --epochs 60 --deterministic --servers 2 --output "$WORK/term2" --resume > "$WORK/mismatch.log" 2>&1; then
  fail "resume with another --dim was accepted"
fi
grep -q -- "--dim 16 then, 24 now" "$WORK/mismatch.log" || { cat "$WORK/mismatch.log" >&2; fail "no clear message for a settings mismatch"; }
echo "ok: resume with another --dim refused"

# ---------------------------------------------------------------- 3. SIGKILL and resume
"$gen" --output "$WORK/corpus" --tokens 1500k --items 5k --clusters 250 --noise 0.5 --seed 3 > /dev/null
precision() { cluster_precision "$WORK/corpus" "$1"; }
fast=(train --input "$WORK/corpus/parts" --dim 48 --epochs 3 --kernel hogbatch --negative-pool 1024 --log-level info
      --peer-timeout 10 --checkpoint-every 1s)
run_np 3 "${fast[@]}" --servers 1 --output "$WORK/whole" > "$WORK/whole.log" 2>&1 || fail "uninterrupted run failed"
p_ref=$(precision "$WORK/whole")

# kill_and_resume NAME RANK: SIGKILL rank RANK of a 3-rank job (ranks 0, 1 workers; 2 the
# server) after its second checkpoint, then resume with the same layout.
kill_and_resume() {
  local name=$1 victim=$2 rc=0
  run_np 3 "${fast[@]}" --servers 1 --output "$WORK/$name" > "$WORK/$name.log" 2>&1 &
  local job=$!
  wait_for_checkpoint "$WORK/$name" 2
  local pid start=$SECONDS
  pid=$(rank_pid "$WORK/$name" "$victim")
  [ -n "$pid" ] || fail "$name: rank $victim not found"
  kill -9 "$pid"
  timeout 60 tail --pid="$job" -f /dev/null || fail "$name: job still running 60 s after rank $victim was killed"
  wait "$job" || rc=$?
  local took=$((SECONDS - start))
  [ "$rc" != 0 ] || fail "$name: job exited 0 after rank $victim was killed"
  [ "$took" -le 30 ] || fail "$name: took $took s to end after rank $victim died"
  [ -e "$WORK/$name/vectors.bin" ] && fail "$name: a failed job wrote vectors.bin"
  run_np 3 "${fast[@]}" --servers 1 --output "$WORK/$name" --resume > "$WORK/$name-resume.log" 2>&1 ||
    { tail -20 "$WORK/$name-resume.log" >&2; fail "$name: resume failed"; }
  grep -q "continuing from checkpoint" "$WORK/$name-resume.log" || fail "$name: the resume did not use a checkpoint"
  local p
  p=$(precision "$WORK/$name")
  awk -v r="$p_ref" -v x="$p" 'BEGIN { exit !(x - r > -0.03) }' ||
    fail "$name: P@10 $p after kill and resume, uninterrupted $p_ref"
  echo "ok: rank $victim killed -> job ended (exit $rc) after ${took}s; resumed, P@10 $p (uninterrupted $p_ref)"
}
kill_and_resume killworker 1
kill_and_resume killserver 2

# Resume on another worker count: stop a 3-rank job, resume on 4 ranks (3 workers).
stop_after_checkpoint 3 "$WORK/relayout" "$WORK/relayout1.log" 2 "${fast[@]}" --servers 1
run_np 4 "${fast[@]}" --servers 1 --output "$WORK/relayout" --resume > "$WORK/relayout2.log" 2>&1 ||
  { tail -20 "$WORK/relayout2.log" >&2; fail "resume on 3 workers failed"; }
grep -q "the checkpoint had 2 workers, this run 3" "$WORK/relayout2.log" || fail "no note on the changed worker count"
p=$(precision "$WORK/relayout")
awk -v r="$p_ref" -v x="$p" 'BEGIN { exit !(x - r > -0.03) }' || fail "relayout: P@10 $p, uninterrupted $p_ref"
echo "ok: resumed 2 workers' checkpoint on 3 workers, P@10 $p (uninterrupted $p_ref)"
