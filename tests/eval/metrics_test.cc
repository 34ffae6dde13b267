#include "model/metrics.h"

#include <cmath>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

TEST(Metrics, HandComputedRanks) {
  MetricsAccumulator m({1, 5, 10});
  for (std::int64_t rank : {1, 3, 0, 12}) m.Add(rank);
  EXPECT_EQ(m.records(), 4);
  EXPECT_EQ(m.misses(), 1);
  EXPECT_DOUBLE_EQ(m.HitRate(0), 0.25);  // rank 1
  EXPECT_DOUBLE_EQ(m.HitRate(1), 0.5);   // ranks 1, 3
  EXPECT_DOUBLE_EQ(m.HitRate(2), 0.5);   // 12 > 10
  EXPECT_DOUBLE_EQ(m.Ndcg(0), 0.25);
  EXPECT_DOUBLE_EQ(m.Ndcg(1), (1.0 + 0.5) / 4);  // 1/log2(3+1) = 1/2
  EXPECT_DOUBLE_EQ(m.Ndcg(2), (1.0 + 0.5) / 4);
  EXPECT_DOUBLE_EQ(m.Mrr(), (1.0 + 1.0 / 3 + 0 + 1.0 / 12) / 4);  // full rank: 12 counts
}

TEST(Metrics, NdcgUsesLog2OfRankPlusOne) {
  MetricsAccumulator m({2, 7});
  m.Add(2);
  m.Add(7);
  EXPECT_DOUBLE_EQ(m.Ndcg(0), (1.0 / std::log2(3.0)) / 2);
  EXPECT_DOUBLE_EQ(m.Ndcg(1), (1.0 / std::log2(3.0) + 1.0 / 3.0) / 2);  // log2(8) = 3
  EXPECT_DOUBLE_EQ(m.HitRate(0), 0.5);
  EXPECT_DOUBLE_EQ(m.HitRate(1), 1.0);
}

TEST(Metrics, EmptyIsZero) {
  MetricsAccumulator m({1});
  EXPECT_EQ(m.records(), 0);
  EXPECT_EQ(m.HitRate(0), 0.0);
  EXPECT_EQ(m.Mrr(), 0.0);
}

TEST(Metrics, ParseKList) {
  Result<std::vector<int>> ks = ParseKList("20,5,1,5,10");
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ(*ks, (std::vector<int>{1, 5, 10, 20}));
  for (const char* bad : {"", "1,", ",1", "0", "-3", "1,x", "5 ", "1;5"}) {
    Result<std::vector<int>> r = ParseKList(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "'";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace item2vec
