#!/usr/bin/env bash
# Strong scaling of item2vec train from 2 to N ranks on one machine, next to fastText
# with as many threads. One corpus (item2vec-gen-corpus), 1 epoch, d=100 w=5 neg=5
# sample=1e-3 min-count 5; for each rank count the job runs once per kernel setting and
# the table reports training tokens/s (train.json), speed-up over 2 ranks, and parallel
# efficiency per rank and per worker.
#
# Usage: scripts/bench/scaling.sh [--bin ITEM2VEC] [--gen GEN_CORPUS] [--fasttext BIN]
#          [--tokens 20M] [--items 100k] [--ranks "2 4 8 16"] [--out DIR]
#          [--ours-args "--kernel hogbatch --negative-pool 1024"]
# Server count: 1 up to 8 ranks, then one per 8 ranks (item2vec's default).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$repo/scripts/bench/lib.sh"
bin=$repo/build/bin/item2vec gen=$repo/build/bin/item2vec-gen-corpus fasttext=$(command -v fasttext || true)
tokens=20M items=100k ranks="2 4 8 16" out=$repo/out/scaling
ours_args=${OURS_ARGS:---kernel hogbatch --negative-pool 1024}
bench_args "$0" 13 bin gen fasttext tokens items ranks out ours-args -- "$@"
[ -x "$bin" ] || { echo "scaling.sh: no item2vec binary at $bin" >&2; exit 2; }
[ -x "$gen" ] || { echo "scaling.sh: no corpus generator at $gen" >&2; exit 2; }
bench_mpi_as_root
mkdir -p "$out"
"$gen" --output "$out/corpus" --tokens "$tokens" --items "$items" --seed 1 > /dev/null
field() { grep -o "\"$2\":[-0-9.e+]*" "$1" | head -1 | cut -d: -f2; }
table=$out/scaling.md
{
  echo "| ranks | servers | workers | tokens/s | speed-up vs 2 ranks | efficiency per rank | efficiency per worker | MPI bytes/token | worker wait % |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$table"
base=""
for n in $ranks; do
  s=$(( n <= 8 ? 1 : n / 8 ))
  w=$((n - s))
  # shellcheck disable=SC2086
  # Bind one rank per core when the machine has the cores, else let ranks share.
  bind=(--bind-to core --map-by core)
  [ "$n" -le "$(nproc)" ] || bind=(--bind-to none --oversubscribe)
  mpirun -np "$n" "${bind[@]}" "$bin" train --input "$out/corpus/parts" --output "$out/m$n" \
    --epochs 1 --servers "$s" --log-level warn $ours_args > "$out/train$n.log" 2>&1
  tps=$(field "$out/m$n/train.json" tokens_per_second)
  bpt=$(field "$out/m$n/train.json" bytes_per_token)
  wait_pct=$(awk -F'"wait_seconds":' '{ for (i = 2; i <= NF; i++) { split($i, a, ","); w += a[1] } } END { print w }' "$out/m$n/train.json")
  secs=$(awk -F'"seconds":' '{ for (i = 2; i <= NF; i++) { split($i, a, ","); s += a[1] } } END { print s }' "$out/m$n/train.json")
  [ -n "$base" ] || { base=$tps; base_n=$n; base_w=$w; }
  awk -v n="$n" -v s="$s" -v w="$w" -v t="$tps" -v b="$base" -v bn="$base_n" -v bw="$base_w" -v bpt="$bpt" -v wt="$wait_pct" -v st="$secs" \
    'BEGIN { printf "| %d | %d | %d | %.0f | %.2f | %.0f%% | %.0f%% | %.0f | %.0f%% |\n", n, s, w, t, t / b, 100 * (t / b) / (n / bn), 100 * (t / b) / (w / bw), bpt, 100 * wt / st }' >> "$table"
  echo "ranks $n: $tps tokens/s"
done
if [ -n "$fasttext" ] && [ -x "$fasttext" ]; then
  cat "$out"/corpus/parts/* > "$out/all.txt"
  threads=$(echo "$ranks" | awk '{ print $NF }')
  start=$(date +%s.%N)
  "$fasttext" skipgram -input "$out/all.txt" -output "$out/ft" -minn 0 -maxn 0 -dim 100 -ws 5 -neg 5 -t 1e-3 \
    -minCount 5 -epoch 1 -lr 0.025 -thread "$threads" -verbose 0 > /dev/null 2>&1
  end=$(date +%s.%N)
  words=$(wc -w < "$out/all.txt")
  echo "" >> "$table"
  awk -v w="$words" -v a="$start" -v b="$end" -v t="$threads" \
    'BEGIN { printf "fastText skipgram, %d threads, same corpus: %.0f tokens/s (whole process, %.1f s)\n", t, w / (b - a), b - a }' | tee -a "$table"
fi
echo "scaling table: $table"
cat "$table"
