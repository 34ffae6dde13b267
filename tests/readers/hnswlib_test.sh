#!/usr/bin/env bash
# The HNSW index written by `item2vec index` opens in Python's hnswlib (Debian's
# python3-hnswlib, the same hnswlib as libhnswlib-dev) and gives the same neighbours, on the
# MovieLens model (1 worker, --deterministic), for each metric:
#   the graph named by DIR/vectors.bin.METRIC.index loads with hnswlib.Index(space, dim)
#   (cosine and dot: 'ip', euclidean: 'l2'), holds every item under its row number as label,
#   and for 300 query items searched with the same width (ef 40) returns exactly the
#   neighbours `item2vec similar --index` prints; with space 'cosine' and the raw vectors of
#   vectors.bin (what a Python user would pass) the neighbours agree at recall@10 >= 0.99.
# Usage: hnswlib_test.sh ITEM2VEC REPO
set -euo pipefail
ITEM2VEC=$1 REPO=$2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh" hnswlib hnswlib,numpy
train_movielens 32
# 300 query items spread over the vocabulary.
awk -F'\t' 'NR % 8 == 1 { print $1 }' "$WORK/model/vocab.tsv" | head -300 > "$WORK/queries.txt"

for metric in cosine dot euclidean; do
  echo "== $metric"
  "$ITEM2VEC" index --model "$WORK/model" --metric "$metric" --threads 2 > "$WORK/index-$metric.log" 2>&1 ||
    fail "item2vec index --metric $metric: $(tail -3 "$WORK/index-$metric.log")"
  "$ITEM2VEC" similar --model "$WORK/model" --index --ef 40 -k 10 --metric "$metric" \
    --items-file "$WORK/queries.txt" > "$WORK/similar-$metric.txt" 2> /dev/null || fail "similar --index --metric $metric"
  $PY - "$WORK/model/model/vectors.bin" "$metric" "$WORK/similar-$metric.txt" <<'PY' || fail "hnswlib, metric $metric"
import sys
import hnswlib
import numpy as np
from word2vec_bin import read_bin
vectors_bin, metric, similar = sys.argv[1:4]
# The index description next to the vectors names the graph (item2vec index's META file).
meta = dict(l.rstrip("\n").split(" ", 1) for l in open(vectors_bin + "." + metric + ".index") if " " in l)
graph = vectors_bin.rsplit("/", 1)[0] + "/" + meta["graph"]
dim, n = int(meta["dim"]), int(meta["items"])
items, rows = read_bin(vectors_bin)
assert len(items) == n and rows.shape[1] == dim
row_of = {item: i for i, item in enumerate(items)}
ours = {}
for block in open(similar).read().strip().split("\n\n"):
    lines = block.split("\n")
    ours[lines[0][2:].split("\t")[0]] = [l.split("\t")[1] for l in lines[1:]]
assert len(ours) == 300, len(ours)

index = hnswlib.Index(space="l2" if metric == "euclidean" else "ip", dim=dim)
index.load_index(graph)
assert index.get_current_count() == n and sorted(index.get_ids_list()) == list(range(n)), "labels are not the rows"
index.set_ef(40)
for item, neighbours in ours.items():
    label = row_of[item]
    stored = np.array(index.get_items([label]), dtype=np.float32)  # the row as the graph holds it
    labels, _ = index.knn_query(stored, k=11)
    theirs = [items[l] for l in labels[0] if l != label][:10]
    assert set(theirs) == set(neighbours), "%s: hnswlib %s, item2vec %s" % (item, theirs, neighbours)
if metric == "cosine":  # what a Python user would do: space 'cosine', the raw vectors
    cos = hnswlib.Index(space="cosine", dim=dim)
    cos.load_index(graph)
    cos.set_ef(40)
    queries = list(ours)
    labels, _ = cos.knn_query(np.array([rows[row_of[q]] for q in queries]), k=11)
    hits = sum(len(set(items[l] for l in labels[i] if items[l] != q) & set(ours[q])) for i, q in enumerate(queries))
    recall = hits / (10.0 * len(queries))
    assert recall >= 0.99, "space 'cosine' with raw vectors: recall@10 %.4f" % recall
    print("ok: space 'cosine' on the raw vectors agrees at recall@10 %.4f" % recall)
print("ok: %s: hnswlib opens %s (%d items) and returns item2vec's neighbours for all %d queries"
      % (metric, meta["graph"], n, len(ours)))
PY
done
echo "ok: Python's hnswlib opens every index item2vec writes"
