#!/usr/bin/env bash
# Every bad input ends the job with a clear message, the documented exit code, no
# half-written output, and no hang (each run is bounded by `timeout`).
source "$(dirname "$0")/lib.sh"

# expect CODE PATTERN NP ARGS...: the run exits with CODE and stderr matches PATTERN.
expect() {
  local code=$1 pattern=$2 np=$3; shift 3
  local rc=0
  timeout 60 "$MPIRUN" -np "$np" "$ITEM2VEC" "$@" > "$WORK/out.txt" 2>&1 || rc=$?
  [ "$rc" != 124 ] || fail "hung (killed after 60 s): $*"
  [ "$rc" = "$code" ] || { cat "$WORK/out.txt" >&2; fail "exit $rc, expected $code: $*"; }
  grep -qE -- "$pattern" "$WORK/out.txt" || { cat "$WORK/out.txt" >&2; fail "message lacks '$pattern': $*"; }
  echo "ok: exit $code, '$pattern'"
}

printf 'a b c\nb c d\n' > "$WORK/small.txt"
: > "$WORK/empty.txt"
mkdir -p "$WORK/emptydir"
printf '\n  \n\t\n' > "$WORK/blank.txt"
touch "$WORK/afile"
out=(--output "$WORK/model")

expect 3 "input '$WORK/missing.txt' does not exist" 2 train --input "$WORK/missing.txt" "${out[@]}"
expect 3 "holds no items" 2 train --input "$WORK/empty.txt" "${out[@]}"
expect 3 "holds no items" 2 train --input "$WORK/blank.txt" "${out[@]}"
mkdir -p "$WORK/emptydir/day1"
expect 3 "input directory '$WORK/emptydir' holds no files to read: subfolders are not read \(1 here" 2 train --input "$WORK/emptydir" "${out[@]}"
expect 3 "vocabulary is empty after --min-count 5" 2 train --input "$WORK/small.txt" "${out[@]}"
expect 2 "--dim must be in 1..100000, got 0" 2 train --input "$WORK/small.txt" "${out[@]}" --dim 0
expect 2 "--window must be" 2 train --input "$WORK/small.txt" "${out[@]}" --window -1
expect 2 "--servers 2 leaves no worker among 2 ranks" 2 train --input "$WORK/small.txt" "${out[@]}" --servers 2
expect 2 "needs at least 2 MPI ranks" 1 train --input "$WORK/small.txt" "${out[@]}"
expect 2 "unrecognised option '--no-such-option'" 2 train --input "$WORK/small.txt" "${out[@]}" --no-such-option 1
expect 2 "--input is required" 2 train "${out[@]}"
expect 2 "the argument \('abc'\) for option '--dim' is invalid" 2 train --input "$WORK/small.txt" "${out[@]}" --dim abc
expect 3 "cannot open config file" 2 train --input "$WORK/small.txt" "${out[@]}" --config "$WORK/nope.ini"
expect 4 "cannot create output directory '$WORK/afile/model'" 2 train --input "$WORK/small.txt" --output "$WORK/afile/model" --min-count 1
# A failed run leaves nothing but its result (the exit code of the last run that got as
# far as the output directory; scripts read it rather than mpirun's status).
[ -e "$WORK/model" ] && [ -n "$(ls -A "$WORK/model" | grep -vx job_result)" ] && fail "a failed run left files in $WORK/model: $(ls -A "$WORK/model")"
[ "$(head -1 "$WORK/model/job_result")" = 3 ] || fail "job_result says '$(cat "$WORK/model/job_result")', expected exit 3 of the last run that opened the output"

# A line longer than --max-sentence is split (warned once, counted), not an error, and
# non-UTF-8 bytes are items like any other.
{
  for i in $(seq 1 2500); do printf 'i%d ' $((i % 50)); done; printf '\n'
  for i in $(seq 1 30); do printf '\xff\xfe x%d y%d \xc3\x28\n' $((i % 3)) $((i % 4)); done
} > "$WORK/long.txt"
timeout 60 "$MPIRUN" -np 2 "$ITEM2VEC" train --input "$WORK/long.txt" --output "$WORK/long" --min-count 1 \
  --max-sentence 1000 --epochs 1 --dim 8 > "$WORK/long.log" 2>&1 || { cat "$WORK/long.log"; fail "long-line run failed"; }
[ "$(grep -c 'more than 1000 items' "$WORK/long.log")" = 1 ] || fail "long lines not warned exactly once"
[ "$(json_field "$WORK/long/train.json" split_lines)" = 1 ] || fail "split_lines should be 1 (one line of 2500 items, split into pieces of 1000)"
grep -q "$(printf '^\xff\xfe\t30$')" "$WORK/long/vocab.tsv" || fail "non-UTF-8 item missing from vocab.tsv"
grep -q "2 item(s) of the vocabulary are not valid UTF-8 and 0 hold NUL bytes (e.g. '\\\\x" "$WORK/long.log" ||
  { grep -i utf "$WORK/long.log" >&2; fail "no warning count for non-UTF-8 items"; }
check_model "$WORK/long" 8
echo "ok: long line split and counted, non-UTF-8 items kept and counted in a warning"

# The top-level help names every command; an unknown command is a usage error.
for cmd in train prep eval similar; do
  "$ITEM2VEC" --help | grep -q "^  $cmd " || fail "item2vec --help does not list '$cmd'"
done
rc=0
"$ITEM2VEC" no-such-command > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "unknown command exited $rc, expected 2"
echo "ok: --help lists every command"
