// Vocabulary counting (ItemCounter) and the frozen, id-ordered Vocabulary.
//
// Contract:
// - ItemCounter counts item strings (raw bytes, no encoding assumed) of one shard and
//   merges with other shards' counters; it is the unit sent between ranks while the
//   vocabulary is built.
// - Vocabulary::Build applies min-count then max-vocab and assigns ids by descending
//   count, ties broken by ascending byte order of the item string, so every rank and
//   every run derives the same ids from the same counts.
// - Vocabulary::Find is a read-only open-addressing lookup by string_view: no allocation,
//   safe to call from many threads once built.
// - A Vocabulary made FromSummary has no names, counts or lookup table, only its
//   VocabularySummary (size, total count, item bytes, fingerprint): what a parameter server
//   needs, a few bytes whatever V. REQUIRES for item(), count(), counts(), Find(): has_items().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace item2vec {

class ItemCounter {
 public:
  void Add(std::string_view item) { ++counts_[std::string(item)]; }
  void Add(const std::string& item, Count n) { counts_[item] += n; }
  void Merge(const ItemCounter& other);
  // Moves the entries whose item satisfies keep(item) into the result (no copy of a string).
  template <typename Pred>
  ItemCounter Extract(Pred keep) {
    ItemCounter out;
    for (auto it = counts_.begin(); it != counts_.end();) {
      if (keep(it->first)) {
        out.counts_.insert(counts_.extract(it++));
      } else {
        ++it;
      }
    }
    return out;
  }
  const std::unordered_map<std::string, Count>& counts() const { return counts_; }
  std::size_t distinct() const { return counts_.size(); }
  Count total() const;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& counts_; }

 private:
  std::unordered_map<std::string, Count> counts_;
};

// What a rank that never looks items up needs of a vocabulary (a server, the memory plan).
struct VocabularySummary {
  std::uint64_t size = 0;
  Count total_count = 0;
  std::uint64_t item_bytes = 0;  // the items' bytes, summed
  std::uint64_t fingerprint = 0;
  // Expected distinct items of one worker's shard while counting (0 = not counted this run),
  // for the memory plan; not part of the fingerprint.
  double shard_distinct = 0;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& size; ar& total_count; ar& item_bytes; ar& fingerprint; ar& shard_distinct;
  }
};

class Vocabulary {
 public:
  static constexpr ItemId kNotFound = 0xffffffffu;

  Vocabulary() = default;
  // min_count >= 1; max_vocab 0 = no cap.
  static Vocabulary Build(const ItemCounter& counter, Count min_count, Count max_vocab);
  // The vocabulary's order: a before b (descending count, then ascending bytes).
  static bool Before(Count count_a, const std::string& a, Count count_b, const std::string& b) {
    return count_a != count_b ? count_a > count_b : a < b;
  }
  // How many items Build keeps at most for a --max-vocab (0 = no cap).
  static Count Cap(Count max_vocab);
  // From items already in id order (e.g. read back from vocab.tsv).
  static Vocabulary FromSorted(std::vector<std::string> items, std::vector<Count> counts);
  // Without names (see the contract).
  static Vocabulary FromSummary(const VocabularySummary& summary);

  std::size_t size() const { return static_cast<std::size_t>(summary_.size); }
  bool empty() const { return summary_.size == 0; }
  bool has_items() const { return items_.size() == summary_.size; }
  const VocabularySummary& summary() const { return summary_; }
  void set_shard_distinct(double n) { summary_.shard_distinct = n; }
  const std::string& item(ItemId id) const { return items_[id]; }
  Count count(ItemId id) const { return counts_[id]; }
  const std::vector<Count>& counts() const { return counts_; }
  // Sum of counts of the items kept: word2vec.c's train_words.
  Count total_count() const { return summary_.total_count; }
  ItemId Find(std::string_view item) const;
  // A 64-bit fingerprint of items and counts, for manifests and consistency checks.
  std::uint64_t Fingerprint() const { return summary_.fingerprint; }

  template <class Archive>
  void save(Archive& ar, unsigned /*version*/) const { ar& items_; ar& counts_; }
  template <class Archive>
  void load(Archive& ar, unsigned /*version*/) {
    ar& items_;
    ar& counts_;
    Index();
  }
  template <class Archive>
  void serialize(Archive& ar, unsigned version) { Split(ar, version); }

 private:
  template <class Archive>
  void Split(Archive& ar, unsigned version);
  void Index();
  std::vector<std::string> items_;
  std::vector<Count> counts_;
  VocabularySummary summary_;
  std::vector<ItemId> table_;  // open addressing, power-of-two size, kNotFound = empty
};

std::uint64_t HashBytes(std::string_view s);

}  // namespace item2vec

#include <boost/serialization/split_member.hpp>
namespace item2vec {
template <class Archive>
void Vocabulary::Split(Archive& ar, unsigned version) {
  boost::serialization::split_member(ar, *this, version);
}
}  // namespace item2vec
