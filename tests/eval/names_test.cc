#include "tools/eval/names.h"

#include <gtest/gtest.h>

#include "tests/eval/eval_test_util.h"

namespace item2vec {
namespace {

using eval_testing::TempDir;
using eval_testing::WriteFile;

std::vector<std::vector<std::string>> ParseAll(const std::string& text, Status* status) {
  CsvParser p(text);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  while (p.Next(&fields)) records.push_back(fields);
  *status = p.status();
  return records;
}

TEST(CsvParser, QuotesCommasDoubledQuotesAndCrlf) {
  Status st;
  const auto r = ParseAll(
      "\xEF\xBB\xBFid,title,genres\r\n"
      "1,Toy Story (1995),Animation\r\n"
      "11,\"American President, The (1995)\",Comedy\r\n"
      "7789,\"11'09\"\"01 - September 11 (2002)\",Drama\r\n"
      "\r\n"
      "5,\"two\nlines\",\r\n"
      "6,last,no newline",
      &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0], (std::vector<std::string>{"id", "title", "genres"}));
  EXPECT_EQ(r[1][1], "Toy Story (1995)");
  EXPECT_EQ(r[1][2], "Animation");  // no stray \r
  EXPECT_EQ(r[2], (std::vector<std::string>{"11", "American President, The (1995)", "Comedy"}));
  EXPECT_EQ(r[3][1], "11'09\"01 - September 11 (2002)");
  EXPECT_EQ(r[4], (std::vector<std::string>{"5", "two\nlines", ""}));
  EXPECT_EQ(r[5][2], "no newline");
}

TEST(CsvParser, ErrorsNameTheLine) {
  Status st;
  ParseAll("a,b\n1,\"never closed\n", &st);
  EXPECT_EQ(st.code(), Status::Code::kDataError);
  EXPECT_NE(st.message().find("line 2"), std::string::npos) << st.message();
  ParseAll("a,b\n1,\"x\"y\n", &st);
  EXPECT_EQ(st.code(), Status::Code::kDataError);
  EXPECT_NE(st.message().find("after a closing quote"), std::string::npos) << st.message();
}

TEST(ReadNames, BundledMovieLensFile) {
  Result<NameMap> names = ReadNames(ITEM2VEC_SOURCE_DIR "/data/ml-latest-small/movies.csv", "movieId,title");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(names->at("1"), "Toy Story (1995)");
  EXPECT_EQ(names->at("11"), "American President, The (1995)");
  EXPECT_EQ(names->at("7789"), "11'09\"01 - September 11 (2002)");
  EXPECT_GT(names->size(), 9000u);
}

TEST(ReadNames, ColumnErrors) {
  TempDir dir;
  WriteFile(dir.File("n.csv"), "id,name\r\n1,One\r\n2\r\n");
  Result<NameMap> r = ReadNames(dir.File("n.csv"), "movieId,title");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no column 'movieId'"), std::string::npos) << r.status().message();
  r = ReadNames(dir.File("n.csv"), "id,name");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("n.csv:3"), std::string::npos) << r.status().message();
  EXPECT_EQ(ReadNames(dir.File("n.csv"), "id").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ReadNames(dir.File("missing.csv"), "id,name").status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace item2vec
