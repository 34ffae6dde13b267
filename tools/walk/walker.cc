#include "tools/walk/walker.h"

#include <algorithm>

namespace item2vec {

std::uint64_t WalkTableBytes(const GraphShape& shape, const WalkParams& params) {
  std::uint64_t bytes = 8 * shape.edges;  // first-order alias slots
  if (params.method == WalkMethod::kNode2vec && params.sampler == SecondOrderSampler::kAlias)
    bytes += 8 * (shape.edges + 1) + 8 * shape.second_order_entries;
  return bytes;
}

Walker::Walker(const ItemGraph* graph, const WalkParams& params)
    : graph_(graph), params_(params), inv_p_(1.0 / params.p), inv_q_(1.0 / params.q),
      max_bias_(std::max({1.0 / params.p, 1.0, 1.0 / params.q})),
      capped_(max_bias_ > kMaxBiasRatio * std::min({1.0 / params.p, 1.0, 1.0 / params.q})) {
  const ItemGraph& g = *graph_;
  AliasScratch scratch;
  std::vector<double> w;
  node_slots_.resize(g.edges());
  for (std::uint32_t v = 0; v < g.nodes(); ++v) {
    const std::uint32_t n = g.degree(v);
    if (n == 0) continue;
    w.resize(n);
    for (std::uint32_t j = 0; j < n; ++j) w[j] = g.weight(g.begin(v) + j);
    BuildAliasTable(w.data(), n, node_slots_.data() + g.begin(v), &scratch);
  }
  if (params_.method != WalkMethod::kNode2vec || params_.sampler != SecondOrderSampler::kAlias) return;
  edge_offsets_.assign(g.edges() + 1, 0);
  for (std::uint64_t e = 0; e < g.edges(); ++e) edge_offsets_[e + 1] = edge_offsets_[e] + g.degree(g.target(e));
  edge_slots_.resize(edge_offsets_.back());
  for (std::uint32_t t = 0; t < g.nodes(); ++t) {
    for (std::uint64_t e = g.begin(t); e < g.end(t); ++e) {
      const std::uint32_t v = g.target(e), n = g.degree(v);
      if (n == 0) continue;
      w.resize(n);
      for (std::uint32_t j = 0; j < n; ++j) w[j] = g.weight(g.begin(v) + j) * SecondOrderBias(t, g.target(g.begin(v) + j));
      BuildAliasTable(w.data(), n, edge_slots_.data() + edge_offsets_[e], &scratch);
    }
  }
}

double Walker::SecondOrderBias(std::uint32_t t, std::uint32_t x) const {
  if (x == t) return inv_p_;
  return graph_->HasEdge(t, x) ? 1.0 : inv_q_;
}

std::uint32_t Walker::StepFirstOrder(std::uint32_t v, Rng& rng) const {
  return SampleAlias(node_slots_.data() + graph_->begin(v), graph_->degree(v), rng);
}

std::uint32_t Walker::StepRejection(std::uint32_t t, std::uint32_t v, Rng& rng, WalkStats* stats) const {
  // Uncapped (the bias ratio is small), the loop and its draws are those of every earlier
  // version, so walks stay byte-identical.
  for (int refused = 0; !capped_ || refused < kMaxProposals; ++refused) {
    const std::uint32_t j = StepFirstOrder(v, rng);
    ++stats->proposals;
    const double a = SecondOrderBias(t, graph_->target(graph_->begin(v) + j));
    if (rng.UniformDouble() * max_bias_ < a) return j;
    ++stats->rejections;
  }
  ++stats->exact_steps;
  return StepExact(t, v, rng);
}

std::uint32_t Walker::StepExact(std::uint32_t t, std::uint32_t v, Rng& rng) const {
  const ItemGraph& g = *graph_;
  const std::uint64_t begin = g.begin(v);
  const std::uint32_t n = g.degree(v);
  const auto mass = [&](std::uint32_t j) { return g.weight(begin + j) * SecondOrderBias(t, g.target(begin + j)); };
  double total = 0;
  for (std::uint32_t j = 0; j < n; ++j) total += mass(j);
  double u = rng.UniformDouble() * total;
  for (std::uint32_t j = 0; j + 1 < n; ++j) {
    u -= mass(j);
    if (u < 0) return j;
  }
  return n - 1;
}

void Walker::Walk(std::uint32_t start, Rng& rng, std::vector<std::uint32_t>* walk, WalkStats* stats) const {
  const ItemGraph& g = *graph_;
  walk->clear();
  walk->push_back(start);
  const std::size_t length = static_cast<std::size_t>(params_.length);
  std::uint64_t edge = g.begin(start) + StepFirstOrder(start, rng);
  walk->push_back(g.target(edge));
  const bool second_order = params_.method == WalkMethod::kNode2vec;
  while (walk->size() < length) {
    const std::uint32_t v = walk->back();
    const std::uint32_t n = g.degree(v);
    if (n == 0) {
      ++stats->dead_end_walks;
      break;
    }
    std::uint32_t j;
    if (!second_order) {
      j = StepFirstOrder(v, rng);
    } else if (params_.sampler == SecondOrderSampler::kAlias) {
      j = SampleAlias(edge_slots_.data() + edge_offsets_[edge], n, rng);
    } else {
      j = StepRejection((*walk)[walk->size() - 2], v, rng, stats);
    }
    edge = g.begin(v) + j;
    walk->push_back(g.target(edge));
  }
  ++stats->walks;
  stats->tokens += static_cast<std::int64_t>(walk->size());
}

}  // namespace item2vec
