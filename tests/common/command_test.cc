// The one entry path of every subcommand (common/command.h): --help, INI + command line,
// required options, and the catch-all that turns any exception into a message and exit 1.
#include "common/command.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <gtest/gtest.h>

namespace item2vec {
namespace {

namespace po = boost::program_options;

// EXPECT_CONTAINS(text, part): gtest without gmock.
#define EXPECT_CONTAINS(text, part)                               \
  do {                                                            \
    const std::string text_ = (text);                             \
    EXPECT_NE(text_.find(part), std::string::npos) << text_;      \
  } while (false)

// A command of a few lines, as a new subcommand would be wired.
struct Demo {
  std::string model;
  int k = 10;
  bool ran = false;
  Command command{"demo", "Usage: item2vec demo --model DIR\n\n"};
  Demo() {
    command.options.add_options()("model", po::value(&model), "a model")("k", po::value(&k)->default_value(k), "k");
    command.required = {{"model", "a model directory"}};
    command.body = [this](CommandContext&) {
      ran = true;
      return 0;
    };
  }
};

TEST(RunCommandTest, HelpPrintsUsageAndOptionsWithoutCheckingRequiredOnes) {
  Demo d;
  testing::internal::CaptureStdout();
  EXPECT_EQ(RunCommand(d.command, {"--help"}), 0);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_CONTAINS(out, "Usage: item2vec demo --model DIR");
  EXPECT_CONTAINS(out, "--model");
  EXPECT_CONTAINS(out, "--config");
  EXPECT_FALSE(d.ran);
}

TEST(RunCommandTest, AMissingRequiredOptionIsAUsageError) {
  Demo d;
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunCommand(d.command, {"--k", "3"}), 2);
  EXPECT_CONTAINS(testing::internal::GetCapturedStderr(),
                  "item2vec demo: invalid argument: --model is required: a model directory (see item2vec demo --help)");
  EXPECT_FALSE(d.ran);
}

TEST(RunCommandTest, AnUnknownOptionIsAUsageError) {
  Demo d;
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunCommand(d.command, {"--model", "m", "--nope"}), 2);
  EXPECT_CONTAINS(testing::internal::GetCapturedStderr(), "item2vec demo: ");
}

TEST(RunCommandTest, ReadsTheIniFileAndTheCommandLineWins) {
  const std::string path = testing::TempDir() + "/command_test.ini";
  std::ofstream(path) << "model = from-ini\nk = 7\n";
  Demo d;
  EXPECT_EQ(RunCommand(d.command, {"--config", path, "--k", "3"}), 0);
  EXPECT_TRUE(d.ran);
  EXPECT_EQ(d.model, "from-ini");
  EXPECT_EQ(d.k, 3);
  std::remove(path.c_str());
}

TEST(RunCommandTest, TheBodysExitCodeAndFailuresComeBack) {
  Demo d;
  d.command.body = [](CommandContext& ctx) { return ctx.Fail(Status::NotFound("no such model")); };
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunCommand(d.command, {"--model", "m"}), 3);
  EXPECT_CONTAINS(testing::internal::GetCapturedStderr(), "item2vec demo: ");
}

TEST(RunCommandTest, AnExceptionInTheBodyIsAMessageAndExitCodeOne) {
  Demo d;
  d.command.body = [](CommandContext&) -> int { throw std::runtime_error("injected"); };
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunCommand(d.command, {"--model", "m"}), 1);
  EXPECT_CONTAINS(testing::internal::GetCapturedStderr(), "item2vec demo: unexpected error: injected");
}

TEST(RunCommandTest, AnExceptionThatIsNotAStdExceptionIsCaughtToo) {
  Demo d;
  d.command.after_parse = []() -> Status { throw 42; };
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunCommand(d.command, {"--model", "m"}), 1);
  EXPECT_CONTAINS(testing::internal::GetCapturedStderr(), "unexpected error: an exception that is not");
  EXPECT_FALSE(d.ran);
}

// Most commands' body is one function returning a Status: RunCommand reports it as Fail does.
TEST(RunCommandTest, TheStatusOfARunFunctionIsItsExitCode) {
  Demo d;
  EXPECT_EQ(RunCommand(d.command, {"--model", "m"}, [] { return Status::Ok(); }), 0);
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunCommand(d.command, {"--model", "m"}, [] { return Status::NotFound("no such model"); }), 3);
  EXPECT_CONTAINS(testing::internal::GetCapturedStderr(), "item2vec demo: ");
  EXPECT_FALSE(d.ran);  // the run function replaced the body
}

// prep and walk: MPI only when launched (one process here, so comm() works within it) and
// logging with the command's name as role.
TEST(RunCommandTest, ASharedWorkCommandRunsInOneProcessWithoutMpi) {
  Demo d;
  int size = 0;
  EXPECT_EQ(RunSharedWorkCommand(d.command, {"--model", "m"}, [&size](CommandContext& ctx) {
              size = ctx.size();
              return ctx.mpi() == nullptr ? 5 : 6;
            }),
            5);
  EXPECT_EQ(size, 1);
  EXPECT_EQ(d.command.mpi, Command::Mpi::kWhenLaunched);
  EXPECT_EQ(d.command.log_role, "demo");
}

}  // namespace
}  // namespace item2vec
