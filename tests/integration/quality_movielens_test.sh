#!/usr/bin/env bash
# Quality on real data: on the bundled MovieLens (liked movies in time order, each user's
# last movie held out), the vectors beat the popularity baseline on next-item HR@10 and
# MRR by a clear margin. Deterministic mode (one worker) makes the numbers reproducible.
source "$(dirname "$0")/lib.sh"
"$ITEM2VEC" prep --input "$REPO/data/ml-latest-small/ratings.csv" --output "$WORK/data" \
  --user-col userId --item-col movieId --time-col timestamp --rating-col rating \
  --min-rating 3.5 --holdout last
run_np 2 train --config "$REPO/configs/movielens.ini" --input "$WORK/data/train" \
  --output "$WORK/model" --deterministic --log-level warn
"$ITEM2VEC" eval --model "$WORK/model" --test "$WORK/data/test.tsv" --json "$WORK/eval.json"
# Pull HR@10 and MRR of model and popularity out of the JSON without a JSON tool.
metric() {  # metric model|popularity hr10|mrr
  local block
  block=$(tr -d ' \n' < "$WORK/eval.json" | grep -o "\"$1\":{\"hr\":{[^}]*},\"ndcg\":{[^}]*},\"mrr\":[0-9.e-]*")
  case $2 in
    hr10) echo "$block" | grep -o '"10":[0-9.e-]*' | head -1 | cut -d: -f2 ;;
    mrr) echo "$block" | grep -o '"mrr":[0-9.e-]*' | cut -d: -f2 ;;
  esac
}
m_hr=$(metric model hr10) p_hr=$(metric popularity hr10)
m_mrr=$(metric model mrr) p_mrr=$(metric popularity mrr)
[ -n "$m_hr" ] && [ -n "$p_hr" ] && [ -n "$m_mrr" ] && [ -n "$p_mrr" ] || fail "could not read metrics from eval.json"
echo "HR@10 model $m_hr popularity $p_hr; MRR model $m_mrr popularity $p_mrr"
awk -v m="$m_hr" -v p="$p_hr" 'BEGIN { exit !(m >= 1.3 * p) }' || fail "HR@10 $m_hr is not >= 1.3 x popularity $p_hr"
awk -v m="$m_mrr" -v p="$p_mrr" 'BEGIN { exit !(m >= 1.3 * p) }' || fail "MRR $m_mrr is not >= 1.3 x popularity $p_mrr"
echo "ok: vectors beat popularity by a clear margin"
