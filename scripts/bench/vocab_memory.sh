#!/usr/bin/env bash
# vocab_memory.sh: the memory a training job needs per item of the catalogue, beyond the model rows.
#
# Writes a corpus of --items distinct items, each seen --repeat times (items "i<k>", shuffled
# into sessions of 10 by a seeded permutation per pass), prints the memory plan (--dry-run) and
# trains one epoch with --workers workers + 1 server on this node while a sampler sums the
# proportional set size (Pss, /proc/PID/smaps_rollup, so pages shared between ranks count once)
# of every rank every --every seconds. Prints one line of key=value figures:
#   items, vocab (V), rows_mib (the two matrices' rows, 2*V*d*4), peak_pss_mib (largest sum over
#   the ranks), peak_rank_pss_mib (each rank's own peak, rank order), bytes_per_item
#   ((peak_pss - rows) / V), train_pss_mib and train_bytes_per_item (the same while training:
#   the samples where the server holds at least half its rows), plan_worker_mib /
#   plan_worker_peak_mib / plan_leader_peak_mib (training, with its share of the node-shared
#   tables / while building the vocabulary / the same on rank 0) / plan_server_mib (the dry run), train_s, wall_s.
#
# Options (defaults in brackets):
#   --bin PATH      item2vec binary [build/bin/item2vec]
#   --items N       distinct items [3000000]     --repeat N  times each item is seen [5]
#   --dim N         [16]                         --workers N [2]
#   --every S       sampling period, seconds [0.2]
#   --work DIR      corpus and model [/tmp/vocab_memory]; the corpus is reused when present
#   --train-args S  extra train options, word-split, for the dry run and the training [""]
#                   (rows_mib stays 2*V*d*4: with --server-precision bf16 the rows held are half)
# Run it under nice on a shared machine. Needs mpirun and python3 with numpy.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$repo/scripts/bench/lib.sh"
bin="$repo/build/bin/item2vec" items=3000000 repeat=5 dim=16 workers=2 every=0.2 work=/tmp/vocab_memory train_args=""
bench_args "$0" 20 bin items repeat dim workers every work train-args -- "$@"
bench_mpi_as_root
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1

corpus="$work/corpus-$items-x$repeat"
if [ ! -s "$corpus/part-0" ]; then
  mkdir -p "$corpus"
  /usr/bin/python3 - "$items" "$repeat" "$corpus/part-0" <<'PY'
import sys, numpy as np
items, repeat, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
with open(path + ".tmp", "w") as f:
    for _ in range(repeat):
        order = rng.permutation(items)
        for start in range(0, items, 100000):
            chunk = order[start:start + 100000]
            words = ["i%d" % k for k in chunk]
            f.write("\n".join(" ".join(words[j:j + 10]) for j in range(0, len(words), 10)) + "\n")
import os; os.replace(path + ".tmp", path)
PY
fi

run="$work/run"
rm -rf "$run" && mkdir -p "$run"
np=$((workers + 1))
train=("$bin" train --input "$corpus" --dim "$dim" --min-count 1 --epochs 1 --servers 1 --seed 1)
mpirun -np "$np" "${train[@]}" --output "$run/dry" --dry-run $train_args > "$run/dry.log" 2>&1
plan=$(grep -o 'memory plan:.*' "$run/dry.log" | head -n 1)

# One line per sample: the Pss (kB) of each rank in rank order.
sample() {
  while :; do
    line=""
    for pid in $(pgrep -f "^$bin train --input $corpus .*--output $run/model" || true); do
      r=$(tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p') || continue
      k=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2> /dev/null) || continue
      [ -n "$r" ] && [ -n "$k" ] && line+=" $r:$k"
    done
    [ -n "$line" ] && echo "$line"
    sleep "$every"
  done
}
sample > "$run/pss.samples" 2> /dev/null &
sampler=$!
start=$(date +%s.%N)
# shellcheck disable=SC2086
mpirun -np "$np" "${train[@]}" --output "$run/model" $train_args > "$run/run.log" 2>&1 || { kill $sampler; tail "$run/run.log" >&2; exit 1; }
wall=$(echo "$(date +%s.%N) - $start" | bc)
kill $sampler; wait $sampler 2> /dev/null || true

V=$(grep -o '"vocab_size": *[0-9]*' "$run/model/train.json" | grep -o '[0-9]*$')
train_s=$(grep -o '"train_seconds": *[0-9.]*' "$run/model/train.json" | grep -o '[0-9.]*$')
awk -v V="$V" -v d="$dim" -v np="$np" -v items="$items" -v plan="$plan" -v wall="$wall" -v ts="$train_s" '
  { s = 0; srv = 0
    for (i = 1; i <= NF; i++) { split($i, a, ":"); s += a[2]; if (a[2] > pk[a[1]]) pk[a[1]] = a[2]; if (a[1] == np - 1) srv = a[2] }
    if (s > peak) peak = s
    if (srv * 1024 >= V * d * 4 && s > tpeak) tpeak = s }
  END {
    rows = 2 * V * d * 4
    ranks = ""; for (r = 0; r < np; r++) ranks = ranks (r ? "/" : "") sprintf("%.0f", pk[r] / 1024)
    match(plan, /worker\(s\) x [0-9.]+/); w = substr(plan, RSTART + 12, RLENGTH - 12)
    match(plan, /server\(s\) x [0-9.]+/); s = substr(plan, RSTART + 12, RLENGTH - 12)
    match(plan, /peak [0-9.]+ MiB while/); wp = substr(plan, RSTART + 5, RLENGTH - 15)
    match(plan, /vocabulary, [0-9.]+ MiB on rank 0/); lp = substr(plan, RSTART + 12, RLENGTH - 26)
    printf "items=%d vocab=%d rows_mib=%.1f peak_pss_mib=%.1f peak_rank_pss_mib=%s bytes_per_item=%.0f train_pss_mib=%.1f train_bytes_per_item=%.0f plan_worker_mib=%s plan_worker_peak_mib=%s plan_leader_peak_mib=%s plan_server_mib=%s train_s=%s wall_s=%.1f\n",
      items, V, rows / 1048576, peak / 1024, ranks, (peak * 1024 - rows) / V, tpeak / 1024, (tpeak * 1024 - rows) / V, w, wp, lp, s, ts, wall }' "$run/pss.samples"
