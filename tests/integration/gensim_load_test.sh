#!/usr/bin/env bash
# gensim's KeyedVectors.load_word2vec_format reads vectors.txt and vectors.bin, the two
# agree exactly, and the rows follow vocab.tsv. Skipped (77) without Debian's python3-gensim.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c "import gensim" 2> /dev/null; then
  echo "SKIP: Debian's python3-gensim is not installed (apt-get install python3-gensim)"
  exit 77
fi
make_movielens_corpus "$WORK/seqs.txt"
run_np 2 train --input "$WORK/seqs.txt" --output "$WORK/model" --dim 20 --epochs 1 --log-level warn
"$PY" - "$WORK/model" <<'PYEOF'
import sys
import numpy as np
from gensim.models import KeyedVectors
d = sys.argv[1]
txt = KeyedVectors.load_word2vec_format(d + "/vectors.txt", binary=False)
bin_ = KeyedVectors.load_word2vec_format(d + "/vectors.bin", binary=True)
vocab = [line.split("\t")[0] for line in open(d + "/vocab.tsv", encoding="utf-8")]
assert txt.index_to_key == vocab, "text rows are not in vocab.tsv order"
assert bin_.index_to_key == vocab, "binary rows are not in vocab.tsv order"
assert txt.vector_size == 20 and bin_.vector_size == 20
assert np.array_equal(txt.vectors, bin_.vectors), "text and binary vectors differ"
assert np.isfinite(txt.vectors).all() and np.abs(txt.vectors).max() > 0
print(f"ok: gensim loaded {len(vocab)} x {txt.vector_size}, text == binary")
PYEOF
