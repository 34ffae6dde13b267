#!/usr/bin/env bash
# vocab_ranks.sh: the time to build the vocabulary against the number of worker ranks.
#
# Writes the catalogue corpus of vocab_memory.sh (--items distinct items, each seen --repeat
# times) and runs `item2vec train --dry-run` (count, exchange, gather, order, node tables,
# memory plan; no training) with each worker count of --workers and 1 server, --repeats times,
# interleaved (1, 2, 4, 1, 2, 4, ...). After each run prints one line: workers, the seconds
# rank 0 logs for each step of building the vocabulary ("vocabulary: ... built in") and its
# CPU seconds in all of them and in counting (what a core of its own would take), the
# job's wall seconds and its CPU seconds (user + system, all ranks); at the end the median of
# each count. Each worker counts 1/W of the tokens and owns 1/W of the items: the counting
# and the owners' work fall with W where every rank has a core of its own; on a machine with
# fewer cores than ranks they share the same cores (say so with the figures).
#
# Options (defaults in brackets):
#   --bin PATH       item2vec binary [build/bin/item2vec]
#   --items N        distinct items [3000000]     --repeat N  times each item is seen [5]
#   --workers "A B"  worker counts ["1 2 4"]      --repeats N runs of each [2]
#   --work DIR       corpus and outputs [/tmp/vocab_ranks]; the corpus is reused when present
# Run it under nice on a shared machine. Needs mpirun and python3 with numpy.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$repo/scripts/bench/lib.sh"
bin="$repo/build/bin/item2vec" items=3000000 repeat=5 workers="1 2 4" repeats=2 work=/tmp/vocab_ranks
bench_args "$0" 20 bin items repeat workers repeats work -- "$@"
bench_mpi_as_root
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
corpus="$work/corpus-$items-x$repeat"
bench_catalogue_corpus "$items" "$repeat" "$corpus"
read -r -a counts <<< "$workers"
results="$work/results"
: > "$results"
for _ in $(seq 1 "$repeats"); do
  for w in "${counts[@]}"; do
    out="$work/dry-$w"
    rm -rf "$out"
    /usr/bin/time -f "%e %U %S" -o "$work/time" mpirun -np $((w + 1)) "$bin" train --input "$corpus" --dim 16 \
      --min-count 1 --epochs 1 --servers 1 --seed 1 --output "$out" --dry-run > "$work/dry.log" 2>&1 ||
      { tail "$work/dry.log" >&2; die "the dry run with $w workers failed"; }
    steps=$(grep -o 'built in [0-9.]* s (rank 0: .*)' "$work/dry.log" | tr -d '(),;' |
      awk '{ printf "vocab_s=%s count=%s exchange=%s gather=%s order=%s tables=%s rank0_cpu=%s rank0_count_cpu=%s", $3, $8, $11, $14, $18, $21, $23, $25 }')
    [ -n "$steps" ] || die "no 'vocabulary: ... built in' line in $work/dry.log"
    read -r wall user sys < "$work/time"
    line="workers=$w $steps wall_s=$wall cpu_s=$(echo "$user + $sys" | bc) load=$(cut -d' ' -f1 /proc/loadavg)"
    echo "$line" | tee -a "$results"
  done
done
echo "median over $repeats run(s):"
python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    fields = dict(f.split("=") for f in line.split())
    runs.setdefault(fields.pop("workers"), []).append(fields)
for w, rows in runs.items():
    keys = [k for k in rows[0] if k != "load"]
    print("workers=%s " % w + " ".join("%s=%.2f" % (k, statistics.median(float(r[k]) for r in rows)) for k in keys))
PY
