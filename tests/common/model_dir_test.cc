// Tests of common/model_dir.h: the model files of a directory are replaced as one unit.
#include "common/model_dir.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::Exists;
using testing::ListDir;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Stages and publishes a model whose every file holds `tag`.
void WriteWholeModel(const std::string& dir, const std::string& tag) {
  Result<std::string> staged = StageModel(dir);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  for (const std::string& f : ModelFiles()) WriteFile(*staged + "/" + f, tag);
  const Status st = PublishModel(dir, *staged);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

void ExpectModel(const std::string& dir, const std::string& tag) {
  for (const std::string& f : ModelFiles()) {
    EXPECT_EQ(ReadFile(dir + "/" + f), tag) << f;  // through the fixed links
    EXPECT_EQ(ReadFile(ResolveModelDir(dir) + "/" + f), tag) << f;
  }
}

// RemoveModelDebris(dir) removes `count` entries, the staged model directory `staged` among them.
void ExpectDebrisRemoved(const std::string& dir, int count, const std::string& staged) {
  Result<int> removed = RemoveModelDebris(dir);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, count);
  EXPECT_FALSE(Exists(staged));
}

TEST(ModelDirTest, PublishReplacesEveryFileAndRemovesThePrevious) {
  TempDir dir;
  WriteWholeModel(dir.path(), "one");
  ExpectModel(dir.path(), "one");
  EXPECT_EQ(ResolveModelDir(dir.path()), std::filesystem::canonical(dir.File("model.1")).string());
  WriteWholeModel(dir.path(), "two");
  ExpectModel(dir.path(), "two");
  EXPECT_FALSE(Exists(dir.File("model.1")));
  EXPECT_TRUE(std::filesystem::is_symlink(dir.File("vectors.bin")));
}

TEST(ModelDirTest, AnUnpublishedModelLeavesThePreviousWholeAndIsDebrisNextTime) {
  TempDir dir;
  WriteWholeModel(dir.path(), "good");
  // A run killed half-way: some files of the next model, and temporaries.
  Result<std::string> staged = StageModel(dir.path());
  ASSERT_TRUE(staged.ok());
  WriteFile(*staged + "/vectors.txt", "half");
  WriteFile(*staged + "/vectors.bin.tmp.4711", "partial");
  WriteFile(dir.File("vectors.txt.tmp.999"), "old-layout temporary");
  WriteFile(dir.File("notes.tmp.txt"), "the user's");
  ExpectModel(dir.path(), "good");
  ASSERT_NO_FATAL_FAILURE(ExpectDebrisRemoved(dir.path(), 2, *staged));
  EXPECT_FALSE(Exists(dir.File("vectors.txt.tmp.999")));
  EXPECT_TRUE(Exists(dir.File("notes.tmp.txt")));
  ExpectModel(dir.path(), "good");
  WriteWholeModel(dir.path(), "next");
  ExpectModel(dir.path(), "next");
}

// Issue 26 item 8: in a directory that never held a model, the user's model.2023/ and
// report.tmp.123 are not "unfinished files of an earlier run", and a plain file named
// model is not replaced by the link: only what train provably wrote is removed.
TEST(ModelDirTest, OnlyWhatTrainWroteIsDebrisAndNothingOfTheUsersIsReplaced) {
  TempDir dir;
  std::filesystem::create_directory(dir.File("model.2023"));
  WriteFile(dir.File("model.2023/notes"), "the user's");
  WriteFile(dir.File("report.tmp.123"), "the user's");
  WriteFile(dir.File("model"), "the user's plain file");
  Result<int> removed = RemoveModelDebris(dir.path());
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 0);
  EXPECT_EQ(ReadFile(dir.File("model.2023/notes")), "the user's");
  EXPECT_EQ(ReadFile(dir.File("report.tmp.123")), "the user's");
  Status st = CheckOutputNamesAreOurs(dir.path());
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find(dir.File("model")), std::string::npos) << st.message();
  EXPECT_EQ(ReadFile(dir.File("model")), "the user's plain file");
  // A directory under a fixed link's name, a link elsewhere, a job_result of another tool.
  std::filesystem::remove(dir.File("model"));
  std::filesystem::create_directory(dir.File("vectors.txt"));
  EXPECT_EQ(CheckOutputNamesAreOurs(dir.path()).code(), Status::Code::kInvalidArgument);
  std::filesystem::remove(dir.File("vectors.txt"));
  std::filesystem::create_symlink("/etc/hostname", dir.File("vocab.tsv"));
  EXPECT_EQ(CheckOutputNamesAreOurs(dir.path()).code(), Status::Code::kInvalidArgument);
  std::filesystem::remove(dir.File("vocab.tsv"));
  WriteFile(dir.File("job_result"), "the user's notes\n");
  EXPECT_EQ(CheckOutputNamesAreOurs(dir.path()).code(), Status::Code::kInvalidArgument);
  WriteFile(dir.File("job_result"), "running\n");
  EXPECT_TRUE(CheckOutputNamesAreOurs(dir.path()).ok());
  // The run report's link: a user's report.html is neither checked as ours nor replaced.
  WriteFile(dir.File("report.html"), "the user's page");
  EXPECT_EQ(CheckOutputNamesAreOurs(dir.path()).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(LinkPublishedFile(dir.path(), "report.html").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ReadFile(dir.File("report.html")), "the user's page");
  std::filesystem::remove(dir.File("report.html"));
  ASSERT_TRUE(LinkPublishedFile(dir.path(), "report.html").ok());  // absent: made
  EXPECT_TRUE(CheckOutputNamesAreOurs(dir.path()).ok());
  ASSERT_TRUE(LinkPublishedFile(dir.path(), "report.html").ok());  // ours: made again
  std::filesystem::remove(dir.File("report.html"));
  // The models train writes there, and what a killed run of it leaves, are its own.
  WriteWholeModel(dir.path(), "one");
  EXPECT_TRUE(CheckOutputNamesAreOurs(dir.path()).ok());
  Result<std::string> staged = StageModel(dir.path());
  ASSERT_TRUE(staged.ok());
  WriteFile(dir.File("vectors.bin.tmp.4711"), "a link being made");
  WriteFile(dir.File("job_result.tmp.4711"), "a result being written");
  WriteFile(dir.File("report.html.tmp.4711"), "a report link being made");
  ASSERT_NO_FATAL_FAILURE(ExpectDebrisRemoved(dir.path(), 4, *staged));
  EXPECT_TRUE(Exists(dir.File("model.2023/notes")));
  EXPECT_TRUE(Exists(dir.File("report.tmp.123")));
  ExpectModel(dir.path(), "one");
}

TEST(ModelDirTest, AFlatModelIsAdoptedBeforeItIsReplaced) {
  TempDir dir;
  for (const std::string& f : ModelFiles()) WriteFile(dir.File(f), "flat");
  EXPECT_EQ(ResolveModelDir(dir.path()), dir.path());
  Result<std::string> staged = StageModel(dir.path());
  ASSERT_TRUE(staged.ok());
  EXPECT_EQ(std::filesystem::path(*staged).filename(), "model.1");
  for (const std::string& f : ModelFiles()) WriteFile(*staged + "/" + f, "new");
  ASSERT_TRUE(PublishModel(dir.path(), *staged).ok());
  ExpectModel(dir.path(), "new");
  EXPECT_FALSE(Exists(dir.File("model.0")));
  std::vector<std::string> expected = ModelFiles();
  expected.push_back("model");
  expected.push_back("model.1");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ListDir(dir.path()), expected);
}

TEST(ModelDirTest, ADirectoryInTheLinksPlaceIsAnErrorAndChangesNothing) {
  TempDir dir;
  std::filesystem::create_directory(dir.File("model"));
  WriteFile(dir.File("model/mine"), "x");
  Result<std::string> staged = StageModel(dir.path());
  ASSERT_TRUE(staged.ok());
  for (const std::string& f : ModelFiles()) WriteFile(*staged + "/" + f, "new");
  const Status st = PublishModel(dir.path(), *staged);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(ReadFile(dir.File("model/mine")), "x");
  EXPECT_FALSE(Exists(dir.File("vectors.bin")));
}

}  // namespace
}  // namespace item2vec
