// Tests of common/attribute_regression.h: the cold items' ridge regression on attributes
// against a dense double-precision solve of the same normal equations, and what it predicts.
#include "common/attribute_regression.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/side_info.h"
#include "common/side_layout.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::TempDir;
using testing::WriteFile;

// The contract's features of an entity, written out independently: the values (1/m each for
// a column of m values), then the intercept.
std::vector<double> Features(const SideLayout& side, std::size_t entity) {
  std::vector<double> x(side.num_values() + 1, 0.0);
  x.back() = 1;
  for (std::uint32_t p = 0; p < side.NumParts(entity); ++p) {
    const SidePart& part = side.Parts(entity)[p];
    for (std::uint32_t k = part.begin; k < part.end; ++k)
      x[side.Values(entity)[k]] += 1.0 / (part.end - part.begin);
  }
  return x;
}

// Solves a x = b (a dense, symmetric positive definite) by Gaussian elimination.
std::vector<double> Solve(std::vector<std::vector<double>> a, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t r = i + 1; r < n; ++r) {
      const double f = a[r][i] / a[i][i];
      for (std::size_t c = i; c < n; ++c) a[r][c] -= f * a[i][c];
      b[r] -= f * b[i];
    }
  std::vector<double> x(n);
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t c = i + 1; c < n; ++c) s -= a[i][c] * x[c];
    x[i] = s / a[i][i];
  }
  return x;
}

class AttributeRegressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Seven trained items with attributes (a..e, g, h), one without (f), two cold ones (new1, new2).
    WriteFile(dir_.File("items.tsv"),
              "item\tgenres\tshop\n"
              "a\tx|y\ts1\nb\tx\ts2\nc\ty|z\ts1\nd\tz\t\ne\tx|z\ts2\nnew1\tx|y\ts2\nnew2\t\ts1\n"
              "g\t\ts1\nh\ty\ts2\n");
    Result<SideInfo> info = ReadSideInfo(dir_.File("items.tsv"), 10);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    side_ = SideLayout(*info, Vocabulary::FromSorted({"a", "b", "c", "d", "e", "f", "g", "h"}, {9, 8, 7, 6, 5, 4, 3, 2}));
    ASSERT_EQ(side_.cold_items(), (std::vector<std::string>{"new1", "new2"}));
  }
  // Item i's vector: a fixed, non-linear function of (i, j).
  static float Target(std::size_t i, std::size_t j) { return static_cast<float>(std::sin(1.0 + 3.0 * i + 0.7 * j)); }
  // The vocabulary's items with attributes (not f).
  static constexpr ItemId kTrained[] = {0, 1, 2, 3, 4, 6, 7};
  TempDir dir_;
  SideLayout side_;
  static constexpr int kDim = 3;
};

TEST_F(AttributeRegressionTest, MatchesADenseSolveOfTheRidgeNormalEquations) {
  const double lambda = 0.5;
  AttributeRegression regression(side_, kDim, lambda);
  for (ItemId i : kTrained) {
    std::vector<float> y(kDim);
    for (int j = 0; j < kDim; ++j) y[j] = Target(i, j);
    regression.Add(i, y.data());
  }
  EXPECT_EQ(regression.added(), 7u);
  EXPECT_GT(regression.Fit(), 0);
  const std::size_t f = side_.num_values() + 1;
  for (int j = 0; j < kDim; ++j) {
    std::vector<std::vector<double>> a(f, std::vector<double>(f, 0.0));
    std::vector<double> b(f, 0.0);
    for (std::size_t r = 0; r < f; ++r) a[r][r] = lambda;
    for (ItemId i : kTrained) {
      const std::vector<double> x = Features(side_, i);
      for (std::size_t r = 0; r < f; ++r) {
        b[r] += x[r] * Target(i, j);
        for (std::size_t c = 0; c < f; ++c) a[r][c] += x[r] * x[c];
      }
    }
    const std::vector<double> coef = Solve(a, b);
    for (std::size_t entity : {std::size_t{0}, std::size_t{3}, std::size_t{8}, std::size_t{9}}) {  // a, d, new1, new2
      const std::vector<double> x = Features(side_, entity);
      double want = 0;
      for (std::size_t r = 0; r < f; ++r) want += x[r] * coef[r];
      std::vector<float> got(kDim);
      regression.Predict(entity, got.data());
      EXPECT_NEAR(got[j], want, 1e-5) << "entity " << entity << " dimension " << j;
    }
  }
}

TEST_F(AttributeRegressionTest, AColdItemLandsWhereTrainedItemsWithItsAttributesAre) {
  // Vectors that are exactly linear in the features: a tiny penalty recovers the map, so a
  // cold item gets the vector its attributes imply.
  const std::vector<std::vector<double>> coef = {{1, 0, 0}, {0, 2, 0}, {0, 0, 3}, {-1, 1, 0}, {0, -1, 1}, {0.5, 0.5, 0.5}};
  ASSERT_EQ(coef.size(), side_.num_values() + 1);  // x, y, s1, z, s2, intercept
  const auto linear = [&](std::size_t entity, int j) {
    const std::vector<double> x = Features(side_, entity);
    double v = 0;
    for (std::size_t r = 0; r < x.size(); ++r) v += x[r] * coef[r][j];
    return v;
  };
  AttributeRegression regression(side_, kDim, 1e-9);
  for (ItemId i : kTrained) {
    std::vector<float> y(kDim);
    for (int j = 0; j < kDim; ++j) y[j] = static_cast<float>(linear(i, j));
    regression.Add(i, y.data());
  }
  regression.Fit();
  std::vector<float> got(kDim);
  regression.Predict(side_.vocab_size(), got.data());  // new1: x|y, s2
  for (int j = 0; j < kDim; ++j) EXPECT_NEAR(got[j], linear(side_.vocab_size(), j), 1e-3) << j;
}

TEST_F(AttributeRegressionTest, WithoutTrainedItemsPredictsZero) {
  AttributeRegression regression(side_, kDim, 1.0);
  EXPECT_EQ(regression.Fit(), 0);
  std::vector<float> got(kDim, 7.0f);
  regression.Predict(side_.vocab_size(), got.data());
  EXPECT_EQ(got, std::vector<float>(kDim, 0.0f));
}

}  // namespace
}  // namespace item2vec
