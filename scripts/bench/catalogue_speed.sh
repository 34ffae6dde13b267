#!/usr/bin/env bash
# catalogue_speed.sh: training speed (tokens/s) with a large catalogue against a small one,
# on corpora of the same size, so that what differs is only how many distinct rows the
# tokens touch (and so how often a row, its lookup entry and its sampling-table entry miss
# the caches).
#
# Runs scripts/bench/vocab_memory.sh (its corpus generator, its Pss sampler; --plan 0) for
# each catalogue in --items, with --tokens / items occurrences per item, --repeats times,
# interleaved (small, large, small, large, ...), all with the same --dim, --workers, 1 server,
# 1 epoch, min-count 1. After each run prints one line: items, tokens/s, the workers' mean
# seconds in the kernel, in input and batch building (read), waiting on the server, the
# server's seconds in its handlers and on a CPU, and vocab_memory.sh's figures; at the end the
# median tokens/s of each catalogue and the ratio of each to the first.
#
# Options (defaults in brackets):
#   --bin PATH      item2vec binary [build/bin/item2vec]
#   --items "A B"   catalogues, the first is the reference ["100000 10000000"]
#   --tokens N      tokens of every corpus [20000000]    --dim N [32]    --workers N [2]
#   --repeats N     runs of each catalogue [2]
#   --work DIR      corpora and models [/tmp/catalogue_speed]
# Run it under nice on a shared machine.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$repo/scripts/bench/lib.sh"
bin="$repo/build/bin/item2vec" items="100000 10000000" tokens=20000000 dim=32 workers=2 repeats=2 work=/tmp/catalogue_speed
bench_args "$0" 21 bin items tokens dim workers repeats work -- "$@"
read -r -a catalogues <<< "$items"
results="$work/results"
mkdir -p "$work" && : > "$results"
for _ in $(seq 1 "$repeats"); do
  for n in "${catalogues[@]}"; do
    (( tokens % n == 0 )) || die "--tokens must be a multiple of every catalogue ($n)"
    line=$("$repo/scripts/bench/vocab_memory.sh" --bin "$bin" --items "$n" --repeat $((tokens / n)) --dim "$dim" \
      --workers "$workers" --plan 0 --every 1 --work "$work")
    parts=$(/usr/bin/python3 - "$work/run/model/train.json" "$work/run/run.log" <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))
w = j["workers"]
mean = lambda k: sum(x[k] for x in w) / len(w)
m = re.search(r"in handlers ([0-9.]+) s .*CPU ([0-9.]+) s", open(sys.argv[2]).read())
print("tokens_per_s=%.0f kernel_s=%.2f read_s=%.2f wait_s=%.2f server_handlers_s=%s server_cpu_s=%s" % (
    j["tokens_per_second"], mean("kernel_seconds"), mean("read_seconds"), mean("wait_seconds"),
    m.group(1) if m else "-", m.group(2) if m else "-"))
PY
)
    echo "items=$n $parts | $line" | tee -a "$results"
  done
done
/usr/bin/python3 - "$results" "${catalogues[@]}" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split("|")[0].split())
    runs.setdefault(f["items"], []).append(float(f["tokens_per_s"]))
ref = statistics.median(runs[sys.argv[2]])
for n in sys.argv[2:]:
    med = statistics.median(runs[n])
    print("items=%s median_tokens_per_s=%.0f runs=%s ratio_to_%s=%.3f" % (
        n, med, ",".join("%.0f" % t for t in runs[n]), sys.argv[2], med / ref))
PY
