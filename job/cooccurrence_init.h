// Co-occurrence initialisation of new items for warm starts (Airbnb's cold-start rule for
// new listings): a new item starts from the count-weighted mean of the previous model's
// vectors of the kept items it co-occurs with today, over at most K strongest neighbours.
//
// Contract:
// - An item is "new" when it is in today's vocabulary but not in the previous model's
//   (NewItemMask); every other item of today's vocabulary is "kept".
// - CooccurrenceCounter counts, for every new item at position i of a sentence (ids in
//   today's vocabulary, out-of-vocabulary items already dropped), each kept item at
//   distance 1..window: full symmetric window, no subsampling, a kept item seen twice
//   counts twice; pairs of two new items are ignored.
// - Memory is bounded by the new items, not by the vocabulary: each new item keeps a
//   Misra-Gries summary of its kept neighbours (Agarwal et al. 2012, "Mergeable
//   summaries"). A table holds at most 2*capacity+1 entries; when it overflows, the
//   (capacity+1)-th largest count is subtracted from every entry and entries that reach
//   zero are dropped, leaving at most `capacity`. Hence:
//     * counts are exact for a new item that met at most 2*capacity distinct kept
//       neighbours (in this counter and everything merged into it);
//     * otherwise each count underestimates its true value f by at most N/(capacity+1),
//       N the new item's total neighbour count, so every neighbour with f > N/(capacity+1)
//       is still present. With capacity = 4k the k strongest neighbours survive unless
//       the distribution is nearly flat (where any k of them are about as good).
//   Merge keeps the same guarantee for the union of both streams, whatever the merge tree.
//   Memory: 4 bytes per vocabulary item (the new-item slot map) plus at most
//   new_items * (2*capacity+1) * 16 bytes, tables growing only as neighbours appear.
// - Results are deterministic for a given input, worker count and merge order
//   (TopNeighbours sorts by count descending, then kept id ascending).
// - CooccurrenceCounter is Boost-serializable (common/serialize.h ToBytes/FromBytes):
//   only the new items and their tables travel, never the vocabulary-sized slot map.
// - NewItemNeighbours is the compact result sent to the servers: for each new item with at
//   least one kept neighbour, its (kept id in today's vocabulary, weight > 0) pairs.
//   New items without a kept neighbour are absent and keep the random initialisation.
// Not thread-safe: one counter per worker thread; merge afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <boost/serialization/split_member.hpp>
#include <boost/serialization/vector.hpp>

#include "common/input_files.h"
#include "common/status.h"
#include "common/types.h"
#include "common/vocabulary.h"

namespace item2vec {

// true for every id of `today` whose item is not in `previous`.
std::vector<bool> NewItemMask(const Vocabulary& previous, const Vocabulary& today);

// New item -> its strongest kept neighbours, in compressed-row form.
struct NewItemNeighbours {
  std::vector<ItemId> items;            // new items (today's ids), ascending
  std::vector<std::uint64_t> offsets;   // items.size() + 1; item i's entries are [offsets[i], offsets[i+1])
  std::vector<ItemId> neighbours;       // kept items (today's ids), strongest first
  std::vector<double> weights;          // > 0, parallel to neighbours

  NewItemNeighbours() : offsets{0} {}
  std::size_t size() const { return items.size(); }
  // Appends one new item; REQUIRES: item greater than every item added before, n >= 1.
  void Add(ItemId item, const ItemId* kept, const double* w, std::size_t n);
  // Index of `item` in items, or size() when absent.
  std::size_t IndexOf(ItemId item) const;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& items; ar& offsets; ar& neighbours; ar& weights; }
};

class CooccurrenceCounter {
 public:
  struct Entry {
    ItemId id;    // kept item, today's id
    Count count;
  };

  CooccurrenceCounter() = default;
  // is_new: indexed by today's id (NewItemMask). capacity >= 1: entries a table keeps
  // after a reduction (see the contract; 4 * k is a good choice for TopNeighbours(k)).
  CooccurrenceCounter(const std::vector<bool>& is_new, std::size_t capacity);

  // Counts one sentence of today's ids (out-of-vocabulary items already dropped).
  // REQUIRES: every id < vocab_size(), window >= 1. Allocates only when a table grows.
  void AddSentence(const ItemId* ids, std::size_t n, int window);

  // Adds other's counts. Fails (and changes nothing) when other was built for another
  // vocabulary or new-item set.
  Status Merge(const CooccurrenceCounter& other);

  // Per new item with at least one kept neighbour, at most k (kept id, count) pairs,
  // count descending then id ascending. REQUIRES: k >= 1.
  NewItemNeighbours TopNeighbours(int k) const;

  // The (possibly reduced, see contract) count of kept item `kept` next to new item
  // `item`; 0 when absent or when `item` is not new.
  Count CountOf(ItemId item, ItemId kept) const;
  // The table of a new item (unordered), empty when `item` is not new.
  const std::vector<Entry>& TableOf(ItemId item) const;

  std::size_t vocab_size() const { return slot_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t num_new() const { return new_ids_.size(); }
  bool is_new(ItemId id) const { return slot_[id] != kKept; }
  // Bytes held by the tables and the slot map (for memory plans and logs).
  std::size_t BytesUsed() const;

  template <class Archive>
  void save(Archive& ar, unsigned /*version*/) const;
  template <class Archive>
  void load(Archive& ar, unsigned /*version*/);
  template <class Archive>
  void serialize(Archive& ar, unsigned version) { boost::serialization::split_member(ar, *this, version); }

 private:
  static constexpr std::uint32_t kKept = 0xffffffffu;
  void Increment(std::vector<Entry>& table, ItemId kept, Count by);
  void Reduce(std::vector<Entry>& table);
  void IndexSlots(std::size_t vocab_size);

  std::size_t capacity_ = 1;
  std::vector<std::uint32_t> slot_;        // today's id -> index into new_ids_/tables_, kKept for kept items
  std::vector<ItemId> new_ids_;            // ascending
  std::vector<std::vector<Entry>> tables_; // per new item
  std::vector<Count> scratch_;             // Reduce's buffer, reused
};

// Streams one worker's shard (the ranges of ShardRanges) with SequenceReader, maps items
// with vocab.Find, drops out-of-vocabulary items as the trainer does, and counts every
// sentence into *out. REQUIRES: *out built from a mask of vocab.size() entries.
Status CountShardCooccurrence(const std::vector<InputFile>& files, const std::vector<FileRange>& ranges,
                              std::int64_t max_sentence, const Vocabulary& vocab, int window,
                              CooccurrenceCounter* out);

template <class Archive>
void CooccurrenceCounter::save(Archive& ar, unsigned /*version*/) const {
  const std::uint64_t vocab_size = slot_.size(), capacity = capacity_;
  std::vector<std::uint32_t> sizes;
  std::vector<ItemId> ids;
  std::vector<Count> counts;
  sizes.reserve(tables_.size());
  for (const auto& t : tables_) {
    sizes.push_back(static_cast<std::uint32_t>(t.size()));
    for (const Entry& e : t) {
      ids.push_back(e.id);
      counts.push_back(e.count);
    }
  }
  ar& vocab_size; ar& capacity; ar& new_ids_; ar& sizes; ar& ids; ar& counts;
}

template <class Archive>
void CooccurrenceCounter::load(Archive& ar, unsigned /*version*/) {
  std::uint64_t vocab_size = 0, capacity = 0;
  std::vector<ItemId> new_ids;
  std::vector<std::uint32_t> sizes;
  std::vector<ItemId> ids;
  std::vector<Count> counts;
  ar& vocab_size; ar& capacity; ar& new_ids; ar& sizes; ar& ids; ar& counts;
  // Checked so that a damaged message fails FromBytes (kCorruption), never indexes out of range.
  std::uint64_t total = 0;
  for (std::uint32_t n : sizes) total += n;
  bool valid = capacity >= 1 && vocab_size <= static_cast<std::uint64_t>(kMaxVocabulary) &&
               sizes.size() == new_ids.size() && ids.size() == total && counts.size() == total;
  for (std::size_t i = 0; valid && i < new_ids.size(); ++i)
    valid = new_ids[i] < vocab_size && (i == 0 || new_ids[i - 1] < new_ids[i]) && sizes[i] <= 2 * capacity;
  for (std::size_t i = 0; valid && i < ids.size(); ++i) valid = ids[i] < vocab_size && counts[i] > 0;
  if (!valid) throw std::runtime_error("inconsistent co-occurrence counter");
  capacity_ = static_cast<std::size_t>(capacity);
  new_ids_ = std::move(new_ids);
  IndexSlots(static_cast<std::size_t>(vocab_size));
  tables_.assign(new_ids_.size(), {});
  std::size_t pos = 0;
  for (std::size_t s = 0; s < tables_.size(); ++s) {
    tables_[s].reserve(sizes[s]);
    for (std::uint32_t i = 0; i < sizes[s]; ++i, ++pos) {
      if (slot_[ids[pos]] != kKept) throw std::runtime_error("co-occurrence counter pairs two new items");
      tables_[s].push_back(Entry{ids[pos], counts[pos]});
    }
  }
}

}  // namespace item2vec
