// Tests of tools/report/model_head.h: the head is the first rows with their counts, a
// vocab.tsv of another model is refused, neighbours match a brute-force search, and the
// principal plane separates two planted clusters the same way every time.
#include "tools/report/model_head.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "tests/report/report_test_util.h"

namespace item2vec {
namespace {

// A model directory in a temp dir: items c0_*, c1_* around two orthogonal directions of
// dim 8, interleaved by count.
struct PlantedModel {
  explicit PlantedModel(int per_cluster) {
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0, 0.15f);
    for (int i = 0; i < 2 * per_cluster; ++i) {
      const int c = i % 2;
      items.push_back("c" + std::to_string(c) + "_" + std::to_string(i / 2));
      std::vector<float> r(8);
      for (float& v : r) v = noise(rng);
      r[static_cast<std::size_t>(c)] += 1;
      rows.push_back(r);
    }
    report_test::WriteModel(dir.path(), items, rows);
  }
  Result<ModelHead> Head(std::size_t n) const { return LoadModelHead(HeadFilesOf(dir.path()), n); }

  testing::TempDir dir;
  std::vector<std::string> items;
  std::vector<std::vector<float>> rows;
};

TEST(ModelHeadTest, LoadsTheFirstRowsAndTheirCounts) {
  const PlantedModel m(5);
  Result<ModelHead> head = m.Head(4);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size(), 4u);
  EXPECT_EQ(head->total_items, 10);
  EXPECT_EQ(head->items[3], m.items[3]);
  EXPECT_EQ(head->counts[3], 997);
  EXPECT_EQ(head->row(2)[5], m.rows[2][5]);
  Result<ModelHead> all = m.Head(100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 10u);
}

TEST(ModelHeadTest, RefusesAVocabularyOfAnotherModelAndAMissingFile) {
  const PlantedModel m(3);
  testing::WriteFile(m.dir.File("vocab.tsv"), "c0_0\t9\nother\t8\n");
  Result<ModelHead> head = m.Head(6);
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.status().message().find("not from the same model"), std::string::npos) << head.status().message();
  EXPECT_FALSE(LoadModelHead({m.dir.File("nope.bin"), ""}, 6).ok());
}

TEST(ModelHeadTest, NeighboursMatchABruteForceCosineSearch) {
  const PlantedModel m(20);
  Result<ModelHead> head = m.Head(40);
  ASSERT_TRUE(head.ok());
  Result<HeadNeighbours> nb = FindHeadNeighbours(*head, 5, {0, 7, 39}, 2);
  ASSERT_TRUE(nb.ok()) << nb.status().ToString();
  EXPECT_TRUE(nb->has(7));
  EXPECT_FALSE(nb->has(1));
  EXPECT_EQ(nb->of(1)[0], -1);
  const std::vector<std::vector<float>>& rows = m.rows;
  auto cosine = [&](std::size_t a, std::size_t b) {
    double ab = 0, aa = 0, bb = 0;
    for (int k = 0; k < 8; ++k) ab += rows[a][k] * rows[b][k], aa += rows[a][k] * rows[a][k], bb += rows[b][k] * rows[b][k];
    return ab / std::sqrt(aa * bb);
  };
  for (std::size_t q : {0u, 7u, 39u}) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < 40; ++i)
      if (i != q) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cosine(q, a) > cosine(q, b); });
    for (int j = 0; j < 5; ++j) {
      EXPECT_EQ(nb->of(q)[j], static_cast<std::int64_t>(order[static_cast<std::size_t>(j)])) << "query " << q << " rank " << j;
      EXPECT_NEAR(nb->scores_of(q)[j], cosine(q, order[static_cast<std::size_t>(j)]), 1e-5);
      EXPECT_EQ(nb->of(q)[j] % 2, static_cast<std::int64_t>(q % 2));  // the same planted cluster
    }
  }
}

TEST(ModelHeadTest, ThePrincipalPlaneSeparatesTwoClustersAndIsStable) {
  const PlantedModel m(30);
  Result<ModelHead> head = m.Head(60);
  ASSERT_TRUE(head.ok());
  const auto map = PrincipalPlane(*head, 60);
  ASSERT_EQ(map.size(), 60u);
  // The clusters fall on opposite sides of 0 on the first component.
  int agree = 0;
  for (std::size_t i = 0; i < 60; ++i) agree += (map[i][0] > 0) == (map[0][0] > 0) ? (i % 2 == 0) : (i % 2 == 1);
  EXPECT_EQ(agree, 60);
  EXPECT_EQ(PrincipalPlane(*head, 60), map);  // the same every time
  EXPECT_EQ(PrincipalPlane(*head, 10).size(), 10u);
}

}  // namespace
}  // namespace item2vec
