// Tests of PsClient (worker/ps_client.h). CarryDeltas: the next batch, pulled before the
// previous one was pushed, gets the previous batch's deltas on exactly the rows both share
// (same server, same matrix, same key), in both its rows and its `original` (what its own
// deltas are taken against), one version more on those rows, and nothing else:
// not the other matrix's row of the same key, not the hot block. The wire path against in-process
// servers (tests/support/in_process_servers.h): a batch pulled, carried into the next and pushed
// in fp32 and bf16, and many pushes of one delta reaching the exact total in bf16.
#include "worker/ps_client.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/wire_codec.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "ps/shard_store.h"
#include "tests/support/in_process_servers.h"
#include "worker/batch.h"
#include "worker/push_residual.h"

namespace item2vec {
namespace {

using testing::InProcessServers;

constexpr int kDim = 2;

struct Lists {
  std::vector<ItemId> in, out;
};

// A batch whose key lists are `lists` (per server), slots laid out as BatchBuilder does;
// row slot i holds (base + i, base + i + 0.5), version 10 + i; `hot` extra hot slots.
Batch MakeBatch(const std::vector<Lists>& lists, float base, std::size_t hot) {
  Batch b;
  std::size_t slot = 0;
  for (const Lists& l : lists) {
    std::vector<std::uint32_t> words(protocol::kHeaderWords);
    const protocol::KeyListHeader h{1, static_cast<std::uint32_t>(l.in.size()), static_cast<std::uint32_t>(l.out.size())};
    std::memcpy(words.data(), &h, sizeof h);
    words.insert(words.end(), l.in.begin(), l.in.end());
    words.insert(words.end(), l.out.begin(), l.out.end());
    b.request.push_back(words);
    b.first_slot.push_back(slot);
    slot += l.in.size() + l.out.size();
  }
  b.total_rows = slot;
  for (std::size_t i = 0; i < hot; ++i) b.hot_in.push_back(static_cast<ItemId>(i));
  for (std::size_t i = 0; i < b.LocalRows(); ++i) {
    b.rows.push_back(base + static_cast<float>(i));
    b.rows.push_back(base + static_cast<float>(i) + 0.5f);
    b.versions.push_back(static_cast<std::uint32_t>(10 + i));
  }
  b.original = b.rows;  // as FinishPull leaves them
  return b;
}

// Both forms a batch is in after StartPush: fp32 (rows turned into the deltas, carried into
// next's `original`), and bf16 with stochastic rounding (rows as trained, deltas against the
// pulled bf16 values, carried into next's carried_original). Both carry the same.
TEST(PsClientTest, CarryDeltasAddsPrevDeltasToSharedRowsOnly) {
  for (WirePrecision wire : {WirePrecision::kFp32, WirePrecision::kBf16}) {
    SCOPED_TRACE(std::string(WirePrecisionName(wire)));
    const bool pulled_form = wire == WirePrecision::kBf16;
    // Two servers (even keys on 0, odd on 1). Shared: server 0 input 6 and output 4,
    // server 1 output 7. Key 4 is an input of next but an output of prev: not shared.
    Batch prev = MakeBatch({{{2, 6}, {4}}, {{5}, {3, 7}}}, /*base=*/100.0f, 0);
    const HugePageVector<float> delta = prev.rows;  // what prev pushed
    Batch next = MakeBatch({{{4, 6}, {4}}, {{}, {7, 9}}}, /*base=*/0.0f, /*hot=*/2);
    if (pulled_form) {
      // As StartPull leaves them: pulled bf16 values (these are exact in bf16), nothing carried;
      // prev trained to 1000 + delta from 1000 (exact in float: rows - original == delta).
      for (Batch* b : {&prev, &next}) {
        b->carried_index.assign(b->total_rows, -1);
        b->pulled.resize(b->total_rows * kDim);
      }
      for (std::size_t i = 0; i < prev.pulled.size(); ++i) {
        prev.pulled[i] = FloatToBf16(1000.0f);
        prev.rows[i] = delta[i] + 1000.0f;
      }
      for (std::size_t i = 0; i < next.pulled.size(); ++i) next.pulled[i] = FloatToBf16(next.rows[i]);
    }
    const Batch before = next;
    PsClient client(/*transport=*/nullptr, /*num_workers=*/1, /*num_servers=*/2, kDim, 1.0, wire);
    client.CarryDeltas(prev, &next);

    // (next slot -> prev slot) of the shared rows.
    // prev slots: s0 in 2:0, 6:1, out 4:2; s1 in 5:3, out 3:4, 7:5.
    // next slots: s0 in 4:0, 6:1, out 4:2; s1 out 7:3, 9:4; hot 5, 6.
    const std::map<std::size_t, std::size_t> shared{{1, 1}, {2, 2}, {3, 5}};
    ASSERT_EQ(next.LocalRows(), 7u);
    float scratch[kDim];
    for (std::size_t slot = 0; slot < next.LocalRows(); ++slot) {
      const auto it = shared.find(slot);
      for (int x = 0; x < kDim; ++x) {
        const std::size_t i = slot * kDim + static_cast<std::size_t>(x);
        const float want = it == shared.end() ? before.rows[i] : before.rows[i] + delta[it->second * kDim + x];
        EXPECT_EQ(next.rows[i], want) << "slot " << slot << " dim " << x;
        if (slot < next.total_rows) {
          EXPECT_EQ(client.OriginalRow(next, slot, scratch)[x], want) << "original, slot " << slot << " dim " << x;
        }
      }
      EXPECT_EQ(next.versions[slot], before.versions[slot] + (it == shared.end() ? 0u : 1u)) << "slot " << slot;
    }
    if (pulled_form) {
      EXPECT_EQ(next.carried_rows, shared.size());
    }
    // Carrying is relative: the same delta twice counts twice (each prev push is one).
    client.CarryDeltas(prev, &next);
    EXPECT_EQ(next.rows[3 * kDim], before.rows[3 * kDim] + 2 * delta[5 * kDim]);
    EXPECT_EQ(client.OriginalRow(next, 3, scratch)[0], before.rows[3 * kDim] + 2 * delta[5 * kDim]);
    EXPECT_EQ(next.versions[3], before.versions[3] + 2);
    if (pulled_form) {
      EXPECT_EQ(next.carried_rows, shared.size());
    }
  }
}

TEST(PsClientTest, CarryDeltasWithNothingSharedChangesNothing) {
  Batch prev = MakeBatch({{{2}, {}}, {{}, {1}}}, 100.0f, 0);
  Batch next = MakeBatch({{{}, {2}}, {{1}, {}}}, 0.0f, 0);
  const Batch before = next;
  PsClient client(nullptr, 1, 2, kDim, 1.0);
  client.CarryDeltas(prev, &next);
  EXPECT_EQ(next.rows, before.rows);
  EXPECT_EQ(next.original, before.original);
  EXPECT_EQ(next.versions, before.versions);
}

// The wire path against the servers' real request handler: 3 values a row.
constexpr int kWireDim = 3;

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
  b.rows.assign(slot * kWireDim, -7.0f);
  b.original.assign(slot * kWireDim, -9.0f);
  b.versions.assign(slot, 0);
  return b;
}

// The batch path of PsClient as the worker drives it with --overlap, in fp32, bf16, int8 and
// int4-int8: after FinishPull `rows` and what the deltas are taken against (OriginalRow) both
// hold the servers' rows (rounded to the wire, int8 and int4 a row at a time); the next batch, pulled before this
// one's push, gets this one's deltas in both on the rows they share; StartPush leaves exactly
// rows - original in `rows` in fp32 and int8 and the rows as trained in bf16; the servers end at
// their rows plus the deltas (exactly in fp32, within bf16's rounding of each delta, or a step
// of int8's per-row scale, otherwise); and the
// next batch, trained and pushed, adds only its own change (the carried delta is not pushed twice).
TEST(WirePrecisionTest, BatchPullCarryPushThroughServers) {
  const std::size_t vocab = 30;
  const Partition partition(2, vocab);
  for (WirePrecision wire :
       {WirePrecision::kFp32, WirePrecision::kBf16, WirePrecision::kInt8, WirePrecision::kInt4Int8}) {
    SCOPED_TRACE(std::string(WirePrecisionName(wire)));
    std::vector<ShardStore> stores;
    for (int s = 0; s < 2; ++s) stores.emplace_back(partition, s, kWireDim, /*seed=*/5, /*staleness_tolerance=*/1e6);
    // Output rows start at zero: give them values so that every row has something to round.
    for (int s = 0; s < 2; ++s)
      for (ItemId k = static_cast<ItemId>(s); k < vocab; k += 2) {
        const float init[kWireDim] = {0.1f * static_cast<float>(k) + 0.0123f, -0.05f * static_cast<float>(k), 0.3337f};
        const std::uint32_t v0 = 0;
        stores[static_cast<std::size_t>(s)].Add(Matrix::kOutput, &k, 1, init, &v0);
      }
    auto server_row = [&](Matrix m, ItemId k) {
      return stores[static_cast<std::size_t>(partition.ServerOf(k))].RowValues(m, k);
    };
    // Value x of a row as it arrives (int8 rounds a row at a time, to its own scale).
    auto wire_value = [&](const float* row, int x) {
      unsigned char encoded[kWireDim * 4 + 4];
      float back[kWireDim];
      EncodeWireRows(PullWire(wire), row, 1, kWireDim, encoded);
      DecodeWireRows(PullWire(wire), encoded, 1, kWireDim, back);
      return back[x];
    };
    InProcessServers transport(/*workers=*/1, vocab, &stores, wire);
    PsClient client(&transport, 1, 2, kWireDim, 10, wire);
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
    for (const auto& [m, k] : a_rows) {
      const std::vector<float> row = server_row(m, k);
      start.insert(start.end(), row.begin(), row.end());
    }

    float scratch[kWireDim];
    client.StartPull(&a);
    ASSERT_TRUE(client.FinishPull(&a).ok());
    for (std::size_t i = 0; i < a.total_rows * kWireDim; ++i) {
      EXPECT_EQ(a.rows[i], wire_value(&start[i - i % kWireDim], static_cast<int>(i % kWireDim))) << i;
      EXPECT_EQ(client.OriginalRow(a, i / kWireDim, scratch)[i % kWireDim], a.rows[i]) << i;
    }
    client.StartPull(&b);  // overlap: pulled before a is pushed
    HugePageVector<float> trained = a.rows;
    for (std::size_t i = 0; i < trained.size(); ++i) trained[i] += 0.01f * static_cast<float>(i + 1);
    a.rows = trained;
    std::vector<float> pushed(a.total_rows * kWireDim);  // a's deltas
    for (std::size_t i = 0; i < pushed.size(); ++i)
      pushed[i] = trained[i] - client.OriginalRow(a, i / kWireDim, scratch)[i % kWireDim];
    client.StartPush(&a);
    for (std::size_t i = 0; i < pushed.size(); ++i) {
      EXPECT_EQ(a.rows[i], wire == WirePrecision::kBf16 ? trained[i] : pushed[i]) << i;
    }
    ASSERT_TRUE(client.FinishPull(&b).ok());
    client.CarryDeltas(a, &b);
    ASSERT_TRUE(client.FinishPush(&a).ok());
    ASSERT_TRUE(client.FlushPushes().ok());
    // b: input 6 is a's slot 1, output 7 a's slot 5; the other rows as pulled.
    const std::map<std::size_t, std::size_t> shared{{1, 1}, {3, 5}};
    for (std::size_t slot = 0; slot < b.total_rows; ++slot) {
      const auto it = shared.find(slot);
      for (int x = 0; x < kWireDim; ++x) {
        const std::size_t i = slot * kWireDim + static_cast<std::size_t>(x);
        EXPECT_EQ(client.OriginalRow(b, slot, scratch)[x], b.rows[i]) << "slot " << slot;
        if (it == shared.end()) {
          EXPECT_EQ(b.rows[i], wire_value(server_row(b_rows[slot].first, b_rows[slot].second).data(), x)) << "slot " << slot;
        } else {
          EXPECT_EQ(b.rows[i], wire_value(&start[it->second * kWireDim], x) + pushed[it->second * kWireDim + x])
              << "slot " << slot;
        }
      }
    }
    // The servers: their rows plus a's deltas.
    for (std::size_t slot = 0; slot < a.total_rows; ++slot)
      for (int x = 0; x < kWireDim; ++x) {
        const std::size_t i = slot * kWireDim + static_cast<std::size_t>(x);
        const float got = server_row(a_rows[slot].first, a_rows[slot].second)[x];
        if (wire == WirePrecision::kFp32) {
          EXPECT_EQ(got, start[i] + pushed[i]) << "slot " << slot;
        } else if (wire == WirePrecision::kBf16) {
          EXPECT_NEAR(got, start[i] + pushed[i], std::fabs(pushed[i]) / 128 + 1e-6) << "slot " << slot;
        } else {  // int8 pushes: less than a step of the row's scale
          const float* row = &pushed[slot * kWireDim];
          const float most = std::max({std::fabs(row[0]), std::fabs(row[1]), std::fabs(row[2])});
          EXPECT_NEAR(got, start[i] + pushed[i], most / 127 + 1e-6) << "slot " << slot;
        }
      }
    // b trains by 0.02 a value and pushes: every row of b ends 0.02 above where it stood after
    // a's push, shared rows included (a's carried delta is already there).
    std::vector<float> after_a;
    for (const auto& [m, k] : b_rows) {
      const std::vector<float> row = server_row(m, k);
      after_a.insert(after_a.end(), row.begin(), row.end());
    }
    for (std::size_t i = 0; i < b.total_rows * kWireDim; ++i) b.rows[i] += 0.02f;
    client.StartPush(&b);
    ASSERT_TRUE(client.FinishPush(&b).ok());
    ASSERT_TRUE(client.FlushPushes().ok());
    for (std::size_t slot = 0; slot < b.total_rows; ++slot)
      for (int x = 0; x < kWireDim; ++x) {
        const float got = server_row(b_rows[slot].first, b_rows[slot].second)[x];
        EXPECT_NEAR(got, after_a[slot * kWireDim + static_cast<std::size_t>(x)] + 0.02f, 0.02f / 128 + 1e-5)
            << "slot " << slot << " (shared: " << shared.count(slot) << ")";
      }
  }
}

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
    stores.emplace_back(partition, 0, kWireDim, /*seed=*/5, /*staleness_tolerance=*/1e6);
    InProcessServers transport(/*workers=*/1, vocab, &stores, WirePrecision::kBf16);
    PushResidual residual(PushResidual::CapacityFor(vocab, PushResidual::kDefaultMaxRows), kWireDim);
    PsClient client(&transport, 1, 1, kWireDim, 10, WirePrecision::kBf16, feedback ? &residual : nullptr);
    const ItemId key = 3;
    std::vector<std::uint32_t> request(protocol::kHeaderWords + 1);
    const protocol::KeyListHeader header{1, 1, 0};
    std::memcpy(request.data(), &header, sizeof header);
    request[protocol::kHeaderWords] = key;
    float row[kWireDim];
    std::uint32_t version = 0;
    PsClient::Handles handles;
    client.PostPull(0, request.data(), request.size(), row, &version, 1, &handles);
    ASSERT_TRUE(client.WaitAll(&handles, "pull").ok());
    float start[kWireDim], master[kWireDim];
    stores[0].ReadRow(Matrix::kInput, key, start);
    for (int x = 0; x < kWireDim; ++x) EXPECT_EQ(row[x], Bf16ToFloat(FloatToBf16(start[x])));
    const float delta[kWireDim] = {1e-3f, -3e-4f, 7.77e-5f};
    constexpr int kPushes = 8000;
    for (int k = 0; k < kPushes; ++k) {
      client.PostPush(0, request.data(), request.size(), delta, &version, 1, &handles);
      ASSERT_TRUE(client.WaitAll(&handles, "push").ok());
    }
    stores[0].ReadRow(Matrix::kInput, key, master);
    for (int x = 0; x < kWireDim; ++x) {
      const double exact = kPushes * static_cast<double>(delta[x]), got = static_cast<double>(master[x]) - start[x];
      // Feedback: within the last residual and float32 sums. Stochastic: within 6 sd of its noise
      // (each push errs by under one ulp of the delta, 2^-7 of it at most).
      const double tolerance =
          feedback ? 2e-4 : 6 * std::sqrt(static_cast<double>(kPushes)) * std::fabs(delta[x]) / 128 / 2 + 1e-5;
      EXPECT_NEAR(got, exact, tolerance) << (feedback ? "feedback" : "stochastic") << ", value " << x;
    }
    EXPECT_EQ(client.bytes_sent(), kPushes * (4 * (protocol::kHeaderWords + 1 + 1) + 2 * kWireDim) +
                                       4 * static_cast<std::int64_t>(protocol::kHeaderWords + 1));
  }
}

}  // namespace
}  // namespace item2vec
