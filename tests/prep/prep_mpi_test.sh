#!/usr/bin/env bash
# `item2vec prep` under mpirun gives what one process gives.
#
# Usage: prep_mpi_test.sh movielens|synthetic|failure  (ITEM2VEC, REPO, MPIRUN from ctest)
#   movielens  the bundled ml-latest-small ratings (hold-out, 2 parts, a global
#              --min-item-count, a small --memory that forces on-disk splits) with 1 process
#              and with 3 ranks, and again with 1 part (3 ranks writing into one file)
#   synthetic  three files (CSV with CRLF and quotes, TSV with a byte-order mark and no
#              header, CSV whose huge quoted field holds line breaks across a split point),
#              time ties across ranks, rare items, bad rows: the same files, the same bad-row
#              reports (file:line), the same --strict error
#   failure    a file only the last rank reads is unusable: every rank stops, exit 3, the
#              file named, no output, no hang
# Each compares the part files and test.tsv byte for byte and summary.json without its
# "sort" statistics and "seconds", and checks every rank read a share (so a rank that skipped
# its share or a share read twice fails the test).
source "$(dirname "$0")/../integration/lib.sh"

mode=${1:?usage: prep_mpi_test.sh movielens|synthetic|failure}
command -v "$MPIRUN" > /dev/null || { echo "SKIP: no mpirun"; exit 77; }

# Runs prep with NP ranks (1 = no mpirun); stderr to $WORK/NAME.log; returns prep's exit code.
prep_np() {
  local np=$1 name=$2; shift 2
  if [ "$np" = 1 ]; then
    timeout 120 "$ITEM2VEC" prep -o "$WORK/$name" "$@" 2> "$WORK/$name.log"
  else
    timeout 120 "$MPIRUN" -np "$np" "$ITEM2VEC" prep -o "$WORK/$name" "$@" 2> "$WORK/$name.log"
  fi
}

# summary.json without what may differ: the sort statistics, the time, the output path.
normalized_summary() {
  sed -e 's/"sort":{[^}]*},//' -e 's/"seconds":[-0-9.e+]*,//' -e "s#$WORK/$1#OUT#g" "$WORK/$1/summary.json"
}

# Compares the outputs of runs A and B (same options but the rank count).
same_output() {
  local a=$1 b=$2
  local files_a files_b
  files_a=$(cd "$WORK/$a" && find . -type f | sort)
  files_b=$(cd "$WORK/$b" && find . -type f | sort)
  [ "$files_a" = "$files_b" ] || fail "$a and $b hold different files: [$files_a] vs [$files_b]"
  echo "$files_a" | grep -q '\.tmp\.\|prep-tmp' && fail "temporary files left in $a"
  for f in $files_a; do
    [ "$f" = ./summary.json ] && continue
    cmp "$WORK/$a/$f" "$WORK/$b/$f" || fail "$f differs between $a and $b"
  done
  diff <(normalized_summary "$a") <(normalized_summary "$b") > /dev/null ||
    fail "summary.json differs between $a and $b:
$(normalized_summary "$a")
$(normalized_summary "$b")"
  ls -A "$WORK/$b" | grep -q prep-tmp && fail "temporary directory left in $b"
  return 0
}

# Every rank of an N-rank run read a share, and the shares add up to rows_read.
shares_add_up() {
  local run=$1 np=$2 total=0 r rows
  for ((r = 0; r < np; ++r)); do
    rows=$(grep -o "rank $r read [0-9]* rows" "$WORK/$run.log" | awk '{s += $4} END {print s + 0}')
    [ "$rows" -gt 0 ] || fail "rank $r of $run read nothing: $(cat "$WORK/$run.log")"
    total=$((total + rows))
  done
  local expect
  expect=$(json_field "$WORK/$run/summary.json" rows_read)
  # With a pass read again, each rank logs twice; the last pass is what counts.
  if grep -q "reading this file again" "$WORK/$run.log"; then return 0; fi
  [ "$total" = "$expect" ] || fail "the ranks of $run read $total rows, summary.json says $expect"
}

case "$mode" in
movielens)
  ratings="$REPO/data/ml-latest-small/ratings.csv"
  opts=(-i "$ratings" --user-col userId --item-col movieId --time-col timestamp --rating-col rating
        --min-rating 3.5 --holdout last --min-item-count 3 --memory 200K)
  prep_np 1 one --parts 2 "${opts[@]}" || fail "1 process: $(cat "$WORK/one.log")"
  prep_np 3 three --parts 2 "${opts[@]}" || fail "3 ranks: $(cat "$WORK/three.log")"
  [ "$(json_field "$WORK/three/summary.json" rows_read)" = 100836 ] || fail "rows_read is not 100836"
  [ "$(json_field "$WORK/three/summary.json" header_rows)" = 1 ] || fail "the header was not counted once"
  [ "$(json_field "$WORK/three/summary.json" resplits)" -gt 0 ] || fail "--memory 200K did not force a split"
  same_output one three
  shares_add_up three 3
  # One part: three ranks' pieces end up in one file, in the order one process writes.
  prep_np 1 one_part --parts 1 "${opts[@]}" || fail "1 process, 1 part: $(cat "$WORK/one_part.log")"
  prep_np 3 three_part --parts 1 "${opts[@]}" || fail "3 ranks, 1 part: $(cat "$WORK/three_part.log")"
  same_output one_part three_part
  ;;

synthetic)
  # a.csv: header, CRLF, 8000 rows; users u0..u39 at times 0..9 (many ties, spread over
  # the split point in this file), items i0..i2999 (many seen 2 or 3 times in the whole log,
  # so a per-rank count would drop them), a quoted item with a comma, a user id with a space.
  awk 'BEGIN {
    printf "user,item,time,rating\r\n";
    for (n = 0; n < 8000; n++) {
      u = "u" (n * 7 % 40); it = "i" (n * 7919 % 3000); t = n * 13 % 10;
      if (n == 5) it = "\"x, y\"";
      if (n == 6) u = "\"u 7\"";
      if (n == 3) { printf "u1,i1,bad,4\r\n"; continue }
      if (n == 7800) { printf "u2,i2,5\r\n"; continue }
      if (n == 7900) { printf "u3,i3,7,x\r\n"; continue }
      if (n == 4000) printf "\r\n";
      printf "%s,%s,%d,%d\r\n", u, it, t, 1 + n % 5;
    } }' > "$WORK/a.csv"
  # b.tsv: a UTF-8 byte-order mark, no header, tabs; the same users and times.
  { printf '\xEF\xBB\xBF'
    awk 'BEGIN { for (n = 0; n < 900; n++) {
      if (n == 450) { printf "u4\ti4\n"; continue }
      printf "u%d\ti%d\t%d\t%d\n", n * 11 % 40, n * 4567 % 3000, n * 3 % 10, 1 + n % 5 } }'; } > "$WORK/b.tsv"
  # c.csv: a fifth column; one row's comment is a quoted field of ~80 KB with line breaks,
  # lines that look like rows, and doubled quotes: the 3-rank split point falls inside it.
  awk 'BEGIN {
    print "user,item,time,rating,comment";
    for (n = 0; n < 100; n++) printf "u%d,i%d,%d,%d,ok\n", n % 40, n * 31 % 3000, n % 10, 1 + n % 5;
    printf "u5,i5,5,5,\"start\n";
    for (n = 0; n < 3000; n++) printf "u%d,fake%d,1,5,\"\"quoted\"\" line %d\n", n % 40, n, n;
    print "end\"";
    for (n = 0; n < 100; n++) printf "u%d,i%d,%d,%d,ok\n", n % 40, n * 37 % 3000, n % 10, 1 + n % 5;
    print "u6,i6,6";
  }' > "$WORK/c.csv"
  opts=(-i "$WORK/a.csv" "$WORK/b.tsv" "$WORK/c.csv" --time-col 3 --rating-col 4 --min-rating 2
        --min-item-count 2 --holdout last:2 --validation --parts 3 --memory 64K)
  prep_np 1 one "${opts[@]}" || fail "1 process: $(cat "$WORK/one.log")"
  prep_np 3 three "${opts[@]}" || fail "3 ranks: $(cat "$WORK/three.log")"
  # --validation: valid.tsv, put together from the ranks' pieces like test.tsv (same_output).
  [ -s "$WORK/three/valid.tsv" ] || fail "--validation wrote no valid.tsv"
  grep -q "c.csv': a split point between ranks fell inside a quoted field" "$WORK/three.log" ||
    fail "the split inside c.csv's quoted field was not detected: $(cat "$WORK/three.log")"
  grep -q fake "$WORK/three/train/"* && fail "lines inside a quoted field were read as rows"
  same_output one three
  shares_add_up three 3
  # The data rows: 8000 + 900 + 202 (the row with the long quoted field is one).
  [ "$(json_field "$WORK/three/summary.json" rows_read)" = 9102 ] || fail "rows_read is not 9102"
  [ "$(json_field "$WORK/three/summary.json" header_rows)" = 2 ] || fail "header_rows is not 2"
  [ "$(json_field "$WORK/three/summary.json" blank_lines)" = 1 ] || fail "blank_lines is not 1"
  [ "$(json_field "$WORK/three/summary.json" total)" = 5 ] || fail "rows_rejected.total is not 5"
  # The same bad rows, with the same file:line, in the same order.
  bad1=$(grep -o "[^ /]*:[0-9]*: skipping bad row.*" "$WORK/one.log")
  bad3=$(grep -o "[^ /]*:[0-9]*: skipping bad row.*" "$WORK/three.log")
  [ "$(echo "$bad1" | wc -l)" = 5 ] || fail "expected 5 bad-row reports, got: $bad1"
  [ "$bad1" = "$bad3" ] || fail "bad-row reports differ:
$bad1
---
$bad3"
  echo "$bad3" | grep -q "^a.csv:7903: skipping bad row (bad_rating)" || fail "a.csv:7903 not reported: $bad3"
  echo "$bad3" | grep -q "^c.csv:3204: skipping bad row (wrong_column_count)" || fail "c.csv:3204 not reported: $bad3"
  # --strict: the log's first bad row (a.csv line 5) on 1 process and on 3 ranks.
  prep_np 1 strict1 --strict "${opts[@]}" && fail "--strict did not fail on 1 process"
  rc=0
  prep_np 3 strict3 --strict "${opts[@]}" || rc=$?
  [ "$rc" = 3 ] || fail "--strict on 3 ranks: exit $rc, expected 3: $(cat "$WORK/strict3.log")"
  s1=$(grep -o "[^ /]*:[0-9]*: bad row.*" "$WORK/strict1.log" | head -1)
  s3=$(grep -o "[^ /]*:[0-9]*: bad row.*" "$WORK/strict3.log" | head -1)
  [ -n "$s1" ] && [ "$s1" = "$s3" ] || fail "--strict errors differ: '$s1' vs '$s3'"
  echo "$s3" | grep -q "^a.csv:5: bad row (bad_timestamp)" || fail "unexpected --strict error: $s3"
  [ -e "$WORK/strict3/summary.json" ] && fail "--strict left a summary.json"
  ls -A "$WORK/strict3" | grep -q prep-tmp && fail "--strict left a temporary directory"
  ;;

failure)
  # z.txt has no delimiter on its first line; it is small and last, so only rank 2 reads it.
  head -c 300000 "$REPO/data/ml-latest-small/ratings.csv" > "$WORK/x.csv"
  printf 'nodelimiterhere\n' > "$WORK/z.txt"
  start=$(date +%s)
  rc=0
  prep_np 3 failed -i "$WORK/x.csv" "$WORK/z.txt" --time-col 4 || rc=$?
  [ "$rc" = 3 ] || fail "exit $rc, expected 3: $(cat "$WORK/failed.log")"
  [ $(($(date +%s) - start)) -lt 60 ] || fail "the failure took over a minute to end the job"
  grep -q "cannot tell the delimiter of '$WORK/z.txt'" "$WORK/failed.log" || fail "z.txt not named: $(cat "$WORK/failed.log")"
  [ -e "$WORK/failed/summary.json" ] && fail "a failed run left summary.json"
  [ -z "$(ls -A "$WORK/failed/train")" ] || fail "a failed run left files in train/"
  ls -A "$WORK/failed" | grep -q prep-tmp && fail "a failed run left its temporary directory"
  ;;
*) fail "unknown mode $mode" ;;
esac
echo "PASS prep_mpi_test $mode"
