#!/usr/bin/python3
"""Defaults against `item2vec tune` on five real datasets and a synthetic one (docs/commands/tune.md).

For each dataset: prep with --holdout last --validation (sets: each user's items in a
seeded random order, so the held-out items are random members of the set); then for each
seed: train's defaults on the full training split, `item2vec tune` on all users and on a
10 % sample (--budget in default trainings), each winner trained on the full training split
(--final-output) and every model scored on the untouched test.tsv: HR@10 and NDCG@10 over
every test record (a record the model cannot query is a miss). Each step's result is kept
in WORK/DATASET/seed-S/*.json, so a rerun does only what is missing.

Datasets (DATA = --data, default ../shared/data next to the repository; the absent ones are
skipped): ml-small (the bundled ml-latest-small) and ml-100k, ratings >= 3.5 in time order,
next-item (query: the last item); lastfm (each user's top 50 artists), msweb (a user's
visited areas) and retail (FIMI baskets; test and validation records of one basket in 10),
as sets (train --window-mode set, query: the mean of the other items, eval --query user).
synth-3m (not in the default list): 3.1M training tokens of item2vec-gen-corpus --shape
hierarchical sessions, one session a user, next-item (valid and test records of one user in 32),
large enough that --sample 0.1 trains on a tenth (DATA not needed; the corpus is generated).

Usage: scripts/bench/tune_bench.py [--datasets ml-small,ml-100k,lastfm,msweb,retail,synth-3m]
           [--seeds 1,2,3] [--budget 20x] [--np 2] [--work out/tune-bench] [--results-md FILE]
           [--sample-min-tokens N]
"""
import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time

from quality_panel import lastfm_user_artists  # this folder; the panel reads the same file

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ML_PREP = ["--user-col", "userId", "--item-col", "movieId", "--time-col", "timestamp", "--rating-col", "rating",
           "--min-rating", "3.5"]
DATASETS = {
    "ml-small": dict(kind="seq", source="ml-small"),
    "ml-100k": dict(kind="seq", source="@ml-100k/u.data"),
    "lastfm": dict(kind="set", source="@lastfm-hetrec2011-2k/user_artists.dat"),
    "msweb": dict(kind="set", source="@msweb/anonymous-msweb.data"),
    "retail": dict(kind="set", source="@retail-fimi/retail.dat", eval_every=10),
    # >= 3M training tokens, so that --sample 0.1 really trains on a tenth (the floor, 300,000
    # tokens, stays under it): item2vec-gen-corpus --shape hierarchical sessions (Markov walks
    # over fine clusters inside coarse groups, Zipf popularity), one session a user, in order.
    "synth-3m": dict(kind="seq", source="gen", eval_every=32,
                     gen=["--shape", "hierarchical", "--tokens", "3400000", "--items", "30000", "--seed", "1",
                          "--parts", "1"]),
}


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def run(cmd, logfile):
    with open(logfile, "w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT)
    if rc != 0:
        tail = open(logfile).read()[-2000:]
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd[:6]), rc, tail))


def pseudo_time(user, item, seed=7):
    return int(hashlib.md5(("%s|%s|%d" % (user, item, seed)).encode()).hexdigest()[:12], 16)


def session_events(args, spec, d):
    """(user, item, time) of a synthetic corpus: one session a user, its items in order."""
    corpus = os.path.join(d, "corpus")
    if not os.path.exists(os.path.join(corpus, "corpus.json")):
        run([args.gen_corpus, "--output", corpus] + spec["gen"], os.path.join(d, "gen.log"))
    with open(os.path.join(corpus, "parts", "part-00000")) as f:
        for i, line in enumerate(f):
            for t, item in enumerate(line.split()):
                yield "s%d" % i, item, t


def set_events(name, path):
    """(user, item) pairs of a set dataset."""
    if name == "lastfm":
        for user, artists in lastfm_user_artists(path).items():
            for a in artists[:50]:
                yield user, a
    elif name == "msweb":
        user = None
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith("C,"):
                    user = line.split(",")[2].strip()
                elif line.startswith("V,") and user is not None:
                    yield user, "w" + line.split(",")[1]
    elif name == "retail":
        with open(path) as f:
            for i, line in enumerate(f):
                for item in dict.fromkeys(line.split()):
                    yield "b%d" % i, "r" + item


def keep_every(path, every):
    """Keeps the records of one user in `every` (by a hash of the user id)."""
    with open(path) as f:
        lines = [l for l in f if int(hashlib.md5(l.split("\t")[0].encode()).hexdigest()[:8], 16) % every == 0]
    with open(path, "w") as f:
        f.writelines(lines)


def prepare(args, name, spec, d):
    prep = os.path.join(d, "prep")
    if os.path.exists(os.path.join(prep, "summary.json")):
        return prep
    os.makedirs(d, exist_ok=True)
    src = spec["source"]
    if src == "ml-small":
        src = os.path.join(REPO, "data", "ml-latest-small", "ratings.csv")
        cmd = ["-i", src] + ML_PREP
    elif name == "ml-100k":
        src = os.path.join(args.data, src[1:])
        cmd = ["-i", src, "--header", "no", "--delimiter", "tab", "--user-col", "1", "--item-col", "2",
               "--time-col", "4", "--rating-col", "3", "--min-rating", "3.5"]
    elif src == "gen":
        events = os.path.join(d, "events.csv")
        with open(events, "w") as f:
            f.write("user,item,time\n")
            f.writelines("%s,%s,%d\n" % e for e in session_events(args, spec, d))
        cmd = ["-i", events, "--user-col", "user", "--item-col", "item", "--time-col", "time"]
    else:
        events = os.path.join(d, "events.csv")
        with open(events, "w") as f:
            f.write("user,item,time\n")
            for user, item in set_events(name, os.path.join(args.data, src[1:])):
                f.write("%s,%s,%d\n" % (user, item, pseudo_time(user, item)))
        cmd = ["-i", events, "--user-col", "user", "--item-col", "item", "--time-col", "time", "--mode", "set"]
    run([args.item2vec, "prep", "-o", prep, "--holdout", "last", "--validation"] + cmd, os.path.join(d, "prep.log"))
    if spec.get("eval_every"):
        for f in ("valid.tsv", "test.tsv"):
            keep_every(os.path.join(prep, f), spec["eval_every"])
    return prep


def scores(eval_json):
    j = json.load(open(eval_json))
    m = j["results"]["model"]
    share = m["evaluated"] / max(1, j["records"]["read"])
    return m["hr"]["10"] * share, m["ndcg"]["10"] * share


def mpirun(args):
    return args.mpirun.split() + ["-np", str(args.np)]


def defaults_run(args, prep, base, query, out):
    res = out + ".json"
    if os.path.exists(res):
        return json.load(open(res))
    t = time.time()
    run(mpirun(args) + [args.item2vec, "train", "--config", base, "--input", os.path.join(prep, "train"), "--output",
                        out, "--seed", str(args.seed), "--report", "false"], out + ".log")
    seconds = time.time() - t
    run([args.item2vec, "eval", "--model", out, "--test", os.path.join(prep, "test.tsv"), "--k", "10", "--query",
         query, "--json", out + "-eval.json"], out + "-eval.log")
    hr, ndcg = scores(out + "-eval.json")
    r = dict(hr=hr, ndcg=ndcg, seconds=seconds)
    json.dump(r, open(res, "w"))
    return r


def tune_run(args, prep, base, query, out, sample):
    res = out + ".json"
    if os.path.exists(res):
        return json.load(open(res))
    t = time.time()
    run([args.item2vec, "tune", "-i", os.path.join(prep, "train"), "--valid", os.path.join(prep, "valid.tsv"),
         "--test", os.path.join(prep, "test.tsv"), "-o", out, "--budget", args.budget, "--train-config", base,
         "--seed", str(args.seed), "--query", query, "--np", str(args.np), "--launcher", args.mpirun,
         "--sample", str(sample), "--final-output", out + "-model"] +
        (["--sample-min-tokens", args.sample_min_tokens] if args.sample_min_tokens else []), out + ".log")
    j = json.load(open(os.path.join(out, "trials.json")))
    best = j["trials"][j["best_trial"]]
    r = dict(hr=j["final"]["test_hr"], ndcg=j["final"]["test_ndcg"], seconds=time.time() - t,
             search_seconds=j["spent_seconds"], budget_seconds=j["budget_seconds"], trials=len(j["trials"]),
             defaults_won=j["defaults_won"], valid_hr=best["hr"], valid_default_hr=j["trials"][0]["hr"],
             settings=best["settings"], sample_winner_rejected=j["final"].get("sample_winner_rejected", False),
             sample_share=j.get("sample", 1.0), sample_raised=j.get("sample_raised", False),
             sample_tokens=j.get("sample_tokens", 0), input_tokens=j.get("input_tokens", 0))
    json.dump(r, open(res, "w"))
    return r


def mean_sd(xs):
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def table(results, args):
    lines = ["| dataset | defaults HR@10 | tuned HR@10 | × | tuned on 10 % HR@10 | × | gain kept | defaults NDCG@10 "
             "| tuned NDCG@10 | 10 % NDCG@10 | trials (all / 10 %) | budget used s (all / 10 %) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for name, per_seed in results.items():
        if not per_seed:
            continue
        d = [r["defaults"]["hr"] for r in per_seed]
        t = [r["tuned"]["hr"] for r in per_seed]
        s = [r["tuned10"]["hr"] for r in per_seed]
        dn = [r["defaults"]["ndcg"] for r in per_seed]
        tn = [r["tuned"]["ndcg"] for r in per_seed]
        sn = [r["tuned10"]["ndcg"] for r in per_seed]
        (dm, dsd), (tm, tsd), (sm, ssd) = mean_sd(d), mean_sd(t), mean_sd(s)
        # The share of the full tuning's gain the 10 % tuning keeps; meaningless without a gain.
        kept = (sm - dm) / (tm - dm) if tm > 1.05 * dm else float("nan")
        lines.append("| %s | %.4f ± %.4f | %.4f ± %.4f | %.2f | %.4f ± %.4f | %.2f | %s | %.4f | %.4f | %.4f | %.0f / %.0f | %.0f / %.0f |" % (
            name, dm, dsd, tm, tsd, tm / dm if dm else float("nan"), sm, ssd, sm / dm if dm else float("nan"),
            "%.0f %%" % (100 * kept) if kept == kept else "n/a (no gain)", statistics.mean(dn), statistics.mean(tn),
            statistics.mean(sn), statistics.mean(r["tuned"]["trials"] for r in per_seed),
            statistics.mean(r["tuned10"]["trials"] for r in per_seed),
            statistics.mean(r["tuned"]["search_seconds"] for r in per_seed),
            statistics.mean(r["tuned10"]["search_seconds"] for r in per_seed)))
        for r in per_seed:
            t10 = r["tuned10"]
            notes.append("- %s seed %d: defaults %.1f s a training, test HR@10 %.4f / tuned %.4f / 10 %% %.4f; "
                         "whole tune (search and final trainings) %.0f s / %.0f s; "
                         "winner (all users)%s: %s; 10 %%%s: %s" % (
                name, r["seed"], r["defaults"]["seconds"], r["defaults"]["hr"], r["tuned"]["hr"], t10["hr"],
                r["tuned"]["seconds"], t10["seconds"],
                " = the defaults" if r["tuned"]["defaults_won"] else "",
                " ".join("%s=%s" % kv for kv in r["tuned"]["settings"].items()),
                " (share raised to %.2f: %d of %d tokens)" % (t10["sample_share"], t10["sample_tokens"], t10["input_tokens"])
                if t10.get("sample_raised") else "",
                "the defaults (none of the sample's leaders beat them on the full input)" if t10.get("sample_winner_rejected")
                else "the defaults" if t10["defaults_won"] else " ".join("%s=%s" % kv for kv in t10["settings"].items())))
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


def main():
    # One machine: MPI over loopback, allowed as root (containers), as the other benchmarks.
    os.environ.update(OMPI_MCA_btl_tcp_if_include="lo", OMPI_MCA_oob_tcp_if_include="lo",
                      OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", default="ml-small,ml-100k,lastfm,msweb,retail")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--budget", default="20x")
    p.add_argument("--np", type=int, default=2)
    p.add_argument("--mpirun", default=os.environ.get("MPIRUN", "mpirun") + " --oversubscribe")
    p.add_argument("--item2vec", default=os.path.join(REPO, "build", "bin", "item2vec"))
    p.add_argument("--gen-corpus", default=os.path.join(REPO, "build", "bin", "item2vec-gen-corpus"))
    p.add_argument("--data", default=os.path.join(os.path.dirname(REPO), "shared", "data"))
    p.add_argument("--work", default=os.path.join(REPO, "out", "tune-bench"))
    p.add_argument("--results-md", default=None)
    p.add_argument("--sample-min-tokens", default=None,
                   help="tune --sample-min-tokens for the 10 %% runs (default: tune's own, 300000; 0: no floor)")
    args = p.parse_args()
    results = {}
    for name in args.datasets.split(","):
        spec = DATASETS[name]
        if spec["source"].startswith("@") and not os.path.exists(os.path.join(args.data, spec["source"][1:])):
            log("%s: skipped (%s not found)" % (name, spec["source"][1:]))
            continue
        d = os.path.join(args.work, name)
        prep = prepare(args, name, spec, d)
        base = os.path.join(d, "base.ini")
        with open(base, "w") as f:
            f.write("window-mode = set\n" if spec["kind"] == "set" else "# train's defaults\n")
        query = "user" if spec["kind"] == "set" else "last"
        results[name] = []
        for seed in [int(s) for s in args.seeds.split(",")]:
            args.seed = seed
            sd = os.path.join(d, "seed-%d" % seed)
            os.makedirs(sd, exist_ok=True)
            r = dict(seed=seed)
            r["defaults"] = defaults_run(args, prep, base, query, os.path.join(sd, "defaults"))
            log("%s seed %d: defaults HR@10 %.4f (%.1f s)" % (name, seed, r["defaults"]["hr"], r["defaults"]["seconds"]))
            r["tuned"] = tune_run(args, prep, base, query, os.path.join(sd, "tune-all"), 1.0)
            log("%s seed %d: tuned HR@10 %.4f (%d trials)" % (name, seed, r["tuned"]["hr"], r["tuned"]["trials"]))
            r["tuned10"] = tune_run(args, prep, base, query, os.path.join(sd, "tune-10pct"), 0.1)
            log("%s seed %d: tuned on 10%% HR@10 %.4f" % (name, seed, r["tuned10"]["hr"]))
            results[name].append(r)
            md = table(results, args)
            if args.results_md:
                with open(args.results_md, "w") as f:
                    f.write(md)
    print(table(results, args))


if __name__ == "__main__":
    sys.exit(main())
