#!/usr/bin/env bash
# run_bench.sh: item2vec (MPI parameter server; its defaults and its word2vec.c-exact mode)
# against gensim and fastText on the same corpus and settings, runs alternating, medians and
# per-pair speed and quality ratios in one markdown table.
# See docs/benchmarks.md for what every column means.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"

# The `exact` tool: item2vec in its word2vec.c-exact mode, i.e. the `ours` command (without
# --ours-args) plus these options: word2vec.c's per-pair update with each pair's own negatives
# and word2vec.c's input-vector init range [-0.5/dim, 0.5/dim).
EXACT_ARGS="--kernel pair --negative-pool 0 --init-width 0.5"

usage() {
  cat <<EOF
Usage: scripts/bench/run_bench.sh --results-md FILE [options]

Trains item embeddings with item2vec (mpirun, full worker/server path; "ours" with the
trainer's defaults plus --ours-args, "exact" in word2vec.c-exact mode:
$EXACT_ARGS), gensim Word2Vec (corpus_file mode) and fastText skipgram on one corpus with the same
settings (dim 100, window 5, negative 5, sample 1e-3, min-count 5), alternating the tools
(A B C D A B C D ...) so that load from other processes hits all of them alike, and prints a
table of medians plus, per pair of runs, the speed ratios and the quality ratios
ours/exact, ours/gensim and ours/fastText (median over repeats).

Quality: synthetic mode holds out the last item of every 7th session of the last part file
(holdout_sessions.py: DATA/train/ and DATA/test.tsv); every tool trains on DATA/train only
and is scored by neighbour precision P@10 against the planted clusters and by next-item
HR@10 / NDCG@10 on DATA/test.tsv, next to a popularity baseline row. MovieLens mode scores
HR@10 / NDCG@10 on its own hold-out (prep_movielens.py), with a popularity row.

Options (each also settable by the environment variable in brackets):
  --results-md FILE    write the markdown table here (required)            [BENCH_RESULTS_MD]
  --mode MODE          synthetic (default) or movielens                    [BENCH_MODE]
  --model MODEL        sg (default: skip-gram) or cbow: item2vec --model cbow, gensim
                       sg=0 cbow_mean=1, fastText cbow, all at word2vec.c's CBOW learning
                       rate 0.05 (tokens/s and quality of CBOW next to gensim's) [BENCH_MODEL]
  --tokens N           synthetic corpus tokens (default 10M; k/M/G ok)    [BENCH_TOKENS]
  --items N            synthetic corpus items (default 50k)               [BENCH_ITEMS]
  --clusters N         planted clusters (default items/100)               [BENCH_CLUSTERS]
  --noise P            share of tokens that are global noise items (default 0.3; 0.6 keeps
                       P@10 well below 1 at 5 epochs, so converged trainers still differ) [BENCH_NOISE]
  --seed N             corpus and training seed (default 1)               [BENCH_SEED]
  --epochs "LIST"      epoch counts to run (default "1")                  [BENCH_EPOCHS]
  --layouts "LIST"     item2vec layouts WORKERS+SERVERS (default "2+1 1+1"); gensim and
                       fastText get as many threads as the layout has workers [BENCH_LAYOUTS]
  --repeats N          runs of every tool per layout and epoch count (default 3) [BENCH_REPEATS]
  --tools "LIST"       any of ours exact gensim fasttext (default all four); exact is
                       item2vec train without --ours-args, plus
                       "$EXACT_ARGS"              [BENCH_TOOLS]
  --work DIR           corpora and run outputs (default $REPO/out/bench) [BENCH_WORK]
  --item2vec PATH      the trainer (default: the most recently built $REPO/build*/bin/item2vec;
                       pass it explicitly to compare two builds)          [ITEM2VEC]
  --gen-corpus PATH    the generator (default: newest build*/bin/item2vec-gen-corpus) [ITEM2VEC_GEN_CORPUS]
  --ratings FILE       MovieLens ratings.csv (default $REPO/data/ml-latest-small/ratings.csv) [BENCH_RATINGS]
  --timeout S          seconds before one run is killed (default 1800)    [BENCH_TIMEOUT]
  --ours-args "ARGS"   extra options for item2vec train of the "ours" tool (not "exact"),
                       word-split, e.g. "--batch-tokens 16384" (default none) [BENCH_OURS_ARGS]
  -h, --help           print this help

Examples:
  scripts/bench/run_bench.sh --results-md out/bench/10M.md
  scripts/bench/run_bench.sh --mode movielens --epochs "5 20" --results-md out/bench/ml.md
  scripts/bench/run_bench.sh --model cbow --tools "ours gensim" --results-md out/bench/cbow.md
  scripts/bench/run_bench.sh --tools "ours exact" --ours-args "--kernel hogbatch --negative-pool 1024" \
      --results-md out/bench/fast-vs-exact.md
  BENCH_TOKENS=1M BENCH_REPEATS=1 scripts/bench/run_bench.sh --results-md /tmp/smoke.md

Needs: mpirun (Open MPI), /usr/bin/time, /usr/bin/python3 with numpy and gensim
(apt-get install -y python3-numpy python3-gensim), fasttext (apt-get install -y fasttext).
EOF
}

repo=$REPO
# shellcheck source=lib.sh
source "$repo/scripts/bench/lib.sh"

RESULTS_MD="${BENCH_RESULTS_MD:-}"
MODE="${BENCH_MODE:-synthetic}"
MODEL="${BENCH_MODEL:-sg}"
TOKENS="${BENCH_TOKENS:-10M}"
ITEMS="${BENCH_ITEMS:-50k}"
CLUSTERS="${BENCH_CLUSTERS:-0}"
NOISE="${BENCH_NOISE:-0.3}"
SEED="${BENCH_SEED:-1}"
EPOCHS="${BENCH_EPOCHS:-1}"
LAYOUTS="${BENCH_LAYOUTS:-2+1 1+1}"
REPEATS="${BENCH_REPEATS:-3}"
TOOLS="${BENCH_TOOLS:-ours exact gensim fasttext}"
WORK="${BENCH_WORK:-$REPO/out/bench}"
ITEM2VEC="${ITEM2VEC:-}"
GEN="${ITEM2VEC_GEN_CORPUS:-}"
RATINGS="${BENCH_RATINGS:-$REPO/data/ml-latest-small/ratings.csv}"
TIMEOUT="${BENCH_TIMEOUT:-1800}"
OURS_ARGS="${BENCH_OURS_ARGS:-}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --results-md|--mode|--model|--tokens|--items|--clusters|--noise|--seed|--epochs|--layouts|--repeats|--tools|--work|--item2vec|--gen-corpus|--ratings|--timeout|--ours-args)
      [[ $# -ge 2 ]] || die "option $1 needs a value (see --help)"
      case "$1" in
        --results-md) RESULTS_MD="$2" ;; --mode) MODE="$2" ;; --model) MODEL="$2" ;; --tokens) TOKENS="$2" ;;
        --items) ITEMS="$2" ;; --clusters) CLUSTERS="$2" ;; --noise) NOISE="$2" ;; --seed) SEED="$2" ;;
        --epochs) EPOCHS="$2" ;; --layouts) LAYOUTS="$2" ;; --repeats) REPEATS="$2" ;;
        --tools) TOOLS="$2" ;; --work) WORK="$2" ;; --item2vec) ITEM2VEC="$2" ;;
        --gen-corpus) GEN="$2" ;; --ratings) RATINGS="$2" ;; --timeout) TIMEOUT="$2" ;;
        --ours-args) OURS_ARGS="$2" ;;
      esac
      shift 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# --- checks --------------------------------------------------------------------------------
[[ -n "$RESULTS_MD" ]] || die "--results-md FILE is required (see --help)"
[[ "$MODE" == synthetic || "$MODE" == movielens ]] || die "--mode must be synthetic or movielens, got '$MODE'"
[[ "$MODEL" == sg || "$MODEL" == cbow ]] || die "--model must be sg or cbow, got '$MODEL'"
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "--repeats must be a positive integer, got '$REPEATS'"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer, got '$TIMEOUT'"
for e in $EPOCHS; do [[ "$e" =~ ^[1-9][0-9]*$ ]] || die "--epochs wants positive integers, got '$e'"; done
for l in $LAYOUTS; do [[ "$l" =~ ^[1-9][0-9]*\+[1-9][0-9]*$ ]] || die "--layouts wants WORKERS+SERVERS such as 2+1, got '$l'"; done
for t in $TOOLS; do [[ "$t" =~ ^(ours|exact|gensim|fasttext)$ ]] || die "--tools wants ours, exact, gensim, fasttext; got '$t'"; done

PY=/usr/bin/python3
[[ -x "$PY" ]] || die "$PY is missing (apt-get install -y python3 python3-numpy python3-gensim)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install -y time)"
"$PY" -c 'import numpy' 2>/dev/null || die "$PY cannot import numpy (apt-get install -y python3-numpy)"
has_tool() { [[ " $TOOLS " == *" $1 "* ]]; }
newest() { ls -t $1 2>/dev/null | head -n 1 || true; }
if has_tool ours || has_tool exact; then
  command -v mpirun >/dev/null || die "mpirun is missing (apt-get install -y openmpi-bin)"
  [[ -n "$ITEM2VEC" ]] || ITEM2VEC="$(newest "$REPO/build*/bin/item2vec")"
  [[ -n "$ITEM2VEC" && -x "$ITEM2VEC" ]] ||
    die "no item2vec binary; build one (cmake -S $REPO -B $REPO/build-bench -DCMAKE_BUILD_TYPE=Release && make -C $REPO/build-bench -j2 item2vec) or pass --item2vec"
fi
if has_tool gensim; then
  "$PY" -c 'import gensim.models.word2vec_corpusfile' 2>/dev/null ||
    die "$PY cannot import gensim's corpus_file routines (apt-get install -y python3-gensim)"
fi
if has_tool fasttext; then
  command -v fasttext >/dev/null || die "fasttext is missing (apt-get install -y fasttext)"
fi
command -v timeout >/dev/null || die "timeout (coreutils) is missing"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_tcp_if_include="${OMPI_MCA_btl_tcp_if_include:-lo}"
export OMPI_MCA_oob_tcp_if_include="${OMPI_MCA_oob_tcp_if_include:-lo}"

mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$WORK/results-$MODE-$STAMP.jsonl"
: >"$RESULTS"

# --- data ----------------------------------------------------------------------------------
# Settings shared by every tool.
# ALPHA is word2vec.c's and gensim's default for skip-gram and item2vec's; fastText's own
# default (0.05) is overridden so that all three start from the same learning rate.
DIM=100 WINDOW=5 NEGATIVE=5 SAMPLE=1e-3 MIN_COUNT=5 ALPHA=0.025
# --model cbow: every tool trains CBOW at word2vec.c's CBOW rate (item2vec's and
# gensim_train.py's default for it, fastText's own default).
OURS_MODEL=() GENSIM_MODEL=() FASTTEXT_MODEL=skipgram
if [[ "$MODEL" == cbow ]]; then
  ALPHA=0.05 OURS_MODEL=(--model cbow) GENSIM_MODEL=(--sg 0 --cbow-mean 1) FASTTEXT_MODEL=cbow
fi

if [[ "$MODE" == synthetic ]]; then
  if [[ -z "$GEN" ]]; then GEN="$(newest "$REPO/build*/bin/item2vec-gen-corpus")"; fi
  [[ -n "$GEN" && -x "$GEN" ]] ||
    die "no item2vec-gen-corpus binary; build it (make -C $REPO/build-bench -j2 item2vec-gen-corpus) or pass --gen-corpus"
  DATA="$WORK/corpus-t$TOKENS-i$ITEMS-c$CLUSTERS-n$NOISE-s$SEED"
  # Regenerated every time (seconds for 10M tokens), so the corpus always matches the
  # generator that is built now; the same options give the same bytes.
  log "generating the corpus in $DATA"
  rm -rf "$DATA"
  "$GEN" --output "$DATA" --tokens "$TOKENS" --items "$ITEMS" --clusters "$CLUSTERS" --noise "$NOISE" --seed "$SEED"
  # Next-item hold-out: DATA/train/ (every session, held-out last items removed) and
  # DATA/test.tsv; every tool trains on DATA/train only.
  "$PY" "$SCRIPT_DIR/holdout_sessions.py" "$DATA" >&2
  # gensim's corpus_file and fastText want one file; it lives beside train/, not in it.
  cat "$DATA"/train/part-* >"$DATA/train_all.txt.tmp.$$" && mv "$DATA/train_all.txt.tmp.$$" "$DATA/train_all.txt"
  OURS_INPUT="$DATA/train"
  ONE_FILE="$DATA/train_all.txt"
  NTOK="$(wc -w <"$DATA/train_all.txt" | tr -d ' ')"
  NTEST="$(wc -l <"$DATA/test.tsv" | tr -d ' ')"
  DESC="synthetic corpus: $NTOK training tokens after holding out $NTEST next-item test records (last item of every 7th session of the last part file, holdout_sessions.py), $(cat "$DATA/corpus.json")"
  "$PY" "$SCRIPT_DIR/quality.py" next-item --test "$DATA/test.tsv" --train "$ONE_FILE" >"$WORK/popularity.json"
  "$PY" "$SCRIPT_DIR/bench_report.py" record --results "$RESULTS" --mode synthetic --tool popularity \
    --layout - --epochs 0 --repeat 1 --tokens "$NTOK" --quality-json "$WORK/popularity.json"
else
  [[ -r "$RATINGS" ]] || die "cannot read the MovieLens ratings '$RATINGS' (pass --ratings)"
  DATA="$WORK/movielens"
  log "preparing MovieLens from $RATINGS into $DATA"
  "$PY" "$SCRIPT_DIR/prep_movielens.py" --ratings "$RATINGS" --output "$DATA" >/dev/null
  OURS_INPUT="$DATA/train.txt"
  ONE_FILE="$DATA/train.txt"
  NTOK="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["train_tokens"])' "$DATA/prep.json")"
  DESC="MovieLens $(basename "$(dirname "$RATINGS")"): ratings >= 3.5, last movie per user held out; $(cat "$DATA/prep.json")"
  "$PY" "$SCRIPT_DIR/quality.py" next-item --test "$DATA/test.tsv" --train "$DATA/train.txt" >"$WORK/popularity.json"
  "$PY" "$SCRIPT_DIR/bench_report.py" record --results "$RESULTS" --mode movielens --tool popularity \
    --layout - --epochs 0 --repeat 1 --tokens "$NTOK" --quality-json "$WORK/popularity.json"
fi

quality() {  # quality VECTORS OUT_DIR: writes OUT_DIR/quality*.json, one per measure
  if [[ "$MODE" == synthetic ]]; then
    "$PY" "$SCRIPT_DIR/quality.py" neighbours --vectors "$1" --clusters "$DATA/clusters.tsv" \
      --counts "$DATA/counts.tsv" >"$2/quality-neighbours.json" || return 1
  fi
  "$PY" "$SCRIPT_DIR/quality.py" next-item --vectors "$1" --test "$DATA/test.tsv" >"$2/quality-next-item.json"
}

# --- one run of one tool -------------------------------------------------------------------
run_one() {  # run_one TOOL LAYOUT EPOCHS REPEAT
  local tool="$1" layout="$2" epochs="$3" rep="$4"
  local workers="${layout%+*}" servers="${layout#*+}"
  local dir="$WORK/runs/$MODE-$STAMP/e$epochs-l$workers+$servers-r$rep-$tool"
  rm -rf "$dir" && mkdir -p "$dir"
  local rc=0 vectors="" report=()
  log "$tool  layout $layout  epochs $epochs  repeat $rep"
  case "$tool" in
    ours|exact)
      # ours: the trainer's defaults plus --ours-args; exact: plus EXACT_ARGS instead.
      local extra="$OURS_ARGS"
      [[ "$tool" == exact ]] && extra="$EXACT_ARGS"
      # Each rank runs under its own /usr/bin/time so that peak RSS is per rank; the outer
      # one measures the whole job's wall time.
      timeout --kill-after=30 "$TIMEOUT" /usr/bin/time -v -o "$dir/time.job" \
        mpirun --oversubscribe -np $((workers + servers)) \
        sh -c 'exec /usr/bin/time -v -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$dir/time.rank" \
        "$ITEM2VEC" train --input "$OURS_INPUT" --output "$dir/model" --servers "$servers" \
        --dim $DIM --window $WINDOW --negative $NEGATIVE --sample $SAMPLE --min-count $MIN_COUNT \
        --epochs "$epochs" --seed "$SEED" --alpha $ALPHA "${OURS_MODEL[@]}" --progress-seconds 30 $extra \
        >"$dir/run.log" 2>&1 || rc=$?
      vectors="$dir/model/vectors.bin"
      report=(--rank-time-prefix "$dir/time.rank" --train-json "$dir/model/train.json")
      ;;
    gensim)
      timeout --kill-after=30 "$TIMEOUT" /usr/bin/time -v -o "$dir/time.job" \
        "$PY" "$SCRIPT_DIR/gensim_train.py" --corpus-file "$ONE_FILE" --output "$dir/model" \
        --dim $DIM --window $WINDOW --negative $NEGATIVE --sample $SAMPLE --min-count $MIN_COUNT \
        --epochs "$epochs" --threads "$workers" --seed "$SEED" --alpha $ALPHA "${GENSIM_MODEL[@]}" \
        >"$dir/run.log" 2>&1 || rc=$?
      vectors="$dir/model/vectors.bin"
      report=(--train-json "$dir/model/gensim.json")
      ;;
    fasttext)
      mkdir -p "$dir/model"
      timeout --kill-after=30 "$TIMEOUT" /usr/bin/time -v -o "$dir/time.job" \
        fasttext "$FASTTEXT_MODEL" -input "$ONE_FILE" -output "$dir/model/model" -minn 0 -maxn 0 \
        -dim $DIM -ws $WINDOW -neg $NEGATIVE -t $SAMPLE -minCount $MIN_COUNT -epoch "$epochs" -lr $ALPHA \
        -thread "$workers" -verbose 1 >"$dir/run.log" 2>&1 || rc=$?
      vectors="$dir/model/model.vec"
      ;;
  esac
  if [[ $rc -eq 0 && -s "$vectors" ]]; then
    quality "$vectors" "$dir" || log "quality evaluation of $vectors failed"
  else
    log "$tool failed (exit $rc); see $dir/run.log"
    [[ $rc -ne 0 ]] || rc=1
  fi
  "$PY" "$SCRIPT_DIR/bench_report.py" record --results "$RESULTS" --mode "$MODE" --tool "$tool" \
    --layout "$layout" --workers "$workers" --servers "$servers" --threads "$workers" \
    --epochs "$epochs" --repeat "$rep" --tokens "$NTOK" --exit-code "$rc" --run-dir "$dir" \
    --time-file "$dir/time.job" --quality-json "$dir/quality-neighbours.json" \
    --quality-json "$dir/quality-next-item.json" "${report[@]}"
  # Keep the logs and timings, drop the (large) models.
  rm -f "$dir"/model/*.bin "$dir"/model/*.txt "$dir"/model/*.vec
}

# --- the alternating schedule --------------------------------------------------------------
if has_tool ours || has_tool exact; then log "item2vec binary: $ITEM2VEC (pass --item2vec to choose another)"; fi
log "results: $RESULTS"
START=$(date +%s)
for epochs in $EPOCHS; do
  for rep in $(seq 1 "$REPEATS"); do
    for layout in $LAYOUTS; do
      for tool in $TOOLS; do
        run_one "$tool" "$layout" "$epochs" "$rep"
      done
    done
  done
done
ELAPSED=$(( $(date +%s) - START ))

MACHINE="$( (lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1) || true), $(nproc) cores"
notes=(
  "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $MACHINE; bench wall time ${ELAPSED}s"
  "- $DESC"
  "- model: $MODEL; settings: dim $DIM, window $WINDOW, negative $NEGATIVE, sample $SAMPLE, min-count $MIN_COUNT, learning rate $ALPHA; repeats $REPEATS, alternating $TOOLS"
  "- item2vec: $ITEM2VEC (built $(date -r "${ITEM2VEC:-/dev/null}" '+%Y-%m-%d %H:%M' 2>/dev/null || echo '?'), HEAD at bench time $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'))${OURS_ARGS:+, extra options of ours: $OURS_ARGS}; exact: $EXACT_ARGS; $("$PY" -c 'import gensim; print("gensim", gensim.__version__)' 2>/dev/null || echo gensim missing); fastText $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '?')"
  "- raw per-run records: $RESULTS"
)
"$PY" "$SCRIPT_DIR/bench_report.py" table --results "$RESULTS" --markdown "$RESULTS_MD" \
  --title "item2vec benchmark ($MODE, $MODEL)" \
  "${notes[@]/#/--note=}"
log "wrote $RESULTS_MD"
