# Shared helpers for the MPI integration tests (sourced by each test script).
# Usage in a test: source lib.sh; the caller passes the item2vec binary and repo root.
set -euo pipefail

: "${ITEM2VEC:?ITEM2VEC must point to the item2vec binary}"
: "${REPO:?REPO must point to the repository root}"
# shellcheck source=../support/script_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/script_lib.sh" test

# Runs item2vec under mpirun with NP ranks; extra args follow.
run_np() {
  local np=$1; shift
  "$MPIRUN" -np "$np" "$ITEM2VEC" "$@"
}

# The bundled MovieLens ratings as sequences: each user's movies rated >= 3.5 in time
# order (ties in file order), one line per user.
make_movielens_corpus() {
  local out=$1
  tail -n +2 "$REPO/data/ml-latest-small/ratings.csv" | tr -d '\r' |
    awk -F, '$3 >= 3.5 {print $1, $4, NR, $2}' | sort -k1,1n -k2,2n -k3,3n |
    awk '{ if ($1 != u) { if (u != "") print line; u = $1; line = $4 } else line = line " " $4 } END { print line }' > "$out"
}

# Checks a model directory is complete and consistent: vectors.txt has the header
# "rows dim" and exactly rows lines of 1 + dim fields, vocab.tsv has rows lines,
# vectors.bin has exactly the size its header implies, train.json exists, and no temporary
# file is left (ALLOW_TEMPS=1 skips that: a SIGKILL's debris, which the next run removes).
check_model() {
  local dir=$1 dim=$2
  for f in vectors.txt vectors.bin vocab.tsv train.json; do
    [ -s "$dir/$f" ] || fail "$dir/$f missing or empty"
  done
  [ -n "${ALLOW_TEMPS:-}" ] || ! ls "$dir" | grep -q '\.tmp\.' || fail "temporary files left in $dir: $(ls "$dir" | grep '\.tmp\.' | tr '\n' ' ')"
  local rows d
  read -r rows d < "$dir/vectors.txt"
  [ "$d" = "$dim" ] || fail "vectors.txt dim $d, expected $dim"
  [ "$rows" -gt 0 ] || fail "vectors.txt has 0 rows"
  local lines
  lines=$(tail -n +2 "$dir/vectors.txt" | awk -v n=$((dim + 1)) 'NF != n { bad++ } END { print NR, bad + 0 }')
  [ "$lines" = "$rows 0" ] || fail "vectors.txt rows/bad-field-count '$lines', expected '$rows 0'"
  [ "$(wc -l < "$dir/vocab.tsv")" = "$rows" ] || fail "vocab.tsv does not have $rows lines"
  # binary: header + per row (item + ' ' + 4*dim bytes + '\n')
  local expect
  expect=$(awk -F'\t' -v d="$dim" -v h="$(head -1 "$dir/vectors.bin" | wc -c)" '{ s += length($1) + 2 + 4 * d } END { print s + h }' "$dir/vocab.tsv")
  [ "$(stat -L -c %s "$dir/vectors.bin")" = "$expect" ] || fail "vectors.bin is $(stat -L -c %s "$dir/vectors.bin") bytes, expected $expect"
  # the item order of vectors.txt is the vocabulary order
  diff <(tail -n +2 "$dir/vectors.txt" | cut -d' ' -f1) <(cut -f1 "$dir/vocab.tsv") > /dev/null ||
    fail "vectors.txt rows are not in vocab.tsv order"
}

# Value of a numeric top-level field of train.json.
json_field() {
  grep -o "\"$2\":[-0-9.e+]*" "$1" | head -1 | cut -d: -f2
}

# Neighbour precision@10 of MODEL_DIR on a planted-cluster corpus from item2vec-gen-corpus
# (CORPUS_DIR/clusters.tsv): the fraction of the 10 nearest neighbours in the query's
# cluster, over 600 mid-frequency items (vocabulary ranks 1001-1600), where the clusters are
# learnable but not trivial (the most frequent items score ~0.99 with any kernel, the rarest ~0.1).
cluster_precision() {
  local corpus=$1 model=$2
  sed -n '1001,1600p' "$model/vocab.tsv" | cut -f1 > "$WORK/queries.txt"
  "$ITEM2VEC" similar --model "$model" --items-file "$WORK/queries.txt" -k 10 2> /dev/null |
    awk -F'\t' 'NR == FNR { cluster[$1] = $2; next }
                /^# / { q = substr($1, 3); next }
                NF >= 3 { n++; if (cluster[$2] == cluster[q]) same++ }
                END { if (n != 6000) { print "bad neighbour count " n > "/dev/stderr"; exit 1 } printf "%.4f\n", same / n }' \
      "$corpus/clusters.tsv" -
}

# pid of the rank RANK of the job writing to OUTPUT (mpirun's own pid is excluded); empty
# when there is none (yet, or any more).
rank_pid() {
  local out=$1 rank=$2 p
  for p in $(pgrep -f -- "--output $out( |$)"); do
    tr '\0' '\n' 2>/dev/null < "/proc/$p/environ" | grep -qx "OMPI_COMM_WORLD_RANK=$rank" && { echo "$p"; return 0; }
  done
  return 0
}

# Waits (up to 60 s) until OUTPUT has a complete checkpoint with a sequence >= N.
wait_for_checkpoint() {
  local out=$1 n=$2 newest
  for _ in $(seq 1 600); do
    newest=$(ls -d "$out"/checkpoints/ckpt-*/MANIFEST 2>/dev/null | sed 's/.*ckpt-0*\([0-9]*\)\/MANIFEST/\1/' | sort -n | tail -1 || true)
    [ -n "$newest" ] && [ "$newest" -ge "$n" ] && return 0
    sleep 0.1
  done
  fail "no checkpoint $n in $out after 60 s"
}

# Sends SIGTERM to ranks 0..NP-1 of the job writing to OUTPUT (as Slurm does at the time
# limit); ranks already gone are skipped.
sigterm_ranks() {
  local out=$1 np=$2 r p
  for r in $(seq 0 $((np - 1))); do
    p=$(rank_pid "$out" "$r")
    [ -z "$p" ] || kill -TERM "$p" 2> /dev/null || true
  done
}

# stop_by_sigterm NP OUTPUT LOG ARGS...: runs `item2vec ARGS --output OUTPUT` on NP ranks in the
# background, SIGTERMs its ranks once LOG shows a progress line (as Slurm does at the time
# limit) and fails unless the job ends with exit code 75 (stopped after a checkpoint).
stop_by_sigterm() {
  local np=$1 out=$2 log=$3 job
  shift 3
  run_np "$np" "$@" --output "$out" > "$log" 2>&1 &
  job=$!
  for _ in $(seq 1 600); do grep -qs "progress" "$log" && break; sleep 0.05; done
  end_by_sigterm "$job" "$np" "$out" "$log" "SIGTERM"
}

# stop_after_checkpoint NP OUTPUT LOG N ARGS...: as stop_by_sigterm, but the SIGTERM comes once
# checkpoint N of OUTPUT is complete (ARGS ask for frequent checkpoints: --checkpoint-every 0.3s).
stop_after_checkpoint() {
  local np=$1 out=$2 log=$3 n=$4 job
  shift 4
  run_np "$np" "$@" --output "$out" > "$log" 2>&1 &
  job=$!
  wait_for_checkpoint "$out" "$n"
  end_by_sigterm "$job" "$np" "$out" "$log" "SIGTERM after checkpoint $n"
}

# resume_run NP OUTPUT LOG WHAT ARGS...: resumes the stopped job writing OUTPUT (`item2vec ARGS
# --output OUTPUT --resume` on NP ranks, its log in LOG) and fails, naming WHAT, unless it
# finishes and continued from a checkpoint. With REF=DIR in the environment it also fails
# unless OUTPUT/vectors.bin is byte-identical to DIR/vectors.bin (an uninterrupted run's).
resume_run() {
  local np=$1 out=$2 log=$3 what=$4
  shift 4
  run_np "$np" "$@" --output "$out" --resume > "$log" 2>&1 || { tail -20 "$log" >&2; fail "$what: the resume failed"; }
  grep -q "continuing from checkpoint" "$log" || fail "$what: the resumed run did not use the checkpoint"
  [ -z "${REF:-}" ] || cmp -s "$REF/vectors.bin" "$out/vectors.bin" ||
    fail "$what: the stopped and resumed run differs from the uninterrupted one"
}

# end_by_sigterm JOB NP OUTPUT LOG WHAT: SIGTERMs the NP ranks of background job JOB (writing to
# OUTPUT) and fails, naming WHAT with LOG's tail, unless the job ends with exit code 75.
end_by_sigterm() {
  local job=$1 np=$2 out=$3 log=$4 what=$5 rc=0
  sigterm_ranks "$out" "$np"
  wait "$job" || rc=$?
  [ "$rc" = 75 ] || { tail -20 "$log" >&2; fail "$what: exit $rc, expected 75"; }
}
