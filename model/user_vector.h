// UserVector: a user's vector from the items they interacted with, shared by
// `item2vec embed-users` (written out) and `item2vec eval --query user` (a query).
//
// Contract: given the matrix rows of the user's known items in time order (most recent
// last), the vector is sum_i w_i x_i / sum_i w_i over the stored rows x_i (unit rows for
// cosine, as trained otherwise; see similarity.h), keeping only the last `last` items when
// last > 0, with w_i = 0.5^(age_i / half_life) where age_i is the number of items after
// item i (half_life 0 = equal weights). Sums in double in row order, so the result is
// reproducible. Pure; thread-safe. REQUIRES: n >= 1, rows valid, sum and out hold dim values.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/nearest_neighbors.h"

namespace item2vec {

struct UserVectorOptions {
  int last = 0;           // 0 = every known item
  double half_life = 0;   // 0 = equal weights
};

void UserVector(const ItemMatrix& matrix, const std::int64_t* rows, std::size_t n, const UserVectorOptions& options,
                double* sum, float* out);

}  // namespace item2vec
