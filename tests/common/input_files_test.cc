// Tests of common/input_files.h: listing inputs and cutting them into byte ranges.
#include "common/input_files.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(ListInputFilesTest, FilesKeepTheGivenOrderAndSizes) {
  TempDir dir;
  WriteFile(dir.File("b.txt"), "1 2 3\n");
  WriteFile(dir.File("a.txt"), "x\n");
  auto files = ListInputFiles({dir.File("b.txt"), dir.File("a.txt")});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, dir.File("b.txt"));
  EXPECT_EQ((*files)[0].size, 6);
  EXPECT_EQ((*files)[1].path, dir.File("a.txt"));
  EXPECT_EQ((*files)[1].size, 2);
}

TEST(ListInputFilesTest, DirectoryGivesSortedVisiblePartFiles) {
  TempDir dir;
  const std::string parts = dir.File("parts");
  std::filesystem::create_directories(parts + "/nested");
  WriteFile(parts + "/part-00002", "c\n");
  WriteFile(parts + "/part-00000", "a\n");
  WriteFile(parts + "/part-00001", "");  // empty files are listed (size 0)
  WriteFile(parts + "/_SUCCESS", "");
  WriteFile(parts + "/.part-00000.crc", "junk");
  WriteFile(parts + "/nested/part-00009", "not recursive\n");
  WriteFile(dir.File("extra.txt"), "e\n");
  auto files = ListInputFiles({dir.File("extra.txt"), parts});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::vector<std::string> paths;
  for (const auto& f : *files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{dir.File("extra.txt"), parts + "/part-00000", parts + "/part-00001",
                                             parts + "/part-00002"}));
  EXPECT_EQ((*files)[2].size, 0);
}

TEST(ListInputFilesTest, MissingPathIsNotFoundNamingThePath) {
  TempDir dir;
  WriteFile(dir.File("present.txt"), "a\n");
  const std::string missing = dir.File("no-such-input.txt");
  auto files = ListInputFiles({dir.File("present.txt"), missing});
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), Status::Code::kNotFound);
  EXPECT_NE(files.status().message().find(missing), std::string::npos) << files.status().message();
}

TEST(ListInputFilesTest, EmptyDirectoryIsAnError) {
  TempDir dir;
  const std::string empty = dir.File("empty");
  std::filesystem::create_directories(empty);
  auto files = ListInputFiles({empty});
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), Status::Code::kDataError);
  EXPECT_NE(files.status().message().find(empty), std::string::npos) << files.status().message();

  // Only marker files: still nothing to read.
  WriteFile(empty + "/_SUCCESS", "");
  WriteFile(empty + "/.hidden", "a b c\n");
  auto markers = ListInputFiles({empty});
  ASSERT_FALSE(markers.ok());
  EXPECT_EQ(markers.status().code(), Status::Code::kDataError);
}

// Issue 26 item 4: a writer killed mid-file leaves NAME.tmp.PID beside its part files
// (AtomicFile); the lister never takes one as input.
TEST(ListInputFilesTest, TemporaryFilesOfAnUnfinishedWriterAreNotInput) {
  TempDir dir;
  const std::string parts = dir.File("parts");
  std::filesystem::create_directories(parts);
  WriteFile(parts + "/part-00000", "a b\n");
  WriteFile(parts + "/part-00000.tmp.4242", "a b\n");
  WriteFile(parts + "/part-00001.tmp.17", "half a li");
  auto files = ListInputFiles({parts});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, parts + "/part-00000");
  // A directory holding nothing else is empty, with the reason.
  std::filesystem::remove(parts + "/part-00000");
  auto none = ListInputFiles({parts});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("temporary"), std::string::npos) << none.status().message();
  // A name that only looks alike is a part file.
  WriteFile(parts + "/notes.tmp.txt", "x\n");
  auto alike = ListInputFiles({parts});
  ASSERT_TRUE(alike.ok()) << alike.status().ToString();
  EXPECT_EQ(alike->size(), 1u);
}

// Issue 26 item 16: the same file given twice (directly, through "..", or inside a
// directory also given) would be read twice: refused, naming both.
TEST(ListInputFilesTest, TheSameFileGivenTwiceIsRefused) {
  TempDir dir;
  const std::string parts = dir.File("parts");
  std::filesystem::create_directories(parts);
  WriteFile(parts + "/part-00000", "a b\n");
  const std::vector<std::vector<std::string>> cases = {
      {parts + "/part-00000", parts + "/part-00000"},
      {parts + "/part-00000", parts + "/../parts/part-00000"},
      {parts, parts + "/part-00000"},
      {parts, dir.File("parts/.")}};
  for (const auto& inputs : cases) {
    auto files = ListInputFiles(inputs);
    ASSERT_FALSE(files.ok()) << inputs[1];
    EXPECT_EQ(files.status().code(), Status::Code::kInvalidArgument) << files.status().message();
    EXPECT_NE(files.status().message().find("twice"), std::string::npos) << files.status().message();
  }
}

// Issue 26 item 5: an output directory that is an input, holds one, or lies inside one
// would feed a run its own output: refused either way round; siblings are fine.
TEST(CheckOutputApartFromInputsTest, OutputInsideInputAndTheReverseAreRefused) {
  TempDir dir;
  const std::string data = dir.File("data");
  std::filesystem::create_directories(data + "/model");
  WriteFile(data + "/part-00000", "a b\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{data}, data},                        // the same directory
      {{data}, data + "/model"},             // output inside an input directory
      {{data}, dir.File("data/../data/")},   // the same, spelled otherwise
      {{data + "/part-00000"}, data},        // an input file inside the output
      {{dir.path()}, data},                  // output inside the input's directory
  };
  for (const auto& [inputs, output] : refused) {
    const Status st = CheckOutputApartFromInputs(inputs, output, "--output");
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << inputs[0] << " vs " << output;
    EXPECT_NE(st.message().find("--output"), std::string::npos) << st.message();
  }
  WriteFile(dir.File("seqs.txt"), "a b\n");
  EXPECT_TRUE(CheckOutputApartFromInputs({data}, dir.File("model"), "--output").ok());
  EXPECT_TRUE(CheckOutputApartFromInputs({dir.File("seqs.txt")}, dir.File("new/model"), "--output").ok());
}

std::vector<InputFile> Sizes(const std::vector<std::int64_t>& sizes) {
  std::vector<InputFile> files;
  for (std::size_t i = 0; i < sizes.size(); ++i) files.push_back({"f" + std::to_string(i), sizes[i]});
  return files;
}

TEST(ShardRangesTest, ShardsTileTheConcatenationExactly) {
  const std::vector<std::vector<std::int64_t>> layouts = {
      {100}, {1}, {0}, {7, 0, 13, 1, 0, 50}, {1000000007, 3, 999999937}, {5, 5, 5, 5}};
  for (const auto& sizes : layouts) {
    const std::vector<InputFile> files = Sizes(sizes);
    std::int64_t total = 0;
    std::vector<std::int64_t> starts;
    for (std::int64_t s : sizes) {
      starts.push_back(total);
      total += s;
    }
    for (int shards = 1; shards <= 9; ++shards) {
      std::int64_t next = 0;  // global offset the next range must start at
      std::int64_t max_bytes = 0, min_bytes = total;
      for (int shard = 0; shard < shards; ++shard) {
        std::int64_t bytes = 0;
        for (const FileRange& r : ShardRanges(files, shard, shards)) {
          ASSERT_LT(r.file_index, files.size());
          ASSERT_LE(0, r.begin);
          ASSERT_LT(r.begin, r.end) << "empty ranges are not listed";
          ASSERT_LE(r.end, sizes[r.file_index]);
          ASSERT_EQ(starts[r.file_index] + r.begin, next) << "gap or overlap, shards=" << shards;
          next = starts[r.file_index] + r.end;
          bytes += r.end - r.begin;
        }
        max_bytes = std::max(max_bytes, bytes);
        min_bytes = std::min(min_bytes, bytes);
      }
      EXPECT_EQ(next, total) << "shards=" << shards;
      EXPECT_LE(max_bytes - min_bytes, 1) << "near-equal byte shares, shards=" << shards;
    }
  }
}

}  // namespace
}  // namespace item2vec
