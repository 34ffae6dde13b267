#include "common/row_ops.h"

#include "common/vector_clones.h"

namespace item2vec {

ITEM2VEC_ELEMENTWISE_CLONES void AddRow(const float* __restrict delta, std::size_t n, float* __restrict row) {
  for (std::size_t i = 0; i < n; ++i) row[i] += delta[i];
}

ITEM2VEC_ELEMENTWISE_CLONES void AddRowScaled(const float* __restrict delta, float scale, std::size_t n,
                                              float* __restrict row) {
  for (std::size_t i = 0; i < n; ++i) row[i] += scale * delta[i];
}

ITEM2VEC_ELEMENTWISE_CLONES void SubtractRow(const float* __restrict original, std::size_t n,
                                             float* __restrict rows) {
  for (std::size_t i = 0; i < n; ++i) rows[i] -= original[i];
}

ITEM2VEC_ELEMENTWISE_CLONES void AddDifference(const float* __restrict rows, const float* __restrict original,
                                               std::size_t n, float* __restrict dst, float* __restrict copy) {
  for (std::size_t i = 0; i < n; ++i) {
    const float delta = rows[i] - original[i];
    dst[i] += delta;
    copy[i] += delta;
  }
}

}  // namespace item2vec
