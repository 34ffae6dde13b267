// CorpusTest: the gtest fixture of the worker tests that build batches or train over one corpus
// file: a temp dir, the file written and counted as the trainer counts it
// (tests/support/shard_util.h), its vocabulary, and options that read it. Test-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "tests/support/shard_util.h"
#include "tests/support/test_util.h"

namespace item2vec::testing {

class CorpusTest : public ::testing::Test {
 protected:
  CorpusTest() = default;
  explicit CorpusTest(std::string_view dir_tag) : dir_(dir_tag) {}

  // Writes `text` as DIR/name and counts it (into *counter when given); vocab_ keeps the items
  // seen at least min_count times; options_ reads the file with that --min-count and writes to
  // DIR/out. Call it with ASSERT_NO_FATAL_FAILURE.
  void UseCorpus(const std::string& name, const std::string& text, Count min_count, ItemCounter* counter = nullptr) {
    ItemCounter own;
    ItemCounter* c = counter != nullptr ? counter : &own;
    ASSERT_NO_FATAL_FAILURE(WriteListAndCount(dir_.File(name), text, &files_, c));
    vocab_ = Vocabulary::Build(*c, min_count, 0);
    options_.input = {dir_.File(name)};
    options_.output = dir_.File("out");
    options_.min_count = min_count;
  }

  TempDir dir_;
  std::vector<InputFile> files_;
  Vocabulary vocab_;
  TrainOptions options_;
};

}  // namespace item2vec::testing
