#include "common/vocabulary.h"

#include <algorithm>
#include <numeric>

#include "common/hash.h"

namespace item2vec {

std::uint64_t HashBytes(std::string_view s) {
  // FNV-1a and one round of a murmur-style finaliser, good enough for short item ids. The
  // basis and rounds are fixed forever: fingerprints in checkpoints depend on them (hash.h).
  return MurmurMix64(Fnv1a64(s, kVocabularyFnvBasis), 1);
}

void ItemCounter::Merge(const ItemCounter& other) {
  for (const auto& [item, n] : other.counts_) counts_[item] += n;
}

Count ItemCounter::total() const {
  Count t = 0;
  for (const auto& kv : counts_) t += kv.second;
  return t;
}

Vocabulary Vocabulary::Build(const ItemCounter& counter, Count min_count, Count max_vocab) {
  std::vector<std::pair<const std::string*, Count>> kept;
  kept.reserve(counter.counts().size());
  for (const auto& [item, n] : counter.counts())
    if (n >= min_count) kept.emplace_back(&item, n);
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return *a.first < *b.first;
  });
  Count cap = max_vocab > 0 ? std::min<Count>(max_vocab, kMaxVocabulary) : kMaxVocabulary;
  if (static_cast<Count>(kept.size()) > cap) kept.resize(static_cast<std::size_t>(cap));
  std::vector<std::string> items;
  std::vector<Count> counts;
  items.reserve(kept.size());
  counts.reserve(kept.size());
  for (const auto& [item, n] : kept) {
    items.push_back(*item);
    counts.push_back(n);
  }
  return FromSorted(std::move(items), std::move(counts));
}

Vocabulary Vocabulary::FromSorted(std::vector<std::string> items, std::vector<Count> counts) {
  Vocabulary v;
  v.items_ = std::move(items);
  v.counts_ = std::move(counts);
  v.Index();
  return v;
}

void Vocabulary::Index() {
  total_count_ = std::accumulate(counts_.begin(), counts_.end(), Count{0});
  std::size_t cap = 16;
  while (cap < items_.size() * 2) cap <<= 1;
  table_.assign(cap, kNotFound);
  const std::size_t mask = cap - 1;
  for (ItemId id = 0; id < items_.size(); ++id) {
    std::size_t slot = HashBytes(items_[id]) & mask;
    while (table_[slot] != kNotFound) slot = (slot + 1) & mask;
    table_[slot] = id;
  }
}

ItemId Vocabulary::Find(std::string_view item) const {
  if (table_.empty()) return kNotFound;
  const std::size_t mask = table_.size() - 1;
  std::size_t slot = HashBytes(item) & mask;
  while (true) {
    const ItemId id = table_[slot];
    if (id == kNotFound) return kNotFound;
    if (items_[id] == item) return id;
    slot = (slot + 1) & mask;
  }
}

std::uint64_t Vocabulary::Fingerprint() const {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ items_.size();
  for (std::size_t i = 0; i < items_.size(); ++i) {
    h = (h ^ HashBytes(items_[i])) * kFnvPrime;
    h = (h ^ static_cast<std::uint64_t>(counts_[i])) * kFnvPrime;
  }
  return h;
}

}  // namespace item2vec
