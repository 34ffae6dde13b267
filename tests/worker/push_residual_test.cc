// Tests of worker/push_residual.h: one residual row per (matrix, key) while the table covers both
// matrices of the vocabulary; rows start at zero and keep what was written; a smaller table hands
// a slot to the next row that maps there and that row starts from zero.
#include "worker/push_residual.h"

#include <gtest/gtest.h>

namespace item2vec {
namespace {

TEST(PushResidualTest, EveryRowHasItsOwnSlotWhenTheTableCoversTheVocabulary) {
  constexpr int kDim = 4;
  const std::size_t vocab = 10;
  PushResidual r(PushResidual::CapacityFor(vocab, PushResidual::kDefaultMaxRows), kDim);
  EXPECT_EQ(r.capacity(), 2 * vocab);
  for (ItemId k = 0; k < vocab; ++k)
    for (bool out : {false, true}) {
      float* row = r.Row(out, k);
      for (int x = 0; x < kDim; ++x) EXPECT_EQ(row[x], 0.0f);
      for (int x = 0; x < kDim; ++x) row[x] = static_cast<float>(k * 10 + x + (out ? 100 : 0));
    }
  for (ItemId k = 0; k < vocab; ++k)
    for (bool out : {false, true})
      for (int x = 0; x < kDim; ++x) EXPECT_EQ(r.Row(out, k)[x], static_cast<float>(k * 10 + x + (out ? 100 : 0)));
}

TEST(PushResidualTest, ASmallTableGivesASlotToTheNextRowFromZero) {
  PushResidual r(PushResidual::CapacityFor(1000, 8), 2);
  EXPECT_EQ(r.capacity(), 8u);
  EXPECT_EQ(r.bytes(), 8u * (2 * sizeof(float) + sizeof(std::uint64_t)));
  r.Row(false, 1)[0] = 5.0f;  // slot 2
  EXPECT_EQ(r.Row(false, 1)[0], 5.0f);
  EXPECT_EQ(r.Row(false, 5)[0], 0.0f) << "key 5 maps to slot 2 too and starts from zero";
  EXPECT_EQ(r.Row(false, 1)[0], 0.0f) << "key 1's residual was dropped when key 5 took the slot";
  r.Row(true, 1)[1] = 2.0f;  // slot 3: the other matrix has its own slot
  EXPECT_EQ(r.Row(true, 1)[1], 2.0f);
}

}  // namespace
}  // namespace item2vec
