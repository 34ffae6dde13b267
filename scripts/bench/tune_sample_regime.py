#!/usr/bin/python3
"""Does a --sample search rank settings as the full input does? (docs/commands/tune.md, "--sample")

Takes every setting of one dataset's and seed's two searches in a tune_bench.py work
directory (tune-all and tune-10pct, which must have been run with --sample-min-tokens 0 so
that tune-10pct/sample/train.txt is the 10 % sample), trains each on the full training split
("full"), on the sample at its epochs ("x1") and on the sample at 10 times its epochs ("x10":
as many updates per item as the full input), scores each on valid.tsv (HR@10 over every
record) and prints the Spearman rank correlation of x1 and x10 with full. Trainings are
deterministic (one worker, the search's seed), so the searches' own scores are reused.

Usage: scripts/bench/tune_sample_regime.py --work out/tune-bench --dataset msweb --seed 1
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def spearman(a, b):
    def ranks(xs):
        r = [0] * len(xs)
        for pos, i in enumerate(sorted(range(len(xs)), key=lambda i: xs[i])):
            r[i] = pos
        return r
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.mean(ra), statistics.mean(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    return num / (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5


def main():
    os.environ.update(OMPI_MCA_btl_tcp_if_include="lo", OMPI_MCA_oob_tcp_if_include="lo",
                      OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", default=os.path.join(REPO, "out", "tune-bench"))
    p.add_argument("--dataset", default="msweb")
    p.add_argument("--seed", default="1")
    p.add_argument("--query", default="user")
    p.add_argument("--item2vec", default=os.path.join(REPO, "build", "bin", "item2vec"))
    p.add_argument("--mpirun", default="mpirun --oversubscribe")
    args = p.parse_args()
    base = os.path.join(args.work, args.dataset)
    seed_dir = os.path.join(base, "seed-" + args.seed)
    prep, sample = os.path.join(base, "prep"), os.path.join(seed_dir, "tune-10pct", "sample", "train.txt")
    out = os.path.join(seed_dir, "regime")
    os.makedirs(out, exist_ok=True)
    res_path = os.path.join(out, "results.json")
    res = json.load(open(res_path)) if os.path.exists(res_path) else {}
    settings = {}
    for search, mode in (("tune-all", "full"), ("tune-10pct", "x1")):
        for t in json.load(open(os.path.join(seed_dir, search, "trials.json")))["trials"]:
            key = json.dumps(t["settings"], sort_keys=True)
            settings[key] = t["settings"]
            res.setdefault(mode + " " + key, t["hr"])
    for key, s in settings.items():
        for mode in ("full", "x1", "x10"):
            if mode + " " + key in res:
                continue
            extra = dict(s)
            if mode != "full":
                extra["min-count"] = "1"  # what tune scales min-count 5 to on a tenth
                extra["epochs"] = str(int(s["epochs"]) * (10 if mode == "x10" else 1))
            model = os.path.join(out, "model")
            cmd = args.mpirun.split() + ["-np", "2", args.item2vec, "train", "--config", os.path.join(base, "base.ini"),
                                         "--input", sample if mode != "full" else os.path.join(prep, "train"),
                                         "--output", model, "--seed", args.seed, "--report", "false"]
            for name, value in extra.items():
                cmd += ["--" + name, value]
            t = time.time()
            subprocess.check_call(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.check_call([args.item2vec, "eval", "--model", model, "--test", os.path.join(prep, "valid.tsv"),
                                   "--k", "10", "--query", args.query, "--json", model + ".json"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            j = json.load(open(model + ".json"))
            m = j["results"]["model"]
            res[mode + " " + key] = m["hr"]["10"] * m["evaluated"] / j["records"]["read"]
            json.dump(res, open(res_path, "w"))
            print("%-4s HR@10 %.4f (%.1f s) %s" % (mode, res[mode + " " + key], time.time() - t, key), flush=True)
    keys = sorted(settings)
    full = [res["full " + k] for k in keys]
    for mode in ("x1", "x10"):
        print("%s: Spearman with full %.2f over %d settings" % (
            mode, spearman(full, [res[mode + " " + k] for k in keys]), len(keys)))


if __name__ == "__main__":
    sys.exit(main())
