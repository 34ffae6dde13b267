#!/usr/bin/env bash
# TUNE_EVERY=2: the nightly refresh tunes on the first night (no winner yet) and again two
# nights later, trains with the kept winner (TUNE_DIR/best.ini) on the night between, and a
# failing tune keeps the previous winner and still publishes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
write_base_conf
for d in 2026-05-01 2026-05-02 2026-05-03 2026-05-04; do add_day_log "$d"; done
TUNE=$T/tune
conf tune "TUNE_EVERY=2
TUNE_DIR=$TUNE
TUNE_ARGS=(--budget 4x --max-trials 3 --space $REPO/tests/tune/small_space.ini --seed 2)" > /dev/null

# night_keeps_winner NAME CONFIG DATE TUNE_STATE KEPT: a night (exit 0) that logs "tune: TUNE_STATE"
# and trains with $TUNE/best.ini, unchanged from its copy KEPT.
night_keeps_winner() {
  local name=$1 config=$2 date=$3 state=$4 kept=$5
  run_nightly "$name" --config "$config" --date "$date"
  expect_rc 0 "$name"
  grep -q "tune: $state" "$LAST_LOG" || fail "$name: no 'tune: $state' line"
  grep -q "train: .*--config $TUNE/best.ini" "$LAST_LOG" || fail "$name did not train with the kept best.ini"
  cmp -s "$TUNE/best.ini" "$kept" || fail "$name changed best.ini"
}

say "dry run: a tune is due on the first night"
run_nightly dry --config "$T/tune.conf" --date 2026-05-01 --dry-run
expect_rc 0 "--dry-run"
grep -q "^2b. tune .*item2vec prep .*--validation" "$LAST_LOG" || fail "--dry-run does not print the tune's prep"
grep -q "item2vec tune --input .*--valid .*valid.tsv .*--np 2 --servers 1 --launcher .*--train-config $T/train.ini --budget 4x" \
  "$LAST_LOG" || fail "--dry-run: the tune command is not as configured"

say "night 1: tunes, trains with the winner"
run_nightly n1 --config "$T/tune.conf" --date 2026-05-01
expect_rc 0 "night 1"
grep -q "tune: due" "$LAST_LOG" || fail "night 1 did not tune"
[ -s "$TUNE/best.ini" ] || fail "no $TUNE/best.ini after night 1"
[ "$(cat "$TUNE/last_tune")" = 2026-05-01 ] || fail "last_tune is not 2026-05-01"
grep -q "^window = 10" "$TUNE/best.ini" || grep -q "^window = " "$TUNE/best.ini" || fail "best.ini has no window"
grep -q "^3\. train\|train: .*--config $TUNE/best.ini" "$LAST_LOG" || fail "night 1 did not train with best.ini"
[ "$(current)" = 2026-05-01 ] || fail "night 1 published nothing (current: $(current))"
cp "$TUNE/best.ini" "$T/best-night1.ini"

say "night 2: not due, trains with the kept winner"
night_keeps_winner n2 "$T/tune.conf" 2026-05-02 "not due" "$T/best-night1.ini"

say "night 3: due again (2 nights later)"
run_nightly n3 --config "$T/tune.conf" --date 2026-05-03
expect_rc 0 "night 3"
grep -q "tune: due" "$LAST_LOG" || fail "night 3 did not tune"
[ "$(cat "$TUNE/last_tune")" = 2026-05-03 ] || fail "last_tune is not 2026-05-03"

say "night 4 with a failing tune (forced due): the previous winner is kept, the night publishes"
printf '2026-01-01\n' > "$TUNE/last_tune"
cp "$TUNE/best.ini" "$T/best-night3.ini"
conf badtune "source $T/tune.conf
TUNE_ARGS=(--space /nonexistent.ini)" > /dev/null
night_keeps_winner n4 "$T/badtune.conf" 2026-05-04 failed "$T/best-night3.ini"

say "bad settings"
run_nightly bad --config "$(conf bad "TUNE_EVERY=x")"
expect_rc 2 "TUNE_EVERY=x"
run_nightly bad2 --config "$(conf bad2 "TUNE_ARGS=(--np 4)")"
expect_rc 2 "TUNE_ARGS with --np"
echo "PASS"
