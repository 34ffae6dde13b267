// The three random choices of word2vec training: which tokens to keep (subsampling),
// which items to use as negatives, and how wide each window is.
//
// Contract:
// - KeepProbability follows word2vec.c exactly: with t = sample * train_words and c the
//   item's count, keep = (sqrt(c / t) + 1) * t / c, capped at 1; sample = 0 keeps all.
// - NegativeSampler draws ids with probability count^exponent / sum (Walker's alias
//   method: O(1) per draw, exact distribution, 8 bytes per item, unlike word2vec.c's
//   1e8-entry table which quantises rare items away).
// - ReducedWindow draws word2vec.c's `b` uniform in [0, window), so the effective window
//   window - b is uniform in 1..window.
// All are read-only after construction and safe to share between threads; the Rng is the
// caller's.
#pragma once

#include <cstdint>
#include <vector>

#include "common/random.h"
#include "common/types.h"

namespace item2vec {

std::vector<float> KeepProbabilities(const std::vector<Count>& counts, double sample);

class NegativeSampler {
 public:
  NegativeSampler(const std::vector<Count>& counts, double exponent);
  ItemId Draw(Rng& rng) const {
    const std::uint64_t r = rng.Next();
    // High 32 bits pick the column, low 32 bits the coin.
    const std::uint32_t col = static_cast<std::uint32_t>(((r >> 32) * n_) >> 32);
    const std::uint32_t coin = static_cast<std::uint32_t>(r);
    return coin < threshold_[col] ? col : alias_[col];
  }
  // The exact probability of drawing id (for tests).
  double Probability(ItemId id) const { return probability_[id]; }
  std::size_t size() const { return n_; }

 private:
  std::uint64_t n_;
  std::vector<std::uint32_t> threshold_;  // coin < threshold keeps the column
  std::vector<ItemId> alias_;
  std::vector<double> probability_;
};

inline int ReducedWindow(Rng& rng, int window) { return static_cast<int>(rng.Below(static_cast<std::uint32_t>(window))); }

}  // namespace item2vec
