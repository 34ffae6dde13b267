// ShardStore: one server's rows of the input and output matrices.
//
// Contract: holds Partition::RowsOn(server) rows of each matrix, contiguous, dim floats a
// row. Input rows are initialised as word2vec.c does, uniform in [-0.5/dim, 0.5/dim), but
// from a generator seeded by (seed, global key) so a row's start value does not depend on
// the server count; output rows start at zero. Gather/Scatter take global keys owned by
// this server. Not thread-safe: the server loop is its only user.
#pragma once

#include <cstdint>
#include <vector>

#include "common/types.h"
#include "ps/partition.h"

namespace item2vec {

enum class Matrix { kInput = 0, kOutput = 1 };

class ShardStore {
 public:
  ShardStore(const Partition& partition, int server, int dim, std::uint64_t seed);
  int dim() const { return dim_; }
  std::size_t rows() const { return rows_; }
  // Copies the rows of `keys` into out (keys.size() * dim floats).
  void Gather(Matrix m, const ItemId* keys, std::size_t n, float* out) const;
  // Adds deltas (n * dim floats) to the rows of `keys`.
  void Add(Matrix m, const ItemId* keys, std::size_t n, const float* deltas);
  float* Row(Matrix m, ItemId key) {
    return Data(m) + partition_.LocalIndex(key) * static_cast<std::size_t>(dim_);
  }
  std::size_t BytesUsed() const { return (input_.size() + output_.size()) * sizeof(float); }

  // Initial value of an input row (shared with tests).
  static void InitInputRow(std::uint64_t seed, ItemId key, int dim, float* row);

 private:
  float* Data(Matrix m) { return m == Matrix::kInput ? input_.data() : output_.data(); }
  const float* Data(Matrix m) const { return m == Matrix::kInput ? input_.data() : output_.data(); }
  Partition partition_;
  int server_, dim_;
  std::size_t rows_;
  std::vector<float> input_, output_;
};

}  // namespace item2vec
