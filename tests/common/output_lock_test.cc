// Tests of common/output_lock.h: one job per output directory; stale locks by host and pid.
#include "common/output_lock.h"

#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::string Host() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// A pid that belonged to a process that is gone now.
int DeadPid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(OutputLockTest, SecondHolderFailsNamingTheFirst) {
  TempDir dir;
  OutputLock first;
  ASSERT_TRUE(first.Acquire(dir.path(), "train --output X").ok());
  const std::string content = ReadFile(dir.File(kOutputLockFile));
  EXPECT_NE(content.find("pid " + std::to_string(::getpid())), std::string::npos) << content;
  EXPECT_NE(content.find("train --output X"), std::string::npos) << content;
  OutputLock second;
  const Status st = second.Acquire(dir.path(), "another");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("in use by another job"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("pid " + std::to_string(::getpid())), std::string::npos) << st.message();
  EXPECT_FALSE(second.held());
  // The holder's record survives the refused attempt.
  EXPECT_EQ(ReadFile(dir.File(kOutputLockFile)), content);
}

TEST(OutputLockTest, ReleaseRemovesTheFileAndFreesTheDirectory) {
  TempDir dir;
  {
    OutputLock lock;
    ASSERT_TRUE(lock.Acquire(dir.path(), "one").ok());
  }
  EXPECT_FALSE(testing::Exists(dir.File(kOutputLockFile)));
  OutputLock again;
  EXPECT_TRUE(again.Acquire(dir.path(), "two").ok());
  EXPECT_TRUE(again.taken_over().empty());
}

TEST(OutputLockTest, DeadHolderOnThisHostIsTakenOver) {
  TempDir dir;
  const std::string stale = "host " + Host() + " pid " + std::to_string(DeadPid()) + " start 12345 since x: old";
  WriteFile(dir.File(kOutputLockFile), stale + "\n");
  OutputLock lock;
  const Status st = lock.Acquire(dir.path(), "new job");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(lock.taken_over(), "pid " + stale.substr(stale.find("pid ") + 4, stale.find(" start") - stale.find("pid ") - 4) + " is gone (" + stale + ")");
  EXPECT_NE(ReadFile(dir.File(kOutputLockFile)).find("new job"), std::string::npos);
}

TEST(OutputLockTest, WithFlockARecordOnThisHostIsStaleEvenForALivePid) {
  TempDir dir;
  const int parent = static_cast<int>(::getppid());
  const long long start = ProcessStartTicks(parent);
  ASSERT_GE(start, 0);
  // The live process (a job that is exiting: its flock is gone, its pid not yet).
  WriteFile(dir.File(kOutputLockFile),
            "host " + Host() + " pid " + std::to_string(parent) + " start " + std::to_string(start) + " since x: a\n");
  OutputLock lock;
  ASSERT_TRUE(lock.Acquire(dir.path(), "b").ok());
  EXPECT_NE(lock.taken_over().find("no longer holds"), std::string::npos) << lock.taken_over();
}

TEST(OutputLockTest, WithoutFlockTheRecordDecidesByPidAndStartTime) {
  const std::string lock = "/x/out/.item2vec.lock";
  const int parent = static_cast<int>(::getppid());
  const long long start = ProcessStartTicks(parent);
  std::string stale;
  const std::string live = "host " + Host() + " pid " + std::to_string(parent) + " start " + std::to_string(start) + " since x: a";
  const Status st = JudgeLockHolder(lock, live, /*flock_works=*/false, &stale);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("directory '/x/out' is in use by another job"), std::string::npos) << st.message();
  // The same pid with another start time: reused by another process.
  const std::string reused = "host " + Host() + " pid " + std::to_string(parent) + " start " + std::to_string(start + 1) + " since x: a";
  ASSERT_TRUE(JudgeLockHolder(lock, reused, false, &stale).ok());
  EXPECT_NE(stale.find("is gone"), std::string::npos) << stale;
  const std::string dead = "host " + Host() + " pid " + std::to_string(DeadPid()) + " start 5 since x: a";
  ASSERT_TRUE(JudgeLockHolder(lock, dead, false, &stale).ok());
  EXPECT_NE(stale.find("is gone"), std::string::npos) << stale;
  ASSERT_TRUE(JudgeLockHolder(lock, "", false, &stale).ok());
  EXPECT_EQ(stale, "");
}

TEST(OutputLockTest, HolderOnAnotherHostIsRefusedWithTheFileToDelete) {
  TempDir dir;
  WriteFile(dir.File(kOutputLockFile), "host elsewhere-node-7 pid 4242 start 1 since x: train\n");
  OutputLock lock;
  const Status st = lock.Acquire(dir.path(), "b");
  ASSERT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("elsewhere-node-7"), std::string::npos);
  EXPECT_NE(st.message().find("delete " + dir.File(kOutputLockFile)), std::string::npos) << st.message();
  EXPECT_FALSE(lock.held());
}

}  // namespace
}  // namespace item2vec
