#include "model/user_vector.h"

#include <algorithm>
#include <cmath>

namespace item2vec {

void UserVector(const ItemMatrix& m, const std::int64_t* rows, std::size_t n, const UserVectorOptions& o, double* sum,
                float* out) {
  if (o.last > 0 && n > static_cast<std::size_t>(o.last)) {
    rows += n - static_cast<std::size_t>(o.last);
    n = static_cast<std::size_t>(o.last);
  }
  const int d = m.dim();
  std::fill(sum, sum + d, 0.0);
  double weights = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double age = static_cast<double>(n - 1 - i);
    const double w = o.half_life > 0 ? std::pow(0.5, age / o.half_life) : 1.0;
    weights += w;
    for (int k = 0; k < d; ++k) sum[k] += w * m.at(static_cast<std::size_t>(rows[i]), k);
  }
  for (int k = 0; k < d; ++k) out[k] = static_cast<float>(sum[k] / weights);
}

}  // namespace item2vec
