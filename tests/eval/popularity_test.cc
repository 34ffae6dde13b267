#include "model/popularity.h"

#include <gtest/gtest.h>

#include "tests/eval/eval_test_util.h"

namespace item2vec {
namespace {

using eval_testing::TempDir;
using eval_testing::WriteFile;

TEST(PopularityRanker, RanksByCountThenRowWithExclusions) {
  // rows:            0  1   2  3  4
  const PopularityRanker p({5, 9, 5, 0, 7});  // order: 1, 4, 0, 2, 3
  std::vector<ItemId> scratch;
  EXPECT_EQ(p.Rank(1, nullptr, 0, &scratch), 1);
  EXPECT_EQ(p.Rank(0, nullptr, 0, &scratch), 3);
  EXPECT_EQ(p.Rank(2, nullptr, 0, &scratch), 4);  // tie with row 0: lower row first
  EXPECT_EQ(p.Rank(3, nullptr, 0, &scratch), 5);
  EXPECT_EQ(p.Rank(-1, nullptr, 0, &scratch), 0);
  const std::vector<ItemId> ex = {4, 1, 4, 3};  // duplicates count once; 3 is behind
  EXPECT_EQ(p.Rank(0, ex.data(), ex.size(), &scratch), 1);
  EXPECT_EQ(p.Rank(2, ex.data(), ex.size(), &scratch), 2);
  EXPECT_EQ(p.Rank(4, ex.data(), ex.size(), &scratch), 0);  // excluded target: a miss
}

TEST(PopularityCounts, VocabTsvAndTrainingSequences) {
  TempDir dir;
  WriteFile(dir.File("vocab.tsv"), "a\t10\nb c\t3\r\n");
  Result<ItemCounter> v = ReadVocabCounts(dir.File("vocab.tsv"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Get("a"), 10);
  EXPECT_EQ(v->Get("b c"), 3);
  WriteFile(dir.File("bad.tsv"), "a\t10\nb\tmany\n");
  Result<ItemCounter> bad = ReadVocabCounts(dir.File("bad.tsv"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.tsv:2"), std::string::npos) << bad.status().message();

  std::filesystem::create_directory(dir.File("seqs"));
  WriteFile(dir.File("seqs/part-0"), "a b a\nc\n");
  WriteFile(dir.File("seqs/part-1"), "a  c\n");
  Result<ItemCounter> t = CountSequenceItems({dir.File("seqs")});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Get("a"), 3);
  EXPECT_EQ(t->Get("b"), 1);
  EXPECT_EQ(t->Get("c"), 2);
  EXPECT_FALSE(CountSequenceItems({dir.File("nothing")}).ok());
}

}  // namespace
}  // namespace item2vec
