// EdgeCounter: the item transitions of one shard's sequences, counted.
//
// Contract:
// - AddSequence(ids, window, undirected) counts, for every position i and every d in
//   1..window, one transition ids[i] -> ids[i + d] (and ids[i + d] -> ids[i] when
//   undirected). A transition from an item to itself (a repeat) is no edge: it is skipped
//   and counted in self_loops().
// - Sorted() gives the counts as EdgeRecords sorted by key (item_graph.h), the unit merged
//   across ranks. ApproxBytes() estimates the hash table's memory (entries and buckets),
//   for the --memory check while counting.
// - Memory: one hash entry per distinct transition of the shard. Not thread-safe.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "common/types.h"
#include "tools/walk/item_graph.h"

namespace item2vec {

class EdgeCounter {
 public:
  void AddSequence(const std::vector<ItemId>& ids, int window, bool undirected);
  std::vector<EdgeRecord> Sorted() const;
  std::size_t distinct() const { return counts_.size(); }
  std::uint64_t transitions() const { return transitions_; }
  std::uint64_t self_loops() const { return self_loops_; }
  std::uint64_t ApproxBytes() const { return counts_.size() * 32 + counts_.bucket_count() * 8; }

 private:
  std::unordered_map<std::uint64_t, std::uint64_t> counts_;
  std::uint64_t transitions_ = 0;
  std::uint64_t self_loops_ = 0;
};

}  // namespace item2vec
