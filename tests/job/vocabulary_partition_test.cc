// Tests of job/vocabulary_partition.h and job/vocabulary_share.h: the vocabulary built from
// counts partitioned over 1-4 workers (threads over a LoopbackTransport) has the ids, counts
// and fingerprint of Vocabulary::Build over all the counts, on corpora with ties, with
// min-count and with max-vocab; ranks left out of the names get a summary and no strings.
#include "job/vocabulary_partition.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/loopback_transport.h"
#include "job/vocabulary_share.h"

namespace item2vec {
namespace {

// Shard w of a corpus: item "i<k>" is seen (k % 7) + 1 times in all, so many items tie on
// their count, and the occurrences are dealt round-robin over the shards.
std::vector<ItemCounter> Shards(int workers, int items) {
  std::vector<ItemCounter> shards(static_cast<std::size_t>(workers));
  int next = 0;
  for (int k = 0; k < items; ++k)
    for (int n = 0; n <= k % 7; ++n) shards[static_cast<std::size_t>(next++ % workers)].Add("i" + std::to_string(k));
  return shards;
}

// Every worker thread exchanges, selects and gathers; worker 0's merged vocabulary.
Vocabulary Distributed(std::vector<ItemCounter> shards, Count min_count, Count max_vocab) {
  const int workers = static_cast<int>(shards.size());
  LoopbackHub hub(workers);
  std::vector<std::unique_ptr<Transport>> ends;
  for (int w = 0; w < workers; ++w) ends.push_back(hub.Endpoint(w));
  Vocabulary result;
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      Transport& t = *ends[static_cast<std::size_t>(w)];
      ItemCounter& counts = shards[static_cast<std::size_t>(w)];
      ASSERT_TRUE(ExchangeCounts(t, w, workers, 10, &counts).ok());
      for (const auto& [item, n] : counts.counts()) EXPECT_EQ(OwnerOf(item, workers), w);
      OwnedItems mine = SelectOwnedItems(counts, min_count, Vocabulary::Cap(max_vocab), workers);
      std::vector<OwnedItems> parts;
      ASSERT_TRUE(GatherOwnedItems(t, w, workers, 10, &mine, &parts).ok());
      if (w == 0) result = MergeOwnedItems(&parts, Vocabulary::Cap(max_vocab));
    });
  for (std::thread& th : threads) th.join();
  return result;
}

void ExpectSame(const Vocabulary& got, const Vocabulary& want) {
  ASSERT_EQ(got.size(), want.size());
  for (ItemId id = 0; id < want.size(); ++id) {
    EXPECT_EQ(got.item(id), want.item(id)) << "id " << id;
    EXPECT_EQ(got.count(id), want.count(id)) << "id " << id;
  }
  EXPECT_EQ(got.Fingerprint(), want.Fingerprint());
}

ItemCounter All(const std::vector<ItemCounter>& shards) {
  ItemCounter all;
  for (const ItemCounter& s : shards) all.Merge(s);
  return all;
}

TEST(VocabularyPartitionTest, SameIdsAsOneRankWithTies) {
  for (int workers = 1; workers <= 4; ++workers) {
    SCOPED_TRACE(workers);
    const std::vector<ItemCounter> shards = Shards(workers, 500);
    ExpectSame(Distributed(shards, 1, 0), Vocabulary::Build(All(shards), 1, 0));
  }
}

TEST(VocabularyPartitionTest, SameIdsAsOneRankWithMinCountAndMaxVocab) {
  for (int workers = 2; workers <= 4; ++workers) {
    SCOPED_TRACE(workers);
    const std::vector<ItemCounter> shards = Shards(workers, 700);
    ExpectSame(Distributed(shards, 4, 0), Vocabulary::Build(All(shards), 4, 0));
    // Caps that cut through a run of ties, above and below an owner's share of the items.
    ExpectSame(Distributed(shards, 2, 333), Vocabulary::Build(All(shards), 2, 333));
    ExpectSame(Distributed(shards, 2, 150), Vocabulary::Build(All(shards), 2, 150));
    EXPECT_EQ(Distributed(shards, 99, 0).size(), 0u);
  }
}

TEST(VocabularyPartitionTest, ShardWordsCountsTheShardsTokensOfTheVocabulary) {
  const std::vector<ItemCounter> shards = Shards(3, 300);
  const Vocabulary vocab = Vocabulary::Build(All(shards), 5, 0);
  for (const ItemCounter& shard : shards) {
    std::int64_t want = 0;
    for (const auto& [item, n] : shard.counts())
      if (vocab.Find(item) != Vocabulary::kNotFound) want += n;
    EXPECT_EQ(ShardWords(ShardTokenCounts(shard), vocab), want);
  }
}

TEST(VocabularyShareTest, NamedRanksGetTheVocabularyTheOthersOnlyItsSummary) {
  const int ranks = 5;
  const Vocabulary built = Vocabulary::Build(All(Shards(1, 200)), 1, 0);
  LoopbackHub hub(ranks);
  std::vector<std::unique_ptr<Transport>> ends;
  for (int r = 0; r < ranks; ++r) ends.push_back(hub.Endpoint(r));
  std::vector<Vocabulary> got(ranks);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      Result<Vocabulary> v = Status::Internal("unset");
      if (r == 0) v = built;
      EXPECT_FALSE(ShareVocabulary(*ends[static_cast<std::size_t>(r)], {0, 1, 2, 4}, 10, &v).has_value());
      got[static_cast<std::size_t>(r)] = std::move(v.value());
    });
  for (std::thread& th : threads) th.join();
  for (int r : {0, 1, 2, 4}) {
    ASSERT_TRUE(got[static_cast<std::size_t>(r)].has_items()) << r;
    ExpectSame(got[static_cast<std::size_t>(r)], built);
  }
  const Vocabulary& server = got[3];
  EXPECT_FALSE(server.has_items());
  EXPECT_EQ(server.size(), built.size());
  EXPECT_EQ(server.total_count(), built.total_count());
  EXPECT_EQ(server.Fingerprint(), built.Fingerprint());
  EXPECT_EQ(server.summary().item_bytes, built.summary().item_bytes);
}

}  // namespace
}  // namespace item2vec
