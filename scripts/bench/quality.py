#!/usr/bin/python3
"""Embedding quality for the item2vec benchmark.

Two measures, each printed as one JSON object on stdout:

  neighbours   Neighbour precision@K against planted clusters (synthetic corpus from
               item2vec-gen-corpus): for a fixed-seed sample of query items, the fraction of
               each query's K nearest neighbours (cosine, all items of the vectors file, the
               query itself excluded) that share the query's cluster, averaged over queries.
  next-item    Next-item HR@K and NDCG@K (MovieLens hold-out from prep_movielens.py): for each
               test record `user<TAB>next<TAB>history`, query with the last history item, rank
               every item of the vectors file by cosine (the query excluded); a hit is `next`
               in the top K, NDCG credits 1/log2(rank+2). A query or target missing from the
               vectors counts as a miss. With --train, the popularity baseline (most frequent
               training items, the query excluded) is scored on the same records.
               --query mean (basket or set completion): the query is the mean of the unit
               vectors of the history items the vectors know, and every history item is
               excluded from the ranking (a record with no known history item is a miss).

Vectors are word2vec text (`N D` header, then `item v1 .. vD`; fastText .vec is the same) or
word2vec binary (`N D\\n`, then `item ` + D little-endian float32, optional newline); the
format is detected from the bytes. Needs numpy only (run it with /usr/bin/python3, which has
numpy on this machine).

Examples:
  quality.py neighbours --vectors out/vectors.bin --clusters corpus/clusters.tsv \\
      --counts corpus/counts.tsv
  quality.py next-item --vectors out/vectors.txt --test ml/test.tsv --train ml/train.txt
"""
import argparse
import json
import math
import sys

try:
    import numpy as np
except ImportError:  # pragma: no cover - depends on the interpreter
    sys.exit("quality.py: numpy is missing for %s; run it with /usr/bin/python3 "
             "(apt-get install -y python3-numpy)" % sys.executable)


def load_vectors(path):
    """Returns (items, matrix float32 [N, D]) from a word2vec text or binary file."""
    with open(path, "rb") as f:
        data = f.read()
    nl = data.find(b"\n")
    if nl < 0:
        raise ValueError("%s: no header line" % path)
    try:
        n, d = (int(x) for x in data[:nl].split())
    except ValueError:
        raise ValueError("%s: the first line is not `count dim`" % path)
    body = data[nl + 1:]
    # Text if the first record is a line of an item and d numbers; binary otherwise (item
    # names may be any UTF-8, so looking for high bytes alone would not do).
    first = body[:body.find(b"\n") if b"\n" in body else len(body)].split()
    is_binary = True
    if len(first) == d + 1:
        try:
            [float(x) for x in first[1:]]
            is_binary = False
        except ValueError:
            pass
    items = []
    if is_binary:
        mat = np.empty((n, d), dtype=np.float32)
        pos = 0
        row_bytes = 4 * d
        for i in range(n):
            while body[pos:pos + 1] in (b"\n", b" "):
                pos += 1
            sp = body.find(b" ", pos)
            if sp < 0:
                raise ValueError("%s: truncated at vector %d of %d" % (path, i, n))
            items.append(body[pos:sp].decode("utf-8", "replace"))
            pos = sp + 1
            if pos + row_bytes > len(body):
                raise ValueError("%s: truncated at vector %d of %d" % (path, i, n))
            mat[i] = np.frombuffer(body, dtype="<f4", count=d, offset=pos)
            pos += row_bytes
    else:
        lines = body.split(b"\n")
        rows = []
        for line in lines:
            parts = line.split()
            if not parts:
                continue
            if len(parts) != d + 1:
                raise ValueError("%s: a line has %d fields, expected %d" % (path, len(parts), d + 1))
            items.append(parts[0].decode("utf-8", "replace"))
            rows.append(b" ".join(parts[1:]))
        if len(items) != n:
            raise ValueError("%s: header says %d vectors, found %d" % (path, n, len(items)))
        mat = np.array(b" ".join(rows).split(), dtype=np.float32).reshape(n, d)
    return items, mat


def normalise(mat):
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return mat / norms


def top_k(unit, query_rows, k, chunk=256):
    """Indices [len(query_rows), k] of the k most cosine-similar rows, the query excluded."""
    out = np.empty((len(query_rows), k), dtype=np.int64)
    for start in range(0, len(query_rows), chunk):
        q = np.asarray(query_rows[start:start + chunk])
        sims = unit[q] @ unit.T
        sims[np.arange(len(q)), q] = -np.inf
        part = np.argpartition(-sims, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        out[start:start + len(q)] = np.take_along_axis(part, order, axis=1)
    return out


def read_tsv_pairs(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                yield parts[0], parts[1]


def neighbours(args):
    items, mat = load_vectors(args.vectors)
    index = {w: i for i, w in enumerate(items)}
    cluster = {item: c for item, c in read_tsv_pairs(args.clusters)}
    candidates = [w for w in items if w in cluster]
    if args.counts:
        counts = {item: int(c) for item, c in read_tsv_pairs(args.counts)}
        candidates = [w for w in candidates if counts.get(w, 0) >= args.query_min_count]
    if not candidates:
        sys.exit("quality.py: no query items: none of the vectors' items is in %s%s" %
                 (args.clusters, " with count >= %d" % args.query_min_count if args.counts else ""))
    # The sample depends on the seed and the candidate set only, not on the file's row order.
    candidates.sort()
    rng = np.random.default_rng(args.seed)
    take = min(args.queries, len(candidates))
    queries = [candidates[i] for i in sorted(rng.choice(len(candidates), size=take, replace=False))]
    rows = [index[q] for q in queries]
    unit = normalise(mat)
    nn = top_k(unit, rows, args.k)
    row_cluster = np.array([cluster.get(w, "\0none") for w in items], dtype=object)
    hits = 0
    for r, neigh in zip(rows, nn):
        hits += int(np.sum(row_cluster[neigh] == row_cluster[r]))
    result = {
        "measure": "neighbour_precision",
        "k": args.k,
        "precision": hits / (take * args.k),
        "queries": take,
        "candidates": len(candidates),
        "vocab": len(items),
        "clusters": len(set(cluster.values())),
    }
    print(json.dumps(result))


def read_test(path):
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[2].split():
                sys.exit("quality.py: %s:%d: expected user<TAB>next<TAB>history (non-empty)" % (path, n))
            records.append((parts[0], parts[1], parts[2].split()))
    return records


def score_ranks(ranks, k):
    """ranks: 0-based rank of the target or None for a miss."""
    hr = sum(1 for r in ranks if r is not None and r < k) / len(ranks)
    ndcg = sum(1.0 / math.log2(r + 2) for r in ranks if r is not None and r < k) / len(ranks)
    return hr, ndcg


def target_ranks(unit, queries, excluded, targets, k, chunk=256):
    """0-based rank of each target (or None when it is -1 or not in the top k) among all items
    ranked by cosine with the query vectors (`queries`: a row index or a unit vector each),
    the rows in `excluded` (one list per query) left out of the ranking. The rank is the
    number of items scoring strictly higher than the target."""
    ranks = []
    for start in range(0, len(queries), chunk):
        part = queries[start:start + chunk]
        q = np.stack([unit[x] if np.isscalar(x) else x for x in part])
        sims = q @ unit.T
        for r, rows in enumerate(excluded[start:start + chunk]):
            sims[r, rows] = -np.inf
        tgt = np.asarray(targets[start:start + chunk])
        ts = sims[np.arange(len(part)), np.maximum(tgt, 0)]
        rank = (sims > ts[:, None]).sum(axis=1)
        ranks += [int(x) if t >= 0 and x < k and np.isfinite(s) else None for x, t, s in zip(rank, tgt, ts)]
    return ranks


def mean_query_ranks(unit, index, records, k):
    """0-based rank (or None) of each record's target among items ranked by cosine with the
    mean of its history's unit vectors, history items excluded."""
    known = [(i, [index[h] for h in hist if h in index]) for i, (_, _, hist) in enumerate(records)]
    known = [(i, rows) for i, rows in known if rows]
    queries = []
    for _, rows in known:
        v = unit[rows].mean(axis=0)
        queries.append(v / max(np.linalg.norm(v), 1e-12))
    ranks = [None] * (len(records) - len(known))
    ranks += target_ranks(unit, queries, [rows for _, rows in known],
                          [index.get(records[i][1], -1) for i, _ in known], k)
    return ranks


def next_item(args):
    records = read_test(args.test)
    if not records:
        sys.exit("quality.py: %s holds no test records" % args.test)
    result = {"measure": "next_item", "k": args.k, "records": len(records), "query": args.query}
    if args.vectors and args.query == "mean":
        items, mat = load_vectors(args.vectors)
        index = {w: i for i, w in enumerate(items)}
        ranks = mean_query_ranks(normalise(mat), index, records, min(args.k, len(items) - 1))
        result["hr"], result["ndcg"] = score_ranks(ranks, args.k)
        result["query_coverage"] = sum(1 for _, _, h in records if any(x in index for x in h)) / len(records)
        result["vocab"] = len(items)
    elif args.vectors:
        items, mat = load_vectors(args.vectors)
        index = {w: i for i, w in enumerate(items)}
        unit = normalise(mat)
        k = min(args.k, len(items) - 1)
        known = [(index[h[-1]], index.get(nxt, -1)) for _, nxt, h in records if h[-1] in index]
        ranks = [None] * (len(records) - len(known))
        ranks += target_ranks(unit, [q for q, _ in known], [[q] for q, _ in known], [t for _, t in known], k)
        result["hr"], result["ndcg"] = score_ranks(ranks, args.k)
        result["query_coverage"] = len(known) / len(records)
        result["vocab"] = len(items)
    if args.train:
        counts = {}
        with open(args.train, encoding="utf-8") as f:
            for line in f:
                for w in line.split():
                    counts[w] = counts.get(w, 0) + 1
        ranks = []
        popular = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        for _, nxt, hist in records:
            excluded = set(hist) if args.query == "mean" else {hist[-1]}
            top = []
            for w in popular:
                if w not in excluded:
                    top.append(w)
                    if len(top) == args.k:
                        break
            ranks.append(top.index(nxt) if nxt in top else None)
        result["popularity_hr"], result["popularity_ndcg"] = score_ranks(ranks, args.k)
    if not args.vectors and not args.train:
        sys.exit("quality.py next-item: give --vectors, --train or both")
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("neighbours", help="neighbour precision@K against planted clusters")
    p.add_argument("--vectors", required=True, help="word2vec text or binary vectors")
    p.add_argument("--clusters", required=True, help="item<TAB>cluster_id ground truth")
    p.add_argument("--counts", help="item<TAB>count; with it, queries need --query-min-count")
    p.add_argument("--query-min-count", type=int, default=10,
                   help="minimum corpus count of a query item (default 10; needs --counts)")
    p.add_argument("--queries", type=int, default=2000, help="query items sampled (default 2000)")
    p.add_argument("--k", type=int, default=10, help="neighbours per query (default 10)")
    p.add_argument("--seed", type=int, default=1, help="seed of the query sample (default 1)")
    p.set_defaults(func=neighbours)
    p = sub.add_parser("next-item", help="next-item HR@K / NDCG@K on a hold-out")
    p.add_argument("--vectors", help="word2vec text or binary vectors")
    p.add_argument("--test", required=True, help="user<TAB>next<TAB>history records")
    p.add_argument("--train", help="training sequences; adds the popularity baseline")
    p.add_argument("--k", type=int, default=10, help="cut-off (default 10)")
    p.add_argument("--query", choices=["last", "mean"], default="last",
                   help="last: the last history item (default); mean: the mean of the history's unit "
                        "vectors, every history item excluded from the ranking (basket completion)")
    p.set_defaults(func=next_item)
    args = parser.parse_args()
    try:
        args.func(args)
    except (OSError, ValueError) as e:
        sys.exit("quality.py: %s" % e)


if __name__ == "__main__":
    main()
