// Tests of common/text_lines.h: CRLF endings, blank lines skipped, line numbers of the file.
#include "common/text_lines.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(TextLinesTest, SkipsBlankLinesAndKeepsFileLineNumbers) {
  TempDir dir;
  WriteFile(dir.File("f.txt"), "a b\r\n\n\r\nc\t d \n\r\n last");
  TextLines lines;
  ASSERT_TRUE(lines.Open(dir.File("f.txt")));
  std::vector<std::pair<std::int64_t, std::string>> got;
  std::string line;
  while (lines.Next(&line)) got.emplace_back(lines.line_number(), line);
  EXPECT_FALSE(lines.failed());
  const std::vector<std::pair<std::int64_t, std::string>> want = {{1, "a b"}, {4, "c\t d "}, {6, " last"}};
  EXPECT_EQ(got, want);
  EXPECT_FALSE(lines.Next(&line));  // stays at the end
}

TEST(TextLinesTest, MissingFileDoesNotOpen) {
  TempDir dir;
  TextLines lines;
  EXPECT_FALSE(lines.Open(dir.File("missing.txt")));
}

}  // namespace
}  // namespace item2vec
