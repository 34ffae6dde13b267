// Prometheus export of a batch job's figures, the way batch jobs do it: the text exposition
// format, a push to a Pushgateway, or a file for node-exporter's textfile collector.
//
// Contract:
// - MetricsText collects gauges. Add() groups the samples of one name under one "# HELP" and
//   "# TYPE name gauge" header, names in the order first added. Metric names must match
//   [a-zA-Z_:][a-zA-Z0-9_:]* and label names [a-zA-Z_][a-zA-Z0-9_]* (else kInvalidArgument,
//   nothing added); label values are escaped (backslash, double quote, newline); values are
//   printed exactly (%.17g; NaN and infinities as Prometheus spells them).
// - PushMetrics sends the text to URL/metrics/job/JOB through libcurl with a timeout:
//   kReplace is an HTTP PUT (the job's group becomes exactly these metrics: a successful run),
//   kMerge a POST (only metrics of these names are replaced: a failed run updates its exit code
//   and failure time and leaves the last success's figures in place). An answer outside 2xx is
//   an error carrying the gateway's own message. JOB: letters, digits, '_', '.', '-'.
// - WriteMetricsTextfile writes the text atomically (a temporary, then rename, so the collector
//   never reads half a file); kMerge keeps the metric families of the existing file that the
//   text does not have, as a POST would.
// Not thread-safe per MetricsText; the functions are thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace item2vec {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsText {
 public:
  Status Add(const std::string& name, const std::string& help, double value, const MetricLabels& labels = {});
  std::string str() const;
  bool empty() const { return families_.empty(); }

 private:
  struct Family {
    std::string name, help;
    std::vector<std::string> samples;  // complete lines
  };
  std::vector<Family> families_;
};

enum class MetricsMode { kReplace, kMerge };

Status PushMetrics(const std::string& url, const std::string& job, const std::string& text, MetricsMode mode,
                   int timeout_ms = 10000);

Status WriteMetricsTextfile(const std::string& path, const std::string& text, MetricsMode mode);

// The URL without its user:password@ part (for messages and logs).
std::string RedactUrl(const std::string& url);

// Merges two exposition texts by metric family: every family of `update`, then those of
// `base` that `update` does not have.
std::string MergeMetricsText(const std::string& base, const std::string& update);

}  // namespace item2vec
