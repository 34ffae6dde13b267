// Tests of worker/sgns_kernel.h against plain double-precision references (word2vec.c's
// SGNS step for kPair, pWord2Vec's HogBatch group step for kHogBatch),
// and of word2vec.c's gradient clipping with the sigmoid table.
#include "worker/sgns_kernel.h"

#include <cmath>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "worker/batch.h"
#include "worker/sigmoid_table.h"

namespace item2vec {
namespace {

struct Reference {
  std::vector<double> rows;
  double exact_loss = 0;  // -log sigmoid, exactly
  double table_loss = 0;  // the same terms through SigmoidTable::LogSigmoid
  int terms = 0;
};

// word2vec.c's skip-gram negative-sampling step, one pair at a time (TrainModelThread):
//   neu1e = 0
//   for d in 0..negative: target = d == 0 ? word : negative draw (skipped if == word)
//     f = syn0[in] . syn1neg[target];  g = (label - sigmoid(f)) * alpha
//     neu1e += g * syn1neg[target];    syn1neg[target] += g * syn0[in]
//   syn0[in] += neu1e
// With shared = true (kShared) every pair of a group takes the group's `negative` negatives.
Reference RunReference(const Batch& b, int dim, int negative, bool skip_centre, const SigmoidTable& table,
                       bool shared = false) {
  Reference ref;
  ref.rows.assign(b.rows.begin(), b.rows.begin() + static_cast<std::ptrdiff_t>(b.total_rows * dim));
  auto row = [&](std::uint32_t slot) { return ref.rows.data() + static_cast<std::size_t>(slot) * dim; };
  std::vector<double> neu1e(static_cast<std::size_t>(dim));
  for (const Group& g : b.groups) {
    const double alpha = g.alpha;
    for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j) {
      double* in = row(b.contexts[j]);
      std::fill(neu1e.begin(), neu1e.end(), 0.0);
      for (int d = 0; d <= negative; ++d) {
        std::uint32_t target;
        double label;
        if (d == 0) {
          target = g.centre;
          label = 1;
        } else {
          const std::uint32_t pair_offset = shared ? 0 : (j - g.ctx_begin) * static_cast<std::uint32_t>(negative);
          target = b.negatives[g.neg_begin + pair_offset + static_cast<std::uint32_t>(d - 1)];
          label = 0;
          if (skip_centre && target == g.centre) continue;
        }
        double* out = row(target);
        double f = 0;
        for (int i = 0; i < dim; ++i) f += in[i] * out[i];
        const double s = 1.0 / (1.0 + std::exp(-f));
        const double grad = (label - s) * alpha;
        const double signed_f = label == 1 ? f : -f;
        ref.exact_loss -= -std::log1p(std::exp(-signed_f));
        ref.table_loss -= table.LogSigmoid(static_cast<float>(signed_f));
        ++ref.terms;
        for (int i = 0; i < dim; ++i) neu1e[static_cast<std::size_t>(i)] += grad * out[i];
        for (int i = 0; i < dim; ++i) out[i] += grad * in[i];
      }
      for (int i = 0; i < dim; ++i) in[i] += neu1e[static_cast<std::size_t>(i)];
    }
  }
  return ref;
}

constexpr int kDim = 8;
constexpr int kNegative = 2;

// Slots 0..2 are input rows (contexts), 3..6 output rows (centres and negatives).
// b with its rows uniform in [-1, 1) from `seed` (kDim floats a row), kept as b.original too.
Batch WithRandomRows(Batch b, std::uint64_t seed) {
  Rng rng(seed);
  b.rows.resize(b.total_rows * kDim);
  for (float& x : b.rows) x = 2.0f * rng.UniformFloat() - 1.0f;
  b.original = b.rows;
  return b;
}

Batch HandBatch(std::uint64_t seed) {
  Batch b;
  b.total_rows = 7;
  b.contexts = {0, 1, /* group 1: */ 2, 0, 1, 1};
  b.negatives = {4, 5, 3, 6,              // group 0; the 3 equals the centre: skipped
                 3, 3, 6, 4, 5, 6, 5, 5};  // group 1; the 4 equals the centre: skipped
  b.groups = {Group{3, 0, 2, 0, 0.1f}, Group{4, 2, 6, 4, 0.05f}};
  return WithRandomRows(std::move(b), seed);
}

template <typename Floats>  // std::vector<float> or a batch's rows
double MaxAbsDiff(const std::vector<double>& a, const Floats& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - static_cast<double>(b[i])));
  return m;
}

// Random groups of 1..max_contexts contexts over 12 slots (input slots 0..5, output slots
// 6..11, as in a real batch; so slots repeat within a group, negatives repeat and equal the
// centre), `negative` negatives per pair (per_pair) or per group, rows uniform in +-0.3.
Batch RandomBatch(std::uint64_t seed, int dim, int negative, int max_contexts, bool per_pair) {
  const std::uint32_t slots = 12;
  Rng rng(seed);
  Batch b;
  b.total_rows = slots;
  for (int g = 0; g < 40; ++g) {
    const int m = 1 + static_cast<int>(rng.Below(static_cast<std::uint32_t>(max_contexts)));
    Group group{slots / 2 + rng.Below(slots / 2), static_cast<std::uint32_t>(b.contexts.size()), 0,
                static_cast<std::uint32_t>(b.negatives.size()), 0.05f};
    for (int j = 0; j < m; ++j) b.contexts.push_back(rng.Below(slots / 2));
    group.ctx_end = static_cast<std::uint32_t>(b.contexts.size());
    for (int k = 0; k < negative * (per_pair ? m : 1); ++k) b.negatives.push_back(slots / 2 + rng.Below(slots / 2));
    b.groups.push_back(group);
  }
  b.rows.resize(b.total_rows * static_cast<std::size_t>(dim));
  for (float& x : b.rows) x = (rng.UniformFloat() - 0.5f) * 0.6f;
  b.original = b.rows;
  return b;
}

// Whether some pair's `negative` negatives name one row twice (not the centre).
bool SomePairRepeatsANegative(const Batch& b, int negative) {
  for (const Group& g : b.groups)
    for (std::uint32_t j = 0; j < g.ctx_end - g.ctx_begin; ++j) {
      const std::uint32_t* n = b.negatives.data() + g.neg_begin + j * static_cast<std::uint32_t>(negative);
      for (int x = 0; x < negative; ++x)
        for (int y = 0; y < x; ++y)
          if (n[x] == n[y] && n[x] != g.centre) return true;
    }
  return false;
}

// The fused or register-blocked kernel and the portable loop of `kind` both train `b` to the
// double-precision reference rows (and move them: the step did something).
void ExpectBothMatch(const Batch& b, KernelKind kind, int dim, int negative, const std::vector<double>& ref) {
  const SigmoidTable exact(/*exact=*/true);
  for (bool blocked : {true, false}) {
    Batch run = b;
    SgnsKernel kernel(dim, negative, &exact, kind, 5, CbowMode::kOff, blocked);
    EXPECT_GT(kernel.Train(&run), 0.0);
    for (std::size_t i = 0; i < ref.size(); ++i)
      ASSERT_NEAR(run.rows[i], ref[i], 2e-5 * std::max(1.0, std::abs(ref[i])))
          << KernelKindName(kind) << " blocked " << blocked << " dim " << dim << " negative " << negative
          << " slot " << i / static_cast<std::size_t>(dim) << " coordinate " << i % static_cast<std::size_t>(dim);
    const std::vector<double> before(b.original.begin(), b.original.end());
    EXPECT_GT(MaxAbsDiff(before, run.rows), 1e-2) << "dim " << dim << " negative " << negative;
  }
}

TEST(SgnsKernelTest, MatchesDoublePrecisionWord2VecStep) {
  const SigmoidTable exact(/*exact=*/true);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Batch b = HandBatch(seed);
    const Reference ref = RunReference(b, kDim, kNegative, /*skip_centre=*/true, exact);
    SgnsKernel kernel(kDim, kNegative, &exact);
    const double loss = kernel.Train(&b);

    for (std::size_t i = 0; i < ref.rows.size(); ++i)
      ASSERT_NEAR(b.rows[i], ref.rows[i], 1e-5 * std::max(1.0, std::abs(ref.rows[i])))
          << "seed " << seed << " slot " << i / kDim << " dim " << i % kDim;
    // The step did something, and the skipped negative matters at this tolerance.
    std::vector<double> before(b.original.begin(), b.original.end());
    EXPECT_GT(MaxAbsDiff(before, b.rows), 1e-2);
    const Reference no_skip = RunReference(HandBatch(seed), kDim, kNegative, /*skip_centre=*/false, exact);
    EXPECT_GT(MaxAbsDiff(no_skip.rows, b.rows), 1e-4);

    // The loss goes through SigmoidTable::LogSigmoid (a 1000-entry table even when the
    // gradient is exact): equal to the reference taken the same way, and within the
    // table's step (12/1000, slope <= 1) of the exact loss.
    // Group 0: 3 + 2 targets (one skip); group 1: 3 + 2 + 3 + 3 (one skip).
    EXPECT_EQ(ref.terms, 16);
    EXPECT_NEAR(loss, ref.table_loss, 1e-5 * std::abs(ref.table_loss));
    EXPECT_NEAR(loss, ref.exact_loss, 0.013 * ref.terms);
  }
}

// Random pairs over a few rows (so negatives repeat within a pair and equal the centre; input
// slots 0..5 and output slots 6..11 apart, as in a real batch) at dimensions that are and are
// not multiples of 8 and negative counts of one, one and two target blocks of the fused pair
// kernel (worker/pair_block.h): word2vec.c's step, as the double-precision reference takes it,
// for the fused kernel and the portable loop alike.
TEST(SgnsKernelTest, PairBlockedShapesMatchWord2VecStep) {
  const SigmoidTable exact(/*exact=*/true);
  for (int dim : {5, 13, 64, 67}) {
    for (int negative : {1, 5, 8, 12}) {
      const Batch b = RandomBatch(static_cast<std::uint64_t>(dim * 100 + negative), dim, negative, 10, true);
      if (negative > 1) {
        ASSERT_TRUE(SomePairRepeatsANegative(b, negative));
      }
      ExpectBothMatch(b, KernelKind::kPair, dim, negative, RunReference(b, dim, negative, true, exact).rows);
    }
  }
}

std::vector<double> RunHogBatchReference(const Batch& b, int dim, int negative, bool sequential);

// kShared: a group's contexts share its negatives and update pair by pair in word2vec.c's
// order, so every score sees the updates of the pairs before it. Random groups over a few rows
// (repeated contexts, a negative drawn twice, the centre drawn as a negative) at dimensions
// and negative counts of one and two target blocks: the fused kernel and the portable loop
// against the double-precision sequential reference, and far from HogBatch's simultaneous step.
TEST(SgnsKernelTest, SharedMatchesSequentialReference) {
  const SigmoidTable exact(/*exact=*/true);
  for (int dim : {5, 13, 64, 67}) {
    for (int negative : {1, 5, 8, 12}) {
      const Batch b = RandomBatch(static_cast<std::uint64_t>(dim * 31 + negative), dim, negative, 4, false);
      const Reference ref = RunReference(b, dim, negative, /*skip_centre=*/true, exact, /*shared=*/true);
      const std::vector<double> simultaneous = RunHogBatchReference(b, dim, negative, /*sequential=*/false);
      EXPECT_GT(MaxAbsDiff(simultaneous, std::vector<float>(ref.rows.begin(), ref.rows.end())), 1e-3);
      ExpectBothMatch(b, KernelKind::kShared, dim, negative, ref.rows);
    }
  }
}

// pWord2Vec's HogBatch step for one group, in double precision: every score from the
// rows as they were before the group, then each target row moves by sum_j g[j][t] * in_j
// and each context row by sum_t g[j][t] * out_t (a negative equal to the centre is
// skipped; repeated slots accumulate). `sequential` instead updates pair by pair with
// fresh rows (word2vec.c's order), the gradient a HogBatch kernel must not compute.
std::vector<double> RunHogBatchReference(const Batch& b, int dim, int negative, bool sequential) {
  std::vector<double> rows(b.rows.begin(), b.rows.begin() + static_cast<std::ptrdiff_t>(b.total_rows * dim));
  auto row = [&](std::uint32_t slot) { return rows.data() + static_cast<std::size_t>(slot) * dim; };
  const int targets = negative + 1;
  for (const Group& g : b.groups) {
    const int m = static_cast<int>(g.ctx_end - g.ctx_begin);
    auto target = [&](int t) { return t == 0 ? g.centre : b.negatives[g.neg_begin + static_cast<std::uint32_t>(t - 1)]; };
    const std::vector<double> old = rows;
    auto old_row = [&](std::uint32_t slot) { return old.data() + static_cast<std::size_t>(slot) * dim; };
    for (int j = 0; j < m; ++j) {
      const std::uint32_t c = b.contexts[g.ctx_begin + static_cast<std::uint32_t>(j)];
      for (int t = 0; t < targets; ++t) {
        if (t > 0 && target(t) == g.centre) continue;
        const double* in = sequential ? row(c) : old_row(c);
        const double* out = sequential ? row(target(t)) : old_row(target(t));
        double f = 0;
        for (int i = 0; i < dim; ++i) f += in[i] * out[i];
        const double grad = ((t == 0 ? 1.0 : 0.0) - 1.0 / (1.0 + std::exp(-f))) * g.alpha;
        std::vector<double> in_copy(in, in + dim);
        for (int i = 0; i < dim; ++i) row(c)[i] += grad * out[i];
        for (int i = 0; i < dim; ++i) row(target(t))[i] += grad * in_copy[static_cast<std::size_t>(i)];
      }
    }
  }
  return rows;
}

// Two groups with shared negatives: a repeated context slot, a repeated negative and a
// negative equal to the centre (skipped).
Batch HogBatchBatch(std::uint64_t seed) {
  Batch b;
  b.total_rows = 7;
  b.contexts = {0, 1, /* group 1: */ 2, 0, 1, 1};
  b.negatives = {6, 3,   // group 0 (centre 3): the 3 is skipped
                 5, 5};  // group 1 (centre 4): 5 twice
  b.groups = {Group{3, 0, 2, 0, 0.1f}, Group{4, 2, 6, 2, 0.05f}};
  return WithRandomRows(std::move(b), seed);
}

TEST(SgnsKernelTest, HogBatchMatchesDoublePrecisionReference) {
  const SigmoidTable exact(/*exact=*/true);
  for (std::uint64_t seed : {4u, 5u, 6u}) {
    Batch b = HogBatchBatch(seed);
    const std::vector<double> ref = RunHogBatchReference(b, kDim, kNegative, /*sequential=*/false);
    SgnsKernel kernel(kDim, kNegative, &exact, KernelKind::kHogBatch, /*max_window=*/2);
    const double loss = kernel.Train(&b);
    for (std::size_t i = 0; i < ref.size(); ++i)
      ASSERT_NEAR(b.rows[i], ref[i], 1e-5 * std::max(1.0, std::abs(ref[i])))
          << "seed " << seed << " slot " << i / kDim << " dim " << i % kDim;
    EXPECT_GT(loss, 0.0);
    // The tolerance tells a wrong gradient apart: the step moved the rows, and the
    // sequential (pair-by-pair) gradient lands elsewhere.
    const std::vector<double> before(b.original.begin(), b.original.end());
    EXPECT_GT(MaxAbsDiff(before, b.rows), 1e-2);
    const std::vector<double> sequential = RunHogBatchReference(HogBatchBatch(seed), kDim, kNegative, true);
    EXPECT_GT(MaxAbsDiff(sequential, b.rows), 1e-4);
  }
}

// Random groups over a few rows (so slots repeat within a group; input slots 0..5 and
// output slots 6..11 apart, as in a real batch) at dimensions that are
// and are not multiples of 8 and negative counts of one, one and two target blocks of the
// register-blocked kernel (worker/hogbatch_block.h): the same step as the reference.
TEST(SgnsKernelTest, HogBatchBlockedShapesMatchReference) {
  for (int dim : {5, 13, 64, 67}) {
    for (int negative : {1, 5, 7, 12}) {
      const Batch b = RandomBatch(static_cast<std::uint64_t>(dim * 100 + negative), dim, negative, 10, false);
      ExpectBothMatch(b, KernelKind::kHogBatch, dim, negative, RunHogBatchReference(b, dim, negative, false));
    }
  }
}

// The blocked kernel with word2vec.c's 1000-entry table (one and two target blocks) against
// the portable loop with the same table: rows large enough that
// scores run past the clipping range of +-6 on both sides, and output slots few enough that
// groups draw their centre as a negative. The two sum their dot products in other orders, so
// a score next to a table boundary may take the neighbouring entry (one step, 0.012 of
// sigmoid's slope): rows agree to 1e-3 where a wrong label, clip or mask moves them by 0.05.
TEST(SgnsKernelTest, HogBatchBlockedTableGradientsMatchLoop) {
  const SigmoidTable table;
  for (int dim : {13, 64}) {
    for (int negative : {1, 5, 7, 12}) {
      const std::uint32_t slots = 12;
      Rng rng(static_cast<std::uint64_t>(dim * 1000 + negative));
      Batch b;
      b.total_rows = slots;
      int centre_drawn = 0;
      for (int g = 0; g < 60; ++g) {
        const int m = 1 + static_cast<int>(rng.Below(4));
        Group group{slots / 2 + rng.Below(slots / 2), static_cast<std::uint32_t>(b.contexts.size()), 0,
                    static_cast<std::uint32_t>(b.negatives.size()), 0.05f};
        for (int j = 0; j < m; ++j) b.contexts.push_back(rng.Below(slots / 2));
        group.ctx_end = static_cast<std::uint32_t>(b.contexts.size());
        for (int k = 0; k < negative; ++k) {
          b.negatives.push_back(slots / 2 + rng.Below(slots / 2));
          centre_drawn += b.negatives.back() == group.centre;
        }
        b.groups.push_back(group);
      }
      ASSERT_GT(centre_drawn, 0);
      b.rows.resize(b.total_rows * static_cast<std::size_t>(dim));
      // Uniform in +-spread: a score's standard deviation is 4.
      const float spread = std::sqrt(12.0f / std::sqrt(static_cast<float>(dim)));
      for (float& x : b.rows) x = (rng.UniformFloat() - 0.5f) * 2 * spread;
      // Output slot 6 points away from input slot 0 and output slot 7 along input slot 1:
      // scores far below -6 and far above 6 wherever those meet.
      const std::size_t sd = static_cast<std::size_t>(dim);
      for (std::size_t x = 0; x < sd; ++x) {
        b.rows[6 * sd + x] = -b.rows[0 * sd + x];
        b.rows[7 * sd + x] = b.rows[1 * sd + x];
      }
      b.original = b.rows;
      int above = 0, below = 0;  // first scores beyond the table's range
      for (const Group& g : b.groups)
        for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j)
          for (int t = 0; t <= negative; ++t) {
            const std::uint32_t target = t == 0 ? g.centre : b.negatives[g.neg_begin + static_cast<std::uint32_t>(t) - 1];
            double f = 0;
            for (int x = 0; x < dim; ++x)
              f += static_cast<double>(b.rows[b.contexts[j] * static_cast<std::size_t>(dim) + static_cast<std::size_t>(x)]) *
                   b.rows[target * static_cast<std::size_t>(dim) + static_cast<std::size_t>(x)];
            above += f > 6;
            below += f < -6;
          }
      ASSERT_GT(above, 0);
      ASSERT_GT(below, 0);
      Batch blocked = b, loop = b;
      SgnsKernel fast(dim, negative, &table, KernelKind::kHogBatch, 4, CbowMode::kOff, /*blocked=*/true);
      SgnsKernel portable(dim, negative, &table, KernelKind::kHogBatch, 4, CbowMode::kOff, /*blocked=*/false);
      const double fast_loss = fast.Train(&blocked), loop_loss = portable.Train(&loop);
      EXPECT_NEAR(fast_loss, loop_loss, 1e-4 * loop_loss) << "dim " << dim << " negative " << negative;
      for (std::size_t i = 0; i < b.rows.size(); ++i)
        ASSERT_NEAR(blocked.rows[i], loop.rows[i], 1e-3)
            << "dim " << dim << " negative " << negative << " slot " << i / dim << " coordinate " << i % dim;
      std::vector<double> before(b.original.begin(), b.original.end());
      EXPECT_GT(MaxAbsDiff(before, blocked.rows), 0.05) << "dim " << dim << " negative " << negative;
    }
  }
}

TEST(SgnsKernelTest, EmptyBatchDoesNothing) {
  const SigmoidTable table;
  Batch b = HandBatch(9);
  b.groups.clear();
  const auto before = b.rows;
  SgnsKernel kernel(kDim, kNegative, &table);
  EXPECT_EQ(kernel.Train(&b), 0.0);
  EXPECT_EQ(b.rows, before);
}

// One pair with f = in.centre = -7 and f = in.negative = +7: outside the table.
Batch ClippingBatch() {
  Batch b;
  b.total_rows = 3;
  b.contexts = {0};
  b.negatives = {2};
  b.groups = {Group{1, 0, 1, 0, 0.1f}};
  b.rows.assign(3 * kDim, 0.0f);
  b.rows[0 * kDim + 0] = 1.0f;  // in
  b.rows[0 * kDim + 1] = 0.5f;
  b.rows[1 * kDim + 0] = -7.0f;  // centre: f = -7
  b.rows[2 * kDim + 0] = 7.0f;   // negative: f = +7
  b.original = b.rows;
  return b;
}

TEST(SgnsKernelTest, TableSigmoidClipsLikeWord2Vec) {
  const SigmoidTable table(/*exact=*/false);
  Batch b = ClippingBatch();
  SgnsKernel kernel(kDim, /*negative=*/1, &table);
  kernel.Train(&b);
  // word2vec.c: f < -MAX_EXP gives g = (label - 0) * alpha = alpha for the positive;
  // f > MAX_EXP gives g = (label - 1) * alpha = -alpha for the negative.
  const float alpha = 0.1f;
  EXPECT_FLOAT_EQ(b.rows[1 * kDim + 0], -7.0f + alpha * 1.0f);   // centre += g * in
  EXPECT_FLOAT_EQ(b.rows[1 * kDim + 1], alpha * 0.5f);
  EXPECT_FLOAT_EQ(b.rows[2 * kDim + 0], 7.0f - alpha * 1.0f);    // negative += g * in
  EXPECT_FLOAT_EQ(b.rows[2 * kDim + 1], -alpha * 0.5f);
  EXPECT_FLOAT_EQ(b.rows[0 * kDim + 0], 1.0f + alpha * -7.0f - alpha * 7.0f);  // in += sum g * target
  EXPECT_FLOAT_EQ(b.rows[0 * kDim + 1], 0.5f);

  // The exact sigmoid does not clip: sigmoid(7) = 0.99909, so the rows differ.
  const SigmoidTable exact(/*exact=*/true);
  Batch e = ClippingBatch();
  SgnsKernel exact_kernel(kDim, 1, &exact);
  exact_kernel.Train(&e);
  const double s7 = 1.0 / (1.0 + std::exp(-7.0));
  EXPECT_NEAR(e.rows[0], 1.0 - 2 * 0.1 * 7.0 * s7, 1e-6);
  EXPECT_GT(std::abs(e.rows[0] - b.rows[0]), 1e-3);
}

TEST(SigmoidTableTest, GradientClippingAndAccuracy) {
  const SigmoidTable table(false), exact(true);
  const float alpha = 0.025f;
  EXPECT_EQ(table.Gradient(6.5f, 1, alpha), 0.0f);
  EXPECT_EQ(table.Gradient(6.5f, 0, alpha), -alpha);
  EXPECT_EQ(table.Gradient(-6.5f, 1, alpha), alpha);
  EXPECT_EQ(table.Gradient(-6.5f, 0, alpha), 0.0f);
  EXPECT_NE(exact.Gradient(6.5f, 0, alpha), -alpha);
  for (float x = -5.99f; x < 6.0f; x += 0.0137f) {
    const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
    // The table is 1000 steps of 0.012 over [-6, 6]; sigmoid's slope is at most 1/4.
    EXPECT_NEAR(table.Sigmoid(x), s, 0.012 / 4 + 1e-6) << x;
    EXPECT_NEAR(table.Gradient(x, 1, alpha), (1 - s) * alpha, alpha * (0.012 / 4 + 1e-6)) << x;
    EXPECT_NEAR(exact.Gradient(x, 1, alpha), (1 - s) * alpha, 1e-6) << x;
    EXPECT_NEAR(table.LogSigmoid(x), -std::log1p(std::exp(-static_cast<double>(x))), 0.012 + 1e-6) << x;
  }
}

// Event weights scale a group's rate (worker/batch_builder.h): a weight-2 centre's group at
// 2 alpha moves every row as two weight-1 steps would, to first order (the rows change by
// 2 x the weight-1 change, up to terms of order alpha^2), in every kernel and in CBOW.
TEST(SgnsKernelTest, DoubledGroupRateMovesRowsTwiceAsFar) {
  const SigmoidTable exact(/*exact=*/true);
  struct Case {
    KernelKind kind;
    CbowMode cbow;
  };
  for (const Case c : {Case{KernelKind::kPair, CbowMode::kOff}, Case{KernelKind::kShared, CbowMode::kOff},
                       Case{KernelKind::kHogBatch, CbowMode::kOff}, Case{KernelKind::kShared, CbowMode::kMean}}) {
    Batch base = RandomBatch(31, kDim, kNegative, 4, c.kind == KernelKind::kPair);
    base.groups.resize(1);
    Batch one = base, two = base;
    one.groups[0].alpha = 1e-3f;
    two.groups[0].alpha = 2e-3f;
    SgnsKernel k1(kDim, kNegative, &exact, c.kind, 5, c.cbow), k2(kDim, kNegative, &exact, c.kind, 5, c.cbow);
    k1.Train(&one);
    k2.Train(&two);
    double largest = 0, off = 0;
    for (std::size_t i = 0; i < base.rows.size(); ++i) {
      const double d1 = static_cast<double>(one.rows[i]) - base.rows[i], d2 = static_cast<double>(two.rows[i]) - base.rows[i];
      largest = std::max(largest, std::abs(d2));
      off = std::max(off, std::abs(d2 - 2 * d1));
    }
    EXPECT_GT(largest, 1e-5) << "kernel " << static_cast<int>(c.kind) << " cbow " << static_cast<int>(c.cbow);
    EXPECT_LT(off, 0.01 * largest) << "kernel " << static_cast<int>(c.kind) << " cbow " << static_cast<int>(c.cbow);
  }
}

}  // namespace
}  // namespace item2vec
