// Tests of common/side_info.h (the --side-info table: multi-valued and numeric columns, the
// errors) and common/side_layout.h (keys, parts, cold items).
#include "common/side_info.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/side_layout.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::TempDir;
using testing::WriteFile;

// Writes `text` to `path` and reads it as a --side-info table with `buckets` numeric buckets.
Result<SideInfo> ReadTable(const std::string& path, const std::string& text, int buckets) {
  WriteFile(path, text);
  return ReadSideInfo(path, buckets);
}

TEST(SideInfoTest, ReadsMultiValuedAndBucketsNumericColumns) {
  TempDir dir;
  Result<SideInfo> info = ReadTable(dir.File("items.tsv"),
                                    "movie\tgenres\tyear\n1\tComedy|Drama\t1990\n2\tDrama\t2000\n3\t\t2010\r\n"
                                    "4\tComedy|Comedy\t\n",
                                    2);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->item_column, "movie");
  EXPECT_EQ(info->columns, (std::vector<std::string>{"genres", "year"}));
  EXPECT_EQ(info->numeric, (std::vector<bool>{false, true}));
  EXPECT_EQ(info->items, (std::vector<std::string>{"1", "2", "3", "4"}));
  // Two quantile buckets of {1990, 2000, 2010}: the edge is 2000.
  EXPECT_EQ(info->values, (std::vector<std::string>{"genres=Comedy", "genres=Drama", "year=[-inf,2000)",
                                                    "year=[2000,inf)"}));
  EXPECT_EQ(info->item_offsets, (std::vector<std::uint64_t>{0, 3, 5, 6, 7}));
  EXPECT_EQ(info->item_values, (std::vector<std::uint32_t>{0, 1, 2, 1, 3, 3, 0}));
}

TEST(SideInfoTest, ReadsCommaSeparatedFilesWithQuotes) {
  TempDir dir;
  Result<SideInfo> info = ReadTable(dir.File("items.csv"), "id,shop,brand\na,\"s1,x\",b1\n", 10);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->values, (std::vector<std::string>{"shop=s1,x", "brand=b1"}));
}

// Each error names the file, the line, what is wrong and what to do.
TEST(SideInfoTest, ErrorsNameFileLineAndRemedy) {
  TempDir dir;
  auto error_of = [&](const std::string& text) {
    Result<SideInfo> info = ReadTable(dir.File("bad.tsv"), text, 10);
    EXPECT_FALSE(info.ok());
    EXPECT_EQ(info.status().code(), Status::Code::kDataError);
    return info.status().message();
  };
  std::string m = error_of("item\tg\nx\ta\ty\n");
  EXPECT_NE(m.find("bad.tsv' line 2: 3 fields, the header has 2"), std::string::npos) << m;
  EXPECT_NE(m.find("separated by '|'"), std::string::npos) << m;
  m = error_of("item\tg\nx\ta\nx\tb\n");
  EXPECT_NE(m.find("line 3: item 'x' is listed again (first on line 2)"), std::string::npos) << m;
  m = error_of("item\tg\n\ta\n");
  EXPECT_NE(m.find("line 2: the item (first column) is empty"), std::string::npos) << m;
  m = error_of("item\nx\n");
  EXPECT_NE(m.find("line 1: the header has one column"), std::string::npos) << m;
  m = error_of("");
  EXPECT_NE(m.find("is empty: it needs a header row"), std::string::npos) << m;
  Result<SideInfo> missing = ReadSideInfo(dir.File("none.tsv"), 10);
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("cannot open side-info file"), std::string::npos);
}

TEST(SideLayoutTest, KeysPartsAndColdItems) {
  TempDir dir;
  Result<SideInfo> info = ReadTable(dir.File("items.tsv"), "item\tg\tshop\nb\tx|y\ts1\nnew\ty\t\na\t\ts2\n", 10);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  // Vocabulary a, b, c: c has no side information, "new" is cold.
  const SideLayout side(*info, Vocabulary::FromSorted({"a", "b", "c"}, {5, 4, 3}));
  ASSERT_TRUE(side.enabled());
  EXPECT_EQ(side.num_values(), 4u);  // g=x, g=y, shop=s1, shop=s2
  EXPECT_EQ(side.KeyCount(), 2u * 3 + 4);
  EXPECT_EQ(side.ValueKey(2), 5u);
  EXPECT_EQ(side.WeightKey(1), 3u + 4 + 1);
  EXPECT_TRUE(side.HasSide(0));
  EXPECT_TRUE(side.HasSide(1));
  EXPECT_FALSE(side.HasSide(2));
  EXPECT_EQ(side.num_with_side(), 2u);
  EXPECT_EQ(side.cold_items(), (std::vector<std::string>{"new"}));
  ASSERT_EQ(side.NumParts(1), 2u);  // b: g = {x, y}, shop = {s1}
  EXPECT_EQ(side.Parts(1)[0].column, 0u);
  EXPECT_EQ(side.Parts(1)[0].end - side.Parts(1)[0].begin, 2u);
  EXPECT_EQ(side.Parts(1)[1].column, 1u);
  EXPECT_EQ(side.Values(1)[side.Parts(1)[1].begin], 2u);
  ASSERT_EQ(side.NumParts(3), 1u);  // the cold item: g = {y}
  EXPECT_EQ(side.Values(3)[0], 1u);
  EXPECT_EQ(SideLayout(3).KeyCount(), 3u);
}

}  // namespace
}  // namespace item2vec
