#!/usr/bin/env bash
# `mpirun -np 3 item2vec walk` against one process, on the bundled MovieLens sequences cut
# into two part files: for DeepWalk, node2vec with alias tables and node2vec with rejection
# sampling, the lines of all part files sorted are byte-identical, the summaries' graph and
# walk counts are equal, and each rank wrote its own part. A later 1-rank run into the same
# directory removes the stale part-00001/2.
# Usage: walk_mpi_test.sh
source "$(dirname "$0")/../integration/lib.sh"
make_movielens_corpus "$WORK/all.txt"
mkdir "$WORK/seqs"
split -n l/2 -d -a 5 "$WORK/all.txt" "$WORK/seqs/part-"
counts() { grep -o '"graph":{[^}]*}\|"walks":{[^}]*}' "$1/_summary.json" | sed 's/,"gathered_edge_list_bytes":[0-9]*//; s/,"peak_bytes":[0-9]*//'; }
for method in "--method deepwalk" "--method node2vec --p 0.25 --q 4" "--method node2vec --p 1 --q 0.5 --sampler rejection"; do
  name=$(echo "$method" | tr -d ' -')
  args=(walk --input "$WORK/seqs" --walks-per-item 2 --walk-length 30 --window 2 --seed 7 --log-level warn $method)
  "$ITEM2VEC" "${args[@]}" --output "$WORK/one-$name"
  run_np 3 "${args[@]}" --output "$WORK/three-$name" || fail "3 ranks failed ($method)"
  for r in 0 1 2; do [ -s "$WORK/three-$name/part-0000$r" ] || fail "rank $r wrote no part ($method)"; done
  cat "$WORK/one-$name"/part-* | LC_ALL=C sort > "$WORK/one.sorted"
  cat "$WORK/three-$name"/part-* | LC_ALL=C sort > "$WORK/three.sorted"
  cmp "$WORK/one.sorted" "$WORK/three.sorted" || fail "$method: 3 ranks wrote other walks than 1"
  [ "$(counts "$WORK/one-$name")" = "$(counts "$WORK/three-$name")" ] || fail "$method: summaries differ"
  echo "ok: $method: $(wc -l < "$WORK/one.sorted") walks identical on 1 and 3 ranks"
done
"$ITEM2VEC" walk --input "$WORK/seqs" --output "$WORK/three-deepwalk" --walks-per-item 1 --log-level warn
[ -e "$WORK/three-deepwalk/part-00001" ] && fail "stale part-00001 left behind"
[ -s "$WORK/three-deepwalk/part-00000" ] || fail "no part-00000"
echo "ok: stale parts of a run with more ranks removed"
