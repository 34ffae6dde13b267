// Tests of common/atomic_file.h: the final path only ever holds a complete file.
#include "common/atomic_file.h"

#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using namespace testing;  // item2vec::testing: TempDir, file and directory helpers

std::string TempNameOf(const std::string& path) { return path + ".tmp." + std::to_string(::getpid()); }

TEST(AtomicFileTest, NothingAtTheFinalPathBeforeCommit) {
  TempDir dir;
  const std::string path = dir.File("out.txt");
  AtomicFile f;
  ASSERT_TRUE(f.Open(path).ok());
  EXPECT_EQ(f.path(), path);
  f.Write("hello ");
  f.Write(std::string(100000, 'x'));  // more than fits in small buffers
  EXPECT_FALSE(Exists(path));
  EXPECT_TRUE(Exists(TempNameOf(path)));
  ASSERT_TRUE(f.Commit().ok());
  EXPECT_EQ(ReadFile(path), "hello " + std::string(100000, 'x'));
  EXPECT_FALSE(Exists(TempNameOf(path)));
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"out.txt"});
}

TEST(AtomicFileTest, DestroyWithoutCommitRemovesTheTemporary) {
  TempDir dir;
  const std::string path = dir.File("out.bin");
  {
    AtomicFile f;
    ASSERT_TRUE(f.Open(path).ok());
    f.Write("partial", 7);
    ASSERT_TRUE(Exists(TempNameOf(path)));
  }
  EXPECT_FALSE(Exists(path));
  EXPECT_FALSE(Exists(TempNameOf(path)));
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(AtomicFileTest, AbandonedRewriteKeepsTheOldFile) {
  TempDir dir;
  const std::string path = dir.File("model.txt");
  WriteFile(path, "old complete content");
  {
    AtomicFile f;
    ASSERT_TRUE(f.Open(path).ok());
    f.Write("new but unfinished");
    EXPECT_EQ(ReadFile(path), "old complete content");
  }
  EXPECT_EQ(ReadFile(path), "old complete content");
  // A committed rewrite replaces it whole.
  ASSERT_TRUE(WriteFileAtomically(path, "new").ok());
  EXPECT_EQ(ReadFile(path), "new");
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"model.txt"});
}

TEST(AtomicFileTest, ErrorsAreStatuses) {
  TempDir dir;
  AtomicFile never_opened;
  const Status st = never_opened.Commit();
  EXPECT_FALSE(st.ok());

  AtomicFile f;
  const Status open = f.Open(dir.File("no/such/dir/file"));
  EXPECT_FALSE(open.ok());
  EXPECT_EQ(open.code(), Status::Code::kIOError);
  EXPECT_NE(open.message().find("no/such/dir/file"), std::string::npos);
}

TEST(AtomicFileTest, EnsureWritableDirectoryCreatesParents) {
  TempDir dir;
  const std::string nested = dir.File("a/b/c");
  ASSERT_TRUE(EnsureWritableDirectory(nested).ok());
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_TRUE(ListDir(nested).empty());  // the probe file is cleaned up
  WriteFile(dir.File("plain"), "x");
  EXPECT_FALSE(EnsureWritableDirectory(dir.File("plain")).ok());
}

}  // namespace
}  // namespace item2vec
