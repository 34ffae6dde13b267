#!/usr/bin/python3
"""The quality panel: item2vec's defaults, its word2vec.c-exact mode, gensim and fastText at
5 epochs on corpora of different shapes, several seeds each, with each ratio to gensim and its
spread.

A speed or quality claim that holds on one corpus is not a result: the panel trains every tool
on every corpus below with the same settings and scores all of them with the same scorer
(the project's exact search: item2vec eval and item2vec similar), so a kernel or a default is judged on data it was not tuned on.

Corpora (--corpora; "full" sizes, --size small shrinks the synthetic ones for a quick check):
  hier      hierarchical clusters: item2vec-gen-corpus --shape hierarchical, 100k items in fine
            clusters of 10 inside coarse groups of 40 fine clusters, sessions a Markov walk
            (fine 55 %, group 30 %, anywhere 15 %), Zipf(0.9) popularity independent of the
            clusters, 10M tokens; fine-cluster P@10 over items seen >= 20 times, next-item
            HR@10 / NDCG@10 on held-out session ends (every 7th session, up to 20k records;
            every 2nd in the --size small versions)
  longtail  the same family with 300k items and 6M tokens (most items seen < 20 times), d=64;
            P@10 over items seen >= 10 times
  flat      the benchmark corpus: item2vec-gen-corpus --items 100k --noise 0.6, 10M tokens
            (flat planted clusters of 100 items); cluster P@10, next-item HR@10 / NDCG@10
  (The real corpora below train in seconds: they get --small-seeds, 10 by default.)
  ml-small  MovieLens ml-latest-small (bundled): ratings >= 3.5 in time order, each user's last
            movie held out (item2vec prep --holdout last); window 10 (configs/movielens.ini);
            next-item HR@10 / NDCG@10, query = the last movie
  ml-100k   MovieLens 100K from DATA/ml-100k (skipped when absent), the same hold-out
  lastfm    Last.fm (DATA/lastfm-hetrec2011-2k, skipped when absent): each user's artists as
            one set; one artist of every user with >= 3 held out; set mode (gensim: a window
            over the whole set, shrink_windows=False); completion HR@10 / NDCG@10: the query is
            the mean of the user's other artists' unit vectors, those excluded from the ranking
  retail    FIMI retail baskets (DATA/retail-fimi, skipped when absent) as sets; one item of
            every 10th basket with >= 3 items held out; completion HR@10 / NDCG@10

Tools (--tools): ours (item2vec train with its defaults plus --ours-args), exact
(--word2vec-exact), gensim (Word2Vec sg=1, corpus_file, as many threads as workers),
fasttext (skipgram, no subwords; sequence corpora only), and NAME=ARGS variants of ours
(--variant, e.g. --variant "pair=--kernel pair"). item2vec runs under mpirun with --layout
WORKERS+SERVERS (default 2+1). Settings on every corpus unless said: dim 100, window 5,
negative 5, sample 1e-3, min-count 5, 5 epochs, alpha 0.025 (item2vec: its default, which depends on
the corpus size: 0.03 up to 1.5M training tokens, 0.025 from 3M on).

Results: every run's scores go to WORK/runs/CORPUS/TOOL-sSEED/result.json and are reused
by a later panel only for the tools named in --reuse (default: gensim fasttext; their
output does not change with our code) and only when the command is the same. The table
(--results-md) has, per corpus and tool, tokens/s, each metric's mean and standard deviation
over the seeds, and the ratio of means to gensim with the lowest and highest per-seed ratio
(seed i of a tool against seed i of gensim). --check MIN exits 1 when ours (or each
variant) falls below MIN x gensim on P@10's or HR@10's mean ratio.

Examples:
  scripts/bench/quality_panel.py --results-md out/panel/panel.md
  scripts/bench/quality_panel.py --corpora hier,ml-small --seeds 1,2 --tools ours,gensim \\
      --variant "pair=--kernel pair" --results-md /tmp/p.md
  scripts/bench/quality_panel.py --size small --corpora hier,longtail,ml-small --check 0.97

Needs: mpirun, item2vec and item2vec-gen-corpus built (scripts/build.sh), /usr/bin/python3
with numpy and gensim, fasttext (scripts/install_deps.sh installs all of them).
"""
import argparse
import glob
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"
# The version of score(): a cached result scored otherwise is scored again from its kept
# vectors (gensim, fastText) or trained again.
SCORER = 2

COMMON = dict(dim=100, window=5, negative=5, sample=1e-3, min_count=5, alpha=0.025, epochs=5)

# name -> how to build it and how to train and score on it.
#   kind: synthetic (item2vec-gen-corpus), ml (item2vec prep), sets (a set file built here)
#   gen / gen_small: item2vec-gen-corpus options (full / --size small)
#   p_min_count: neighbour precision's query items need at least this many occurrences
CORPORA = {
    "hier": dict(kind="synthetic", metrics=["p10", "hr10", "ndcg10"],
                 gen="--shape hierarchical --items 100k --tokens 10M --zipf 0.9 --mean-session 28 --seed 11",
                 gen_small="--shape hierarchical --items 20k --tokens 1500k --zipf 0.9 --mean-session 28 --seed 11",
                 gen_medium="--shape hierarchical --items 40k --tokens 3M --zipf 0.9 --mean-session 28 --seed 11",
                 p_min_count=20),
    "longtail": dict(kind="synthetic", metrics=["p10", "hr10", "ndcg10"], dim=64,
                     gen="--shape hierarchical --items 300k --tokens 6M --zipf 0.9 --mean-session 28 --seed 12",
                     gen_small="--shape hierarchical --items 60k --tokens 1200k --zipf 0.9 --mean-session 28 --seed 12",
                     p_min_count=10),
    "flat": dict(kind="synthetic", metrics=["p10", "hr10", "ndcg10"],
                 gen="--items 100k --tokens 10M --noise 0.6 --seed 1",
                 gen_small="--items 20k --tokens 1500k --noise 0.6 --seed 1",
                 p_min_count=20),
    "ml-small": dict(kind="ml", few_tokens=True, metrics=["hr10", "ndcg10"], window=10,
                     source="data/ml-latest-small/ratings.csv",
                     prep="--user-col userId --item-col movieId --time-col timestamp --rating-col rating "
                          "--min-rating 3.5 --holdout last"),
    "ml-100k": dict(kind="ml", few_tokens=True, metrics=["hr10", "ndcg10"], window=10, source="@data/ml-100k/u.data",
                    prep="--header no --user-col 1 --item-col 2 --rating-col 3 --time-col 4 "
                         "--min-rating 3.5 --holdout last"),
    "lastfm": dict(kind="sets", few_tokens=True, metrics=["hr10", "ndcg10"], source="@data/lastfm-hetrec2011-2k/user_artists.dat"),
    "retail": dict(kind="sets", few_tokens=True, metrics=["hr10", "ndcg10"], source="@data/retail-fimi/retail.dat"),
}
METRIC_NAMES = {"p10": "P@10", "hr10": "HR@10", "ndcg10": "NDCG@10"}
# What --check holds the defaults to (the targets: cluster precision and HR@10; NDCG@10 is shown).
CHECKED_METRICS = ("p10", "hr10")
# gensim's window in set mode: at least the longest set, so every other item is a context.
SET_WINDOW = 1000


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def die(msg):
    sys.exit("quality_panel.py: " + msg)


def run(cmd, out_path=None, timeout=None, env=None):
    """Runs cmd (a list), stdout+stderr to out_path; returns the exit code."""
    with open(out_path or os.devnull, "w") as out:
        try:
            return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, env=env).returncode
        except subprocess.TimeoutExpired:
            return 124


def settings(corpus):
    s = dict(COMMON)
    for k in ("dim", "window"):
        if k in CORPORA[corpus]:
            s[k] = CORPORA[corpus][k]
    return s


# --- corpus preparation ------------------------------------------------------------------------
class Corpus:
    """A prepared corpus: train_input (what item2vec reads), one_file (gensim, fastText), test.tsv."""

    def __init__(self, name, spec, args):
        self.name, self.spec, self.args = name, spec, args
        size = args.size if spec["kind"] == "synthetic" else "full"
        if size != "full" and "gen_" + size not in spec:
            die("corpus %s has no --size %s version" % (name, size))
        self.dir = os.path.join(args.work, "corpora", name + ("" if size == "full" else "-" + size))
        self.gen_options = spec.get("gen" if size == "full" else "gen_" + size, "")
        self.set_mode = spec["kind"] == "sets"
        # Synthetic hold-out: every 7th session, at most 20,000 records; the small versions hold
        # out every 2nd, so their fewer sessions still give HR@10 enough records to resolve 3 %.
        self.holdout_every = {"small": 2, "medium": 4}.get(size, 7)

    def source_path(self):
        src = self.spec.get("source", "")
        return os.path.join(self.args.data, src[len("@data/"):]) if src.startswith("@data/") else os.path.join(REPO, src)

    def available(self):
        return self.spec["kind"] == "synthetic" or os.path.exists(self.source_path())

    def prepare(self):
        stamp = os.path.join(self.dir, "ready.json")
        key = {"kind": self.spec["kind"], "gen": self.gen_options, "prep": self.spec.get("prep", ""),
               "holdout_every": self.holdout_every, "version": 2}
        if os.path.exists(stamp) and json.load(open(stamp)) == key:
            return
        log("preparing corpus %s in %s" % (self.name, self.dir))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        getattr(self, "prepare_" + self.spec["kind"])()
        with open(stamp, "w") as f:
            json.dump(key, f)

    def prepare_synthetic(self):
        check([self.args.gen_corpus, "--output", self.dir] + self.gen_options.split(), "item2vec-gen-corpus")
        check([PY, os.path.join(HERE, "holdout_sessions.py"), self.dir, "--all-parts", "--records", "20000",
               "--every", str(self.holdout_every)], "holdout_sessions.py")
        concat(sorted(glob.glob(os.path.join(self.dir, "train", "part-*"))), os.path.join(self.dir, "train_all.txt"))

    def prepare_ml(self):
        out = os.path.join(self.dir, "prep")
        check([self.args.item2vec, "prep", "--input", self.source_path(), "--output", out]
              + self.spec["prep"].split(), "item2vec prep")
        os.rename(os.path.join(out, "test.tsv"), os.path.join(self.dir, "test.tsv"))
        os.rename(os.path.join(out, "train"), os.path.join(self.dir, "train"))
        concat(sorted(glob.glob(os.path.join(self.dir, "train", "part-*"))), os.path.join(self.dir, "train_all.txt"))

    def prepare_sets(self):
        sets = read_lastfm_sets(self.source_path()) if self.name == "lastfm" else read_baskets(self.source_path())
        every = 1 if self.name == "lastfm" else 10
        rng = random.Random(7)
        train, test = [], []
        for i, items in enumerate(sets):
            if i % every == 0 and len(items) >= 3:
                hidden = rng.randrange(len(items))
                test.append("s%d\t%s\t%s\n" % (i, items[hidden], " ".join(items[:hidden] + items[hidden + 1:])))
                items = items[:hidden] + items[hidden + 1:]
            train.append(" ".join(items) + "\n")
        os.makedirs(os.path.join(self.dir, "train"))
        write(os.path.join(self.dir, "train", "part-00000"), "".join(train))
        write(os.path.join(self.dir, "test.tsv"), "".join(test))
        shutil.copy(os.path.join(self.dir, "train", "part-00000"), os.path.join(self.dir, "train_all.txt"))

    def clusters(self):
        if not hasattr(self, "_clusters"):
            with open(os.path.join(self.dir, "clusters.tsv")) as f:
                self._clusters = dict(line.rstrip("\n").split("\t")[:2] for line in f)
        return self._clusters

    def neighbour_queries(self, limit=10000):
        """A file of query items: a fixed-seed sample of the items seen >= p_min_count times."""
        path = os.path.join(self.dir, "neighbour_queries.txt")
        if not os.path.exists(path):
            with open(os.path.join(self.dir, "counts.tsv")) as f:
                items = sorted(item for item, count in (line.split("\t") for line in f)
                               if int(count) >= self.spec["p_min_count"])
            sample = sorted(random.Random(1).sample(items, min(limit, len(items))))
            write(path, "".join(x + "\n" for x in sample))
        return path

    @property
    def train_input(self):
        return os.path.join(self.dir, "train")

    @property
    def one_file(self):
        return os.path.join(self.dir, "train_all.txt")

    def tokens(self):
        if not hasattr(self, "_tokens"):
            with open(self.one_file) as f:
                self._tokens = sum(len(line.split()) for line in f)
        return self._tokens


def lastfm_user_artists(path):
    """user_artists.dat (userID artistID weight, a header, CRLF): {user: artists heaviest first
    (ties by name)}, users in file order; tune_bench.py reads it too."""
    by_user = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                by_user.setdefault(parts[0], []).append((-int(parts[2]), "a" + parts[1]))
    return {user: [a for _, a in sorted(v)] for user, v in by_user.items()}


def read_lastfm_sets(path):
    """Each user's 50 heaviest artists, users by id."""
    by_user = lastfm_user_artists(path)
    return [v[:50] for _, v in sorted(by_user.items(), key=lambda kv: int(kv[0]))]


def read_baskets(path):
    """retail.dat: one basket a line, item ids separated by spaces (trailing space)."""
    with open(path) as f:
        return [["r" + x for x in dict.fromkeys(line.split())] for line in f if line.split()]


def write(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def concat(paths, dest):
    tmp = "%s.tmp.%d" % (dest, os.getpid())
    with open(tmp, "wb") as out:
        for p in paths:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out)
    os.replace(tmp, dest)


def check(cmd, what):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        die("%s failed (exit %d): %s\n%s" % (what, res.returncode, " ".join(cmd), res.stdout[-3000:]))


# --- training and scoring ------------------------------------------------------------------------
def train_command(tool, tool_args, corpus, seed, out, args):
    s = settings(corpus.name)
    workers, servers = (int(x) for x in args.layout.split("+"))
    if tool in ("gensim",):
        cmd = [PY, os.path.join(HERE, "gensim_train.py"), "--corpus-file", corpus.one_file, "--output", out,
               "--dim", str(s["dim"]), "--window", str(SET_WINDOW if corpus.set_mode else s["window"]),
               "--negative", str(s["negative"]), "--sample", str(s["sample"]), "--min-count", str(s["min_count"]),
               "--epochs", str(s["epochs"]), "--threads", str(workers), "--seed", str(seed),
               "--alpha", str(s["alpha"])]
        return cmd + (["--no-shrink-windows"] if corpus.set_mode else [])
    if tool == "fasttext":
        return ["fasttext", "skipgram", "-input", corpus.one_file, "-output", os.path.join(out, "model"),
                "-minn", "0", "-maxn", "0", "-dim", str(s["dim"]), "-ws", str(s["window"]),
                "-neg", str(s["negative"]), "-t", str(s["sample"]), "-minCount", str(s["min_count"]),
                "-epoch", str(s["epochs"]), "-lr", str(s["alpha"]), "-thread", str(workers), "-seed", str(seed)]
    cmd = ["mpirun", "--oversubscribe", "-np", str(workers + servers), args.item2vec, "train",
           "--input", corpus.train_input, "--output", os.path.join(out, "model"), "--servers", str(servers),
           "--dim", str(s["dim"]), "--window", str(s["window"]), "--negative", str(s["negative"]),
           "--sample", str(s["sample"]), "--min-count", str(s["min_count"]), "--epochs", str(s["epochs"]),
           "--seed", str(seed), "--log-level", "warn", "--progress-seconds", "60"]  # alpha: train's own default
    if corpus.set_mode:
        cmd += ["--window-mode", "set"]
    return without_overridden(cmd, tool_args) + tool_args


def without_overridden(cmd, tool_args):
    """cmd less each "--name value" pair whose --name the tool's own arguments give again (a
    variant such as "--alpha 0.03" replaces the panel's common setting instead of repeating it)."""
    given = {a for a in tool_args if a.startswith("--")}
    kept, i = [], 0
    while i < len(cmd):
        if cmd[i] in given and i + 1 < len(cmd) and not cmd[i + 1].startswith("--"):
            i += 2
            continue
        kept.append(cmd[i])
        i += 1
    return kept


def vectors_of(tool, out):
    if tool == "gensim":
        return os.path.join(out, "vectors.bin")
    if tool == "fasttext":
        return os.path.join(out, "model.vec")
    return os.path.join(out, "model", "vectors.bin")


def score(corpus, vectors, args):
    """The run's metrics, by the project's own exact search (item2vec eval and similar), the
    same for every tool's vectors file."""
    scores = {}
    out = os.path.join(os.path.dirname(vectors), "eval.json")
    query = ["--query", "user", "--exclude-history"] if corpus.set_mode else []
    res = subprocess.run([args.item2vec, "eval", "--model", vectors, "--test", os.path.join(corpus.dir, "test.tsv"),
                          "--k", "10", "--json", out] + query, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    if res.returncode != 0:
        log("  item2vec eval failed: %s" % res.stderr.strip()[-500:])
        return None
    model = json.load(open(out))["results"]["model"]
    scores["hr10"], scores["ndcg10"] = model["hr"]["10"], model["ndcg"]["10"]
    if "p10" in corpus.spec["metrics"]:
        scores["p10"] = neighbour_precision(corpus, vectors, args)
        if scores["p10"] is None:
            return None
    return scores


def neighbour_precision(corpus, vectors, args, k=10):
    """The share of the k nearest neighbours (cosine, the query excluded) that fall in the
    query's cluster, over up to 10,000 query items seen at least p_min_count times (a
    fixed sample, the same for every tool)."""
    queries = corpus.neighbour_queries()
    res = subprocess.run([args.item2vec, "similar", "--model", vectors, "--items-file", queries, "-k", str(k)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        log("  item2vec similar failed: %s" % res.stderr.strip()[-500:])
        return None
    cluster = corpus.clusters()
    same = total = 0
    query = None
    for line in res.stdout.splitlines():
        if line.startswith("# "):
            query = line[2:]
            continue
        fields = line.split("\t")
        if len(fields) >= 3 and query is not None:
            total += 1
            same += cluster.get(fields[1]) == cluster[query]
    expected = sum(1 for _ in open(queries)) * k
    if total != expected:
        log("  item2vec similar gave %d neighbours, expected %d" % (total, expected))
        return None
    return same / total


def binary_digest(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()[:12]


def train_and_score(tool, tool_args, corpus, seed, args):
    """Returns the run's result dict (cached in its run directory), or None when it failed.
    Arguments of the form NAME=VALUE (not starting with -) go to the run's environment."""
    tool_env = dict(a.split("=", 1) for a in tool_args if "=" in a and not a.startswith("-"))
    tool_args = [a for a in tool_args if a.startswith("-") or "=" not in a]
    run_dir = os.path.join(args.work, "runs", os.path.basename(corpus.dir), "%s-s%d" % (tool, seed))
    out = os.path.join(run_dir, "out")
    cmd = train_command(tool, tool_args, corpus, seed, out, args)
    key = " ".join(cmd) + "".join(" %s=%s" % kv for kv in sorted(tool_env.items()))
    if tool not in ("gensim", "fasttext"):
        key += " #" + binary_digest(args.item2vec)
    cached = os.path.join(run_dir, "result.json")
    vectors = vectors_of(tool, out)
    if tool in args.reuse and os.path.exists(cached):
        r = json.load(open(cached))
        if r.get("key") == key and r.get("scorer") == SCORER:
            return r
        if r.get("key") == key and os.path.exists(vectors):  # scored otherwise: score again
            r["scores"], r["scorer"] = score(corpus, vectors, args), SCORER
            if r["scores"] is not None:
                write(cached, json.dumps(r))
                return r
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(out)
    log("%-9s %-10s seed %d" % (corpus.name, tool, seed))
    env = dict(os.environ, OMPI_MCA_btl_tcp_if_include="lo", OMPI_MCA_oob_tcp_if_include="lo",
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env.update(tool_env)
    t0 = time.monotonic()
    rc = run(cmd, os.path.join(run_dir, "run.log"), timeout=args.timeout, env=env)
    wall = time.monotonic() - t0
    if rc != 0 or not os.path.exists(vectors):
        log("  %s failed (exit %d); see %s" % (tool, rc, os.path.join(run_dir, "run.log")))
        return None
    scores = score(corpus, vectors, args)
    if scores is None:
        log("  scoring %s failed" % vectors)
        return None
    train_seconds, kernel_seconds = wall, None
    if tool == "gensim":
        train_seconds = json.load(open(os.path.join(out, "gensim.json")))["train_seconds"]
    elif tool != "fasttext":
        train = json.load(open(os.path.join(out, "model", "train.json")))
        train_seconds = train["train_seconds"]
        kernel_seconds = sum(w["kernel_seconds"] for w in train["workers"])
    result = dict(key=key, scorer=SCORER, tool=tool, seed=seed, corpus=corpus.name, scores=scores,
                  train_seconds=train_seconds,
                  kernel_seconds=kernel_seconds, wall_seconds=wall,
                  tokens_per_second=corpus.tokens() * settings(corpus.name)["epochs"] / train_seconds)
    write(cached, json.dumps(result))
    log("  %s" % " ".join("%s %.4f" % (METRIC_NAMES[m], v) for m, v in sorted(scores.items())))
    if tool == "fasttext" and os.path.exists(os.path.join(out, "model.bin")):
        os.remove(os.path.join(out, "model.bin"))  # the whole model; model.vec is kept
    if tool not in ("gensim", "fasttext"):  # their vectors are kept: slow to train, never changing
        for p in glob.glob(os.path.join(out, "**", "*.bin"), recursive=True) + \
                glob.glob(os.path.join(out, "**", "*.txt"), recursive=True):
            if os.path.lexists(p):
                os.remove(p)
    return result


# --- the table -------------------------------------------------------------------------------------
def mean_sd(xs):
    m = sum(xs) / len(xs)
    sd = (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5 if len(xs) > 1 else 0.0
    return m, sd


def summarise(results, corpus, tools, metrics):
    """Rows of the table for one corpus and the ratio summary used by --check."""
    by_tool = {t: {r["seed"]: r for r in results if r["tool"] == t} for t in tools}
    ref = by_tool.get("gensim", {})
    rows, ratios = [], {}
    for t in tools:
        runs = by_tool[t]
        if not runs:
            continue
        seeds = sorted(runs)
        tps = sorted(runs[s]["tokens_per_second"] for s in seeds)[len(seeds) // 2]
        kernel = [runs[s].get("kernel_seconds") for s in seeds if runs[s].get("kernel_seconds")]
        cells = ["%s" % t, "%d" % len(seeds), "{:,.0f}".format(tps),
                 "%.1f" % sorted(kernel)[len(kernel) // 2] if kernel else "—"]
        for m in metrics:
            mean, sd = mean_sd([runs[s]["scores"][m] for s in seeds])
            cell = "%.4f ± %.4f" % (mean, sd)
            if ref and t != "gensim":
                rmean = mean_sd([ref[s]["scores"][m] for s in sorted(ref)])[0]
                paired = [runs[s]["scores"][m] / ref[s]["scores"][m] for s in seeds
                          if s in ref and ref[s]["scores"][m] > 0]
                if rmean > 0:
                    ratio = mean / rmean
                    ratios.setdefault(t, {})[m] = ratio
                    cell += " (**%.3f**%s)" % (ratio, " [%.3f–%.3f]" % (min(paired), max(paired)) if paired else "")
            cells.append(cell)
        if ref and t != "gensim":
            gt = sorted(ref[s]["train_seconds"] for s in ref)[len(ref) // 2]
            mt = sorted(runs[s]["train_seconds"] for s in seeds)[len(seeds) // 2]
            cells.append("%.2f×" % (gt / mt))
        else:
            cells.append("—")
        rows.append(cells)
    return rows, ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", default=",".join(CORPORA), help="comma-separated (default: all)")
    ap.add_argument("--seeds", default="1,2,3", help="training seeds of the synthetic corpora (default 1,2,3)")
    ap.add_argument("--small-seeds", default="1,2,3,4,5,6,7,8,9,10",
                    help="training seeds of the real corpora (default 1..10: they train in seconds, and a few "
                         "hundred test records need many seeds to resolve a few per cent)")
    ap.add_argument("--tools", default="ours,exact,gensim,fasttext",
                    help="any of ours, exact, gensim, fasttext (default: all four)")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=ARGS",
                    help="an extra item2vec tool: train with its defaults plus ARGS (repeatable)")
    ap.add_argument("--ours-args", default="", help="extra options of the ours tool")
    ap.add_argument("--size", choices=["full", "medium", "small"], default="full",
                    help="synthetic corpus sizes (medium: hier only, 40k items and 3M tokens)")
    ap.add_argument("--layout", default="2+1", help="item2vec WORKERS+SERVERS; gensim/fastText threads = WORKERS")
    ap.add_argument("--work", default=os.path.join(REPO, "out", "panel"), help="corpora and runs (default out/panel)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(REPO), "shared", "data"),
                    help="the shared datasets (default ../shared/data)")
    ap.add_argument("--reuse", default="gensim,fasttext",
                    help="tools whose cached results are reused when their command is unchanged")
    ap.add_argument("--results-md", help="write the markdown table here")
    ap.add_argument("--check", type=float, default=0, metavar="MIN",
                    help="exit 1 when ours or a variant is below MIN x gensim on P@10 or HR@10 (mean ratio)")
    ap.add_argument("--item2vec", default=os.path.join(REPO, "build", "bin", "item2vec"))
    ap.add_argument("--gen-corpus", default=os.path.join(REPO, "build", "bin", "item2vec-gen-corpus"))
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before one run is killed")
    args = ap.parse_args()
    args.reuse = set(args.reuse.split(",")) if args.reuse else set()
    seeds = [int(s) for s in args.seeds.split(",")]
    small_seeds = [int(s) for s in args.small_seeds.split(",")]
    tools = {t: [] for t in args.tools.split(",") if t}
    for t in tools:
        if t not in ("ours", "exact", "gensim", "fasttext"):
            die("unknown tool '%s' (ours, exact, gensim, fasttext; others through --variant)" % t)
    if "ours" in tools:
        tools["ours"] = args.ours_args.split()
    if "exact" in tools:
        tools["exact"] = ["--word2vec-exact"]
    for v in args.variant:
        name, _, extra = v.partition("=")
        if not name or name in tools:
            die("--variant wants a new NAME=ARGS, got '%s'" % v)
        tools[name] = extra.split()
    for c in args.corpora.split(","):
        if c not in CORPORA:
            die("unknown corpus '%s' (%s)" % (c, ", ".join(CORPORA)))
    for b in (args.item2vec, args.gen_corpus):
        if not os.access(b, os.X_OK):
            die("%s is not built (scripts/build.sh)" % b)

    started = time.time()
    sections, failures, below = [], 0, []
    for name in args.corpora.split(","):
        corpus = Corpus(name, CORPORA[name], args)
        if not corpus.available():
            log("skipping %s: %s is absent" % (name, corpus.source_path()))
            sections.append("### %s\n\nskipped: %s is absent\n" % (name, corpus.source_path()))
            continue
        corpus.prepare()
        results = []
        for seed in small_seeds if CORPORA[name].get("few_tokens") else seeds:  # tools alternate within a seed
            for tool, extra in tools.items():
                if tool == "fasttext" and corpus.set_mode:
                    continue
                r = train_and_score(tool, extra, corpus, seed, args)
                if r is None:
                    failures += 1
                else:
                    results.append(r)
        metrics = CORPORA[name]["metrics"]
        rows, ratios = summarise(results, corpus, list(tools), metrics)
        head = ["tool", "seeds", "tokens/s (median)", "kernel s (median)"] + ["%s mean ± sd (/ gensim [range])" % METRIC_NAMES[m]
                                                          for m in metrics] + ["speed / gensim"]
        s = settings(name)
        desc = "%s: %s tokens; dim %d, window %s, %s" % (
            name, "{:,}".format(corpus.tokens()), s["dim"], "set" if corpus.set_mode else s["window"],
            corpus.gen_options or CORPORA[name].get("prep", ""))
        table = "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n"
        table += "".join("| " + " | ".join(r) + " |\n" for r in rows)
        sections.append("### %s\n\n%s\n\n%s" % (name, desc, table))
        for t, per_metric in ratios.items():
            if t in ("exact",):
                continue
            for m, ratio in per_metric.items():
                if args.check and m in CHECKED_METRICS and ratio < args.check:
                    below.append("%s on %s: %s %.3f of gensim" % (t, name, METRIC_NAMES[m], ratio))
    machine = subprocess.run("lscpu | sed -n 's/^Model name: *//p' | head -1", shell=True,
                             stdout=subprocess.PIPE, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    notes = ("Quality panel, %s UTC, %s (%d cores), HEAD %s, layout %s, seeds %s, %.0f s.\n"
             "Command: scripts/bench/quality_panel.py %s\n" % (
                 time.strftime("%Y-%m-%d %H:%M", time.gmtime()), machine, os.cpu_count(), head, args.layout,
                 "%s (real corpora %s)" % (args.seeds, args.small_seeds), time.time() - started, " ".join(sys.argv[1:])))
    text = "## Quality panel\n\n" + notes + "\n" + "\n".join(sections)
    if args.results_md:
        write(args.results_md, text)
        log("wrote %s" % args.results_md)
    print(text)
    if below:
        print("below %.2f of gensim:\n  %s" % (args.check, "\n  ".join(below)))
    if failures:
        print("%d run(s) failed" % failures)
    sys.exit(1 if failures or below else 0)


if __name__ == "__main__":
    main()
