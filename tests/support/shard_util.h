// One input file as the trainer's workers see it: written, listed as the input, and its
// items counted through the reader by one worker (job/vocabulary_build.h), the way the
// batch, hot-row, set-window and worker-loop tests start. Test-only.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "job/vocabulary_build.h"
#include "tests/support/test_util.h"

namespace item2vec::testing {

// Writes `text` to `path`, lists it into *files and counts it into *counter. Call it with
// ASSERT_NO_FATAL_FAILURE: a failed step fails the test.
inline void WriteListAndCount(const std::string& path, const std::string& text, std::vector<InputFile>* files,
                              ItemCounter* counter) {
  WriteFile(path, text);
  auto listed = ListInputFiles({path});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  *files = *listed;
  ASSERT_TRUE(CountShard(*files, 0, 1, 1000, counter).ok());
}

}  // namespace item2vec::testing
