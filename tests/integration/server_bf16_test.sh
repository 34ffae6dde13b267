#!/usr/bin/env bash
# --server-precision bf16 (ps/row_matrix.h: the servers keep both matrices' rows in bf16,
# pushes added in float32 and rounded back stochastically) end to end:
#  1. A planted-cluster corpus, 2 workers + 1 server: fp32 and bf16 master rows both write a
#     complete model without NaN; bf16's neighbour precision@10 is within 0.03 of fp32's (or
#     above it).
#  2. --dry-run plans 2 bytes a value: the model share per server is ceil(V/S) * (2*d*2 + 8) B.
#  3. --deterministic with bf16 master rows: the same bytes on 1 and 2 servers; SIGTERM ->
#     checkpoint -> --resume on another server count gives vectors byte-identical to the
#     uninterrupted run (the rounding's random bits come from seed, key and row version). With
#     --overlap false: with overlap the worker carries its own last deltas into the next batch
#     in float32 (worker/ps_client.h CarryDeltas), which the bf16 rows on the server round, so a
#     resumed run (whose first pull reads the rounded rows) is close to, not the same bytes as,
#     the uninterrupted one; it must still resume and finish.
#  4. Warm start (--init-from) from the bf16 model, in bf16, finishes with a complete model.
# Usage: server_bf16_test.sh GEN_CORPUS_BINARY
source "$(dirname "$0")/lib.sh"
gen=$1

# ---------------------------------------------------------------- 1. quality against fp32
"$gen" --output "$WORK/corpus" --tokens 1M --items 5k --clusters 250 --noise 0.7 --seed 4 > /dev/null
common=(train --input "$WORK/corpus/parts" --servers 1 --epochs 2 --dim 32 --log-level debug)
declare -A precision
for p in fp32 bf16; do
  run_np 3 "${common[@]}" --server-precision "$p" --output "$WORK/$p" > "$WORK/$p.log" 2>&1 ||
    { tail -20 "$WORK/$p.log" >&2; fail "run with --server-precision $p failed"; }
  grep -q "rows of each matrix in $p" "$WORK/$p.log" || fail "the server did not say it holds its rows in $p"
  check_model "$WORK/$p" 32
  grep -qi nan "$WORK/$p/vectors.txt" && fail "$p: NaN in the vectors"
  precision[$p]=$(cluster_precision "$WORK/corpus" "$WORK/$p")
  echo "$p master rows: P@10 ${precision[$p]}"
done
awk -v a="${precision[bf16]}" -v b="${precision[fp32]}" 'BEGIN { exit !(a >= b - 0.03) }' ||
  fail "bf16 master rows: P@10 ${precision[bf16]} more than 0.03 below fp32's ${precision[fp32]}"
echo "ok: bf16 master rows write a complete model, P@10 ${precision[bf16]} against fp32's ${precision[fp32]}"

# ---------------------------------------------------------------- 2. memory plan
V=$(wc -l < "$WORK/fp32/vocab.tsv")
out=$(run_np 3 train --input "$WORK/corpus/parts" --output "$WORK/dry" --dim 64 --servers 2 --dry-run \
      --server-precision bf16 --log-level warn)
expect=$(awk -v v="$V" 'BEGIN { r = int((v + 1) / 2); printf "%.1f", r * (2 * 64 * 2 + 8) / 1048576 }')
echo "$out" | grep -q "model share $expect MiB" || { echo "$out"; fail "bf16 model share is not ceil(V/S)*(2*d*2+8) = $expect MiB"; }
echo "ok: --dry-run plans $expect MiB of bf16 rows per server for V=$V, d=64"

# ---------------------------------------------------------------- 3. deterministic, resume
make_movielens_corpus "$WORK/seqs.txt"
ovl=(train --input "$WORK/seqs.txt" --dim 16 --epochs 40 --deterministic --server-precision bf16 --log-level info
     --progress-seconds 0.5)
det=("${ovl[@]}" --overlap false)
run_np 3 "${det[@]}" --servers 2 --output "$WORK/ref" > "$WORK/ref.log" 2>&1 || fail "deterministic bf16 run failed"
run_np 2 "${det[@]}" --servers 1 --output "$WORK/one" > "$WORK/one.log" 2>&1 || fail "deterministic bf16 run on 1 server failed"
cmp -s "$WORK/ref/vectors.bin" "$WORK/one/vectors.bin" || fail "deterministic bf16 vectors differ between 1 and 2 servers"
stop_by_sigterm 3 "$WORK/term" "$WORK/term1.log" "${det[@]}" --servers 2
REF="$WORK/ref" resume_run 2 "$WORK/term" "$WORK/term2.log" "bf16 master rows, deterministic" "${det[@]}" --servers 1
check_model "$WORK/term" 16
echo "ok: deterministic bf16 master rows: same bytes on 1 and 2 servers, and after SIGTERM + resume"
stop_by_sigterm 3 "$WORK/ovl" "$WORK/ovl1.log" "${ovl[@]}" --servers 2
resume_run 3 "$WORK/ovl" "$WORK/ovl2.log" "bf16 master rows with --overlap" "${ovl[@]}" --servers 2
check_model "$WORK/ovl" 16
echo "ok: a bf16 run with --overlap resumes from its checkpoint and finishes"

# ---------------------------------------------------------------- 4. warm start
run_np 3 train --input "$WORK/seqs.txt" --dim 16 --epochs 2 --server-precision bf16 --init-from "$WORK/ref" \
  --output "$WORK/warm" --log-level debug > "$WORK/warm.log" 2>&1 || { tail -20 "$WORK/warm.log" >&2; fail "warm start failed"; }
grep -q "warm start: [1-9][0-9]* rows taken over" "$WORK/warm.log" || fail "warm start took over no rows"
check_model "$WORK/warm" 16
echo "ok: warm start from a bf16 model into bf16 master rows"
