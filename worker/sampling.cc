#include "worker/sampling.h"

#include <algorithm>
#include <cmath>

namespace item2vec {

std::vector<float> KeepProbabilities(const std::vector<Count>& counts, double sample) {
  std::vector<float> keep(counts.size());
  KeepProbabilities(CountSpan{counts.data(), counts.size()}, sample, keep.data());
  return keep;
}

void KeepProbabilities(CountSpan counts, double sample, float* keep) {
  std::fill(keep, keep + counts.size, 1.0f);
  if (sample <= 0) return;
  double total = 0;
  for (Count c : counts) total += static_cast<double>(c);
  const double t = sample * total;
  for (std::size_t i = 0; i < counts.size; ++i) {
    const double c = static_cast<double>(counts[i]);
    const double p = (std::sqrt(c / t) + 1) * t / c;
    keep[i] = static_cast<float>(p < 1 ? p : 1.0);
  }
}

void BuildAliasTable(CountSpan counts, double exponent, std::uint32_t* threshold, ItemId* alias, double* probability) {
  const std::size_t n = counts.size;
  // Vose's alias method over scaled[i] = n * p_i.
  std::vector<double> scaled(n);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = std::pow(static_cast<double>(counts[i]), exponent);
    sum += scaled[i];
  }
  std::vector<ItemId> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    const double p = scaled[i] / sum;
    if (probability != nullptr) probability[i] = p;
    scaled[i] = p * static_cast<double>(n);
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<ItemId>(i));
  }
  auto set = [&](ItemId col, double p, ItemId a) {
    const double t = p * 4294967296.0;
    threshold[col] = t >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(t);
    alias[col] = a;
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

NegativeSampler::NegativeSampler(const std::vector<Count>& counts, double exponent)
    : NegativeSampler(CountSpan{counts.data(), counts.size()}, exponent) {}

NegativeSampler::NegativeSampler(CountSpan counts, double exponent)
    : n_(counts.size), own_threshold_(counts.size), own_alias_(counts.size), probability_(counts.size) {
  BuildAliasTable(counts, exponent, own_threshold_.data(), own_alias_.data(), probability_.data());
  threshold_ = own_threshold_.data();
  alias_ = own_alias_.data();
}

NegativeSampler NegativeSampler::View(const std::uint32_t* threshold, const ItemId* alias, std::size_t n) {
  NegativeSampler s;
  s.n_ = n;
  s.threshold_ = threshold;
  s.alias_ = alias;
  return s;
}

}  // namespace item2vec
