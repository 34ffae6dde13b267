#include "ps/row_matrix.h"

#include <cstring>

#include "common/row_ops.h"

namespace item2vec {

RowMatrix::RowMatrix(std::size_t rows, std::size_t dim, WirePrecision precision)
    : rows_(rows), dim_(dim), precision_(precision) {
  if (bf16()) {
    b16_.assign(rows * dim, 0);  // bf16 +0 is the bit pattern 0
  } else {
    f32_.assign(rows * dim, 0.0f);
  }
}

void RowMatrix::Read(std::size_t local, float* out) const {
  if (bf16()) {
    DecodeWire(WirePrecision::kBf16, b16_.data() + local * dim_, dim_, out);
  } else {
    std::memcpy(out, f32_.data() + local * dim_, dim_ * sizeof(float));
  }
}

void RowMatrix::Write(std::size_t local, const float* values) {
  if (bf16()) {
    EncodeWire(WirePrecision::kBf16, values, dim_, b16_.data() + local * dim_);
  } else {
    std::memcpy(f32_.data() + local * dim_, values, dim_ * sizeof(float));
  }
}

void RowMatrix::Add(std::size_t local, const float* delta, float scale, std::uint32_t salt, float* scratch) {
  float* row = bf16() ? scratch : f32_.data() + local * dim_;
  if (bf16()) Read(local, scratch);
  if (scale == 1.0f) {
    AddRow(delta, dim_, row);
  } else {
    AddRowScaled(delta, scale, dim_, row);
  }
  if (bf16()) EncodeBf16Stochastic(scratch, dim_, salt, b16_.data() + local * dim_);
}

void RowMatrix::Encode(std::size_t local, WirePrecision wire, void* out, float* scratch) const {
  if (bf16() && wire == WirePrecision::kBf16) {
    std::memcpy(out, b16_.data() + local * dim_, dim_ * sizeof(std::uint16_t));
    return;
  }
  const float* row = f32_.data() + local * dim_;
  if (bf16()) {
    Read(local, scratch);
    row = scratch;
  }
  EncodeWireRows(wire, row, 1, dim_, out);
}

}  // namespace item2vec
