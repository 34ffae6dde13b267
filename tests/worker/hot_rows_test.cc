// Tests of the hot-row cache (--hot-rows, worker/hot_rows.h): the batch layout with the
// cache (no cached id in any key list, hot slots resolve to the cache), the bookkeeping of
// a sync (which rows are pushed, with which deltas and versions; what a pull and a push
// leave behind), and a whole sync through PsClient against in-process servers (the real
// request handler, ps/request_handler.h).
#include "worker/hot_rows.h"

#include <cmath>
#include <cstring>
#include <deque>
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
#include "ps/request_handler.h"
#include "ps/shard_store.h"
#include "tests/support/corpus_util.h"
#include "tests/support/test_util.h"
#include "worker/batch.h"
#include "worker/batch_builder.h"
#include "job/vocabulary_build.h"
#include "worker/ps_client.h"
#include "worker/push_residual.h"

namespace item2vec {
namespace {

using testing::CorpusShape;
using testing::MakeCorpus;
using testing::TempDir;
using testing::WriteFile;

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

class HotRowsLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CorpusShape shape;
    shape.lines = 300;
    shape.max_items = 15;
    shape.vocabulary = 300;
    const testing::Corpus corpus = MakeCorpus(91, shape);
    WriteFile(dir_.File("corpus.txt"), corpus.text);
    auto files = ListInputFiles({dir_.File("corpus.txt")});
    ASSERT_TRUE(files.ok());
    files_ = *files;
    ItemCounter counter;
    ASSERT_TRUE(CountShard(files_, 0, 1, 1000, &counter).ok());
    words_ = counter.total();
    vocab_ = Vocabulary::Build(counter, /*min_count=*/3, 0);
    ASSERT_GT(vocab_.size(), 40u);
    options_.input = {dir_.File("corpus.txt")};
    options_.output = dir_.File("out");
    options_.dim = kDim;
    options_.window = 3;
    options_.negative = 3;
    options_.sample = 1e-2;
    options_.min_count = 3;
    options_.epochs = 1;
    options_.batch_tokens = 120;
  }

  TempDir dir_;
  std::vector<InputFile> files_;
  Vocabulary vocab_;
  std::int64_t words_ = 0;
  TrainOptions options_;
};

// With the cache, a builder makes the same batches as without (same ids in the same
// places), but no id < H is in a key list: those have slots in the hot block, ascending.
TEST_F(HotRowsLayoutTest, CachedIdsLeaveTheKeyListsForTheHotBlock) {
  for (const KernelKind kernel : {KernelKind::kPair, KernelKind::kHogBatch})
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
        SequenceReader r1(files_, ShardRanges(files_, 0, 1), 1000), r2(files_, ShardRanges(files_, 0, 1), 1000);
        BatchBuilder b_off(off, vocab_, partition, &r1, words_, 7), b_on(on, vocab_, partition, &r2, words_, 7);
        Batch x, y;
        int batches = 0;
        std::size_t hot_refs = 0;
        while (true) {
          Result<bool> m1 = b_off.Fill(&x), m2 = b_on.Fill(&y);
          ASSERT_TRUE(m1.ok() && m2.ok());
          ASSERT_EQ(*m1, *m2);
          if (!*m1) break;
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
  SequenceReader reader(files_, ShardRanges(files_, 0, 1), 1000);
  BatchBuilder builder(options_, vocab_, partition, &reader, words_, 3);
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

// A Transport that plays the parameter servers in-process: each server is the real
// request handler (ps/request_handler.h) over its ShardStore; pulls are answered at once
// into the receives posted before them, pushes applied when their versions arrive
// (protocol.h).
class InProcessServers : public Transport {
 public:
  InProcessServers(int workers, std::size_t vocab, std::vector<ShardStore>* stores,
                   WirePrecision wire = WirePrecision::kFp32)
      : workers_(workers), stores_(stores), stats_(stores->size()), wire_(wire) {
    for (std::size_t s = 0; s < stores->size(); ++s)
      handlers_.emplace_back(&(*stores)[s], workers, vocab, &stats_[s], wire);
  }
  int rank() const override { return 0; }
  int size() const override { return workers_ + static_cast<int>(stores_->size()); }
  Handle Isend(int dest, int tag, const void* data, std::size_t bytes) override {
    RequestHandler& server = handlers_[static_cast<std::size_t>(dest - workers_)];
    const auto* begin = static_cast<const char*>(data);
    if (tag == protocol::kPull) {
      KeyList keys;
      const Status st = server.ParseKeyList(data, bytes, rank(), &keys);
      EXPECT_TRUE(st.ok()) << st.ToString();
      Posted rows = Take(dest, protocol::kPullReply), versions = Take(dest, protocol::kPullVersions);
      EXPECT_EQ(rows.bytes, server.ReplyFloats(keys) * WireBytesPerValue(wire_));
      EXPECT_EQ(versions.bytes, server.ReplyWords(keys) * sizeof(std::uint32_t));
      if (st.ok() && rows.bytes == server.ReplyFloats(keys) * WireBytesPerValue(wire_) &&
          versions.bytes == server.ReplyWords(keys) * sizeof(std::uint32_t)) {
        server.ServeEncodedRows(keys, rows.data);
        server.ServeVersions(keys, static_cast<std::uint32_t*>(versions.data));
      }
    } else if (tag == protocol::kPush) {
      push_keys_.assign(begin, begin + bytes);
    } else if (tag == protocol::kPushRows) {
      push_rows_.assign(begin, begin + bytes);
    } else if (tag == protocol::kPushVersions) {
      KeyList keys;
      Status st = server.ParseKeyList(push_keys_.data(), push_keys_.size(), rank(), &keys);
      if (st.ok()) st = server.ApplyPush(keys, rank(), push_rows_.data(), push_rows_.size(), data, bytes);
      EXPECT_TRUE(st.ok()) << st.ToString();
      ++pushes_;
    }
    return next_handle_++;
  }
  Handle Irecv(int source, int tag, void* data, std::size_t bytes) override {
    posted_[{source, tag}].push_back(Posted{data, bytes});
    return next_handle_++;
  }
  bool Test(Handle) override { return true; }
  Status Wait(Handle, double, const std::string&) override { return Status::Ok(); }
  bool Probe(int, int, Envelope*) override { return false; }
  Status Receive(const Envelope&, void*) override { return Status::Ok(); }
  Status Broadcast(std::string*, int) override { return Status::Ok(); }
  Status AllreduceSum(std::vector<double>*) override { return Status::Ok(); }
  Status Barrier() override { return Status::Ok(); }
  Status NodeSum(double*, int* node_rank) override {
    *node_rank = 0;
    return Status::Ok();
  }
  [[noreturn]] void Abort(int) override { std::abort(); }
  int pushes() const { return pushes_; }

 private:
  struct Posted {
    void* data = nullptr;
    std::size_t bytes = 0;
  };
  Posted Take(int source, int tag) {
    auto& q = posted_[{source, tag}];
    EXPECT_FALSE(q.empty()) << "no receive posted for tag " << tag;
    if (q.empty()) return Posted{};
    Posted p = q.front();
    q.pop_front();
    return p;
  }
  int workers_;
  std::vector<ShardStore>* stores_;
  std::vector<ServerStats> stats_;
  std::vector<RequestHandler> handlers_;
  std::map<std::pair<int, int>, std::deque<Posted>> posted_;
  std::vector<char> push_keys_, push_rows_;
  WirePrecision wire_;
  Handle next_handle_ = 1;
  int pushes_ = 0;
};

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
  auto server_row = [&](Matrix m, ItemId k) { return stores[static_cast<std::size_t>(partition.ServerOf(k))].Row(m, k); };

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
  std::memcpy(before_other, server_row(Matrix::kInput, 4), sizeof before_other);
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

// A batch for the client's batch path: per server (even keys on 0, odd on 1) the input keys
// then the output keys, slots as BatchBuilder lays them out; buffers sized, nothing pulled.
Batch MakePullBatch(std::uint64_t id, const std::vector<std::pair<std::vector<ItemId>, std::vector<ItemId>>>& lists) {
  Batch b;
  b.id = id;
  std::size_t slot = 0;
  for (const auto& [in, out] : lists) {
    std::vector<std::uint32_t> words(protocol::kHeaderWords);
    const protocol::KeyListHeader h{id, static_cast<std::uint32_t>(in.size()), static_cast<std::uint32_t>(out.size())};
    std::memcpy(words.data(), &h, sizeof h);
    words.insert(words.end(), in.begin(), in.end());
    words.insert(words.end(), out.begin(), out.end());
    b.request.push_back(words);
    b.first_slot.push_back(slot);
    slot += in.size() + out.size();
  }
  b.total_rows = slot;
  b.rows.assign(slot * kDim, -7.0f);
  b.original.assign(slot * kDim, -9.0f);
  b.versions.assign(slot, 0);
  return b;
}

// The batch path of PsClient as the worker drives it with --overlap, in fp32 and bf16: after
// FinishPull `rows` and `original` both hold the servers' rows (rounded to the wire); the next
// batch, pulled before this one's push, gets this one's deltas in both buffers on the rows they
// share; StartPush leaves exactly rows - original in `rows`; and the servers end at their rows
// plus the deltas (exactly in fp32, within bf16's rounding of each delta otherwise).
TEST(WirePrecisionTest, BatchPullCarryPushThroughServers) {
  const std::size_t vocab = 30;
  const Partition partition(2, vocab);
  for (WirePrecision wire : {WirePrecision::kFp32, WirePrecision::kBf16}) {
    SCOPED_TRACE(std::string(WirePrecisionName(wire)));
    std::vector<ShardStore> stores;
    for (int s = 0; s < 2; ++s) stores.emplace_back(partition, s, kDim, /*seed=*/5, /*staleness_tolerance=*/1e6);
    // Output rows start at zero: give them values so that every row has something to round.
    for (int s = 0; s < 2; ++s)
      for (ItemId k = static_cast<ItemId>(s); k < vocab; k += 2) {
        const float init[kDim] = {0.1f * static_cast<float>(k) + 0.0123f, -0.05f * static_cast<float>(k), 0.3337f};
        const std::uint32_t v0 = 0;
        stores[static_cast<std::size_t>(s)].Add(Matrix::kOutput, &k, 1, init, &v0);
      }
    auto server_row = [&](Matrix m, ItemId k) {
      return stores[static_cast<std::size_t>(partition.ServerOf(k))].Row(m, k);
    };
    auto wire_value = [&](float f) { return wire == WirePrecision::kFp32 ? f : Bf16ToFloat(FloatToBf16(f)); };
    InProcessServers transport(/*workers=*/1, vocab, &stores, wire);
    PsClient client(&transport, 1, 2, kDim, 10, wire);
    // a: server 0 in {2, 6} out {4}, server 1 in {5} out {3, 7}; b shares input 6 and output 7.
    Batch a = MakePullBatch(1, {{{2, 6}, {4}}, {{5}, {3, 7}}});
    Batch b = MakePullBatch(2, {{{4, 6}, {8}}, {{}, {7, 9}}});
    const std::vector<std::pair<Matrix, ItemId>> a_rows = {{Matrix::kInput, 2},  {Matrix::kInput, 6},
                                                           {Matrix::kOutput, 4}, {Matrix::kInput, 5},
                                                           {Matrix::kOutput, 3}, {Matrix::kOutput, 7}};
    const std::vector<std::pair<Matrix, ItemId>> b_rows = {{Matrix::kInput, 4}, {Matrix::kInput, 6},
                                                           {Matrix::kOutput, 8}, {Matrix::kOutput, 7},
                                                           {Matrix::kOutput, 9}};
    std::vector<float> start;  // the servers' rows before any push, in a's slot order
    for (const auto& [m, k] : a_rows) start.insert(start.end(), server_row(m, k), server_row(m, k) + kDim);

    client.StartPull(&a);
    ASSERT_TRUE(client.FinishPull(&a).ok());
    for (std::size_t i = 0; i < a.total_rows * kDim; ++i) {
      EXPECT_EQ(a.rows[i], wire_value(start[i])) << i;
      EXPECT_EQ(a.original[i], a.rows[i]) << i;
    }
    client.StartPull(&b);  // overlap: pulled before a is pushed
    HugePageVector<float> trained = a.rows;
    for (std::size_t i = 0; i < trained.size(); ++i) trained[i] += 0.01f * static_cast<float>(i + 1);
    a.rows = trained;
    client.StartPush(&a);
    for (std::size_t i = 0; i < a.total_rows * kDim; ++i) EXPECT_EQ(a.rows[i], trained[i] - a.original[i]) << i;
    ASSERT_TRUE(client.FinishPull(&b).ok());
    client.CarryDeltas(a, &b);
    ASSERT_TRUE(client.FinishPush(&a).ok());
    ASSERT_TRUE(client.FlushPushes().ok());
    // b: input 6 is a's slot 1, output 7 a's slot 5; the other rows as pulled.
    const std::map<std::size_t, std::size_t> shared{{1, 1}, {3, 5}};
    for (std::size_t slot = 0; slot < b.total_rows; ++slot) {
      const auto it = shared.find(slot);
      for (int x = 0; x < kDim; ++x) {
        const std::size_t i = slot * kDim + static_cast<std::size_t>(x);
        EXPECT_EQ(b.original[i], b.rows[i]) << "slot " << slot;
        if (it == shared.end()) {
          EXPECT_EQ(b.rows[i], wire_value(server_row(b_rows[slot].first, b_rows[slot].second)[x])) << "slot " << slot;
        } else {
          EXPECT_EQ(b.rows[i], wire_value(start[it->second * kDim + x]) + a.rows[it->second * kDim + x])
              << "slot " << slot;
        }
      }
    }
    // The servers: their rows plus a's deltas.
    for (std::size_t slot = 0; slot < a.total_rows; ++slot)
      for (int x = 0; x < kDim; ++x) {
        const std::size_t i = slot * kDim + static_cast<std::size_t>(x);
        const float got = server_row(a_rows[slot].first, a_rows[slot].second)[x];
        if (wire == WirePrecision::kFp32) {
          EXPECT_EQ(got, start[i] + a.rows[i]) << "slot " << slot;
        } else {
          EXPECT_NEAR(got, start[i] + a.rows[i], std::fabs(a.rows[i]) / 128 + 1e-6) << "slot " << slot;
        }
      }
  }
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
// --wire-precision bf16 through PsClient and the real request handler: pulled rows arrive as the
// servers' float32 rows rounded to bf16, and 8000 pushes of a delta bf16 cannot represent add up
// on the server's float32 row to the exact total, with error feedback (PushResidual) and with the
// stochastic rounding a client without one uses; round to nearest would lose the same error every
// push (bf16(1e-3) = 0.00099945: 8000 pushes would drift by 4.4e-3).
TEST(WirePrecisionTest, PullsDecodeAndPushesReachTheExactTotal) {
  const std::size_t vocab = 30;
  const Partition partition(1, vocab);
  for (bool feedback : {true, false}) {
    std::vector<ShardStore> stores;
    stores.emplace_back(partition, 0, kDim, /*seed=*/5, /*staleness_tolerance=*/1e6);
    InProcessServers transport(/*workers=*/1, vocab, &stores, WirePrecision::kBf16);
    PushResidual residual(PushResidual::CapacityFor(vocab, PushResidual::kDefaultMaxRows), kDim);
    PsClient client(&transport, 1, 1, kDim, 10, WirePrecision::kBf16, feedback ? &residual : nullptr);
    const ItemId key = 3;
    std::vector<std::uint32_t> request(protocol::kHeaderWords + 1);
    const protocol::KeyListHeader header{1, 1, 0};
    std::memcpy(request.data(), &header, sizeof header);
    request[protocol::kHeaderWords] = key;
    float row[kDim];
    std::uint32_t version = 0;
    PsClient::Handles handles;
    client.PostPull(0, request.data(), request.size(), row, &version, 1, &handles);
    ASSERT_TRUE(client.WaitAll(&handles, "pull").ok());
    const float* master = stores[0].Row(Matrix::kInput, key);
    float start[kDim];
    std::memcpy(start, master, sizeof start);
    for (int x = 0; x < kDim; ++x) EXPECT_EQ(row[x], Bf16ToFloat(FloatToBf16(start[x])));
    const float delta[kDim] = {1e-3f, -3e-4f, 7.77e-5f};
    constexpr int kPushes = 8000;
    for (int k = 0; k < kPushes; ++k) {
      client.PostPush(0, request.data(), request.size(), delta, &version, 1, &handles);
      ASSERT_TRUE(client.WaitAll(&handles, "push").ok());
    }
    for (int x = 0; x < kDim; ++x) {
      const double exact = kPushes * static_cast<double>(delta[x]), got = static_cast<double>(master[x]) - start[x];
      // Feedback: within the last residual and float32 sums. Stochastic: within 6 sd of its noise
      // (each push errs by under one ulp of the delta, 2^-7 of it at most).
      const double tolerance =
          feedback ? 2e-4 : 6 * std::sqrt(static_cast<double>(kPushes)) * std::fabs(delta[x]) / 128 / 2 + 1e-5;
      EXPECT_NEAR(got, exact, tolerance) << (feedback ? "feedback" : "stochastic") << ", value " << x;
    }
    EXPECT_EQ(client.bytes_sent(), kPushes * (4 * (protocol::kHeaderWords + 1 + 1) + 2 * kDim) +
                                       4 * static_cast<std::int64_t>(protocol::kHeaderWords + 1));
  }
}

}  // namespace item2vec
