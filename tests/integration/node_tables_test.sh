#!/usr/bin/env bash
# The node-shared tables (job/node_tables.h): two workers on one node map one copy of the
# vocabulary and sampling tables. Each rank's proportional set size (Pss) of the block,
# reported in train.json, is its share: the worker that maps it beside the node's leader
# carries half of it (a private copy would count whole). The dry run's plan counts the
# tables once per node at their exact size, and nothing is left in /dev/shm by the job; the
# file a killed job left there is removed by the next (its creator's pid is in its name).
# train.json and the log give rank 0's seconds in each step of building the vocabulary.
source "$(dirname "$0")/lib.sh"
[ -w /dev/shm ] || { echo "SKIP: no writable /dev/shm (workers build private tables)"; exit 77; }
make_movielens_corpus "$WORK/seqs.txt"
# What a job killed while building its tables leaves (its leader's pid is gone), and the
# file of a job still building them (a live pid): the leader removes the first only.
dead=$(sh -c 'echo $$')
stale="/dev/shm/item2vec-tables-$dead-$(hostname)-1-2-0" live="/dev/shm/item2vec-tables-$$-$(hostname)-1-2-0"
echo x > "$stale"; echo x > "$live"
run_np 3 train --input "$WORK/seqs.txt" --output "$WORK/m" --dim 8 --epochs 1 --log-level warn > "$WORK/m.log" 2>&1
rm -f "$live"
[ ! -e "$stale" ] || { rm -f "$stale"; fail "the tables left by a killed job ($stale) were not removed"; }
grep -Eq "removed [0-9]+ stale /dev/shm/item2vec-tables-" "$WORK/m.log" || fail "no warning about the stale tables removed"
echo "ok: the stale tables of a killed job removed, a live job's kept"
/usr/bin/python3 - "$WORK/m/train.json" <<'PY' || fail "the two workers do not share one copy of the tables"
import json, sys
ranks = {r["rank"]: r for r in json.load(open(sys.argv[1]))["rank_usage"]}
size = ranks[0]["tables_bytes"]
assert size > 0 and ranks[1]["tables_bytes"] == size, ranks
assert "tables_bytes" not in ranks[2], "a server maps no tables"
page = 4096
# Rank 1 reports while both workers map the block: half of its pages.
half = ranks[1]["tables_pss_bytes"]
assert abs(half - size / 2) <= 2 * page, (half, size)
print("ok: %d B of tables, rank 1's Pss %d B" % (size, half))
PY
out=$(run_np 3 train --input "$WORK/seqs.txt" --output "$WORK/dry" --dim 8 --dry-run --log-level warn)
echo "$out" | grep -o "node-shared tables [0-9.]* MiB once per node" || fail "the plan does not count the tables once per node"
mib=$(/usr/bin/python3 -c "import json; print('%.1f' % (json.load(open('$WORK/m/train.json'))['rank_usage'][0]['tables_bytes'] / 1048576))")
echo "$out" | grep -q "node-shared tables $mib MiB" || fail "the plan's tables are not the $mib MiB the workers mapped"
echo "$out" | grep -q "1/2 of the node's tables" || fail "the plan does not split the tables between the node's 2 workers"
echo "ok: one copy of the tables per node"
# The steps of building the vocabulary, timed on rank 0 (the node tables are the last):
# train.json's vocabulary_seconds and the log's vocabulary line.
/usr/bin/python3 - "$WORK/m/train.json" <<'PY' || fail "train.json's vocabulary_seconds is missing or inconsistent"
import json, sys
s = json.load(open(sys.argv[1]))["vocabulary_seconds"]
steps = ["count", "exchange", "gather", "order", "tables"]
assert all(s[k] >= 0 for k in steps) and s["count"] > 0 and s["tables"] > 0, s
assert abs(s["total"] - sum(s[k] for k in steps)) < 1e-6, s
assert 0 < s["count_cpu"] <= s["cpu"], s
print("ok: vocabulary built in %.3f s (%s)" % (s["total"], ", ".join("%s %.3f" % (k, s[k]) for k in steps)))
PY
info=$(run_np 3 train --input "$WORK/seqs.txt" --output "$WORK/dry2" --dim 8 --dry-run 2>&1)
echo "$info" | grep -Eq "vocabulary: .*built in [0-9.]+ s \(rank 0: counting [0-9.]+, exchanging counts [0-9.]+, gathering items [0-9.]+, ordering and ids [0-9.]+, node tables [0-9.]+; CPU [0-9.]+, counting [0-9.]+\)" ||
  fail "the vocabulary line does not give the steps' seconds"
echo "ok: the vocabulary's steps timed"
