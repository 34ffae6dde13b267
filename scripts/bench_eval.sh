#!/usr/bin/env bash
# Times `item2vec eval` on random data: by default 1M items x 100 dims and 10k test
# records (histories of 5 items), with the popularity baseline from vocab.tsv.
#
# Usage: scripts/bench_eval.sh [BUILD_DIR] [ITEMS] [DIM] [RECORDS] [THREADS]
#   BUILD_DIR  a configured build with tests on (default: build-eval); needs the targets
#              item2vec and eval_bench_data (tests/eval/)
#   THREADS    search threads (default: all hardware threads)
# Data goes to ${BENCH_DIR:-/tmp/item2vec_bench_eval} (about 0.5 GB at the default size)
# and is reused when its sizes match; delete it to regenerate.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-eval}"
items="${2:-1000000}"
dim="${3:-100}"
records="${4:-10000}"
threads="${5:-$(nproc)}"
data="${BENCH_DIR:-/tmp/item2vec_bench_eval}"
tag="$items.$dim.$records"

make -C "$build" -j2 item2vec eval_bench_data >/dev/null
if [[ "$(cat "$data/.sizes" 2>/dev/null || true)" != "$tag" ]]; then
  rm -rf "$data"
  mkdir -p "$data"
  echo "generating $items x $dim vectors and $records test records in $data ..."
  "$build/bin/eval_bench_data" "$data" "$items" "$dim" "$records" 5 1
  echo "$tag" >"$data/.sizes"
fi
echo "item2vec eval: $items items x $dim dims, $records records, $threads thread(s)"
# Wall time and the process's CPU time (user + sys): on a shared machine the CPU time
# divided by the threads is what the search costs on idle cores.
TIMEFORMAT='wall %R s, user %U s, sys %S s'
time "$build/bin/item2vec" eval --model "$data/model" --test "$data/test.tsv" --threads "$threads" \
  --json "$data/eval.json"
grep -o '"seconds":{[^}]*}' "$data/eval.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
