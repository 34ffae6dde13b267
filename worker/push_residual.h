// PushResidual: a worker's error-feedback residuals for its pushes in fp16
// (--wire-precision fp16, common/wire_codec.h; bf16 pushes round stochastically instead,
// worker/ps_client.h).
//
// Contract:
// - Holds, per pushed row (matrix, key), what rounding dropped from that row's last pushed
//   delta; PsClient adds it to the row's next delta before encoding, so small updates reach
//   the servers' float32 master rows instead of being rounded away.
// - Direct-mapped table of `capacity` rows of dim floats: rows map to slot (2 * key + matrix)
//   mod capacity. With capacity >= 2 * vocabulary every row has its own slot (exact feedback);
//   with a smaller table a row that takes a slot another row held starts from zero, dropping
//   that row's residual (at most half a wire ulp per value, once). Memory: capacity * (dim * 4
//   + 4) bytes, allocated at construction (CapacityFor bounds it).
// - Row() allocates nothing. Not thread-safe: one per worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/prefetch.h"
#include "common/types.h"

namespace item2vec {

class PushResidual {
 public:
  // The table size used for a vocabulary: every row of both matrices, at most max_rows.
  static std::size_t CapacityFor(std::size_t vocab_size, std::size_t max_rows) {
    return vocab_size * 2 < max_rows ? vocab_size * 2 : max_rows;
  }
  static constexpr std::size_t kDefaultMaxRows = std::size_t{1} << 17;

  PushResidual(std::size_t capacity, int dim)
      : dim_(static_cast<std::size_t>(dim)), capacity_(capacity > 0 ? capacity : 1),
        tags_(capacity_, kEmpty), values_(capacity_ * dim_, 0.0f) {}

  // The residual row of (output ? output : input) matrix row `key`: dim floats.
  float* Row(bool output, ItemId key) {
    const std::uint64_t tag = Tag(output, key);
    const std::size_t slot = SlotOf(tag);
    float* row = values_.data() + slot * dim_;
    if (tags_[slot] != tag) {
      tags_[slot] = tag;
      for (std::size_t i = 0; i < dim_; ++i) row[i] = 0.0f;
    }
    return row;
  }
  // Starts loading Row(output, key)'s memory (a hint; changes nothing).
  void Prefetch(bool output, ItemId key) const {
    const std::size_t slot = SlotOf(Tag(output, key));
    __builtin_prefetch(tags_.data() + slot, 0, 3);
    PrefetchForWrite(values_.data() + slot * dim_, dim_ * sizeof(float));
  }
  std::size_t capacity() const { return capacity_; }
  std::size_t bytes() const { return capacity_ * (dim_ * sizeof(float) + sizeof(std::uint64_t)); }

 private:
  static std::uint64_t Tag(bool output, ItemId key) { return 2 * static_cast<std::uint64_t>(key) + (output ? 1 : 0); }
  std::size_t SlotOf(std::uint64_t tag) const { return static_cast<std::size_t>(tag % capacity_); }
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  std::size_t dim_, capacity_;
  std::vector<std::uint64_t> tags_;
  std::vector<float> values_;
};

}  // namespace item2vec
