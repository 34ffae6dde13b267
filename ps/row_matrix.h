// RowMatrix: one matrix's rows on a server, kept in float32 or in bf16 (--server-precision).
//
// Contract: rows() rows of dim values, contiguous, in a server's local order, all zero at
// construction. Precision kFp32 keeps 4 bytes a value and is exactly the float arithmetic the
// servers always did. kBf16 keeps 2 (a bfloat16 bit pattern, common/wire_codec.h), halving a
// server's row memory:
// - Add decodes the row, adds the delta in float32 (the same AddRow / AddRowScaled as fp32) and
//   rounds the sum back stochastically (EncodeBf16Stochastic, the pushes' rounding): up or down
//   at random in proportion, so E[stored] = the float sum, and a delta far below half an ulp of
//   the row's values (the classic bf16 failure: w + tiny rounds back to w) still moves the row
//   on average instead of being lost. The random bits are a hash of the caller's salt: the same
//   (row, salt) sequence gives the same bits, so --deterministic stays deterministic.
// - Write rounds to nearest, Read and the encoders are exact: a row written from Read's floats
//   (a checkpoint, warm start from a bf16 model) comes back bit for bit.
// - Encode writes a row in a wire precision; bf16 rows go out in bf16 as they are (a copy).
// Single precision per object; not thread-safe (the server loop is the only user). `scratch`
// arguments are dim floats of the caller's, so nothing here allocates after construction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/huge_pages.h"
#include "common/wire_codec.h"

namespace item2vec {

class RowMatrix {
 public:
  // precision: kFp32 or kBf16 (the server precisions; others are refused by the options).
  RowMatrix(std::size_t rows, std::size_t dim, WirePrecision precision);
  std::size_t rows() const { return rows_; }
  WirePrecision precision() const { return precision_; }
  std::size_t BytesUsed() const { return f32_.size() * sizeof(float) + b16_.size() * sizeof(std::uint16_t); }
  // The address of row `local`, for prefetching.
  const void* Address(std::size_t local) const {
    return bf16() ? static_cast<const void*>(b16_.data() + local * dim_) : f32_.data() + local * dim_;
  }
  std::size_t RowBytes() const { return dim_ * (bf16() ? sizeof(std::uint16_t) : sizeof(float)); }
  // out = the row's values (dim floats).
  void Read(std::size_t local, float* out) const;
  // The row = values (rounded to nearest in bf16).
  void Write(std::size_t local, const float* values);
  // The row += scale * delta (scale 1: the plain sum); bf16 rounds stochastically with `salt`.
  void Add(std::size_t local, const float* delta, float scale, std::uint32_t salt, float* scratch);
  // The row in `wire` (WireRowBytes(wire, dim) bytes at out; a single wire format).
  void Encode(std::size_t local, WirePrecision wire, void* out, float* scratch) const;

 private:
  bool bf16() const { return precision_ == WirePrecision::kBf16; }
  std::size_t rows_, dim_;
  WirePrecision precision_;
  HugePageVector<float> f32_;          // fp32 rows (empty in bf16)
  HugePageVector<std::uint16_t> b16_;  // bf16 rows (empty in fp32); 2 MiB pages where offered
};

}  // namespace item2vec
