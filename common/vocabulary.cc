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
  other.counts_.ForEach([this](std::uint64_t hash, std::string_view item, Count n) { counts_.AddHashed(hash, item, n); });
}

Count ItemCounter::total() const {
  Count t = 0;
  for (const auto& kv : counts_) t += kv.second;
  return t;
}

bool operator==(const ItemCounter& a, const ItemCounter& b) {
  if (a.distinct() != b.distinct()) return false;
  for (const auto& [item, n] : a.counts_) {
    const Count* other = b.counts_.Find(item);
    if (other == nullptr || *other != n) return false;
  }
  return true;
}

Count Vocabulary::Cap(Count max_vocab) {
  return max_vocab > 0 ? std::min<Count>(max_vocab, kMaxVocabulary) : kMaxVocabulary;
}

Vocabulary Vocabulary::Build(const ItemCounter& counter, Count min_count, Count max_vocab) {
  std::vector<std::pair<std::string_view, Count>> kept;
  kept.reserve(counter.counts().size());
  for (const auto& [item, n] : counter.counts())
    if (n >= min_count) kept.emplace_back(item, n);
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return Before(a.second, a.first, b.second, b.first); });
  const Count cap = Cap(max_vocab);
  if (static_cast<Count>(kept.size()) > cap) kept.resize(static_cast<std::size_t>(cap));
  VocabularyPacker packer(kept.size());
  std::vector<Count> counts;
  counts.reserve(kept.size());
  for (const auto& [item, n] : kept) {
    packer.Add(item);
    counts.push_back(n);
  }
  return packer.Finish(std::move(counts));
}

Vocabulary Vocabulary::FromSorted(std::vector<std::string> items, std::vector<Count> counts) {
  VocabularyPacker packer(items.size());
  for (std::string& item : items) {
    packer.Add(item);
    std::string().swap(item);  // the packed copy replaces it
  }
  return packer.Finish(std::move(counts));
}

Vocabulary Vocabulary::FromSummary(const VocabularySummary& summary) {
  Vocabulary v;
  v.summary_ = summary;
  return v;
}

Vocabulary Vocabulary::FromArrays(const VocabularyArrays& arrays, const VocabularySummary& summary,
                                  std::shared_ptr<const void> owner) {
  Vocabulary v;
  v.summary_ = summary;
  v.arrays_ = arrays;
  v.owner_ = std::move(owner);
  return v;
}

std::size_t Vocabulary::TableSize(std::size_t n) {
  std::size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  return cap;
}

struct Vocabulary::Owned {
  std::vector<char> bytes;
  std::vector<std::uint64_t> offsets;
  std::vector<Count> counts;
  std::vector<ItemId> table;
};

VocabularyPacker::VocabularyPacker(std::size_t n, std::size_t bytes) {
  bytes_.reserve(bytes);
  offsets_.reserve(n + 1);
  offsets_.push_back(0);
}

void VocabularyPacker::Add(std::string_view item) {
  bytes_.insert(bytes_.end(), item.begin(), item.end());
  offsets_.push_back(bytes_.size());
}

Vocabulary VocabularyPacker::Finish(std::vector<Count> counts) {
  auto owned = std::make_shared<Vocabulary::Owned>();
  bytes_.shrink_to_fit();
  owned->bytes = std::move(bytes_);
  owned->offsets = std::move(offsets_);
  owned->counts = std::move(counts);
  owned->counts.resize(owned->offsets.size() - 1);
  return Vocabulary::FromOwned(std::move(owned));
}

// Indexes the packed items: the lookup table, the total count, the fingerprint.
Vocabulary Vocabulary::FromOwned(std::shared_ptr<Owned> owned) {
  const std::size_t n = owned->offsets.size() - 1;
  owned->table.assign(TableSize(n), kNotFound);
  Vocabulary v;
  v.arrays_ = {owned->bytes.data(), owned->offsets.data(), owned->counts.data(), owned->table.data(),
               owned->table.size()};
  v.summary_.size = n;
  v.summary_.total_count = std::accumulate(owned->counts.begin(), owned->counts.end(), Count{0});
  v.summary_.item_bytes = owned->bytes.size();
  const std::size_t mask = owned->table.size() - 1;
  // One hash per item serves the lookup table and the fingerprint.
  std::uint64_t fingerprint = 0x9e3779b97f4a7c15ull ^ n;
  for (ItemId id = 0; id < n; ++id) {
    const std::uint64_t hash = HashBytes(v.item(id));
    fingerprint = (fingerprint ^ hash) * kFnvPrime;
    fingerprint = (fingerprint ^ static_cast<std::uint64_t>(owned->counts[id])) * kFnvPrime;
    std::size_t slot = hash & mask;
    while (owned->table[slot] != kNotFound) slot = (slot + 1) & mask;
    owned->table[slot] = id;
  }
  v.summary_.fingerprint = fingerprint;
  v.owner_ = std::move(owned);
  return v;
}

ItemId Vocabulary::Find(std::string_view item) const {
  if (arrays_.table_size == 0) return kNotFound;
  const std::size_t mask = arrays_.table_size - 1;
  std::size_t slot = HashBytes(item) & mask;
  while (true) {
    const ItemId id = arrays_.table[slot];
    if (id == kNotFound) return kNotFound;
    if (this->item(id) == item) return id;
    slot = (slot + 1) & mask;
  }
}

void Vocabulary::FindMany(const std::string_view* items, std::size_t n, ItemId* ids) const {
  if (arrays_.table_size == 0) {
    std::fill(ids, ids + n, kNotFound);
    return;
  }
  const std::size_t mask = arrays_.table_size - 1;
  std::size_t slot[kFindBlock];
  for (std::size_t begin = 0; begin < n; begin += kFindBlock) {
    const std::size_t m = std::min(kFindBlock, n - begin);
    const std::string_view* block = items + begin;
    ItemId* out = ids + begin;
    // Each pass starts the loads the next one needs for every item of the block.
    for (std::size_t k = 0; k < m; ++k) {
      slot[k] = HashBytes(block[k]) & mask;
      __builtin_prefetch(arrays_.table + slot[k]);
    }
    for (std::size_t k = 0; k < m; ++k) {
      out[k] = arrays_.table[slot[k]];
      if (out[k] != kNotFound) __builtin_prefetch(arrays_.offsets + out[k]);
    }
    for (std::size_t k = 0; k < m; ++k)
      if (out[k] != kNotFound) __builtin_prefetch(arrays_.bytes + arrays_.offsets[out[k]]);
    for (std::size_t k = 0; k < m; ++k) {
      std::size_t s = slot[k];
      ItemId id = out[k];
      while (id != kNotFound && item(id) != block[k]) {
        s = (s + 1) & mask;
        id = arrays_.table[s];
      }
      out[k] = id;
    }
  }
}

}  // namespace item2vec
