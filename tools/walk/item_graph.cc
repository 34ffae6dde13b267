#include "tools/walk/item_graph.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace item2vec {
namespace {

struct Cursor {
  const char* at;
  const char* end;
  EdgeRecord Get() const {
    EdgeRecord r;
    std::memcpy(&r, at, sizeof(r));
    return r;
  }
};

}  // namespace

void ForEachMergedEdge(const std::vector<std::string_view>& lists,
                       const std::function<void(std::uint32_t, std::uint32_t, std::uint64_t)>& fn) {
  std::vector<Cursor> cursors;
  for (std::string_view l : lists)
    if (l.size() >= sizeof(EdgeRecord))
      cursors.push_back(Cursor{l.data(), l.data() + l.size() / sizeof(EdgeRecord) * sizeof(EdgeRecord)});
  // Few lists (one per rank): a linear scan for the smallest key is cheap.
  while (!cursors.empty()) {
    std::uint64_t key = std::numeric_limits<std::uint64_t>::max();
    for (const Cursor& c : cursors) key = std::min(key, c.Get().key);
    std::uint64_t count = 0;
    for (Cursor& c : cursors) {
      const EdgeRecord r = c.Get();
      if (r.key != key) continue;
      count += r.count;
      c.at += sizeof(EdgeRecord);
    }
    cursors.erase(std::remove_if(cursors.begin(), cursors.end(), [](const Cursor& c) { return c.at >= c.end; }),
                  cursors.end());
    fn(static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key), count);
  }
}

GraphShape MeasureEdgeLists(std::uint32_t nodes, const std::vector<std::string_view>& lists) {
  GraphShape s;
  s.nodes = nodes;
  s.out_degree.assign(nodes, 0);
  s.in_degree.assign(nodes, 0);
  ForEachMergedEdge(lists, [&](std::uint32_t src, std::uint32_t dst, std::uint64_t) {
    ++s.edges;
    ++s.out_degree[src];
    ++s.in_degree[dst];
  });
  for (std::uint32_t v = 0; v < nodes; ++v)
    s.second_order_entries += static_cast<std::uint64_t>(s.in_degree[v]) * s.out_degree[v];
  return s;
}

ItemGraph ItemGraph::FromEdgeLists(const GraphShape& shape, const std::vector<std::string_view>& lists) {
  ItemGraph g;
  g.offsets_.assign(static_cast<std::size_t>(shape.nodes) + 1, 0);
  for (std::uint32_t v = 0; v < shape.nodes; ++v) g.offsets_[v + 1] = g.offsets_[v] + shape.out_degree[v];
  g.targets_.reserve(shape.edges);
  g.weights_.reserve(shape.edges);
  ForEachMergedEdge(lists, [&](std::uint32_t, std::uint32_t dst, std::uint64_t count) {
    g.targets_.push_back(dst);
    g.weights_.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(count, 0xffffffffu)));
  });
  return g;
}

ItemGraph ItemGraph::FromTriples(std::uint32_t nodes, std::vector<EdgeRecord> edges) {
  std::sort(edges.begin(), edges.end(), [](const EdgeRecord& a, const EdgeRecord& b) { return a.key < b.key; });
  std::vector<EdgeRecord> merged;
  for (const EdgeRecord& e : edges) {
    if (!merged.empty() && merged.back().key == e.key) merged.back().count += e.count;
    else merged.push_back(e);
  }
  const std::vector<std::string_view> lists{EdgeListBytes(merged)};
  return FromEdgeLists(MeasureEdgeLists(nodes, lists), lists);
}

bool ItemGraph::HasEdge(std::uint32_t u, std::uint32_t x) const {
  const auto first = targets_.begin() + static_cast<std::ptrdiff_t>(offsets_[u]);
  const auto last = targets_.begin() + static_cast<std::ptrdiff_t>(offsets_[u + 1]);
  return std::binary_search(first, last, x);
}

std::string_view EdgeListBytes(const std::vector<EdgeRecord>& records) {
  return std::string_view(reinterpret_cast<const char*>(records.data()), records.size() * sizeof(EdgeRecord));
}

}  // namespace item2vec
