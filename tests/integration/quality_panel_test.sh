#!/usr/bin/env bash
# The defaults against gensim on a small version of one quality-panel corpus
# (scripts/bench/quality_panel.py --size small): item2vec train with its defaults (2 workers +
# 1 server) and gensim Word2Vec (sg=1, 2 threads) on the same file and settings (5 epochs),
# seeds 1 and 2 each, scored by the same scorer; fails when the defaults' mean P@10 or
# HR@10 falls below 0.97 of gensim's. The corpora are shaped unlike the benchmark corpus the
# defaults were first tuned on (hierarchical clusters, a long tail): there the HogBatch kernel
# and large batches on a small corpus lost 5-10 % (hier 0.93 / 0.90, longtail 0.95 / 0.93),
# and the defaults now reach 1.01 / 1.00 and 1.03 / 1.03; on the flat corpus a fixed starting
# rate of 0.025 reached 0.98 / 0.96 and the default for its size (0.03) 1.03 / 1.04
# (docs/quality.md). Skipped (77) without /usr/bin/python3's gensim and numpy.
# Usage: quality_panel_test.sh CORPUS GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
corpus=$1 gen=$2
/usr/bin/python3 -c 'import gensim, numpy' 2> /dev/null || {
  echo "skip: /usr/bin/python3 has no gensim or numpy (scripts/install_deps.sh installs python3-gensim)"
  exit 77
}
/usr/bin/python3 "$REPO/scripts/bench/quality_panel.py" --size small --corpora "$corpus" --seeds 1,2 \
  --tools ours,gensim --check 0.97 --work "$WORK" --item2vec "$ITEM2VEC" \
  --gen-corpus "$gen" --reuse "" || fail "the defaults are below 0.97 of gensim on $corpus (table above)"
echo "ok: the defaults are at >= 0.97 of gensim's P@10 and HR@10 on the small $corpus corpus"
