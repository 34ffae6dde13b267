// Unit tests of item2vec walk's pieces: alias sampling against its weights, the graph merge,
// edge counting, node2vec's p/q bias with both samplers, dead ends, options, and the
// pipeline in one process (memory refusal, counts of dead ends and isolated items).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/random.h"
#include "tests/support/test_util.h"
#include "common/collective_comm.h"
#include "tools/walk/alias_table.h"
#include "tools/walk/edge_counter.h"
#include "tools/walk/item_graph.h"
#include "tools/walk/walk_options.h"
#include "tools/walk/walk_pipeline.h"
#include "tools/walk/walker.h"

namespace item2vec {
namespace {

// Pearson's chi-square of observed counts against expected probabilities (cells with p > 0).
double ChiSquare(const std::vector<double>& observed, const std::vector<double>& probs) {
  double total = 0, chi = 0;
  for (double o : observed) total += o;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] == 0) continue;
    const double e = total * probs[i];
    chi += (observed[i] - e) * (observed[i] - e) / e;
  }
  return chi;
}

TEST(AliasTable, SamplesInProportionToWeights) {
  const std::vector<double> w{1, 2, 3, 4, 0, 10, 0.5};
  std::vector<AliasSlot> slots(w.size());
  AliasScratch scratch;
  BuildAliasTable(w.data(), static_cast<std::uint32_t>(w.size()), slots.data(), &scratch);
  Rng rng(42);
  std::vector<double> counts(w.size(), 0);
  const int draws = 400000;
  for (int i = 0; i < draws; ++i) ++counts[SampleAlias(slots.data(), static_cast<std::uint32_t>(w.size()), rng)];
  double sum = 0;
  for (double x : w) sum += x;
  std::vector<double> probs;
  for (double x : w) probs.push_back(x / sum);
  EXPECT_EQ(counts[4], 0) << "a zero weight is never drawn";
  // 5 degrees of freedom: P(chi2 > 25) ~ 1.4e-4.
  EXPECT_LT(ChiSquare(counts, probs), 25.0);
  // And it is a real test: the same counts against uniform weights fail it.
  EXPECT_GT(ChiSquare(counts, std::vector<double>(w.size(), 1.0 / w.size())), 1000.0);
}

TEST(AliasTable, OneEntryAndEqualWeights) {
  std::vector<AliasSlot> slots(3);
  AliasScratch scratch;
  const double one = 5;
  BuildAliasTable(&one, 1, slots.data(), &scratch);
  Rng rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(SampleAlias(slots.data(), 1, rng), 0u);
  const std::vector<double> w{2, 2, 2};
  BuildAliasTable(w.data(), 3, slots.data(), &scratch);
  std::vector<double> counts(3, 0);
  for (int i = 0; i < 30000; ++i) ++counts[SampleAlias(slots.data(), 3, rng)];
  EXPECT_LT(ChiSquare(counts, {1.0 / 3, 1.0 / 3, 1.0 / 3}), 15.0);
}

TEST(EdgeCounter, WindowRepeatsAndDirection) {
  EdgeCounter c;
  c.AddSequence({0, 1, 1, 2}, 2, false);  // 0->1 0->1 (1->1 skipped) 1->2 1->2
  EXPECT_EQ(c.self_loops(), 1u);
  EXPECT_EQ(c.transitions(), 4u);
  std::vector<EdgeRecord> s = c.Sorted();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].key, EdgeKey(0, 1));
  EXPECT_EQ(s[0].count, 2u);
  EXPECT_EQ(s[1].key, EdgeKey(1, 2));
  EXPECT_EQ(s[1].count, 2u);
  EdgeCounter u;
  u.AddSequence({3, 1}, 1, true);
  s = u.Sorted();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].key, EdgeKey(1, 3));
  EXPECT_EQ(s[1].key, EdgeKey(3, 1));
}

TEST(ItemGraph, MergesShardListsSummingCounts) {
  const std::vector<EdgeRecord> a{{EdgeKey(0, 1), 2}, {EdgeKey(0, 3), 1}, {EdgeKey(2, 0), 5}};
  const std::vector<EdgeRecord> b{{EdgeKey(0, 1), 3}, {EdgeKey(1, 2), 1}};
  const std::vector<std::string_view> lists{EdgeListBytes(a), EdgeListBytes(b)};
  const GraphShape shape = MeasureEdgeLists(4, lists);
  EXPECT_EQ(shape.edges, 4u);
  EXPECT_EQ(shape.out_degree[0], 2u);
  EXPECT_EQ(shape.in_degree[0], 1u);
  // in x out: node 0: 1 x 2, node 1: 1 x 1, node 2: 1 x 1, node 3: 1 x 0.
  EXPECT_EQ(shape.second_order_entries, 4u);
  const ItemGraph g = ItemGraph::FromEdgeLists(shape, lists);
  EXPECT_EQ(g.edges(), 4u);
  EXPECT_EQ(g.degree(0), 2u);
  EXPECT_EQ(g.target(g.begin(0)), 1u);
  EXPECT_EQ(g.weight(g.begin(0)), 5u);
  EXPECT_EQ(g.degree(3), 0u);
  EXPECT_TRUE(g.HasEdge(2, 0));
  EXPECT_FALSE(g.HasEdge(0, 2));
  EXPECT_EQ(g.CsrBytes(), 8u * 5 + 8u * 4);
  // Cut differently, the same graph.
  const ItemGraph h = ItemGraph::FromTriples(4, {{EdgeKey(1, 2), 1}, {EdgeKey(0, 1), 5}, {EdgeKey(2, 0), 5},
                                                 {EdgeKey(0, 3), 1}});
  for (std::uint64_t e = 0; e < 4; ++e) {
    EXPECT_EQ(g.target(e), h.target(e));
    EXPECT_EQ(g.weight(e), h.weight(e));
  }
}

// From t=0 a walk goes to 1 or 2. Having come 0 -> 1, the next step can return to 0 (bias
// 1/p), go to 2 (0 -> 2 is an edge: distance 1 from t; bias 1) or to 3 (distance 2: 1/q).
// The tests look at walks whose second item is 1.
ItemGraph BiasGraph() {
  // weights: 1 -> 0: 1, 1 -> 2: 2, 1 -> 3: 1; 0 -> 1: 1, 0 -> 2: 1.
  return ItemGraph::FromTriples(4, {{EdgeKey(0, 1), 1}, {EdgeKey(0, 2), 1}, {EdgeKey(1, 0), 1},
                                    {EdgeKey(1, 2), 2}, {EdgeKey(1, 3), 1}, {EdgeKey(2, 1), 1},
                                    {EdgeKey(3, 1), 1}});
}

// Distribution of the third item of walks 0 -> 1 -> x.
std::vector<double> ThirdStepCounts(const Walker& walker, int walks) {
  std::vector<double> counts(4, 0);
  std::vector<std::uint32_t> walk;
  WalkStats stats;
  for (int i = 0; i < walks; ++i) {
    Rng rng(SeedFor(7, 0, static_cast<std::uint64_t>(i)));
    walker.Walk(0, rng, &walk, &stats);
    EXPECT_EQ(walk.size(), 3u);
    if (walk[1] == 1) ++counts[walk[2]];
  }
  return counts;
}

TEST(Walker, Node2vecBiasFollowsPAndQWithBothSamplers) {
  const ItemGraph g = BiasGraph();
  for (const auto& [p, q] : std::vector<std::pair<double, double>>{{0.5, 2.0}, {4.0, 0.25}, {1.0, 1.0}}) {
    // weight x bias: x=0 (return) 1/p, x=2 (adjacent to 0) 2 x 1, x=3 (outward) 1/q.
    std::vector<double> expect{1.0 / p, 0, 2.0, 1.0 / q};
    const double sum = expect[0] + expect[2] + expect[3];
    for (double& e : expect) e /= sum;
    for (SecondOrderSampler sampler : {SecondOrderSampler::kAlias, SecondOrderSampler::kRejection}) {
      WalkParams params;
      params.method = WalkMethod::kNode2vec;
      params.p = p;
      params.q = q;
      params.sampler = sampler;
      params.length = 3;
      const Walker walker(&g, params);
      EXPECT_DOUBLE_EQ(walker.SecondOrderBias(0, 0), 1.0 / p);
      EXPECT_DOUBLE_EQ(walker.SecondOrderBias(0, 2), 1.0);
      EXPECT_DOUBLE_EQ(walker.SecondOrderBias(0, 3), 1.0 / q);
      const std::vector<double> counts = ThirdStepCounts(walker, 200000);
      EXPECT_EQ(counts[1], 0);
      // 2 degrees of freedom: P(chi2 > 20) ~ 4.5e-5.
      EXPECT_LT(ChiSquare(counts, expect), 20.0) << "p " << p << " q " << q << " sampler " << SamplerName(sampler)
                                                 << ": " << counts[0] << " " << counts[2] << " " << counts[3];
    }
  }
}

// Issue 26 item 2: the rejection sampler's acceptance bound is global, max(1/p, 1, 1/q),
// so with a tiny p on a step that cannot return (a directed chain) almost every proposal
// was refused: --p 1e-7 took 25 s, smaller never ended. Every step now takes a bounded
// number of proposals (then an exact draw), and the walks keep the exact distribution.
TEST(Walker, RejectionSamplerIsBoundedAndExactForExtremePAndQ) {
  // 0 -> 1 -> 2 -> 3 -> 4: no step can go back, every step is "outward" (bias 1/q).
  const ItemGraph chain = ItemGraph::FromTriples(
      5, {{EdgeKey(0, 1), 1}, {EdgeKey(1, 2), 1}, {EdgeKey(2, 3), 1}, {EdgeKey(3, 4), 1}});
  const ItemGraph g = BiasGraph();
  for (const auto& [p, q] : std::vector<std::pair<double, double>>{
           {1e-7, 1.0}, {1e-100, 1.0}, {1.0, 1e-100}, {1e-6, 1e6}, {1e6, 1e-6}, {100.0, 0.01}}) {
    WalkParams params;
    params.method = WalkMethod::kNode2vec;
    params.p = p;
    params.q = q;
    params.sampler = SecondOrderSampler::kRejection;
    params.length = 5;
    const Walker on_chain(&chain, params);
    std::vector<std::uint32_t> walk;
    WalkStats stats;
    for (int i = 0; i < 200; ++i) {
      Rng rng(SeedFor(3, 0, static_cast<std::uint64_t>(i)));
      on_chain.Walk(0, rng, &walk, &stats);
      ASSERT_EQ(walk, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
    }
    EXPECT_LE(stats.proposals, 64 * 3 * 200) << "p " << p << " q " << q;  // 3 second-order steps a walk
    // The distribution of BiasGraph's step 0 -> 1 -> x, as the alias sampler draws it.
    std::vector<double> expect{1.0 / p, 0, 2.0, 1.0 / q};
    const double sum = expect[0] + expect[2] + expect[3];
    for (double& e : expect) e /= sum;
    params.length = 3;
    const Walker walker(&g, params);
    const std::vector<double> counts = ThirdStepCounts(walker, 100000);
    EXPECT_LT(ChiSquare(counts, expect), 20.0) << "p " << p << " q " << q << ": " << counts[0] << " " << counts[2]
                                               << " " << counts[3];
    for (std::size_t x = 0; x < 4; ++x) {
      if (expect[x] < 1e-9) {
        EXPECT_EQ(counts[x], 0) << "p " << p << " q " << q << " x " << x;
      }
    }
  }
}

TEST(Walker, DeepWalkIgnoresWhereItCameFrom) {
  const ItemGraph g = BiasGraph();
  WalkParams params;
  params.length = 3;
  const Walker walker(&g, params);
  const std::vector<double> counts = ThirdStepCounts(walker, 100000);
  EXPECT_LT(ChiSquare(counts, {0.25, 0, 0.5, 0.25}), 20.0);
}

TEST(Walker, TableBytesAsPlanned) {
  const ItemGraph g = BiasGraph();
  GraphShape shape = MeasureEdgeLists(4, {});
  shape.edges = g.edges();
  shape.second_order_entries = 0;
  for (std::uint64_t e = 0; e < g.edges(); ++e) shape.second_order_entries += g.degree(g.target(e));
  for (SecondOrderSampler sampler : {SecondOrderSampler::kAlias, SecondOrderSampler::kRejection}) {
    WalkParams params;
    params.method = WalkMethod::kNode2vec;
    params.sampler = sampler;
    EXPECT_EQ(Walker(&g, params).table_bytes(), WalkTableBytes(shape, params));
  }
  EXPECT_EQ(Walker(&g, WalkParams()).table_bytes(), WalkTableBytes(shape, WalkParams()));
}

TEST(Walker, DeadEndEndsTheWalkEarly) {
  const ItemGraph g = ItemGraph::FromTriples(3, {{EdgeKey(0, 1), 1}, {EdgeKey(1, 2), 1}});
  for (WalkMethod method : {WalkMethod::kDeepWalk, WalkMethod::kNode2vec}) {
    WalkParams params;
    params.method = method;
    params.length = 10;
    const Walker walker(&g, params);
    std::vector<std::uint32_t> walk;
    WalkStats stats;
    Rng rng(3);
    walker.Walk(0, rng, &walk, &stats);
    EXPECT_EQ(walk, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(stats.walks, 1);
    EXPECT_EQ(stats.tokens, 3);
    EXPECT_EQ(stats.dead_end_walks, 1);
  }
}

TEST(Walker, SameSeedSameWalk) {
  const ItemGraph g = BiasGraph();
  WalkParams params;
  params.method = WalkMethod::kNode2vec;
  params.q = 0.5;
  params.length = 30;
  const Walker walker(&g, params);
  std::vector<std::uint32_t> a, b;
  WalkStats stats;
  Rng r1(SeedFor(1, 2, 3)), r2(SeedFor(1, 2, 3));
  walker.Walk(1, r1, &a, &stats);
  walker.Walk(1, r2, &b, &stats);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 30u);
}

TEST(WalkOptions, RefusesBadValues) {
  WalkOptions ok;
  ok.input = {"x"};
  ok.output = "y";
  EXPECT_TRUE(ResolveWalkOptions(ok).ok());
  // One change to good options each, and a piece of the message that refuses it.
  const std::vector<std::pair<std::function<void(WalkOptions&)>, std::string>> cases = {
      {[](WalkOptions& o) { o.method = "line"; }, "--method must be deepwalk or node2vec"},
      {[](WalkOptions& o) { o.q = 2; }, "--method node2vec"},
      {[](WalkOptions& o) { o.method = "node2vec", o.p = 0; }, "--p must be a positive"},
      // A bias of 1/p or 1/q beyond 1e100 overflows weight x bias (issue 26 item 2).
      {[](WalkOptions& o) { o.method = "node2vec", o.p = 1e-300; }, "--p must be between 1e-100 and 1e+100"},
      {[](WalkOptions& o) { o.method = "node2vec", o.q = 1e101; }, "--q must be between 1e-100 and 1e+100"},
      {[](WalkOptions& o) { o.walk_length = 1; }, "--walk-length"},
      {[](WalkOptions& o) { o.memory = "12Q"; }, "--memory"},
      {[](WalkOptions& o) { o.input.clear(); }, "--input is required"},
  };
  for (const auto& [change, piece] : cases) {
    WalkOptions o = ok;
    change(o);
    const Status st = ResolveWalkOptions(o).status();
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << piece;
    EXPECT_NE(st.message().find(piece), std::string::npos) << st.message();
  }
}

WalkConfig SmallConfig(const testing::TempDir& dir) {
  WalkOptions o;
  o.input = {dir.File("seqs.txt")};
  o.output = dir.File("walks");
  o.walks_per_item = 2;
  o.walk_length = 5;
  return ResolveWalkOptions(o).value();
}

TEST(RunWalk, CountsDeadEndsIsolatedItemsAndWalks) {
  testing::TempDir dir;
  // a -> b -> c (c: dead end), d alone (isolated), e e (a repeat: no edge, isolated).
  testing::WriteFile(dir.File("seqs.txt"), "a b c\nd\ne e\n");
  CollectiveComm comm;
  Result<WalkSummary> s = RunWalk(SmallConfig(dir), comm);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->nodes, 5);
  EXPECT_EQ(s->edges, 2);
  EXPECT_EQ(s->self_loops, 1);
  EXPECT_EQ(s->start_items, 2);
  EXPECT_EQ(s->dead_end_items, 1);
  EXPECT_EQ(s->isolated_items, 2);
  EXPECT_EQ(s->walks.walks, 4);           // 2 start items x 2
  EXPECT_EQ(s->walks.tokens, 2 * 3 + 2 * 2);  // a b c, b c
  EXPECT_EQ(s->walks.dead_end_walks, 4);
  const std::string out = testing::ReadFile(dir.File("walks/part-00000"));
  EXPECT_NE(out.find("a b c\n"), std::string::npos);
  EXPECT_NE(out.find("b c\n"), std::string::npos);
  EXPECT_TRUE(testing::Exists(dir.File("walks/_summary.json")));
}

TEST(RunWalk, RefusesNode2vecAliasTablesOverMemoryAndSuggestsRejection) {
  testing::TempDir dir;
  // One line of 64 items, window 64, undirected: the complete graph, 64 x 63 x 63 second-order
  // entries (2 MiB of tables) against a CSR of 32 KiB.
  std::string line;
  for (int i = 0; i < 64; ++i) line += "i" + std::to_string(i) + " ";
  testing::WriteFile(dir.File("seqs.txt"), line + "\n");
  WalkConfig c = SmallConfig(dir);
  c.window = 64;
  c.undirected = true;
  c.params.method = WalkMethod::kNode2vec;
  c.memory_bytes = 1 << 20;
  CollectiveComm comm;
  Result<WalkSummary> s = RunWalk(c, comm);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.status().message().find("--sampler rejection"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("254016 entries"), std::string::npos) << s.status().message();
  EXPECT_FALSE(testing::Exists(dir.File("walks/part-00000")));
  c.params.sampler = SecondOrderSampler::kRejection;
  s = RunWalk(c, comm);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->walks.walks, 128);
  EXPECT_EQ(s->walks.tokens, 128 * 5);
  EXPECT_EQ(s->dead_end_items, 0);
}

TEST(RunWalk, RefusesEdgeCountsOverMemory) {
  testing::TempDir dir;
  std::string line;
  for (int i = 0; i < 400; ++i) line += "i" + std::to_string(i) + " ";
  testing::WriteFile(dir.File("seqs.txt"), line + "\n");  // window 400: 79800 distinct transitions
  WalkConfig c = SmallConfig(dir);
  c.window = 400;
  c.memory_bytes = 1 << 20;
  CollectiveComm comm;
  Result<WalkSummary> s = RunWalk(c, comm);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.status().message().find("the edge counts of this rank's share"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("79800 distinct transitions"), std::string::npos) << s.status().message();
}

TEST(RunWalk, EmptyAndMissingInputAreClearErrors) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("seqs.txt"), "\n\n");
  CollectiveComm comm;
  Result<WalkSummary> s = RunWalk(SmallConfig(dir), comm);
  EXPECT_EQ(s.status().code(), Status::Code::kDataError);
  EXPECT_NE(s.status().message().find("empty"), std::string::npos) << s.status().message();
  testing::WriteFile(dir.File("seqs.txt"), "a\nb b b\n");
  s = RunWalk(SmallConfig(dir), comm);
  EXPECT_EQ(s.status().code(), Status::Code::kDataError);
  EXPECT_NE(s.status().message().find("no edge to walk along"), std::string::npos) << s.status().message();
  WalkConfig c = SmallConfig(dir);
  c.input = {dir.File("nope.txt")};
  s = RunWalk(c, comm);
  EXPECT_EQ(s.status().code(), Status::Code::kNotFound) << s.status().ToString();
}

}  // namespace
}  // namespace item2vec
