#!/usr/bin/env bash
# `item2vec walk` through the built binary, one process:
#  1. --help explains every option the parser knows.
#  2. Bad options and bad input fail with the documented exit code and a message that says
#     what to do: unknown method (2), p/q without node2vec (2), missing input (3), empty
#     input (3), output = the input's directory (2), node2vec alias tables over --memory
#     (2, naming the size and --sampler rejection).
#  3. Walks on the bundled MovieLens sequences: part-00000 and _summary.json, every walk at
#     most --walk-length items of the input's vocabulary, the summary's counts add up
#     (walks = walks-per-item x start items; tokens = the words written).
#  4. .gz and .zst input give the same walks as the plain file; a second run with the same
#     seed gives the same bytes; another seed different ones.
# Usage: walk_cli_test.sh
source "$(dirname "$0")/../integration/lib.sh"
W() { "$ITEM2VEC" walk "$@"; }
json_int() { grep -o "\"$2\":[0-9][0-9]*" "$1" | head -1 | cut -d: -f2; }

# 1. help
W --help > "$WORK/help.txt"
for opt in input output config window undirected min-count method p q sampler walks-per-item walk-length seed \
           memory progress-seconds log-level; do
  grep -q -- "--$opt" "$WORK/help.txt" || fail "--help does not explain --$opt"
done
grep -q "item2vec train --input" "$WORK/help.txt" || fail "--help does not say how to train on the walks"
"$ITEM2VEC" --help | grep -q "walk " || fail "item2vec --help does not list walk"
echo "ok: --help explains every option"

# 2. errors
make_movielens_corpus "$WORK/seqs.txt"
expect_fail() {  # CODE PATTERN ARGS...
  local code=$1 pattern=$2 rc=0; shift 2
  W "$@" > "$WORK/err.txt" 2>&1 || rc=$?
  [ "$rc" = "$code" ] || { cat "$WORK/err.txt" >&2; fail "walk $* exited $rc, expected $code"; }
  grep -q -- "$pattern" "$WORK/err.txt" || { cat "$WORK/err.txt" >&2; fail "walk $*: no '$pattern' in the message"; }
}
expect_fail 2 "--method must be deepwalk or node2vec" -i "$WORK/seqs.txt" -o "$WORK/w" --method line
expect_fail 2 "add --method node2vec" -i "$WORK/seqs.txt" -o "$WORK/w" --q 2
expect_fail 2 "--output is required" -i "$WORK/seqs.txt"
expect_fail 3 "nope.txt" -i "$WORK/nope.txt" -o "$WORK/w"
: > "$WORK/empty.txt"
expect_fail 3 "it is empty" -i "$WORK/empty.txt" -o "$WORK/w"
expect_fail 2 "holds the input file" -i "$WORK/seqs.txt" -o "$WORK"
expect_fail 2 "Use --sampler rejection" -i "$WORK/seqs.txt" -o "$WORK/w" --method node2vec --window 5 --memory 20M
grep -q "per-edge alias tables hold [0-9]* entries" "$WORK/err.txt" || fail "the refusal does not give the table size"
[ -e "$WORK/w/part-00000" ] && fail "a refused run left a part file"
# A tiny p with rejection sampling on a chain (no step can return): it ran 25 s at 1e-7
# and never ended below (issue 26 item 2); now bounded, and p beyond 1e-100 is refused.
printf 'a b c d e f g h\n' > "$WORK/chain.txt"
expect_fail 2 "--p must be between 1e-100 and 1e+100" -i "$WORK/chain.txt" -o "$WORK/w" --method node2vec \
  --sampler rejection --p 1e-300
timeout 20 "$ITEM2VEC" walk -i "$WORK/chain.txt" -o "$WORK/chain" --method node2vec --sampler rejection --p 1e-7 \
  --log-level warn || fail "walk --sampler rejection --p 1e-7 did not finish in 20 s"
[ "$(json_int "$WORK/chain/_summary.json" exact_steps)" -gt 0 ] || fail "no step was drawn exactly"
[ "$(wc -l < "$WORK/chain/part-00000")" = 70 ] || fail "expected 10 walks from each of the 7 start items"
echo "ok: bad options and input fail with the right codes and messages"

# 3. walks on MovieLens
W -i "$WORK/seqs.txt" -o "$WORK/dw" --walks-per-item 3 --walk-length 20 > "$WORK/dw.log" 2>&1 ||
  { cat "$WORK/dw.log" >&2; fail "deepwalk failed"; }
grep -q "graph: [0-9]* nodes, [0-9]* edges .*CSR [0-9.]* [KM]iB" "$WORK/dw.log" || fail "no graph size in the log"
grep -q "dead ends" "$WORK/dw.log" || fail "dead ends not reported"
[ -s "$WORK/dw/part-00000" ] && [ -s "$WORK/dw/_summary.json" ] || fail "no part-00000 / _summary.json"
awk 'NF < 2 || NF > 20 { bad++ } END { exit bad > 0 }' "$WORK/dw/part-00000" || fail "a walk is shorter than 2 or longer than 20"
tr ' ' '\n' < "$WORK/seqs.txt" | sort -u > "$WORK/vocab.txt"
tr ' ' '\n' < "$WORK/dw/part-00000" | sort -u | comm -23 - "$WORK/vocab.txt" | grep -q . && fail "a walk holds an item not in the input"
starts=$(json_int "$WORK/dw/_summary.json" start_items)
walks=$(json_int "$WORK/dw/_summary.json" walks)
[ "$walks" = $((3 * starts)) ] || fail "$walks walks, expected 3 x $starts start items"
[ "$(wc -l < "$WORK/dw/part-00000")" = "$walks" ] || fail "part-00000 does not hold $walks walks"
[ "$(wc -w < "$WORK/dw/part-00000")" = "$(grep -o '"walks":{"walks":[0-9]*,"tokens":[0-9]*' "$WORK/dw/_summary.json" | sed 's/.*://')" ] ||
  fail "summary tokens differ from the words written"
nodes=$(json_int "$WORK/dw/_summary.json" nodes)
[ $((starts + $(json_int "$WORK/dw/_summary.json" dead_end_items) + $(json_int "$WORK/dw/_summary.json" isolated_items))) = "$nodes" ] ||
  fail "start + dead-end + isolated items != nodes"
W -i "$WORK/seqs.txt" -o "$WORK/dwu" --walks-per-item 1 --undirected --log-level warn
[ "$(json_int "$WORK/dwu/_summary.json" dead_end_items)" = 0 ] || fail "--undirected left dead ends"
echo "ok: $walks deepwalk walks over $nodes items, summary consistent"

# 4. compressed input, same seed same bytes
formats=(seqs.txt)
if command -v gzip > /dev/null && command -v zstd > /dev/null; then
  gzip -k "$WORK/seqs.txt"
  zstd -q "$WORK/seqs.txt"
  formats+=(seqs.txt.gz seqs.txt.zst)
else
  echo "note: gzip or zstd missing (scripts/install_deps.sh): compressed input not tested"
fi
for f in "${formats[@]}"; do
  W -i "$WORK/$f" -o "$WORK/n2v-$f" --method node2vec --p 0.5 --q 2 --walks-per-item 2 --log-level warn
done
for f in "${formats[@]:1}"; do
  cmp "$WORK/n2v-seqs.txt/part-00000" "$WORK/n2v-$f/part-00000" || fail "$f input: other walks than the plain file"
done
W -i "$WORK/seqs.txt" -o "$WORK/n2v-again" --method node2vec --p 0.5 --q 2 --walks-per-item 2 --log-level warn
cmp "$WORK/n2v-seqs.txt/part-00000" "$WORK/n2v-again/part-00000" || fail "same seed, different walks"
W -i "$WORK/seqs.txt" -o "$WORK/n2v-seed2" --method node2vec --p 0.5 --q 2 --walks-per-item 2 --seed 2 --log-level warn
cmp -s "$WORK/n2v-seqs.txt/part-00000" "$WORK/n2v-seed2/part-00000" && fail "another seed gave the same walks"
echo "ok: .gz/.zst input and reruns give the same walks"
