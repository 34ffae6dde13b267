// What `item2vec eval` reports, as a readable table and as JSON for dashboards.
//
// Contract: EvalReport is a plain value filled by the eval command; FormatTable and
// ReportJson only format it (no I/O). The JSON has a stable layout:
//   {"model": ..., "vectors": ..., "test": ..., "query": "last", "exclude_history": false,
//    "metric": "cosine", "search": "exact" or "hnsw ef=E",
//    "items": N, "dim": D, "ks": [1, 5, 10, 20], "mrr": "full_rank" or "cut_at_K",
//    "records": {"read", "evaluated", "skipped", "skipped_empty_history",
//                "skipped_query_oov", "target_oov", "target_excluded"},
//    "results": {"model": M, "popularity": M or null, "queries": {"last": M, "user": M, ...}},
//    "popularity_source": "..." , "seconds": {"load", "search", "total"}}
// where M = {"hr": {"1": x, ...}, "ndcg": {"1": x, ...}, "mrr": x, "evaluated": n,
// "misses": n}. Metric keys are the K values as strings. "model" is the first query of
// --query; "queries" holds every query asked, in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/metrics.h"

namespace item2vec {

struct MetricsSummary {
  std::vector<double> hr, ndcg;  // one per K
  double mrr = 0;
  std::int64_t evaluated = 0, misses = 0;
  static MetricsSummary From(const MetricsAccumulator& m);
};

struct EvalReport {
  std::string model, vectors, test, query;
  std::string metric = "cosine";
  std::string search = "exact";            // or "hnsw ef=E"
  bool exclude_history = false;
  std::int64_t items = 0;
  int dim = 0;
  int threads = 1;
  std::vector<int> ks;
  std::int64_t records_read = 0;
  std::int64_t evaluated = 0;              // records scored: the denominator of every metric
  std::int64_t skipped_empty_history = 0;  // no history: nothing to query with
  std::int64_t skipped_query_oov = 0;      // no query item in the model
  std::int64_t target_oov = 0;             // evaluated, target not in the model: a miss
  std::int64_t target_excluded = 0;        // evaluated, target excluded (query item or history): a miss
  MetricsSummary model_metrics;            // the first query's
  std::vector<std::string> query_names;    // every query asked, in order
  std::vector<MetricsSummary> query_metrics;
  std::optional<MetricsSummary> popularity;
  std::string popularity_source;           // where the counts came from, or why there is no baseline
  double load_seconds = 0, search_seconds = 0, total_seconds = 0;
};

std::string FormatTable(const EvalReport& report);
std::string ReportJson(const EvalReport& report);

}  // namespace item2vec
