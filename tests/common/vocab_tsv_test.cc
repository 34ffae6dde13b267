// Tests of common/vocab_tsv.h: the one reader and writer of a model's vocab.tsv (used by
// the warm start and by eval's popularity baseline).
#include "common/vocab_tsv.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(VocabTsvTest, WriteThenReadRoundTrips) {
  TempDir dir;
  const Vocabulary vocab = Vocabulary::FromSorted({"a", "b c", "\xff\x01", "d\te"}, {9, 7, 7, 1});
  const std::string path = dir.File("vocab.tsv");
  ASSERT_TRUE(WriteVocabTsv(vocab, path).ok());
  EXPECT_EQ(ReadFile(path), std::string("a\t9\nb c\t7\n\xff\x01\t7\nd\te\t1\n"));
  Result<VocabTsv> back = ReadVocabTsv(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->items, (std::vector<std::string>{"a", "b c", "\xff\x01", "d\te"}));  // the last tab splits
  EXPECT_EQ(back->counts, (std::vector<Count>{9, 7, 7, 1}));
}

TEST(VocabTsvTest, StripsCarriageReturnsAndSkipsBlankLines) {
  TempDir dir;
  const std::string path = dir.File("vocab.tsv");
  WriteFile(path, "a\t10\r\n\nb\t3\r\n\r\n\nc\t0");  // no final newline either
  Result<VocabTsv> v = ReadVocabTsv(path);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->items, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(v->counts, (std::vector<Count>{10, 3, 0}));

  VocabTsvReader reader;
  ASSERT_TRUE(reader.Open(path).ok());
  std::string_view item;
  Count count = -1;
  ASSERT_TRUE(reader.Next(&item, &count));
  EXPECT_EQ(item, "a");
  EXPECT_EQ(count, 10);
  ASSERT_TRUE(reader.Next(&item, &count));
  ASSERT_TRUE(reader.Next(&item, &count));
  EXPECT_EQ(item, "c");
  EXPECT_FALSE(reader.Next(&item, &count));
  EXPECT_TRUE(reader.status().ok());
}

TEST(VocabTsvTest, BadLinesNameFileLineAndCause) {
  TempDir dir;
  struct Case {
    const char* text;
    const char* where;
    const char* what;
  };
  for (const Case& c : {Case{"a\t1\nno tab\n", ":2:", "no item before a tab"},
                        Case{"a\t1\n\n\tb\n", ":3:", "no item before a tab"},
                        Case{"a\tmany\n", ":1:", "count 'many' is not a non-negative integer"},
                        Case{"a\t-3\n", ":1:", "is not a non-negative integer"},
                        Case{"a\t12x\n", ":1:", "count '12x'"},
                        Case{"a\t\n", ":1:", "count ''"}}) {
    const std::string path = dir.File("bad.tsv");
    WriteFile(path, c.text);
    Result<VocabTsv> v = ReadVocabTsv(path);
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_EQ(v.status().code(), Status::Code::kDataError);
    const std::string& m = v.status().message();
    EXPECT_NE(m.find(path + c.where), std::string::npos) << m;
    EXPECT_NE(m.find(c.what), std::string::npos) << m;
    EXPECT_NE(m.find("(expected item<TAB>count)"), std::string::npos) << m;
  }
  Result<VocabTsv> missing = ReadVocabTsv(dir.File("missing.tsv"));
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("missing.tsv"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
