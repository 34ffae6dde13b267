#!/usr/bin/env bash
# CBOW quality against gensim, so that a regression of --model cbow fails a test.
# Usage: cbow_quality_test.sh GEN_CORPUS_BINARY
# On the benchmark's planted-cluster corpus (500k tokens, 5k items, 250 clusters, noise 0.7)
# CBOW with 5 epochs, dim 48 and its defaults (alpha 0.05, init width 1) must reach:
#  - neighbour precision@10 >= 0.17 (measured 0.184 with seed 1; 20 seeds 0.176-0.198; with
#    word2vec.c's init width 0.5, the cause of the old gap to gensim, it is 0.150), and
#  - where /usr/bin/python3 has gensim: >= 0.93 x gensim Word2Vec(sg=0, cbow_mean=1) on the
#    same file and settings (1 thread, seed 1: 0.193; over 20 seeds item2vec averages 0.984 x gensim).
# Both runs are deterministic, so the figures are the same on every run on one machine.
source "$(dirname "$0")/lib.sh"
gen=$1
"$gen" --output "$WORK/corpus" --tokens 500k --items 5k --clusters 250 --noise 0.7 --seed 3 > /dev/null 2>&1
cat "$WORK"/corpus/parts/* > "$WORK/corpus.txt"
settings=(--dim 48 --epochs 5 --window 5 --negative 5 --sample 1e-3 --min-count 5 --seed 1)
run_np 2 train --input "$WORK/corpus.txt" --output "$WORK/cbow" --model cbow "${settings[@]}" \
  --deterministic --log-level warn
ours=$(cluster_precision "$WORK/corpus" "$WORK/cbow")
echo "item2vec CBOW: P@10 $ours"
awk -v x="$ours" 'BEGIN { exit !(x >= 0.17) }' || fail "CBOW P@10 $ours < 0.17 (measured 0.184)"

PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c "import gensim.models.word2vec_corpusfile" 2> /dev/null; then
  echo "ok: CBOW P@10 $ours (gensim comparison skipped: no python3-gensim)"
  exit 0
fi
"$PY" "$REPO/scripts/bench/gensim_train.py" --corpus-file "$WORK/corpus.txt" --output "$WORK/gensim" --sg 0 \
  --cbow-mean 1 --alpha 0.05 --threads 1 "${settings[@]}" > /dev/null 2>&1 || fail "gensim_train.py failed"
# The same queries (item2vec's vocabulary ranks 1001-1600) against gensim's vectors file.
mkdir -p "$WORK/gensim-model"
ln -s "$WORK/gensim/vectors.bin" "$WORK/gensim-model/vectors.bin"
cp "$WORK/cbow/vocab.tsv" "$WORK/gensim-model/vocab.tsv"
theirs=$(cluster_precision "$WORK/corpus" "$WORK/gensim-model")
echo "gensim CBOW: P@10 $theirs; item2vec / gensim = $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')"
awk -v a="$ours" -v b="$theirs" 'BEGIN { exit !(a >= 0.93 * b) }' ||
  fail "CBOW P@10 $ours is below 0.93 x gensim's $theirs"
echo "ok: CBOW P@10 $ours, gensim $theirs"
