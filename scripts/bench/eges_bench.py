#!/usr/bin/python3
"""Cold items with side information (train --side-info, EGES) against random vectors and the
attribute-mean baseline, and EGES against plain item2vec on warm items (issue 31).

Per dataset (ml-latest-small: genres and the year from the title; ml-100k: u.item's genre flags
and release year, skipped when /work/shared/data/ml-100k is absent):
  - each user's movies rated >= 3.5 in time order; 10 % of the movies (seeded) are held out
    entirely: no event of theirs is in the training sequences;
  - each user's last warm movie is the warm test (query: the warm movie before it), the
    training sequences are the rest of the warm events;
  - cold test: every event of a held-out movie whose user has a warm movie before it (query:
    that most recent warm movie); all movies are ranked by cosine to the query (the query
    itself left out), HR@10 / NDCG@10 of the held-out movie;
  - genre overlap: the mean Jaccard overlap of a cold movie's genres with those of its 10
    nearest warm movies;
  - warm HR@10 / NDCG@10 ranks the warm movies only (the same candidates for both models).
  - warm HR@10 mixed: the warm test records ranked among all movies, cold ones included (what
    crowding costs the warm recommendations);
  - cold share: the mean share of cold movies in the top 10 of the cold records' queries (a
    method that puts every cold movie near every query wins cold HR@10 by crowding the warm
    movies out of the lists: read the two together).
Compared: random cold vectors with plain item2vec (today), the attribute-mean baseline (a cold
movie's vector = the mean, over its attribute values, of the mean normalised plain vector of the
warm movies holding that value), the attribute regression on plain item2vec (a ridge regression
of the warm movies' plain vectors on their attributes, lambda 1, the features of
common/attribute_regression.h), and train --side-info (EGES) with its two cold rules:
--side-info-cold attributes (EGES's own: the attribute rows weighted by the mean weights) and
regression (the default). The training time ratio is train_seconds of train.json, side
information (the default run) over plain, same epochs.

Usage: scripts/bench/eges_bench.py [--bin build/bin/item2vec] [--seeds 1,2,3] [--out DIR]
       [--np 3] [--datasets ml-latest-small,ml-100k] [--json FILE] [--side-args "--side-info-dropout 0"]
Runs mpirun -np NP item2vec train with configs/movielens.ini; run it under `nice`.
"""
import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ML100K = "/work/shared/data/ml-100k"


def load_small():
    d = os.path.join(REPO, "data", "ml-latest-small")
    attrs = {}
    with open(os.path.join(d, "movies.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            m = re.search(r"\((\d{4})\)\s*$", r["title"].strip())
            genres = [] if r["genres"] == "(no genres listed)" else r["genres"].split("|")
            attrs[r["movieId"]] = (genres, m.group(1) if m else "")
    events = []
    with open(os.path.join(d, "ratings.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if float(r["rating"]) >= 3.5:
                events.append((r["userId"], int(r["timestamp"]), r["movieId"]))
    return attrs, events


def load_100k():
    names = [l.split("|")[0] for l in open(os.path.join(ML100K, "u.genre"), encoding="latin-1") if "|" in l]
    attrs = {}
    for line in open(os.path.join(ML100K, "u.item"), encoding="latin-1"):
        f = line.rstrip("\n").split("|")
        if len(f) < 24:
            continue
        genres = [names[i] for i, flag in enumerate(f[5:24]) if flag == "1" and names[i] != "unknown"]
        attrs[f[0]] = (genres, f[2][-4:] if len(f[2]) >= 4 else "")
    events = []
    for line in open(os.path.join(ML100K, "u.data")):
        u, i, r, t = line.split("\t")
        if float(r) >= 3.5:
            events.append((u, int(t), i))
    return attrs, events


def split(attrs, events, seed):
    """Training sequences, warm test pairs, cold test pairs, the cold movies."""
    rng = random.Random(seed)
    movies = sorted({i for _, _, i in events})
    cold = set(rng.sample(movies, len(movies) // 10))
    by_user = {}
    for u, t, i in sorted(events, key=lambda e: (e[0], e[1])):
        by_user.setdefault(u, []).append(i)
    train, warm_test, cold_test = [], [], []
    for seq in by_user.values():
        warm = [i for i in seq if i not in cold]
        if len(warm) >= 3:
            warm_test.append((warm[-2], warm[-1]))
            train.append(warm[:-1])
        last_warm = None
        for i in seq:
            if i in cold:
                if last_warm is not None:
                    cold_test.append((last_warm, i))
            else:
                last_warm = i
    return train, warm_test, cold_test, cold


def load_vectors(path):
    with open(path, encoding="utf-8") as f:
        n, d = map(int, f.readline().split())
        items, rows = [], np.zeros((n, d), dtype=np.float64)
        for k, line in enumerate(f):
            p = line.rstrip("\n").split(" ")
            items.append(p[0])
            rows[k] = [float(x) for x in p[1:d + 1]]
    return dict(zip(items, rows))


def normalise(m):
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def rank_metrics(vectors, candidates, pairs, k=10):
    """HR@k and NDCG@k of the target among `candidates` ranked by cosine to the query. `pairs`
    must hold queries and targets that every compared model has (the caller filters them)."""
    index = {c: n for n, c in enumerate(candidates)}
    m = normalise(np.array([vectors[c] for c in candidates]))
    hits = ndcg = 0.0
    for q, t in pairs:
        qv = vectors[q] / max(np.linalg.norm(vectors[q]), 1e-12)
        s = m @ qv
        if q in index:
            s[index[q]] = -np.inf
        rank = int((s > s[index[t]]).sum())
        if rank < k:
            hits += 1
            ndcg += 1.0 / np.log2(rank + 2)
    n = max(len(pairs), 1)
    return hits / n, ndcg / n, len(pairs)


def genre_overlap(vectors, cold, warm, attrs, k=10):
    w = [x for x in warm if x in vectors]
    m = normalise(np.array([vectors[x] for x in w]))
    total, n = 0.0, 0
    for c in cold:
        g = set(attrs[c][0])
        if c not in vectors or not g:
            continue
        s = m @ (vectors[c] / max(np.linalg.norm(vectors[c]), 1e-12))
        top = np.argsort(-s)[:k]
        total += np.mean([len(g & set(attrs[w[j]][0])) / max(len(g | set(attrs[w[j]][0])), 1) for j in top])
        n += 1
    return total / max(n, 1)


def attribute_mean(plain, cold, warm, attrs, year_bucket):
    """A cold movie's vector: the mean over its attribute values of the warm movies' mean."""
    sums = {}
    for x in warm:
        if x not in plain:
            continue
        v = plain[x] / max(np.linalg.norm(plain[x]), 1e-12)
        for a in ["g=" + g for g in attrs[x][0]] + ["y=" + year_bucket(attrs[x][1])]:
            s = sums.setdefault(a, [np.zeros_like(v), 0])
            s[0] += v
            s[1] += 1
    out = {}
    dim = len(next(iter(plain.values())))
    for c in cold:
        parts = [sums[a][0] / sums[a][1] for a in ["g=" + g for g in attrs[c][0]] + ["y=" + year_bucket(attrs[c][1])]
                 if a in sums]
        out[c] = np.mean(parts, axis=0) if parts else np.zeros(dim)
    return out


def attribute_regression(plain, cold, warm, attrs, year_bucket, lam=1.0):
    """A cold movie's vector: a ridge regression of the warm movies' plain vectors on their
    attributes (genres, 1/m each of m; the year bucket; an intercept), as train --side-info-cold
    regression fits the EGES vectors."""
    names = sorted({"g=" + g for genres, _ in attrs.values() for g in genres} |
                   {"y=" + year_bucket(y) for _, y in attrs.values()})
    index = {n: k for k, n in enumerate(names)}

    def features(m):
        x = np.zeros(len(names) + 1)
        x[-1] = 1
        for g in attrs[m][0]:
            x[index["g=" + g]] += 1.0 / len(attrs[m][0])
        if attrs[m][1].isdigit():  # an unknown year: no year part, as in train --side-info
            x[index["y=" + year_bucket(attrs[m][1])]] = 1
        return x
    fit = [m for m in warm if m in plain]
    x = np.array([features(m) for m in fit])
    b = np.linalg.solve(x.T @ x + lam * np.eye(x.shape[1]), x.T @ np.array([plain[m] for m in fit]))
    return {c: features(c) @ b for c in cold}


def cold_share(vectors, candidates, cold, pairs, k=10):
    """The mean share of cold movies in the top k of the records' queries."""
    m = normalise(np.array([vectors[c] for c in candidates]))
    is_cold = np.array([c in cold for c in candidates])
    index = {c: n for n, c in enumerate(candidates)}
    shares = []
    for q in sorted({q for q, _ in pairs}):
        s = m @ (vectors[q] / max(np.linalg.norm(vectors[q]), 1e-12))
        if q in index:
            s[index[q]] = -np.inf
        shares.append(is_cold[np.argsort(-s)[:k]].mean())
    return float(np.mean(shares)) if shares else 0.0


def train(args, seqs_dir, out, side, seed, more=()):
    cmd = ["mpirun", "--oversubscribe", "-np", str(args.np), args.bin, "train", "--config",
           os.path.join(REPO, "configs", "movielens.ini"), "--input", seqs_dir, "--output", out, "--seed", str(seed),
           "--report", "false", "--log-level", "warn"]
    if side:
        cmd += ["--side-info", side] + args.side_args.split() + list(more)
    subprocess.run(cmd, check=True)
    with open(os.path.join(out, "train.json")) as f:
        return json.load(f)["train_seconds"]


def year_buckets(attrs):
    years = sorted(int(y) for _, y in attrs.values() if y.isdigit())
    edges = sorted({years[len(years) * b // 10] for b in range(1, 10)})
    return lambda y: str(sum(1 for e in edges if y.isdigit() and int(y) >= e)) if y.isdigit() else "?"


def run_dataset(args, name, attrs, events, seed):
    work = os.path.join(args.out, f"{name}-{seed}")
    os.makedirs(os.path.join(work, "seqs"), exist_ok=True)
    train_seqs, warm_test, cold_test, cold = split(attrs, events, seed)
    with open(os.path.join(work, "seqs", "part-0"), "w") as f:
        for s in train_seqs:
            f.write(" ".join(s) + "\n")
    side = os.path.join(work, "items.tsv")
    with open(side, "w") as f:
        f.write("movie\tgenres\tyear\n")
        for m, (g, y) in attrs.items():
            f.write(f"{m}\t{'|'.join(g)}\t{y}\n")
    t_plain = train(args, os.path.join(work, "seqs"), os.path.join(work, "plain"), None, seed)
    t_side = train(args, os.path.join(work, "seqs"), os.path.join(work, "eges"), side, seed)
    train(args, os.path.join(work, "seqs"), os.path.join(work, "eges-attributes"), side, seed,
          ["--side-info-cold", "attributes"])
    plain = load_vectors(os.path.join(work, "plain", "vectors.txt"))
    eges = load_vectors(os.path.join(work, "eges", "vectors.txt"))
    eges_attributes = load_vectors(os.path.join(work, "eges-attributes", "vectors.txt"))
    warm = [m for m in attrs if m not in cold and m in plain]
    cold_list = [m for m in attrs if m in cold]
    rng = np.random.default_rng(seed)
    dim = len(next(iter(plain.values())))
    scale = np.mean([np.linalg.norm(v) for v in plain.values()]) / np.sqrt(dim)
    rand = dict(plain, **{c: rng.normal(0, scale, dim) for c in cold_list})
    amean = dict(plain, **attribute_mean(plain, cold_list, warm, attrs, year_buckets(attrs)))
    aregression = dict(plain, **attribute_regression(plain, cold_list, warm, attrs, year_buckets(attrs)))
    everything = warm + cold_list
    # The same records for every model: queries plain item2vec trained (>= --min-count events).
    cold_test = [(q, t) for q, t in cold_test if q in plain]
    warm_test = [(q, t) for q, t in warm_test if q in plain and t in plain]
    res = {"dataset": name, "seed": seed, "movies": len(attrs), "cold_movies": len(cold_list),
           "cold_events": len(cold_test), "chance_hr10": 10.0 / (len(everything) - 1), "plain_seconds": t_plain, "eges_seconds": t_side}
    for label, vec in [("random", rand), ("attribute_mean", amean), ("attribute_regression", aregression),
                       ("eges_attributes", eges_attributes), ("eges", eges)]:
        hr, ndcg, n = rank_metrics(vec, everything, cold_test)
        res[label] = {"cold_hr10": hr, "cold_ndcg10": ndcg, "cold_evaluated": n,
                      "cold_share10": cold_share(vec, everything, cold, cold_test),
                      # the warm test records ranked among warm and cold movies: what crowding costs
                      "warm_hr10_mixed": rank_metrics(vec, everything, warm_test)[0],
                      "genre_overlap": genre_overlap(vec, cold_list, warm, attrs)}
    for label, vec in [("plain", plain), ("eges", eges), ("eges_attributes", eges_attributes)]:
        hr, ndcg, n = rank_metrics(vec, warm, warm_test)
        res.setdefault("warm", {})[label] = {"hr10": hr, "ndcg10": ndcg, "evaluated": n}
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "item2vec"))
    p.add_argument("--seeds", default="1")
    p.add_argument("--np", type=int, default=3)
    p.add_argument("--out", default="/tmp/eges_bench")
    p.add_argument("--datasets", default="ml-latest-small,ml-100k")
    p.add_argument("--json", default="")
    p.add_argument("--side-args", default="", help="more train options for the --side-info run")
    args = p.parse_args()
    if os.getuid() == 0:
        os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    results = []
    for name in args.datasets.split(","):
        if name == "ml-100k" and not os.path.isfile(os.path.join(ML100K, "u.data")):
            print(f"skipping ml-100k: {ML100K} is absent", file=sys.stderr)
            continue
        attrs, events = load_small() if name == "ml-latest-small" else load_100k()
        for seed in [int(s) for s in args.seeds.split(",")]:
            r = run_dataset(args, name, attrs, events, seed)
            results.append(r)
            print(json.dumps(r), flush=True)
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


COLD_LABELS = [("random", "random vectors"), ("attribute_mean", "attribute mean"),
               ("attribute_regression", "attribute regression on plain"),
               ("eges_attributes", "EGES, --side-info-cold attributes"), ("eges", "EGES, --side-info-cold regression")]


def print_table(results):
    """Per dataset and method: mean ± standard deviation over the seeds."""
    print("| dataset (seeds) | cold vectors | cold HR@10 | cold NDCG@10 | cold share of top 10 | warm HR@10 among all "
          "| genre overlap |")
    print("|---|---|---|---|---|---|---|")
    for name in dict.fromkeys(r["dataset"] for r in results):
        rs = [r for r in results if r["dataset"] == name]
        ms = lambda f, p=4: f"{np.mean([f(r) for r in rs]):.{p}f} ± {np.std([f(r) for r in rs]):.{p}f}"
        print(f"| {name} ({len(rs)}) | chance (10 / movies) | {ms(lambda r: r['chance_hr10'])} | | | | |")
        for label, text in COLD_LABELS:
            cells = " | ".join(ms(lambda r: r[label][k]) for k in ("cold_hr10", "cold_ndcg10", "cold_share10", "warm_hr10_mixed",
                                                                 "genre_overlap"))
            print(f"| {name} ({len(rs)}) | {text} | {cells} |")
    print()
    print("| dataset (seeds) | warm HR@10 plain | warm HR@10 EGES | EGES / plain | time EGES / plain |")
    print("|---|---|---|---|---|")
    for name in dict.fromkeys(r["dataset"] for r in results):
        rs = [r for r in results if r["dataset"] == name]
        ms = lambda f, p=4: f"{np.mean([f(r) for r in rs]):.{p}f} ± {np.std([f(r) for r in rs]):.{p}f}"
        print(f"| {name} ({len(rs)}) | {ms(lambda r: r['warm']['plain']['hr10'])} | {ms(lambda r: r['warm']['eges']['hr10'])} | "
              f"{ms(lambda r: r['warm']['eges']['hr10'] / r['warm']['plain']['hr10'], 2)} | "
              f"{ms(lambda r: r['eges_seconds'] / r['plain_seconds'], 2)} |")


if __name__ == "__main__":
    main()
