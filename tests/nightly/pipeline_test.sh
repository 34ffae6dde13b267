#!/usr/bin/env bash
# The nightly refresh end to end, run after run on one models root (KEEP_MODELS=2,
# TOLERANCE=0.005), each run a different date:
#   1. 2026-03-01 first run: publishes; current -> 2026-03-01; history line "published"
#   2. 2026-03-02 planted regression (--alpha 0.00001 --epochs 1): the gate refuses (exit 6),
#      current unchanged, history "refused" with both HR@10 values
#   3. 2026-03-03 missing input log: prep fails (exit 3); train fails (bad option, exit 4);
#      train times out (exit 4); SIGTERM during train (exit 143): current unchanged, no
#      staging left, history "failed" with the step
#   4. 2026-03-04 and 2026-03-05 normal runs publish; the current model is evaluated on the
#      same records (its HR@10 equals run 1's); pruning keeps 2 dated models; a backfill for
#      an older date publishes and pruning keeps the one current points to
#   (5, the lock, is in cli_lock_test.sh)
#   6. warm start: with --init-from in item2vec train, a WARM_START=1 run publishes and records
#      where it started from; without it, WARM_START=1 is refused as a bad setting (exit 2)
#   7. a rank killed mid-training: the retry resumes from the checkpoint and publishes the
#      model an uninterrupted run gives (same HR@10); with TRAIN_RETRIES=0 the run fails
# `check && check || fail` is meant (fail exits).
# shellcheck disable=SC2015
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
write_base_conf
for d in 2026-02-20 2026-03-01 2026-03-02 2026-03-04 2026-03-05 2026-03-06 2026-03-07 2026-03-08; do add_day_log "$d"; done

# The ranks of a stopped mpirun may take a moment to exit after it; 20 s is plenty.
no_training_left() {
  for _ in $(seq 100); do pgrep -f -- "$MODELS/.staging" > /dev/null || return 0; sleep 0.2; done
  fail "$1: training processes still running: $(pgrep -af -- "$MODELS/.staging")"
}

# ---------------------------------------------------------------- 1. first run publishes
say "1. first run publishes"
run_nightly first --config "$T/base.conf" --date 2026-03-01
expect_rc 0 "first run"
[ "$(current)" = 2026-03-01 ] || fail "current -> $(current), expected 2026-03-01 (a relative link)"
for f in vectors.bin vectors.txt vocab.tsv train.json eval.json; do
  [ -s "$MODELS/current/$f" ] || fail "first run: $MODELS/current/$f missing"
done
[ "$(history_lines)" = 1 ] || fail "history has $(history_lines) lines after the first run, expected 1"
[ "$(hist 1 decision)" = '"published"' ] || fail "first run's decision is $(hist 1 decision)"
[ "$(hist 1 date)" = '"2026-03-01"' ] || fail "first run's date is $(hist 1 date)"
[ "$(hist 1 model)" = "\"$MODELS/2026-03-01\"" ] || fail "first run's model is $(hist 1 model)"
[ "$(hist 1 current_hr)" = null ] || fail "first run has a current_hr: $(hist 1 current_hr)"
HR1=$(hist 1 new_hr)
"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0.02 else 1)' "$HR1" ||
  fail "first model's HR@10 is $HR1, expected a trained model (> 0.02)"
"$PY" - "$HISTORY" <<'PY' || fail "first run's history line lacks a field"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
for key in ("date", "decision", "reason", "new_hr", "new_ndcg", "current_hr", "current_ndcg",
            "model", "durations", "exit_code", "k", "log_dir"):
    assert key in r, key
for step in ("prep", "train", "eval", "publish", "total"):
    assert r["durations"][step] >= 0, step
assert r["k"] == 10 and r["exit_code"] == 0 and r["new_ndcg"] > 0
PY
LOGS=$(hist 1 log_dir | tr -d '"')
for f in prep.log train.log eval-new.log nightly.log; do
  [ -s "$LOGS/$f" ] || fail "first run: step log $LOGS/$f missing"
done
no_staging_left "first run"

# ---------------------------------------------------------------- 2. planted regression is refused
say "2. a crippled model is refused by the gate"
run_nightly regress --config "$(conf regress 'EXTRA_TRAIN_ARGS=(--alpha 0.00001 --epochs 1)')" --date 2026-03-02
expect_rc 6 "regression run"
[ "$(current)" = 2026-03-01 ] || fail "regression run moved current to $(current)"
[ ! -e "$MODELS/2026-03-02" ] || fail "the refused model was published as $MODELS/2026-03-02"
[ "$(history_lines)" = 2 ] || fail "history has $(history_lines) lines, expected 2"
[ "$(hist -1 decision)" = '"refused"' ] || fail "regression run's decision is $(hist -1 decision)"
NEW=$(hist -1 new_hr) CUR=$(hist -1 current_hr)
[ "$CUR" = "$HR1" ] || fail "refused run's current_hr $CUR is not the current model's HR@10 $HR1"
"$PY" -c 'import sys; n, c = map(float, sys.argv[1:]); sys.exit(0 if n < c - 0.005 else 1)' "$NEW" "$CUR" ||
  fail "refused run: new HR@10 $NEW is not below current $CUR - 0.005"
grep -q "more than 0.005 below" "$LAST_LOG" || fail "the refusal does not say why"
[ -s "$(hist -1 candidate | tr -d '"')/vectors.bin" ] || fail "the refused model was not kept for inspection"
[ "$(hist -1 model)" = null ] || fail "refused run records a published model $(hist -1 model)"
no_staging_left "regression run"

# ---------------------------------------------------------------- 3. failing steps
say "3. failing steps leave current untouched"
run_nightly nolog --config "$T/base.conf" --date 2026-03-03
expect_rc 3 "missing input log"
grep -q "2026-03-03/ratings.csv' does not exist" "$LAST_LOG" || fail "missing log: no clear message"
[ "$(hist -1 decision)/$(hist -1 step)" = '"failed"/"prep"' ] ||
  fail "missing log: history says $(hist -1 decision)/$(hist -1 step)"

run_nightly badtrain --config "$(conf badtrain 'EXTRA_TRAIN_ARGS=(--dim 0)')" --date 2026-03-04
expect_rc 4 "train with a bad option"
[ "$(hist -1 decision)/$(hist -1 step)" = '"failed"/"train"' ] ||
  fail "bad train: history says $(hist -1 decision)/$(hist -1 step)"
no_staging_left "bad train"

run_nightly timeout --config "$(conf timeout 'EXTRA_TRAIN_ARGS=(--epochs 2000)
TRAIN_TIMEOUT=2')" --date 2026-03-04
expect_rc 4 "train over its time limit"
grep -q "timed out after 2s" "$LAST_LOG" || fail "timeout: no clear message"
no_staging_left "train timeout"
no_training_left "train timeout"

# SIGTERM while training: the script stops mpirun, records the failure and exits 143.
LAST_LOG=$T/term.out
bash "$SCRIPT" --config "$(conf term 'EXTRA_TRAIN_ARGS=(--epochs 2000)')" --date 2026-03-04 > "$LAST_LOG" 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q '\] \[nightly\] train: ' "$LAST_LOG" && break; sleep 0.1; done
grep -q '\] \[nightly\] train: ' "$LAST_LOG" || { kill "$pid"; fail "SIGTERM test: training never started"; }
sleep 1
kill -TERM "$pid"
start=$SECONDS
RC=0; wait "$pid" || RC=$?
expect_rc 143 "SIGTERM during train"
[ $((SECONDS - start)) -le 20 ] || fail "SIGTERM: the run took $((SECONDS - start)) s to stop (it must stop mpirun)"
[ "$(hist -1 decision)/$(hist -1 step)" = '"failed"/"train"' ] ||
  fail "SIGTERM: history says $(hist -1 decision)/$(hist -1 step)"
no_staging_left "SIGTERM"
no_training_left "SIGTERM"

[ "$(current)" = 2026-03-01 ] || fail "a failed run moved current to $(current)"
[ "$(dated_dirs)" = "2026-03-01 " ] || fail "failed runs left model directories: $(dated_dirs)"
[ "$(history_lines)" = 6 ] || fail "history has $(history_lines) lines, expected 6"

# ---------------------------------------------------------------- 4. normal runs and pruning
say "4. normal runs publish again; pruning keeps 2 dated models"
run_nightly day4 --config "$(conf day4 'RUN_DATE=2026-03-04')"
expect_rc 0 "normal run 2026-03-04"
[ "$(current)" = 2026-03-04 ] || fail "current -> $(current), expected 2026-03-04"
[ "$(hist -1 decision)" = '"published"' ] || fail "2026-03-04: decision $(hist -1 decision)"
[ "$(hist -1 current_hr)" = "$HR1" ] || fail "2026-03-04: the current model scored $(hist -1 current_hr), not $HR1, on the same records"
[ "$(hist -1 current_model)" = "\"$MODELS/2026-03-01\"" ] || fail "2026-03-04 compared with $(hist -1 current_model)"
[ "$(dated_dirs)" = "2026-03-01 2026-03-04 " ] || fail "after 2026-03-04: $(dated_dirs)"

run_nightly day5 --config "$T/base.conf" --date 2026-03-05
expect_rc 0 "normal run 2026-03-05"
[ "$(current)" = 2026-03-05 ] || fail "current -> $(current), expected 2026-03-05"
[ "$(dated_dirs)" = "2026-03-04 2026-03-05 " ] || fail "pruning kept $(dated_dirs), expected the 2 newest"

run_nightly backfill --config "$T/base.conf" --date 2026-02-20
expect_rc 0 "backfill run 2026-02-20"
[ "$(current)" = 2026-02-20 ] || fail "current -> $(current), expected 2026-02-20"
[ "$(dated_dirs)" = "2026-02-20 2026-03-04 2026-03-05 " ] ||
  fail "pruning must keep the 2 newest and current's model: $(dated_dirs)"
[ "$(history_lines)" = 9 ] || fail "history has $(history_lines) lines, expected 9"
no_staging_left "normal runs"

# ---------------------------------------------------------------- 6. warm start
say "6. warm start"
# The help text once: `--help | grep -q` under pipefail fails when grep exits first (SIGPIPE).
TRAIN_HELP=$("$ITEM2VEC" train --help 2>&1 || true)
if grep -q -- '--init-from' <<< "$TRAIN_HELP"; then
  run_nightly warm --config "$(conf warm 'WARM_START=1
NEW_ITEMS=cooccurrence')" --date 2026-03-06
  expect_rc 0 "warm-started run"
  grep -q -- "--new-items cooccurrence" "$(hist -1 log_dir | tr -d '"')/nightly.log" ||
    fail "warm run: train was not given --new-items cooccurrence"
  [ "$(hist -1 warm_start)" = true ] || fail "warm run: warm_start is $(hist -1 warm_start)"
  [ "$(hist -1 init_from)" = "\"$MODELS/2026-02-20\"" ] || fail "warm run started from $(hist -1 init_from)"
  grep -q -- "--init-from $MODELS/2026-02-20" "$(hist -1 log_dir | tr -d '"')/nightly.log" ||
    fail "warm run: train was not given --init-from"
  [ "$(current)" = 2026-03-06 ] || fail "warm run: current -> $(current)"
else
  run_nightly warm --config "$(conf warm 'WARM_START=1')" --date 2026-03-06
  expect_rc 2 "WARM_START=1 without --init-from in item2vec train"
  grep -q -- "no --init-from option; set WARM_START=0" "$LAST_LOG" || fail "warm start: no clear message"
  [ "$(history_lines)" = 9 ] || fail "a refused setting wrote a history line"
  echo "   (item2vec train has no --init-from yet: checked that WARM_START=1 is refused)"
fi
[ -z "$(find "$MODELS" -mindepth 1 -maxdepth 1 -name '.*')" ] || fail "hidden leftovers in $MODELS"

# ---------------------------------------------------------------- 7. a crashed rank
# The first training attempt loses its server (SIGKILL from --debug-fault, injected by a
# wrapper only into attempts without --resume) after the epoch-end checkpoints began; the
# retry resumes from the newest checkpoint, and since training is deterministic the model
# published is the one an uninterrupted run gives: its HR@10 equals run 1's.
say "7. a rank killed during training: the retry resumes and publishes"
if grep -q -- '--checkpoint-every' <<< "$TRAIN_HELP"; then
  # The server (rank 1) dies after 300 sends: after the first epoch's checkpoint and before
  # the end with the automatic 512-token batches of this small corpus (200 and 500 also pass).
  cat > "$T/crashy-item2vec" <<WRAP
#!/bin/bash
if [ "\$1" = train ] && [[ " \$* " != *" --resume"* ]]; then
  exec "$ITEM2VEC" "\$@" --debug-fault 1:kill:300
fi
exec "$ITEM2VEC" "\$@"
WRAP
  chmod +x "$T/crashy-item2vec"
  run_nightly crash --config "$(conf crash "ITEM2VEC_BIN=$T/crashy-item2vec
CHECKPOINT_EVERY=1h
TRAIN_RETRIES=1")" --date 2026-03-07
  expect_rc 0 "a run whose first training attempt lost a rank"
  grep -q "attempt 2 resumes from the newest checkpoint" "$LAST_LOG" || fail "crash: no retry"
  log_dir=$(hist -1 log_dir | tr -d '"')
  grep -q "continuing from checkpoint" "$log_dir/train.log" || fail "crash: the retry did not resume from a checkpoint"
  grep -q "killing this rank" "$log_dir/train-attempt1.log" || fail "crash: the first attempt was not killed"
  [ "$(hist -1 train_attempts)" = 2 ] || fail "crash: train_attempts $(hist -1 train_attempts), expected 2"
  [ "$(hist -1 new_hr)" = "$HR1" ] || fail "crash: resumed model HR@10 $(hist -1 new_hr), uninterrupted run 1 $HR1"
  [ "$(current)" = 2026-03-07 ] || fail "crash: current -> $(current)"
  [ ! -e "$MODELS/2026-03-07/checkpoints" ] || fail "crash: checkpoints published with the model"
  # Without retries the same crash fails the run, current unchanged.
  run_nightly crash0 --config "$(conf crash0 "ITEM2VEC_BIN=$T/crashy-item2vec
CHECKPOINT_EVERY=1h
TRAIN_RETRIES=0")" --date 2026-03-08
  expect_rc 4 "a crashed rank with TRAIN_RETRIES=0"
  [ "$(current)" = 2026-03-07 ] || fail "crash0: current -> $(current)"
  no_staging_left "crash0"
fi

# ---------------------------------------------------------------- 8. mpirun crashes after the job
# Open MPI 4.1's mpirun sometimes segfaults in PMIx_server_finalize (exit 139) after the
# ranks are done: the job's own result file (STAGING/job_result) decides, not mpirun.
say "8. mpirun exits 139 after a successful job: the job's result decides"
cat > "$T/crashy-mpirun" <<WRAP
#!/bin/bash
"$MPIRUN" "\$@"
rc=\$?
[ "\$rc" = 0 ] && exit 139
exit "\$rc"
WRAP
chmod +x "$T/crashy-mpirun"
add_day_log 2026-03-09
run_nightly mpicrash --config "$(conf mpicrash "MPIRUN=$T/crashy-mpirun
TRAIN_RETRIES=0")" --date 2026-03-09
expect_rc 0 "a run whose mpirun crashed after the job succeeded"
grep -q "mpirun exited 139 but the job's result is 0 (ok); using the job's" "$LAST_LOG" ||
  fail "mpicrash: the job's result was not used"
[ "$(current)" = 2026-03-09 ] || fail "mpicrash: current -> $(current)"
echo "ok: nightly pipeline publishes, refuses, fails safely, prunes and survives a crashed rank and a crashed mpirun"
