#!/usr/bin/env python3
"""The nightly refresh's figures for Prometheus, the way batch jobs export them.

Usage:
  metrics.py --job JOB [--pushgateway URL] [--textfile PATH.prom] < HISTORY_LINE
      Reads one history line (JSON, as scripts/nightly/history.py writes it) on stdin and
      exports the run's gauges (names item2vec_nightly_*): exit code, decision, durations per
      step, HR@K / NDCG@K / MRR of the new and the current model, vocabulary size, final
      loss, tokens/s, the published model and Redis version, last success or failure time.
  metrics.py --print < HISTORY_LINE
      Prints the exposition text instead.

Contract: a successful run (exit code 0) replaces the job's metrics (HTTP PUT to
URL/metrics/job/JOB; the textfile rewritten); any other run updates only the metrics it has
(POST; the textfile merged by metric name), so the last success's figures and time stay
visible next to the failure. Files are replaced atomically (temporary + rename). The standard
library only. Exit: 0 ok, 1 the export failed (the message names the target), 2 bad usage.
"""
import json
import math
import os
import sys
import time
import urllib.error
import urllib.request

PREFIX = "item2vec_nightly_"


class Metrics:
    def __init__(self):
        self.families = {}  # name -> [help, [lines]], in insertion order

    def add(self, name, help_text, value, labels=None):
        if value is None:
            return
        value = float(value)
        label_text = ""
        if labels:
            parts = []
            for k, v in labels.items():
                v = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                parts.append('%s="%s"' % (k, v))
            label_text = "{" + ",".join(parts) + "}"
        if math.isnan(value):
            text = "NaN"
        elif math.isinf(value):
            text = "+Inf" if value > 0 else "-Inf"
        else:
            text = repr(value)
        full = PREFIX + name
        self.families.setdefault(full, [help_text, []])[1].append(full + label_text + " " + text)

    def text(self):
        out = []
        for name, (help_text, lines) in self.families.items():
            out.append("# HELP %s %s" % (name, help_text))
            out.append("# TYPE %s gauge" % name)
            out.extend(lines)
        return "\n".join(out) + "\n"


def build(h):
    m = Metrics()
    success = h.get("exit_code") == 0
    m.add("exit_code", "Exit code of the last nightly refresh (0 = published).", h.get("exit_code"))
    for decision in ("published", "refused", "failed"):
        m.add("decision", "1 for the decision of the last run.", 1 if h.get("decision") == decision else 0,
              {"decision": decision})
    for step, seconds in sorted((h.get("durations") or {}).items()):
        m.add("duration_seconds", "Seconds of each step of the last run (total = the whole run).", seconds,
              {"step": step})
    k = str(h.get("k", 10))
    for which in ("new", "current"):
        m.add("hit_rate", "HR@K of the new and the current model on the run's hold-out.",
              h.get(which + "_hr"), {"model": which, "k": k})
        m.add("ndcg", "NDCG@K of the new and the current model on the run's hold-out.",
              h.get(which + "_ndcg"), {"model": which, "k": k})
        m.add("mrr", "MRR of the new and the current model on the run's hold-out.", h.get(which + "_mrr"),
              {"model": which})
    m.add("vocabulary_items", "Items in the newly trained model.", h.get("vocab_size"))
    m.add("final_loss", "Mean SGNS loss of the last epoch of the training.", h.get("final_loss"))
    m.add("tokens_per_second", "Tokens read per second of training.", h.get("tokens_per_second"))
    m.add("train_attempts", "Training attempts of the last run (1 + resumes after a crash).", h.get("train_attempts"))
    if h.get("decision") == "published" and h.get("model"):
        m.add("published_model_info", "The model the last successful run published (its directory name).", 1,
              {"name": os.path.basename(h["model"]), "date": h.get("date", "")})
    m.add("published_version", "The Redis table version the last run published (PUBLISH_REDIS).",
          h.get("redis_version"))
    if success:
        m.add("last_success_timestamp_seconds", "Unix time of the last run that published a model.", time.time())
    else:
        m.add("last_failure_timestamp_seconds", "Unix time of the last run that did not publish.", time.time())
    return m.text(), success


def family(line):
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        return line.split(" ")[2]
    if not line or line.startswith("#"):
        return ""
    for i, c in enumerate(line):
        if c in "{ ":
            return line[:i]
    return line


def merge(base, update):
    updated = {family(l) for l in update.splitlines()} - {""}
    kept = [l for l in base.splitlines() if family(l) and family(l) not in updated]
    return update + ("\n".join(kept) + "\n" if kept else "")


def push(url, job, text, replace):
    target = url.rstrip("/") + "/metrics/job/" + job
    req = urllib.request.Request(target, data=text.encode(), method="PUT" if replace else "POST",
                                 headers={"Content-Type": "text/plain; version=0.0.4"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()
    except urllib.error.HTTPError as e:
        raise OSError("pushing to %s: HTTP %d: %s" % (target, e.code, e.read().decode(errors="replace").strip()))
    except (urllib.error.URLError, OSError) as e:
        raise OSError("pushing to %s: %s" % (target, getattr(e, "reason", e)))


def write_textfile(path, text, replace):
    if not replace and os.path.exists(path):
        with open(path) as f:
            text = merge(f.read(), text)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv):
    args = {"--job": "item2vec_nightly", "--pushgateway": "", "--textfile": ""}
    show = False
    i = 0
    while i < len(argv):
        if argv[i] == "--print":
            show = True
            i += 1
        elif argv[i] in args and i + 1 < len(argv):
            args[argv[i]] = argv[i + 1]
            i += 2
        else:
            sys.stderr.write(__doc__)
            return 2
    text, success = build(json.loads(sys.stdin.read()))
    if show:
        sys.stdout.write(text)
    if args["--pushgateway"]:
        push(args["--pushgateway"], args["--job"], text, success)
    if args["--textfile"]:
        write_textfile(args["--textfile"], text, success)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, ValueError) as e:
        sys.stderr.write("metrics.py: %s\n" % e)
        sys.exit(1)
