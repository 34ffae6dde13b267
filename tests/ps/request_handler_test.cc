// Tests of ps/request_handler.h, in-process: a pull returns the rows and versions of its
// keys, a push applies its deltas (scaled by staleness, ps/shard_store.h), bad requests
// are rejected without touching the store, and the checkpoint cut and the done count
// come out when the protocol says (ps/protocol.h).
#include "ps/request_handler.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "ps/protocol.h"
#include "tests/support/key_list.h"

namespace item2vec {
namespace {

constexpr int kDim = 3;
constexpr int kWorkers = 2;
constexpr std::size_t kVocab = 20;

using testing::KeyListOf;

std::size_t Bytes(const std::vector<std::uint32_t>& v) { return v.size() * sizeof(std::uint32_t); }

// Server 1 of 2: it owns the odd keys.
class RequestHandlerTest : public ::testing::Test {
 protected:
  RequestHandlerTest() : partition_(2, kVocab), store_(partition_, 1, kDim, /*seed=*/4), handler_(&store_, kWorkers, kVocab, &stats_) {}

  // Pulls (in, out) as worker 0 and returns rows and versions.
  void Pull(const std::vector<ItemId>& in, const std::vector<ItemId>& out, std::vector<float>* rows,
            std::vector<std::uint32_t>* versions) {
    const std::vector<std::uint32_t> request = KeyListOf(in, out);
    KeyList keys;
    ASSERT_TRUE(handler_.ParseKeyList(request.data(), Bytes(request), 0, &keys).ok());
    rows->assign(handler_.ReplyFloats(keys), -1.0f);
    versions->assign(handler_.ReplyWords(keys), 99);
    handler_.ServeRows(keys, rows->data());
    handler_.ServeVersions(keys, versions->data());
  }
  Status Push(const std::vector<ItemId>& in, const std::vector<ItemId>& out, const std::vector<float>& deltas,
              const std::vector<std::uint32_t>& versions) {
    const std::vector<std::uint32_t> request = KeyListOf(in, out);
    KeyList keys;
    ITEM2VEC_RETURN_IF_ERROR(handler_.ParseKeyList(request.data(), Bytes(request), 1, &keys));
    return handler_.ApplyPush(keys, 1, deltas.data(), deltas.size() * sizeof(float), versions.data(),
                              Bytes(versions));
  }
  std::vector<float> Row(Matrix m, ItemId k) {
    std::vector<float> row(kDim);
    store_.Gather(m, &k, 1, row.data());
    return row;
  }

  Partition partition_;
  ShardStore store_;
  ServerStats stats_;
  RequestHandler handler_;
};

TEST_F(RequestHandlerTest, PullReturnsTheRowsInKeyOrder) {
  // Output rows start at zero: give them values first so the order is visible.
  for (ItemId k : {3u, 9u}) {
    float row[kDim];
    for (int x = 0; x < kDim; ++x) row[x] = static_cast<float>(10 * k + static_cast<ItemId>(x));
    store_.WriteRow(Matrix::kOutput, k, row);
  }
  store_.RowVersions(Matrix::kOutput)[partition_.LocalIndex(9)] = 5;
  std::vector<float> rows;
  std::vector<std::uint32_t> versions;
  Pull({1, 5, 19}, {3, 9}, &rows, &versions);
  ASSERT_EQ(rows.size(), 5u * kDim);
  const ItemId in[] = {1, 5, 19};
  for (int i = 0; i < 3; ++i) {
    std::vector<float> want(kDim);
    ShardStore::InitInputRow(4, in[i], kDim, want.data());
    EXPECT_EQ(std::vector<float>(rows.begin() + i * kDim, rows.begin() + (i + 1) * kDim), want) << "key " << in[i];
  }
  EXPECT_EQ(rows[3 * kDim + 1], 31.0f);
  EXPECT_EQ(rows[4 * kDim + 2], 92.0f);
  EXPECT_EQ(versions, (std::vector<std::uint32_t>{0, 0, 0, 0, 5}));
  EXPECT_EQ(stats_.rows_sent, 5);
  EXPECT_EQ(stats_.bytes_sent, static_cast<std::int64_t>(5 * kDim * sizeof(float)));

  // An empty key list is a valid (empty) request.
  Pull({}, {}, &rows, &versions);
  EXPECT_TRUE(rows.empty() && versions.empty());
}

TEST_F(RequestHandlerTest, PushAppliesDeltasScaledByStaleness) {
  const std::vector<float> in1_before = Row(Matrix::kInput, 1);
  std::vector<float> deltas(2 * kDim);
  for (std::size_t i = 0; i < deltas.size(); ++i) deltas[i] = 0.5f + static_cast<float>(i);
  ASSERT_TRUE(Push({1}, {7}, deltas, {0, 0}).ok());
  for (int x = 0; x < kDim; ++x) {
    EXPECT_FLOAT_EQ(Row(Matrix::kInput, 1)[x], in1_before[x] + deltas[x]);
    EXPECT_FLOAT_EQ(Row(Matrix::kOutput, 7)[x], deltas[kDim + x]);
  }
  EXPECT_EQ(stats_.rows_applied, 2);
  // Two more pushes to output row 7 from version 0: staleness 1 (< T = 2: in full), then
  // staleness 2 (scaled by 2 / 3).
  const std::vector<float> ones(kDim, 1.0f);
  ASSERT_TRUE(Push({}, {7}, ones, {0}).ok());
  ASSERT_TRUE(Push({}, {7}, ones, {0}).ok());
  EXPECT_FLOAT_EQ(Row(Matrix::kOutput, 7)[0], deltas[kDim] + 1.0f + 2.0f / 3.0f);
  std::vector<float> rows;
  std::vector<std::uint32_t> versions;
  Pull({1}, {7}, &rows, &versions);
  EXPECT_EQ(versions, (std::vector<std::uint32_t>{1, 3}));
}

TEST_F(RequestHandlerTest, BadRequestsAreRejectedAndChangeNothing) {
  KeyList keys;
  const protocol::KeyListHeader header{1, 1, 0};
  EXPECT_FALSE(handler_.ParseKeyList(&header, sizeof header - 1, 0, &keys).ok()) << "shorter than a header";
  std::vector<std::uint32_t> request = KeyListOf({1, 3}, {5});
  EXPECT_FALSE(handler_.ParseKeyList(request.data(), Bytes(request) - 4, 0, &keys).ok()) << "a key missing";
  request.push_back(7);
  EXPECT_FALSE(handler_.ParseKeyList(request.data(), Bytes(request), 0, &keys).ok()) << "a key too many";
  const Status foreign = Push({1, 4}, {}, std::vector<float>(2 * kDim, 1.0f), {0, 0});
  EXPECT_FALSE(foreign.ok());
  EXPECT_NE(foreign.message().find("key 4"), std::string::npos) << foreign.message();
  EXPECT_NE(foreign.message().find("rank 1"), std::string::npos) << foreign.message();
  EXPECT_FALSE(Push({21}, {}, std::vector<float>(kDim, 1.0f), {0}).ok()) << "odd but past the vocabulary";
  EXPECT_FALSE(Push({1}, {}, std::vector<float>(kDim + 1, 1.0f), {0}).ok()) << "rows of a wrong size";
  EXPECT_FALSE(Push({1}, {}, std::vector<float>(kDim, 1.0f), {0, 0}).ok()) << "versions of a wrong size";
  std::vector<float> in1(kDim);
  ShardStore::InitInputRow(4, 1, kDim, in1.data());
  EXPECT_EQ(Row(Matrix::kInput, 1), in1) << "a rejected push changes nothing";
  EXPECT_EQ(store_.RowVersions(Matrix::kInput)[0], 0u);
  EXPECT_EQ(stats_.rows_applied, 0);

  const protocol::CheckpointSignal signal{1, 0};
  EXPECT_FALSE(handler_.CheckpointSignal(protocol::kCheckpointMark, 0, &signal, sizeof signal - 1).ok());
  EXPECT_FALSE(handler_.CheckpointSignal(protocol::kPull, 0, &signal, sizeof signal).ok()) << "not a checkpoint tag";
  EXPECT_EQ(handler_.CheckpointDue(), 0u);
}

TEST_F(RequestHandlerTest, CheckpointCutAndDoneCount) {
  const protocol::CheckpointSignal request{3, 0}, old_mark{2, 0}, mark{3, 0};
  EXPECT_EQ(handler_.CheckpointDue(), 0u) << "nothing requested";
  ASSERT_TRUE(handler_.CheckpointSignal(protocol::kCheckpointMark, 0, &mark, sizeof mark).ok());
  ASSERT_TRUE(handler_.CheckpointSignal(protocol::kCheckpointRequest, kWorkers, &request, sizeof request).ok());
  EXPECT_EQ(handler_.CheckpointDue(), 0u) << "worker 1 has not marked";
  ASSERT_TRUE(handler_.CheckpointSignal(protocol::kCheckpointMark, 1, &old_mark, sizeof old_mark).ok());
  EXPECT_EQ(handler_.CheckpointDue(), 0u) << "an older mark is not this cut";
  EXPECT_FALSE(handler_.WorkerDone(1)) << "one of two workers";
  EXPECT_FALSE(handler_.AllWorkersDone());
  EXPECT_EQ(handler_.CheckpointDue(), 3u) << "a done worker pushes nothing more";
  handler_.CheckpointTaken();
  EXPECT_EQ(handler_.CheckpointDue(), 0u);
  EXPECT_TRUE(handler_.WorkerDone(0));
  EXPECT_TRUE(handler_.AllWorkersDone()) << "the held dumps may be answered";
}

}  // namespace
}  // namespace item2vec
