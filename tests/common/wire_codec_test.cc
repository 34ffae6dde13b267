// Tests of common/wire_codec.h: exact round trips of representable values, round to nearest
// even, fp16's range (saturation, subnormals), in-place encoding, and error feedback: over
// many small pushes the decoded sum plus the residual is the exact total, where plain rounding
// loses the updates; and bf16 stochastic rounding: always a neighbour, unbiased on average,
// the same bytes for the same salt.
#include "common/wire_codec.h"

#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

constexpr WirePrecision kLean[] = {WirePrecision::kBf16, WirePrecision::kFp16};

TEST(WireCodecTest, NamesRoundTrip) {
  for (WirePrecision p : {WirePrecision::kFp32, WirePrecision::kBf16, WirePrecision::kFp16}) {
    WirePrecision q = WirePrecision::kFp32;
    ASSERT_TRUE(ParseWirePrecision(WirePrecisionName(p), &q));
    EXPECT_EQ(q, p);
  }
  WirePrecision q;
  EXPECT_FALSE(ParseWirePrecision("fp8", &q));
  EXPECT_EQ(WireBytesPerValue(WirePrecision::kFp32), 4u);
  EXPECT_EQ(WireBytesPerValue(WirePrecision::kBf16), 2u);
}

TEST(WireCodecTest, EveryHalfValueRoundTripsExactly) {
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const auto b = static_cast<std::uint16_t>(h);
    const float fb = Bf16ToFloat(b);
    if (!std::isnan(fb)) {
      EXPECT_EQ(FloatToBf16(fb), b) << h;
    }
    const float fh = Fp16ToFloat(b);
    if (!std::isnan(fh)) {
      EXPECT_EQ(FloatToFp16(fh), b) << h;
    }
  }
}

TEST(WireCodecTest, KnownValues) {
  EXPECT_EQ(Fp16ToFloat(0x3c00), 1.0f);
  EXPECT_EQ(Fp16ToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(Fp16ToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(FloatToFp16(1e9f), 0x7bff);           // saturates, never inf
  EXPECT_EQ(FloatToFp16(-1e9f), 0xfbff);
  EXPECT_EQ(FloatToFp16(std::ldexp(1.0f, -26)), 0);  // below half the smallest subnormal
  EXPECT_EQ(FloatToFp16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_TRUE(std::isnan(Fp16ToFloat(FloatToFp16(std::nanf("")))));
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(std::nanf("")))));
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f)), 1.0f);
  // Ties go to even: 1 + 2^-8 lies halfway between bf16 1 and 1 + 2^-7.
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f + std::ldexp(1.0f, -8))), 1.0f);
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f + 3 * std::ldexp(1.0f, -8))), 1.0f + std::ldexp(1.0f, -6));
  // Ties in fp16: 1 + 2^-11 between 1 and 1 + 2^-10.
  EXPECT_EQ(Fp16ToFloat(FloatToFp16(1.0f + std::ldexp(1.0f, -11))), 1.0f);
}

TEST(WireCodecTest, RoundingErrorIsAtMostHalfAnUlp) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-4.0f, 4.0f);
  for (int i = 0; i < 100000; ++i) {
    const float f = u(rng);
    EXPECT_LE(std::fabs(Bf16ToFloat(FloatToBf16(f)) - f), std::ldexp(std::fabs(f), -8) + 1e-30f) << f;
    EXPECT_LE(std::fabs(Fp16ToFloat(FloatToFp16(f)) - f), std::ldexp(std::fabs(f), -11) + std::ldexp(1.0f, -25))
        << f;
  }
}

// The array functions (vectorised, F16C where the CPU has it) give the per-value functions'
// results bit for bit: random magnitudes from 1e-9 to 1e6 (fp16 subnormals, saturation), odd
// lengths (the loops' tails), zeros, infinities.
TEST(WireCodecTest, ArraysEqualTheScalarFunctions) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  std::uniform_int_distribution<int> exp2(-30, 20), sign(0, 1);
  std::vector<float> v;
  for (int i = 0; i < 4099; ++i) v.push_back((sign(rng) ? -1.0f : 1.0f) * std::ldexp(mant(rng), exp2(rng)));
  v.insert(v.end(), {0.0f, -0.0f, 65504.0f, 65519.0f, 65520.0f, 1e30f, -1e30f,
                     std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()});
  for (std::size_t n : {v.size(), std::size_t{7}, std::size_t{1}}) {
    std::vector<std::uint16_t> bf(n), fh(n);
    EncodeWire(WirePrecision::kBf16, v.data(), n, bf.data());
    EncodeWire(WirePrecision::kFp16, v.data(), n, fh.data());
    std::vector<float> bfd(n), fhd(n);
    DecodeWire(WirePrecision::kBf16, bf.data(), n, bfd.data());
    DecodeWire(WirePrecision::kFp16, fh.data(), n, fhd.data());
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(bf[i], FloatToBf16(v[i])) << v[i];
      ASSERT_EQ(fh[i], FloatToFp16(v[i])) << v[i];
      ASSERT_EQ(bfd[i], Bf16ToFloat(bf[i])) << v[i];
      ASSERT_EQ(fhd[i], Fp16ToFloat(fh[i])) << v[i];
    }
  }
  std::vector<float> nan(9, std::nanf(""));
  std::vector<std::uint16_t> h(9);
  std::vector<float> back(9);
  EncodeWire(WirePrecision::kFp16, nan.data(), 9, h.data());
  DecodeWire(WirePrecision::kFp16, h.data(), 9, back.data());
  for (float f : back) EXPECT_TRUE(std::isnan(f));
  std::vector<float> out(v.size());
  EncodeWire(WirePrecision::kFp32, v.data(), v.size(), out.data());
  EXPECT_EQ(0, std::memcmp(out.data(), v.data(), v.size() * sizeof(float)));
}

// A row of 1.0 receives many deltas far below its ulp in the wire format: with error feedback
// the server's float32 sum of the decoded pushes reaches the exact total (within the last
// residual); rounding each push alone loses most of it (fp16 flushes them to zero).
TEST(WireCodecTest, ErrorFeedbackSumsToTheExactTotal) {
  constexpr int kPushes = 20000;
  constexpr std::size_t kDim = 8;
  for (WirePrecision p : kLean) {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(1e-9f, 2.5e-8f);
    std::vector<float> residual(kDim, 0.0f), delta(kDim), decoded(kDim);
    std::vector<std::uint16_t> wire(kDim);
    std::vector<double> exact(kDim, 0.0), fed(kDim, 0.0), plain(kDim, 0.0);
    for (int k = 0; k < kPushes; ++k) {
      for (std::size_t i = 0; i < kDim; ++i) delta[i] = (i % 2 ? -1.0f : 1.0f) * u(rng);
      for (std::size_t i = 0; i < kDim; ++i) exact[i] += delta[i];
      EncodeWireWithFeedback(p, delta.data(), residual.data(), kDim, wire.data());
      DecodeWire(p, wire.data(), kDim, decoded.data());
      for (std::size_t i = 0; i < kDim; ++i) fed[i] += decoded[i];
      EncodeWire(p, delta.data(), kDim, wire.data());
      DecodeWire(p, wire.data(), kDim, decoded.data());
      for (std::size_t i = 0; i < kDim; ++i) plain[i] += decoded[i];
    }
    for (std::size_t i = 0; i < kDim; ++i) {
      EXPECT_NEAR(fed[i] + residual[i], exact[i], std::fabs(exact[i]) * 1e-5) << WirePrecisionName(p) << " " << i;
      EXPECT_NEAR(fed[i], exact[i], std::fabs(exact[i]) * 1e-2) << WirePrecisionName(p) << " " << i;
    }
    if (p == WirePrecision::kFp16) {
      EXPECT_EQ(plain[0], 0.0) << "fp16 without feedback should flush these to zero";
    }
  }
}

// Feedback also recovers updates that do not fit next to a large value in one message: pushes
// of 1 + tiny keep the tiny part across pushes.
TEST(WireCodecTest, ErrorFeedbackKeepsWhatRoundingDrops) {
  for (WirePrecision p : kLean) {
    float residual = 0.0f;
    double exact = 0, sent = 0;
    for (int k = 0; k < 5000; ++k) {
      const float d = 0.5f + 1e-4f;
      exact += d;
      std::uint16_t h;
      EncodeWireWithFeedback(p, &d, &residual, 1, &h);
      float back;
      DecodeWire(p, &h, 1, &back);
      sent += back;
    }
    EXPECT_NEAR(sent + residual, exact, 1e-3) << WirePrecisionName(p);
    EXPECT_LE(std::fabs(residual), 0.5f * std::ldexp(0.5f, p == WirePrecision::kBf16 ? -7 : -10))
        << WirePrecisionName(p);
  }
}

// Each stochastic result is one of the value's two bf16 neighbours (the value itself when it is
// representable), NaN and inf survive, and one salt always gives the same bytes.
TEST(WireCodecTest, StochasticBf16GivesANeighbour) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-4.0f, 4.0f);
  std::vector<float> v(1000);
  for (float& x : v) x = u(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 40) - 20);
  v[0] = 1.0f;
  v[1] = -0.5f;
  v[2] = 0.0f;
  v[3] = std::numeric_limits<float>::infinity();
  v[4] = -std::numeric_limits<float>::infinity();
  v[5] = std::numeric_limits<float>::quiet_NaN();
  std::vector<std::uint16_t> a(v.size()), b(v.size());
  EncodeBf16Stochastic(v.data(), v.size(), 42, a.data());
  EncodeBf16Stochastic(v.data(), v.size(), 42, b.data());
  EXPECT_EQ(a, b);
  EncodeBf16Stochastic(v.data(), v.size(), 43, b.data());
  EXPECT_NE(a, b) << "another salt draws other bits";
  for (std::size_t i = 0; i < v.size(); ++i) {
    const float got = Bf16ToFloat(a[i]);
    if (std::isnan(v[i])) {
      EXPECT_TRUE(std::isnan(got));
      continue;
    }
    std::uint32_t bits;
    std::memcpy(&bits, &v[i], sizeof bits);
    const float down = Bf16ToFloat(static_cast<std::uint16_t>(bits >> 16));  // toward zero
    const float up = Bf16ToFloat(static_cast<std::uint16_t>((bits >> 16) + ((bits & 0xffffu) ? 1 : 0)));
    EXPECT_TRUE(got == down || got == up) << i << ": " << v[i] << " -> " << got;
  }
  EXPECT_EQ(Bf16ToFloat(a[0]), 1.0f);
  EXPECT_EQ(Bf16ToFloat(a[1]), -0.5f);
  EXPECT_EQ(Bf16ToFloat(a[2]), 0.0f);
  EXPECT_EQ(Bf16ToFloat(a[3]), std::numeric_limits<float>::infinity());
  EXPECT_EQ(Bf16ToFloat(a[4]), -std::numeric_limits<float>::infinity());
}

// Unbiased: 20000 pushes of the same delta, which bf16 cannot represent, sum to the exact total
// within a few standard deviations of the rounding noise, where round-to-nearest drifts by its
// bias every push (the case error feedback exists for, without its state).
TEST(WireCodecTest, StochasticBf16SumsToTheExactTotal) {
  constexpr int kPushes = 20000;
  const std::vector<float> delta = {1e-3f, -3e-4f, 7.77e-5f, 1.0f + 1.0f / 512, -2.3e-7f};
  std::vector<std::uint16_t> wire(delta.size());
  std::vector<double> stochastic(delta.size(), 0.0), nearest(delta.size(), 0.0);
  for (int k = 0; k < kPushes; ++k) {
    EncodeBf16Stochastic(delta.data(), delta.size(), static_cast<std::uint32_t>(k), wire.data());
    for (std::size_t i = 0; i < delta.size(); ++i) stochastic[i] += Bf16ToFloat(wire[i]);
    for (std::size_t i = 0; i < delta.size(); ++i) nearest[i] += Bf16ToFloat(FloatToBf16(delta[i]));
  }
  for (std::size_t i = 0; i < delta.size(); ++i) {
    const double exact = static_cast<double>(delta[i]) * kPushes;
    // One push errs by less than an ulp (2^-7 relative at most): the sum's sd is below
    // sqrt(kPushes) * ulp / 2; 6 sd is far inside the drift of round to nearest.
    const double ulp = std::ldexp(1.0, std::ilogb(delta[i]) - 7);
    EXPECT_NEAR(stochastic[i], exact, 6 * std::sqrt(static_cast<double>(kPushes)) * ulp / 2) << i;
    if (i == 0) {
      EXPECT_GT(std::fabs(nearest[i] - exact), 10 * std::sqrt(static_cast<double>(kPushes)) * ulp / 2);
    }
  }
}

}  // namespace
}  // namespace item2vec
