// Tests of PsClient::CarryDeltas (worker/ps_client.h): the next batch, pulled before the
// previous one was pushed, gets the previous batch's deltas on exactly the rows both share
// (same server, same matrix, same key), in both its rows and its `original` (what its own
// deltas are taken against), one version more on those rows, and nothing else:
// not the other matrix's row of the same key, not the hot block.
#include "worker/ps_client.h"

#include <cstring>
#include <map>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "ps/protocol.h"
#include "worker/batch.h"

namespace item2vec {
namespace {

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

TEST(PsClientTest, CarryDeltasAddsPrevDeltasToSharedRowsOnly) {
  // Two servers (even keys on 0, odd on 1). Shared: server 0 input 6 and output 4,
  // server 1 output 7. Key 4 is an input of next but an output of prev: not shared.
  const Batch prev = MakeBatch({{{2, 6}, {4}}, {{5}, {3, 7}}}, /*base=*/100.0f, 0);
  Batch next = MakeBatch({{{4, 6}, {4}}, {{}, {7, 9}}}, /*base=*/0.0f, /*hot=*/2);
  const Batch before = next;
  PsClient client(/*transport=*/nullptr, /*num_workers=*/1, /*num_servers=*/2, kDim, 1.0);
  client.CarryDeltas(prev, &next);

  // (next slot -> prev slot) of the shared rows.
  // prev slots: s0 in 2:0, 6:1, out 4:2; s1 in 5:3, out 3:4, 7:5.
  // next slots: s0 in 4:0, 6:1, out 4:2; s1 out 7:3, 9:4; hot 5, 6.
  const std::map<std::size_t, std::size_t> shared{{1, 1}, {2, 2}, {3, 5}};
  ASSERT_EQ(next.LocalRows(), 7u);
  for (std::size_t slot = 0; slot < next.LocalRows(); ++slot) {
    const auto it = shared.find(slot);
    for (int x = 0; x < kDim; ++x) {
      const std::size_t i = slot * kDim + static_cast<std::size_t>(x);
      const float want = it == shared.end() ? before.rows[i] : before.rows[i] + prev.rows[it->second * kDim + x];
      EXPECT_EQ(next.rows[i], want) << "slot " << slot << " dim " << x;
      EXPECT_EQ(next.original[i], want) << "original, slot " << slot << " dim " << x;
    }
    EXPECT_EQ(next.versions[slot], before.versions[slot] + (it == shared.end() ? 0u : 1u)) << "slot " << slot;
  }
  // Carrying is relative: the same delta twice counts twice (each prev push is one).
  client.CarryDeltas(prev, &next);
  EXPECT_EQ(next.rows[3 * kDim], before.rows[3 * kDim] + 2 * prev.rows[5 * kDim]);
  EXPECT_EQ(next.versions[3], before.versions[3] + 2);
}

TEST(PsClientTest, CarryDeltasWithNothingSharedChangesNothing) {
  const Batch prev = MakeBatch({{{2}, {}}, {{}, {1}}}, 100.0f, 0);
  Batch next = MakeBatch({{{}, {2}}, {{1}, {}}}, 0.0f, 0);
  const Batch before = next;
  PsClient client(nullptr, 1, 2, kDim, 1.0);
  client.CarryDeltas(prev, &next);
  EXPECT_EQ(next.rows, before.rows);
  EXPECT_EQ(next.original, before.original);
  EXPECT_EQ(next.versions, before.versions);
}

}  // namespace
}  // namespace item2vec
