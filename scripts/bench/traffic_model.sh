#!/usr/bin/env bash
# traffic_model.sh: bytes per token of item2vec's row-partitioned servers against Yahoo's
# column-partitioned design on a long-tail corpus (1M+ items by default), computed from the
# trainer's own batches by item2vec-traffic-model (which matches train.json's
# bytes_per_token exactly for the row design). Prints one markdown table.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"
TOKENS=20M ITEMS=1500k ZIPF=0.7 DIM=100 SERVERS="1 4" WORK="$REPO/out/traffic"
BIN_DIR="${ITEM2VEC_BIN_DIR:-$REPO/build/bin}"
usage() {
  cat <<USAGE
Usage: scripts/bench/traffic_model.sh [--tokens 20M] [--items 1500k] [--zipf 0.7] [--dim 100]
                                      [--servers "1 4"] [--work DIR]
Generates a long-tail session corpus (item2vec-gen-corpus) and prints, for the fast path
(--kernel hogbatch --negative-pool 1024) and the word2vec.c path (--kernel pair
--negative-pool 0), the network bytes per token of the row design at fp32 and bf16 rows,
and of the column design with negative ids and with a shared negative seed, per server count.
Binaries from \$ITEM2VEC_BIN_DIR (default build/bin).
USAGE
}
while [ $# -gt 0 ]; do
  case "$1" in
    --tokens) TOKENS=$2; shift 2 ;; --items) ITEMS=$2; shift 2 ;; --zipf) ZIPF=$2; shift 2 ;;
    --dim) DIM=$2; shift 2 ;; --servers) SERVERS=$2; shift 2 ;; --work) WORK=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "traffic_model.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for b in item2vec-gen-corpus item2vec-traffic-model; do
  [ -x "$BIN_DIR/$b" ] || { echo "traffic_model.sh: $BIN_DIR/$b missing; run scripts/build.sh" >&2; exit 1; }
done
corpus="$WORK/corpus-$TOKENS-$ITEMS-$ZIPF"
if [ ! -s "$corpus/corpus.json" ]; then
  "$BIN_DIR/item2vec-gen-corpus" --output "$corpus" --tokens "$TOKENS" --items "$ITEMS" --zipf "$ZIPF" --seed 5 >&2
fi
echo "Corpus: $TOKENS tokens, $ITEMS items, Zipf $ZIPF; d=$DIM, window 5, negative 5, sample 1e-3, batch 4096 tokens; $(date -u +%F)"
echo
echo "| path | servers | rows fp32 | rows bf16 | columns, negative ids | columns, negative seed |"
echo "|---|---|---|---|---|---|"
for path in fast exact; do
  if [ $path = fast ]; then k="--kernel hogbatch --negative-pool 1024"; else k="--kernel pair --negative-pool 0"; fi
  for s in $SERVERS; do
    # shellcheck disable=SC2086
    out=$("$BIN_DIR/item2vec-traffic-model" --input "$corpus/parts" --dim "$DIM" $k --servers "$s")
    field() { echo "$out" | awk -F'|' -v d="$1" '$2 ~ d { gsub(/ /, "", $3); print $3 }'; }
    echo "| $path | $s | $(field "fp32") | $(field "16-bit") | $(field "negative ids") | $(field "shared seed") |"
  done
done
