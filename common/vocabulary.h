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
//   safe to call from many threads once built. FindMany looks up a run of items with the
//   same result, prefetching a block's memory before it resolves it.
// - A Vocabulary is immutable and its arrays (VocabularyArrays: the items' bytes packed end
//   to end with V + 1 offsets, the counts, the lookup table) are shared by its copies; they
//   are its own, or views into read-only memory another object owns (FromArrays: the node's
//   shared tables, job/node_tables.h), kept alive by the Vocabulary. Copies are cheap.
// - A Vocabulary made FromSummary has no names, counts or lookup table, only its
//   VocabularySummary (size, total count, item bytes, fingerprint): what a parameter server
//   needs, a few bytes whatever V. REQUIRES for item(), count(), counts(), Find(): has_items().
// - Serialised, a Vocabulary is the archive of a std::vector<std::string> of the items and a
//   std::vector<Count> of the counts, as before the arrays were packed (checkpoints written
//   by earlier versions load).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/count_table.h"
#include "common/status.h"
#include "common/types.h"

namespace item2vec {

class ItemCounter {
 public:
  // Returns the item's entry number (CountTable::Add).
  std::uint32_t Add(std::string_view item, Count n = 1) { return counts_.Add(item, n); }
  void Merge(const ItemCounter& other);
  // Moves the entries whose item hash (HashBytes) satisfies take(hash) into the result,
  // freeing this table's memory as it goes (CountTable::Partition).
  template <typename Take>
  ItemCounter Extract(Take take) {
    ItemCounter out;
    counts_.Partition(take, &out.counts_);
    return out;
  }
  const CountTable& counts() const { return counts_; }
  // The item's count, 0 when absent.
  Count Get(std::string_view item) const {
    const Count* n = counts_.Find(item);
    return n == nullptr ? 0 : *n;
  }
  std::size_t distinct() const { return counts_.size(); }
  Count total() const;
  // Same items with the same counts, in any order.
  friend bool operator==(const ItemCounter& a, const ItemCounter& b);

  // An item count, then (item, count) pairs in the table's order.
  template <class Archive>
  void save(Archive& ar, unsigned /*version*/) const;
  template <class Archive>
  void load(Archive& ar, unsigned /*version*/);
  template <class Archive>
  void serialize(Archive& ar, unsigned version);

 private:
  CountTable counts_;
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

// A read-only run of counts (a vocabulary's own, or in a node-shared image).
struct CountSpan {
  const Count* data = nullptr;
  std::size_t size = 0;
  const Count* begin() const { return data; }
  const Count* end() const { return data + size; }
  Count operator[](std::size_t i) const { return data[i]; }
  friend bool operator==(CountSpan a, CountSpan b) { return a.size == b.size && std::equal(a.begin(), a.end(), b.begin()); }
};

// Where a vocabulary's arrays are: item id's bytes are bytes[offsets[id], offsets[id + 1]);
// table holds table_size slots (a power of two, kNotFound = empty) of ids by HashBytes.
struct VocabularyArrays {
  const char* bytes = nullptr;
  const std::uint64_t* offsets = nullptr;  // V + 1 entries
  const Count* counts = nullptr;
  const ItemId* table = nullptr;
  std::size_t table_size = 0;
};

class Vocabulary {
 public:
  static constexpr ItemId kNotFound = 0xffffffffu;

  Vocabulary() = default;
  // min_count >= 1; max_vocab 0 = no cap.
  static Vocabulary Build(const ItemCounter& counter, Count min_count, Count max_vocab);
  // The vocabulary's order: a before b (descending count, then ascending bytes).
  static bool Before(Count count_a, std::string_view a, Count count_b, std::string_view b) {
    return count_a != count_b ? count_a > count_b : a < b;
  }
  // How many items Build keeps at most for a --max-vocab (0 = no cap).
  static Count Cap(Count max_vocab);
  // From items already in id order (e.g. read back from vocab.tsv).
  static Vocabulary FromSorted(std::vector<std::string> items, std::vector<Count> counts);
  // Without names (see the contract).
  static Vocabulary FromSummary(const VocabularySummary& summary);
  // Views into arrays laid out as another vocabulary's (arrays()), which `owner` keeps alive.
  static Vocabulary FromArrays(const VocabularyArrays& arrays, const VocabularySummary& summary,
                               std::shared_ptr<const void> owner);
  // The lookup table's slots for n items: the first power of two of at least 2n (and 16).
  static std::size_t TableSize(std::size_t n);

  std::size_t size() const { return static_cast<std::size_t>(summary_.size); }
  bool empty() const { return summary_.size == 0; }
  bool has_items() const { return arrays_.offsets != nullptr; }
  const VocabularyArrays& arrays() const { return arrays_; }
  const VocabularySummary& summary() const { return summary_; }
  void set_shard_distinct(double n) { summary_.shard_distinct = n; }
  std::string_view item(ItemId id) const {
    return {arrays_.bytes + arrays_.offsets[id], static_cast<std::size_t>(arrays_.offsets[id + 1] - arrays_.offsets[id])};
  }
  Count count(ItemId id) const { return arrays_.counts[id]; }
  CountSpan counts() const { return {arrays_.counts, has_items() ? size() : 0}; }
  // Sum of counts of the items kept: word2vec.c's train_words.
  Count total_count() const { return summary_.total_count; }
  ItemId Find(std::string_view item) const;
  // Find() of n items into ids[0, n), the same ids, with the table slots, offsets and bytes
  // of a block of kFindBlock items prefetched before any of them is compared: on a table
  // larger than the caches each lookup is three dependent misses (slot, offset, bytes), and
  // a block overlaps them (docs/benchmarks.md, "Tokens/s against catalogue size").
  static constexpr std::size_t kFindBlock = 16;
  void FindMany(const std::string_view* items, std::size_t n, ItemId* ids) const;
  // A 64-bit fingerprint of items and counts, for manifests and consistency checks.
  std::uint64_t Fingerprint() const { return summary_.fingerprint; }

  template <class Archive>
  void save(Archive& ar, unsigned version) const;
  template <class Archive>
  void load(Archive& ar, unsigned version);
  template <class Archive>
  void serialize(Archive& ar, unsigned version) { Split(ar, version); }

 private:
  friend class VocabularyPacker;
  struct Owned;  // the arrays of a vocabulary built here
  template <class Archive>
  void Split(Archive& ar, unsigned version);
  static Vocabulary FromOwned(std::shared_ptr<Owned> owned);
  VocabularySummary summary_;
  VocabularyArrays arrays_;            // all null without names
  std::shared_ptr<const void> owner_;  // what arrays_ point into
};

}  // namespace item2vec

#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/item_version_type.hpp>
#include <boost/serialization/library_version_type.hpp>
#include <boost/serialization/split_member.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
namespace item2vec {

// Packs items (in id order) and counts into a vocabulary's own arrays.
class VocabularyPacker {
 public:
  // n items of `bytes` bytes in all, when known (their memory is reserved at once).
  explicit VocabularyPacker(std::size_t n, std::size_t bytes = 0);
  void Add(std::string_view item);
  Vocabulary Finish(std::vector<Count> counts);

 private:
  std::vector<char> bytes_;
  std::vector<std::uint64_t> offsets_;
};

template <class Archive>
void ItemCounter::save(Archive& ar, unsigned /*version*/) const {
  const std::uint64_t n = counts_.size();
  ar << n;
  counts_.ForEach([&ar](std::uint64_t /*hash*/, std::string_view item, Count count) {
    const std::string s(item);
    ar << s;
    ar << count;
  });
}

template <class Archive>
void ItemCounter::load(Archive& ar, unsigned /*version*/) {
  counts_ = CountTable();
  std::uint64_t n = 0;
  ar >> n;
  std::string s;
  Count count = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    ar >> s;
    ar >> count;
    counts_.Add(s, count);
  }
}

template <class Archive>
void ItemCounter::serialize(Archive& ar, unsigned version) {
  boost::serialization::split_member(ar, *this, version);
}

template <class Archive>
void Vocabulary::Split(Archive& ar, unsigned version) {
  boost::serialization::split_member(ar, *this, version);
}

// The items in Boost's own layout of a std::vector<std::string> (collections_save_imp.hpp),
// one item at a time; as a class of its own it gets the same class header in the archive.
struct VocabularyItemsArchive {
  const Vocabulary* from = nullptr;   // save
  VocabularyPacker* into = nullptr;   // load
  template <class Archive>
  void save(Archive& ar, unsigned /*version*/) const {
    const std::size_t n = from->has_items() ? from->size() : 0;
    const boost::serialization::collection_size_type count(n);
    ar << count;
    const boost::serialization::item_version_type item_version(boost::serialization::version<std::string>::value);
    ar << item_version;
    for (ItemId id = 0; id < n; ++id) {
      const std::string s(from->item(id));
      ar << s;
    }
  }
  template <class Archive>
  void load(Archive& ar, unsigned /*version*/) {
    boost::serialization::collection_size_type count;
    ar >> count;
    boost::serialization::item_version_type item_version(0);
    if (boost::serialization::library_version_type(3) < ar.get_library_version()) ar >> item_version;
    *into = VocabularyPacker(count);
    std::string s;
    for (std::size_t i = 0; i < count; ++i) {
      ar >> s;
      into->Add(s);
    }
  }
  template <class Archive>
  void serialize(Archive& ar, unsigned version) { boost::serialization::split_member(ar, *this, version); }
};

template <class Archive>
void Vocabulary::save(Archive& ar, unsigned /*version*/) const {
  const VocabularyItemsArchive items{this, nullptr};
  ar << items;
  const std::vector<Count> counts(arrays_.counts, arrays_.counts + (has_items() ? size() : 0));
  ar << counts;
}

template <class Archive>
void Vocabulary::load(Archive& ar, unsigned /*version*/) {
  VocabularyPacker packer(0);
  VocabularyItemsArchive items{nullptr, &packer};
  ar >> items;
  std::vector<Count> counts;
  ar >> counts;
  *this = packer.Finish(std::move(counts));
}

}  // namespace item2vec
