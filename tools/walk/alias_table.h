// Alias tables (Walker's method, Vose's construction): O(1) draws from a discrete
// distribution, the sampler of every random-walk step.
//
// Contract:
// - BuildAliasTable(weights, n, slots, scratch) fills slots[0..n) for the distribution
//   proportional to weights[0..n) (every weight >= 0, sum > 0, n >= 1). The build is
//   deterministic (same weights, same slots on every rank and run); scratch is reused
//   between builds so building many small tables allocates nothing once it has grown.
// - SampleAlias draws index i with probability weights[i] / sum, up to float rounding of
//   the slot probabilities (24 bits): it uses two uniform draws from the caller's Rng.
// - A slot is 8 bytes (float probability, uint32 alias): a table of n entries is 8n bytes.
//   Not thread-safe for one scratch; the built slots are read-only and shareable.
#pragma once

#include <cstdint>
#include <vector>

#include "common/random.h"

namespace item2vec {

struct AliasSlot {
  float prob = 1.0f;        // keep index i with this probability, else take alias
  std::uint32_t alias = 0;
};

struct AliasScratch {
  std::vector<double> scaled;
  std::vector<std::uint32_t> small, large;
};

void BuildAliasTable(const double* weights, std::uint32_t n, AliasSlot* slots, AliasScratch* scratch);

inline std::uint32_t SampleAlias(const AliasSlot* slots, std::uint32_t n, Rng& rng) {
  const std::uint32_t i = rng.Below(n);
  return rng.UniformFloat() < slots[i].prob ? i : slots[i].alias;
}

}  // namespace item2vec
