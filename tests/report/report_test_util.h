// Helpers of the report tests: a small model directory (vectors.bin, vocab.tsv) from rows.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/word2vec_format.h"
#include "tests/support/test_util.h"

namespace item2vec::report_test {

// Writes DIR/vectors.bin and DIR/vocab.tsv: items in the given order with descending counts.
inline void WriteModel(const std::string& dir, const std::vector<std::string>& items,
                       const std::vector<std::vector<float>>& rows) {
  Word2VecWriter w;
  ASSERT_TRUE(w.Open("", dir + "/vectors.bin", static_cast<std::int64_t>(items.size()),
                     static_cast<int>(rows.at(0).size())).ok());
  std::string vocab;
  for (std::size_t i = 0; i < items.size(); ++i) {
    w.Add(items[i], rows[i].data());
    vocab += items[i] + "\t" + std::to_string(1000 - i) + "\n";
  }
  ASSERT_TRUE(w.Commit().ok());
  testing::WriteFile(dir + "/vocab.tsv", vocab);
}

}  // namespace item2vec::report_test
