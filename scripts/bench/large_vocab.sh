#!/usr/bin/env bash
# large_vocab.sh: one large-vocabulary training run (default 5M items, d=64) with peak RSS per
# rank (servers vs workers), throughput, and the cost of checkpoints per GB of model.
# See docs/benchmarks.md, "Large vocabulary: 5M items, d=64".
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"

usage() {
  cat <<EOF
Usage: scripts/bench/large_vocab.sh [options]

Generates a synthetic corpus over many items (item2vec-gen-corpus), prints the memory plan
(item2vec train --dry-run), then trains one epoch on the fast path (--kernel hogbatch
--negative-pool 1024) with a checkpoint every --checkpoint-every, each rank under its own
/usr/bin/time -v, checks that vectors.bin was written and prints one table: vocabulary size,
model bytes (2 * V * d * 4), peak RSS per rank by role, train seconds, tokens/s, every
checkpoint's MiB and seconds with the seconds per GiB of checkpoint, and vectors.bin's size.

Options (each also settable by the environment variable in brackets):
  --bin PATH           item2vec binary (default: newest $REPO/build*/bin/item2vec) [ITEM2VEC]
  --gen PATH           item2vec-gen-corpus (default: newest build*/bin/item2vec-gen-corpus)
                                                                     [ITEM2VEC_GEN_CORPUS]
  --items N            distinct items of the corpus (default 5M; k/M ok)     [LV_ITEMS]
  --tokens N           corpus tokens (default 150M; k/M/G ok). The generator's two-level
                       Zipf law leaves rare items rare: with 5M items, 150M tokens make
                       about 85 % of them appear at least once, 60M tokens about 65 % [LV_TOKENS]
  --min-count N        item2vec --min-count (default 1, so that the vocabulary is most of
                       the items; at the trainer's default of 5 it would be about 37 %) [LV_MIN_COUNT]
  --dim N              embedding dimension (default 64)                      [LV_DIM]
  --np N               MPI ranks, workers + servers (default 3)              [LV_NP]
  --servers N          of which parameter servers (default 1)                [LV_SERVERS]
  --checkpoint-every T item2vec --checkpoint-every (default 30s); one more is written at the
                       end of the epoch                                      [LV_CHECKPOINT_EVERY]
  --seed N             corpus and training seed (default 1)                  [LV_SEED]
  --work DIR           corpus, model, logs (default $REPO/out/large_vocab)   [LV_WORK]
  --keep               keep the corpus and the model (default: delete them at the end,
                       keep the logs, timings and the table)
  --timeout S          seconds before the training job is killed (default 3600) [LV_TIMEOUT]
  --train-args "ARGS"  extra options for item2vec train, word-split         [LV_TRAIN_ARGS]
  -h, --help           print this help

An existing corpus under WORK with the same items, tokens and seed is reused (the generator
gives the same bytes for the same options). The table is also written to
WORK/large_vocab-i<ITEMS>-t<TOKENS>-d<DIM>-np<NP>s<SERVERS>.md.

Examples:
  scripts/bench/large_vocab.sh --bin build/bin/item2vec --gen build/bin/item2vec-gen-corpus
  scripts/bench/large_vocab.sh --items 500k --tokens 15M --work /tmp/lv
  scripts/bench/large_vocab.sh --servers 2 --np 3        # 1 worker + 2 servers

Needs: mpirun (Open MPI), /usr/bin/time (apt-get install -y time); disk: about 9 bytes per
corpus token plus about four times the model (two checkpoints, vectors.txt/.bin, the output
matrix). The 5M-item default took about 16 minutes on a shared 2-core machine.
EOF
}

repo=$REPO
# shellcheck source=lib.sh
source "$repo/scripts/bench/lib.sh"

ITEM2VEC="${ITEM2VEC:-}"
GEN="${ITEM2VEC_GEN_CORPUS:-}"
ITEMS="${LV_ITEMS:-5M}"
TOKENS="${LV_TOKENS:-150M}"
MIN_COUNT="${LV_MIN_COUNT:-1}"
DIM="${LV_DIM:-64}"
NP="${LV_NP:-3}"
SERVERS="${LV_SERVERS:-1}"
CKPT_EVERY="${LV_CHECKPOINT_EVERY:-30s}"
SEED="${LV_SEED:-1}"
WORK="${LV_WORK:-$REPO/out/large_vocab}"
KEEP=0
TIMEOUT="${LV_TIMEOUT:-3600}"
TRAIN_ARGS="${LV_TRAIN_ARGS:-}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --keep) KEEP=1; shift ;;
    --bin|--gen|--items|--tokens|--min-count|--dim|--np|--servers|--checkpoint-every|--seed|--work|--timeout|--train-args)
      [[ $# -ge 2 ]] || die "option $1 needs a value (see --help)"
      case "$1" in
        --bin) ITEM2VEC="$2" ;; --gen) GEN="$2" ;; --items) ITEMS="$2" ;; --tokens) TOKENS="$2" ;;
        --min-count) MIN_COUNT="$2" ;; --dim) DIM="$2" ;; --np) NP="$2" ;; --servers) SERVERS="$2" ;;
        --checkpoint-every) CKPT_EVERY="$2" ;; --seed) SEED="$2" ;; --work) WORK="$2" ;;
        --timeout) TIMEOUT="$2" ;; --train-args) TRAIN_ARGS="$2" ;;
      esac
      shift 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# --- checks --------------------------------------------------------------------------------
for v in MIN_COUNT DIM NP SERVERS SEED TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "--$(echo "$v" | tr 'A-Z_' 'a-z-') must be a non-negative integer, got '${!v}'"
done
[[ "$ITEMS" =~ ^[1-9][0-9]*[kMG]?$ ]] || die "--items wants a number (k/M/G ok), got '$ITEMS'"
[[ "$TOKENS" =~ ^[1-9][0-9]*[kMG]?$ ]] || die "--tokens wants a number (k/M/G ok), got '$TOKENS'"
[[ $SERVERS -ge 1 && $NP -gt $SERVERS ]] || die "need --servers >= 1 and --np > --servers (at least one worker), got --np $NP --servers $SERVERS"
[[ $DIM -ge 1 ]] || die "--dim must be positive"
newest() { ls -t $1 2>/dev/null | head -n 1 || true; }
[[ -n "$ITEM2VEC" ]] || ITEM2VEC="$(newest "$REPO/build*/bin/item2vec")"
[[ -n "$GEN" ]] || GEN="$(newest "$REPO/build*/bin/item2vec-gen-corpus")"
[[ -n "$ITEM2VEC" && -x "$ITEM2VEC" ]] || die "no item2vec binary (build it: make -C build -j2 item2vec; or pass --bin)"
[[ -n "$GEN" && -x "$GEN" ]] || die "no item2vec-gen-corpus binary (make -C build -j2 item2vec-gen-corpus; or pass --gen)"
command -v mpirun >/dev/null || die "mpirun is missing (apt-get install -y openmpi-bin)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install -y time)"
command -v timeout >/dev/null || die "timeout (coreutils) is missing"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_tcp_if_include="${OMPI_MCA_btl_tcp_if_include:-lo}"
export OMPI_MCA_oob_tcp_if_include="${OMPI_MCA_oob_tcp_if_include:-lo}"
export OMPI_MCA_rmaps_base_oversubscribe="${OMPI_MCA_rmaps_base_oversubscribe:-1}"

mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
WORKERS=$((NP - SERVERS))
DATA="$WORK/corpus-i$ITEMS-t$TOKENS-s$SEED"
RUN="$WORK/run-i$ITEMS-t$TOKENS-d$DIM-np${NP}s$SERVERS"
TABLE="$WORK/large_vocab-i$ITEMS-t$TOKENS-d$DIM-np${NP}s$SERVERS.md"

# --- corpus --------------------------------------------------------------------------------
to_num() { local n="${1%[kMG]}"; case "$1" in *k) echo $((n * 1000)) ;; *M) echo $((n * 1000000)) ;; *G) echo $((n * 1000000000)) ;; *) echo "$n" ;; esac; }
want_json="\"tokens\": $(to_num "$TOKENS"), \"items\": $(to_num "$ITEMS")"
if [[ -s "$DATA/corpus.json" ]] && grep -q "$want_json, \"clusters\": [0-9]*, \"seed\": $SEED," "$DATA/corpus.json"; then
  log "reusing the corpus in $DATA"
else
  log "generating $TOKENS tokens over $ITEMS items in $DATA"
  rm -rf "$DATA"
  /usr/bin/time -f '%e s, peak RSS %M KB' -o "$WORK/gen.time" \
    "$GEN" --output "$DATA" --tokens "$TOKENS" --items "$ITEMS" --seed "$SEED" >"$WORK/gen.log" 2>&1 ||
    die "the generator failed (see $WORK/gen.log)"
  log "generator: $(cat "$WORK/gen.time")"
fi
APPEARING=$(wc -l <"$DATA/counts.tsv")
AT_MIN=$(awk -F'\t' -v m="$MIN_COUNT" '$2 >= m { n++ } END { print n + 0 }' "$DATA/counts.tsv")
log "corpus: $(du -sh "$DATA/parts" | cut -f1) of part files; $APPEARING items appear, $AT_MIN at least $MIN_COUNT times"

# A private copy of the trainer: the dry run and every rank of the real run execute the same
# bytes even when a build replaces the binary meanwhile (on a shared tree it does).
rm -rf "$RUN" && mkdir -p "$RUN"
cp "$ITEM2VEC" "$RUN/item2vec"
TRAIN=("$RUN/item2vec" train --input "$DATA/parts" --dim "$DIM" --min-count "$MIN_COUNT" --epochs 1
       --seed "$SEED" --servers "$SERVERS" --kernel hogbatch --negative-pool 1024)

# --- the plan ------------------------------------------------------------------------------
log "dry run (memory plan), $WORKERS worker(s) + $SERVERS server(s)"
mpirun -np "$NP" "${TRAIN[@]}" --output "$RUN/dry" --dry-run >"$RUN/dry.log" 2>&1 ||
  { cat "$RUN/dry.log" >&2; die "the dry run failed (see $RUN/dry.log)"; }
PLAN="$(grep -m1 '^memory plan:' "$RUN/dry.log" || grep -m1 -o 'memory plan:.*' "$RUN/dry.log" || true)"
echo "$PLAN"
grep -o "this node's ranks need.*" "$RUN/dry.log" | head -n 1 || true

# --- the run -------------------------------------------------------------------------------
log "training 1 epoch, checkpoint every $CKPT_EVERY (log: $RUN/run.log)"
# Beside /usr/bin/time's peak (VmHWM, which for the workers includes the item-counting pass),
# sample every rank's VmRSS every 2 s: the median is the resident size while training.
sample_rss() {
  while :; do
    for pid in $(pgrep -f "^$RUN/item2vec train" || true); do
      r=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p') || continue
      k=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
      [[ -n "$r" && -n "$k" ]] && echo "$(date +%s) $r $k"
    done
    sleep 2
  done
}
sample_rss >"$RUN/rss.samples" 2>/dev/null &
SAMPLER=$!
rc=0
# Each rank under its own /usr/bin/time -v: peak RSS per rank; the outer one times the job.
# shellcheck disable=SC2086
timeout --kill-after=30 "$TIMEOUT" /usr/bin/time -v -o "$RUN/time.job" \
  mpirun -np "$NP" sh -c 'exec /usr/bin/time -v -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$RUN/time.rank" \
  "${TRAIN[@]}" --output "$RUN/model" --checkpoint-every "$CKPT_EVERY" --progress-seconds 30 \
  $TRAIN_ARGS >"$RUN/run.log" 2>&1 || rc=$?
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
if [[ $rc -ne 0 || ! -s "$RUN/model/vectors.bin" || ! -s "$RUN/model/train.json" ]]; then
  tail -n 20 "$RUN/run.log" >&2
  die "training failed (exit $rc) or left no vectors.bin; see $RUN/run.log"
fi
log "training complete"

# --- the table -----------------------------------------------------------------------------
jnum() { grep -o "\"$1\": *[-0-9.eE+]*" "$RUN/model/train.json" | head -n 1 | sed 's/.*: *//'; }
V=$(jnum vocab_size)
TRAIN_S=$(jnum train_seconds)
TOTAL_S=$(jnum total_seconds)
TOK_S=$(jnum tokens_per_second)
TOKENS_SEEN=$(jnum tokens_seen)
MODEL_BYTES=$((2 * V * DIM * 4))
VEC_BYTES=$(stat -L -c %s "$RUN/model/vectors.bin")
WALL=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$RUN/time.job" |
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
rss_mib() { awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$1"; }
median_rss_mib() {  # median sampled VmRSS of rank $1
  awk -v r="$1" '$2 == r { print $3 }' "$RUN/rss.samples" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR) printf "%.0f", v[int((NR + 1) / 2)] / 1024; else printf "?" }'
}
worker_rss="" server_rss="" worker_med="" server_med=""
for ((r = 0; r < NP; r++)); do
  m=$(rss_mib "$RUN/time.rank.$r")
  med=$(median_rss_mib "$r")
  if [[ $r -lt $WORKERS ]]; then
    worker_rss+="${worker_rss:+ / }$m"; worker_med+="${worker_med:+ / }$med"
  else
    server_rss+="${server_rss:+ / }$m"; server_med+="${server_med:+ / }$med"
  fi
done
plan_mib() { sed -n "s/.*$1 x \([0-9.]*\) MiB.*/\1/p" <<<"$PLAN" | awk '{ printf "%.0f", $1 }'; }
# "checkpoint N (REASON) complete: F files, X MiB in Ys, training paused Zs -> DIR": MiB,
# seconds until complete (the servers write in the background) and seconds training paused.
sed -n 's/.*checkpoint [0-9]* ([^)]*) complete: [0-9]* files, \([0-9.]*\) MiB in \([0-9.]*\)s, training paused \([0-9.]*\)s.*/\1 \2 \3/p' \
  "$RUN/run.log" >"$RUN/checkpoints.txt"
NCKPT=$(wc -l <"$RUN/checkpoints.txt")
[[ $NCKPT -ge 1 ]] || log "warning: no checkpoint was written (the run was shorter than --checkpoint-every?)"
# count, mean MiB, min / median / max s, total s, s per GiB (total s / total GiB)
CKPT_SUMMARY=$(sort -k2,2n "$RUN/checkpoints.txt" | awk '
  { m += $1; s += $2; v[NR] = $2 }
  END { if (NR) printf "%d %.1f %.2f %.2f %.2f %.1f %.2f", NR, m / NR, v[1], v[int((NR + 1) / 2)], v[NR], s, s / (m / 1024) }')
read -r _ CK_MIB CK_MIN CK_MED CK_MAX CK_TOTAL CK_PER_GIB <<<"${CKPT_SUMMARY:-0 0 0 0 0 0 0}"
CK_PAUSED=$(awk '{ p += $3 } END { printf "%.2f", p }' "$RUN/checkpoints.txt")
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
{
  echo "| quantity | value |"
  echo "|---|---|"
  echo "| corpus | $ITEMS items, $TOKENS tokens (seed $SEED): $APPEARING items appear, $AT_MIN at least $MIN_COUNT times |"
  echo "| layout | $WORKERS worker(s) + $SERVERS server(s), d=$DIM, min-count $MIN_COUNT, 1 epoch, hogbatch + pool 1024 |"
  echo "| vocabulary V | $V |"
  echo "| model 2·V·d·4 | $(mib "$MODEL_BYTES") MiB |"
  echo "| plan (dry run) per server / per worker | $(plan_mib 'server(s)') / $(plan_mib 'worker(s)') MiB |"
  echo "| peak RSS per server (median sampled RSS) | $server_rss ($server_med) MiB |"
  echo "| peak RSS per worker (median sampled RSS) | $worker_rss ($worker_med) MiB |"
  echo "| train s (train.json) / job wall s | $(printf "%.1f" "$TRAIN_S") (total $(printf "%.1f" "$TOTAL_S")) / $WALL |"
  echo "| tokens/s | $(printf "%.0f" "$TOK_S") ($TOKENS_SEEN tokens) |"
  if [[ $NCKPT -ge 1 ]]; then
    echo "| checkpoints (every $CKPT_EVERY) | $NCKPT written, $CK_MIB MiB each; background write $CK_MIN / $CK_MED / $CK_MAX s (min / median / max), $CK_PER_GIB s per GiB |"
    echo "| training paused for checkpoints | $CK_PAUSED s in all = $(awk -v c="$CK_PAUSED" -v t="$TRAIN_S" 'BEGIN { printf "%.1f", 100 * c / t }') % of train s (the writes overlap training) |"
  fi
  echo "| vectors.bin | $(mib "$VEC_BYTES") MiB |"
} >"$TABLE"
cat "$TABLE"
log "table written to $TABLE; logs and timings in $RUN"

if [[ $KEEP -eq 0 ]]; then
  rm -rf "$DATA" "$RUN/model" "$RUN/dry" "$RUN/item2vec"
  log "deleted the corpus and the model (pass --keep to keep them)"
fi
