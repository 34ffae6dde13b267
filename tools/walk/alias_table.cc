#include "tools/walk/alias_table.h"

namespace item2vec {

void BuildAliasTable(const double* weights, std::uint32_t n, AliasSlot* slots, AliasScratch* scratch) {
  double sum = 0;
  for (std::uint32_t i = 0; i < n; ++i) sum += weights[i];
  std::vector<double>& scaled = scratch->scaled;
  std::vector<std::uint32_t>& small = scratch->small;
  std::vector<std::uint32_t>& large = scratch->large;
  scaled.resize(n);
  small.clear();
  large.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * n / sum;
    (scaled[i] < 1.0 ? small : large).push_back(i);
  }
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back(), l = large.back();
    small.pop_back();
    slots[s].prob = static_cast<float>(scaled[s]);
    slots[s].alias = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left is 1 up to rounding: kept with certainty.
  for (std::uint32_t i : large) slots[i] = AliasSlot{1.0f, i};
  for (std::uint32_t i : small) slots[i] = AliasSlot{1.0f, i};
}

}  // namespace item2vec
