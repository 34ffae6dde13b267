// Building the vocabulary over the ranks: each worker counts its shard, the counts merge
// into worker 0 along a tree, rank 0 builds the vocabulary (word2vec.c's frequency-sorted
// vocabulary with min-count) and, with --init-from, compares it with the previous model's.
//
// Contract: CountShard streams one worker's shard into an ItemCounter. MergeCounts is a
// collective of the workers (MergeTree, rank_collectives.h); each wait is bounded by
// `timeout`. FinishVocabulary runs on rank 0 only; its errors name the cause and the fix
// (empty input, empty vocabulary after min-count, a bad previous model). With new_ids it
// also lists today's ids the previous model lacks (--new-items cooccurrence).
#pragma once

#include <cstdint>
#include <vector>

#include "common/input_files.h"
#include "common/status.h"
#include "common/train_options.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "job/warm_start.h"

namespace item2vec {

Status CountShard(const std::vector<InputFile>& files, int worker, int num_workers, std::int64_t max_sentence,
                  ItemCounter* counter);

Status MergeCounts(Transport& t, int worker, int num_workers, double timeout, ItemCounter* counter);

Result<Vocabulary> FinishVocabulary(ItemCounter& counter, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids);

}  // namespace item2vec
