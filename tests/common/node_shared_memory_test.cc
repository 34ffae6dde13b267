// Tests of common/node_shared_memory.h's names that carry their creator: RemoveOrphans
// removes the files of this host whose creating process is gone, and nothing else.
#include "common/node_shared_memory.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

// The pid of a process that has exited and been reaped.
long DeadPid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

void Touch(const std::string& path) { std::ofstream(path) << "x"; }

TEST(NodeSharedMemoryTest, RemoveOrphansRemovesOnlyFilesOfDeadCreatorsOfThisHost) {
  testing::TempDir dir;
  const std::string stale = CreatorName(dir.path(), "item2vec-tables", DeadPid(), "123-456-0");
  const std::string live = CreatorName(dir.path(), "item2vec-tables", getpid(), "123-456-1");
  const std::string parent = CreatorName(dir.path(), "item2vec-tables", getppid(), "9-9-0");
  const std::string other_host = dir.path() + "/item2vec-tables-" + std::to_string(DeadPid()) + "-elsewhere-1-2-0";
  const std::string other_stem = CreatorName(dir.path(), "other-tables", DeadPid(), "1-2-0");
  const std::string old_format = dir.path() + "/item2vec-tables-" + std::to_string(DeadPid()) + "-77-0";
  for (const std::string& p : {stale, live, parent, other_host, other_stem, old_format}) Touch(p);
  EXPECT_EQ(RemoveOrphans(dir.path(), "item2vec-tables"), 1);
  EXPECT_FALSE(std::filesystem::exists(stale));
  for (const std::string& p : {live, parent, other_host, other_stem, old_format})
    EXPECT_TRUE(std::filesystem::exists(p)) << p;
  EXPECT_EQ(RemoveOrphans(dir.path(), "item2vec-tables"), 0);
  EXPECT_EQ(RemoveOrphans(dir.path() + "/missing", "item2vec-tables"), 0);
}

TEST(NodeSharedMemoryTest, ABlockCreatedUnderACreatorNameIsRemovedOnceItsCreatorIsKilled) {
  testing::TempDir dir;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {  // creates its block, then is killed before it can unlink it
    auto block = NodeSharedMemory::Create(CreatorName(dir.path(), "item2vec-tables", getpid(), "1-0"), 4096);
    const char c = block.ok() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  const std::string path = CreatorName(dir.path(), "item2vec-tables", child, "1-0");
  EXPECT_EQ(RemoveOrphans(dir.path(), "item2vec-tables"), 0);  // its creator is alive
  EXPECT_TRUE(std::filesystem::exists(path));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(std::filesystem::exists(path));  // what a killed job leaves
  EXPECT_EQ(RemoveOrphans(dir.path(), "item2vec-tables"), 1);
  EXPECT_FALSE(std::filesystem::exists(path));
  close(ready[0]);
  close(ready[1]);
}

}  // namespace
}  // namespace item2vec
