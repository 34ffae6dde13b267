// Row arithmetic of the pull/push path, shared by the servers (applying deltas) and the
// workers (turning rows into deltas, carrying a batch's deltas into the next one).
//
// Contract: element-wise over n floats, buffers must not overlap; AVX2 where the CPU has it,
// with the same float results as the baseline code (common/vector_clones.h: no FMA, so
// scale * delta + row rounds twice on every CPU). No allocation; thread-safe.
#pragma once

#include <cstddef>

namespace item2vec {

// row[i] += delta[i]
void AddRow(const float* delta, std::size_t n, float* row);
// row[i] += scale * delta[i]
void AddRowScaled(const float* delta, float scale, std::size_t n, float* row);
// rows[i] -= original[i]
void SubtractRow(const float* original, std::size_t n, float* rows);
// delta = rows[i] - original[i] (the float SubtractRow leaves); dst[i] += delta; copy[i] += delta
void AddDifference(const float* rows, const float* original, std::size_t n, float* dst, float* copy);

}  // namespace item2vec
