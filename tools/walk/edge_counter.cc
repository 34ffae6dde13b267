#include "tools/walk/edge_counter.h"

#include <algorithm>

namespace item2vec {

void EdgeCounter::AddSequence(const std::vector<ItemId>& ids, int window, bool undirected) {
  const std::size_t n = ids.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t last = std::min(n, i + 1 + static_cast<std::size_t>(window));
    for (std::size_t j = i + 1; j < last; ++j) {
      if (ids[i] == ids[j]) {
        ++self_loops_;
        continue;
      }
      ++transitions_;
      ++counts_[EdgeKey(ids[i], ids[j])];
      if (undirected) ++counts_[EdgeKey(ids[j], ids[i])];
    }
  }
}

std::vector<EdgeRecord> EdgeCounter::Sorted() const {
  std::vector<EdgeRecord> out;
  out.reserve(counts_.size());
  for (const auto& [key, count] : counts_) out.push_back(EdgeRecord{key, count});
  std::sort(out.begin(), out.end(), [](const EdgeRecord& a, const EdgeRecord& b) { return a.key < b.key; });
  return out;
}

}  // namespace item2vec
