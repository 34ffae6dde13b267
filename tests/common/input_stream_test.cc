// Tests of common/input_stream.h and compressed input through SequenceReader and
// ShardRanges: gzip (also several members) and zstd (several frames) give the plain bytes;
// Seek forwards and backwards; a SequenceReader over a compressed file returns the same
// sentences and resumes from Position() exactly; compressed files are whole shards; a
// corrupt or truncated archive is an error naming the file and the byte offset.
#include "common/input_stream.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "common/input_files.h"
#include "common/sequence_reader.h"
#include "tests/support/corpus_util.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::TempDir;
using testing::WriteFile;

// One gzip member per piece of `text` (pieces of `member_bytes`).
std::string Gzip(const std::string& text, std::size_t member_bytes = std::string::npos) {
  std::string out;
  for (std::size_t at = 0; at < text.size() || (at == 0 && text.empty()); at += member_bytes) {
    const std::string piece = text.substr(at, member_bytes);
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string buf(deflateBound(&z, piece.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    z.avail_in = static_cast<uInt>(piece.size());
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    buf.resize(z.total_out);
    deflateEnd(&z);
    out += buf;
    if (member_bytes == std::string::npos || text.empty()) break;
  }
  return out;
}

// One zstd frame per piece of `frame_bytes`, with a content checksum as the zstd tool
// writes by default.
std::string Zstd(const std::string& text, std::size_t frame_bytes) {
  std::string out;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  for (std::size_t at = 0; at < text.size(); at += frame_bytes) {
    const std::string piece = text.substr(at, frame_bytes);
    std::string buf(ZSTD_compressBound(piece.size()), '\0');
    const std::size_t n = ZSTD_compress2(cctx, buf.data(), buf.size(), piece.data(), piece.size());
    EXPECT_FALSE(ZSTD_isError(n));
    buf.resize(n);
    out += buf;
  }
  ZSTD_freeCCtx(cctx);
  return out;
}

std::string ReadAll(InputStream* s, std::size_t chunk) {
  std::string out(chunk, '\0'), all;
  while (true) {
    Result<std::size_t> n = s->Read(out.data(), chunk);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    all.append(out.data(), *n);
  }
  return all;
}

class InputStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const testing::CorpusShape shape{3000, 40};  // lines, max items
    corpus_ = testing::MakeCorpus(5, shape);
    ASSERT_GT(corpus_.text.size(), 300000u) << "spans several input buffers";
    WriteFile(dir_.File("c.txt"), corpus_.text);
    WriteFile(dir_.File("c.txt.gz"), Gzip(corpus_.text, 70001));
    WriteFile(dir_.File("c.txt.zst"), Zstd(corpus_.text, 90001));
  }
  TempDir dir_;
  testing::Corpus corpus_;
};

TEST_F(InputStreamTest, CompressionFromTheName) {
  EXPECT_EQ(CompressionOf("a/part-00000.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionOf("x.txt.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionOf("x.gzip"), Compression::kNone);
  EXPECT_EQ(CompressionOf("x.txt"), Compression::kNone);
}

TEST_F(InputStreamTest, DecompressesToThePlainBytesAndSeeks) {
  for (const char* name : {"c.txt", "c.txt.gz", "c.txt.zst"}) {
    InputStream s;
    ASSERT_TRUE(s.Open(dir_.File(name)).ok());
    EXPECT_EQ(ReadAll(&s, 7777), corpus_.text) << name;
    EXPECT_EQ(s.position(), static_cast<std::int64_t>(corpus_.text.size()));
    for (std::int64_t at : {std::int64_t{250000}, std::int64_t{12345}, std::int64_t{0}, std::int64_t{299999}}) {
      ASSERT_TRUE(s.Seek(at).ok()) << name << " " << at;
      char buf[64];
      Result<std::size_t> n = s.Read(buf, sizeof buf);
      ASSERT_TRUE(n.ok());
      ASSERT_GT(*n, 0u);
      EXPECT_EQ(std::string(buf, *n), corpus_.text.substr(static_cast<std::size_t>(at), *n)) << name << " at " << at;
    }
    if (s.compression() != Compression::kNone) {
      EXPECT_FALSE(s.Seek(static_cast<std::int64_t>(corpus_.text.size()) + 10).ok()) << "past the end of " << name;
    }
  }
}

TEST_F(InputStreamTest, SequenceReaderGivesTheSameSentencesAndResumesExactly) {
  for (const char* name : {"c.txt.gz", "c.txt.zst"}) {
    auto files = ListInputFiles({dir_.File(name)});
    ASSERT_TRUE(files.ok());
    const std::vector<FileRange> ranges = ShardRanges(*files, 0, 1);
    ASSERT_EQ(ranges.size(), 1u);
    EXPECT_EQ(ranges[0].begin, 0);
    EXPECT_EQ(ranges[0].end, kWholeFile);
    SequenceReader reader(*files, ranges, /*max_sentence=*/7);  // split lines: mid-line positions
    std::vector<std::string_view> items;
    std::vector<std::string> got;
    std::vector<ReaderPosition> positions;
    while (true) {
      positions.push_back(reader.Position());
      if (!reader.Next(&items)) break;
      std::string line;
      for (auto v : items) line += std::string(v) + " ";
      got.push_back(line);
    }
    ASSERT_TRUE(reader.status().ok()) << reader.status().ToString();
    std::vector<std::string> want;
    for (const auto& s : corpus_.sentences)
      for (std::size_t at = 0; at < s.size(); at += 7) {
        std::string line;
        for (std::size_t i = at; i < std::min(s.size(), at + 7); ++i) line += s[i] + " ";
        want.push_back(line);
      }
    ASSERT_EQ(got, want) << name;
    // Resume from a few positions, late first (a backwards seek restarts the stream).
    for (std::size_t k : {got.size() - 3, got.size() / 2, std::size_t{1}, got.size() / 3}) {
      SequenceReader resumed(*files, ranges, 7);
      resumed.Seek(positions[k]);
      for (std::size_t j = k; j < std::min(got.size(), k + 5); ++j) {
        ASSERT_TRUE(resumed.Next(&items)) << name << " resume at " << k;
        std::string line;
        for (auto v : items) line += std::string(v) + " ";
        EXPECT_EQ(line, got[j]) << name << " resume at " << k;
      }
    }
  }
}

TEST_F(InputStreamTest, CompressedFilesAreWholeShards) {
  // Three compressed parts of different sizes and one plain file, over 1..6 shards: each
  // compressed file is owned by exactly one shard, the plain file's bytes by consecutive ones.
  std::filesystem::create_directories(dir_.File("p"));
  WriteFile(dir_.File("p/a.gz"), Gzip(corpus_.text.substr(0, 50000)));
  WriteFile(dir_.File("p/b.txt"), corpus_.text.substr(0, 80000));
  WriteFile(dir_.File("p/c.zst"), Zstd(corpus_.text, 1 << 30));
  WriteFile(dir_.File("p/d.gz"), Gzip(corpus_.text.substr(0, 5000)));
  auto files = ListInputFiles({dir_.File("p")});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 4u);
  for (int shards = 1; shards <= 6; ++shards) {
    std::vector<int> owners(files->size(), 0);
    std::int64_t plain_bytes = 0;
    for (int s = 0; s < shards; ++s)
      for (const FileRange& r : ShardRanges(*files, s, shards)) {
        if (r.file_index == 1) {
          plain_bytes += r.end - r.begin;
          continue;
        }
        ++owners[r.file_index];
        EXPECT_EQ(r.begin, 0);
        EXPECT_EQ(r.end, kWholeFile);
      }
    EXPECT_EQ(owners[0], 1);
    EXPECT_EQ(owners[2], 1);
    EXPECT_EQ(owners[3], 1);
    EXPECT_EQ(plain_bytes, 80000);
  }
  // One compressed file, four shards: three get nothing.
  auto one = ListInputFiles({dir_.File("c.txt.gz")});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(EmptyShards(*one, 4), 3);
  EXPECT_EQ(EmptyShards(*one, 1), 0);
}

TEST_F(InputStreamTest, CorruptAndTruncatedArchivesNameTheFileAndOffset) {
  const std::string gz = Gzip(corpus_.text), zst = Zstd(corpus_.text, 1 << 30);
  struct Case {
    std::string name, bytes, expect;
  };
  std::string bad_gz = gz, bad_zst = zst;
  for (std::size_t i = 0; i < 8; ++i) {
    bad_gz[gz.size() / 2 + i] = static_cast<char>(0xA5 ^ i);
    bad_zst[zst.size() / 2 + i] = static_cast<char>(0xA5 ^ i);
  }
  bad_gz[3] = '\xff';  // reserved flag bits: the header itself is bad
  const std::vector<Case> cases = {
      {"trunc.gz", gz.substr(0, gz.size() / 2), "truncated gzip file '"},
      {"trunc.zst", zst.substr(0, zst.size() / 2), "truncated zstd file '"},
      {"bad.gz", bad_gz, "corrupt gzip data in '"},
      {"bad.zst", bad_zst, "corrupt zstd data in '"},
  };
  for (const Case& c : cases) {
    WriteFile(dir_.File(c.name), c.bytes);
    auto files = ListInputFiles({dir_.File(c.name)});
    ASSERT_TRUE(files.ok());
    SequenceReader reader(*files, ShardRanges(*files, 0, 1), 1000);
    std::vector<std::string_view> items;
    while (reader.Next(&items)) {
    }
    const Status& st = reader.status();
    ASSERT_FALSE(st.ok()) << c.name;
    const std::string m = st.ToString();
    EXPECT_NE(m.find(c.expect + dir_.File(c.name) + "'"), std::string::npos) << m;
    EXPECT_NE(m.find(" byte"), std::string::npos) << m;
    if (c.name.rfind("trunc", 0) == 0) {
      EXPECT_NE(m.find("ends at byte " + std::to_string(c.bytes.size())), std::string::npos) << m;
    }
  }
  // The gzip header error is placed exactly: decoding stops within the first 10 bytes.
  WriteFile(dir_.File("hdr.gz"), bad_gz);
  InputStream s;
  ASSERT_TRUE(s.Open(dir_.File("hdr.gz")).ok());
  char buf[100];
  Result<std::size_t> n = s.Read(buf, sizeof buf);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().ToString().find("at compressed byte "), std::string::npos) << n.status().ToString();
  const std::string m = n.status().ToString();
  const std::size_t at = m.find("at compressed byte ") + 19;
  EXPECT_LT(std::stoll(m.substr(at)), 10) << m;
}

TEST_F(InputStreamTest, EmptyCompressedFileIsEmpty) {
  WriteFile(dir_.File("e.gz"), Gzip(""));
  WriteFile(dir_.File("z.gz"), "");
  for (const char* name : {"e.gz", "z.gz"}) {
    InputStream s;
    ASSERT_TRUE(s.Open(dir_.File(name)).ok());
    EXPECT_EQ(ReadAll(&s, 100), "") << name;
  }
}

}  // namespace
}  // namespace item2vec
