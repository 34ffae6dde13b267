#!/usr/bin/env bash
# Baskets as sets (--window-mode set). Usage: set_window_test.sh
# 1. Planted co-purchase groups: the catalogue numbers items by aisle; group g is one item
#    of each of the aisles a1, a3, a5, a7, and every basket holds 3 or 4 items of one group
#    plus 6 everyday items from each of the aisles a2, a4, a6 in between. Written sorted by
#    id as `prep --mode set` does, group items are always 7 positions apart, out of reach
#    of the sliding window of 5. Neighbour precision@3 (the fraction of a group item's 3
#    nearest neighbours in its group) must be >= 0.8 in set mode and <= 0.2 with the
#    sliding window; set mode reports no capped sets, and a tiny --max-set-size counts
#    every basket as capped in train.json.
# 2. The bundled groceries and retail baskets (../shared/data, skipped where absent): basket
#    completion on held-out baskets (one item hidden, the mean of the others as the query,
#    `item2vec eval --query mean:100 --exclude-history`). On retail (10 items a basket)
#    set mode's HR@10 must be over twice the sliding window's over the sorted ids; on
#    groceries (4.4 items a basket, mostly within one window of 5) no worse than it.
source "$(dirname "$0")/lib.sh"

# --- 1. planted groups ---------------------------------------------------------------
awk -v seed=5 'BEGIN {
  srand(seed); G = 60; F = 100
  for (b = 0; b < 2400; b++) {
    g = int(rand() * G); skip = int(rand() * 5)   # skip 4 = keep all four group items
    line = ""
    for (a = 0; a < 4; a++) {
      if (a != skip) line = line sprintf(" a%d-g%03d", 2 * a + 1, g)
      if (a < 3) {
        need = 6   # 6 of the F fillers, in order (selection sampling)
        for (f = 0; f < F && need > 0; f++)
          if (rand() * (F - f) < need) { line = line sprintf(" a%d-f%03d", 2 * a + 2, f); need-- }
      }
    }
    print substr(line, 2)
  }
}' > "$WORK/baskets.txt"
# Lines are already in id order (aisle, then number): exactly what prep --mode set writes.
cmp -s <(head -50 "$WORK/baskets.txt") <(head -50 "$WORK/baskets.txt" | while read -r l; do tr ' ' '\n' <<< "$l" | LC_ALL=C sort | paste -sd' '; done) ||
  fail "generated baskets are not sorted by id"

group_precision() {
  grep -- '-g' "$1/vocab.tsv" | cut -f1 > "$WORK/queries.txt"
  "$ITEM2VEC" similar --model "$1" --items-file "$WORK/queries.txt" -k 3 2> /dev/null |
    awk -F'\t' '/^# / { q = substr($1, 3); split(q, a, "-"); next }
                NF >= 3 { n++; split($2, b, "-"); if (b[2] == a[2]) same++ }
                END { if (n < 600) { print "bad neighbour count " n > "/dev/stderr"; exit 1 } printf "%.4f\n", same / n }'
}

common=(--dim 32 --epochs 5 --min-count 5 --deterministic --log-level warn)
run_np 2 train --input "$WORK/baskets.txt" --output "$WORK/sliding" "${common[@]}"
run_np 2 train --input "$WORK/baskets.txt" --output "$WORK/set" --window-mode set "${common[@]}"
p_sliding=$(group_precision "$WORK/sliding")
p_set=$(group_precision "$WORK/set")
echo "planted groups: neighbour precision@3 sliding window $p_sliding, set $p_set"
awk -v x="$p_set" 'BEGIN { exit !(x >= 0.8) }' || fail "set mode found too few planted groups (P@3 $p_set)"
awk -v x="$p_sliding" 'BEGIN { exit !(x <= 0.2) }' ||
  fail "the sliding window over sorted ids should not see the groups (P@3 $p_sliding)"
grep -q '"window_mode":"set"' "$WORK/set/train.json" || fail "train.json does not record the window mode"
[ "$(json_field "$WORK/set/train.json" capped_sets)" = 0 ] || fail "no basket exceeds --max-set-size 50"
run_np 2 train --input "$WORK/baskets.txt" --output "$WORK/capped" --window-mode set --max-set-size 8 \
  --dim 8 --epochs 1 --min-count 5 --deterministic --log-level warn 2> "$WORK/capped.log"
[ "$(json_field "$WORK/capped/train.json" capped_sets)" = 2400 ] ||
  fail "capped_sets $(json_field "$WORK/capped/train.json" capped_sets), expected every one of the 2400 baskets"
grep -q 'max-set-size' "$WORK/capped.log" || fail "capping sets logs no warning"

# Stopped after a checkpoint and resumed: byte-identical to an uninterrupted run, with
# the same count of capped sets.
ck=(train --input "$WORK/baskets.txt" --max-set-size 12 --dim 16 --epochs 30 --min-count 5
    --deterministic --log-level info)
run_np 2 "${ck[@]}" --window-mode set --output "$WORK/ck-ref" > /dev/null 2>&1 || fail "reference set-mode run failed"
stop_after_checkpoint 2 "$WORK/ck" "$WORK/ck1.log" 2 "${ck[@]}" --window-mode set --checkpoint-every 0.3s
run_np 2 "${ck[@]}" --window-mode sliding --output "$WORK/ck" --resume > "$WORK/ck3.log" 2>&1 &&
  fail "resume with another window mode accepted"
grep -q -- "--window-mode set then, (default) now" "$WORK/ck3.log" || { cat "$WORK/ck3.log" >&2; fail "the window-mode change is not named"; }
run_np 2 "${ck[@]}" --window-mode set --output "$WORK/ck" --resume > "$WORK/ck2.log" 2>&1 || { tail -5 "$WORK/ck2.log" >&2; fail "resume failed"; }
grep -q "continuing from checkpoint" "$WORK/ck2.log" || fail "the resumed run did not use the checkpoint"
cmp -s "$WORK/ck-ref/vectors.bin" "$WORK/ck/vectors.bin" || fail "resumed set-mode vectors differ from the uninterrupted run's"
[ "$(json_field "$WORK/ck/train.json" capped_sets)" = "$(json_field "$WORK/ck-ref/train.json" capped_sets)" ] ||
  fail "capped_sets after resume $(json_field "$WORK/ck/train.json" capped_sets), uninterrupted $(json_field "$WORK/ck-ref/train.json" capped_sets)"
echo "ok: set mode resumes byte-identically"

# --- 2. real baskets ------------------------------------------------------------------
DATA=${ITEM2VEC_DATA:-$REPO/../shared/data}
[ -d "$DATA" ] || DATA=/work/shared/data
ran=0
# awk: the items v[1..n] deduplicated and sorted bytewise (as prep --mode set writes a
# basket), joined by spaces. Concatenation with "" keeps numeric-looking ids strings.
SORT_SET='function sorted_set(v, n,   i, j, x, out, prev) {
  for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && ("" v[j]) > ("" x); j--) v[j + 1] = v[j]; v[j + 1] = x }
  out = ""; prev = ""
  for (i = 1; i <= n; i++) if (i == 1 || ("" v[i]) != prev) { out = out (i == 1 ? "" : " ") v[i]; prev = "" v[i] }
  return out
}'
# basket_completion NAME FILE_OF_SORTED_BASKETS better|no-worse: trains both modes on 90% of the baskets and
# scores the held-out 10%.
basket_completion() {
  local name=$1 in=$2
  awk -v seed=9 -v train="$WORK/$name-train.txt" -v test="$WORK/$name-test.tsv" 'BEGIN { srand(seed) }
    NF >= 2 {
      if (rand() < 0.9) { print > train; next }
      t = 1 + int(rand() * NF); h = ""
      for (i = 1; i <= NF; i++) if (i != t) h = h (h == "" ? "" : " ") $i
      printf "b%d\t%s\t%s\n", NR, $t, h > test
    }' "$in"
  local mode hr
  for mode in sliding set; do
    run_np 2 train --input "$WORK/$name-train.txt" --output "$WORK/$name-$mode" --window-mode "$mode" \
      --dim 32 --epochs 10 --min-count 3 --deterministic --log-level warn
    "$ITEM2VEC" eval --model "$WORK/$name-$mode" --test "$WORK/$name-test.tsv" --query mean:100 --exclude-history \
      --json "$WORK/$name-$mode.json" > "$WORK/$name-$mode.eval"
    hr=$(grep -o '"hr":{[^}]*}' "$WORK/$name-$mode.json" | head -1 | grep -o '"10":[0-9.e+-]*' | cut -d: -f2)
    [ -n "$hr" ] || fail "no hr@10 in $WORK/$name-$mode.json"
    eval "hr_$mode=$hr"
  done
  echo "$name: basket completion HR@10 sliding window $hr_sliding, set $hr_set ($(grep -c . "$WORK/$name-test.tsv") held-out baskets)"
  if [ "$3" = better ]; then
    awk -v s="$hr_set" -v w="$hr_sliding" 'BEGIN { exit !(s > 2 * w) }' ||
      fail "$name: set mode HR@10 $hr_set is not twice the sliding window's $hr_sliding"
  else
    awk -v s="$hr_set" -v w="$hr_sliding" 'BEGIN { exit !(s > w - 0.01) }' ||
      fail "$name: set mode HR@10 $hr_set is worse than the sliding window's $hr_sliding"
  fi
  ran=$((ran + 1))
}
if [ -f "$DATA/groceries/groceries.csv" ]; then
  # Item names contain spaces (and two end in one): underscores, then each basket sorted.
  tr -d '\r' < "$DATA/groceries/groceries.csv" | awk -F, "$SORT_SET"'
    { n = 0; for (i = 1; i <= NF; i++) { x = $i; sub(/ +$/, "", x); gsub(/ /, "_", x); v[++n] = x } print sorted_set(v, n) }' \
    > "$WORK/groceries.txt"
  # 4.4 items a basket: the window of 5 already spans most of one, set mode is no worse.
  basket_completion groceries "$WORK/groceries.txt" no-worse
else
  echo "skip: no $DATA/groceries/groceries.csv"
fi
if [ -f "$DATA/retail-fimi/retail.dat" ]; then
  awk "$SORT_SET"'{ n = 0; for (i = 1; i <= NF; i++) v[++n] = $i; print sorted_set(v, n) }' \
    "$DATA/retail-fimi/retail.dat" > "$WORK/retail.txt"
  # 10 items a basket (up to 76): the sliding window misses most of a basket's pairs.
  basket_completion retail "$WORK/retail.txt" better
else
  echo "skip: no $DATA/retail-fimi/retail.dat"
fi
echo "ok: set mode learns basket co-occurrence ($ran real basket set(s) scored)"
