#!/usr/bin/env bash
# The run's figures reach Prometheus the way batch jobs' do, checked against the real
# programs: Debian's prometheus-pushgateway and prometheus-node-exporter (textfile
# collector), each started here on a free loopback port.
#   1. train --pushgateway --metrics-textfile --report-test succeeds: the gateway and the
#      node-exporter serve its exit code 0, vocabulary size, tokens/s and final loss equal to
#      train.json, HR@10 equal to `item2vec eval` of the same model, the model version, and
#      the last success time
#   2. train fails (missing input, exit 3): exit code 3 and a failure time, while the last
#      success's figures stay (POST, textfile merged)
#   3. a Pushgateway that is down: train still succeeds, with a warning
#   4. the nightly refresh with PUSHGATEWAY and METRICS_TEXTFILE (and, where redis-server is
#      installed, PUBLISH_REDIS to one started here): exit code, decision, durations, HR@10 and
#      vocabulary size equal to its history line, the published model and Redis version; then
#      a failed night: exit code 3 and decision failed, the last success kept
# Skipped (77) without the two programs.
# shellcheck source-path=SCRIPTDIR source=../nightly/lib.sh
source "$(dirname "$0")/../nightly/lib.sh"
PUSHGATEWAY_BIN=$(command -v prometheus-pushgateway || true)
NODE_EXPORTER_BIN=$(command -v prometheus-node-exporter || true)
[ -n "$PUSHGATEWAY_BIN" ] || skip "prometheus-pushgateway is not installed (scripts/install_deps.sh)"
[ -n "$NODE_EXPORTER_BIN" ] || skip "prometheus-node-exporter is not installed (scripts/install_deps.sh)"

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PG_PORT=$(free_port)
NE_PORT=$(free_port)
PG=http://127.0.0.1:$PG_PORT
TEXTFILES=$T/textfile
mkdir -p "$TEXTFILES"
"$PUSHGATEWAY_BIN" --web.listen-address="127.0.0.1:$PG_PORT" --persistence.file="" > "$T/pushgateway.log" 2>&1 &
PG_PID=$!
"$NODE_EXPORTER_BIN" --web.listen-address="127.0.0.1:$NE_PORT" --collector.disable-defaults --collector.textfile \
  --collector.textfile.directory="$TEXTFILES" > "$T/node-exporter.log" 2>&1 &
NE_PID=$!
REDIS_PID=""
trap 'kill "$PG_PID" "$NE_PID" $REDIS_PID 2> /dev/null; wait "$PG_PID" "$NE_PID" $REDIS_PID 2> /dev/null || true; [ -n "${NIGHTLY_TEST_KEEP:-}" ] || rm -rf "$T"' EXIT

# GET URL into FILE; fails when it does not answer 200.
fetch() { "$PY" -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=5).read())' "$1" "$2"; }
for _ in $(seq 100); do
  fetch "$PG/-/ready" /dev/null 2> /dev/null && fetch "http://127.0.0.1:$NE_PORT/metrics" /dev/null 2> /dev/null && break
  sleep 0.1
done
fetch "$PG/-/ready" /dev/null || { cat "$T/pushgateway.log"; fail "the Pushgateway did not start"; }
fetch "http://127.0.0.1:$NE_PORT/metrics" /dev/null || { cat "$T/node-exporter.log"; fail "node-exporter did not start"; }

# check_metrics SOURCE_URL 'PYTHON ASSERTIONS': `m(name, **labels)` is the value of the one
# sample of that name whose labels include those (None when absent); `files` the JSONs given.
check_metrics() {
  local url=$1 code=$2; shift 2
  fetch "$url" "$T/scrape.txt" || fail "cannot scrape $url"
  "$PY" - "$T/scrape.txt" "$code" "$@" <<'PY' || { echo "---- scraped:" >&2; grep item2vec "$T/scrape.txt" >&2; fail "metrics from $url"; }
import json, re, sys, time
samples = []
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line.strip())
    assert m, "unparsable line: " + line
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
    samples.append((m.group(1), labels, float(m.group(4))))
def m(metric, /, **want):
    found = [v for n, l, v in samples if n == metric and all(l.get(k) == str(x) for k, x in want.items())]
    assert len(found) <= 1, "%d samples of %s %s" % (len(found), metric, want)
    return found[0] if found else None
files = [json.load(open(p)) if p.endswith(".json") else json.loads(open(p).read().splitlines()[-1]) for p in sys.argv[3:]]
now = time.time()
exec(sys.argv[2])
PY
}

say "prep MovieLens"
"$ITEM2VEC" prep --input "$RATINGS" --output "$T/data" --user-col userId --item-col movieId --time-col timestamp \
  --rating-col rating --min-rating 3.5 --holdout last > "$T/prep.log" 2>&1 || fail "prep failed"
TRAIN=("$MPIRUN" -np 2 "$ITEM2VEC" train --input "$T/data/train" --output "$T/model" --dim 16 --epochs 3
       --deterministic --progress-seconds 60 --report-test "$T/data/test.tsv")

say "1. a successful train pushes its figures and writes the textfile"
"${TRAIN[@]}" --pushgateway "$PG" --metrics-textfile "$TEXTFILES/item2vec_train.prom" > "$T/train1.log" 2>&1 ||
  { tail -20 "$T/train1.log"; fail "train failed"; }
grep -q "metrics: pushed to $PG (job item2vec_train)" "$T/train1.log" || fail "train did not log its push"
"$ITEM2VEC" eval --model "$T/model" --test "$T/data/test.tsv" --json "$T/eval.json" > /dev/null 2>&1 || fail "eval failed"
VERSION=$(basename "$(readlink "$T/model/model")")
VERSION=${VERSION#model.}
ONE='
t, e = files
assert m("item2vec_train_exit_code", job="item2vec_train") == 0
assert m("item2vec_train_vocabulary_items") == t["vocab_size"], m("item2vec_train_vocabulary_items")
assert abs(m("item2vec_train_tokens_per_second") - t["tokens_per_second"]) <= 1e-6 * t["tokens_per_second"]
assert abs(m("item2vec_train_final_loss") - t["final_loss"]) < 1e-9
assert m("item2vec_train_tokens") == t["tokens_seen"]
assert m("item2vec_train_hit_rate", k=10, ranker="model") == e["results"]["model"]["hr"]["10"]
assert m("item2vec_train_hit_rate", k=10, ranker="popularity") == e["results"]["popularity"]["hr"]["10"]
assert m("item2vec_train_model_version") == VERSION
assert m("item2vec_train_peak_rss_bytes", role="server") > 1e6
assert now - 120 < m("item2vec_train_last_success_timestamp_seconds") <= now + 1
assert m("item2vec_train_last_failure_timestamp_seconds") is None
'
check_metrics "$PG/metrics" "VERSION = $VERSION$ONE" "$T/model/train.json" "$T/eval.json"
check_metrics "http://127.0.0.1:$NE_PORT/metrics" "VERSION = $VERSION${ONE//, job=\"item2vec_train\"/}
assert m(\"node_textfile_scrape_error\") == 0" "$T/model/train.json" "$T/eval.json"
[ -z "$(find "$TEXTFILES" "$T/model" -name '*.tmp.*')" ] || fail "temporary files left: $(find "$TEXTFILES" "$T/model" -name '*.tmp.*')"

say "2. a failed train updates its exit code and keeps the last success"
RC=0
"$MPIRUN" -np 2 "$ITEM2VEC" train --input "$T/no-such-input" --output "$T/model" --pushgateway "$PG" \
  --metrics-textfile "$TEXTFILES/item2vec_train.prom" > "$T/train2.log" 2>&1 || RC=$?
[ "$RC" = 3 ] || fail "train on a missing input exited $RC, expected 3"
TWO='
t, e = files
assert m("item2vec_train_exit_code") == 3
assert now - 120 < m("item2vec_train_last_failure_timestamp_seconds") <= now + 1
assert m("item2vec_train_last_success_timestamp_seconds") is not None
assert m("item2vec_train_vocabulary_items") == t["vocab_size"]
'
check_metrics "$PG/metrics" "$TWO" "$T/model/train.json" "$T/eval.json"
check_metrics "http://127.0.0.1:$NE_PORT/metrics" "$TWO" "$T/model/train.json" "$T/eval.json"

say "3. a Pushgateway that is down is a warning, not a failed run"
DOWN=http://127.0.0.1:$(free_port)
"${TRAIN[@]}" --pushgateway "$DOWN" > "$T/train3.log" 2>&1 || { tail -20 "$T/train3.log"; fail "train failed with the gateway down"; }
grep -q "warning.*metrics: pushing metrics to $DOWN/metrics/job/item2vec_train" "$T/train3.log" ||
  fail "no warning about the unreachable gateway: $(grep metrics "$T/train3.log")"

say "4. the nightly refresh exports its figures"
write_base_conf
add_day_log 2026-05-01
CONF=$(conf metrics "PUSHGATEWAY=$PG
METRICS_TEXTFILE=$TEXTFILES/item2vec_nightly.prom")
REDIS_VERSION_CHECK="assert m(\"item2vec_nightly_published_version\") is None"
if command -v redis-server > /dev/null; then
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --logfile "$T/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping 2> /dev/null | grep -q PONG && break; sleep 0.05; done
  export PUBLISH_REDIS=127.0.0.1:$REDIS_PORT
  REDIS_VERSION_CHECK="assert m(\"item2vec_nightly_published_version\") == 1 == h[\"redis_version\"]"
else
  echo "(redis-server is not installed: the published Redis version is not checked)"
fi
run_nightly night1 --config "$CONF" --date 2026-05-01
unset PUBLISH_REDIS
expect_rc 0 "nightly with metrics"
grep -q "metrics: exported (job item2vec_nightly)" "$LAST_LOG" || fail "the nightly did not log its export"
NIGHT='
h, = files
assert m("item2vec_nightly_exit_code", job="item2vec_nightly") == 0
assert m("item2vec_nightly_decision", decision="published") == 1
assert m("item2vec_nightly_decision", decision="failed") == 0
assert m("item2vec_nightly_hit_rate", model="new", k=10) == h["new_hr"]
assert m("item2vec_nightly_vocabulary_items") == h["vocab_size"]
assert m("item2vec_nightly_tokens_per_second") == h["tokens_per_second"]
assert m("item2vec_nightly_duration_seconds", step="train") == h["durations"]["train"]
assert m("item2vec_nightly_duration_seconds", step="total") == h["durations"]["total"]
assert m("item2vec_nightly_published_model_info", name="2026-05-01") == 1
assert now - 300 < m("item2vec_nightly_last_success_timestamp_seconds") <= now + 1
'
NIGHT="$NIGHT
$REDIS_VERSION_CHECK"
check_metrics "$PG/metrics" "$NIGHT" "$HISTORY"
check_metrics "http://127.0.0.1:$NE_PORT/metrics" "${NIGHT//, job=\"item2vec_nightly\"/}" "$HISTORY"
run_nightly night2 --config "$CONF" --date 2026-05-02  # no log for that day: prep fails
expect_rc 3 "nightly without input"
FAILED='
assert m("item2vec_nightly_exit_code") == 3
assert m("item2vec_nightly_decision", decision="failed") == 1
assert m("item2vec_nightly_last_failure_timestamp_seconds") is not None
assert m("item2vec_nightly_last_success_timestamp_seconds") is not None
assert m("item2vec_nightly_published_model_info", name="2026-05-01") == 1
'
check_metrics "$PG/metrics" "$FAILED"
check_metrics "http://127.0.0.1:$NE_PORT/metrics" "$FAILED"
echo "ok: train's and the nightly's figures reach a real Pushgateway and node-exporter"
