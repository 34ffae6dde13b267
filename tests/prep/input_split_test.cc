#include "tools/prep/input_split.h"

#include <gtest/gtest.h>

namespace item2vec {
namespace {

std::vector<InputFile> Files() { return {{"a", 100}, {"empty", 0}, {"b", 50}, {"c", 150}}; }

TEST(InputSplit, RangesCoverEveryByteOnceInRankOrder) {
  const std::vector<InputFile> files = Files();
  for (int ranks : {1, 2, 3, 7}) {
    const auto plan = PlanRanges(files, ranks, std::vector<bool>(files.size(), false));
    ASSERT_EQ(plan.size(), static_cast<std::size_t>(ranks));
    std::vector<std::int64_t> covered(files.size(), 0);
    std::int64_t last_global = -1;
    for (const auto& ranges : plan) {
      for (const FileRange& r : ranges) {
        EXPECT_NE(files[r.file_index].size, 0);
        EXPECT_EQ(r.begin, covered[r.file_index]) << "ranges of a file follow each other";
        covered[r.file_index] = r.end;
        std::int64_t global = r.begin;
        for (std::size_t f = 0; f < r.file_index; ++f) global += files[f].size;
        EXPECT_GT(global, last_global) << "ranges come in input order";
        last_global = global;
      }
    }
    for (std::size_t f = 0; f < files.size(); ++f) EXPECT_EQ(covered[f], files[f].size) << f;
  }
  // One rank: each non-empty file whole.
  const auto one = PlanRanges(files, 1, std::vector<bool>(files.size(), false));
  ASSERT_EQ(one[0].size(), 3u);
  EXPECT_EQ(one[0][2].file_index, 3u);
  EXPECT_EQ(one[0][2].end, 150);
}

TEST(InputSplit, AWholeFileGoesToTheFirstRankThatHadARangeOfIt) {
  const std::vector<InputFile> files = Files();
  // 3 ranks over 300 bytes: [0,100) a, [100,200) b + c[0,50), [200,300) c[50,150).
  const auto plan = PlanRanges(files, 3, {false, false, false, true});
  ASSERT_EQ(plan[1].size(), 2u);
  EXPECT_EQ(plan[1][1].file_index, 3u);
  EXPECT_EQ(plan[1][1].begin, 0);
  EXPECT_EQ(plan[1][1].end, 150);
  EXPECT_TRUE(plan[2].empty());
}

TEST(InputSplit, BadJoinsAndLineBases) {
  // File 0 read by ranks 0 and 1 with matching ends; file 1 by ranks 1 and 2, where rank 1
  // read past the point rank 2 started at (a record spanning the split point).
  std::vector<std::vector<RangeOutcome>> by_rank = {
      {{0, 0, 60, 6}},
      {{0, 60, 100, 4}, {1, 0, 80, 8}},
      {{1, 70, 120, 5}},
  };
  EXPECT_EQ(FilesWithBadJoins(2, by_rank), (std::vector<bool>{false, true}));
  EXPECT_EQ(LineBase(by_rank, 0, 0), 0);
  EXPECT_EQ(LineBase(by_rank, 1, 0), 6);
  EXPECT_EQ(LineBase(by_rank, 2, 1), 8);
  by_rank[2][0].start = 80;
  EXPECT_EQ(FilesWithBadJoins(2, by_rank), (std::vector<bool>{false, false}));
}

}  // namespace
}  // namespace item2vec
