// Tests of worker/first_epoch_ids.h: the counting pass's shard as local ids, rewritten through
// ShardWords' local_to_global, gives every sentence's vocabulary ids (with ties and
// min-count / max-vocab drops), raw counts, reader counters and positions exactly as reading
// the text does; a builder given that id cache builds the text's batches bit for bit in every
// epoch; a stop signal mid-count and a budget too small give no cache, and the builder then
// reads the text.
#include "worker/first_epoch_ids.h"

#include <csignal>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/sequence_reader.h"
#include "common/stop_signal.h"
#include "common/vocabulary.h"
#include "job/vocabulary_build.h"
#include "job/vocabulary_partition.h"
#include "ps/partition.h"
#include "tests/support/corpus_util.h"
#include "tests/worker/corpus_test.h"
#include "tests/worker/whole_shard_builder.h"

namespace item2vec {
namespace {

using testing::CorpusShape;
using testing::CorpusTest;
using testing::FillBoth;
using testing::MakeCorpus;
using testing::WholeShardBuilder;

class FirstEpochIdsTest : public CorpusTest {
 protected:
  // Counts worker w of `workers` writing local ids into a fresh FirstEpochIds of budget
  // `budget` bytes; *tokens gets the shard's (hash, local, count) list.
  FirstEpochIds CountWithIds(int w, int workers, std::int64_t max_sentence, std::int64_t budget, CountedShard* counted,
                      ShardTokens* tokens) {
    FirstEpochIds first;
    Result<std::unique_ptr<IdCache>> records = IdCache::Create(dir_.path(), "test", budget);
    EXPECT_TRUE(records.ok());
    first.records = std::move(*records);
    EXPECT_TRUE(CountShard(files_, w, workers, max_sentence, counted, &first).ok());
    *tokens = ShardTokenCounts(counted->counts);
    return first;
  }

  // Replays first's id cache against the text of worker w: ids, counts, positions.
  void ExpectSameAsText(FirstEpochIds& first, const Vocabulary& vocab, int w, int workers, std::int64_t max_sentence) {
    SequenceReader reader(files_, ShardRanges(files_, w, workers), max_sentence);
    std::vector<std::string_view> items;
    std::vector<ItemId> want;
    first.cache->Rewind();
    CachedSentence c;
    int sentences = 0;
    while (reader.Next(&items)) {
      ASSERT_TRUE(first.cache->Next(&c)) << "sentence " << sentences;
      want.clear();
      for (std::string_view item : items)
        if (const ItemId id = vocab.Find(item); id != Vocabulary::kNotFound) want.push_back(id);
      ASSERT_EQ(std::vector<ItemId>(c.ids, c.ids + c.num_ids), want) << "sentence " << sentences;
      ASSERT_EQ(c.raw_tokens, items.size());
      ASSERT_TRUE(c.after == reader.Position());
      ++sentences;
    }
    EXPECT_FALSE(first.cache->Next(&c));
    EXPECT_FALSE(first.cache->Failed());
    EXPECT_TRUE(first.end == reader.Position());
    EXPECT_GT(sentences, 100);
  }
};

// Two shards, one vocabulary of both (min-count and a max-vocab cutting through a run of
// tied counts): each shard's local ids map to the ids the vocabulary's lookup gives.
TEST_F(FirstEpochIdsTest, LocalIdsMapToTheVocabularysIds) {
  const CorpusShape shape{3000, 15, 12, 400};
  ItemCounter all;
  ASSERT_NO_FATAL_FAILURE(UseCorpus("corpus.txt", MakeCorpus(41, shape).text, 6, &all));
  const Vocabulary full = Vocabulary::Build(all, 6, 0);
  ItemId cap = 100;  // a max-vocab that cuts through a run of tied counts
  while (cap < full.size() && full.count(cap - 1) != full.count(cap)) ++cap;
  ASSERT_LT(cap, full.size());
  for (const Count max_vocab : {Count{0}, static_cast<Count>(cap)}) {
    const Vocabulary vocab = Vocabulary::Build(all, 6, max_vocab);
    for (int w = 0; w < 2; ++w) {
      CountedShard counted;
      ShardTokens tokens;
      FirstEpochIds first = CountWithIds(w, 2, 7, 64 << 20, &counted, &tokens);
      ASSERT_TRUE(first.records != nullptr && !first.records->Failed());
      std::int64_t want_words = 0;
      for (const auto& [item, n] : counted.counts.counts())
        if (vocab.Find(item) != Vocabulary::kNotFound) want_words += n;
      EXPECT_EQ(ShardWords(tokens, vocab, &first.to_global), want_words);
      ASSERT_EQ(first.to_global.size(), counted.counts.distinct());
      first.ToVocabularyIds(64, dir_.path());
      EXPECT_EQ(first.records, nullptr) << "the local records should go";
      EXPECT_EQ(first.to_global.size(), 0u) << "the map should go";
      ASSERT_NE(first.cache, nullptr);
      ASSERT_NO_FATAL_FAILURE(ExpectSameAsText(first, vocab, w, 2, 7));
    }
  }
}

// The builder with the counting pass's ids builds the text's batches, epoch 1 from them and
// the later ones from the id cache written from them; checkpoint positions and counters too.
TEST_F(FirstEpochIdsTest, BuilderReplaysTheTextsBatchesExactly) {
  ASSERT_NO_FATAL_FAILURE(UseCorpus("corpus.txt", MakeCorpus(77, CorpusShape{400, 15, 12, 400}).text, 6));
  options_.dim = 4;
  options_.epochs = 3;
  options_.max_sentence = 5;  // split lines: positions inside lines too
  options_.batch_tokens = 100;
  options_.id_cache_dir = dir_.path();
  TrainOptions text = options_;
  text.id_cache_mib = 0;
  CountedShard counted;
  ShardTokens tokens;
  FirstEpochIds first = CountWithIds(0, 1, options_.max_sentence, 64 << 20, &counted, &tokens);
  const std::int64_t words = ShardWords(tokens, vocab_, &first.to_global);
  first.ToVocabularyIds(64, dir_.path());
  ASSERT_NE(first.cache, nullptr);
  const Partition partition(2, vocab_.size());
  WholeShardBuilder from_text(files_, text, vocab_, partition, words, 7);
  WholeShardBuilder from_ids(files_, options_, vocab_, partition, words, 7);
  from_ids.UseIdCache(std::move(first.cache), first.end);
  Batch x, y;
  int batches = 0, replayed = 0;
  while (FillBoth(&from_text, &x, &from_ids, &y)) {
    ++batches;
    replayed += from_ids.replaying_id_cache() ? 1 : 0;
    const BuilderState s1 = from_text.State(), s2 = from_ids.State();
    ASSERT_TRUE(s1.position == s2.position) << "batch " << batches;
    ASSERT_EQ(s1.reader_stats.lines, s2.reader_stats.lines);
    ASSERT_EQ(s1.reader_stats.tokens, s2.reader_stats.tokens);
    ASSERT_EQ(s1.reader_stats.split_lines, s2.reader_stats.split_lines);
    ASSERT_EQ(s1.words_done, s2.words_done);
    ASSERT_EQ(x.contexts, y.contexts);
    ASSERT_EQ(x.negatives, y.negatives);
    ASSERT_EQ(x.request, y.request);
  }
  ASSERT_EQ(from_ids.epoch_replayed(), std::vector<bool>(3, true)) << "every epoch from the counting pass's ids";
  EXPECT_FALSE(from_text.epoch_replayed()[0]);
  EXPECT_EQ(replayed, batches);
}

// A stop signal mid-count: the records are Failed() and a builder given them reads the text.
TEST_F(FirstEpochIdsTest, StopSignalMidCountLeavesThemUnused) {
  const CorpusShape shape{3 * static_cast<int>(kStopCheckLines), 6, 8, 300};
  ASSERT_NO_FATAL_FAILURE(UseCorpus("corpus.txt", MakeCorpus(5, shape).text, 2));
  RequestStopForTesting(SIGTERM);
  CountedShard counted;
  ShardTokens tokens;
  FirstEpochIds first = CountWithIds(0, 1, 1000, 64 << 20, &counted, &tokens);
  RequestStopForTesting(0);
  EXPECT_TRUE(counted.stopped);
  ASSERT_TRUE(first.records != nullptr);
  EXPECT_TRUE(first.records->Failed());
  ShardWords(tokens, vocab_, &first.to_global);
  first.ToVocabularyIds(64, dir_.path());
  EXPECT_EQ(first.cache, nullptr);
}

// A budget too small: the records stop, the builder reads the text (and the same batches).
TEST_F(FirstEpochIdsTest, BudgetTooSmallFallsBackToTheText) {
  ASSERT_NO_FATAL_FAILURE(UseCorpus("corpus.txt", MakeCorpus(77, CorpusShape{400, 15, 12, 400}).text, 6));
  options_.dim = 4;
  options_.epochs = 1;
  options_.batch_tokens = 100;
  options_.id_cache_mib = 0;
  CountedShard counted;
  ShardTokens tokens;
  FirstEpochIds first = CountWithIds(0, 1, options_.max_sentence, 4096, &counted, &tokens);
  ASSERT_TRUE(first.records->Failed());
  EXPECT_NE(first.records->failure().find("budget"), std::string::npos) << first.records->failure();
  const std::int64_t words = ShardWords(tokens, vocab_, &first.to_global);
  first.ToVocabularyIds(64, dir_.path());
  EXPECT_EQ(first.cache, nullptr);
  EXPECT_EQ(StartLocalIds(0, dir_.path()), nullptr) << "--id-cache 0 writes no local ids";
  const Partition partition(1, vocab_.size());
  WholeShardBuilder from_text(files_, options_, vocab_, partition, words, 3);
  WholeShardBuilder given(files_, options_, vocab_, partition, words, 3);
  given.UseIdCache(std::move(first.cache), first.end);
  Batch x, y;
  while (FillBoth(&from_text, &x, &given, &y)) ASSERT_EQ(x.contexts, y.contexts);
  EXPECT_FALSE(given.epoch_replayed()[0]);
}

}  // namespace
}  // namespace item2vec
