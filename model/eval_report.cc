#include "model/eval_report.h"

#include <cstdio>

#include "common/json_writer.h"

namespace item2vec {

MetricsSummary MetricsSummary::From(const MetricsAccumulator& m) {
  MetricsSummary s;
  for (std::size_t i = 0; i < m.ks().size(); ++i) {
    s.hr.push_back(m.HitRate(i));
    s.ndcg.push_back(m.Ndcg(i));
  }
  s.mrr = m.Mrr();
  s.evaluated = m.records();
  s.misses = m.misses();
  return s;
}

namespace {

std::string Cell(const std::string& s, int width) {
  return s.size() >= static_cast<std::size_t>(width) ? s + " " : std::string(width - s.size(), ' ') + s;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

void Metrics(JsonWriter* j, const std::vector<int>& ks, const MetricsSummary& m) {
  j->BeginObject();
  j->Key("hr").BeginObject();
  for (std::size_t i = 0; i < ks.size(); ++i) j->Key(std::to_string(ks[i])).Double(m.hr[i]);
  j->EndObject();
  j->Key("ndcg").BeginObject();
  for (std::size_t i = 0; i < ks.size(); ++i) j->Key(std::to_string(ks[i])).Double(m.ndcg[i]);
  j->EndObject();
  j->Key("mrr").Double(m.mrr);
  j->Key("evaluated").Int(m.evaluated);
  j->Key("misses").Int(m.misses);
  j->EndObject();
}

}  // namespace

std::string FormatTable(const EvalReport& r) {
  const int w = 9;
  const std::int64_t skipped = r.skipped_empty_history + r.skipped_query_oov;
  std::string out = "            ";
  for (int k : r.ks) out += Cell("HR@" + std::to_string(k), w);
  for (int k : r.ks) out += Cell("NDCG@" + std::to_string(k), w);
  out += Cell("MRR", w) + Cell("evaluated", 11) + Cell("skipped", 9) + "\n";
  const auto row = [&](const std::string& name, const MetricsSummary& m) {
    std::string line = name + std::string(name.size() < 12 ? 12 - name.size() : 1, ' ');
    for (double v : m.hr) line += Cell(Number(v), w);
    for (double v : m.ndcg) line += Cell(Number(v), w);
    line += Cell(Number(m.mrr), w) + Cell(std::to_string(m.evaluated), 11) + Cell(std::to_string(skipped), 9);
    return line + "\n";
  };
  if (r.query_names.size() <= 1) {
    out += row("model", r.model_metrics);
  } else {
    for (std::size_t i = 0; i < r.query_names.size(); ++i) out += row(r.query_names[i], r.query_metrics[i]);
  }
  if (r.popularity) out += row("popularity", *r.popularity);
  out += "\nrecords: " + std::to_string(r.records_read) + " read, " + std::to_string(r.evaluated) + " evaluated, " +
         std::to_string(skipped) + " skipped (" + std::to_string(r.skipped_empty_history) + " empty history, " +
         std::to_string(r.skipped_query_oov) + " query item not in the model)\n";
  out += "misses counted in the metrics: " + std::to_string(r.target_oov) + " next items not in the model, " +
         std::to_string(r.target_excluded) + " next items excluded (query item" +
         (r.exclude_history ? std::string(" or history") : std::string()) + ")\n";
  if (r.search == "exact")
    out += "MRR is over the full ranking of " + std::to_string(r.items) + " items (not cut at any K); ";
  else
    out += "search: " + r.search + " (approximate): ranks beyond K = " + std::to_string(r.ks.back()) +
           " count as misses, so MRR is cut there; ";
  out += "metric: " + r.metric + "; query: " + r.query + (r.exclude_history ? ", history excluded" : "") + "\n";
  out += "popularity baseline: " + r.popularity_source + "\n";
  return out;
}

std::string ReportJson(const EvalReport& r) {
  JsonWriter j;
  j.BeginObject();
  j.Key("model").String(r.model);
  j.Key("vectors").String(r.vectors);
  j.Key("test").String(r.test);
  j.Key("query").String(r.query);
  j.Key("exclude_history").Bool(r.exclude_history);
  j.Key("metric").String(r.metric);
  j.Key("search").String(r.search);
  j.Ints({{"items", r.items}, {"dim", r.dim}, {"threads", r.threads}});
  j.Key("ks").IntArray(r.ks);
  j.Key("mrr").String(r.search == "exact" ? std::string("full_rank") : "cut_at_" + std::to_string(r.ks.back()));
  j.Key("records").BeginObject();
  j.Ints({{"read", r.records_read}, {"evaluated", r.evaluated},
          {"skipped", r.skipped_empty_history + r.skipped_query_oov},
          {"skipped_empty_history", r.skipped_empty_history}, {"skipped_query_oov", r.skipped_query_oov},
          {"target_oov", r.target_oov}, {"target_excluded", r.target_excluded}});
  j.EndObject();
  j.Key("results").BeginObject();
  j.Key("model");
  Metrics(&j, r.ks, r.model_metrics);
  j.Key("popularity");
  if (r.popularity)
    Metrics(&j, r.ks, *r.popularity);
  else
    j.Raw("null");
  j.Key("queries").BeginObject();
  for (std::size_t i = 0; i < r.query_names.size(); ++i) {
    j.Key(r.query_names[i]);
    Metrics(&j, r.ks, r.query_metrics[i]);
  }
  j.EndObject();
  j.EndObject();
  j.Key("popularity_source").String(r.popularity_source);
  j.Key("seconds").BeginObject();
  j.Key("load").Double(r.load_seconds);
  j.Key("search").Double(r.search_seconds);
  j.Key("total").Double(r.total_seconds);
  j.EndObject();
  j.EndObject();
  return j.str() + "\n";
}

}  // namespace item2vec
