// ShardStore: one server's rows of the input and output matrices.
//
// Contract: holds Partition::RowsOn(server) rows of each matrix, contiguous, dim values a
// row, in float32 or, with --server-precision bf16, in bf16 (ps/row_matrix.h: pushes added in
// float32 and rounded back stochastically; the random bits are a hash of (seed, matrix,
// global key, row version), so a --deterministic run gives the same bits on any server count,
// and a checkpoint restores them with the versions). Input rows are initialised as word2vec.c
// does, uniform in [-0.5/dim, 0.5/dim), but from a generator seeded by (seed, global key) so a row's start value does not depend on
// the server count; output rows start at zero. Gather/Add take global keys owned by
// this server.
//
// Staleness-aware updates: every row has a version, the number of pushes applied to it.
// A pull returns the versions with the rows; a push returns them as they were pulled, and
// Add scales each row's delta by min(1, T / (1 + s)), where s = pushes applied to that row
// since that pull and T the staleness tolerance (Zhang et al. 2016, staleness-aware async
// SGD, with T = 1). A row that few workers update gets its delta in full; a hot row that W
// workers update concurrently gets about T times the average of their deltas instead of
// their sum, which overshoots by W times and diverged with 7 workers. With one worker s is
// always 0, so training stays exactly sequential. Rows are read and written as floats
// (ReadRow / WriteRow: checkpoints, warm start, tests). Not thread-safe: the server loop is its
// only user.
#pragma once

#include <cstdint>
#include <vector>

#include "common/types.h"
#include "common/wire_codec.h"
#include "ps/partition.h"
#include "ps/row_matrix.h"

namespace item2vec {

enum class Matrix { kInput = 0, kOutput = 1 };

class ShardStore {
 public:
  // Input rows start uniform in [-init_width / dim, init_width / dim) (word2vec.c: 0.5),
  // output rows at zero. precision: kFp32 or kBf16, how the rows are kept.
  ShardStore(const Partition& partition, int server, int dim, std::uint64_t seed,
             double staleness_tolerance = 2.0, float init_width = 0.5f,
             WirePrecision precision = WirePrecision::kFp32);
  int dim() const { return dim_; }
  WirePrecision precision() const { return input_.precision(); }
  std::size_t rows() const { return rows_; }
  // Copies the rows of `keys` into out (keys.size() * dim floats).
  void Gather(Matrix m, const ItemId* keys, std::size_t n, float* out) const;
  void GatherVersions(Matrix m, const ItemId* keys, std::size_t n, std::uint32_t* out) const;
  // Adds deltas (n * dim floats) to the rows of `keys`.
  // pulled_versions: the versions the pushing worker's rows were based on.
  void Add(Matrix m, const ItemId* keys, std::size_t n, const float* deltas, const std::uint32_t* pulled_versions);
  // The same two in a wire precision (common/wire_codec.h), a row at a time, without a float
  // copy of the whole message: GatherEncoded writes n * dim values of `wire` into out, AddEncoded
  // reads deltas in it. Results equal Gather + EncodeWire and DecodeWire + Add exactly.
  void GatherEncoded(Matrix m, const ItemId* keys, std::size_t n, WirePrecision wire, void* out) const;
  void AddEncoded(Matrix m, const ItemId* keys, std::size_t n, WirePrecision wire, const void* deltas,
                  const std::uint32_t* pulled_versions);
  // The row of `key` as floats (dim of them), and its replacement (rounded to nearest in bf16).
  void ReadRow(Matrix m, ItemId key, float* out) const { Mat(m).Read(partition_.LocalIndex(key), out); }
  void WriteRow(Matrix m, ItemId key, const float* values) { Mat(m).Write(partition_.LocalIndex(key), values); }
  // ReadRow's values as a vector (a copy: tests and checks, not the serving path).
  std::vector<float> RowValues(Matrix m, ItemId key) const {
    std::vector<float> row(static_cast<std::size_t>(dim_));
    ReadRow(m, key, row.data());
    return row;
  }
  // count rows from local index `first` as floats (count * dim), for checkpoints.
  void ReadLocalRows(Matrix m, std::size_t first, std::size_t count, float* out) const;
  // The versions in local order (rows() of them), for checkpoints.
  std::uint32_t* RowVersions(Matrix m) { return Versions(m); }
  const std::uint32_t* RowVersions(Matrix m) const { return Versions(m); }
  const Partition& partition() const { return partition_; }
  int server() const { return server_; }
  std::size_t BytesUsed() const { return input_.BytesUsed() + output_.BytesUsed(); }

  // Initial value of an input row (shared with tests).
  static void InitInputRow(std::uint64_t seed, ItemId key, int dim, float* row, float init_width = 0.5f);

 private:
  // Adds one delta to the row of `key`, staleness-scaled, and counts the version.
  void AddOne(Matrix m, ItemId key, const float* delta, std::uint32_t pulled_version);
  RowMatrix& Mat(Matrix m) { return m == Matrix::kInput ? input_ : output_; }
  const RowMatrix& Mat(Matrix m) const { return m == Matrix::kInput ? input_ : output_; }
  std::uint32_t* Versions(Matrix m) { return m == Matrix::kInput ? input_version_.data() : output_version_.data(); }
  const std::uint32_t* Versions(Matrix m) const {
    return m == Matrix::kInput ? input_version_.data() : output_version_.data();
  }
  Partition partition_;
  int server_, dim_;
  std::size_t rows_;
  RowMatrix input_, output_;
  std::vector<std::uint32_t> input_version_, output_version_;
  double staleness_tolerance_;
  std::uint32_t salt_[2];           // per matrix: bf16 rounding's hash of (seed, matrix)
  mutable std::vector<float> decoded_row_;  // AddEncoded: one row's deltas as floats
  mutable std::vector<float> scratch_;      // one row's values as floats (bf16 rows)
};

}  // namespace item2vec
