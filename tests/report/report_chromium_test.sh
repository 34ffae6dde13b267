#!/usr/bin/env bash
# The run report of a nightly refresh on MovieLens, rendered by headless Chromium:
#   two nights (2026-04-01, 2026-04-02), 2 workers + 1 server, titles from movies.csv; the
#   second night's published report.html (train's page, rewritten by the nightly with its
#   eval, the previous model and the history) is rendered offline by Chromium, and
#   check_report_page.py checks the screenshot and the page's text.
# Skipped (77) without chromium or python3-pil; ITEM2VEC_REPORT_SCREENSHOT=FILE keeps a copy of
# the screenshot (scripts/dev/report_screenshot.sh makes docs/report.png with it).
# `check && check || fail` is meant (fail exits).
# shellcheck disable=SC2015
# shellcheck source-path=SCRIPTDIR source=../nightly/lib.sh
source "$(dirname "$0")/../nightly/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium is not installed (scripts/install_deps.sh)"
"$PY" -c 'import PIL' 2> /dev/null || skip "$PY has no PIL (python3-pil)"

write_base_conf
add_day_log 2026-04-01
add_day_log 2026-04-02
# Two workers (their lines in the charts), no --deterministic, configs/movielens.ini's 20 epochs
# (a second of training: enough reports for the charts); a tolerance that lets the
# second night publish whatever its interleaving.
CONF=$(conf report "NP=3
TRAIN_ARGS=(--seed 7 --progress-seconds 60 --epochs 20 --dim 64)
TOLERANCE=1
REPORT_NAMES=$REPO/data/ml-latest-small/movies.csv")
for d in 2026-04-01 2026-04-02; do
  say "night $d"
  run_nightly "night-$d" --config "$CONF" --date "$d"
  expect_rc 0 "night $d"
done
MODEL=$MODELS/current
[ "$(current)" = 2026-04-02 ] || fail "current -> $(current)"
[ -L "$MODEL/report.html" ] || fail "$MODEL/report.html is not the link to model/report.html"
grep -q "report: $MODELS/2026-04-02/report.html" "$LAST_LOG" || fail "the nightly did not log its report"

say "render with $CHROMIUM"
SHOT=$T/report.png
# Offline: no name resolves and every connection goes to a closed port, so a page that needed
# anything from outside would render without it (and the raw check below names it).
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$T/chromium" --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=127.0.0.1:9 \
  --hide-scrollbars --window-size=1200,5200 --screenshot="$SHOT" "file://$(readlink -f "$MODEL/report.html")" \
  > "$T/chromium-shot.log" 2>&1 || { cat "$T/chromium-shot.log"; fail "chromium --screenshot failed"; }
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$T/chromium" --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=127.0.0.1:9 \
  --dump-dom "file://$(readlink -f "$MODEL/report.html")" > "$T/dom.html" 2> "$T/chromium-dom.log" ||
  { cat "$T/chromium-dom.log"; fail "chromium --dump-dom failed"; }
[ -s "$SHOT" ] && [ -s "$T/dom.html" ] || fail "chromium wrote no screenshot or DOM"
"$PY" "$(dirname "$0")/check_report_page.py" "$MODEL/report.html" "$T/dom.html" "$SHOT" "$MODEL" \
  "$MODEL/eval.json" "$HISTORY" || fail "the rendered report failed its checks"
if [ -n "${ITEM2VEC_REPORT_SCREENSHOT:-}" ]; then cp "$SHOT" "$ITEM2VEC_REPORT_SCREENSHOT"; fi
echo "ok: the nightly report renders in Chromium with every section"
