#!/usr/bin/python3
"""How well did a --sample search rank settings, and how sure is its "gain kept"? (docs/commands/tune.md)

Reads a tune_bench.py work directory (no training): for each seed, the settings that both the
search on all users (tune-all) and the sampled search (tune-10pct) trained at the same epochs
(the same seed draws the same settings), and prints the Spearman rank correlation of their
validation HR@10 (per seed and pooled), where the full search's winner ranked on the sample,
the sample's answer checked on the full input against the full winner (validation HR@10), and
the gain kept on test, per seed and as mean ± standard error over the seeds (and the per-seed
shares' mean ± standard deviation). --sample-run names the sampled tune's step (tune-10pct;
another name reads a run kept aside, e.g. one made under an earlier rule).

Usage: scripts/bench/tune_sample_ranks.py --work out/tune-bench --dataset retail --seeds 1,2,3
           [--sample-run tune-10pct]
"""
import argparse
import json
import os
import statistics
import sys

from tune_sample_regime import spearman  # this folder


def trained(trials_json):
    """{settings (with epochs): validation HR@10} of the trials that finished."""
    j = json.load(open(trials_json))
    return j, {tuple(sorted(t["settings"].items())): t["hr"] for t in j["trials"] if not t["failed"]}


def drop_epochs(settings):
    return tuple(kv for kv in settings if kv[0] != "epochs")


def kept_share(d, t, s):
    """The share of the full search's gain the sample keeps, in %; nan where there is no gain."""
    return 100 * (s - d) / (t - d) if t > d else float("nan")


def seed_report(d, seed, run):
    sd = os.path.join(d, "seed-%d" % seed)
    ja, full = trained(os.path.join(sd, "tune-all", "trials.json"))
    js, samp = trained(os.path.join(sd, run, "trials.json"))
    common = [k for k in full if k in samp]
    a, b = [full[k] for k in common], [samp[k] for k in common]
    winner = tuple(sorted(ja["trials"][ja["best_trial"]]["settings"].items()))
    order = sorted(samp, key=samp.get, reverse=True)
    # The winner's setting as the sample trained it: at its epochs, else at the rung's fewer epochs.
    same = [k for k in order if k == winner] or [k for k in order if drop_epochs(k) == drop_epochs(winner)]
    rank = "rank %d of %d at %s epochs (HR@10 %.4f; defaults %.4f)" % (
        order.index(same[0]) + 1, len(order), dict(same[0])["epochs"], samp[same[0]],
        js["trials"][0]["hr"]) if same else "not trained (its trial stopped by the budget)"
    d_hr = json.load(open(os.path.join(sd, "defaults.json")))["hr"]
    t_hr = json.load(open(os.path.join(sd, "tune-all.json")))["hr"]
    s_hr = json.load(open(os.path.join(sd, run + ".json")))["hr"]
    final = js.get("final", {})
    answer = js["trials"][js["best_trial"]]
    print("seed %d: share %.2f, %d settings in common, Spearman %.2f; the full winner on the sample: %s; "
          "the sample's answer (trial %d, %s epochs; on the share %.4f, its defaults %.4f) on the full input "
          "%.4f against the full winner's %.4f (validation HR@10); "
          "test HR@10 defaults %.4f / all users %.4f / sample %.4f: gain kept %.0f %%" % (
              seed, js.get("sample", 1.0), len(common), spearman(a, b) if len(common) > 2 else float("nan"), rank,
              answer["trial"], answer["settings"].get("epochs", "?"), answer["hr"], js["trials"][0]["hr"],
              final.get("full_valid_hr", float("nan")), ja["trials"][ja["best_trial"]]["hr"], d_hr, t_hr, s_hr,
              kept_share(d_hr, t_hr, s_hr)))
    return a, b, (d_hr, t_hr, s_hr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", default="out/tune-bench")
    p.add_argument("--dataset", default="retail")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--sample-run", default="tune-10pct")
    args = p.parse_args()
    pooled_a, pooled_b, hrs = [], [], []
    for seed in [int(s) for s in args.seeds.split(",")]:
        a, b, h = seed_report(os.path.join(args.work, args.dataset), seed, args.sample_run)
        pooled_a += a
        pooled_b += b
        hrs.append(h)
    print("pooled: %d settings, Spearman %.2f" % (len(pooled_a), spearman(pooled_a, pooled_b)))
    gain = statistics.mean(t - d for d, t, _ in hrs)
    lost = [t - s for _, t, s in hrs]
    se = statistics.stdev(lost) / len(lost) ** 0.5 if len(lost) > 1 else float("nan")
    print("gain kept %.0f %% ± %.0f %% (mean ± standard error over %d seeds: 1 - mean loss / mean gain)" % (
        100 * (1 - statistics.mean(lost) / gain), 100 * se / gain, len(hrs)))
    kept = [kept_share(d, t, s) for d, t, s in hrs]
    gained = [k for k in kept if k == k]
    if len(gained) > 1:
        print("per seed: %s %%; over the %d seeds with a gain: mean %.0f %% ± %.0f %% (standard deviation)" % (
            ", ".join("%.0f" % k for k in kept), len(gained), statistics.mean(gained), statistics.stdev(gained)))


if __name__ == "__main__":
    sys.exit(main())
