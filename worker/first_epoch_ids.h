// FirstEpochIds: a worker's first epoch read as ids, not text. The counting pass reads every
// token of the shard anyway; it also writes the shard as IdCache records (worker/id_cache.h)
// whose ids are local: each item's entry number in the counting table (its rank of first
// appearance in the shard), for every item of a sentence, since none is known to be out of the
// vocabulary yet. Once the vocabulary exists, to_global maps local ids to vocabulary ids
// (job/vocabulary_partition.h ShardWords: 4 B per distinct item of the shard,
// Vocabulary::kNotFound for the items min-count or max-vocab dropped), and ToVocabularyIds
// rewrites the records through it into the id cache the later epochs would have written from
// the text, then frees the map and the local records: training starts with the cache already
// there, and epoch 1 replays it instead of hashing and looking up every token's string. The
// same ids, counts, reader statistics and positions as the text: the batches are the same bit
// for bit, and a checkpoint resumes from the text.
//
// Contract:
// - StartLocalIds: the records' file (IdCache::Create in --id-cache-dir, --id-cache MiB at
//   most), or nullptr when --id-cache is 0 or the file cannot be made (logged): the
//   worker then reads epoch 1 as text, as it did before this existed.
// - AppendLocalSentence: one sentence of the counting pass; a sentence with event weights
//   (ITEM*W, which the records do not hold) makes the records Failed().
// - ToVocabularyIds: REQUIRES the records written whole (FinishWrite) and the map made. Writes
//   the vocabulary-id cache (a second file, the same budget) and Release()s the local records
//   and the map whatever happens; `cache` is then the id cache (nullptr when the records, the
//   map or the new file failed: the first epoch reads the text, logged).
// - The batch builder takes `cache` with `end` (BatchBuilder::UseIdCache) on a fresh run.
// Not thread-safe; one per worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/count_table.h"
#include "common/sequence_reader.h"
#include "common/types.h"
#include "worker/id_cache.h"

namespace item2vec {

struct FirstEpochIds {
  std::unique_ptr<IdCache> records;  // local ids, written by the counting pass
  PageArray<ItemId> to_global;       // local id -> vocabulary id (kNotFound: not in it)
  ReaderPosition end;                // the reader's position after the shard's last sentence
  std::unique_ptr<IdCache> cache;    // the shard as vocabulary ids (ToVocabularyIds)

  void Release() {
    records.reset();
    to_global.reset();
  }
  // Returns the seconds it took.
  double ToVocabularyIds(std::int64_t budget_mib, const std::string& dir);
};

std::unique_ptr<IdCache> StartLocalIds(std::int64_t budget_mib, const std::string& dir);

// REQUIRES: locals are the sentence's items' entry numbers, in order; before = the reader's
// stats before its Next().
void AppendLocalSentence(IdCache* records, const std::vector<std::uint32_t>& locals, const SequenceReader& reader,
                         const ReaderStats& before);

// One record's local ids to vocabulary ids through `map`, the items not in it dropped in
// order (what the text path keeps). Public for tests.
void LocalToVocabularyIds(const CachedSentence& record, const ItemId* map, std::vector<ItemId>* ids);

}  // namespace item2vec
