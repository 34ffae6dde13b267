// Tests of common/job_result.h: the job's outcome for scripts; the first one recorded wins.
#include "common/job_result.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::ReadFile;
using testing::TempDir;

// A run writes "running" at its start (also over an earlier run's outcome), then its own.
TEST(JobResult, EachRunStartsOverThenRecordsItsOutcome) {
  TempDir dir;
  const std::string file = dir.File(kJobResultFile);
  for (const int code : {75, 0}) {
    StartJobResult(dir.path());
    EXPECT_EQ(ReadFile(file), "running\n");
    RecordJobResult(code, "run\nended");  // one line
    EXPECT_EQ(ReadFile(file), std::to_string(code) + "\nrun ended\n");
  }
}

// A worker ends the job (3); the server, whose peer vanished in that abort, fails after it
// with its own error (1): the file must keep the first rank's code and reason.
TEST(JobResult, TheFirstFailureWinsOverALaterOne) {
  TempDir dir;
  StartJobResult(dir.path());
  RecordJobFailure(3, "rank 0: not found: input file 'a.txt' does not exist (any more)");
  RecordJobFailure(1, "rank 1: internal: lost rank 0");
  RecordJobResult(1, "failed; see the log");
  EXPECT_EQ(ReadFile(dir.File(kJobResultFile)),
            "3\nrank 0: not found: input file 'a.txt' does not exist (any more)\n");
}

// A rank attached to a directory where rank 0's "running" could not be written (best effort)
// still records its failure.
TEST(JobResult, AnAttachedRankWritesWhenTheFileIsMissing) {
  TempDir dir;
  AttachJobResult(dir.path());
  RecordJobResult(0, "ok");  // not started in this process: nothing
  RecordJobFailure(3, "rank 2: data loss");
  EXPECT_EQ(ReadFile(dir.File(kJobResultFile)), "3\nrank 2: data loss\n");
}

}  // namespace
}  // namespace item2vec
