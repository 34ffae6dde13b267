// Tests of common/sequence_reader.h: sharded reading returns every line exactly once,
// long lines come back in pieces, items are raw bytes, and Position()/Seek() resume.
#include "common/sequence_reader.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/corpus_util.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::Corpus;
using testing::CorpusShape;
using testing::MakeCorpus;
using testing::ReadRest;
using testing::ReadResult;
using testing::ReadShard;
using testing::TempDir;
using testing::WriteFile;

using Sentences = std::vector<std::vector<std::string>>;

// Writes `text` to `path` and lists it as a reader's input.
Result<std::vector<InputFile>> WriteInput(const std::string& path, const std::string& text) {
  WriteFile(path, text);
  return ListInputFiles({path});
}

// Reads all shards in order and checks the concatenation is exactly `expected`.
void ExpectShardsPartition(const std::vector<InputFile>& files, const Sentences& expected, std::int64_t tokens,
                           int max_shards, const std::string& what) {
  for (int shards = 1; shards <= max_shards; ++shards) {
    Sentences all;
    std::int64_t read_tokens = 0, lines = 0;
    for (int shard = 0; shard < shards; ++shard) {
      ReadResult r = ReadShard(files, shard, shards);
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      EXPECT_EQ(r.stats.tokens, [&] {
        std::int64_t t = 0;
        for (const auto& s : r.sentences) t += static_cast<std::int64_t>(s.size());
        return t;
      }());
      read_tokens += r.stats.tokens;
      lines += r.stats.lines;
      for (auto& s : r.sentences) all.push_back(std::move(s));
    }
    ASSERT_EQ(all.size(), expected.size()) << what << ", shards=" << shards;
    for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], expected[i]) << what << ", shards=" << shards << ", sentence " << i;
    EXPECT_EQ(read_tokens, tokens);
    EXPECT_EQ(lines, static_cast<std::int64_t>(expected.size()));
  }
}

TEST(SequenceReaderTest, ShardsOfOneFileReadEveryLineOnce) {
  TempDir dir;
  // About 2 MB: larger than the reader's 1 MB buffer, so items and lines straddle refills.
  const Corpus corpus = MakeCorpus(101, CorpusShape{/*lines=*/26000, /*max_items=*/20});
  ASSERT_GT(corpus.text.size(), SequenceReader::kBufferBytes + SequenceReader::kBufferBytes / 2);
  auto files = WriteInput(dir.File("corpus.txt"), corpus.text);
  ASSERT_TRUE(files.ok());
  ExpectShardsPartition(*files, corpus.sentences, corpus.tokens, 7, "one file");
}

TEST(SequenceReaderTest, ShardsOfADirectoryReadEveryLineOnce) {
  TempDir dir;
  const std::string parts = dir.File("parts");
  std::filesystem::create_directories(parts);
  Sentences expected;
  std::int64_t tokens = 0;
  const int sizes[] = {300, 0, 1, 2000, 57, 900};  // lines per part; part 1 is an empty file
  for (int p = 0; p < static_cast<int>(std::size(sizes)); ++p) {
    const CorpusShape shape{sizes[p]};  // lines
    const Corpus c = MakeCorpus(200 + static_cast<std::uint64_t>(p), shape);
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d", p);
    WriteFile(parts + "/" + name, c.text);
    expected.insert(expected.end(), c.sentences.begin(), c.sentences.end());
    tokens += c.tokens;
  }
  WriteFile(parts + "/_SUCCESS", "");
  auto files = ListInputFiles({parts});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), std::size(sizes));
  ExpectShardsPartition(*files, expected, tokens, 7, "directory");
}

TEST(SequenceReaderTest, TinyFilesWithManyShards) {
  // Shards smaller than lines, ranges that start on a newline, in a blank run or inside
  // an item, and shards that own no line at all.
  TempDir dir;
  const std::string path = dir.File("tiny.txt");
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    const CorpusShape shape{static_cast<int>(seed % 9), 4, 3};  // lines, max items, max item bytes
    const Corpus c = MakeCorpus(seed, shape);
    auto files = WriteInput(path, c.text);
    ASSERT_TRUE(files.ok());
    ExpectShardsPartition(*files, c.sentences, c.tokens, 12, "seed " + std::to_string(seed));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(SequenceReaderTest, ExplicitBytesAndWhitespace) {
  TempDir dir;
  const std::string path = dir.File("ws.txt");
  auto files = WriteInput(path, "\n\n   \t\r\n  a\tb  c\r\n\xff\xfe \xc3\xa9\x01\n\v\fz\f\vy\n\r\nlast");
  ASSERT_TRUE(files.ok());
  const ReadResult r = ReadShard(*files, 0, 1);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.sentences, (Sentences{{"a", "b", "c"}, {"\xff\xfe", "\xc3\xa9\x01"}, {"z", "y"}, {"last"}}));
  EXPECT_EQ(r.stats.lines, 4);
  EXPECT_EQ(r.stats.tokens, 8);
}

TEST(SequenceReaderTest, LongLinesComeBackInPieces) {
  TempDir dir;
  const std::string path = dir.File("long.txt");
  auto line = [](int n, const std::string& prefix) {
    std::string s;
    std::vector<std::string> items;
    for (int i = 0; i < n; ++i) {
      items.push_back(prefix + std::to_string(i));
      s += (i ? " " : "") + items.back();
    }
    return std::make_pair(s, items);
  };
  const auto l25 = line(25, "a"), l10 = line(10, "b"), l11 = line(11, "c"), l3 = line(3, "d");
  auto files = WriteInput(path, l25.first + "\n" + l10.first + "  \n" + l11.first + "\n" + l3.first + "\n");
  ASSERT_TRUE(files.ok());
  const ReadResult r = ReadShard(*files, 0, 1, /*max_sentence=*/10);
  ASSERT_TRUE(r.status.ok());
  auto slice = [](const std::vector<std::string>& v, std::size_t b, std::size_t e) {
    return std::vector<std::string>(v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(e));
  };
  const Sentences expected = {slice(l25.second, 0, 10), slice(l25.second, 10, 20), slice(l25.second, 20, 25),
                              l10.second,  // exactly max_sentence (then blanks): not split
                              slice(l11.second, 0, 10), slice(l11.second, 10, 11), l3.second};
  EXPECT_EQ(r.sentences, expected);
  EXPECT_EQ(r.stats.lines, 4);
  EXPECT_EQ(r.stats.tokens, 25 + 10 + 11 + 3);
  // Lines longer than max_sentence: the 25- and the 11-item line.
  EXPECT_EQ(r.stats.split_lines, 2);
}

// Issue 26 item 6: items longer than kMaxItemBytes were cut to that length, so distinct
// long items sharing their first 4096 bytes became one vocabulary entry. They are skipped
// (counted, with an example), never cut; an item of exactly the limit is kept.
TEST(SequenceReaderTest, OverlongItemsAreSkippedNeverCutAndMerged) {
  TempDir dir;
  const std::string path = dir.File("big_items.txt");
  const std::string prefix(SequenceReader::kMaxItemBytes, 'x');
  const std::string exact(SequenceReader::kMaxItemBytes, 'y');
  std::string line = "a";
  for (int i = 0; i < 5; ++i) line += " " + prefix + "-distinct-" + std::to_string(i) + std::string(6000, 'z');
  auto files = WriteInput(path, line + " b\n" + exact + "\n");
  ASSERT_TRUE(files.ok());
  SequenceReader reader(*files, ShardRanges(*files, 0, 1), 1000);
  std::vector<std::string_view> items;
  ASSERT_TRUE(reader.Next(&items));
  EXPECT_EQ(std::vector<std::string>(items.begin(), items.end()), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(reader.Next(&items));
  EXPECT_EQ(std::vector<std::string>(items.begin(), items.end()), std::vector<std::string>{exact});
  EXPECT_FALSE(reader.Next(&items));
  ASSERT_TRUE(reader.status().ok()) << reader.status().ToString();
  EXPECT_EQ(reader.stats().long_items, 5);
  EXPECT_EQ(reader.stats().tokens, 3);
  EXPECT_EQ(reader.long_item_example().substr(0, 8), "xxxxxxxx");
  EXPECT_NE(reader.long_item_example().find(path), std::string::npos) << reader.long_item_example();
}

// Issue 26 item 7: an input file that shrinks (or vanishes) while a job reads it ended the
// epoch early in silence (exit 0 on 42 % of the planned tokens); the reader notices that
// its range ends before the bytes listed at the start and fails with an input error.
TEST(SequenceReaderTest, AFileThatShrinksWhileReadIsAnInputError) {
  TempDir dir;
  const Corpus c = MakeCorpus(11, CorpusShape{/*lines=*/100000});
  // Larger than the reader's buffer, so that the cut lies beyond what it has read.
  ASSERT_GT(c.text.size(), 3 * SequenceReader::kBufferBytes);
  const std::string path = dir.File("c.txt");
  auto files = WriteInput(path, c.text);
  ASSERT_TRUE(files.ok());
  for (const bool first_epoch : {true, false}) {
    WriteFile(path, c.text);
    SequenceReader reader(*files, ShardRanges(*files, 0, 1), 1000);
    std::vector<std::string_view> items;
    if (!first_epoch) {  // a later epoch: the whole file read once, then cut
      while (reader.Next(&items)) {}
      ASSERT_TRUE(reader.status().ok());
      reader.Rewind();
    }
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(reader.Next(&items));
    std::filesystem::resize_file(path, static_cast<std::uintmax_t>(c.text.size() * 42 / 100));
    while (reader.Next(&items)) {}
    EXPECT_EQ(reader.status().code(), Status::Code::kDataError) << reader.status().ToString();
    EXPECT_NE(reader.status().message().find(path), std::string::npos) << reader.status().message();
    EXPECT_NE(reader.status().message().find("shrank"), std::string::npos) << reader.status().message();
  }
}

TEST(SequenceReaderTest, RewindReadsTheShardAgain) {
  TempDir dir;
  const Corpus c = MakeCorpus(7, CorpusShape{/*lines=*/500});
  auto files = WriteInput(dir.File("c.txt"), c.text);
  ASSERT_TRUE(files.ok());
  for (int shard = 0; shard < 3; ++shard) {
    SequenceReader reader(*files, ShardRanges(*files, shard, 3), 1000);
    ReadResult first, second;
    ReadRest(&reader, &first);
    reader.Rewind();
    ReadRest(&reader, &second);
    ASSERT_TRUE(second.status.ok());
    EXPECT_EQ(first.sentences, second.sentences);
    EXPECT_EQ(second.stats.tokens, 2 * first.stats.tokens);  // stats accumulate
  }
}

TEST(SequenceReaderTest, SeekToPositionResumesExactly) {
  TempDir dir;
  const Corpus c = MakeCorpus(31, CorpusShape{/*lines=*/60, /*max_items=*/6});
  // Two files so that positions in later ranges are exercised too.
  WriteFile(dir.File("p0"), c.text);
  WriteFile(dir.File("p1"), c.text);
  auto files = ListInputFiles({dir.File("p0"), dir.File("p1")});
  ASSERT_TRUE(files.ok());
  for (int shards : {1, 3}) {
    for (int shard = 0; shard < shards; ++shard) {
      const std::vector<FileRange> ranges = ShardRanges(*files, shard, shards);
      const ReadResult all = ReadShard(*files, shard, shards);
      ASSERT_TRUE(all.status.ok());
      for (std::size_t k = 0; k <= all.sentences.size(); ++k) {
        SequenceReader reader(*files, ranges, 1000);
        std::vector<std::string_view> items;
        for (std::size_t i = 0; i < k; ++i) ASSERT_TRUE(reader.Next(&items));
        const ReaderPosition pos = reader.Position();
        ReadResult rest;
        ReadRest(&reader, &rest);

        SequenceReader resumed(*files, ranges, 1000);
        resumed.Seek(pos);
        ReadResult again;
        ReadRest(&resumed, &again);
        ASSERT_TRUE(again.status.ok());
        const Sentences tail(all.sentences.begin() + static_cast<std::ptrdiff_t>(k), all.sentences.end());
        ASSERT_EQ(rest.sentences, tail) << "shards " << shards << " shard " << shard << " k " << k;
        ASSERT_EQ(again.sentences, tail) << "shards " << shards << " shard " << shard << " k " << k << " pos {"
                                         << pos.range << ", " << pos.offset << "}";
      }
    }
  }
}

// Issue 26 item 7: an input deleted while the job runs is an input error (exit 3), not an
// output I/O error (exit 4).
TEST(SequenceReaderTest, MissingFileIsAnInputError) {
  TempDir dir;
  auto files = WriteInput(dir.File("gone.txt"), "a b\n");
  ASSERT_TRUE(files.ok());
  std::filesystem::remove(dir.File("gone.txt"));
  SequenceReader reader(*files, ShardRanges(*files, 0, 1), 1000);
  std::vector<std::string_view> items;
  EXPECT_FALSE(reader.Next(&items));
  EXPECT_EQ(reader.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(ExitCodeOf(reader.status()), 3);
  EXPECT_NE(reader.status().message().find("gone.txt"), std::string::npos);
}

// Event weights (common/weighted_token.h): ITEM*W comes back as ITEM with its weight; a line
// without a weighted token has no weights; a weight of 0 fails the read, naming the file.
TEST(SequenceReaderTest, WeightedTokensComeBackAsItemsWithWeights) {
  TempDir dir;
  const std::string path = dir.File("weighted.txt");
  auto files = WriteInput(path, "a b*2 c*x\nd e\nf*0.5\ng h*0\n");
  ASSERT_TRUE(files.ok());
  SequenceReader reader(*files, ShardRanges(*files, 0, 1), 100);
  std::vector<std::string_view> items;
  ASSERT_TRUE(reader.Next(&items));
  EXPECT_EQ(items, (std::vector<std::string_view>{"a", "b", "c*x"}));
  EXPECT_EQ(reader.weights(), (std::vector<float>{1.0f, 2.0f, 1.0f}));
  ASSERT_TRUE(reader.Next(&items));
  EXPECT_EQ(items, (std::vector<std::string_view>{"d", "e"}));
  EXPECT_TRUE(reader.weights().empty());
  ASSERT_TRUE(reader.Next(&items));
  EXPECT_EQ(items, (std::vector<std::string_view>{"f"}));
  EXPECT_EQ(reader.weights(), (std::vector<float>{0.5f}));
  EXPECT_FALSE(reader.Next(&items));
  EXPECT_EQ(reader.status().code(), Status::Code::kDataError);
  EXPECT_NE(reader.status().message().find("weighted.txt"), std::string::npos) << reader.status().message();
  EXPECT_NE(reader.status().message().find("'h*0'"), std::string::npos) << reader.status().message();
}

}  // namespace
}  // namespace item2vec
