#!/usr/bin/env bash
# The nightly refresh's command line, settings checks, dry run and lock:
#   --help documents every exit code; bad options and bad settings exit 2 and run nothing;
#   --dry-run prints every step and creates nothing;
#   5. while another process holds LOCK_FILE, or while a real run is training, a second run
#      exits 8 at once, writes no history line and leaves current alone.
# `check && check || fail` is meant (fail exits).
# shellcheck disable=SC2015
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
write_base_conf
add_day_log 2026-04-01

# ---------------------------------------------------------------- help and bad settings
say "help and bad settings"
run_nightly help --help
expect_rc 0 "--help"
for code in 0 1 2 3 4 5 6 7 8; do
  grep -qE "^  $code  " "$LAST_LOG" || fail "--help does not document exit code $code"
done
grep -q -- "--dry-run" "$LAST_LOG" && grep -q -- "--config FILE" "$LAST_LOG" || fail "--help lacks options"

run_nightly badopt --config "$T/base.conf" --bogus
expect_rc 2 "unknown option"
grep -q "unknown option '--bogus'" "$LAST_LOG" || fail "unknown option: no clear message"
run_nightly noconf --config "$T/missing.conf"
expect_rc 2 "missing config"
for bad in 'NP=1' 'SERVERS=2' 'TOLERANCE=abc' 'EVAL_K=0' 'KEEP_MODELS=0' 'WARM_START=yes' \
           'RUN_DATE=2026-02-30' 'TRAIN_CONFIG=/nonexistent.ini' 'ITEM2VEC_BIN=/nonexistent' \
           'EVAL_ARGS=(--k 5)' 'unset HISTORY_FILE'; do
  run_nightly bad --config "$(conf bad "$bad")"
  expect_rc 2 "setting '$bad'"
  [ "$(wc -l < "$LAST_LOG")" -le 2 ] || fail "setting '$bad': expected a short message"
done
[ ! -e "$T/work" ] && [ ! -e "$MODELS" ] && [ ! -e "$HISTORY" ] ||
  fail "bad settings created files: $(ls "$T")"

mkdir -p "$MODELS/current"
run_nightly notlink --config "$T/base.conf"
expect_rc 2 "current is a directory"
grep -q "is not a symlink" "$LAST_LOG" || fail "current as a directory: no clear message"
rmdir "$MODELS/current" "$MODELS"

# ---------------------------------------------------------------- dry run
say "dry run prints the steps and runs nothing"
run_nightly dry --config "$T/base.conf" --date 2026-04-01 --dry-run
expect_rc 0 "--dry-run"
for step in "1. lock" "2. prep" "3. train" "4. eval" "5. gate" "6. publish" "7. prune" "8. history"; do
  grep -q "^$step " "$LAST_LOG" || fail "--dry-run does not print step '$step'"
done
grep -q "logs/2026-04-01/ratings.csv" "$LAST_LOG" || fail "--dry-run: {date} not replaced in INPUT_LOGS"
grep -q "^3. train .* -np 2 .*item2vec train .*--servers 1 --config $T/train.ini --seed 7" "$LAST_LOG" ||
  fail "--dry-run: the train command is not as configured"
[ ! -e "$T/work" ] && [ ! -e "$MODELS" ] && [ ! -e "$HISTORY" ] && [ ! -e "$LOCK" ] ||
  fail "--dry-run created files: $(ls "$T")"

# ---------------------------------------------------------------- 5. the lock
say "5. a second run while the lock is held exits 8 at once"
mkdir -p "$MODELS"
ln -s 2026-01-01 "$MODELS/current"   # a dangling link is enough: nothing may touch it
( lock_try "$LOCK" || exit 1; echo held > "$T/holder-ready"; exec sleep 60 ) &
holder=$!
for _ in $(seq 100); do [ -e "$T/holder-ready" ] && break; sleep 0.1; done
[ -e "$T/holder-ready" ] || { kill "$holder"; fail "could not take the lock for the test"; }
start=$SECONDS
run_nightly locked --config "$T/base.conf" --date 2026-04-01
kill "$holder"; wait "$holder" 2>/dev/null || true
expect_rc 8 "run while the lock is held"
[ $((SECONDS - start)) -le 5 ] || fail "the locked run took $((SECONDS - start)) s, expected to exit at once"
grep -q "another run holds $LOCK" "$LAST_LOG" || fail "locked run: no clear message"
[ ! -e "$HISTORY" ] && [ ! -e "$T/work" ] || fail "the locked run wrote history or a run directory"
[ "$(current)" = 2026-01-01 ] || fail "the locked run changed current"

# Released, the same settings get past the lock (this day has no log, so prep fails: exit 3).
run_nightly unlocked --config "$T/base.conf" --date 2026-04-02
expect_rc 3 "run after the lock is released"
[ "$(current)" = 2026-01-01 ] || fail "the failed run changed current"

# Two real runs: the second starts while the first is training.
LAST_LOG=$T/first.out
bash "$SCRIPT" --config "$(conf slow 'EXTRA_TRAIN_ARGS=(--epochs 2000)')" --date 2026-04-01 > "$LAST_LOG" 2>&1 &
first=$!
for _ in $(seq 200); do grep -q '\] \[nightly\] train: ' "$LAST_LOG" && break; sleep 0.1; done
grep -q '\] \[nightly\] train: ' "$LAST_LOG" || { kill "$first"; fail "the first run never started training"; }
start=$SECONDS
run_nightly second --config "$T/base.conf" --date 2026-04-01
second_rc=$RC second_log=$LAST_LOG
kill -TERM "$first"
RC=0; wait "$first" || RC=$?
LAST_LOG=$T/first.out
expect_rc 143 "the first run, stopped by SIGTERM"
RC=$second_rc LAST_LOG=$second_log
expect_rc 8 "a second run while the first is training"
[ $((SECONDS - start)) -le 5 ] || fail "the second run took $((SECONDS - start)) s, expected to exit at once"
grep -q "another run holds $LOCK (pid [0-9]* run " "$LAST_LOG" || fail "second run: the message does not name the holder"
[ "$(history_lines)" = 2 ] || fail "history has $(history_lines) lines, expected 2 (the failed and the stopped run)"
[ "$(current)" = 2026-01-01 ] || fail "current changed"
echo "ok: command line, settings checks, dry run and lock"
