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
// caller's. The tables can be written into memory the caller owns (KeepProbabilities and
// BuildAliasTable into arrays: the node-shared tables, job/node_tables.h) and a sampler made
// over them (NegativeSampler::View), which must outlive it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/random.h"
#include "common/types.h"
#include "common/vocabulary.h"

namespace item2vec {

std::vector<float> KeepProbabilities(const std::vector<Count>& counts, double sample);
void KeepProbabilities(CountSpan counts, double sample, float* keep);

// Walker's alias table of count^exponent into threshold[n] and alias[n]; probability[n]
// (the exact probabilities) unless null.
void BuildAliasTable(CountSpan counts, double exponent, std::uint32_t* threshold, ItemId* alias, double* probability);

class NegativeSampler {
 public:
  NegativeSampler(const std::vector<Count>& counts, double exponent);
  NegativeSampler(CountSpan counts, double exponent);
  // Over tables another object owns (Probability is then unavailable).
  static NegativeSampler View(const std::uint32_t* threshold, const ItemId* alias, std::size_t n);
  NegativeSampler(const NegativeSampler&) = delete;
  NegativeSampler& operator=(const NegativeSampler&) = delete;
  NegativeSampler(NegativeSampler&&) = default;
  NegativeSampler& operator=(NegativeSampler&&) = default;
  ItemId Draw(Rng& rng) const {
    const std::uint64_t r = rng.Next();
    // High 32 bits pick the column, low 32 bits the coin.
    const std::uint32_t col = static_cast<std::uint32_t>(((r >> 32) * n_) >> 32);
    const std::uint32_t coin = static_cast<std::uint32_t>(r);
    return coin < threshold_[col] ? col : alias_[col];
  }
  // n Draw()s into out[0, n): the same ids and the same use of rng as n calls, with the
  // columns of a block drawn first and their table entries prefetched (on a table larger
  // than the caches each draw is a miss; a block overlaps them).
  void DrawMany(Rng& rng, ItemId* out, std::size_t n) const {
    constexpr std::size_t kBlock = 32;
    std::uint32_t coin[kBlock];
    for (std::size_t begin = 0; begin < n; begin += kBlock) {
      const std::size_t m = std::min(kBlock, n - begin);
      for (std::size_t k = 0; k < m; ++k) {
        const std::uint64_t r = rng.Next();
        const std::uint32_t col = static_cast<std::uint32_t>(((r >> 32) * n_) >> 32);
        out[begin + k] = col;
        coin[k] = static_cast<std::uint32_t>(r);
        __builtin_prefetch(threshold_ + col);
        __builtin_prefetch(alias_ + col);
      }
      for (std::size_t k = 0; k < m; ++k) {
        const std::uint32_t col = out[begin + k];
        out[begin + k] = coin[k] < threshold_[col] ? col : alias_[col];
      }
    }
  }
  // The exact probability of drawing id (for tests). REQUIRES: not a View.
  double Probability(ItemId id) const { return probability_[id]; }
  std::size_t size() const { return n_; }

 private:
  NegativeSampler() = default;
  std::uint64_t n_ = 0;
  const std::uint32_t* threshold_ = nullptr;  // coin < threshold keeps the column
  const ItemId* alias_ = nullptr;
  std::vector<std::uint32_t> own_threshold_;  // empty in a View
  std::vector<ItemId> own_alias_;
  std::vector<double> probability_;
};

// A vocabulary's sampling tables built elsewhere (job/node_tables.h): keep probabilities and
// the alias table, V entries each, for the sample and exponent of the job's options.
struct SamplingView {
  const float* keep = nullptr;
  const std::uint32_t* threshold = nullptr;
  const ItemId* alias = nullptr;
};

inline int ReducedWindow(Rng& rng, int window) { return static_cast<int>(rng.Below(static_cast<std::uint32_t>(window))); }

}  // namespace item2vec
