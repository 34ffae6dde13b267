// Tests of common/wire_codec.h: exact round trips of representable values, round to nearest
// even, fp16's range (saturation, subnormals), in-place encoding, and error feedback: over
// many small pushes the decoded sum plus the residual is the exact total, where plain rounding
// loses the updates; and bf16 stochastic rounding: always a neighbour, unbiased on average,
// the same bytes for the same salt; int8 and int4 rows: the layout, the round trip's error
// bound, a neighbour for every stochastic value and unbiased sums.
#include "common/wire_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

constexpr WirePrecision kLean[] = {WirePrecision::kBf16, WirePrecision::kFp16};

TEST(WireCodecTest, NamesRoundTrip) {
  for (WirePrecision p : {WirePrecision::kFp32, WirePrecision::kBf16, WirePrecision::kFp16, WirePrecision::kInt8,
                          WirePrecision::kInt4, WirePrecision::kInt4Int8}) {
    WirePrecision q = WirePrecision::kFp32;
    ASSERT_TRUE(ParseWirePrecision(WirePrecisionName(p), &q));
    EXPECT_EQ(q, p);
  }
  WirePrecision q;
  EXPECT_FALSE(ParseWirePrecision("fp8", &q));
  EXPECT_EQ(WireBytesPerValue(WirePrecision::kFp32), 4u);
  EXPECT_EQ(WireBytesPerValue(WirePrecision::kBf16), 2u);
  EXPECT_EQ(WireRowBytes(WirePrecision::kBf16, 100), 200u);
  EXPECT_EQ(WireRowBytes(WirePrecision::kInt8, 100), 104u);
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

// Random rows of assorted magnitudes (row 3 all zero).
std::vector<float> Int8TestRows(std::size_t rows, std::size_t d) {
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(rows * d);
  for (std::size_t r = 0; r < rows; ++r) {
    const float magnitude = std::ldexp(1.0f, static_cast<int>(r % 30) - 20);
    for (std::size_t i = 0; i < d; ++i) v[r * d + i] = r == 3 ? 0.0f : g(rng) * magnitude;
  }
  return v;
}

float MaxAbs(const float* row, std::size_t d) {
  float m = 0;
  for (std::size_t i = 0; i < d; ++i) m = std::max(m, std::fabs(row[i]));
  return m;
}

// The integer formats' steps each side of zero.
float Levels(WirePrecision p) { return p == WirePrecision::kInt8 ? 127.0f : 7.0f; }
constexpr WirePrecision kIntFormats[] = {WirePrecision::kInt8, WirePrecision::kInt4};

// The layout (scale, then the values), the nearest rounding's bound max|row| / (2 levels) (plus
// a float rounding), the row's largest value exact up to float rounding, zero rows exact, NaN
// rows NaN.
TEST(WireCodecTest, IntRowsRoundTripWithinHalfAStep) {
  constexpr std::size_t kRows = 64, kD = 101;  // odd: int4's last byte holds one value
  const std::vector<float> v = Int8TestRows(kRows, kD);
  EXPECT_EQ(WireRowBytes(WirePrecision::kInt4, 100), 54u);
  EXPECT_EQ(WireRowBytes(WirePrecision::kInt4, kD), 55u);
  EXPECT_EQ(PullWire(WirePrecision::kInt4Int8), WirePrecision::kInt4);
  EXPECT_EQ(PushWire(WirePrecision::kInt4Int8), WirePrecision::kInt8);
  for (WirePrecision p : kIntFormats) {
    SCOPED_TRACE(std::string(WirePrecisionName(p)));
    const std::size_t row_bytes = WireRowBytes(p, kD);
    std::vector<unsigned char> wire(kRows * row_bytes);
    std::vector<float> back(v.size());
    EncodeWireRows(p, v.data(), kRows, kD, wire.data());
    DecodeWireRows(p, wire.data(), kRows, kD, back.data());
    for (std::size_t r = 0; r < kRows; ++r) {
      const float m = MaxAbs(v.data() + r * kD, kD);
      float scale;
      std::memcpy(&scale, wire.data() + r * row_bytes, sizeof scale);
      EXPECT_FLOAT_EQ(scale, m / Levels(p)) << r;
      for (std::size_t i = 0; i < kD; ++i) {
        const float x = v[r * kD + i], y = back[r * kD + i];
        EXPECT_LE(std::fabs(x - y), m / (2 * Levels(p)) * (1 + 1e-5f)) << r << "," << i;
        if (std::fabs(x) == m) {
          EXPECT_NEAR(y, x, m * 1e-6f) << r;
        }
      }
    }
    for (std::size_t i = 0; i < kD; ++i) EXPECT_EQ(back[3 * kD + i], 0.0f);
    // A NaN or an infinity makes the whole row NaN; the other rows are untouched.
    std::vector<float> bad(v.begin(), v.begin() + 2 * kD);
    bad[7] = std::numeric_limits<float>::infinity();
    EncodeWireRows(p, bad.data(), 2, kD, wire.data());
    DecodeWireRows(p, wire.data(), 2, kD, back.data());
    for (std::size_t i = 0; i < kD; ++i) EXPECT_TRUE(std::isnan(back[i])) << i;
    for (std::size_t i = kD; i < 2 * kD; ++i)
      EXPECT_NEAR(back[i], bad[i], MaxAbs(bad.data() + kD, kD) / (2 * Levels(p)) * 1.0001f);
  }
  // The float precisions' row functions are their per-value functions.
  std::vector<std::uint16_t> rows16(v.size()), values16(v.size());
  EncodeWireRows(WirePrecision::kBf16, v.data(), kRows, kD, rows16.data());
  EncodeWire(WirePrecision::kBf16, v.data(), v.size(), values16.data());
  EXPECT_EQ(rows16, values16);
}

// Each stochastic value is one of its two neighbouring steps (the exact value when it is a
// step), the same salt gives the same bytes, another salt others.
TEST(WireCodecTest, StochasticIntGivesANeighbour) {
  constexpr std::size_t kRows = 32, kD = 101;
  std::vector<float> v = Int8TestRows(kRows, kD);
  for (WirePrecision p : kIntFormats) {
    SCOPED_TRACE(std::string(WirePrecisionName(p)));
    const std::size_t bytes = kRows * WireRowBytes(p, kD);
    std::vector<unsigned char> a(bytes), b(bytes);
    EncodeIntStochastic(p, v.data(), kRows, kD, 42, a.data());
    EncodeIntStochastic(p, v.data(), kRows, kD, 42, b.data());
    EXPECT_EQ(a, b);
    EncodeIntStochastic(p, v.data(), kRows, kD, 43, b.data());
    EXPECT_NE(a, b) << "another salt draws other bits";
    std::vector<float> back(v.size());
    DecodeWireRows(p, a.data(), kRows, kD, back.data());
    for (std::size_t r = 0; r < kRows; ++r) {
      const float step = MaxAbs(v.data() + r * kD, kD) / Levels(p);
      for (std::size_t i = 0; i < kD; ++i) {
        const float x = v[r * kD + i], y = back[r * kD + i];
        if (step == 0) {
          EXPECT_EQ(y, 0.0f);
          continue;
        }
        const float down = std::floor(x / step) * step, up = std::ceil(x / step) * step;
        EXPECT_TRUE(std::fabs(y - down) <= step * 1e-4f || std::fabs(y - up) <= step * 1e-4f)
            << r << "," << i << ": " << x << " -> " << y << " (step " << step << ")";
      }
    }
  }
}

// Unbiased: 20000 pushes of the same row sum to the exact totals within a few standard
// deviations of the rounding noise (one push errs by less than a step, max|row| / levels), where
// rounding to nearest drifts by its bias every push.
TEST(WireCodecTest, StochasticIntSumsToTheExactTotal) {
  constexpr int kPushes = 20000;
  for (WirePrecision p : kIntFormats) {
    SCOPED_TRACE(std::string(WirePrecisionName(p)));
    const float step = 1e-3f / Levels(p);
    const std::vector<float> delta = {1e-3f, -3.3e-4f, 7.77e-5f, 2.5e-6f, -4.4e-4f, 0.0f, 0.4f * step};
    const std::size_t d = delta.size();
    std::vector<unsigned char> wire(WireRowBytes(p, d));
    std::vector<float> back(d);
    std::vector<double> stochastic(d, 0.0), nearest(d, 0.0);
    for (int k = 0; k < kPushes; ++k) {
      EncodeIntStochastic(p, delta.data(), 1, d, static_cast<std::uint32_t>(k), wire.data());
      DecodeWireRows(p, wire.data(), 1, d, back.data());
      for (std::size_t i = 0; i < d; ++i) stochastic[i] += back[i];
      EncodeWireRows(p, delta.data(), 1, d, wire.data());
      DecodeWireRows(p, wire.data(), 1, d, back.data());
      for (std::size_t i = 0; i < d; ++i) nearest[i] += back[i];
    }
    const double sd = std::sqrt(static_cast<double>(kPushes)) * step / 2;
    for (std::size_t i = 0; i < d; ++i) {
      const double exact = static_cast<double>(delta[i]) * kPushes;
      EXPECT_NEAR(stochastic[i], exact, 6 * sd) << i;
    }
    // The last value is 0.4 of a step: nearest rounding sends 0 every time.
    EXPECT_EQ(nearest[d - 1], 0.0);
    EXPECT_GT(std::fabs(stochastic[d - 1] - nearest[d - 1]), 10 * sd);
  }
}

}  // namespace
}  // namespace item2vec
