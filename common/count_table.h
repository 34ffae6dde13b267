// CountTable: item string -> count, the counting pass's table, in about 24 bytes per distinct
// item plus the item's bytes (+1), without one heap allocation per item.
//
// Contract:
// - Entries (64-bit hash, where the name is, count: 24 bytes) live in fixed blocks of
//   kEntriesPerBlock, in insertion order; names live in an arena of kArenaBlock-byte blocks,
//   each a varint length then the bytes (an item longer than a block gets a block of its own).
//   Neither moves once written, so growing never copies names or entries. Blocks and index
//   are pages of their own (PageArray, mmap): freed, they leave the process's resident set at
//   once (glibc would keep freed heap blocks of this size).
// - The index is open addressing with linear probing over a power-of-two array of 32-bit
//   entry numbers (0 = empty), doubled when more than kMaxLoad of its slots would be used.
//   Why 1/2: after a doubling the load is 1/4..1/2, 8-16 index bytes per item (a third of a
//   std::unordered_map node's cost), and linear probing then needs about 1.5 probes for a hit
//   and 2.5 for a miss; at 3/4 it would save 3-5 bytes per item but a miss costs 8.5 probes,
//   each a cache miss on an entry (the index keeps no hash bits). Doubling rebuilds the index
//   from the stored hashes: no item is hashed twice.
// - Iteration visits entries in insertion order as (item, count) pairs; ForEach also gives
//   each item's hash. Counts are exact (Count, 64-bit signed); two items are one only when
//   their bytes are equal, whatever the hasher returns (a constant hasher is slow, not wrong).
// - Partition(take, taken) moves the entries whose hash satisfies take(hash) into *taken and
//   keeps the others, streaming: blocks of the old table are freed as they are passed, so
//   the memory of the two tables together stays about that of the one before.
// - At most 2^32 - 2 distinct items. Not thread-safe; copies rebuild the table entry by entry.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/types.h"

namespace item2vec {

std::uint64_t HashBytes(std::string_view s);

// n zeroed T's in pages of their own (mmap): given back to the system when freed, whatever
// malloc's thresholds, so a table that shrinks or goes leaves no resident heap behind.
// REQUIRES: T is trivially copyable. Move-only; an allocation failure throws std::bad_alloc.
template <class T>
class PageArray {
 public:
  PageArray() = default;
  explicit PageArray(std::size_t n);
  PageArray(PageArray&& o) noexcept : data_(std::exchange(o.data_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  PageArray& operator=(PageArray&& o) noexcept {
    if (this != &o) { Free(); data_ = std::exchange(o.data_, nullptr); n_ = std::exchange(o.n_, 0); }
    return *this;
  }
  ~PageArray() { Free(); }
  T* get() const { return data_; }
  T& operator[](std::size_t i) const { return data_[i]; }
  std::size_t size() const { return n_; }
  void reset() { Free(); }

 private:
  void Free();
  T* data_ = nullptr;
  std::size_t n_ = 0;
};

struct ItemBytesHash {
  std::uint64_t operator()(std::string_view s) const { return HashBytes(s); }
};

template <class Hasher = ItemBytesHash>
class BasicCountTable {
 public:
  static constexpr std::size_t kEntriesPerBlock = std::size_t{1} << 15;
  static constexpr std::size_t kArenaBlock = std::size_t{1} << 20;
  static constexpr double kMaxLoad = 0.5;

  struct Entry {
    std::uint64_t hash;
    std::uint32_t block, offset;  // the name: a varint length, then its bytes
    Count count;
  };

  class Iterator {
   public:
    using value_type = std::pair<std::string_view, Count>;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;
    using pointer = void;
    using reference = value_type;
    Iterator(const BasicCountTable* t, std::size_t i) : t_(t), i_(i) {}
    value_type operator*() const { return {t_->Name(t_->At(i_)), t_->At(i_).count}; }
    Iterator& operator++() { ++i_; return *this; }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }
    bool operator==(const Iterator& o) const { return i_ == o.i_; }

   private:
    const BasicCountTable* t_;
    std::size_t i_;
  };

  BasicCountTable() = default;
  BasicCountTable(BasicCountTable&&) noexcept = default;
  BasicCountTable& operator=(BasicCountTable&&) noexcept = default;
  BasicCountTable(const BasicCountTable& o) { CopyFrom(o); }
  BasicCountTable& operator=(const BasicCountTable& o) {
    if (this != &o) { *this = BasicCountTable(); CopyFrom(o); }
    return *this;
  }

  // Both return the item's entry number: its rank in insertion order, from 0 (the counting
  // pass's local ids, worker/first_epoch_ids.h).
  std::uint32_t Add(std::string_view item, Count n = 1) { return AddHashed(Hasher()(item), item, n); }
  // REQUIRES: hash == Hasher()(item).
  std::uint32_t AddHashed(std::uint64_t hash, std::string_view item, Count n);
  // The item's count; nullptr when absent.
  const Count* Find(std::string_view item) const;
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size_}; }
  template <class F>  // f(hash, item, count), in insertion order
  void ForEach(F f) const {
    for (std::size_t i = 0; i < size_; ++i) f(At(i).hash, Name(At(i)), At(i).count);
  }
  template <class Take>
  void Partition(Take take, BasicCountTable* taken);
  // Heap bytes held: entries, arena, index (the memory plan's figure, tests).
  std::size_t bytes() const;

 private:
  const Entry& At(std::size_t i) const { return entries_[i / kEntriesPerBlock][i % kEntriesPerBlock]; }
  Entry& At(std::size_t i) { return entries_[i / kEntriesPerBlock][i % kEntriesPerBlock]; }
  std::string_view Name(const Entry& e) const;
  std::uint32_t Insert(std::size_t slot, std::uint64_t hash, std::string_view item, Count n);
  void Grow();
  void Place(std::uint64_t hash, std::size_t entry_number);
  Entry WriteName(std::uint64_t hash, std::string_view item, Count n);
  void CopyFrom(const BasicCountTable& o) {
    o.ForEach([this](std::uint64_t h, std::string_view item, Count n) { AddHashed(h, item, n); });
  }

  std::vector<PageArray<Entry>> entries_;
  std::vector<PageArray<char>> arena_;
  std::size_t arena_used_ = 0;      // bytes used in arena_.back()
  std::size_t arena_capacity_ = 0;  // arena_.back()'s size
  PageArray<std::uint32_t> index_;  // entry number + 1, 0 = empty
  std::size_t size_ = 0;
  std::size_t arena_bytes_ = 0;  // every arena block's size, summed
};

using CountTable = BasicCountTable<>;

}  // namespace item2vec

#include "common/count_table_impl.h"
