#include "model/test_records.h"

#include <gtest/gtest.h>

#include "tests/eval/eval_test_util.h"

namespace item2vec {
namespace {

using eval_testing::TempDir;
using eval_testing::WriteFile;

class TestRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<ItemIndex> index = ItemIndex::Build(items_);
    ASSERT_TRUE(index.ok());
    index_ = *index;
  }
  Result<TestRecords> Read(const std::string& content) {
    WriteFile(dir_.File("test.tsv"), content);
    return ReadTestRecords(dir_.File("test.tsv"), index_);
  }
  std::vector<std::string> items_ = {"a", "b", "c", "d"};
  ItemIndex index_;
  TempDir dir_;
};

TEST_F(TestRecordsTest, ParsesHistoriesAndMarksUnknownItems) {
  Result<TestRecords> r = Read(
      "u1\tb\ta c  d\n"      // double space between items is fine
      "u2\tzz\tc\r\n"        // CRLF, unknown target
      "\n"                   // blank line skipped
      "u3\ta\t\n"            // empty history
      "u4\tc\n"              // history field absent
      "u5\td\tq a\n");       // unknown history item
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ(r->target, (std::vector<std::int64_t>{1, -1, 0, 2, 3}));
  EXPECT_EQ(r->line, (std::vector<std::int64_t>{1, 2, 4, 5, 6}));
  ASSERT_EQ(r->history_size(0), 3u);
  EXPECT_EQ(r->history_of(0)[0], 0);
  EXPECT_EQ(r->history_of(0)[2], 3);
  EXPECT_EQ(r->history_size(1), 1u);
  EXPECT_EQ(r->history_of(1)[0], 2);
  EXPECT_EQ(r->history_size(2), 0u);
  EXPECT_EQ(r->history_size(3), 0u);
  ASSERT_EQ(r->history_size(4), 2u);
  EXPECT_EQ(r->history_of(4)[0], -1);
  EXPECT_EQ(r->history_of(4)[1], 0);
}

TEST_F(TestRecordsTest, MalformedLinesNameFileLineAndProblem) {
  struct Bad {
    const char* content;
    const char* expect;
  };
  for (const Bad& b : {Bad{"u1\ta\tb\nonlyonefield\n", "test.tsv:2: no tab"},
                       Bad{"u1\ta\tb\tc\n", "test.tsv:1: more than 3"},
                       Bad{"\ta\tb\n", "test.tsv:1: empty user"},
                       Bad{"u\t\tb\n", "test.tsv:1: empty next_item"},
                       Bad{"u1\ta\tb\nu2\ta b\tc\n", "test.tsv:2: next_item 'a b' contains a space"}}) {
    Result<TestRecords> r = Read(b.content);
    ASSERT_FALSE(r.ok()) << b.content;
    EXPECT_EQ(r.status().code(), Status::Code::kDataError);
    EXPECT_NE(r.status().message().find(b.expect), std::string::npos) << r.status().message();
  }
}

TEST_F(TestRecordsTest, MissingFileIsNotFound) {
  Result<TestRecords> r = ReadTestRecords(dir_.File("nope.tsv"), index_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("nope.tsv"), std::string::npos);
}

TEST(ItemIndex, FindsRowsAndRejectsDuplicates) {
  const std::vector<std::string> items = {"x", "y"};
  Result<ItemIndex> index = ItemIndex::Build(items);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->Find("y"), 1);
  EXPECT_EQ(index->Find("z"), -1);
  const std::vector<std::string> dup = {"x", "y", "x"};
  Result<ItemIndex> bad = ItemIndex::Build(dup);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("rows 1 and 3"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace item2vec
