// Tests of common/word2vec_format.h: text and binary vectors round-trip bit for bit,
// the writer refuses a row count that disagrees with its header, and truncated files
// are reported as data errors naming the file.
#include "common/word2vec_format.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using namespace testing;  // item2vec::testing: TempDir, file and directory helpers

std::uint32_t Bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

struct Table {
  std::vector<std::string> items;
  int dim = 0;
  std::vector<float> data;
};

// Awkward values first, then random finite bit patterns (every exponent, subnormals too).
Table MakeTable(int random_rows = 300) {
  Table t;
  t.dim = 16;
  t.items = {"a", "item_2", "\xff\xfe", "caf\xc3\xa9", "x"};
  // Enough random values that a float printed with too few digits would show.
  for (int i = 0; i < random_rows; ++i) t.items.push_back("r" + std::to_string(i));
  const float awkward[] = {1e-30f,
                           -0.0f,
                           0.0f,
                           3.0e38f,
                           FLT_MAX,
                           -FLT_MAX,
                           FLT_MIN,
                           std::numeric_limits<float>::denorm_min(),
                           -1.17e-40f,
                           0.1f,
                           1.0f / 3.0f,
                           -123.456f,
                           16777217.0f,
                           1e10f};
  t.data.assign(awkward, awkward + std::size(awkward));
  Rng rng(4242);
  while (t.data.size() < t.items.size() * static_cast<std::size_t>(t.dim)) {
    const std::uint32_t u = static_cast<std::uint32_t>(rng.Next());
    float f;
    std::memcpy(&f, &u, sizeof f);
    if (std::isfinite(f)) t.data.push_back(f);
  }
  return t;
}

Status WriteTable(const Table& t, const std::string& text, const std::string& binary) {
  Word2VecWriter w;
  ITEM2VEC_RETURN_IF_ERROR(w.Open(text, binary, static_cast<std::int64_t>(t.items.size()), t.dim));
  for (std::size_t i = 0; i < t.items.size(); ++i) w.Add(t.items[i], t.data.data() + i * static_cast<std::size_t>(t.dim));
  return w.Commit();
}

void ExpectSame(const Table& t, const Embeddings& e, const std::string& what) {
  ASSERT_EQ(e.dim, t.dim) << what;
  ASSERT_EQ(e.items, t.items) << what;
  ASSERT_EQ(e.data.size(), t.data.size()) << what;
  for (std::size_t i = 0; i < t.data.size(); ++i)
    EXPECT_EQ(Bits(e.data[i]), Bits(t.data[i])) << what << " value " << i << ": wrote " << t.data[i] << " read "
                                                << e.data[i];
}

TEST(Word2VecFormatTest, TextAndBinaryRoundTripBitForBit) {
  TempDir dir;
  const Table t = MakeTable();
  const std::string text = dir.File("vectors.txt"), binary = dir.File("vectors.bin");
  ASSERT_TRUE(WriteTable(t, text, binary).ok());

  auto from_text = ReadWord2Vec(text);
  ASSERT_TRUE(from_text.ok()) << from_text.status().ToString();
  ExpectSame(t, *from_text, "text");
  auto from_binary = ReadWord2Vec(binary);
  ASSERT_TRUE(from_binary.ok()) << from_binary.status().ToString();
  ExpectSame(t, *from_binary, "binary");

  // Only the vector files are left: no temporaries.
  EXPECT_EQ(ListDir(dir.path()), (std::vector<std::string>{"vectors.bin", "vectors.txt"}));
}

TEST(Word2VecFormatTest, LayoutIsWord2VecC) {
  TempDir dir;
  Table t;
  t.dim = 2;
  t.items = {"ab", "c"};
  t.data = {1.5f, -0.25f, 0.1f, 2.0f};
  ASSERT_TRUE(WriteTable(t, dir.File("v.txt"), dir.File("v.bin")).ok());
  // Shortest round-trip floats in text.
  EXPECT_EQ(ReadFile(dir.File("v.txt")), "2 2\nab 1.5 -0.25\nc 0.1 2\n");
  std::string expected_bin = "2 2\nab ";
  expected_bin.append(reinterpret_cast<const char*>(t.data.data()), 2 * sizeof(float));
  expected_bin += "\nc ";
  expected_bin.append(reinterpret_cast<const char*>(t.data.data() + 2), 2 * sizeof(float));
  expected_bin += "\n";
  EXPECT_EQ(ReadFile(dir.File("v.bin")), expected_bin);
}

TEST(Word2VecFormatTest, EitherFormatMayBeSkipped) {
  TempDir dir;
  const Table t = MakeTable();
  ASSERT_TRUE(WriteTable(t, "", dir.File("only.bin")).ok());
  ASSERT_TRUE(WriteTable(t, dir.File("only.txt"), "").ok());
  EXPECT_EQ(ListDir(dir.path()), (std::vector<std::string>{"only.bin", "only.txt"}));
  // Explicit formats override the extension rule.
  const std::string renamed = dir.File("binary.vec");
  WriteFile(renamed, ReadFile(dir.File("only.bin")));
  auto e = ReadWord2Vec(renamed, VectorFormat::kBinary);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectSame(t, *e, "explicit binary");
}

TEST(Word2VecFormatTest, CommitFailsOnRowCountMismatchAndLeavesNoFile) {
  TempDir dir;
  const Table t = MakeTable();
  for (std::size_t add : {std::size_t{0}, t.items.size() - 1, t.items.size() + 1}) {
    {
      Word2VecWriter w;
      ASSERT_TRUE(w.Open(dir.File("v.txt"), dir.File("v.bin"), static_cast<std::int64_t>(t.items.size()), t.dim).ok());
      for (std::size_t i = 0; i < add; ++i)
        w.Add(t.items[i % t.items.size()], t.data.data() + (i % t.items.size()) * static_cast<std::size_t>(t.dim));
      const Status st = w.Commit();
      EXPECT_FALSE(st.ok()) << "rows added: " << add;
      EXPECT_FALSE(Exists(dir.File("v.txt")));
      EXPECT_FALSE(Exists(dir.File("v.bin")));
    }
    // Once the writer is gone, its temporaries are gone too.
    EXPECT_TRUE(ListDir(dir.path()).empty()) << "rows added: " << add;
  }
}

TEST(Word2VecFormatTest, TruncatedBinaryIsADataErrorNamingTheFile) {
  TempDir dir;
  const Table t = MakeTable(/*random_rows=*/2);
  ASSERT_TRUE(WriteTable(t, "", dir.File("full.bin")).ok());
  const std::string full = ReadFile(dir.File("full.bin"));
  const std::string cut_path = dir.File("cut.bin");
  // Every cut except dropping only the final "\n" (the last vector is then complete).
  for (std::size_t len = 0; len + 1 < full.size(); ++len) {
    WriteFile(cut_path, full.substr(0, len));
    auto e = ReadWord2Vec(cut_path);
    ASSERT_FALSE(e.ok()) << "cut at " << len << " of " << full.size();
    EXPECT_EQ(e.status().code(), Status::Code::kDataError) << "cut at " << len;
    EXPECT_NE(e.status().message().find(cut_path), std::string::npos)
        << "cut at " << len << ": " << e.status().message();
  }
}

TEST(Word2VecFormatTest, MalformedTextIsADataError) {
  TempDir dir;
  const std::string path = dir.File("bad.txt");
  const std::vector<std::string> bad = {
      "",                         // empty
      "two 3\n",                  // bad header
      "2 3\na 1 2 3\n",           // fewer rows than the header
      "1 3\na 1 2\n",             // fewer values
      "1 3\na 1 2 3 4\n",         // more values
      "1 3\na 1 x 3\n",           // not a number
      "1 3\nlonely\n",            // no values
  };
  for (const std::string& content : bad) {
    WriteFile(path, content);
    auto e = ReadWord2Vec(path);
    ASSERT_FALSE(e.ok()) << "accepted: " << content;
    EXPECT_EQ(e.status().code(), Status::Code::kDataError) << content;
    EXPECT_NE(e.status().message().find(path), std::string::npos) << e.status().message();
  }
  // CRLF line endings and repeated spaces are accepted.
  WriteFile(path, "1 2\r\nitem  1.5 -2\r\n");
  auto ok = ReadWord2Vec(path);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->items, std::vector<std::string>{"item"});
  EXPECT_EQ(ok->data, (std::vector<float>{1.5f, -2.0f}));
}

TEST(Word2VecFormatTest, TooFewValuesAndTooManyRowsAreNamed) {
  TempDir dir;
  const std::string path = dir.File("v.txt");
  WriteFile(path, "1 14\na 1 2 3\n");
  auto e = ReadWord2Vec(path);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("row 1: has 3 values, the header (line 1) says 14"), std::string::npos)
      << e.status().message();
  // A header that promises fewer rows than the file holds (text and binary).
  WriteFile(path, "1 2\na 1 2\nb 3 4\n");
  e = ReadWord2Vec(path);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("holds more than the 1 rows its header (line 1) promises"), std::string::npos)
      << e.status().message();
  const Table t = MakeTable(/*random_rows=*/2);
  ASSERT_TRUE(WriteTable(t, "", dir.File("full.bin")).ok());
  std::string bin = ReadFile(dir.File("full.bin"));
  const std::size_t eol = bin.find('\n');
  const std::string header = bin.substr(0, eol);
  const long long rows = std::stoll(header.substr(0, header.find(' ')));
  const std::string fewer = std::to_string(rows - 1) + header.substr(header.find(' '));
  WriteFile(dir.File("fewer.bin"), fewer + bin.substr(eol));
  e = ReadWord2Vec(dir.File("fewer.bin"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("holds more than the " + std::to_string(rows - 1) + " rows"), std::string::npos)
      << e.status().message();
  Word2VecBinaryReader reader;
  ASSERT_TRUE(reader.Open(dir.File("fewer.bin")).ok());
  std::string item;
  std::vector<float> row(static_cast<std::size_t>(reader.dim()));
  long long n = 0;
  while (reader.Next(&item, row.data())) ++n;
  EXPECT_EQ(n, rows - 1);
  EXPECT_EQ(reader.status().code(), Status::Code::kDataError);
  EXPECT_NE(reader.status().message().find("holds more than"), std::string::npos) << reader.status().message();
}

// Issue 26 item 1: a header that promises more rows (or a larger dim) than the file holds
// is a data error naming the header, in both formats, and costs no allocation of its
// promise; an honest file of the same shape still reads.
TEST(Word2VecFormatTest, HeaderThatLiesAboutTheFileSizeIsABadInputNotAnAllocation) {
  TempDir dir;
  for (const std::string name : {"v.txt", "v.bin"}) {
    const std::string path = dir.File(name);
    const bool binary = name == "v.bin";
    const std::string row = binary ? std::string("a ") + std::string(12, '\0') + "\n" : "a 1 2 3\n";
    for (const std::string header : {"100000000000 3", "3 4611686018427387904", "2 3", "1 100001"}) {
      WriteFile(path, header + "\n" + row);
      Result<Embeddings> e = ReadWord2Vec(path);  // before the fix: std::bad_alloc / std::length_error
      ASSERT_FALSE(e.ok()) << name << " '" << header << "'";
      EXPECT_EQ(e.status().code(), Status::Code::kDataError) << e.status().message();
      EXPECT_NE(e.status().message().find(path), std::string::npos) << e.status().message();
      EXPECT_NE(e.status().message().find("line 1"), std::string::npos) << e.status().message();
    }
    WriteFile(path, "1 3\n" + row);
    Result<Embeddings> ok = ReadWord2Vec(path);
    ASSERT_TRUE(ok.ok()) << ok.status().message();
    EXPECT_EQ(ok->items, std::vector<std::string>{"a"});
    EXPECT_EQ(ok->data.size(), 3u);
  }
  // The streaming reader (warm start): the same dim bound, the promise named at the end.
  WriteFile(dir.File("w.bin"), "3 4611686018427387904\na " + std::string(12, '\0') + "\n");
  Word2VecBinaryReader huge_dim;
  EXPECT_EQ(huge_dim.Open(dir.File("w.bin")).code(), Status::Code::kDataError);
  WriteFile(dir.File("w.bin"), "100000000000 3\na " + std::string(12, '\0') + "\n");
  Word2VecBinaryReader reader;
  ASSERT_TRUE(reader.Open(dir.File("w.bin")).ok());
  std::string item;
  float row[3];
  EXPECT_TRUE(reader.Next(&item, row));
  EXPECT_FALSE(reader.Next(&item, row));
  EXPECT_NE(reader.status().message().find("promises 100000000000 rows"), std::string::npos)
      << reader.status().message();
}

TEST(Word2VecFormatTest, MissingFileIsNotFound) {
  TempDir dir;
  auto e = ReadWord2Vec(dir.File("absent.bin"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Status::Code::kNotFound);
  EXPECT_NE(e.status().message().find("absent.bin"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
