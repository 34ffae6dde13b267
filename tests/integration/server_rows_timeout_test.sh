#!/usr/bin/env bash
# The workers' wait for the servers' rows (job/rows_ready.h) is bounded: a server that hangs
# before laying out its rows (--debug-delay-server-rows 60, far beyond --peer-timeout 5)
# ends the job in seconds with exit code 5 (a timeout) and a message naming that server's
# rank and what to do. Before the bound the workers waited at an MPI barrier until the
# server woke (or for ever). Then a delay shorter than --peer-timeout trains normally.
source "$(dirname "$0")/lib.sh"
make_movielens_corpus "$WORK/seqs.txt"
args=(train --input "$WORK/seqs.txt" --dim 8 --epochs 1 --servers 2 --log-level warn)
rc=0
start=$(date +%s)
timeout 50 "$MPIRUN" -np 4 "$ITEM2VEC" "${args[@]}" --output "$WORK/hung" --peer-timeout 5 \
  --debug-delay-server-rows 60 > "$WORK/log.txt" 2>&1 || rc=$?
took=$(( $(date +%s) - start ))
cat "$WORK/log.txt" | tail -n 5
[ "$rc" = 5 ] || fail "a server hung before its rows: exit code $rc after $took s, want 5 (timeout)"
grep -Eq "server rank [23] .*has not laid out its rows within 5 s \(--peer-timeout\)" "$WORK/log.txt" ||
  fail "the error does not name the server rank and the timeout"
grep -q "raise --peer-timeout" "$WORK/log.txt" || fail "the error does not say what to do"
echo "ok: the hung server ended the job in $took s with exit 5"
run_np 4 "${args[@]}" --output "$WORK/slow" --peer-timeout 30 --debug-delay-server-rows 2 ||
  fail "servers 2 s slow to lay out their rows failed the job"
[ -s "$WORK/slow/vectors.txt" ] || fail "no model after a slow but live start"
echo "ok: a slow start within --peer-timeout trains"
