// Chi-square goodness of fit for the statistical tests. Test-only.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace item2vec::testing {

// Pearson's statistic sum (O - E)^2 / E for observed counts against probabilities.
inline double ChiSquare(const std::vector<std::int64_t>& observed, const std::vector<double>& probability,
                        std::int64_t draws) {
  double chi2 = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double e = probability[i] * static_cast<double>(draws);
    const double d = static_cast<double>(observed[i]) - e;
    chi2 += d * d / e;
  }
  return chi2;
}

// Upper critical value of the chi-square distribution with `df` degrees of freedom at a
// tail probability of about 1e-7 (z = 5.2), by the Wilson-Hilferty normal approximation
// (chi2/df)^(1/3) ~ N(1 - 2/(9 df), 2/(9 df)). A correct sampler with fixed seeds fails
// with that probability; a wrong distribution overshoots it by orders of magnitude.
inline double ChiSquareCritical(double df, double z = 5.2) {
  const double v = 2.0 / (9.0 * df);
  const double c = 1.0 - v + z * std::sqrt(v);
  return df * c * c * c;
}

}  // namespace item2vec::testing
