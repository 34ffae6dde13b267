#!/usr/bin/env bash
# profile_train.sh: where the CPU goes in one training run, per rank.
#
# Usage: scripts/bench/profile_train.sh [--ranks N] [--top K] [--out DIR] -- TRAIN_ARGS...
#   Runs `mpirun -np N item2vec train TRAIN_ARGS` with every rank under `perf record`
#   (sampling at perf's default rate, no call graphs) and prints each rank's top K symbols
#   (self time) from `perf report`. Rank roles follow item2vec: the last --servers ranks are
#   servers. Profiles stay in DIR (default out/profile/<stamp>/perf.<rank>) for
#   `perf report -i DIR/perf.R`.
# Example (the 10M-token benchmark corpus of docs/benchmarks.md, 2 workers + 1 server):
#   scripts/bench/profile_train.sh --ranks 3 -- --input out/bench/corpus-t10M-i100k-c0-n0.6-s1/train \
#     --output /tmp/m --servers 1 --epochs 2
# Needs perf (Debian linux-perf); perf may need kernel.perf_event_paranoid <= 2 as non-root.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ranks=3 top=15 out="$repo/out/profile/$(date +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ranks) ranks=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    *) echo "profile_train.sh: unknown option '$1' (train options go after --)" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "profile_train.sh: give the train options after --" >&2; exit 2; }
command -v perf > /dev/null || { echo "profile_train.sh: perf is missing (apt-get install -y linux-perf)" >&2; exit 2; }
bin="${ITEM2VEC:-$repo/build/bin/item2vec}"
[[ -x "$bin" ]] || { echo "profile_train.sh: no trainer at $bin (scripts/build.sh, or set ITEM2VEC)" >&2; exit 2; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_tcp_if_include="${OMPI_MCA_btl_tcp_if_include:-lo}"
export OMPI_MCA_oob_tcp_if_include="${OMPI_MCA_oob_tcp_if_include:-lo}"
mkdir -p "$out"
mpirun --oversubscribe -np "$ranks" sh -c 'exec perf record -q -o "$0/perf.$OMPI_COMM_WORLD_RANK" "$@"' "$out" \
  "$bin" train "$@" > "$out/train.log" 2>&1 || { echo "profile_train.sh: training failed, see $out/train.log" >&2; exit 1; }
grep -h "time:\|server:\|input:" "$out/train.log" || true
for ((r = 0; r < ranks; r++)); do
  echo "== rank $r: top $top symbols by self time"
  perf report -i "$out/perf.$r" --no-children --stdio 2> /dev/null | grep -E '^ +[0-9.]+%' | head -n "$top"
done
echo "profiles in $out"
