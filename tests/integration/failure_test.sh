#!/usr/bin/env bash
# A failed rank ends the whole job within seconds with a message naming the cause:
# a worker or a server killed (SIGKILL, from inside via --debug-fault and from outside),
# a hung server, a lossy link, an exception (a bug) on one rank, which the command's
# catch-all turns into a message and exit code 1 (common/command.h). Each case is bounded
# by `timeout`; a hang fails the test.
source "$(dirname "$0")/lib.sh"
make_movielens_corpus "$WORK/seqs.txt"
args=(train --input "$WORK/seqs.txt" --epochs 50 --dim 32 --peer-timeout 3)

# fault NP FAULT PATTERN MAX_SECONDS
fault() {
  local np=$1 spec=$2 pattern=$3 max=$4 rc=0
  local start=$SECONDS
  timeout 90 "$MPIRUN" -np "$np" "$ITEM2VEC" "${args[@]}" --output "$WORK/model" --debug-fault "$spec" > "$WORK/log.txt" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  last_rc=$rc
  [ "$rc" != 124 ] || fail "$spec: job hung"
  [ "$rc" != 0 ] || fail "$spec: job succeeded despite the fault"
  grep -qE "$pattern" "$WORK/log.txt" || { tail -20 "$WORK/log.txt" >&2; fail "$spec: no message matching '$pattern'"; }
  [ "$took" -le "$max" ] || fail "$spec: took $took s to end, limit $max s"
  [ -e "$WORK/model/vectors.bin" ] && fail "$spec: a failed job wrote vectors.bin"
  echo "ok: $spec -> exit $rc after ${took}s"
}
fault 3 1:kill:40 "rank 1 .*exited on signal 9" 30
fault 3 2:kill:40 "rank 2 .*exited on signal 9" 30
fault 3 2:hang:40 "(pull|push) of batch [0-9]+ (from|to) server rank 2: no answer within 3 s" 30
fault 3 1:hang:40 "worker rank 1 on host .* sent (nothing|a push header)|worker rank 1 sent no progress for 3 s|rank 1 sent a push header but not all of its push within 3 s|server heard from no worker" 60
fault 3 2:drop:40 "no answer within 3 s" 30
fault 3 1:throw:40 "item2vec train: unexpected error on rank 1: --debug-fault: rank 1 throws" 30
[ "$last_rc" = 1 ] || fail "1:throw:40: exit code $last_rc, want 1 (the catch-all's)"

# Killed from outside, mid-training: find rank 1 by its unique output path.
rc=0
start=$SECONDS
"$MPIRUN" -np 3 "$ITEM2VEC" "${args[@]}" --output "$WORK/ext" > "$WORK/ext.log" 2>&1 &
job=$!
for _ in $(seq 1 100); do
  pid=$(pgrep -f -- "--output $WORK/ext" | while read -r p; do
    tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && echo "$p"; done | head -1 || true)
  [ -n "$pid" ] && grep -q "vocabulary:" "$WORK/ext.log" && break
  sleep 0.1
done
[ -n "$pid" ] || fail "could not find rank 1"
kill -9 "$pid"
timeout 60 tail --pid="$job" -f /dev/null || fail "job still running 60 s after rank 1 was killed"
wait "$job" || rc=$?
[ "$rc" != 0 ] || fail "job exited 0 after rank 1 was killed"
echo "ok: external SIGKILL of rank 1 ended the job (exit $rc) after $((SECONDS - start))s"
