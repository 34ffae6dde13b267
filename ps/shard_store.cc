#include "ps/shard_store.h"

#include <cstring>

#include "common/random.h"

namespace item2vec {

void ShardStore::InitInputRow(std::uint64_t seed, ItemId key, int dim, float* row, float init_width) {
  Rng rng(SeedFor(seed, 0x1a2b3c4dull, key));
  // (u - 0.5) * 2w / dim; with w = 0.5 the factor is exactly 1 (word2vec.c's values, bit for bit).
  const float scale = 2.0f * init_width;
  for (int i = 0; i < dim; ++i) row[i] = (rng.UniformFloat() - 0.5f) * scale / static_cast<float>(dim);
}

ShardStore::ShardStore(const Partition& partition, int server, int dim, std::uint64_t seed,
                       double staleness_tolerance, float init_width)
    : partition_(partition), server_(server), dim_(dim), rows_(partition.RowsOn(server)),
      staleness_tolerance_(staleness_tolerance) {
  const std::size_t d = static_cast<std::size_t>(dim);
  input_.resize(rows_ * d);
  output_.assign(rows_ * d, 0.0f);
  input_version_.assign(rows_, 0);
  output_version_.assign(rows_, 0);
  for (std::size_t local = 0; local < rows_; ++local)
    InitInputRow(seed, partition_.GlobalKey(server, local), dim, input_.data() + local * d, init_width);
}

void ShardStore::Gather(Matrix m, const ItemId* keys, std::size_t n, float* out) const {
  const std::size_t d = static_cast<std::size_t>(dim_);
  const float* base = Data(m);
  for (std::size_t i = 0; i < n; ++i)
    std::memcpy(out + i * d, base + partition_.LocalIndex(keys[i]) * d, d * sizeof(float));
}

void ShardStore::GatherVersions(Matrix m, const ItemId* keys, std::size_t n, std::uint32_t* out) const {
  const std::uint32_t* versions = Versions(m);
  for (std::size_t i = 0; i < n; ++i) out[i] = versions[partition_.LocalIndex(keys[i])];
}

void ShardStore::Add(Matrix m, const ItemId* keys, std::size_t n, const float* deltas,
                     const std::uint32_t* pulled_versions) {
  const std::size_t d = static_cast<std::size_t>(dim_);
  float* base = Data(m);
  std::uint32_t* versions = Versions(m);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t local = partition_.LocalIndex(keys[i]);
    float* __restrict row = base + local * d;
    const float* __restrict delta = deltas + i * d;
    const std::uint32_t staleness = versions[local] - pulled_versions[i];  // wraps safely
    if (static_cast<double>(staleness) < staleness_tolerance_) {
      for (std::size_t j = 0; j < d; ++j) row[j] += delta[j];
    } else {
      const float scale = static_cast<float>(staleness_tolerance_ / (1.0 + static_cast<double>(staleness)));
      for (std::size_t j = 0; j < d; ++j) row[j] += scale * delta[j];
    }
    ++versions[local];
  }
}

}  // namespace item2vec
