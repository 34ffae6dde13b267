#!/usr/bin/env bash
# ANN benchmark: the HNSW index of `item2vec index` against the exact search on generated
# clustered vectors (default 1M items x 100 dims), both on all cores: recall@10 against
# the exact top-10 and queries/s at several search widths, build time, memory (RSS).
# Usage: scripts/bench/ann_bench.sh [--build DIR] [--items N] [any item2vec-ann-bench option]
#   e.g. scripts/bench/ann_bench.sh --items 200000 --efs 20,50,100
# Prints the machine, the date and a markdown table (the one in docs/benchmarks.md).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$repo/build
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
cmake --build "$build" --target item2vec-ann-bench -j "$(nproc)" > /dev/null
threads=$(nproc)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
  "$(free -g | awk '/Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
TIMEFORMAT='wall %R s, user %U s, sys %S s'
time "$build/bin/item2vec-ann-bench" --threads "$threads" "${args[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
