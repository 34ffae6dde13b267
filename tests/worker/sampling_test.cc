// Tests of worker/sampling.h: word2vec.c's subsampling formula, the negative sampler's
// distribution and the reduced-window draw.
#include "worker/sampling.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "tests/support/stats_util.h"

namespace item2vec {
namespace {

using testing::ChiSquare;
using testing::ChiSquareCritical;

// word2vec.c, TrainModelThread:
//   real ran = (sqrt(cn / (sample * train_words)) + 1) * (sample * train_words) / cn;
//   if (ran < (next_random & 0xFFFF) / (real)65536) continue;
double Word2VecKeep(double c, double sample, double train_words) {
  const double t = sample * train_words;
  return std::min(1.0, (std::sqrt(c / t) + 1) * t / c);
}

TEST(KeepProbabilitiesTest, MatchesWord2VecFormula) {
  const std::vector<Count> counts = {5000000, 1000000, 123457, 20000, 5000, 1000, 100, 10, 5, 1};
  double total = 0;
  for (Count c : counts) total += static_cast<double>(c);
  for (double sample : {1e-3, 1e-4, 1e-5, 0.3}) {
    const std::vector<float> keep = KeepProbabilities(counts, sample);
    ASSERT_EQ(keep.size(), counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i) {
      const double expected = Word2VecKeep(static_cast<double>(counts[i]), sample, total);
      EXPECT_NEAR(keep[i], expected, 1e-6 * expected) << "sample " << sample << " count " << counts[i];
      EXPECT_LE(keep[i], 1.0f);
      EXPECT_GT(keep[i], 0.0f);
    }
  }
  // The threshold matters: with sample = 1e-5 the head is dropped often, the tail never.
  const std::vector<float> keep = KeepProbabilities(counts, 1e-5);
  EXPECT_LT(keep[0], 0.05f);
  EXPECT_EQ(keep.back(), 1.0f);
  // Monotone: a more frequent item is never kept more often.
  for (std::size_t i = 1; i < keep.size(); ++i) EXPECT_LE(keep[i - 1], keep[i]);
}

TEST(KeepProbabilitiesTest, ExactValueForAKnownCase) {
  // train_words = 1e6, t = 1e-3 * 1e6 = 1000; c = 4000: (sqrt(4) + 1) * 1000 / 4000 = 0.75.
  const std::vector<float> keep = KeepProbabilities({4000, 996000}, 1e-3);
  EXPECT_FLOAT_EQ(keep[0], 0.75f);
  EXPECT_FLOAT_EQ(keep[1], static_cast<float>((std::sqrt(996.0) + 1) * 1000.0 / 996000.0));
  // c = t: (1 + 1) * 1 = 2, capped at 1.
  EXPECT_EQ(KeepProbabilities({1000, 999000}, 1e-3)[0], 1.0f);
}

TEST(KeepProbabilitiesTest, SampleZeroKeepsEverything) {
  const std::vector<Count> counts = {1000000000, 5000, 1};
  for (float k : KeepProbabilities(counts, 0.0)) EXPECT_EQ(k, 1.0f);
  EXPECT_TRUE(KeepProbabilities({}, 1e-3).empty());
}

// Zipf-Mandelbrot counts, sorted descending like vocabulary ids.
std::vector<Count> ZipfCounts(int n, double scale) {
  std::vector<Count> c(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) c[static_cast<std::size_t>(i)] = 1 + static_cast<Count>(scale / (i + 2.0));
  return c;
}

std::vector<double> ExactProbabilities(const std::vector<Count>& counts, double exponent) {
  std::vector<double> p(counts.size());
  double sum = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) sum += p[i] = std::pow(static_cast<double>(counts[i]), exponent);
  for (double& x : p) x /= sum;
  return p;
}

std::vector<std::int64_t> Histogram(const NegativeSampler& sampler, std::uint64_t seed, std::int64_t draws) {
  std::vector<std::int64_t> h(sampler.size(), 0);
  Rng rng(seed);
  for (std::int64_t i = 0; i < draws; ++i) {
    const ItemId id = sampler.Draw(rng);
    if (id >= sampler.size()) {
      ADD_FAILURE() << "draw out of range: " << id;
      return h;
    }
    ++h[id];
  }
  return h;
}

struct SamplerCase {
  int items;
  double exponent;
};

void PrintTo(const SamplerCase& c, std::ostream* os) { *os << c.items << " items, exponent " << c.exponent; }

class NegativeSamplerTest : public ::testing::TestWithParam<SamplerCase> {};

TEST_P(NegativeSamplerTest, ProbabilityMatchesFormula) {
  const auto [items, exponent] = GetParam();
  const std::vector<Count> counts = ZipfCounts(items, 1e6);
  const NegativeSampler sampler(counts, exponent);
  ASSERT_EQ(sampler.size(), counts.size());
  const std::vector<double> p = ExactProbabilities(counts, exponent);
  double sum = 0;
  for (ItemId id = 0; id < counts.size(); ++id) {
    EXPECT_NEAR(sampler.Probability(id), p[id], 1e-12 * p[id] + 1e-300) << "id " << id;
    sum += sampler.Probability(id);
  }
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

TEST_P(NegativeSamplerTest, DrawsFollowTheExactDistribution) {
  const auto [items, exponent] = GetParam();
  const std::vector<Count> counts = ZipfCounts(items, 1e6);
  const NegativeSampler sampler(counts, exponent);
  const std::vector<double> p = ExactProbabilities(counts, exponent);
  const std::int64_t draws = 2000000;
  // Every cell expects at least a few hundred draws, so the chi-square law applies.
  ASSERT_GT(*std::min_element(p.begin(), p.end()) * static_cast<double>(draws), 100.0);
  const std::vector<std::int64_t> h = Histogram(sampler, 20240601 + static_cast<std::uint64_t>(items), draws);
  const double chi2 = ChiSquare(h, p, draws);
  const double critical = ChiSquareCritical(static_cast<double>(items - 1));
  EXPECT_LT(chi2, critical) << "items " << items << " exponent " << exponent;

  // The test has power: the same draws judged against the distribution of a nearby
  // exponent fail clearly (exponent 0 vs 0.75 vs 1 differ a lot on Zipf counts).
  const std::vector<double> other = ExactProbabilities(counts, exponent + 0.1);
  EXPECT_GT(ChiSquare(h, other, draws), 10 * critical);
}

INSTANTIATE_TEST_SUITE_P(Exponents, NegativeSamplerTest,
                         ::testing::Values(SamplerCase{50, 0.75}, SamplerCase{50, 0.0}, SamplerCase{50, 1.0},
                                           SamplerCase{1000, 0.75}, SamplerCase{1000, 0.0},
                                           SamplerCase{1000, 1.0}, SamplerCase{300, -0.5}),
                         [](const ::testing::TestParamInfo<SamplerCase>& info) {
                           const int e = static_cast<int>(std::lround(info.param.exponent * 100));
                           return "V" + std::to_string(info.param.items) + "_exp" +
                                  (e < 0 ? "m" + std::to_string(-e) : std::to_string(e));
                         });

TEST(NegativeSamplerSingleTest, OneItemAlwaysDrawn) {
  const NegativeSampler sampler({42}, 0.75);
  Rng rng(3);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(sampler.Draw(rng), 0u);
  EXPECT_DOUBLE_EQ(sampler.Probability(0), 1.0);
}

TEST(NegativeSamplerSingleTest, SameSeedSameDraws) {
  const NegativeSampler sampler(ZipfCounts(100, 1e4), 0.75);
  Rng a(99), b(99);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(sampler.Draw(a), sampler.Draw(b));
}

TEST(NegativeSamplerSingleTest, DrawManyIsDrawRepeated) {
  // The same ids and the generator left in the same state, for runs shorter and longer than
  // its block; on a view over another sampler's tables too (the node-shared case).
  const NegativeSampler sampler(ZipfCounts(5000, 1e5), 0.75);
  for (std::size_t n : {0, 1, 31, 32, 33, 100, 4096}) {
    Rng a(7 + n), b(7 + n);
    std::vector<ItemId> many(n + 1, 99999);
    sampler.DrawMany(a, many.data(), n);
    for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(many[k], sampler.Draw(b)) << n << " " << k;
    EXPECT_EQ(many[n], 99999u) << "wrote past n";
    EXPECT_EQ(a.Next(), b.Next());
  }
}

TEST(ReducedWindowTest, UniformOverZeroToWindowMinusOne) {
  for (int window : {1, 2, 3, 5, 8, 10}) {
    Rng rng(777 + static_cast<std::uint64_t>(window));
    const std::int64_t draws = 500000;
    std::vector<std::int64_t> h(static_cast<std::size_t>(window), 0);
    std::vector<std::int64_t> effective(static_cast<std::size_t>(window) + 1, 0);
    for (std::int64_t i = 0; i < draws; ++i) {
      const int b = ReducedWindow(rng, window);
      ASSERT_GE(b, 0);
      ASSERT_LT(b, window);
      ++h[static_cast<std::size_t>(b)];
      ++effective[static_cast<std::size_t>(window - b)];
    }
    EXPECT_EQ(effective[0], 0) << "effective window 0 never happens";
    for (int e = 1; e <= window; ++e) EXPECT_GT(effective[static_cast<std::size_t>(e)], 0) << "window " << window;
    if (window == 1) continue;
    const std::vector<double> uniform(static_cast<std::size_t>(window), 1.0 / window);
    EXPECT_LT(ChiSquare(h, uniform, draws), ChiSquareCritical(window - 1.0)) << "window " << window;
  }
}

TEST(ReducedWindowTest, ChiSquareDetectsABiasedDraw) {
  // Guards the statistic itself: draws from 0..w-2 only are far from uniform on 0..w-1.
  Rng rng(5);
  const int window = 5;
  const std::int64_t draws = 100000;
  std::vector<std::int64_t> h(window, 0);
  for (std::int64_t i = 0; i < draws; ++i) ++h[ReducedWindow(rng, window - 1)];
  const std::vector<double> uniform(window, 1.0 / window);
  EXPECT_GT(ChiSquare(h, uniform, draws), ChiSquareCritical(window - 1.0));
}

}  // namespace
}  // namespace item2vec
