#!/usr/bin/env bash
# Warm start with --new-items cooccurrence: a new item starts from the mean of the previous
# vectors of the kept items it co-occurs with today. With a learning rate too small to move
# any row, a new item's vector must then be close (cosine) to its most frequent co-occurring
# kept item: far closer than with --new-items random, and far closer than to the top
# co-occurring item of another new item (so not just a common direction or global mean).
# train.json counts the new items so initialised. Runs with 2 workers (the counters merge)
# and 2 servers (neighbours' rows live on the other server).
source "$(dirname "$0")/lib.sh"
make_movielens_corpus "$WORK/all.txt"
head -n 400 "$WORK/all.txt" > "$WORK/day1.txt"
tail -n +200 "$WORK/all.txt" > "$WORK/day2.txt"
# 20 epochs (as configs/movielens.ini): fewer leave all vectors nearly parallel.
run_np 2 train --input "$WORK/day1.txt" --output "$WORK/day1" --dim 32 --epochs 20 --deterministic --log-level warn

day2() {  # OUTPUT_DIR NEW_ITEMS
  run_np 4 train --input "$WORK/day2.txt" --output "$1" --servers 2 --dim 32 --epochs 1 --alpha 1e-7 \
    --init-from "$WORK/day1" --new-items "$2" --log-level warn
}
day2 "$WORK/cooc" cooccurrence
day2 "$WORK/random" random

# Over the new items (in today's vocabulary, not in yesterday's) that meet a kept item within
# the window (5, the default) today, with T(n) the kept item n meets most often: prints the
# mean cosine of n and T(n), the mean cosine of n and T(n') for n' the new item before n
# (the control), both on vectors centred on the kept items' mean (word2vec vectors share a
# common direction that makes any two look alike), and the number of such new items.
mean_cosine() {  # MODEL_DIR
  awk -v W=5 '
    function cosine(x, y,   a, b, d, dot, na, nb) {
      split(vec[x], a, " "); split(vec[y], b, " ")
      dot = na = nb = 0
      for (d = 2; d in a; d++) {
        a[d] -= mean[d]; b[d] -= mean[d]
        dot += a[d] * b[d]; na += a[d] * a[d]; nb += b[d] * b[d]
      }
      return na > 0 && nb > 0 ? dot / sqrt(na * nb) : 0
    }
    FILENAME == ARGV[1] { prev[$1] = 1; next }
    FILENAME == ARGV[2] {
      if (FNR == 1) next
      vec[$1] = $0
      if ($1 in prev) { for (d = 2; d <= NF; d++) mean[d] += $d; kept++ }
      next
    }
    {
      n = 0
      for (i = 1; i <= NF; i++) if ($i in vec) s[++n] = $i
      for (i = 1; i <= n; i++) {
        if (s[i] in prev) continue
        for (j = i - W; j <= i + W; j++) {
          if (j < 1 || j > n || j == i || !(s[j] in prev)) continue
          if (!(s[i] in seen)) { seen[s[i]] = 1; order[++m] = s[i] }
          c[s[i] SUBSEP s[j]]++
        }
      }
    }
    END {
      if (m < 2 || kept == 0) { print "too few new items meet kept items" > "/dev/stderr"; exit 1 }
      for (d in mean) mean[d] /= kept
      for (k in c) {
        split(k, p, SUBSEP)
        if (c[k] > best[p[1]] || (c[k] == best[p[1]] && p[2] < top[p[1]])) { best[p[1]] = c[k]; top[p[1]] = p[2] }
      }
      for (i = 1; i <= m; i++) {
        own += cosine(order[i], top[order[i]])
        other += cosine(order[i], top[order[i == 1 ? m : i - 1]])
      }
      printf "%.4f %.4f %d\n", own / m, other / m, m
    }' "$WORK/day1/vocab.tsv" "$1/vectors.txt" "$WORK/day2.txt"
}
read -r cos_cooc control_cooc n_cooc < <(mean_cosine "$WORK/cooc")
read -r cos_random control_random n_random < <(mean_cosine "$WORK/random")
echo "mean centred cosine of a new item and its top co-occurring kept item over $n_cooc new items:" \
  "cooccurrence $cos_cooc (control: another new item's $control_cooc), random $cos_random"

added=$(grep -o '"added":[0-9]*' "$WORK/cooc/train.json" | cut -d: -f2)
from_nb=$(grep -o '"initialised_from_neighbours":[0-9]*' "$WORK/cooc/train.json" | cut -d: -f2)
[ -n "$from_nb" ] || fail "train.json of the cooccurrence run lacks warm_start.initialised_from_neighbours"
[ "$from_nb" -gt 0 ] && [ "$from_nb" -le "$added" ] || fail "initialised_from_neighbours $from_nb (added $added)"
# Every new item with a kept item within the window has neighbours (the test counts them
# on today's lines as the trainer does, without its --max-sentence split).
[ "$from_nb" -ge "$n_cooc" ] || fail "initialised_from_neighbours $from_nb, but $n_cooc new items meet kept items"
grep -q '"initialised_from_neighbours"' "$WORK/random/train.json" &&
  fail "the random run reports initialised_from_neighbours"
grep -q '"new_items":"random"' "$WORK/random/train.json" || fail "train.json lacks warm_start.new_items"

awk -v c="$cos_cooc" -v r="$cos_random" -v x="$control_cooc" \
  'BEGIN { exit !(c > 0.25 && c - r > 0.2 && c - x > 0.15) }' ||
  fail "new items are not close to their co-occurring items: cosine $cos_cooc with cooccurrence," \
    "$cos_random with random, $control_cooc to another new item's neighbour"

# Kept input vectors are still yesterday's.
awk 'NR == FNR { if (FNR > 1) { v[$1] = $0 } next }
     FNR > 1 && ($1 in v) { split(v[$1], a, " "); for (i = 2; i <= NF; i++) { d = $i - a[i]; if (d > 1e-4 || d < -1e-4) bad++ } n++ }
     END { if (n == 0 || bad > 0) { print "kept rows differ:", bad + 0, "of", n; exit 1 } }' \
  "$WORK/day1/vectors.txt" "$WORK/cooc/vectors.txt" || fail "kept input vectors were not carried over"
loss=$(json_field "$WORK/cooc/train.json" final_loss)
awk -v l="$loss" 'BEGIN { exit !(l < 3.5) }' || fail "loss $loss: output vectors not carried over"
echo "ok: $from_nb of $added new items initialised from their neighbours"

# A run stopped by SIGTERM and resumed takes its rows from the checkpoint and does not
# initialise the new items again: byte-identical to an uninterrupted run (--deterministic).
rank_pid() {  # OUTPUT RANK: pid of that rank of the job writing to OUTPUT
  local p
  for p in $(pgrep -f -- "--output $1( |$)"); do
    tr '\0' '\n' 2>/dev/null < "/proc/$p/environ" | grep -qx "OMPI_COMM_WORLD_RANK=$2" && { echo "$p"; return 0; }
  done
  return 0
}
det=(train --input "$WORK/day2.txt" --dim 32 --epochs 60 --init-from "$WORK/day1" --new-items cooccurrence
     --deterministic --log-level info --progress-seconds 0.5)
run_np 2 "${det[@]}" --output "$WORK/ref" > "$WORK/ref.log" 2>&1 || { cat "$WORK/ref.log" >&2; fail "reference run failed"; }
rc=0
run_np 2 "${det[@]}" --output "$WORK/stop" > "$WORK/stop1.log" 2>&1 &
job=$!
for _ in $(seq 1 300); do grep -qs "progress" "$WORK/stop1.log" && break; sleep 0.05; done
for r in 0 1; do p=$(rank_pid "$WORK/stop" $r); [ -n "$p" ] && { kill -TERM "$p" 2> /dev/null || true; }; done
wait "$job" || rc=$?
[ "$rc" = 75 ] || { tail -20 "$WORK/stop1.log" >&2; fail "SIGTERM: exit $rc, expected 75"; }
grep -q -- "--new-items cooccurrence:" "$WORK/stop1.log" || fail "the first run did not count co-occurrences"
run_np 2 "${det[@]}" --output "$WORK/stop" --resume > "$WORK/stop2.log" 2>&1 ||
  { tail -20 "$WORK/stop2.log" >&2; fail "resume failed"; }
grep -q "continuing from checkpoint" "$WORK/stop2.log" || fail "the resumed run did not use the checkpoint"
grep -q -- "--new-items cooccurrence:" "$WORK/stop2.log" && fail "the resumed run counted co-occurrences again"
cmp -s "$WORK/ref/vectors.bin" "$WORK/stop/vectors.bin" || fail "resumed vectors differ from the uninterrupted run's"
echo "ok: a resumed run keeps the checkpoint's rows (byte-identical to an uninterrupted run)"

# Bad settings are refused before any work.
expect_refusal() {  # PATTERN [args]
  local pattern=$1 rc=0; shift
  timeout 60 "$MPIRUN" -np 2 "$ITEM2VEC" train --input "$WORK/day2.txt" --output "$WORK/bad" "$@" \
    > "$WORK/bad.log" 2>&1 || rc=$?
  [ "$rc" = 2 ] || { cat "$WORK/bad.log" >&2; fail "exit $rc, expected 2 ($pattern)"; }
  grep -q -- "$pattern" "$WORK/bad.log" || { cat "$WORK/bad.log" >&2; fail "no message '$pattern'"; }
}
expect_refusal "--new-items cooccurrence needs --init-from" --new-items cooccurrence
expect_refusal "--new-items must be random or cooccurrence" --init-from "$WORK/day1" --new-items mean
expect_refusal "--new-item-neighbours must be in 1..1000" --init-from "$WORK/day1" --new-items cooccurrence \
  --new-item-neighbours 0
echo "ok: bad --new-items settings refused"
