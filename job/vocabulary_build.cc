#include "job/vocabulary_build.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>

#include "common/sequence_reader.h"
#include "common/stop_signal.h"
#include "job/cooccurrence_init.h"
#include "ps/protocol.h"
#include "job/rank_collectives.h"
#include "job/vocabulary_partition.h"

namespace item2vec {

void CountedShard::Merge(CountedShard&& other) {
  counts.Merge(other.counts);
  long_items += other.long_items;
  if (long_example.empty()) long_example = std::move(other.long_example);
  stopped = stopped || other.stopped;
}

namespace {

// Counts one sentence's items; with records, also appends it as their local ids.
void CountSentence(const std::vector<std::string_view>& items, const SequenceReader& reader, ReaderStats* before,
                   IdCache* records, std::vector<std::uint32_t>* locals, ItemCounter* counts) {
  if (records == nullptr) {
    for (std::string_view item : items) counts->Add(item);
    return;
  }
  locals->clear();
  for (std::string_view item : items) locals->push_back(counts->Add(item));
  AppendLocalSentence(records, *locals, reader, *before);
  *before = reader.stats();
}

}  // namespace

Status CountShard(const std::vector<InputFile>& files, int worker, int num_workers, std::int64_t max_sentence,
                  CountedShard* shard, FirstEpochIds* first) {
  SequenceReader reader(files, ShardRanges(files, worker, num_workers), max_sentence);
  IdCache* records = first != nullptr ? first->records.get() : nullptr;
  std::vector<std::string_view> items;
  std::vector<std::uint32_t> locals;
  ReaderStats before = reader.stats();
  std::int64_t lines = 0;
  while (reader.Next(&items)) {
    CountSentence(items, reader, &before, records, &locals, &shard->counts);
    if (++lines % kStopCheckLines == 0 && StopRequested()) {
      shard->stopped = true;
      break;
    }
  }
  shard->long_items = reader.stats().long_items;
  shard->long_example = reader.long_item_example();
  if (records != nullptr) {
    if (shard->stopped || !reader.status().ok()) records->Fail("the count did not reach the shard's end");
    first->end = reader.Position();
    records->FinishWrite();
  }
  return reader.status();
}

Status CountShard(const std::vector<InputFile>& files, int worker, int num_workers, std::int64_t max_sentence,
                  ItemCounter* counter) {
  CountedShard shard;
  Status st = CountShard(files, worker, num_workers, max_sentence, &shard);
  *counter = std::move(shard.counts);
  return st;
}

Status MergeCounts(Transport& t, int worker, int num_workers, double timeout, CountedShard* shard) {
  return MergeTree(t, worker, num_workers, protocol::kVocabCounts, timeout, "item counts", shard,
                   [](CountedShard* into, CountedShard&& other) {
                     into->Merge(std::move(other));
                     return Status::Ok();
                   });
}

OddItems CountOddItems(const Vocabulary& vocab) {
  OddItems odd;
  for (ItemId id = 0; id < vocab.size(); ++id) {
    const std::string_view item = vocab.item(id);
    const bool nul = item.find('\0') != std::string_view::npos;
    const bool bad = !nul && !IsValidUtf8(item);
    if (!nul && !bad) continue;
    (nul ? odd.with_nul : odd.invalid_utf8)++;
    if (odd.example.empty()) {
      for (unsigned char c : item.substr(0, 40)) {
        char buf[8];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
          odd.example += static_cast<char>(c);
        } else {
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          odd.example += buf;
        }
      }
    }
  }
  return odd;
}

namespace {

Result<std::optional<Vocabulary>> PreviousVocabulary(const TrainOptions& o) {
  if (o.init_from.empty()) return std::optional<Vocabulary>();
  Result<Vocabulary> prev = ReadModelVocabulary(o.init_from, o.dim);
  if (!prev.ok()) return prev.status();
  return std::optional<Vocabulary>(std::move(prev.value()));
}

// What follows the vocabulary's build on rank 0: its checks, the odd-item warning, the
// warm start's comparison.
Result<Vocabulary> CheckVocabulary(Vocabulary vocab, std::int64_t distinct, Count top, const TrainOptions& o,
                                   const std::optional<Vocabulary>& previous, WarmStartCounts* warm,
                                   std::vector<ItemId>* new_ids) {
  if (vocab.empty())
    return Status::DataError("the vocabulary is empty after --min-count " + std::to_string(o.min_count) +
                             ": " + std::to_string(distinct) + " distinct items, the most frequent seen " +
                             std::to_string(top) + " times; lower --min-count");
  if (const OddItems odd = CountOddItems(vocab); odd.invalid_utf8 + odd.with_nul > 0)
    spdlog::warn("{} item(s) of the vocabulary are not valid UTF-8 and {} hold NUL bytes (e.g. '{}'): they are "
                 "trained like any other, but tools that read vectors.txt as text may reject or cut them; "
                 "check the input's encoding", odd.invalid_utf8, odd.with_nul, odd.example);
  if (previous) {
    *warm = CompareVocabularies(*previous, vocab);
    if (new_ids != nullptr) {
      const std::vector<bool> is_new = NewItemMask(*previous, vocab);
      for (ItemId id = 0; id < is_new.size(); ++id)
        if (is_new[id]) new_ids->push_back(id);
    }
    spdlog::info("warm start from {}: {} items kept, {} added, {} dropped", o.init_from, warm->kept, warm->added,
                 warm->dropped);
  }
  return vocab;
}

const Status kEmptyInput = Status::DataError("the input holds no items: every --input file is empty or blank");

}  // namespace

Result<Vocabulary> FinishVocabulary(ItemCounter& counter, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids) {
  Result<std::optional<Vocabulary>> previous = PreviousVocabulary(o);
  if (!previous.ok()) return previous.status();
  if (*previous && o.keep_missing) AddMissingItems(**previous, o.min_count, &counter);
  if (counter.total() == 0) return kEmptyInput;
  Count top = 0;
  for (const auto& kv : counter.counts()) top = std::max(top, kv.second);
  return CheckVocabulary(Vocabulary::Build(counter, o.min_count, o.max_vocab),
                         static_cast<std::int64_t>(counter.distinct()), top, o, *previous, warm, new_ids);
}

Count OwnerMinCount(const TrainOptions& o) { return !o.init_from.empty() && o.keep_missing ? 1 : o.min_count; }

Count OwnerCap(const TrainOptions& o) { return Vocabulary::Cap(!o.init_from.empty() && o.keep_missing ? 0 : o.max_vocab); }

namespace {
Result<Vocabulary> FinishOwnedItems(std::vector<OwnedItems> parts, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids);
}  // namespace

Result<Vocabulary> FinishVocabulary(std::vector<OwnedItems> parts, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids) {
  double shard_distinct = 0;
  for (const OwnedItems& part : parts) shard_distinct += part.shard_distinct;
  Result<Vocabulary> vocab = FinishOwnedItems(std::move(parts), o, warm, new_ids);
  if (vocab.ok()) vocab.value().set_shard_distinct(shard_distinct);
  return vocab;
}

namespace {

Result<Vocabulary> FinishOwnedItems(std::vector<OwnedItems> parts, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids) {
  if (!o.init_from.empty() && o.keep_missing) {
    // The previous model's items below --min-count today join with their old counts, so
    // this rank sees every item: the owners sent them all (OwnerMinCount).
    ItemCounter counter;
    for (OwnedItems& part : parts)
      for (std::size_t i = 0; i < part.size(); ++i) counter.Add(part.item(i), part.counts[i]);
    parts.clear();
    return FinishVocabulary(counter, o, warm, new_ids);
  }
  Result<std::optional<Vocabulary>> previous = PreviousVocabulary(o);
  if (!previous.ok()) return previous.status();
  Count total = 0, top = 0;
  std::int64_t distinct = 0;
  for (const OwnedItems& part : parts) {
    total += part.total;
    top = std::max(top, part.top);
    distinct += part.distinct;
  }
  if (total == 0) return kEmptyInput;
  return CheckVocabulary(MergeOwnedItems(&parts, Vocabulary::Cap(o.max_vocab)), distinct, top, o, *previous, warm,
                         new_ids);
}

}  // namespace

}  // namespace item2vec
