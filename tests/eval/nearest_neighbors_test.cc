#include "model/nearest_neighbors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

// Random rows with planted exact duplicates (ties in score) and a zero row.
std::vector<float> RandomRows(std::size_t n, int d, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> rows(n * d);
  for (float& x : rows) x = g(rng);
  for (std::size_t i = 0; i + 1 < n; i += 97)  // row i+1 copies row i: equal scores
    std::copy(rows.begin() + i * d, rows.begin() + (i + 1) * d, rows.begin() + (i + 1) * d);
  std::fill(rows.begin() + 5 * d, rows.begin() + 6 * d, 0.0f);
  return rows;
}

// The O(n) per query reference: score every item with the documented arithmetic, sort by
// (score desc, id asc) after removing the excluded items.
struct Reference {
  std::vector<std::int64_t> rank;
  std::vector<std::vector<std::pair<std::int64_t, float>>> top;
};

Reference Naive(const ItemMatrix& m, const std::vector<float>& q, const std::vector<std::int64_t>& targets,
                const std::vector<std::size_t>& ex_begin, const std::vector<ItemId>& ex, int k) {
  const int d = m.dim();
  const std::size_t nq = targets.size();
  Reference ref;
  for (std::size_t i = 0; i < nq; ++i) {
    std::vector<std::pair<float, std::int64_t>> scored;
    for (std::size_t j = 0; j < m.size(); ++j) {
      if (std::find(ex.begin() + ex_begin[i], ex.begin() + ex_begin[i + 1], static_cast<ItemId>(j)) !=
          ex.begin() + ex_begin[i + 1])
        continue;
      float s = 0.0f;
      for (int t = 0; t < d; ++t) s += q[i * d + t] * m.at(j, t);
      scored.push_back({s, static_cast<std::int64_t>(j)});
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    std::int64_t rank = 0;
    for (std::size_t r = 0; r < scored.size(); ++r)
      if (scored[r].second == targets[i]) rank = static_cast<std::int64_t>(r) + 1;
    ref.rank.push_back(rank);
    std::vector<std::pair<std::int64_t, float>> top;
    for (std::size_t r = 0; r < scored.size() && r < static_cast<std::size_t>(k); ++r)
      top.push_back({scored[r].second, scored[r].first});
    ref.top.push_back(top);
  }
  return ref;
}

TEST(ItemMatrix, NormalisesRowsAndKeepsZeroRows) {
  const std::vector<float> rows = {3, 4, 0, 0, 0, 0, 1, 0, 0};  // 3 items x 3 dims
  ItemMatrix m = ItemMatrix::FromRows(rows.data(), 3, 3);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.num_panels(), 1u);
  EXPECT_FLOAT_EQ(m.at(0, 0), 0.6f);
  EXPECT_FLOAT_EQ(m.at(0, 1), 0.8f);
  EXPECT_EQ(m.at(1, 0), 0.0f);
  EXPECT_EQ(m.at(1, 2), 0.0f);
  EXPECT_FLOAT_EQ(m.at(2, 0), 1.0f);
  float row[3];
  m.CopyRow(0, row);
  EXPECT_FLOAT_EQ(row[1], 0.8f);
  const float q[3] = {1, 0, 0};
  EXPECT_FLOAT_EQ(m.Dot(q, 0), 0.6f);
}

struct Case {
  int threads, query_block, item_block;
};

class ExactSearchVsNaive : public ::testing::TestWithParam<Case> {};

TEST_P(ExactSearchVsNaive, RanksAndTopKAgreeExactly) {
  const Case c = GetParam();
  const std::size_t n = 1237;  // not a multiple of the panel (16) or any block size
  const int d = 37;
  const std::size_t nq = 203;  // not a multiple of the 4-query tile or the query block
  const int k = 7;
  const std::vector<float> rows = RandomRows(n, d, 42);
  const ItemMatrix m = ItemMatrix::FromRows(rows.data(), n, d);

  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int64_t> pick(0, static_cast<std::int64_t>(n) - 1);
  std::vector<float> q(nq * d);
  std::vector<std::int64_t> targets(nq);
  std::vector<std::size_t> ex_begin{0};
  std::vector<ItemId> ex;
  for (std::size_t i = 0; i < nq; ++i) {
    const std::int64_t src = pick(rng);
    m.CopyRow(static_cast<std::size_t>(src), q.data() + i * d);  // item queries, like eval
    if (i % 5 == 0) {  // a mean-like query: not an item row
      const std::int64_t other = pick(rng);
      for (int t = 0; t < d; ++t) q[i * d + t] += m.at(static_cast<std::size_t>(other), t);
    }
    targets[i] = i % 11 == 0 ? -1 : pick(rng);
    if (i % 13 == 0) targets[i] = src + 1 < static_cast<std::int64_t>(n) ? src + 1 : src - 1;  // near ties
    ex.push_back(static_cast<ItemId>(src));  // the query item
    const int extra = static_cast<int>(i % 4);
    for (int e = 0; e < extra; ++e) ex.push_back(static_cast<ItemId>(pick(rng)));
    if (i % 7 == 0) ex.push_back(static_cast<ItemId>(src));  // duplicate exclusion
    if (i % 17 == 0 && targets[i] >= 0) ex.push_back(static_cast<ItemId>(targets[i]));  // excluded target
    ex_begin.push_back(ex.size());
  }
  const Reference ref = Naive(m, q, targets, ex_begin, ex, k);

  const QuerySet qs{q.data(), nq, targets.data(), ex_begin.data(), ex.data()};
  SearchOptions o;
  o.threads = c.threads;
  o.top_k = k;
  o.query_block = c.query_block;
  o.item_block = c.item_block;
  SearchResults res;
  ASSERT_TRUE(ExactSearch(m, qs, o, &res).ok());
  int hits = 0, excluded_targets = 0;
  for (std::size_t i = 0; i < nq; ++i) {
    ASSERT_EQ(res.rank[i], ref.rank[i]) << "query " << i << " target " << targets[i];
    hits += res.rank[i] == 1;
    excluded_targets += targets[i] >= 0 && res.rank[i] == 0;
    ASSERT_EQ(ref.top[i].size(), static_cast<std::size_t>(k));
    for (int r = 0; r < k; ++r) {
      EXPECT_EQ(res.top_items[i * k + r], ref.top[i][r].first) << "query " << i << " place " << r;
      EXPECT_EQ(res.top_scores[i * k + r], ref.top[i][r].second) << "query " << i << " place " << r;
    }
  }
  EXPECT_GT(excluded_targets, 0);  // the case was exercised
  EXPECT_GT(hits, 0);              // the planted duplicate / neighbour targets
}

INSTANTIATE_TEST_SUITE_P(Blocks, ExactSearchVsNaive,
                         ::testing::Values(Case{1, 0, 0}, Case{2, 0, 0}, Case{1, 8, 48}, Case{2, 12, 16},
                                           Case{2, 4, 2000}, Case{3, 64, 100}));

TEST(ExactSearch, TopKWithoutTargetsAndShortLists) {
  // 3 items, k = 5: two neighbours then padding.
  const std::vector<float> rows = {1, 0, 0.9f, 0.1f, 0, 1};
  const ItemMatrix m = ItemMatrix::FromRows(rows.data(), 3, 2);
  std::vector<float> q(2);
  m.CopyRow(0, q.data());
  const std::vector<std::size_t> ex_begin = {0, 1};
  const std::vector<ItemId> ex = {0};
  QuerySet qs;
  qs.vectors = q.data();
  qs.count = 1;
  qs.exclude_begin = ex_begin.data();
  qs.exclude = ex.data();
  SearchOptions o;
  o.top_k = 5;
  SearchResults res;
  ASSERT_TRUE(ExactSearch(m, qs, o, &res).ok());
  EXPECT_EQ(res.rank[0], 0);  // no targets
  EXPECT_EQ(res.top_items[0], 1);
  EXPECT_EQ(res.top_items[1], 2);
  EXPECT_EQ(res.top_items[2], -1);
  EXPECT_EQ(res.top_scores[4], -std::numeric_limits<float>::infinity());
  EXPECT_NEAR(res.top_scores[0], 0.9f / std::sqrt(0.82f), 1e-6);
}

TEST(ExactSearch, RejectsOutOfRangeIds) {
  const std::vector<float> rows = {1, 0, 0, 1};
  const ItemMatrix m = ItemMatrix::FromRows(rows.data(), 2, 2);
  const std::vector<float> q = {1, 0};
  const std::vector<std::int64_t> targets = {2};
  QuerySet qs;
  qs.vectors = q.data();
  qs.count = 1;
  qs.targets = targets.data();
  SearchResults res;
  Status st = ExactSearch(m, qs, SearchOptions{}, &res);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  const std::vector<std::int64_t> ok_targets = {1};
  const std::vector<std::size_t> ex_begin = {0, 1};
  const std::vector<ItemId> ex = {9};
  qs.targets = ok_targets.data();
  qs.exclude_begin = ex_begin.data();
  qs.exclude = ex.data();
  EXPECT_EQ(ExactSearch(m, qs, SearchOptions{}, &res).code(), Status::Code::kInvalidArgument);
  SearchOptions bad;
  bad.threads = 0;
  qs.exclude_begin = nullptr;
  EXPECT_EQ(ExactSearch(m, qs, bad, &res).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace item2vec
