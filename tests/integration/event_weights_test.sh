#!/usr/bin/env bash
# Event weights end to end (prep --event-weights -> train -> eval, issue 31): MovieLens
# ratings with an event type made from the rating (5: purchase, 4-4.5: cart, else click),
#  1. prep tags the purchase and cart tokens ITEM*3 / ITEM*2, leaves the clicks and test.tsv
#     as an unweighted prep writes them;
#  2. train reads the weighted sequences (the same vocabulary and counts as the plain ones),
#     eval scores the model above the popularity baseline;
#  3. weight 1 written out (every token ITEM*1) trains byte-identical vectors to the plain
#     sequences under --deterministic (the scaling is exact, the id cache's absence changes nothing);
#  4. a token with weight 0 ends the job with exit 3, naming the file.
source "$(dirname "$0")/lib.sh"
tr -d '\r' < "$REPO/data/ml-latest-small/ratings.csv" |
  awk -F, 'NR == 1 { print $0 ",event"; next } { print $0 "," ($3 >= 5 ? "purchase" : $3 >= 4 ? "cart" : "click") }' \
  > "$WORK/events.csv"
common=(--input "$WORK/events.csv" --user-col userId --item-col movieId --time-col timestamp --rating-col rating
        --min-rating 3.5 --holdout last --log-level warn)
"$ITEM2VEC" prep "${common[@]}" --output "$WORK/plain"
"$ITEM2VEC" prep "${common[@]}" --output "$WORK/weighted" --event-col event --event-weights purchase=3,cart=2

# ---------------------------------------------------------------- 1. prep
threes=$(cat "$WORK"/weighted/train/part-* | tr ' ' '\n' | grep -c '\*3$' || true)
twos=$(cat "$WORK"/weighted/train/part-* | tr ' ' '\n' | grep -c '\*2$' || true)
[ "$threes" -gt 1000 ] && [ "$twos" -gt 1000 ] || fail "weighted tokens: $threes *3, $twos *2"
diff <(cat "$WORK"/weighted/train/part-* | sed -E 's/\*[0-9.]+( |$)/\1/g') <(cat "$WORK"/plain/train/part-*) > /dev/null ||
  fail "the weighted sequences are not the plain ones with weights"
cmp -s "$WORK/weighted/test.tsv" "$WORK/plain/test.tsv" || fail "test.tsv changed with --event-weights"
echo "ok: prep tagged $threes purchases (*3) and $twos carts (*2); test.tsv unchanged"

# ---------------------------------------------------------------- 2. train and eval
train=(train --config "$REPO/configs/movielens.ini" --deterministic --log-level warn --report false)
run_np 2 "${train[@]}" --input "$WORK/weighted/train" --output "$WORK/wmodel"
check_model "$WORK/wmodel" "$(awk -F= '$1 ~ /^dim/ { gsub(/ /, "", $2); print $2 }' "$REPO/configs/movielens.ini")"
run_np 2 "${train[@]}" --input "$WORK/plain/train" --output "$WORK/pmodel"
cmp -s "$WORK/wmodel/vocab.tsv" "$WORK/pmodel/vocab.tsv" || fail "the weighted sequences gave another vocabulary"
cmp -s "$WORK/wmodel/vectors.bin" "$WORK/pmodel/vectors.bin" && fail "the weights changed nothing in training"
for m in wmodel pmodel; do
  "$ITEM2VEC" eval --model "$WORK/$m" --test "$WORK/weighted/test.tsv" --json "$WORK/$m.json" > /dev/null
done
hr10() {  # hr10 eval.json model|popularity
  tr -d ' \n' < "$1" | grep -o "\"$2\":{\"hr\":{[^}]*}" | grep -o '"10":[0-9.e-]*' | head -1 | cut -d: -f2
}
w=$(hr10 "$WORK/wmodel.json" model) p=$(hr10 "$WORK/pmodel.json" model) pop=$(hr10 "$WORK/wmodel.json" popularity)
[ -n "$w" ] && [ -n "$p" ] && [ -n "$pop" ] || fail "could not read HR@10 from eval.json"
echo "HR@10: weighted $w, unweighted $p, popularity $pop"
awk -v m="$w" -v p="$pop" 'BEGIN { exit !(m >= 1.3 * p) }' || fail "weighted HR@10 $w is not >= 1.3 x popularity $pop"
echo "ok: train and eval on weighted sequences"

# ---------------------------------------------------------------- 3. weight 1 is exact
mkdir -p "$WORK/ones"
sed -E 's/([^ ]+)/\1*1/g' "$WORK/plain/train/part-00000" > "$WORK/ones/part-00000"
grep -q '\*1 ' "$WORK/ones/part-00000" || fail "no ITEM*1 tokens written"
run_np 2 "${train[@]}" --input "$WORK/ones" --output "$WORK/omodel"
cmp -s "$WORK/omodel/vectors.bin" "$WORK/pmodel/vectors.bin" || fail "ITEM*1 tokens trained other vectors than ITEM"
echo "ok: weight 1 everywhere is byte-identical to no weights"

# ---------------------------------------------------------------- 4. a bad weight
printf '1 2 3\n4 5*0 6\n' > "$WORK/bad.txt"
rc=0
run_np 2 train --input "$WORK/bad.txt" --output "$WORK/bad" --min-count 1 --log-level warn > "$WORK/bad.log" 2>&1 || rc=$?
[ "$rc" = 3 ] && grep -q "bad.txt" "$WORK/bad.log" && grep -q "'5\*0'" "$WORK/bad.log" ||
  { tail "$WORK/bad.log" >&2; fail "a weight of 0 did not end the job with exit 3 naming the file and token (exit $rc)"; }
echo "ok: a weight of 0 is refused with exit 3"
