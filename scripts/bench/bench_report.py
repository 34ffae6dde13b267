#!/usr/bin/python3
"""Records and tabulates the runs of run_bench.sh.

  bench_report.py record --results FILE.jsonl --tool ours|exact|gensim|fasttext|popularity ...
      Reads one run's files (/usr/bin/time -v outputs, train.json or gensim.json, the
      quality JSONs: --quality-json may be repeated, e.g. neighbour precision and next-item,
      and their precision / hr / ndcg / popularity_* keys are merged into the record) and
      appends one JSON line to FILE.jsonl.
  bench_report.py table --results FILE.jsonl --markdown OUT.md [--title TEXT] [--note TEXT]
      Groups the runs by (mode, epochs, layout, tool), prints medians as a markdown table on
      stdout and writes it (with --note lines above it) to OUT.md. Ratios compare each
      exact/gensim/fastText run with the item2vec (ours) run of the same repeat and layout
      (they ran next to each other), and the table shows the median of those per-repeat
      ratios: speed (tokens/s, wall, CPU) and quality (ours P@10 / this P@10, ours HR@10 /
      this HR@10; at or above 0.97 means ours keeps at least 97 % of this tool's quality).

How tokens/s is computed, per tool (raw input tokens = tokens in the input files):
  ours, exact  train.json tokens_per_second = raw tokens over all epochs / train_seconds, the
            time from the end of vocabulary building to the end of the last epoch (rank 0).
  gensim    raw tokens x epochs / the time of Word2Vec.train() (perf_counter around it).
  fasttext  raw tokens x epochs / wall time of the whole fasttext process (includes reading
            the vocabulary and writing the model, so it flatters the others).
Wall s is always the whole process (mpirun for ours) as measured by /usr/bin/time -v; CPU s
is user + system seconds of the process (for ours the sum over the ranks, each rank timed by
its own /usr/bin/time -v). The ratio column is, per repeat, ours tokens/s / this tokens/s,
this wall / ours wall and this CPU / ours CPU (all > 1 when ours is better), then the median.
Standard library only.
"""
import argparse
import json
import os
import re
import statistics
import sys


def parse_time_v(path):
    """Returns {"wall", "cpu" (user + system seconds), "rss_kb", "exit"} from a /usr/bin/time -v file."""
    out = {"wall": None, "cpu": None, "rss_kb": None, "exit": None}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return out
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text)
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = secs * 60 + float(part)
        out["wall"] = secs
    user = re.search(r"User time \(seconds\): ([0-9.]+)", text)
    system = re.search(r"System time \(seconds\): ([0-9.]+)", text)
    if user and system:
        out["cpu"] = float(user.group(1)) + float(system.group(1))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["rss_kb"] = int(m.group(1))
    m = re.search(r"Exit status: (\d+)", text)
    if m:
        out["exit"] = int(m.group(1))
    return out


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def record(a):
    rec = {"mode": a.mode, "tool": a.tool, "layout": a.layout, "workers": a.workers, "servers": a.servers,
           "threads": a.threads, "epochs": a.epochs, "repeat": a.repeat, "tokens": a.tokens,
           "status": "ok" if a.exit_code == 0 else "failed (exit %d)" % a.exit_code, "run_dir": a.run_dir}
    if a.time_file:
        t = parse_time_v(a.time_file)
        rec["wall_s"] = t["wall"]
        rec["cpu_s"] = t["cpu"]
        rec["rss_kb"] = [t["rss_kb"]] if t["rss_kb"] is not None else []
    if a.rank_time_prefix:
        ranks = [parse_time_v("%s.%d" % (a.rank_time_prefix, rank)) for rank in range(a.workers + a.servers)]
        rec["rss_kb"] = [t["rss_kb"] for t in ranks]
        # CPU of the ranks themselves (the outer time also counts mpirun's own).
        rec["rank_cpu_s"] = [t["cpu"] for t in ranks]
        if all(t["cpu"] is not None for t in ranks):
            rec["cpu_s"] = sum(t["cpu"] for t in ranks)
    total_tokens = a.tokens * a.epochs
    if a.tool in ("ours", "exact") and a.train_json:
        tj = load_json(a.train_json)
        if tj:
            rec["train_s"] = tj.get("train_seconds")
            rec["tokens_per_s"] = tj.get("tokens_per_second")
            rec["tokens_seen"] = tj.get("tokens_seen")
            rec["bytes_per_token"] = tj.get("bytes_per_token")
            rec["final_loss"] = tj.get("final_loss")
            rec["vocab"] = tj.get("vocab_size")
            ws = tj.get("workers") or []
            if ws:
                rec["worker_s"] = statistics.mean(w.get("seconds", 0) for w in ws)
                rec["compute_s"] = statistics.mean(w.get("compute_seconds", 0) for w in ws)
                rec["wait_s"] = statistics.mean(w.get("wait_seconds", 0) for w in ws)
                rec["read_s"] = statistics.mean(w.get("read_seconds", 0) for w in ws)
                if all("kernel_seconds" in w for w in ws):
                    rec["kernel_s"] = statistics.mean(w["kernel_seconds"] for w in ws)
                if all("cpu_seconds" in w for w in ws):
                    rec["worker_cpu_s"] = statistics.mean(w["cpu_seconds"] for w in ws)
        elif rec["status"] == "ok":
            rec["status"] = "no train.json"
    elif a.tool == "gensim" and a.train_json:
        gj = load_json(a.train_json)
        if gj and gj.get("train_seconds"):
            rec["train_s"] = gj["train_seconds"]
            rec["tokens_per_s"] = total_tokens / gj["train_seconds"]
            rec["vocab"] = gj.get("vocab_size")
        elif rec["status"] == "ok":
            rec["status"] = "no gensim.json"
    elif a.tool == "fasttext" and rec.get("wall_s"):
        rec["train_s"] = rec["wall_s"]
        rec["tokens_per_s"] = total_tokens / rec["wall_s"]
    for path in a.quality_json or []:
        q = load_json(path)
        if q:
            for key in ("precision", "hr", "ndcg", "popularity_hr", "popularity_ndcg", "query_coverage"):
                if key in q:
                    rec[key] = q[key]
    with open(a.results, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, spec, suffix=""):
    return "—" if v is None else format(v, spec) + suffix


TOOL_ORDER = {"ours": 0, "exact": 1, "gensim": 2, "fasttext": 3, "popularity": 4}
TOOL_NAME = {"ours": "item2vec (ours)", "exact": "item2vec word2vec.c-exact mode", "gensim": "gensim",
             "fasttext": "fastText", "popularity": "popularity"}
COMPARED = ("exact", "gensim", "fasttext")  # the rows that get ours-vs-this ratios


def layout_key(layout):
    nums = [int(x) for x in re.findall(r"\d+", layout)]
    return [-n for n in nums]


def cpu_cell(ok):
    """Median user+system seconds; for MPI runs followed by the per-rank medians."""
    total = fmt(median([r.get("cpu_s") for r in ok]), ".1f")
    nranks = max((len(r.get("rank_cpu_s") or []) for r in ok), default=0)
    if nranks < 2:
        return total
    per = [fmt(median([r["rank_cpu_s"][i] for r in ok if len(r.get("rank_cpu_s") or []) > i]), ".1f")
           for i in range(nranks)]
    return "%s (%s)" % (total, " / ".join(per))


def table(a):
    recs = []
    with open(a.results, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    if not recs:
        sys.exit("bench_report.py: %s holds no runs" % a.results)
    ours_by_pair = {(r["mode"], r["epochs"], r["layout"], r["repeat"]): r
                    for r in recs if r["tool"] == "ours" and r["status"] == "ok"}
    groups = {}
    for r in recs:
        groups.setdefault((r["mode"], r["epochs"], r["layout"], r["tool"]), []).append(r)
    has_syn = any(r["mode"] == "synthetic" for r in recs)
    head = ["tool", "layout", "epochs", "runs", "tokens/s", "wall s", "CPU s", "peak RSS MB per rank"]
    # Synthetic runs have P@10 (planted clusters) and HR@10 / NDCG@10 (holdout_sessions.py);
    # MovieLens runs HR@10 / NDCG@10 only.
    if has_syn:
        head.append("P@10")
    head += ["HR@10", "NDCG@10"]
    head += ["MPI bytes/token", "worker kernel / other compute / wait / read s", "ours vs this: tok/s ratio, wall speed-up, CPU saving",
             "ours quality vs this: P@10, HR@10 ratio"]
    rows = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], layout_key(k[2]), TOOL_ORDER.get(k[3], 9))):
        mode, epochs, layout, tool = key
        runs = groups[key]
        ok = [r for r in runs if r["status"] == "ok"]
        failed = len(runs) - len(ok)
        runs_cell = "%d" % len(ok) + (" (+%d failed)" % failed if failed else "")
        if tool in ("ours", "exact"):
            w, sv = runs[0]["workers"], runs[0]["servers"]
            layout_cell = "%d worker%s + %d server%s" % (w, "s" if w > 1 else "", sv, "s" if sv > 1 else "")
        elif tool == "popularity":
            layout_cell = "—"
        else:
            layout_cell = "%d thread%s" % (runs[0]["threads"], "s" if runs[0]["threads"] > 1 else "")
        nranks = max((len(r.get("rss_kb") or []) for r in ok), default=0)
        rss = []
        for i in range(nranks):
            m = median([(r.get("rss_kb") or [None] * nranks)[i] for r in ok if len(r.get("rss_kb") or []) > i])
            rss.append(fmt(None if m is None else m / 1024, ".0f"))
        row = [TOOL_NAME.get(tool, tool), layout_cell, str(epochs) if epochs else "—", runs_cell,
               fmt(median([r.get("tokens_per_s") for r in ok]), ",.0f"),
               fmt(median([r.get("wall_s") for r in ok]), ".1f"),
               cpu_cell(ok),
               " / ".join(rss) if rss else "—"]
        if has_syn:
            row.append(fmt(median([r.get("precision") for r in ok]), ".3f"))
        if tool == "popularity":
            row += [fmt(median([r.get("popularity_hr") for r in ok]), ".3f"),
                    fmt(median([r.get("popularity_ndcg") for r in ok]), ".3f")]
        else:
            row += [fmt(median([r.get("hr") for r in ok]), ".3f"), fmt(median([r.get("ndcg") for r in ok]), ".3f")]
        if tool in ("ours", "exact"):
            row.append(fmt(median([r.get("bytes_per_token") for r in ok]), ",.0f"))
            c, w, rd, k = (median([r.get(x) for r in ok]) for x in ("compute_s", "wait_s", "read_s", "kernel_s"))
            if c is None:
                row.append("—")
            elif k is None:  # a trainer from before the kernel was timed apart
                row.append("— / %.1f / %.1f / %.1f" % (c, w, rd))
            else:
                cell = "%.1f / %.1f / %.1f / %.1f" % (k, c - k, w, rd)
                cpu = median([r.get("worker_cpu_s") for r in ok])
                if cpu:  # trainers since the worker's CPU time is kept
                    cell += " (kernel %.0f%% of CPU)" % (100.0 * k / cpu)
                row.append(cell)
        else:
            row += ["—", "—"]
        if tool in COMPARED:
            speed, wall, cpu, prec, hr = [], [], [], [], []
            for r in ok:
                o = ours_by_pair.get((mode, epochs, layout, r["repeat"]))
                if not o:
                    continue
                if o.get("tokens_per_s") and r.get("tokens_per_s"):
                    speed.append(o["tokens_per_s"] / r["tokens_per_s"])
                if o.get("wall_s") and r.get("wall_s"):
                    wall.append(r["wall_s"] / o["wall_s"])
                if o.get("cpu_s") and r.get("cpu_s"):
                    cpu.append(r["cpu_s"] / o["cpu_s"])
                if o.get("precision") is not None and r.get("precision"):
                    prec.append(o["precision"] / r["precision"])
                if o.get("hr") is not None and r.get("hr"):
                    hr.append(o["hr"] / r["hr"])
            row.append("%s, %s, %s" % (fmt(median(speed), ".2f", "×"), fmt(median(wall), ".2f", "×"),
                                       fmt(median(cpu), ".2f", "×")))
            row.append("%s, %s" % (fmt(median(prec), ".3f"), fmt(median(hr), ".3f")))
        else:
            row += ["—", "—"]
        rows.append(row)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    md = "\n".join(lines) + "\n"
    print(md, end="")
    if a.markdown:
        text = ""
        if a.title:
            text += "## %s\n\n" % a.title
        for note in a.note or []:
            text += note + "\n"
        if a.note:
            text += "\n"
        text += md
        tmp = "%s.tmp.%d" % (a.markdown, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, a.markdown)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record", help="append one run to the results file")
    r.add_argument("--results", required=True)
    r.add_argument("--mode", required=True, choices=["synthetic", "movielens"])
    r.add_argument("--tool", required=True, choices=["ours", "exact", "gensim", "fasttext", "popularity"])
    r.add_argument("--layout", required=True, help="the pair label, e.g. 2+1")
    r.add_argument("--workers", type=int, default=0)
    r.add_argument("--servers", type=int, default=0)
    r.add_argument("--threads", type=int, default=0)
    r.add_argument("--epochs", type=int, required=True)
    r.add_argument("--repeat", type=int, required=True)
    r.add_argument("--tokens", type=int, required=True, help="raw input tokens per epoch")
    r.add_argument("--exit-code", type=int, default=0)
    r.add_argument("--run-dir", default="")
    r.add_argument("--time-file", help="/usr/bin/time -v output of the whole process")
    r.add_argument("--rank-time-prefix", help="PREFIX.<rank> holds each MPI rank's /usr/bin/time -v output")
    r.add_argument("--train-json", help="train.json (ours) or gensim.json")
    r.add_argument("--quality-json", action="append",
                   help="output of quality.py (repeatable; the keys of all of them are merged)")
    r.set_defaults(func=record)
    t = sub.add_parser("table", help="print the medians table and write it as markdown")
    t.add_argument("--results", required=True)
    t.add_argument("--markdown")
    t.add_argument("--title")
    t.add_argument("--note", action="append", help="a line written above the table (repeatable)")
    t.set_defaults(func=table)
    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
