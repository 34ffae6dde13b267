#!/usr/bin/env bash
# vocab_memory.sh: the memory a training job needs per item of the catalogue, beyond the model rows.
#
# Writes a corpus of --items distinct items, each seen --repeat times (items "i<k>", shuffled
# into sessions of 10 by a seeded permutation per pass), prints the memory plan (--dry-run) and
# trains one epoch with --workers workers + --servers servers while a sampler sums the
# proportional set size (Pss, /proc/PID/smaps_rollup, so pages shared between ranks count once)
# of every rank every --every seconds. With --nodes 1 all ranks run on this node; with --nodes N
# (N = workers + servers) they run one rank per node on a local cluster of network namespaces
# (scripts/cluster/cluster.sh, named --cluster, brought up and down here; needs root), rank r on
# node r+1, so each node holds its own copy of the node-shared tables. The job is killed
# (exit 3) if MemAvailable falls under --min-available MiB. Prints one line of key=value figures:
#   items, vocab (V), rows_mib (the two matrices' rows, 2*V*d*4), peak_pss_mib (largest sum over
#   the ranks), peak_rank_pss_mib (each rank's own peak, rank order; with --nodes N also each
#   node's), bytes_per_item ((peak_pss - rows) / V), train_pss_mib and train_bytes_per_item (the
#   same while training: the samples where the servers hold at least half the rows),
#   plan_worker_mib / plan_worker_peak_mib / plan_leader_peak_mib (training, with its share of
#   the node-shared tables / while building the vocabulary / the same on rank 0) /
#   plan_server_mib (the dry run's plan; with --plan 0 the same line as the training run prints it),
#   vocab_s (first log line to the vocabulary line), train_s and tokens_per_s (train.json),
#   write_s (trained line to the model-written line), model_mib (du of the output), wall_s.
#
# Options (defaults in brackets):
#   --bin PATH      item2vec binary [build/bin/item2vec]
#   --items N       distinct items [3000000]     --repeat N  times each item is seen [5]
#   --dim N         [16]                         --workers N [2]     --servers N [1]
#   --nodes N       1, or workers + servers for one rank per node on a local cluster [1]
#   --cluster NAME  the local cluster's name (scripts/cluster, CLUSTER_NAME) [i2vbench]
#   --plan 0|1      run the dry run first (1) or take the plan from the training run's log [1]
#   --every S       sampling period, seconds [0.2]
#   --min-available MiB  kill the job when MemAvailable falls under this [3072]
#   --work DIR      corpus and model [/tmp/vocab_memory]; the corpus is reused when present
#   --train-args S  extra train options, word-split, for the dry run and the training [""]
#                   (rows_mib stays 2*V*d*4: with --server-precision bf16 the rows held are half)
# Run it under nice on a shared machine. Needs mpirun and python3 with numpy.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$repo/scripts/bench/lib.sh"
bin="$repo/build/bin/item2vec" items=3000000 repeat=5 dim=16 workers=2 servers=1 nodes=1 cluster=i2vbench plan=1
every=0.2 min_available=3072 work=/tmp/vocab_memory train_args=""
bench_args "$0" 34 bin items repeat dim workers servers nodes cluster plan every min-available work train-args -- "$@"
bench_mpi_as_root
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
np=$((workers + servers))
launch=(mpirun)
if [ "$nodes" != 1 ]; then
  [ "$nodes" = "$np" ] || die "--nodes must be 1 or workers + servers ($np): one rank per node"
  export CLUSTER_NAME=$cluster
  launch=("$repo/scripts/cluster/cluster.sh" mpirun --host "$(seq -s, -f "node%g:1" 1 "$nodes")")
  "$repo/scripts/cluster/cluster.sh" up "$nodes" > /dev/null
  trap '"$repo/scripts/cluster/cluster.sh" down > /dev/null 2>&1 || true' EXIT
fi

corpus="$work/corpus-$items-x$repeat"
bench_catalogue_corpus "$items" "$repeat" "$corpus"

run="$work/run"
rm -rf "$run" && mkdir -p "$run"
train=("$bin" train --input "$corpus" --dim "$dim" --min-count 1 --epochs 1 --servers "$servers" --seed 1)
plan_line="-"
if [ "$plan" = 1 ]; then
  "${launch[@]}" -np "$np" "${train[@]}" --output "$run/dry" --dry-run $train_args > "$run/dry.log" 2>&1
  plan_line=$(grep -o 'memory plan:.*' "$run/dry.log" | head -n 1)
fi

# One line per sample: the Pss (kB) of each rank in rank order. Kills the ranks when the
# machine's MemAvailable falls under --min-available (marker file: the figure then).
sample() {
  local pids avail
  while :; do
    line=""
    pids=$(pgrep -f "^$bin train --input $corpus .*--output $run/model" || true)
    for pid in $pids; do
      r=$(tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p') || continue
      k=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2> /dev/null) || continue
      [ -n "$r" ] && [ -n "$k" ] && line+=" $r:$k"
    done
    [ -n "$line" ] && echo "$line"
    avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
    if [ "$avail" -lt "$min_available" ] && [ -n "$pids" ]; then
      echo "$avail" > "$run/low-memory"
      # shellcheck disable=SC2086
      kill -9 $pids 2> /dev/null || true
    fi
    sleep "$every"
  done
}
sample > "$run/pss.samples" 2> /dev/null &
sampler=$!
start=$(date +%s.%N)
rc=0
# shellcheck disable=SC2086
"${launch[@]}" -np "$np" "${train[@]}" --output "$run/model" $train_args > "$run/run.log" 2>&1 || rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
kill $sampler; wait $sampler 2> /dev/null || true
[ -e "$run/low-memory" ] && { echo "vocab_memory.sh: killed the job: MemAvailable fell to $(cat "$run/low-memory") MiB" >&2; exit 3; }
[ "$rc" = 0 ] || { tail "$run/run.log" >&2; exit 1; }
[ "$plan" = 1 ] || plan_line=$(grep -o 'memory plan:.*' "$run/run.log" | head -n 1)

# Seconds between the first timestamped log line and the one matching $1 (the clock of the log lines).
log_s() { awk -v re="$1" -F'[][]' '
  /^\[20/ { split($2, t, "[ :]"); s = t[2] * 3600 + t[3] * 60 + t[4]; if (first == "") first = s; if ($0 ~ re) { print s - first; exit } }' "$run/run.log"; }
vocab_s=$(log_s '\] vocabulary: ')
write_s=$(echo "$(log_s '\] wrote .*vectors.txt') - $(log_s '\] trained [0-9]+ tokens')" | bc)
model_mib=$(du -sm "$run/model" | cut -f1)
json() { grep -o "\"$1\": *[0-9.e+]*" "$run/model/train.json" | head -n 1 | grep -o '[0-9.e+]*$'; }
awk -v V="$(json vocab_size)" -v d="$dim" -v np="$np" -v S="$servers" -v nodes="$nodes" -v items="$items" -v plan="$plan_line" \
    -v wall="$wall" -v ts="$(json train_seconds)" -v tps="$(json tokens_per_second)" -v vs="$vocab_s" -v ws="$write_s" -v mm="$model_mib" '
  { s = 0; srv = 0
    for (i = 1; i <= NF; i++) { split($i, a, ":"); s += a[2]; if (a[2] > pk[a[1]]) pk[a[1]] = a[2]; if (a[1] >= np - S) srv += a[2] }
    if (s > peak) peak = s
    if (srv * 1024 >= V * d * 4 && s > tpeak) tpeak = s }
  END {
    rows = 2 * V * d * 4
    ranks = ""; for (r = 0; r < np; r++) ranks = ranks (r ? "/" : "") sprintf("%.0f", pk[r] / 1024)
    w = wp = lp = s = "-"
    if (match(plan, /worker\(s\) x [0-9.]+/)) w = substr(plan, RSTART + 12, RLENGTH - 12)
    if (match(plan, /server\(s\) x [0-9.]+/)) s = substr(plan, RSTART + 12, RLENGTH - 12)
    if (match(plan, /peak [0-9.]+ MiB while/)) wp = substr(plan, RSTART + 5, RLENGTH - 15)
    if (match(plan, /vocabulary, [0-9.]+ MiB on rank 0/)) lp = substr(plan, RSTART + 12, RLENGTH - 26)
    printf "items=%d vocab=%d nodes=%d rows_mib=%.1f peak_pss_mib=%.1f peak_rank_pss_mib=%s bytes_per_item=%.0f train_pss_mib=%.1f train_bytes_per_item=%.0f plan_worker_mib=%s plan_worker_peak_mib=%s plan_leader_peak_mib=%s plan_server_mib=%s vocab_s=%.1f train_s=%.1f tokens_per_s=%.0f write_s=%.1f model_mib=%d wall_s=%.1f\n",
      items, V, nodes, rows / 1048576, peak / 1024, ranks, (peak * 1024 - rows) / V, tpeak / 1024, (tpeak * 1024 - rows) / V, w, wp, lp, s, vs, ts, tps, ws, mm, wall }' "$run/pss.samples"
