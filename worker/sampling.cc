#include "worker/sampling.h"

#include <cmath>

namespace item2vec {

std::vector<float> KeepProbabilities(const std::vector<Count>& counts, double sample) {
  std::vector<float> keep(counts.size(), 1.0f);
  if (sample <= 0) return keep;
  double total = 0;
  for (Count c : counts) total += static_cast<double>(c);
  const double t = sample * total;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double c = static_cast<double>(counts[i]);
    const double p = (std::sqrt(c / t) + 1) * t / c;
    keep[i] = static_cast<float>(p < 1 ? p : 1.0);
  }
  return keep;
}

NegativeSampler::NegativeSampler(const std::vector<Count>& counts, double exponent)
    : n_(counts.size()), threshold_(counts.size()), alias_(counts.size()), probability_(counts.size()) {
  double sum = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    probability_[i] = std::pow(static_cast<double>(counts[i]), exponent);
    sum += probability_[i];
  }
  for (double& p : probability_) p /= sum;
  // Vose's alias method.
  std::vector<double> scaled(n_);
  std::vector<ItemId> small, large;
  for (std::size_t i = 0; i < n_; ++i) {
    scaled[i] = probability_[i] * static_cast<double>(n_);
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<ItemId>(i));
  }
  auto set = [&](ItemId col, double p, ItemId alias) {
    const double t = p * 4294967296.0;
    threshold_[col] = t >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(t);
    alias_[col] = alias;
  };
  while (!small.empty() && !large.empty()) {
    const ItemId s = small.back();
    small.pop_back();
    const ItemId l = large.back();
    set(s, scaled[s], l);
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (ItemId l : large) set(l, 1.0, l);
  for (ItemId s : small) set(s, 1.0, s);  // numerical leftovers
}

}  // namespace item2vec
