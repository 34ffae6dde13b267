#!/usr/bin/python3
"""Why EGES's own cold vectors lose on ml-100k: other cold vectors from the same trained EGES
models (docs/side_info.md, "Cold vectors: why the regression").

Reads the models scripts/bench/eges_bench.py left in --out (DATASET-SEED/eges-attributes, trained
with --side-info-cold attributes: side_rows.i2v holds the attribute rows, each item's id row and
weight logits) and ranks the same cold records as the bench with these cold vectors, the warm
movies' vectors and the queries left as trained:
  - attributes: EGES's rule (the attribute rows weighted by softmax of the mean logits), rebuilt
    here from side_rows.i2v (checked against vectors.txt);
  - id mean: the same softmax over the id and the columns, the missing id row filled in with the
    mean id row of all trained items;
  - id mean by attribute: ... filled in with the mean, over the item's columns, of the mean id
    row of the trained items holding each of its values of that column;
  - regression: a ridge regression (lambda 1) of the trained items' vectors on their attributes
    (train's default --side-info-cold regression);
  - attribute mean in EGES space: the bench's baseline rule applied to the EGES vectors.
Usage: scripts/bench/eges_cold_variants.py [--out /tmp/eges_bench] [--seeds 1,2,3,4,5]
       [--datasets ml-100k,ml-latest-small]
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eges_bench as eb  # noqa: E402


def read_matrix(path, dim):
    """A MatrixFile's rows (common/matrix_file.h): magic, header size, header, floats, checksum."""
    b = open(path, "rb").read()
    header = int.from_bytes(b[8:16], "little")
    return np.frombuffer(b[16 + header:-8], dtype="<f4").reshape(-1, dim).astype(np.float64)


def variants(ds, seed, out):
    attrs, events = eb.load_100k() if ds == "ml-100k" else eb.load_small()
    _, _, cold_test, cold = eb.split(attrs, events, seed)
    work = os.path.join(out, f"{ds}-{seed}")
    plain = eb.load_vectors(os.path.join(work, "plain", "vectors.txt"))
    model = os.path.join(work, "eges-attributes", "model")
    eges = eb.load_vectors(os.path.join(model, "vectors.txt"))
    dim = len(next(iter(eges.values())))
    vocab = [l.rstrip("\n").split("\t") for l in open(os.path.join(model, "vocab.tsv"))]
    trained = [v for v, c in vocab if int(c) > 0]
    names = [l.rstrip("\n") for l in open(os.path.join(model, "side_values.tsv"))][1:]
    rows = read_matrix(os.path.join(model, "side_rows.i2v"), dim)
    E, W, L = rows[:len(names)], rows[len(names)::2][:len(trained)], rows[len(names) + 1::2][:len(trained)]
    value = {n: k for k, n in enumerate(names)}
    years = [(float(m.group(1)), float(m.group(2)), value[n]) for n in names
             for m in [re.match(r"year=\[([-inf0-9.]+),([inf0-9.]+)\)", n)] if m]

    def parts(movie):  # [(column, [value ids])], as common/side_layout.h
        g, y = attrs[movie]
        out = [(0, [value["genres=" + x] for x in g])] if g else []
        return out + ([(1, [k for lo, hi, k in years if lo <= int(y) < hi])] if y.isdigit() else [])

    pos = {v: k for k, v in enumerate(trained)}
    have = [v for v in trained if v in attrs and parts(v)]
    logits = L[[pos[v] for v in have]][:, :3].mean(0)

    def mix(movie, id_row=None):
        ps = [(logits[1 + c], E[vs].mean(0)) for c, vs in parts(movie)]
        ps = ([(logits[0], id_row)] if id_row is not None else []) + ps
        if not ps:
            return np.zeros(dim)
        s = np.exp(np.array([a for a, _ in ps]) - max(a for a, _ in ps))
        return sum(w * v for w, v in zip(s / s.sum(), [v for _, v in ps]))

    held = [m for m in attrs if m in cold]
    assert max(np.abs(mix(c) - eges[c]).max() for c in held) < 1e-3, "side_rows.i2v does not give vectors.txt"
    by_value = {}
    for v in have:
        for _, vs in parts(v):
            for k in vs:
                by_value.setdefault(k, []).append(W[pos[v]])
    mean_id = W[[pos[v] for v in have]].mean(0)

    def id_by_attribute(c):
        cols = [np.mean([np.mean(by_value[k], 0) for k in vs if k in by_value], 0)
                for _, vs in parts(c) if any(k in by_value for k in vs)]
        return np.mean(cols, 0) if cols else mean_id

    def x(movie):
        f = np.zeros(len(names) + 1)
        f[-1] = 1
        for _, vs in parts(movie):
            f[vs] += 1.0 / len(vs)
        return f
    X = np.array([x(v) for v in have])
    B = np.linalg.solve(X.T @ X + np.eye(X.shape[1]), X.T @ np.array([eges[v] for v in have]))
    warm = [m for m in attrs if m not in cold and m in plain]
    cold_test = [(q, t) for q, t in cold_test if q in plain]
    colds = {"attributes": {c: mix(c) for c in held},
             "id mean": {c: mix(c, mean_id) for c in held},
             "id mean by attribute": {c: mix(c, id_by_attribute(c)) for c in held},
             "regression": {c: x(c) @ B for c in held},
             "attribute mean in EGES space": eb.attribute_mean(eges, held, warm, attrs, eb.year_buckets(attrs))}
    return {k: eb.rank_metrics(dict(eges, **v), warm + held, cold_test)[0] for k, v in colds.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="/tmp/eges_bench")
    p.add_argument("--seeds", default="1,2,3,4,5")
    p.add_argument("--datasets", default="ml-100k,ml-latest-small")
    args = p.parse_args()
    print("| dataset (seeds) | cold vectors in the EGES model | cold HR@10 | per seed |")
    print("|---|---|---|---|")
    for ds in args.datasets.split(","):
        seeds = [int(s) for s in args.seeds.split(",")]
        res = [variants(ds, s, args.out) for s in seeds]
        for k in res[0]:
            v = [r[k] for r in res]
            print(f"| {ds} ({len(seeds)}) | {k} | {np.mean(v):.4f} ± {np.std(v):.4f} | "
                  f"{' '.join(f'{x:.4f}' for x in v)} |", flush=True)


if __name__ == "__main__":
    main()
