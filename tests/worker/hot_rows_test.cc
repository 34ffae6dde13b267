// Tests of the hot-row cache (--hot-rows, worker/hot_rows.h): the batch layout with the
// cache (no cached id in any key list, hot slots resolve to the cache), the bookkeeping of
// a sync (which rows are pushed, with which deltas and versions; what a pull and a push
// leave behind), and a whole sync through PsClient against in-process servers (the real
// request handler, tests/support/in_process_servers.h).
#include "worker/hot_rows.h"

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "common/sequence_reader.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "ps/shard_store.h"
#include "tests/support/corpus_util.h"
#include "tests/support/in_process_servers.h"
#include "tests/support/shard_util.h"
#include "tests/support/test_util.h"
#include "tests/worker/corpus_test.h"
#include "tests/worker/whole_shard_builder.h"
#include "worker/batch.h"
#include "worker/batch_builder.h"
#include "job/vocabulary_build.h"
#include "worker/ps_client.h"

namespace item2vec {
namespace {

using testing::CorpusShape;
using testing::CorpusTest;
using testing::FillBoth;
using testing::InProcessServers;
using testing::MakeCorpus;
using testing::TempDir;
using testing::WholeShardBuilder;
using testing::WriteFile;
using testing::WriteListAndCount;

constexpr int kDim = 3;

protocol::KeyListHeader HeaderOf(const std::uint32_t* request) {
  protocol::KeyListHeader h;
  std::memcpy(&h, request, sizeof h);
  return h;
}

// What every item reference of a batch (contexts, negatives, centres) stands for: its id
// and whether it is an input row. Resolved through the key lists and the hot lists.
struct Reference {
  ItemId id;
  bool input;
  bool operator==(const Reference& o) const { return id == o.id && input == o.input; }
};

std::vector<Reference> Resolve(const Batch& b) {
  std::vector<Reference> slot(b.LocalRows());
  for (std::size_t s = 0; s < b.request.size(); ++s) {
    const int server = static_cast<int>(s);
    for (std::uint32_t i = 0; i < b.NumIn(server); ++i) slot[b.first_slot[s] + i] = {b.InKeys(server)[i], true};
    for (std::uint32_t i = 0; i < b.NumOut(server); ++i)
      slot[b.first_slot[s] + b.NumIn(server) + i] = {b.OutKeys(server)[i], false};
  }
  for (std::size_t i = 0; i < b.hot_in.size(); ++i) slot[b.total_rows + i] = {b.hot_in[i], true};
  for (std::size_t i = 0; i < b.hot_out.size(); ++i) slot[b.total_rows + b.hot_in.size() + i] = {b.hot_out[i], false};
  std::vector<Reference> refs;
  for (std::uint32_t c : b.contexts) refs.push_back(slot.at(c));
  for (std::uint32_t n : b.negatives) refs.push_back(slot.at(n));
  for (const Group& g : b.groups) refs.push_back(slot.at(g.centre));
  return refs;
}

class HotRowsLayoutTest : public CorpusTest {
 protected:
  void SetUp() override {
    const CorpusShape shape{300, 15, 12, 300};  // lines, max items, max item bytes, vocabulary
    const testing::Corpus corpus = MakeCorpus(91, shape);
    ItemCounter counter;
    ASSERT_NO_FATAL_FAILURE(UseCorpus("corpus.txt", corpus.text, /*min_count=*/3, &counter));
    words_ = counter.total();
    ASSERT_GT(vocab_.size(), 40u);
    options_.dim = kDim;
    options_.window = 3;
    options_.negative = 3;
    options_.sample = 1e-2;
    options_.epochs = 1;
    options_.batch_tokens = 120;
  }

  std::int64_t words_ = 0;
};

// With the cache, a builder makes the same batches as without (same ids in the same
// places), but no id < H is in a key list: those have slots in the hot block, ascending.
TEST_F(HotRowsLayoutTest, CachedIdsLeaveTheKeyListsForTheHotBlock) {
  for (const KernelKind kernel : {KernelKind::kPair, KernelKind::kHogBatch, KernelKind::kShared})
    for (int servers : {1, 3})
      for (std::int64_t hot : {1, 10, 1000000}) {
        options_.kernel = kernel;
        options_.negative_pool = kernel == KernelKind::kPair ? 0 : 16;
        const Partition partition(servers, vocab_.size());
        TrainOptions off = options_, on = options_;
        off.hot_rows = 0;
        on.hot_rows = hot;
        const ItemId h = HotRowCount(on, vocab_.size());
        ASSERT_EQ(h, std::min<std::size_t>(static_cast<std::size_t>(hot), vocab_.size()));
        WholeShardBuilder b_off(files_, off, vocab_, partition, words_, 7);
        WholeShardBuilder b_on(files_, on, vocab_, partition, words_, 7);
        Batch x, y;
        int batches = 0;
        std::size_t hot_refs = 0;
        while (FillBoth(&b_off, &x, &b_on, &y)) {
          ++batches;
          EXPECT_TRUE(x.hot_in.empty() && x.hot_out.empty());
          EXPECT_EQ(x.LocalRows(), x.total_rows);
          for (int s = 0; s < servers; ++s) {
            const protocol::KeyListHeader head = HeaderOf(y.request[static_cast<std::size_t>(s)].data());
            EXPECT_EQ(head.n_in, y.NumIn(s));
            EXPECT_EQ(head.n_out, y.NumOut(s));
            for (std::uint32_t i = 0; i < y.NumIn(s) + y.NumOut(s); ++i) {
              const ItemId k = y.InKeys(s)[i];
              EXPECT_GE(k, h) << "cached id " << k << " in the key list of server " << s;
              EXPECT_EQ(partition.ServerOf(k), s);
            }
          }
          for (const auto* list : {&y.hot_in, &y.hot_out})
            for (std::size_t i = 0; i < list->size(); ++i) {
              EXPECT_LT((*list)[i], h);
              if (i > 0) {
                EXPECT_LT((*list)[i - 1], (*list)[i]);
              }
            }
          // Both batches hold the same items in the same places; with the cache the pulled
          // rows are exactly those without it, minus the cached ones.
          const std::vector<Reference> refs_off = Resolve(x), refs_on = Resolve(y);
          ASSERT_EQ(refs_off, refs_on);
          std::size_t cached = 0;
          for (std::size_t s = 0; s < x.request.size(); ++s)
            for (std::uint32_t i = 0; i < x.NumIn(static_cast<int>(s)) + x.NumOut(static_cast<int>(s)); ++i)
              if (x.InKeys(static_cast<int>(s))[i] < h) ++cached;
          EXPECT_EQ(y.hot_in.size() + y.hot_out.size(), cached);
          EXPECT_EQ(y.total_rows + cached, x.total_rows);
          EXPECT_GE(y.rows.size(), y.LocalRows() * kDim);
          EXPECT_GE(y.versions.size(), y.total_rows);
          for (std::uint32_t c : y.contexts) hot_refs += c >= y.total_rows ? 1 : 0;
          if (::testing::Test::HasFailure()) return;
        }
        EXPECT_GT(batches, 3);
        EXPECT_GT(hot_refs, 0u) << "kernel " << KernelKindName(kernel) << " servers " << servers << " H " << hot;
      }
}

// Load puts each cached row in the hot slot that refers to it; Store takes the trained
// rows back and marks them changed.
TEST_F(HotRowsLayoutTest, HotSlotsResolveToTheCache) {
  options_.hot_rows = 12;
  const Partition partition(2, vocab_.size());
  WholeShardBuilder builder(files_, options_, vocab_, partition, words_, 3);
  HotRowCache cache(HotRowCount(options_, vocab_.size()), kDim, partition);
  // Give every cached row a distinct value: input row k = (k, 0.5, 0), output = (k, -0.5, 0).
  for (int s = 0; s < 2; ++s) {
    HotRowCache::Message m = cache.PullMessage(s);
    const std::uint32_t* keys = m.request + protocol::kHeaderWords;
    for (std::size_t i = 0; i < m.n; ++i) {
      m.rows[i * kDim] = static_cast<float>(keys[i]);
      m.rows[i * kDim + 1] = i < m.n / 2 ? 0.5f : -0.5f;
      m.rows[i * kDim + 2] = 0;
    }
  }
  cache.AdoptPulled();
  Batch b;
  std::size_t checked = 0;
  for (int n = 0; n < 5; ++n) {
    Result<bool> more = builder.Fill(&b);
    ASSERT_TRUE(more.ok() && *more);
    cache.Load(&b);
    auto check = [&](std::uint32_t slot, bool input) {
      if (slot < b.total_rows) return;
      const std::size_t i = slot - b.total_rows;
      const bool is_in = i < b.hot_in.size();
      ASSERT_EQ(is_in, input) << "slot " << slot;
      const ItemId k = is_in ? b.hot_in[i] : b.hot_out[i - b.hot_in.size()];
      const float* row = b.rows.data() + static_cast<std::size_t>(slot) * kDim;
      EXPECT_EQ(row[0], static_cast<float>(k));
      EXPECT_EQ(row[1], input ? 0.5f : -0.5f);
      ++checked;
    };
    for (std::uint32_t c : b.contexts) check(c, true);
    for (std::uint32_t x : b.negatives) check(x, false);
    for (const Group& g : b.groups) check(g.centre, false);
    // "Train": move every hot row by +1 in its last component; Store keeps it.
    for (std::size_t slot = b.total_rows; slot < b.LocalRows(); ++slot) b.rows[slot * kDim + 2] += 1;
    cache.Store(b);
  }
  EXPECT_GT(checked, 20u);
  EXPECT_GT(cache.changed_rows(), 0u);
  EXPECT_LE(cache.changed_rows(), 2 * cache.hot_rows());
}

// PreparePush packs exactly the changed rows, per server, keys ascending, deltas current -
// base and the versions pulled; AdoptPushed makes the pushed state the base (nothing left to
// push) and counts the push in the versions; AdoptPulled takes the pulled rows as they are.
TEST(HotRowCacheTest, SyncBookkeeping) {
  const Partition partition(3, 50);
  HotRowCache cache(10, kDim, partition);
  ASSERT_EQ(cache.hot_rows(), 10u);
  // The pull asks each server for all its cached keys, input then output.
  std::size_t pulled_rows = 0;
  for (int s = 0; s < 3; ++s) {
    HotRowCache::Message m = cache.PullMessage(s);
    const protocol::KeyListHeader h = HeaderOf(m.request);
    ASSERT_EQ(h.n_in, h.n_out);
    ASSERT_EQ(m.n, 2u * h.n_in);
    ASSERT_EQ(m.words, protocol::kHeaderWords + m.n);
    const std::uint32_t* keys = m.request + protocol::kHeaderWords;
    for (std::uint32_t i = 0; i < h.n_in; ++i) {
      EXPECT_EQ(keys[i], static_cast<std::uint32_t>(s) + 3 * i);
      EXPECT_EQ(keys[h.n_in + i], keys[i]);
    }
    for (std::size_t i = 0; i < m.n; ++i) {
      for (int x = 0; x < kDim; ++x) m.rows[i * kDim + x] = static_cast<float>(100 * s + i) + 0.25f * x;
      m.versions[i] = static_cast<std::uint32_t>(7 + s);
    }
    pulled_rows += m.n;
  }
  EXPECT_EQ(pulled_rows, 20u);
  cache.AdoptPulled();
  EXPECT_EQ(cache.syncs(), 1u);
  EXPECT_EQ(cache.changed_rows(), 0u);
  EXPECT_EQ(cache.InRow(4)[0], 101.0f);   // server 1, second input key
  EXPECT_EQ(cache.OutRow(4)[1], 104.25f); // server 1 has 3 keys (1, 4, 7): output block at 3
  EXPECT_EQ(cache.InVersion(4), 8u);
  EXPECT_EQ(cache.PreparePush(), 0u) << "nothing changed, nothing to push";

  // A batch that trained input rows 2, 4 and output rows 0, 4, 9 (deltas 1, 2, 3, ...).
  Batch b;
  b.total_rows = 1;  // one pulled row in front of the hot block
  b.hot_in = {2, 4};
  b.hot_out = {0, 4, 9};
  b.rows.assign(6 * kDim, 0.0f);
  cache.Load(&b);
  for (std::size_t i = 0; i < 5; ++i)
    for (int x = 0; x < kDim; ++x) b.rows[(1 + i) * kDim + x] += static_cast<float>(i + 1);
  cache.Store(b);
  EXPECT_EQ(cache.changed_rows(), 5u);
  EXPECT_EQ(cache.PreparePush(), 5u);
  const std::map<ItemId, float> in_delta{{2, 1.0f}, {4, 2.0f}}, out_delta{{0, 3.0f}, {4, 4.0f}, {9, 5.0f}};
  std::size_t seen = 0;
  for (int s = 0; s < 3; ++s) {
    HotRowCache::Message m = cache.PushMessage(s);
    const protocol::KeyListHeader h = HeaderOf(m.request);
    ASSERT_EQ(m.words, protocol::kHeaderWords + h.n_in + h.n_out);
    ASSERT_EQ(m.n, h.n_in + h.n_out);
    const std::uint32_t* keys = m.request + protocol::kHeaderWords;
    for (std::uint32_t i = 0; i < m.n; ++i) {
      const bool input = i < h.n_in;
      if (i > 0 && i != h.n_in) {
        EXPECT_LT(keys[i - 1], keys[i]);
      }
      EXPECT_EQ(partition.ServerOf(keys[i]), s);
      const auto& want = input ? in_delta : out_delta;
      ASSERT_EQ(want.count(keys[i]), 1u) << "key " << keys[i] << " was not changed";
      for (int x = 0; x < kDim; ++x) EXPECT_EQ(m.rows[i * kDim + x], want.at(keys[i]));
      EXPECT_EQ(m.versions[i], static_cast<std::uint32_t>(7 + s));
      ++seen;
    }
  }
  EXPECT_EQ(seen, 5u);
  cache.AdoptPushed();
  EXPECT_EQ(cache.changed_rows(), 0u);
  EXPECT_EQ(cache.PreparePush(), 0u) << "pushed rows became the base";
  EXPECT_EQ(cache.InVersion(4), 9u) << "own push counted";
  EXPECT_EQ(cache.InVersion(1), 8u) << "unpushed row keeps its version";
  EXPECT_EQ(cache.OutVersion(9), 8u);
  EXPECT_EQ(cache.InRow(4)[0], 103.0f) << "the cache keeps its trained values";
}


// One worker, two servers: the first sync pulls the servers' rows; a sync after training
// pushes exactly the change (so the servers then hold the cache's values) and pulls back
// what the servers hold, other workers' pushes included; the last flush pushes only.
TEST(HotRowCacheTest, SyncThroughPsClient) {
  const std::size_t vocab = 30;
  const Partition partition(2, vocab);
  std::vector<ShardStore> stores;
  for (int s = 0; s < 2; ++s) stores.emplace_back(partition, s, kDim, /*seed=*/5);
  InProcessServers transport(/*workers=*/1, vocab, &stores);
  PsClient client(&transport, 1, 2, kDim, 10);
  HotRowCache cache(7, kDim, partition);
  auto server_row = [&](Matrix m, ItemId k) { return stores[static_cast<std::size_t>(partition.ServerOf(k))].RowValues(m, k); };

  ASSERT_TRUE(cache.Sync(&client, /*pull_fresh=*/true).ok());
  EXPECT_EQ(transport.pushes(), 0);
  for (ItemId k = 0; k < 7; ++k)
    for (int x = 0; x < kDim; ++x) {
      EXPECT_EQ(cache.InRow(k)[x], server_row(Matrix::kInput, k)[x]);
      EXPECT_EQ(cache.OutRow(k)[x], 0.0f);
    }
  EXPECT_GT(client.bytes_received(), 0);

  Batch b;
  b.total_rows = 0;
  b.hot_in = {1, 4};
  b.hot_out = {0, 4, 6};
  b.rows.assign(5 * kDim, 0.0f);
  cache.Load(&b);
  for (float& v : b.rows) v += 0.5f;
  cache.Store(b);
  // Meanwhile another worker pushes to input row 4 (from version 0).
  const float other[kDim] = {1.0f, 1.0f, 1.0f};
  const std::uint32_t v0 = 0;
  const ItemId four = 4;
  float before_other[kDim];
  std::memcpy(before_other, server_row(Matrix::kInput, 4).data(), sizeof before_other);
  stores[0].Add(Matrix::kInput, &four, 1, other, &v0);
  const float in1 = cache.InRow(1)[0];

  ASSERT_TRUE(cache.Sync(&client, /*pull_fresh=*/true).ok());
  EXPECT_EQ(transport.pushes(), 2) << "one push per server";
  EXPECT_EQ(cache.changed_rows(), 0u);
  EXPECT_EQ(cache.InRow(1)[0], server_row(Matrix::kInput, 1)[0]);
  EXPECT_FLOAT_EQ(cache.InRow(1)[0], in1);
  // Row 4: the other worker's push (staleness 0) and ours (staleness 1 < T: in full).
  EXPECT_FLOAT_EQ(cache.InRow(4)[0], before_other[0] + 1.0f + 0.5f);
  EXPECT_EQ(cache.InVersion(4), 2u);
  EXPECT_EQ(cache.InVersion(1), 1u);
  EXPECT_EQ(cache.OutVersion(6), 1u);
  EXPECT_EQ(cache.OutVersion(5), 0u) << "untouched rows are not pushed";
  EXPECT_FLOAT_EQ(cache.OutRow(6)[2], 0.5f);

  // The final flush: push only; the servers hold the cache's values.
  cache.Load(&b);
  for (float& v : b.rows) v += 0.25f;
  cache.Store(b);
  ASSERT_TRUE(cache.Sync(&client, /*pull_fresh=*/false).ok());
  EXPECT_EQ(transport.pushes(), 4);
  EXPECT_EQ(cache.InVersion(4), 3u);
  EXPECT_FLOAT_EQ(server_row(Matrix::kOutput, 6)[0], 0.75f);
  EXPECT_FLOAT_EQ(server_row(Matrix::kInput, 4)[1], cache.InRow(4)[1]);
}

TEST(HotRowOptionsTest, ParsedValidatedAndCapped) {
  TrainOptions o;
  bool help = false;
  ASSERT_TRUE(ParseTrainOptions({"--input", "x", "--output", "y"}, &o, &help).ok());
  EXPECT_EQ(o.hot_rows, 0) << "off by default";
  EXPECT_EQ(o.hot_sync, 16);
  EXPECT_EQ(HotRowCount(o, 100), 0u);
  ASSERT_TRUE(ParseTrainOptions({"--input", "x", "--output", "y", "--hot-rows", "1000", "--hot-sync", "4"}, &o, &help).ok());
  EXPECT_EQ(o.hot_rows, 1000);
  EXPECT_EQ(o.hot_sync, 4);
  EXPECT_TRUE(Validate(o, 0).ok());
  EXPECT_EQ(HotRowCount(o, 100), 100u) << "capped at the vocabulary";
  EXPECT_EQ(HotRowCount(o, 5000), 1000u);
  o.hot_sync = 0;
  EXPECT_FALSE(Validate(o, 0).ok());
  o.hot_sync = 16;
  o.hot_rows = -1;
  EXPECT_FALSE(Validate(o, 0).ok());
}

}  // namespace
}  // namespace item2vec
