#include "ps/shard_store.h"

#include <cstring>

#include "common/prefetch.h"
#include "common/random.h"
#include "common/row_ops.h"

namespace item2vec {
namespace {

constexpr std::size_t kPrefetchAhead = 4;  // rows ahead: ~ memory latency / time per row

}  // namespace

void ShardStore::InitInputRow(std::uint64_t seed, ItemId key, int dim, float* row, float init_width) {
  Rng rng(SeedFor(seed, 0x1a2b3c4dull, key));
  // (u - 0.5) * 2w / dim; with w = 0.5 the factor is exactly 1 (word2vec.c's values, bit for bit).
  const float scale = 2.0f * init_width;
  for (int i = 0; i < dim; ++i) row[i] = (rng.UniformFloat() - 0.5f) * scale / static_cast<float>(dim);
}

ShardStore::ShardStore(const Partition& partition, int server, int dim, std::uint64_t seed,
                       double staleness_tolerance, float init_width, WirePrecision precision)
    : partition_(partition), server_(server), dim_(dim), rows_(partition.RowsOn(server)),
      input_(rows_, static_cast<std::size_t>(dim), precision), output_(rows_, static_cast<std::size_t>(dim), precision),
      staleness_tolerance_(staleness_tolerance),
      salt_{static_cast<std::uint32_t>(SeedFor(seed, 0x5eed0b16ull, 0)),
            static_cast<std::uint32_t>(SeedFor(seed, 0x5eed0b16ull, 1))},
      decoded_row_(static_cast<std::size_t>(dim)), scratch_(static_cast<std::size_t>(dim)) {
  input_version_.assign(rows_, 0);
  output_version_.assign(rows_, 0);
  for (std::size_t local = 0; local < rows_; ++local) {
    InitInputRow(seed, partition_.GlobalKey(server, local), dim, scratch_.data(), init_width);
    input_.Write(local, scratch_.data());
  }
}

void ShardStore::ReadLocalRows(Matrix m, std::size_t first, std::size_t count, float* out) const {
  const std::size_t d = static_cast<std::size_t>(dim_);
  for (std::size_t i = 0; i < count; ++i) Mat(m).Read(first + i, out + i * d);
}

void ShardStore::Gather(Matrix m, const ItemId* keys, std::size_t n, float* out) const {
  const std::size_t d = static_cast<std::size_t>(dim_);
  const RowMatrix& rows = Mat(m);
  for (std::size_t i = 0; i < n; ++i) rows.Read(partition_.LocalIndex(keys[i]), out + i * d);
}

void ShardStore::GatherVersions(Matrix m, const ItemId* keys, std::size_t n, std::uint32_t* out) const {
  const std::uint32_t* versions = Versions(m);
  for (std::size_t i = 0; i < n; ++i) out[i] = versions[partition_.LocalIndex(keys[i])];
}

void ShardStore::AddOne(Matrix m, ItemId key, const float* delta, std::uint32_t pulled_version) {
  const std::size_t local = partition_.LocalIndex(key);
  std::uint32_t& version = Versions(m)[local];
  const std::uint32_t staleness = version - pulled_version;  // wraps safely
  const float scale = static_cast<double>(staleness) < staleness_tolerance_
                          ? 1.0f
                          : static_cast<float>(staleness_tolerance_ / (1.0 + static_cast<double>(staleness)));
  // bf16 rounding's bits: a hash of (seed, matrix, global key, version), different for every
  // push of a row, independent of the server count and restored with the versions from a
  // checkpoint. Unused in fp32.
  const std::uint32_t salt = salt_[static_cast<int>(m)] ^ (key * 0x9e3779b1u) ^ (version * 0x85ebca77u);
  Mat(m).Add(local, delta, scale, salt, scratch_.data());
  ++version;
}

void ShardStore::Add(Matrix m, const ItemId* keys, std::size_t n, const float* deltas,
                     const std::uint32_t* pulled_versions) {
  const std::size_t d = static_cast<std::size_t>(dim_);
  const RowMatrix& rows = Mat(m);
  for (std::size_t i = 0; i < n; ++i) {
    // Rows are at random places in a matrix far larger than the cache: fetch ahead.
    if (i + kPrefetchAhead < n) PrefetchForWrite(rows.Address(partition_.LocalIndex(keys[i + kPrefetchAhead])), rows.RowBytes());
    AddOne(m, keys[i], deltas + i * d, pulled_versions[i]);
  }
}

void ShardStore::GatherEncoded(Matrix m, const ItemId* keys, std::size_t n, WirePrecision wire, void* out) const {
  const std::size_t d = static_cast<std::size_t>(dim_);
  const std::size_t row_bytes = WireRowBytes(wire, d);
  const RowMatrix& rows = Mat(m);
  char* dst = static_cast<char*>(out);
  for (std::size_t i = 0; i < n; ++i) {
    // Rows are at random places in a matrix far larger than the cache: fetch ahead.
    if (i + kPrefetchAhead < n) PrefetchForRead(rows.Address(partition_.LocalIndex(keys[i + kPrefetchAhead])), rows.RowBytes());
    rows.Encode(partition_.LocalIndex(keys[i]), wire, dst + i * row_bytes, scratch_.data());
  }
}

void ShardStore::AddEncoded(Matrix m, const ItemId* keys, std::size_t n, WirePrecision wire, const void* deltas,
                            const std::uint32_t* pulled_versions) {
  const std::size_t d = static_cast<std::size_t>(dim_);
  const std::size_t row_bytes = WireRowBytes(wire, d);
  const RowMatrix& rows = Mat(m);
  const char* src = static_cast<const char*>(deltas);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) PrefetchForWrite(rows.Address(partition_.LocalIndex(keys[i + kPrefetchAhead])), rows.RowBytes());
    DecodeWireRows(wire, src + i * row_bytes, 1, d, decoded_row_.data());
    AddOne(m, keys[i], decoded_row_.data(), pulled_versions[i]);
  }
}

}  // namespace item2vec
