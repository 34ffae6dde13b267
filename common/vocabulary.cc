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

Count Vocabulary::Cap(Count max_vocab) {
  return max_vocab > 0 ? std::min<Count>(max_vocab, kMaxVocabulary) : kMaxVocabulary;
}

Vocabulary Vocabulary::Build(const ItemCounter& counter, Count min_count, Count max_vocab) {
  std::vector<std::pair<const std::string*, Count>> kept;
  kept.reserve(counter.counts().size());
  for (const auto& [item, n] : counter.counts())
    if (n >= min_count) kept.emplace_back(&item, n);
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return Before(a.second, *a.first, b.second, *b.first); });
  const Count cap = Cap(max_vocab);
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

Vocabulary Vocabulary::FromSummary(const VocabularySummary& summary) {
  Vocabulary v;
  v.summary_ = summary;
  return v;
}

void Vocabulary::Index() {
  summary_.size = items_.size();
  summary_.total_count = std::accumulate(counts_.begin(), counts_.end(), Count{0});
  summary_.item_bytes = 0;
  std::size_t cap = 16;
  while (cap < items_.size() * 2) cap <<= 1;
  table_.assign(cap, kNotFound);
  const std::size_t mask = cap - 1;
  // One hash per item serves the lookup table and the fingerprint.
  std::uint64_t fingerprint = 0x9e3779b97f4a7c15ull ^ items_.size();
  for (ItemId id = 0; id < items_.size(); ++id) {
    const std::uint64_t hash = HashBytes(items_[id]);
    summary_.item_bytes += items_[id].size();
    fingerprint = (fingerprint ^ hash) * kFnvPrime;
    fingerprint = (fingerprint ^ static_cast<std::uint64_t>(counts_[id])) * kFnvPrime;
    std::size_t slot = hash & mask;
    while (table_[slot] != kNotFound) slot = (slot + 1) & mask;
    table_[slot] = id;
  }
  summary_.fingerprint = fingerprint;
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

}  // namespace item2vec
