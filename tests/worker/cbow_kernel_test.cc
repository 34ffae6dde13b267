// Tests of the CBOW modes of worker/sgns_kernel.h: against a double-precision word2vec.c
// CBOW step (exact sigmoid), and the step against the analytic gradient of the CBOW
// negative-sampling loss checked by finite differences (every row of a group: centre,
// negatives and each context).
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "worker/batch.h"
#include "worker/sgns_kernel.h"
#include "worker/sigmoid_table.h"

namespace item2vec {
namespace {

constexpr int kDim = 10;
constexpr int kNegative = 3;

// Slots 0..4 input rows, 5..10 output rows. Group 0: contexts 0,1,2 (one context twice in
// group 1), centre 5, negatives 6,7,5 (the 5 is the centre: skipped).
Batch CbowBatch(std::uint64_t seed) {
  Batch b;
  b.total_rows = 11;
  b.contexts = {0, 1, 2, /* group 1: */ 3, 4, 3, 0};
  b.negatives = {6, 7, 5, /* group 1: */ 8, 9, 10};
  b.groups = {Group{5, 0, 3, 0, 0.05f}, Group{10, 3, 7, 3, 0.03f}};
  Rng rng(seed);
  b.rows.resize(b.total_rows * kDim);
  for (float& x : b.rows) x = (rng.UniformFloat() - 0.5f) * 0.8f;
  return b;
}

// word2vec.c TrainModelThread, cbow branch, in double with the exact sigmoid:
//   neu1 = sum of syn0[context]; if cbow_mean: neu1 /= cw
//   for d in 0..negative: target (skipped if a negative equals word), label
//     f = neu1 . syn1neg[target]; g = (label - sigmoid(f)) * alpha
//     neu1e += g * syn1neg[target]; syn1neg[target] += g * neu1
//   for each context: syn0[context] += neu1e
std::vector<double> Reference(const Batch& b, bool mean) {
  std::vector<double> rows(b.rows.begin(), b.rows.end());
  auto row = [&](std::uint32_t s) { return rows.data() + static_cast<std::size_t>(s) * kDim; };
  for (const Group& g : b.groups) {
    std::vector<double> neu1(kDim, 0.0), neu1e(kDim, 0.0);
    const std::uint32_t cw = g.ctx_end - g.ctx_begin;
    for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j)
      for (int i = 0; i < kDim; ++i) neu1[i] += row(b.contexts[j])[i];
    if (mean)
      for (double& x : neu1) x /= cw;
    for (int d = 0; d <= kNegative; ++d) {
      const std::uint32_t target = d == 0 ? g.centre : b.negatives[g.neg_begin + d - 1];
      if (d > 0 && target == g.centre) continue;
      const double label = d == 0 ? 1 : 0;
      double f = 0;
      for (int i = 0; i < kDim; ++i) f += neu1[i] * row(target)[i];
      const double grad = (label - 1 / (1 + std::exp(-f))) * g.alpha;
      for (int i = 0; i < kDim; ++i) neu1e[i] += grad * row(target)[i];
      for (int i = 0; i < kDim; ++i) row(target)[i] += grad * neu1[i];
    }
    for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j)
      for (int i = 0; i < kDim; ++i) row(b.contexts[j])[i] += neu1e[i];
  }
  return rows;
}

TEST(CbowKernelTest, MatchesDoublePrecisionWord2vecCbow) {
  const SigmoidTable exact(/*exact=*/true);
  for (bool mean : {true, false}) {
    Batch b = CbowBatch(3);
    const std::vector<double> want = Reference(b, mean);
    SgnsKernel kernel(kDim, kNegative, &exact, KernelKind::kPair, 5, mean ? CbowMode::kMean : CbowMode::kSum);
    const double loss = kernel.Train(&b);
    EXPECT_GT(loss, 0);
    double moved = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_NEAR(b.rows[i], want[i], 2e-6) << (mean ? "mean" : "sum") << " float " << i;
      moved += std::fabs(want[i] - CbowBatch(3).rows[i]);
    }
    EXPECT_GT(moved, 1e-2) << "the step should move the rows";
  }
}

// The CBOW negative-sampling loss of one group, in double, as a function of its rows:
// L = -log s(h.c) - sum_n log s(-h.n), h = mean (or sum) of the contexts.
double GroupLoss(const std::vector<double>& rows, const Batch& b, const Group& g, bool mean) {
  auto row = [&](std::uint32_t s) { return rows.data() + static_cast<std::size_t>(s) * kDim; };
  std::vector<double> h(kDim, 0.0);
  const std::uint32_t cw = g.ctx_end - g.ctx_begin;
  for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j)
    for (int i = 0; i < kDim; ++i) h[i] += row(b.contexts[j])[i];
  if (mean)
    for (double& x : h) x /= cw;
  double loss = 0;
  for (int d = 0; d <= kNegative; ++d) {
    const std::uint32_t target = d == 0 ? g.centre : b.negatives[g.neg_begin + d - 1];
    if (d > 0 && target == g.centre) continue;
    double f = 0;
    for (int i = 0; i < kDim; ++i) f += h[i] * row(target)[i];
    loss += std::log1p(std::exp(d == 0 ? -f : f));
  }
  return loss;
}

// For one group with distinct rows (so word2vec.c's sequential updates are one gradient
// step): each output row moves by -alpha dL/drow; each context row by -alpha dL/drow with
// the sum, and by -alpha * cw * dL/drow with the mean (word2vec.c applies the error of h
// to every context undivided). dL is taken by central finite differences.
TEST(CbowKernelTest, StepIsTheFiniteDifferenceGradient) {
  const SigmoidTable exact(true);
  for (bool mean : {true, false}) {
    Batch b = CbowBatch(9);
    b.groups.resize(1);
    b.negatives = {6, 7, 8};  // distinct, none the centre
    b.contexts.resize(3);
    const Group g = b.groups[0];
    const std::vector<double> before(b.rows.begin(), b.rows.end());
    SgnsKernel kernel(kDim, kNegative, &exact, KernelKind::kPair, 5, mean ? CbowMode::kMean : CbowMode::kSum);
    kernel.Train(&b);
    // A step on a target changes later targets' scores only through h, which it does not
    // change: but the context update uses the targets as they were. Compare at first order.
    const double eps = 1e-6;
    std::vector<std::uint32_t> slots = {0, 1, 2, 5, 6, 7, 8};
    for (std::uint32_t s : slots) {
      const bool context = s < 3;
      const double scale = g.alpha * (context && mean ? 3.0 : 1.0);
      for (int i = 0; i < kDim; ++i) {
        std::vector<double> plus = before, minus = before;
        plus[s * kDim + i] += eps;
        minus[s * kDim + i] -= eps;
        const double grad = (GroupLoss(plus, b, g, mean) - GroupLoss(minus, b, g, mean)) / (2 * eps);
        const double step = b.rows[s * kDim + i] - before[s * kDim + i];
        // Output rows move exactly by the gradient of the rows before; context rows by the
        // error accumulated from the targets before their own update: also exact.
        EXPECT_NEAR(step, -scale * grad, 1e-6 + 1e-4 * std::fabs(scale * grad))
            << (mean ? "mean" : "sum") << " slot " << s << " dim " << i;
      }
    }
  }
}

}  // namespace
}  // namespace item2vec
