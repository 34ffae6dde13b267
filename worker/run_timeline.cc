#include "worker/run_timeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/json_writer.h"

namespace item2vec {

RunTimeline::RunTimeline(int workers, double gap)
    : gap_(gap > 0 ? gap : 0.1), samples_(static_cast<std::size_t>(std::max(0, workers))) {}

void RunTimeline::Add(const protocol::ProgressReport& r) {
  if (r.worker < 0 || r.worker >= workers()) return;
  std::vector<TimelineSample>& s = samples_[static_cast<std::size_t>(r.worker)];
  const bool is_final = r.final != 0;
  if (!s.empty()) {
    if (s.back().seconds == r.seconds && s.back().tokens == r.raw_tokens) return;  // the same report again
    if (!is_final && r.seconds - s.back().seconds < gap_) return;
  }
  TimelineSample t;
  t.seconds = r.seconds;
  t.tokens = r.raw_tokens;
  t.words = r.words;
  t.loss = r.loss_count > 0 ? r.loss_sum / r.loss_count : std::numeric_limits<double>::quiet_NaN();
  t.alpha = r.alpha;
  s.push_back(t);
  if (s.size() >= kMaxSamples) Thin();
}

void RunTimeline::Thin() {
  gap_ *= 2;
  for (std::vector<TimelineSample>& s : samples_) {
    if (s.size() < kMaxSamples / 2) continue;
    std::vector<TimelineSample> kept;
    for (std::size_t i = 0; i < s.size(); i += 2) kept.push_back(s[i]);
    if ((s.size() - 1) % 2 != 0) kept.push_back(s.back());
    s.swap(kept);
  }
}

std::string RunTimeline::ToJson() const {
  JsonWriter j;
  j.BeginObject().Key("gap").Double(gap_).Key("workers").BeginArray();
  for (std::size_t w = 0; w < samples_.size(); ++w) {
    const std::vector<TimelineSample>& s = samples_[w];
    j.BeginObject().Key("worker").Int(static_cast<std::int64_t>(w));
    j.Key("seconds").BeginArray();
    for (const auto& t : s) j.Double(t.seconds);
    j.EndArray().Key("tokens").BeginArray();
    for (const auto& t : s) j.Int(t.tokens);
    j.EndArray().Key("words").BeginArray();
    for (const auto& t : s) j.Int(t.words);
    j.EndArray().Key("loss").BeginArray();
    for (const auto& t : s) j.Double(t.loss);  // NaN is written as null
    j.EndArray().Key("alpha").BeginArray();
    for (const auto& t : s) j.Double(t.alpha);
    j.EndArray().EndObject();
  }
  j.EndArray().EndObject();
  return j.str();
}

double ProgressReportInterval(double progress_seconds, int workers) {
  const double rate_bound = std::max(0.1, static_cast<double>(workers) / 500.0);
  return std::min(progress_seconds / 2, rate_bound);
}

}  // namespace item2vec
