// Tests of ps/shard_store.h: rows start as documented, Gather/Add address rows by global
// key (GatherEncoded/AddEncoded equal Gather + EncodeWire and DecodeWire + Add bit for
// bit), and Add scales a stale delta by min(1, T / (1 + s)) and counts it in the version.
#include "ps/shard_store.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

constexpr int kDim = 4;

// Row `key` of matrix m, copied.
std::vector<float> RowOf(const ShardStore& store, Matrix m, ItemId key) {
  std::vector<float> row(kDim);
  store.Gather(m, &key, 1, row.data());
  return row;
}

std::uint32_t VersionOf(const ShardStore& store, Matrix m, ItemId key) {
  std::uint32_t v = 0;
  store.GatherVersions(m, &key, 1, &v);
  return v;
}

TEST(ShardStoreTest, RowsStartAsDocumented) {
  const Partition partition(3, 20);
  const ShardStore store(partition, 2, kDim, /*seed=*/11);
  EXPECT_EQ(store.rows(), partition.RowsOn(2));
  for (ItemId k = 2; k < 20; k += 3) {
    std::vector<float> want(kDim);
    ShardStore::InitInputRow(11, k, kDim, want.data());
    EXPECT_EQ(RowOf(store, Matrix::kInput, k), want) << "key " << k;
    for (float x : want) {
      EXPECT_GE(x, -0.5f / kDim);
      EXPECT_LT(x, 0.5f / kDim);
    }
    EXPECT_EQ(RowOf(store, Matrix::kOutput, k), std::vector<float>(kDim, 0.0f));
    EXPECT_EQ(VersionOf(store, Matrix::kInput, k), 0u);
  }
}

// --init-width W: the same draws scaled to [-W/dim, W/dim); W = 0.5 (word2vec.c) is the default.
TEST(ShardStoreTest, InitWidthScalesTheInputRows) {
  const Partition partition(1, 10);
  const ShardStore store(partition, 0, kDim, /*seed=*/11, /*staleness_tolerance=*/2.0, /*init_width=*/1.0f);
  for (ItemId k = 0; k < 10; ++k) {
    std::vector<float> half(kDim), wide(kDim);
    ShardStore::InitInputRow(11, k, kDim, half.data());
    ShardStore::InitInputRow(11, k, kDim, wide.data(), 1.0f);
    EXPECT_EQ(RowOf(store, Matrix::kInput, k), wide) << "key " << k;
    for (int i = 0; i < kDim; ++i) {
      EXPECT_EQ(wide[static_cast<std::size_t>(i)], 2.0f * half[static_cast<std::size_t>(i)]);
      EXPECT_GE(wide[static_cast<std::size_t>(i)], -1.0f / kDim);
      EXPECT_LT(wide[static_cast<std::size_t>(i)], 1.0f / kDim);
    }
  }
}

// Pushes a delta of 1.0 in every component of output row `key`, computed from version
// `pulled`, and returns how much the row moved.
float PushOnes(ShardStore* store, ItemId key, std::uint32_t pulled) {
  const float before = RowOf(*store, Matrix::kOutput, key)[0];
  const std::vector<float> delta(kDim, 1.0f);
  store->Add(Matrix::kOutput, &key, 1, delta.data(), &pulled);
  const std::vector<float> after = RowOf(*store, Matrix::kOutput, key);
  for (float x : after) EXPECT_EQ(x, after[0]) << "every component scales alike";
  return after[0] - before;
}

TEST(ShardStoreTest, StaleDeltasAreScaledByTheTolerance) {
  const Partition partition(1, 8);
  for (double tolerance : {1.0, 2.0, 4.0}) {
    ShardStore store(partition, 0, kDim, 3, tolerance);
    const ItemId key = 5;
    // Versions 0, 1, ..., 7 applied from version 0: staleness s = 0, 1, ..., 7.
    for (std::uint32_t s = 0; s < 8; ++s) {
      ASSERT_EQ(VersionOf(store, Matrix::kOutput, key), s);
      const double want = s < tolerance ? 1.0 : tolerance / (1.0 + s);
      EXPECT_NEAR(PushOnes(&store, key, /*pulled=*/0), want, 1e-6) << "T " << tolerance << " staleness " << s;
    }
    EXPECT_EQ(VersionOf(store, Matrix::kOutput, key), 8u) << "each push counts once, scaled or not";
    // A push based on the current version is fresh again; other rows kept their versions.
    EXPECT_NEAR(PushOnes(&store, key, 8), 1.0, 1e-6);
    EXPECT_EQ(VersionOf(store, Matrix::kOutput, 4), 0u);
    EXPECT_EQ(VersionOf(store, Matrix::kInput, key), 0u) << "the matrices version separately";
  }
}

TEST(ShardStoreTest, OneWorkerIsNeverScaled) {
  // One worker pulls the version it pushes against: staleness 0 every time.
  const Partition partition(2, 10);
  ShardStore store(partition, 1, kDim, 3, /*staleness_tolerance=*/1.0);
  const ItemId keys[] = {1, 3, 9};
  for (int step = 0; step < 5; ++step) {
    std::uint32_t pulled[3];
    store.GatherVersions(Matrix::kInput, keys, 3, pulled);
    std::vector<float> before(3 * kDim), after(3 * kDim);
    store.Gather(Matrix::kInput, keys, 3, before.data());
    std::vector<float> delta(3 * kDim);
    for (std::size_t i = 0; i < delta.size(); ++i) delta[i] = 0.01f * static_cast<float>(i + 1);
    store.Add(Matrix::kInput, keys, 3, delta.data(), pulled);
    store.Gather(Matrix::kInput, keys, 3, after.data());
    for (std::size_t i = 0; i < delta.size(); ++i) EXPECT_FLOAT_EQ(after[i], before[i] + delta[i]);
  }
  EXPECT_EQ(VersionOf(store, Matrix::kInput, 9), 5u);
}

TEST(ShardStoreTest, EncodedGatherAndAddEqualTheFloatPathBitForBit) {
  // Two stores in the same state; one takes each push as floats decoded by hand, the other
  // in the wire precision. Versions are stale for some rows so both scaling branches run.
  constexpr int kWideDim = 37;  // not a multiple of the vector width: the tails run too
  const Partition partition(2, 40);
  for (WirePrecision wire : {WirePrecision::kBf16, WirePrecision::kFp16, WirePrecision::kFp32}) {
    ShardStore a(partition, 0, kWideDim, 5, /*staleness_tolerance=*/2.0);
    ShardStore b(partition, 0, kWideDim, 5, /*staleness_tolerance=*/2.0);
    const ItemId keys[] = {0, 4, 10, 38, 4};  // 4 twice: the second sees the first's version
    constexpr std::size_t n = 5;
    const std::size_t bytes = n * kWideDim * WireBytesPerValue(wire);
    for (int step = 0; step < 6; ++step) {
      for (Matrix m : {Matrix::kInput, Matrix::kOutput}) {
        std::vector<char> wire_a(bytes), wire_b(bytes);
        std::vector<float> gathered(n * kWideDim);
        a.Gather(m, keys, n, gathered.data());
        EncodeWire(wire, gathered.data(), gathered.size(), wire_a.data());
        b.GatherEncoded(m, keys, n, wire, wire_b.data());
        ASSERT_EQ(std::memcmp(wire_a.data(), wire_b.data(), bytes), 0) << WirePrecisionName(wire);
        std::vector<float> delta(n * kWideDim);
        for (std::size_t i = 0; i < delta.size(); ++i)
          delta[i] = 0.013f * static_cast<float>((i * 7 + static_cast<std::size_t>(step)) % 23) - 0.1f;
        std::vector<char> encoded(bytes);
        EncodeWire(wire, delta.data(), delta.size(), encoded.data());
        std::vector<float> decoded(delta.size());
        DecodeWire(wire, encoded.data(), delta.size(), decoded.data());
        std::uint32_t pulled[n];
        a.GatherVersions(m, keys, n, pulled);
        pulled[1] -= static_cast<std::uint32_t>(step);  // rows 4 and 10 arrive stale
        pulled[2] -= static_cast<std::uint32_t>(2 * step);
        a.Add(m, keys, n, decoded.data(), pulled);
        b.AddEncoded(m, keys, n, wire, encoded.data(), pulled);
      }
    }
    for (Matrix m : {Matrix::kInput, Matrix::kOutput}) {
      std::vector<float> rows_a(a.rows() * kWideDim), rows_b(b.rows() * kWideDim);
      a.ReadLocalRows(m, 0, a.rows(), rows_a.data());
      b.ReadLocalRows(m, 0, b.rows(), rows_b.data());
      ASSERT_EQ(std::memcmp(rows_a.data(), rows_b.data(), rows_a.size() * sizeof(float)), 0);
      ASSERT_EQ(std::memcmp(a.RowVersions(m), b.RowVersions(m), a.rows() * sizeof(std::uint32_t)), 0);
    }
    EXPECT_EQ(VersionOf(b, Matrix::kInput, 4), 12u);
  }
}

}  // namespace
}  // namespace item2vec
