// Walker: random walks over an ItemGraph, first order (DeepWalk) or second order (node2vec).
//
// Contract:
// - DeepWalk: each step goes from v to an out-neighbour x with probability w(v,x) / sum of
//   v's out-weights (one alias table per node, 8 bytes per edge).
// - node2vec (Grover & Leskovec 2016): the first step is first order; afterwards, having
//   come from t to v, the step to x has probability proportional to w(v,x) * a(t,x) with
//   a = 1/p when x == t (return), 1 when t -> x is an edge (x is at distance 1 from t), and
//   1/q otherwise (moving outwards). Two samplers draw from exactly this distribution:
//   * kAlias, the paper's method: one alias table per edge t -> v over v's out-neighbours,
//     precomputed; O(1) per step, memory 8 bytes per entry (GraphShape::
//     second_order_entries, the sum over nodes of in-degree x out-degree) + 8 per edge.
//   * kRejection (as KnightKing / "fast node2vec" do): propose x from v's first-order alias
//     table and accept with probability a(t,x) / max(1/p, 1, 1/q); no per-edge tables, each
//     proposal costs a binary search in t's row, and the expected proposals per step are at
//     most max(a) / min(a). When that ratio exceeds kMaxBiasRatio (a tiny p or q: the
//     bound is global, so a step that cannot return refuses almost every proposal), a step
//     stops after kMaxProposals refusals and draws exactly instead, weighing each of v's
//     out-neighbours (O(out-degree x log)): the same distribution, since an accepted
//     proposal and the exact draw both follow it, and a bounded cost per step (counted in
//     WalkStats::exact_steps).
// - A walk has at most `length` items and ends early at a dead end (a node without
//   out-edges), counted in WalkStats::dead_end_walks. Walk() draws only from the Rng it is
//   given, so a walk is fixed by its seed, whatever else runs. Walk() allocates nothing once
//   *walk has grown to `length`. Built tables are read-only: Walk is safe from many threads.
#pragma once

#include <cstdint>
#include <vector>

#include "common/random.h"
#include "tools/walk/alias_table.h"
#include "tools/walk/item_graph.h"

namespace item2vec {

enum class WalkMethod { kDeepWalk, kNode2vec };
enum class SecondOrderSampler { kAlias, kRejection };

// The range ResolveWalkOptions allows p and q (a bias beyond it overflows weight x bias).
inline constexpr double kMinBiasParameter = 1e-100, kMaxBiasParameter = 1e100;

struct WalkParams {
  WalkMethod method = WalkMethod::kDeepWalk;
  double p = 1.0, q = 1.0;
  SecondOrderSampler sampler = SecondOrderSampler::kAlias;
  int length = 40;
};

struct WalkStats {
  std::int64_t walks = 0;
  std::int64_t tokens = 0;
  std::int64_t dead_end_walks = 0;  // ended before `length` at a node without out-edges
  std::int64_t proposals = 0;       // kRejection: candidates drawn
  std::int64_t rejections = 0;      // kRejection: candidates refused
  std::int64_t exact_steps = 0;     // kRejection: steps drawn exactly after kMaxProposals refusals
};

// Memory of the sampling tables Walker builds for a graph of this shape.
std::uint64_t WalkTableBytes(const GraphShape& shape, const WalkParams& params);

class Walker {
 public:
  static constexpr double kMaxBiasRatio = 64;  // up to it, rejection as it always was
  static constexpr int kMaxProposals = 64;     // beyond it, refusals before an exact draw
  Walker(const ItemGraph* graph, const WalkParams& params);
  std::uint64_t table_bytes() const {
    return 8 * (node_slots_.size() + edge_slots_.size() + edge_offsets_.size());
  }
  // The node2vec weight a(t, x) of stepping to x after coming from t.
  double SecondOrderBias(std::uint32_t t, std::uint32_t x) const;
  // Fills *walk with a walk from start (start first). REQUIRES: start has out-edges.
  void Walk(std::uint32_t start, Rng& rng, std::vector<std::uint32_t>* walk, WalkStats* stats) const;

 private:
  std::uint32_t StepFirstOrder(std::uint32_t v, Rng& rng) const;   // index in v's row
  std::uint32_t StepRejection(std::uint32_t t, std::uint32_t v, Rng& rng, WalkStats* stats) const;
  std::uint32_t StepExact(std::uint32_t t, std::uint32_t v, Rng& rng) const;  // index in v's row

  const ItemGraph* graph_;
  WalkParams params_;
  double inv_p_, inv_q_, max_bias_;
  bool capped_;  // max bias / min bias > kMaxBiasRatio: proposals are capped
  std::vector<AliasSlot> node_slots_;          // row of v at graph_->begin(v)
  std::vector<std::uint64_t> edge_offsets_;    // kAlias: table of edge e at edge_offsets_[e]
  std::vector<AliasSlot> edge_slots_;
};

}  // namespace item2vec
