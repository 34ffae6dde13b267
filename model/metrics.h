// Next-item metrics from the rank of the one relevant item per record.
//
// Contract:
// - A record is added with the 1-based rank of its held-out item among all candidates,
//   or 0 for a miss (item not in the model, excluded, or otherwise unrankable).
// - HR@K    = mean over records of [rank <= K].
// - NDCG@K  = mean of 1 / log2(rank + 1) when rank <= K, else 0 (binary relevance, one
//             relevant item, so the ideal DCG is 1).
// - MRR     = mean of 1 / rank over the full ranking (not cut at any K); 0 for a miss.
// - All means are over every record added, misses included. Sums are kept in double in
//   the order records are added, so results are reproducible. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace item2vec {

class MetricsAccumulator {
 public:
  // REQUIRES: every K >= 1.
  explicit MetricsAccumulator(std::vector<int> ks);
  void Add(std::int64_t rank);

  const std::vector<int>& ks() const { return ks_; }
  std::int64_t records() const { return records_; }
  std::int64_t misses() const { return misses_; }
  // i indexes ks(). All are 0 when no record was added.
  double HitRate(std::size_t i) const { return Mean(hits_[i]); }
  double Ndcg(std::size_t i) const { return Mean(ndcg_[i]); }
  double Mrr() const { return Mean(reciprocal_rank_); }

 private:
  double Mean(double sum) const { return records_ > 0 ? sum / static_cast<double>(records_) : 0.0; }
  std::vector<int> ks_;
  std::vector<double> hits_, ndcg_;
  double reciprocal_rank_ = 0;
  std::int64_t records_ = 0, misses_ = 0;
};

// Parses "1,5,10,20": positive integers, sorted and deduplicated on return.
// The largest K eval takes (a cut-off beyond any catalogue eval ranks in memory).
inline constexpr int kMaxK = 1000000;

// "1,5,10,20" -> {1, 5, 10, 20}, sorted and deduplicated; each K in 1..kMaxK, and the
// error says so.
Result<std::vector<int>> ParseKList(const std::string& text);

}  // namespace item2vec
