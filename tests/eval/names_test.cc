#include "model/names.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "common/utf8.h"
#include "tests/eval/eval_test_util.h"

namespace item2vec {
namespace {

using eval_testing::TempDir;
using eval_testing::WriteFile;

NameFileOptions Columns(const std::string& columns) {
  NameFileOptions o;
  o.columns = columns;
  return o;
}

TEST(ReadNames, QuotesCommasDoubledQuotesCrlfAndByteOrderMark) {
  TempDir dir;
  WriteFile(dir.File("n.csv"),
            "\xEF\xBB\xBFid,title,genres\r\n"
            "1,Toy Story (1995),Animation\r\n"
            "11,\"American President, The (1995)\",Comedy\r\n"
            "7789,\"11'09\"\"01 - September 11 (2002)\",Drama\r\n"
            "\r\n"
            "5,\"two\nlines\",\r\n"
            "6,last,no newline");
  Result<NameMap> r = ReadNames(dir.File("n.csv"), Columns("id,title"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 5u);
  EXPECT_EQ(r->at("1"), "Toy Story (1995)");
  EXPECT_EQ(r->at("11"), "American President, The (1995)");
  EXPECT_EQ(r->at("7789"), "11'09\"01 - September 11 (2002)");
  EXPECT_EQ(r->at("5"), "two\nlines");
  EXPECT_EQ(r->at("6"), "last");
}

TEST(ReadNames, BundledMovieLensFile) {
  Result<NameMap> names = ReadNames(ITEM2VEC_SOURCE_DIR "/data/ml-latest-small/movies.csv", NameFileOptions{});
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(names->at("1"), "Toy Story (1995)");
  EXPECT_EQ(names->at("11"), "American President, The (1995)");
  EXPECT_EQ(names->at("7789"), "11'09\"01 - September 11 (2002)");
  EXPECT_GT(names->size(), 9000u);
}

// ml-100k's u.item layout: pipe-separated, no header, latin-1 bytes, unquoted.
TEST(ReadNames, PipeSeparatedHeaderlessLatin1) {
  TempDir dir;
  WriteFile(dir.File("u.item"),
            "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|0|0|0|1\n"
            "62|Stargate (1994)|01-Jan-1994||x|0|1\n"
            "1069|Cit\xE9 des enfants perdus, La (1995)|01-Jan-1995||x|0\n"
            "1329|Sunchaser, \"The\" (1996)|01-Jan-1996||x|0\n");
  NameFileOptions o = Columns("1,2");
  Result<NameMap> r = ReadNames(dir.File("u.item"), o);  // auto: '|' detected, no header (positions)
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ(r->at("1"), "Toy Story (1995)");
  EXPECT_EQ(r->at("1069"), "Cit\xC3\xA9 des enfants perdus, La (1995)");  // U+00E9 in UTF-8
  EXPECT_EQ(r->at("1329"), "Sunchaser, \"The\" (1996)");  // a quote inside a field is kept
  o.encoding = "utf-8";  // bytes pass through
  r = ReadNames(dir.File("u.item"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("1069"), "Cit\xE9 des enfants perdus, La (1995)");
  o.delimiter = "|";
  o.header = "yes";  // the first line taken as a header: Toy Story is gone
  o.encoding = "auto";
  r = ReadNames(dir.File("u.item"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count("1"), 0u);
  EXPECT_EQ(r->size(), 3u);
}

TEST(ReadNames, Utf8FileStaysAsIs) {
  TempDir dir;
  WriteFile(dir.File("n.tsv"), "id\tname\n7\tAm\xC3\xA9lie (2001)\n");
  NameFileOptions o = Columns("id,name");
  Result<NameMap> r = ReadNames(dir.File("n.tsv"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("7"), "Am\xC3\xA9lie (2001)");
  o.encoding = "latin-1";  // forced: each byte becomes a code point
  r = ReadNames(dir.File("n.tsv"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("7"), "Am\xC3\x83\xC2\xA9lie (2001)");
}

TEST(ReadNames, RealMovieLens100kItems) {
  const std::string path = ITEM2VEC_SOURCE_DIR "/../shared/data/ml-100k/u.item";
  const std::string fallback = "/work/shared/data/ml-100k/u.item";
  const std::string file = std::filesystem::exists(path) ? path : fallback;
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "ml-100k is not here (not redistributable, not bundled)";
  Result<NameMap> r = ReadNames(file, Columns("1,2"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 1682u);
  EXPECT_EQ(r->at("1"), "Toy Story (1995)");
  for (const auto& [id, title] : *r) ASSERT_TRUE(IsValidUtf8(title)) << id;
}

TEST(ReadNames, Errors) {
  TempDir dir;
  WriteFile(dir.File("n.csv"), "id,name\r\n1,One\r\n2\r\n");
  Result<NameMap> r = ReadNames(dir.File("n.csv"), Columns("movieId,title"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no column 'movieId'"), std::string::npos) << r.status().message();
  r = ReadNames(dir.File("n.csv"), Columns("id,name"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("n.csv:3"), std::string::npos) << r.status().message();
  EXPECT_EQ(ReadNames(dir.File("n.csv"), Columns("id")).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ReadNames(dir.File("n.csv"), Columns("0,2")).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ReadNames(dir.File("missing.csv"), Columns("id,name")).status().code(), Status::Code::kNotFound);
  NameFileOptions o = Columns("id,name");
  o.header = "no";
  EXPECT_EQ(ReadNames(dir.File("n.csv"), o).status().code(), Status::Code::kInvalidArgument);
  WriteFile(dir.File("q.csv"), "id,name\n1,\"never closed\n");
  r = ReadNames(dir.File("q.csv"), Columns("id,name"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("q.csv:2"), std::string::npos) << r.status().message();
}

TEST(Utf8, ValidityAndLatin1) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\xAC"));
  EXPECT_FALSE(IsValidUtf8("\xE9"));          // latin-1 e-acute
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // truncated
  EXPECT_EQ(Latin1ToUtf8("a\xE9\xFF"), "a\xC3\xA9\xC3\xBF");
}

}  // namespace
}  // namespace item2vec
