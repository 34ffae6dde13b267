// Tests of ps/row_matrix.h, the bf16 master rows of --server-precision bf16: stochastic
// rounding is unbiased over many pushes, small updates are not lost on average (the classic
// bf16 failure, shown here with round-to-nearest), the same salts give the same bits, reads and
// writes are exact for bf16 values, bf16 rows go out on a bf16 wire as kept, and fp32 is plain
// float arithmetic. Shard checkpoints of bf16 stores: tests/job/checkpoint_test.cc.
#include "ps/row_matrix.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "common/row_ops.h"
#include "common/wire_codec.h"

namespace item2vec {
namespace {

constexpr std::size_t kDim = 37;  // not a multiple of the vector width: the tails run too

TEST(RowMatrixTest, Bf16HalvesTheBytesAndStartsAtZero) {
  const RowMatrix f(10, kDim, WirePrecision::kFp32), b(10, kDim, WirePrecision::kBf16);
  EXPECT_EQ(f.BytesUsed(), 10 * kDim * 4);
  EXPECT_EQ(b.BytesUsed(), 10 * kDim * 2);
  std::vector<float> row(kDim, 1.0f);
  b.Read(9, row.data());
  for (float v : row) EXPECT_EQ(v, 0.0f);
}

TEST(RowMatrixTest, StochasticRoundingIsUnbiasedOverManyPushes) {
  // One push of a value between two bf16 neighbours, many times from the same start with
  // different salts: the mean of the stored results is the float sum.
  RowMatrix m(1, kDim, WirePrecision::kBf16);
  std::vector<float> start(kDim), delta(kDim), scratch(kDim), got(kDim);
  for (std::size_t x = 0; x < kDim; ++x) {
    start[x] = 0.25f + 0.01f * static_cast<float>(x) - (x % 2 ? 0.5f : 0.0f);
    delta[x] = 0.0007f * static_cast<float>(x + 1) * (x % 3 ? 1.0f : -1.0f);
  }
  constexpr int kTrials = 20000;
  std::vector<double> mean(kDim, 0.0);
  m.Write(0, start.data());
  m.Read(0, start.data());  // the bf16 start value
  for (int t = 0; t < kTrials; ++t) {
    m.Write(0, start.data());
    m.Add(0, delta.data(), 1.0f, static_cast<std::uint32_t>(t) * 2654435761u, scratch.data());
    m.Read(0, got.data());
    for (std::size_t x = 0; x < kDim; ++x) mean[x] += got[x] / kTrials;
  }
  for (std::size_t x = 0; x < kDim; ++x) {
    const float exact = start[x] + delta[x];
    const double ulp = std::ldexp(1.0, std::ilogb(exact) - 7);
    EXPECT_NEAR(mean[x], exact, 5 * ulp / std::sqrt(4.0 * kTrials)) << "value " << x;
  }
}

TEST(RowMatrixTest, SmallUpdatesAreNotLostOnAverage) {
  // 1e-4 is 1/78 of bf16's ulp at 1.0: rounded to nearest every push is lost and the row
  // stays at 1.0 for ever; rounded stochastically it moves by the sum of the pushes.
  RowMatrix m(3, kDim, WirePrecision::kBf16);
  std::vector<float> ones(kDim, 1.0f), delta(kDim, 1e-4f), scratch(kDim), row(kDim);
  m.Write(1, ones.data());
  constexpr int kPushes = 5000;  // exact total 0.5
  for (int k = 0; k < kPushes; ++k) m.Add(1, delta.data(), 1.0f, 0x1234u + static_cast<std::uint32_t>(k), scratch.data());
  m.Read(1, row.data());
  double mean = 0;
  for (float v : row) mean += (v - 1.0) / kDim;
  // Each push errs by at most one ulp (2^-7 .. 2^-8 here), unbiased: sd of a value's total
  // below sqrt(kPushes) * 2^-7 / 2 ~ 0.28; of the mean over kDim values 0.046.
  EXPECT_NEAR(mean, kPushes * 1e-4, 0.15);
  for (float v : row) EXPECT_GT(v, 1.2f);
  // The classic failure the stochastic rounding avoids: round-to-nearest of the same sums.
  std::vector<float> nearest(kDim, 1.0f);
  for (int k = 0; k < kPushes; ++k) {
    AddRow(delta.data(), kDim, nearest.data());
    for (float& v : nearest) v = Bf16ToFloat(FloatToBf16(v));
  }
  for (float v : nearest) EXPECT_EQ(v, 1.0f);
  // And a scaled delta (a stale push) is scaled before rounding.
  RowMatrix s(1, kDim, WirePrecision::kBf16);
  s.Write(0, ones.data());
  for (int k = 0; k < kPushes; ++k) s.Add(0, delta.data(), 0.5f, 0x777u + static_cast<std::uint32_t>(k), scratch.data());
  s.Read(0, row.data());
  mean = 0;
  for (float v : row) mean += (v - 1.0) / kDim;
  EXPECT_NEAR(mean, kPushes * 0.5e-4, 0.1);
}

TEST(RowMatrixTest, TheSameSaltsGiveTheSameBits) {
  RowMatrix a(2, kDim, WirePrecision::kBf16), b(2, kDim, WirePrecision::kBf16), c(2, kDim, WirePrecision::kBf16);
  std::vector<float> delta(kDim), scratch(kDim), ra(kDim), rb(kDim), rc(kDim);
  for (std::size_t x = 0; x < kDim; ++x) delta[x] = 0.00123f * static_cast<float>(x) - 0.02f;
  for (std::uint32_t k = 0; k < 200; ++k) {
    a.Add(k % 2, delta.data(), 1.0f, k, scratch.data());
    b.Add(k % 2, delta.data(), 1.0f, k, scratch.data());
    c.Add(k % 2, delta.data(), 1.0f, k + 1000, scratch.data());
  }
  a.Read(0, ra.data());
  b.Read(0, rb.data());
  c.Read(0, rc.data());
  EXPECT_EQ(std::memcmp(ra.data(), rb.data(), kDim * sizeof(float)), 0);
  EXPECT_NE(std::memcmp(ra.data(), rc.data(), kDim * sizeof(float)), 0);
}

TEST(RowMatrixTest, ReadWriteAndEncodeAreExact) {
  RowMatrix b(2, kDim, WirePrecision::kBf16), f(2, kDim, WirePrecision::kFp32);
  std::vector<float> v(kDim), back(kDim), scratch(kDim), want(kDim);
  for (std::size_t x = 0; x < kDim; ++x) v[x] = 0.0123f * static_cast<float>(x) - 0.2f;
  // fp32: the floats themselves; bf16: rounded to nearest, then stable.
  f.Write(1, v.data());
  f.Read(1, back.data());
  EXPECT_EQ(std::memcmp(back.data(), v.data(), kDim * sizeof(float)), 0);
  b.Write(1, v.data());
  b.Read(1, back.data());
  for (std::size_t x = 0; x < kDim; ++x) EXPECT_EQ(back[x], Bf16ToFloat(FloatToBf16(v[x])));
  b.Write(0, back.data());
  b.Read(0, want.data());
  EXPECT_EQ(std::memcmp(back.data(), want.data(), kDim * sizeof(float)), 0);
  // Every wire precision gets what encoding the row's floats gives.
  for (WirePrecision w : {WirePrecision::kFp32, WirePrecision::kBf16, WirePrecision::kFp16, WirePrecision::kInt8,
                          WirePrecision::kInt4}) {
    const std::size_t bytes = WireRowBytes(w, kDim);
    std::vector<char> got(bytes), expected(bytes);
    b.Encode(1, w, got.data(), scratch.data());
    EncodeWireRows(w, back.data(), 1, kDim, expected.data());
    EXPECT_EQ(std::memcmp(got.data(), expected.data(), bytes), 0) << WirePrecisionName(w);
    f.Encode(1, w, got.data(), scratch.data());
    EncodeWireRows(w, v.data(), 1, kDim, expected.data());
    EXPECT_EQ(std::memcmp(got.data(), expected.data(), bytes), 0) << WirePrecisionName(w);
  }
}

TEST(RowMatrixTest, Fp32AddIsThePlainFloatSum) {
  RowMatrix f(1, kDim, WirePrecision::kFp32);
  std::vector<float> row(kDim), delta(kDim), scratch(kDim), got(kDim);
  for (std::size_t x = 0; x < kDim; ++x) {
    row[x] = 0.01f * static_cast<float>(x);
    delta[x] = 1e-6f * static_cast<float>(x + 1);
  }
  f.Write(0, row.data());
  f.Add(0, delta.data(), 1.0f, 1, scratch.data());
  f.Add(0, delta.data(), 0.25f, 2, scratch.data());
  AddRow(delta.data(), kDim, row.data());
  AddRowScaled(delta.data(), 0.25f, kDim, row.data());
  f.Read(0, got.data());
  EXPECT_EQ(std::memcmp(got.data(), row.data(), kDim * sizeof(float)), 0);
}

}  // namespace
}  // namespace item2vec
