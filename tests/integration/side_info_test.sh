#!/usr/bin/env bash
# train --side-info (EGES through the parameter server, issue 31):
#  1. every item of the side-info table gets a vector: the movies without events are cold
#     rows (count 0 in vocab.tsv, counted in train.json), two cold movies with the same
#     attributes get the same vector, the model is complete (check_model); the cold vectors
#     come from the attribute regression by default and from EGES's rule with
#     --side-info-cold attributes (the writer's log says which); --kernel hogbatch and pair
#     train with it too;
#  2. SIGTERM, then --resume on another server count: byte-identical to an uninterrupted run
#     (the attribute and weight rows travel in the checkpoints), and a resume with a changed
#     table is refused;
#  3. warm start: with a learning rate too small to move anything, today's vectors of the
#     kept movies equal yesterday's (own, attribute and weight rows carried over from
#     side_rows.i2v; taking vectors.bin's EGES means as own rows would shift them);
#  4. a bad table ends the job with exit 3 and the file and line named.
source "$(dirname "$0")/lib.sh"
make_movielens_corpus "$WORK/seqs.txt"
# movieId, genres, year from the title (CSV with quoted titles: Python's csv reads it).
/usr/bin/python3 - "$REPO/data/ml-latest-small/movies.csv" "$WORK/items.tsv" <<'PY'
import csv, re, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[2], "w") as out:
    out.write("movieId\tgenres\tyear\n")
    for r in csv.DictReader(f):
        m = re.search(r"\((\d{4})\)\s*$", r["title"].strip())
        out.write(f"{r['movieId']}\t{r['genres']}\t{m.group(1) if m else ''}\n")
PY
det=(train --input "$WORK/seqs.txt" --side-info "$WORK/items.tsv" --dim 16 --epochs 40 --deterministic
     --log-level info --progress-seconds 0.5 --report false)

# ---------------------------------------------------------------- 1. cold vectors
run_np 3 "${det[@]}" --servers 2 --output "$WORK/ref" > "$WORK/ref.log" 2>&1 || { tail "$WORK/ref.log" >&2; fail "side-info run failed"; }
check_model "$WORK/ref" 16
cold=$(json_field "$WORK/ref/train.json" cold_items)
zero=$(awk -F'\t' '$2 == 0' "$WORK/ref/vocab.tsv" | wc -l)
expect=$(comm -23 <(tail -n +2 "$WORK/items.tsv" | cut -f1 | sort -u) <(awk -F'\t' '$2 > 0 {print $1}' "$WORK/ref/vocab.tsv" | sort -u) | wc -l)
[ "$cold" -gt 1000 ] && [ "$cold" = "$zero" ] && [ "$cold" = "$expect" ] ||
  fail "cold items: train.json $cold, count-0 lines $zero, table items without a trained vector $expect"
[ -s "$WORK/ref/model/side_rows.i2v" ] && [ -s "$WORK/ref/model/side_values.tsv" ] || fail "no side_rows.i2v / side_values.tsv"
# Two cold movies with the same genres and year bucket: the same vector (the documented rule).
same=$(awk -F'\t' 'NR == FNR { if ($2 == 0) cold[$1] = 1; next } FNR > 1 && ($1 in cold) { k = $2 "/" $3; if (k in first) { print first[k], $1; exit } first[k] = $1 }' \
  "$WORK/ref/vocab.tsv" "$WORK/items.tsv")
[ -n "$same" ] || fail "no two cold movies with the same attributes"
read -r a b <<< "$same"
va=$(grep "^$a " "$WORK/ref/vectors.txt" | cut -d' ' -f2-) vb=$(grep "^$b " "$WORK/ref/vectors.txt" | cut -d' ' -f2-)
[ -n "$va" ] && [ "$va" = "$vb" ] || fail "cold movies $a and $b share their attributes but not their vector"
awk -v v="$va" 'BEGIN { n = split(v, x, " "); for (i = 1; i <= n; i++) s += x[i] * x[i]; exit !(s > 0) }' || fail "cold vector is zero"
echo "ok: $cold cold movies (count 0 in vocab.tsv, train.json); same attributes, same vector"
grep -q "cold items from a ridge regression on the attributes of the [0-9]* trained items" "$WORK/ref.log" ||
  fail "the default cold rule is not the attribute regression: $(grep 'cold items from' "$WORK/ref.log")"
grep -q '"side_info_cold":"regression"' "$WORK/ref/train.json" || fail "train.json lacks side_info_cold"
# The other kernels: the composition is around the kernel, so hogbatch and pair train it too
# (pair with EGES's cold rule).
for kernel in hogbatch pair; do
  rule=regression
  [ "$kernel" = pair ] && rule=attributes
  run_np 3 train --input "$WORK/seqs.txt" --side-info "$WORK/items.tsv" --dim 16 --epochs 2 --kernel "$kernel" \
    --side-info-cold "$rule" --log-level info --report false --output "$WORK/$kernel" > "$WORK/$kernel.log" 2>&1 ||
    { tail "$WORK/$kernel.log" >&2; fail "--kernel $kernel with --side-info failed"; }
  [ "$rule" = regression ] || grep -q "cold items from their attributes, weighted by the trained items' mean weight logits" \
    "$WORK/$kernel.log" || fail "--side-info-cold attributes: $(grep 'cold items from' "$WORK/$kernel.log")"
  [ "$(json_field "$WORK/$kernel/train.json" cold_items)" = "$cold" ] || fail "--kernel $kernel: cold items differ"
  check_model "$WORK/$kernel" 16
done
echo "ok: --kernel hogbatch and pair train with side information"

# ---------------------------------------------------------------- 2. exact resume
stop_by_sigterm 3 "$WORK/term" "$WORK/term1.log" "${det[@]}" --servers 2
cp "$WORK/items.tsv" "$WORK/items.keep"
head -n 100 "$WORK/items.keep" > "$WORK/items.tsv"
rc=0
run_np 2 "${det[@]}" --servers 1 --output "$WORK/term" --resume > "$WORK/changed.log" 2>&1 || rc=$?
[ "$rc" = 3 ] && grep -q "side-info table changed since the checkpoint" "$WORK/changed.log" ||
  { tail "$WORK/changed.log" >&2; fail "a resume with another side-info table was not refused (exit $rc)"; }
cp "$WORK/items.keep" "$WORK/items.tsv"
run_np 2 "${det[@]}" --servers 1 --output "$WORK/term" --resume > "$WORK/term2.log" 2>&1 ||
  { tail -20 "$WORK/term2.log" >&2; fail "resume after SIGTERM failed"; }
grep -q "continuing from checkpoint" "$WORK/term2.log" || fail "the resumed run did not use the checkpoint"
cmp -s "$WORK/ref/vectors.bin" "$WORK/term/vectors.bin" || fail "resumed vectors differ from the uninterrupted run's"
cmp -s "$WORK/ref/model/side_rows.i2v" "$WORK/term/model/side_rows.i2v" || fail "resumed side rows differ"
echo "ok: SIGTERM -> exit 75; resume on another server count byte-identical; a changed table refused"

# ---------------------------------------------------------------- 3. warm start
run_np 2 train --input "$WORK/seqs.txt" --side-info "$WORK/items.tsv" --dim 16 --epochs 1 --alpha 1e-7 \
  --deterministic --log-level warn --report false --init-from "$WORK/ref" --output "$WORK/warm" ||
  fail "warm start with side information failed"
awk 'NR == FNR { if (FNR > 1) { v[$1] = $0 } next }
     FNR > 1 && ($1 in v) { split(v[$1], a, " "); for (i = 2; i <= NF; i++) { d = $i - a[i]; if (d > 1e-4 || d < -1e-4) { bad++; break } } n++ }
     END { if (n < 9000 || bad > 0) { print "rows differ:", bad + 0, "of", n; exit 1 } }' \
  "$WORK/ref/vectors.txt" "$WORK/warm/vectors.txt" || fail "warm-started vectors differ from yesterday's"
echo "ok: warm start carries own, attribute and weight rows (vectors unchanged at alpha 1e-7)"

# ---------------------------------------------------------------- 4. a bad table
printf 'movieId\tgenres\n1\tComedy\textra\n' > "$WORK/bad.tsv"
rc=0
run_np 2 train --input "$WORK/seqs.txt" --side-info "$WORK/bad.tsv" --dim 16 --output "$WORK/bad" > "$WORK/bad.log" 2>&1 || rc=$?
[ "$rc" = 3 ] && grep -q "bad.tsv' line 2: 3 fields, the header has 2" "$WORK/bad.log" ||
  { cat "$WORK/bad.log" >&2; fail "bad table: exit $rc"; }
echo "ok: a bad table ends the job with exit 3, file and line named"
