// Tests of tools/report/model_change.h: vocabulary added/removed with their most frequent
// examples, the previous model read once, and neighbour overlap@k by item name between two
// heads of different orders.
#include "tools/report/model_change.h"

#include <gtest/gtest.h>

#include "common/word2vec_format.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

TEST(ModelChangeTest, CountsAddedAndRemovedItemsWithTheMostFrequentOfEach) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("before.tsv"), "a\t9\nb\t8\ngone1\t7\nc\t6\ngone2\t5\n");
  const Vocabulary now =
      Vocabulary::FromSorted({"c", "new1", "a", "new2", "new3", "b"}, {20, 10, 9, 3, 2, 1});
  Result<VocabularyChange> v = CompareVocabularies(dir.File("before.tsv"), now, 2);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->previous_items, 5);
  EXPECT_EQ(v->items, 6);
  EXPECT_EQ(v->added, 3);
  EXPECT_EQ(v->removed, 2);
  const std::vector<std::pair<std::string, Count>> added = {{"new1", 10}, {"new2", 3}};
  const std::vector<std::pair<std::string, Count>> removed = {{"gone1", 7}, {"gone2", 5}};
  EXPECT_EQ(v->top_added, added);
  EXPECT_EQ(v->top_removed, removed);
  EXPECT_FALSE(CompareVocabularies(dir.File("missing.tsv"), now, 2).ok());
}

TEST(ModelChangeTest, ReadsThePreviousModelOnce) {
  testing::TempDir dir;
  Word2VecWriter w;
  ASSERT_TRUE(w.Open("", dir.File("vectors.bin"), 3, 2).ok());
  const float rows[3][2] = {{1, 0}, {0, 1}, {1, 1}};
  for (int i = 0; i < 3; ++i) w.Add(std::string(1, static_cast<char>('a' + i)), rows[i]);
  ASSERT_TRUE(w.Commit().ok());
  testing::WriteFile(dir.File("vocab.tsv"), "a\t3\nb\t2\nc\t1\n");
  const Vocabulary now = Vocabulary::FromSorted({"b", "z"}, {5, 4});
  Result<PreviousModel> p = ReadPreviousModel(HeadFilesOf(dir.path()), "yesterday", 2, &now);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->label, "yesterday");
  EXPECT_EQ(p->head.size(), 2u);
  ASSERT_TRUE(p->vocabulary.has_value());
  EXPECT_EQ(p->vocabulary->removed, 2);  // a, c
  EXPECT_EQ(p->vocabulary->added, 1);    // z
  Result<PreviousModel> no_vocab = ReadPreviousModel(HeadFilesOf(dir.path()), "x", 2, nullptr);
  ASSERT_TRUE(no_vocab.ok());
  EXPECT_FALSE(no_vocab->vocabulary.has_value());
  EXPECT_FALSE(ReadPreviousModel(HeadFilesOf(dir.File("nope")), "x", 2, &now).ok());
}

// A head of the given items whose neighbour lists (by item name) are given.
void MakeHead(const std::vector<std::string>& items, const std::vector<std::vector<std::string>>& neighbours,
              ModelHead* head, HeadNeighbours* nb) {
  head->items = items;
  head->counts.assign(items.size(), 1);
  head->dim = 1;
  head->rows.assign(items.size(), 1.0f);
  nb->k = 3;
  nb->ids.assign(items.size() * 3, -1);
  nb->scores.assign(items.size() * 3, 0);
  nb->searched.assign(items.size(), 0);
  for (std::size_t i = 0; i < neighbours.size(); ++i) {
    nb->searched[i] = 1;
    for (std::size_t j = 0; j < neighbours[i].size(); ++j)
      nb->ids[i * 3 + j] = std::find(items.begin(), items.end(), neighbours[i][j]) - items.begin();
  }
}

TEST(ModelChangeTest, OverlapComparesNeighboursByNameAcrossReorderedHeads) {
  ModelHead now, before;
  HeadNeighbours now_nb, before_nb;
  MakeHead({"a", "b", "c", "d", "x"}, {{"b", "c", "d"}, {"a", "c", "d"}, {"a", "b", "x"}}, &now, &now_nb);
  // The previous model ranks the items differently and never had x.
  MakeHead({"c", "a", "d", "b"}, {{"a", "b", "d"}, {"b", "c", "d"}, {"a", "b", "c"}, {"d", "c", "a"}}, &before, &before_nb);
  NeighbourChange c = CompareNeighbours(now, now_nb, before, before_nb, 10, 2);
  EXPECT_EQ(c.k, 3);
  EXPECT_EQ(c.compared, 3);  // a, b, c (d was not searched in `now`)
  // a: {b,c,d} vs {b,c,d} = 3; b: {a,c,d} vs {d,c,a} = 3; c: {a,b,x} vs {a,b,d} = 2.
  EXPECT_NEAR(c.mean_overlap, (3 + 3 + 2) / 9.0, 1e-12);
  const std::vector<std::int64_t> histogram = {0, 0, 1, 2};
  EXPECT_EQ(c.histogram, histogram);
  ASSERT_EQ(c.most_changed.size(), 2u);
  EXPECT_EQ(c.most_changed[0].id, 2u);  // c, the lowest overlap
  EXPECT_EQ(c.most_changed[0].shared, 2);
  EXPECT_EQ(c.most_changed[1].id, 0u);  // then the more frequent of the ties
  EXPECT_EQ(CompareNeighbours(now, now_nb, before, before_nb, 1, 5).compared, 1);  // only the top item
}

}  // namespace
}  // namespace item2vec
