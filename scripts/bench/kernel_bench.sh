#!/usr/bin/env bash
# Runs the SGNS kernel micro-benchmark (build/bin/item2vec-kernel-bench) and prints a
# markdown table: pairs/s, GFLOP/s and bytes/pair of each kernel at d = 32/100/300, with
# the roofline bound min(peak FMA, flop/byte x memory bandwidth) measured in the same run.
# Usage: scripts/bench/kernel_bench.sh [--repetitions N]   (one core; build first)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bench="$repo/build/bin/item2vec-kernel-bench"
[ -x "$bench" ] || { echo "kernel_bench: $bench is missing: run scripts/build.sh first" >&2; exit 2; }
reps=3
[ "${1:-}" = "--repetitions" ] && reps=$2
json=$(mktemp); trap 'rm -f "$json"' EXIT
"$bench" --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.3 --benchmark_format=json > "$json"
python3 - "$json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
med = {b["run_name"]: b for b in doc["benchmarks"] if b.get("aggregate_name") == "median"}
peak = med["BM_PeakFma"]["GFLOP/s"] if "BM_PeakFma" in med else float("nan")
bw = med["BM_StreamTriad"]["GB/s"]
ctx = doc["context"]
print(f"machine: {ctx.get('host_name')} {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz; {ctx.get('date')}")
print(f"peak FMA {peak:.1f} GFLOP/s per core; stream triad {bw:.1f} GB/s (medians of the repetitions)\n")
print("| kernel | d | rows in batch | pairs/s | GFLOP/s | bytes/pair | flop/byte | bound without cache reuse, GFLOP/s | share of that bound |")
print("|---|---|---|---|---|---|---|---|---|")
for name, b in med.items():
    if not name.startswith("BM_Kernel/"): continue
    _, mode, dim, rows = name.split("/")
    g = b["GFLOP/s"]
    roof = min(peak, b["flop/byte"] * bw)
    print(f"| {b.get('label')} | {dim} | {rows} | {b['pairs/s']/1e6:.2f}M | {g:.1f} | {b['bytes/pair']:.0f} | {b['flop/byte']:.2f} | {roof:.1f} | {g/roof:.0%} |")
PY
