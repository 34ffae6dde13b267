// Building the vocabulary over the ranks: each worker counts its shard, the counts are
// partitioned over the workers by item hash (job/vocabulary_partition.h), each owner keeps
// what passes min-count and max-vocab, and rank 0 merges the owners' items into the
// vocabulary (word2vec.c's frequency-sorted vocabulary with min-count) and, with --init-from,
// compares it with the previous model's.
//
// Contract: CountShard streams one worker's shard into a CountedShard: the item counts,
// the items skipped for their length (common/sequence_reader.h), and whether a stop
// signal (common/stop_signal.h) cut the count short: it checks the flag every
// kStopCheckLines lines, so SIGTERM is acted on in milliseconds, not when counting ends.
// MergeCounts is a collective of the workers (MergeTree, rank_collectives.h) that sums all
// three into worker 0 (the job merges the report alone, without counts; a stop on any
// worker stops the job); each wait is bounded by `timeout`. FinishVocabulary runs on rank 0 only; its errors name the cause and the fix
// (empty input, empty vocabulary after min-count, a bad previous model). With new_ids it
// also lists today's ids the previous model lacks (--new-items cooccurrence), and it warns
// (once, with counts and an escaped example) about items that are not valid UTF-8 or hold
// NUL bytes: they are trained, but text tools reading vectors.txt may choke on them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_files.h"
#include "common/status.h"
#include "common/train_options.h"
#include "common/transport.h"
#include "common/utf8.h"
#include "common/vocabulary.h"
#include "job/vocabulary_partition.h"
#include "job/warm_start.h"
#include "worker/first_epoch_ids.h"

namespace item2vec {

// One worker's count of its shard, and what merges into worker 0.
struct CountedShard {
  ItemCounter counts;
  std::int64_t long_items = 0;  // skipped: longer than SequenceReader::kMaxItemBytes
  std::string long_example;     // the first one (sequence_reader.h's long_item_example)
  bool stopped = false;         // a stop signal arrived: the counts are partial

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& counts; ar& long_items; ar& long_example; ar& stopped; }
  void Merge(CountedShard&& other);
};

inline constexpr std::int64_t kStopCheckLines = 4096;

// With first (its records made by StartLocalIds), the count also writes the shard as local
// ids (worker/first_epoch_ids.h); records that did not reach the shard's end (a stop
// signal, a read error) are Failed().
Status CountShard(const std::vector<InputFile>& files, int worker, int num_workers, std::int64_t max_sentence,
                  CountedShard* shard, FirstEpochIds* first = nullptr);

// The counts alone (tests, tools): CountShard above, without its report.
Status CountShard(const std::vector<InputFile>& files, int worker, int num_workers, std::int64_t max_sentence,
                  ItemCounter* counter);

Status MergeCounts(Transport& t, int worker, int num_workers, double timeout, CountedShard* shard);

// Items that are not valid UTF-8 (with_nul: those holding a NUL byte, counted apart).
struct OddItems {
  std::int64_t invalid_utf8 = 0, with_nul = 0;
  std::string example;  // the first one, escaped (\xNN), at most 40 bytes of it
};
OddItems CountOddItems(const Vocabulary& vocab);

Result<Vocabulary> FinishVocabulary(ItemCounter& counter, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids);

// The same from the owners' selections (job/vocabulary_partition.h), made with
// OwnerMinCount and OwnerCap: min-count and max-vocab on each owner, except with
// --init-from --keep-missing, where every item comes to rank 0 and the ItemCounter form runs.
Result<Vocabulary> FinishVocabulary(std::vector<OwnedItems> parts, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids);
Count OwnerMinCount(const TrainOptions& o);
Count OwnerCap(const TrainOptions& o);

}  // namespace item2vec
