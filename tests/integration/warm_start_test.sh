#!/usr/bin/env bash
# Warm start (--init-from): items seen again keep both vectors, new items are added,
# items gone are dropped (or kept with --keep-missing); counts land in train.json; a
# corrupted or mismatched previous model is refused with a clear message.
source "$(dirname "$0")/lib.sh"
make_movielens_corpus "$WORK/all.txt"
head -n 400 "$WORK/all.txt" > "$WORK/day1.txt"
tail -n +200 "$WORK/all.txt" > "$WORK/day2.txt"
common=(--dim 16 --log-level warn --deterministic)
run_np 2 train --input "$WORK/day1.txt" --output "$WORK/day1" --epochs 3 "${common[@]}"
[ -s "$WORK/day1/output_vectors.i2v" ] || fail "model directory lacks output_vectors.i2v"

# Day 2, with a learning rate so small that vectors cannot move: the kept rows must be
# yesterday's, and the loss must be yesterday's level, not that of zero output vectors.
run_np 2 train --input "$WORK/day2.txt" --output "$WORK/day2" --epochs 1 --alpha 1e-7 \
  --init-from "$WORK/day1" "${common[@]}"
kept=$(grep -o '"kept":[0-9]*' "$WORK/day2/train.json" | cut -d: -f2)
added=$(grep -o '"added":[0-9]*' "$WORK/day2/train.json" | cut -d: -f2)
dropped=$(grep -o '"dropped":[0-9]*' "$WORK/day2/train.json" | cut -d: -f2)
expect_kept=$(comm -12 <(cut -f1 "$WORK/day1/vocab.tsv" | sort) <(cut -f1 "$WORK/day2/vocab.tsv" | sort) | wc -l)
rows1=$(wc -l < "$WORK/day1/vocab.tsv") rows2=$(wc -l < "$WORK/day2/vocab.tsv")
[ "$kept" = "$expect_kept" ] || fail "kept $kept, expected $expect_kept"
[ "$added" = $((rows2 - expect_kept)) ] || fail "added $added, expected $((rows2 - expect_kept))"
[ "$dropped" = $((rows1 - expect_kept)) ] || fail "dropped $dropped, expected $((rows1 - expect_kept))"
[ "$added" -gt 0 ] && [ "$dropped" -gt 0 ] || fail "the test data should add and drop items"
# Kept input vectors equal yesterday's (to 1e-4), new items are small random vectors.
awk 'NR == FNR { if (FNR > 1) { v[$1] = $0 } next }
     FNR > 1 && ($1 in v) { split(v[$1], a, " "); for (i = 2; i <= NF; i++) { d = $i - a[i]; if (d > 1e-4 || d < -1e-4) bad++ } n++ }
     END { if (n == 0 || bad > 0) { print "kept rows differ:", bad + 0, "of", n; exit 1 } }' \
  "$WORK/day1/vectors.txt" "$WORK/day2/vectors.txt" || fail "kept input vectors were not carried over"
loss1=$(json_field "$WORK/day1/train.json" final_loss)
loss2=$(json_field "$WORK/day2/train.json" final_loss)
# Zero output vectors would give a loss of (1 + negative) * ln 2 = 4.16 per pair.
awk -v l="$loss2" 'BEGIN { exit !(l < 3.5) }' || fail "warm-started loss $loss2 (day 1: $loss1): output vectors not carried over"
echo "ok: kept $kept, added $added, dropped $dropped; loss day1 $loss1, warm day2 $loss2"

# --keep-missing keeps every item of yesterday.
run_np 2 train --input "$WORK/day2.txt" --output "$WORK/keep" --epochs 1 --init-from "$WORK/day1" --keep-missing "${common[@]}"
missing=$(comm -23 <(cut -f1 "$WORK/day1/vocab.tsv" | sort) <(cut -f1 "$WORK/keep/vocab.tsv" | sort) | wc -l)
[ "$missing" = 0 ] || fail "--keep-missing lost $missing items"
grep -q '"dropped":0' "$WORK/keep/train.json" || fail "--keep-missing should drop nothing"

# A corrupted or truncated output matrix, or another dim, is refused.
expect_fail() {  # CODE PATTERN MODEL_DIR [extra args]
  local code=$1 pattern=$2 dir=$3 rc=0; shift 3
  timeout 60 "$MPIRUN" -np 2 "$ITEM2VEC" train --input "$WORK/day2.txt" --output "$WORK/bad" --init-from "$dir" \
    "$@" > "$WORK/bad.log" 2>&1 || rc=$?
  [ "$rc" = "$code" ] || { cat "$WORK/bad.log" >&2; fail "exit $rc, expected $code ($pattern)"; }
  grep -qE "$pattern" "$WORK/bad.log" || { cat "$WORK/bad.log" >&2; fail "no message '$pattern'"; }
  echo "ok: refused with exit $code: $pattern"
}
cp -r "$WORK/day1" "$WORK/flipped"
size=$(stat -L -c %s "$WORK/flipped/output_vectors.i2v")
printf '\x7f' | dd of="$WORK/flipped/output_vectors.i2v" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect_fail 3 "output_vectors.i2v' failed its checksum" "$WORK/flipped" --dim 16
cp -r "$WORK/day1" "$WORK/cut"
truncate -s $((size - 100)) "$WORK/cut/output_vectors.i2v"
expect_fail 3 "output_vectors.i2v' is truncated" "$WORK/cut" --dim 16
expect_fail 2 "has dim 16 but --dim is 8" "$WORK/day1" --dim 8
expect_fail 3 "cannot open '$WORK/nowhere/vocab.tsv'" "$WORK/nowhere" --dim 16
