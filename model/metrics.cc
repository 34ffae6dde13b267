#include "model/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace item2vec {

MetricsAccumulator::MetricsAccumulator(std::vector<int> ks)
    : ks_(std::move(ks)), hits_(ks_.size(), 0.0), ndcg_(ks_.size(), 0.0) {}

void MetricsAccumulator::Add(std::int64_t rank) {
  ++records_;
  if (rank <= 0) {
    ++misses_;
    return;
  }
  const double gain = 1.0 / std::log2(static_cast<double>(rank) + 1.0);
  for (std::size_t i = 0; i < ks_.size(); ++i) {
    if (rank <= ks_[i]) {
      hits_[i] += 1.0;
      ndcg_[i] += gain;
    }
  }
  reciprocal_rank_ += 1.0 / static_cast<double>(rank);
}

Result<std::vector<int>> ParseKList(const std::string& text) {
  std::vector<int> ks;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string field = text.substr(start, comma - start);
    char* end = nullptr;
    const long k = std::strtol(field.c_str(), &end, 10);
    if (field.empty() || *end != '\0' || k < 1 || k > kMaxK)
      return Status::InvalidArgument("--k must be a comma-separated list of whole numbers from 1 to " +
                                     std::to_string(kMaxK) + " such as 1,5,10,20; got '" + text + "'" +
                                     (*end == '\0' && k > kMaxK ? " (" + field + " is above the limit)" : ""));
    ks.push_back(static_cast<int>(k));
    start = comma + 1;
  }
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  return ks;
}

}  // namespace item2vec
