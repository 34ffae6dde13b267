#!/usr/bin/env bash
# Measures PS traffic on the local cluster: NODES nodes (default 3), worker ranks on node1 ..
# node(NODES-1), the server on the last node, one rank per node, so every pull and push
# crosses a link. For each link rate
# and setting it prints tokens/s (train.json) and bytes per token from the links' byte counters:
#   pulls  = bytes the server's node sent (the rows it answers with),
#   pushes = bytes the server's node received (deltas and the keys of pull requests),
# per token seen (train.json tokens_seen, all epochs). Prints one markdown table row per run.
# Usage: measure_traffic.sh ITEM2VEC GEN_CORPUS [TOKENS] [RATES...]   (root; brings the
#        cluster CLUSTER_NAME=i2vmeasure up and down itself)
# Environment: SETTINGS="fast default" (names below, run in this order for each rate),
#              REPEAT=1 (runs of each setting per rate, interleaved), EPOCHS=1, NODES=3.
set -euo pipefail
bin=${1:?usage: measure_traffic.sh ITEM2VEC GEN_CORPUS [TOKENS] [RATES...]}
gen=${2:?}
tokens=${3:-2M}
shift 3 2> /dev/null || shift $#
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(none 1gbit)
export CLUSTER_NAME=i2vmeasure OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
C="$(cd "$(dirname "$0")" && pwd)/cluster.sh"
work=$(mktemp -d /tmp/item2vec-traffic.XXXXXX)
trap '"$C" down > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$gen" --output "$work/corpus" --tokens "$tokens" --items 50000 > /dev/null 2>&1
bytes() { ip -n "$CLUSTER_NAME-node$1" -s link show eth0 | awk -v d="$2" '$1 == d ":" { getline; print $1 }'; }
declare -A settings=(
  [default]=""
  [default-fp32]="--wire-precision fp32"
  [fast]="--kernel hogbatch --negative-pool 1024"
  [fast-fp32]="--kernel hogbatch --negative-pool 1024 --wire-precision fp32"
  [bf16]="--kernel hogbatch --negative-pool 1024 --wire-precision bf16"
  [fp16]="--kernel hogbatch --negative-pool 1024 --wire-precision fp16"
  [bf16-16k]="--kernel hogbatch --negative-pool 1024 --wire-precision bf16 --batch-tokens 16384"
  [bf16-32k]="--kernel hogbatch --negative-pool 1024 --wire-precision bf16 --batch-tokens 32768"
  [cluster]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini"
  # configs/cluster.ini before 2026-12-07 (bf16 rows, no hot rows), and the steps from it
  [cluster-bf16]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision bf16 --hot-rows 0"
  [cluster-int8]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision int8 --hot-rows 0"
  [cluster-int8-hot2k]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision int8 --hot-rows 2048 --hot-sync 4"
  [cluster-int4-int8]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision int4-int8 --hot-rows 0"
  [cluster-int4]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision int4 --hot-rows 0"
  [cluster-int8-hot1k2]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision int8 --hot-rows 1024 --hot-sync 2"
  [cluster-int8-hot2k2]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision int8 --hot-rows 2048 --hot-sync 2"
  [cluster-int8-hot4k]="--config $(cd "$(dirname "$0")/../.." && pwd)/configs/cluster.ini --wire-precision int8 --hot-rows 4096 --hot-sync 4"
)
read -r -a names <<< "${SETTINGS:-fast default}"
for name in "${names[@]}"; do [ -n "${settings[$name]+x}" ] || { echo "unknown setting '$name'" >&2; exit 2; }; done
echo "| layout | link | setting | tokens/s | bytes/token pulls | bytes/token pushes | bytes/token total | wait per worker, s (share of its time) |"
echo "|---|---|---|---|---|---|---|---|"
# Interleaved: each repeat runs every rate (set on all three links) and every setting in turn,
# so slow drifts of the machine hit all of them alike.
nodes=${NODES:-3}
[ "$nodes" -ge 2 ] || { echo "NODES must be at least 2" >&2; exit 2; }
hosts=$(seq -s, -f "node%g:1" 1 "$nodes")
srv=$nodes
"$C" up "$nodes" > /dev/null
for _ in $(seq 1 "${REPEAT:-1}"); do for rate in "${rates[@]}"; do
  for k in $(seq 1 "$nodes"); do "$C" rate "node$k" "$rate" > /dev/null; done
  for name in "${names[@]}"; do
    tx0=$(bytes "$srv" TX); rx0=$(bytes "$srv" RX)
    # shellcheck disable=SC2086
    "$C" mpirun --host "$hosts" -np "$nodes" "$bin" train --input "$work/corpus/parts" \
      --output "$work/m" --dim 100 --epochs "${EPOCHS:-1}" --servers 1 --log-level warn ${settings[$name]} > "$work/log" 2>&1 ||
      { tail "$work/log" >&2; exit 1; }
    tx=$(( $(bytes "$srv" TX) - tx0 )); rx=$(( $(bytes "$srv" RX) - rx0 ))
    tps=$(grep -o '"tokens_per_second":[0-9.e+]*' "$work/m/train.json" | cut -d: -f2)
    trained=$(grep -o '"tokens_seen":[0-9]*' "$work/m/train.json" | head -1 | cut -d: -f2)
    wait=$(python3 -c 'import json, sys
print(" / ".join("%.1f (%.0f %%)" % (w["wait_seconds"], 100 * w["wait_seconds"] / max(w["seconds"], 1e-9))
                 for w in json.load(open(sys.argv[1]))["workers"]))' "$work/m/train.json")
    awk -v l="$nodes nodes, $((nodes - 1)) workers + 1 server" -v r="$rate" -v s="$name" -v t="$tps" -v n="$trained" -v tx="$tx" -v rx="$rx" -v w="$wait" \
      'BEGIN { printf "| %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %s |\n", l, r, s, t, tx / n, rx / n, (tx + rx) / n, w }'
  done
done; done
