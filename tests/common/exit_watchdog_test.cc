// ExitWatchdog (common/exit_watchdog.h): a process that arms it and then blocks forever (as a rank
// in an MPI_Abort that cannot reach mpirun does) ends with the given code after the grace period.
#include "common/exit_watchdog.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

// Blocks as a call that never returns would; after 10 s (the watchdog failed) exits 99.
[[noreturn]] void BlockForever() {
  std::this_thread::sleep_for(std::chrono::seconds(10));
  std::_Exit(99);
}

TEST(ExitWatchdogDeathTest, EndsABlockedProcessWithTheJobsCode) {
  EXPECT_EXIT(
      {
        ArmExitWatchdog(5, 0.2);
        BlockForever();
      },
      testing::ExitedWithCode(5), "");
}

TEST(ExitWatchdogDeathTest, EndsItWhenAnotherThreadHoldsTheBlockingCall) {
  // The rank's main thread blocks (in MPI_Abort); the watchdog is its own thread.
  EXPECT_EXIT(
      {
        std::thread([] { BlockForever(); }).detach();
        ArmExitWatchdog(5, 0.2);
        BlockForever();
      },
      testing::ExitedWithCode(5), "");
}

TEST(ExitWatchdogDeathTest, TheFirstCodeWins) {
  EXPECT_EXIT(
      {
        ArmExitWatchdog(5, 0.3);
        ArmExitWatchdog(1, 0.05);
        BlockForever();
      },
      testing::ExitedWithCode(5), "");
}

TEST(ExitWatchdogDeathTest, WaitsForTheGracePeriod) {
  // Ends after the grace period, not before: the code is only set once the sleep is over.
  EXPECT_EXIT(
      {
        const auto t0 = std::chrono::steady_clock::now();
        ArmExitWatchdog(4, 0.5);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::_Exit(waited < 0.5 ? 0 : 9);  // the watchdog has not fired yet: exit 0 ourselves
      },
      testing::ExitedWithCode(0), "");
}

TEST(ExitWatchdogTest, GraceComesFromTheEnvironmentWhenItIsAPositiveNumber) {
  unsetenv("ITEM2VEC_ABORT_GRACE_SECONDS");
  EXPECT_EQ(AbortGraceSeconds(), kDefaultAbortGraceSeconds);
  setenv("ITEM2VEC_ABORT_GRACE_SECONDS", "1.5", 1);
  EXPECT_EQ(AbortGraceSeconds(), 1.5);
  for (const char* bad : {"0", "-2", "abc", "3s", ""}) {
    setenv("ITEM2VEC_ABORT_GRACE_SECONDS", bad, 1);
    EXPECT_EQ(AbortGraceSeconds(), kDefaultAbortGraceSeconds) << bad;
  }
  unsetenv("ITEM2VEC_ABORT_GRACE_SECONDS");
}

}  // namespace
}  // namespace item2vec
