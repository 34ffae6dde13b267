#!/usr/bin/env bash
# Every train writes its report (train --report, on by default), on MovieLens with 1 worker,
# --deterministic:
#   1. the first run: OUTPUT/report.html -> model/report.html, with the eval table and titles,
#      and "No previous model"
#   2. the same run again into the same output: compared with the model it replaced (read
#      before the new one is published, which deletes it): the same vocabulary and, the vectors
#      being identical, neighbour overlap@10 of 1.000
#   3. a warm start (--init-from the first output) into a new output: compared with that model
#   4. --report false: no report, and no link left pointing at none
#   5. item2vec report: --help, a missing model (exit 3), --test with --eval-json (exit 2)
# `check && check || fail` is meant (fail exits).
# shellcheck disable=SC2015
# shellcheck source-path=SCRIPTDIR source=../nightly/lib.sh
source "$(dirname "$0")/../nightly/lib.sh"
"$ITEM2VEC" prep --input "$RATINGS" --output "$T/data" --user-col userId --item-col movieId --time-col timestamp \
  --rating-col rating --min-rating 3.5 --holdout last > "$T/prep.log" 2>&1 || fail "prep failed"
train() {  # OUTPUT ARGS... (3 epochs unless ARGS give --epochs)
  local out=$1; shift
  [[ " $* " == *" --epochs "* ]] || set -- --epochs 3 "$@"
  LAST_LOG=$T/train-$(basename "$out").log
  "$MPIRUN" -np 2 "$ITEM2VEC" train --input "$T/data/train" --output "$out" --dim 16 --deterministic \
    --progress-seconds 60 --names "$REPO/data/ml-latest-small/movies.csv" "$@" > "$LAST_LOG" 2>&1 || fail "train $out $*"
}
text() { "$PY" -c 'import html, re, sys; print(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", open(sys.argv[1]).read())).split()))' "$1"; }

say "1. the first run writes its report"
train "$T/a" --report-test "$T/data/test.tsv"
[ "$(readlink "$T/a/report.html")" = model/report.html ] || fail "OUTPUT/report.html is not the link to model/report.html"
page=$(text "$T/a/report.html")
grep -q "report: wrote $(readlink -f "$T/a/model")/report.html" "$LAST_LOG" || fail "train did not log its report"
for want in "Next-item quality on the hold-out" "popularity" "Toy Story (1995) (1)" "No previous model" \
            "Peak memory per rank" "rank 1 server"; do
  [[ "$page" == *"$want"* ]] || fail "the first report lacks '$want'"
done

say "2. again into the same output: compared with the model it replaced"
train "$T/a"
page=$(text "$T/a/report.html")
[[ "$page" == *"(the model this run replaced)"* ]] || fail "the second report does not name the replaced model"
[[ "$page" =~ items\ ([0-9]+)\ ([0-9]+)\ \+0\ -0 ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
  fail "the vocabulary should be unchanged: $(grep -o 'vocabulary before.\{0,60\}' <<< "$page")"
[[ "$page" == *"Neighbour overlap@10 of the most frequent items: 1.000 on average"* ]] ||
  fail "identical vectors should keep every neighbour: $(grep -o 'Neighbour overlap@10.\{0,60\}' <<< "$page")"
[ "$(find "$T/a" -maxdepth 1 -name 'model.*' | wc -l)" = 1 ] || fail "more than one model directory left"

say "3. a warm start is compared with the model it started from"
train "$T/b" --init-from "$T/a" --epochs 1
page=$(text "$T/b/report.html")
[[ "$page" == *"Previous model: $T/a"* ]] || fail "the warm start's report does not compare with --init-from"

say "4. --report false"
train "$T/a" --report false
[ ! -e "$T/a/report.html" ] && [ ! -L "$T/a/report.html" ] || fail "--report false left report.html or its link"

say "5. item2vec report on the command line"
help=$("$ITEM2VEC" report --help)
grep -q -- "--eval-json" <<< "$help" || fail "report --help lacks --eval-json"
RC=0; "$ITEM2VEC" report --model "$T/nope" > /dev/null 2> "$T/err" || RC=$?
[ "$RC" = 3 ] || fail "report of a missing model exited $RC, expected 3 ($(cat "$T/err"))"
RC=0; "$ITEM2VEC" report --model "$T/b" --test x --eval-json y > /dev/null 2>&1 || RC=$?
[ "$RC" = 2 ] || fail "--test with --eval-json exited $RC, expected 2"
"$ITEM2VEC" report --model "$T/b" --output "$T/b.html" --previous "$T/a" > /dev/null || fail "report --output"
[ -s "$T/b.html" ] || fail "report --output wrote nothing"
echo "ok: every train writes its report and compares it with the previous model"
