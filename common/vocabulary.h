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
  const std::unordered_map<std::string, Count>& counts() const { return counts_; }
  std::size_t distinct() const { return counts_.size(); }
  Count total() const;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& counts_; }

 private:
  std::unordered_map<std::string, Count> counts_;
};

class Vocabulary {
 public:
  static constexpr ItemId kNotFound = 0xffffffffu;

  Vocabulary() = default;
  // min_count >= 1; max_vocab 0 = no cap.
  static Vocabulary Build(const ItemCounter& counter, Count min_count, Count max_vocab);
  // From items already in id order (e.g. read back from vocab.tsv).
  static Vocabulary FromSorted(std::vector<std::string> items, std::vector<Count> counts);

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::string& item(ItemId id) const { return items_[id]; }
  Count count(ItemId id) const { return counts_[id]; }
  const std::vector<Count>& counts() const { return counts_; }
  // Sum of counts of the items kept: word2vec.c's train_words.
  Count total_count() const { return total_count_; }
  ItemId Find(std::string_view item) const;
  // A 64-bit fingerprint of items and counts, for manifests and consistency checks.
  std::uint64_t Fingerprint() const;

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
  Count total_count_ = 0;
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
