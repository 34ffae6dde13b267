// ItemGraph: the weighted, directed item transition graph in compressed sparse rows (CSR),
// built by merging the sorted edge counts of every shard.
//
// Contract:
// - An edge list is packed EdgeRecords (native byte order; both ends run the same binary)
//   sorted by key = src << 32 | dst, each key at most once. ForEachMergedEdge walks the
//   union of several such lists in key order, summing the counts of a key found in more
//   than one list, so the result does not depend on how the input was cut into shards.
// - MeasureEdgeLists gives the merged graph's shape (edges, degrees) without building it,
//   so the memory plan can refuse before anything large is allocated.
// - FromEdgeLists builds the CSR: row v holds v's out-neighbours in ascending id order with
//   their weights (transition counts, saturated at 2^32-1). Memory: CsrBytes(nodes, edges)
//   = 8 (nodes + 1) + 8 edges bytes. HasEdge is a binary search in a row.
// - Immutable once built; safe to read from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace item2vec {

struct EdgeRecord {
  std::uint64_t key = 0;    // src << 32 | dst
  std::uint64_t count = 0;
};

inline std::uint64_t EdgeKey(std::uint32_t src, std::uint32_t dst) {
  return static_cast<std::uint64_t>(src) << 32 | dst;
}

// Calls fn(src, dst, summed count) for every distinct key of the lists, in key order.
void ForEachMergedEdge(const std::vector<std::string_view>& lists,
                       const std::function<void(std::uint32_t, std::uint32_t, std::uint64_t)>& fn);

struct GraphShape {
  std::uint32_t nodes = 0;
  std::uint64_t edges = 0;
  std::vector<std::uint32_t> out_degree, in_degree;
  // Sum over edges t->v of out_degree(v): the entries of node2vec's per-edge alias tables.
  std::uint64_t second_order_entries = 0;
};

GraphShape MeasureEdgeLists(std::uint32_t nodes, const std::vector<std::string_view>& lists);

class ItemGraph {
 public:
  ItemGraph() = default;
  static ItemGraph FromEdgeLists(const GraphShape& shape, const std::vector<std::string_view>& lists);
  // From (src, dst, weight) triples in any order, duplicates summed (tests, small graphs).
  static ItemGraph FromTriples(std::uint32_t nodes, std::vector<EdgeRecord> edges);

  static std::uint64_t CsrBytes(std::uint64_t nodes, std::uint64_t edges) { return 8 * (nodes + 1) + 8 * edges; }
  std::uint64_t CsrBytes() const { return CsrBytes(nodes(), edges()); }

  std::uint32_t nodes() const { return static_cast<std::uint32_t>(offsets_.empty() ? 0 : offsets_.size() - 1); }
  std::uint64_t edges() const { return targets_.size(); }
  std::uint64_t begin(std::uint32_t v) const { return offsets_[v]; }
  std::uint64_t end(std::uint32_t v) const { return offsets_[v + 1]; }
  std::uint32_t degree(std::uint32_t v) const { return static_cast<std::uint32_t>(offsets_[v + 1] - offsets_[v]); }
  std::uint32_t target(std::uint64_t e) const { return targets_[e]; }
  std::uint32_t weight(std::uint64_t e) const { return weights_[e]; }
  // Whether the edge u -> x exists.
  bool HasEdge(std::uint32_t u, std::uint32_t x) const;

 private:
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint32_t> targets_, weights_;
};

// Packs records (already sorted by key, distinct) as an edge list.
std::string_view EdgeListBytes(const std::vector<EdgeRecord>& records);

}  // namespace item2vec
