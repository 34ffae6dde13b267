// WholeShardBuilder: a BatchBuilder (worker/batch_builder.h) with its own SequenceReader over the
// whole of `files`, as the one worker of a job reads them, for the tests that build batches
// without a job. FillBoth: the next batch of two builders that must keep in step.
// Test-only; not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "common/sequence_reader.h"
#include "worker/batch_builder.h"

namespace item2vec::testing {

// The reader, a base so that it is built before the builder that reads it.
struct WholeShardReader {
  WholeShardReader(const std::vector<InputFile>& files, std::int64_t max_sentence)
      : reader(files, ShardRanges(files, 0, 1), max_sentence) {}
  SequenceReader reader;
};

class WholeShardBuilder : private WholeShardReader, public BatchBuilder {
 public:
  WholeShardBuilder(const std::vector<InputFile>& files, const BatchOptions& options, const Vocabulary& vocab,
                    const Partition& partition, std::int64_t shard_words, std::uint64_t rng_seed)
      : WholeShardReader(files, options.max_sentence),
        BatchBuilder(options, vocab, partition, &reader, shard_words, rng_seed) {}
};

// Fills *x from a and *y from b: true while both made a batch, false when both are done. A
// failed Fill, or one builder done before the other, fails the test and returns false.
inline bool FillBoth(BatchBuilder* a, Batch* x, BatchBuilder* b, Batch* y) {
  Result<bool> more_a = a->Fill(x), more_b = b->Fill(y);
  EXPECT_TRUE(more_a.ok()) << more_a.status().ToString();
  EXPECT_TRUE(more_b.ok()) << more_b.status().ToString();
  if (!more_a.ok() || !more_b.ok()) return false;
  EXPECT_EQ(*more_a, *more_b);
  return *more_a && *more_b;
}

}  // namespace item2vec::testing
