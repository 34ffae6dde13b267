// Tests of worker/side_mix.h (EGES's weighted mean and its gradients) against a
// double-precision forward pass differentiated numerically, and of worker/side_batch.h's
// Compose/Expand on a batch whose items share an attribute row.
#include "worker/side_mix.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "common/side_info.h"
#include "common/side_layout.h"
#include "worker/batch.h"
#include "worker/side_batch.h"

namespace item2vec {
namespace {

constexpr int kDim = 7;

// One entity: an id row (optional), 3 columns of logits (plus the id's), two parts: column 0
// with 3 values, column 2 with 1 value (column 1 absent: its logit must get no step).
struct Entity {
  std::vector<double> id, logits, values;  // values: 4 rows
  std::vector<SidePart> parts{{0, 0, 3}, {2, 3, 4}};
  bool has_id = true;
};

// H in double, straight from the contract's formula.
std::vector<double> ForwardDouble(const Entity& e) {
  std::vector<double> w;
  if (e.has_id) w.push_back(std::exp(e.logits[0]));
  for (const SidePart& p : e.parts) w.push_back(std::exp(e.logits[1 + p.column]));
  double sum = 0;
  for (double x : w) sum += x;
  std::vector<double> h(kDim, 0.0);
  std::size_t k = 0;
  if (e.has_id)
    for (int i = 0; i < kDim; ++i) h[i] += w[k] / sum * e.id[i];
  k += e.has_id ? 1 : 0;
  for (const SidePart& p : e.parts) {
    for (std::uint32_t v = p.begin; v < p.end; ++v)
      for (int i = 0; i < kDim; ++i) h[i] += w[k] / sum / (p.end - p.begin) * e.values[v * kDim + i];
    ++k;
  }
  return h;
}

// d(g . H)/dx by central differences in double, for every parameter x of `field`.
std::vector<double> NumericalGradient(Entity e, std::vector<double> Entity::*field, const std::vector<double>& g) {
  std::vector<double> grad((e.*field).size());
  for (std::size_t j = 0; j < grad.size(); ++j) {
    const double x = (e.*field)[j], step = 1e-6;
    (e.*field)[j] = x + step;
    const std::vector<double> hp = ForwardDouble(e);
    (e.*field)[j] = x - step;
    const std::vector<double> hm = ForwardDouble(e);
    (e.*field)[j] = x;
    double d = 0;
    for (int i = 0; i < kDim; ++i) d += g[i] * (hp[i] - hm[i]) / (2 * step);
    grad[j] = d;
  }
  return grad;
}

std::vector<float> ToFloat(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

void CheckGradients(bool has_id) {
  Rng rng(has_id ? 7 : 8);
  auto uniform = [&](std::size_t n, double scale) {
    std::vector<double> v(n);
    for (double& x : v) x = scale * (2.0 * rng.UniformFloat() - 1.0);
    return v;
  };
  Entity e;
  e.has_id = has_id;
  e.id = uniform(kDim, 1.0);
  e.logits = uniform(4, 1.5);
  e.values = uniform(4 * kDim, 1.0);
  const std::vector<double> g = uniform(kDim, 1.0);
  const std::vector<float> id = ToFloat(e.id), logits = ToFloat(e.logits), values = ToFloat(e.values);
  const std::vector<float> dh = ToFloat(g);
  auto value_row = [&](std::uint32_t k) { return values.data() + k * kDim; };
  std::vector<float> s(3), h(kDim), scratch(kDim), logit_step(4, 0.0f);
  SideMixForward(has_id ? id.data() : nullptr, logits.data(), e.parts.data(), 2, value_row, kDim, s.data(), h.data());
  const std::vector<double> h_ref = ForwardDouble(e);
  for (int i = 0; i < kDim; ++i) EXPECT_NEAR(h[i], h_ref[i], 1e-6);
  SideMixLogitSteps(has_id ? id.data() : nullptr, e.parts.data(), 2, value_row, kDim, s.data(), h.data(),
                    dh.data(), scratch.data(), logit_step.data());
  // The logit steps are d(g.H)/da; column 1 has no part and gets nothing.
  const std::vector<double> logit_grad = NumericalGradient(e, &Entity::logits, g);
  for (int c = 0; c < 4; ++c) EXPECT_NEAR(logit_step[c], logit_grad[c], 1e-5) << "logit " << c;
  EXPECT_EQ(logit_step[2], 0.0f);
  if (!has_id) EXPECT_EQ(logit_step[0], 0.0f);
  // The row steps: s_0 dH for the id row, (s / m) dH for each value row.
  if (has_id) {
    const std::vector<double> id_grad = NumericalGradient(e, &Entity::id, g);
    for (int i = 0; i < kDim; ++i) EXPECT_NEAR(s[0] * dh[i], id_grad[i], 1e-6);
  }
  const std::vector<double> value_grad = NumericalGradient(e, &Entity::values, g);
  for (std::uint32_t p = 0; p < 2; ++p)
    for (std::uint32_t v = e.parts[p].begin; v < e.parts[p].end; ++v)
      for (int i = 0; i < kDim; ++i)
        EXPECT_NEAR(SideMixValueScale(e.parts[p], s.data(), p) * dh[i], value_grad[v * kDim + i], 1e-6);
}

TEST(SideMixTest, GradientsMatchDoublePrecisionNumericalGradients) { CheckGradients(/*has_id=*/true); }

TEST(SideMixTest, ColdItemGradientsLeaveTheIdOut) { CheckGradients(/*has_id=*/false); }

// Two items sharing the value "g=a": after Compose their id slots hold H; a change dH of both
// comes back as the id rows' s_0 dH and the shared value row's summed (s / m) dH.
TEST(SideMixTest, BatchMixerSumsTheStepsOfASharedValueRow) {
  SideInfo info;
  info.columns = {"g"};
  info.values = {"g=a", "g=b"};
  info.value_column = {0, 0};
  info.items = {"x", "y"};
  info.item_offsets = {0, 1, 3};
  info.item_values = {0, 0, 1};
  const Vocabulary vocab = Vocabulary::FromSorted({"x", "y"}, {3, 2});
  const SideLayout side(info, vocab);
  ASSERT_EQ(side.KeyCount(), 2u * 2 + 2);
  const int d = 4;
  Batch b;
  // slots: 0 x, 1 y, 2 g=a, 3 g=b, 4 weights x, 5 weights y
  b.side_items = {{0, 0, 4, 0}, {1, 1, 5, 1}};
  b.side_value_slots = {2, 2, 3};
  b.rows.resize(6 * d);
  Rng rng(3);
  for (float& x : b.rows) x = 2.0f * rng.UniformFloat() - 1.0f;
  const std::vector<float> before(b.rows.begin(), b.rows.end());
  SideBatchMixer mixer(&side, d);
  mixer.Compose(&b);
  // H of x: softmax(a_x0, a_x1) over (id x, mean of g=a).
  const float* wx = before.data() + 4 * d;
  const float sx0 = 1.0f / (1.0f + std::exp(wx[1] - wx[0]));
  for (int i = 0; i < d; ++i) EXPECT_NEAR(b.rows[i], sx0 * before[i] + (1 - sx0) * before[2 * d + i], 1e-6);
  const float* wy = before.data() + 5 * d;
  const float sy0 = 1.0f / (1.0f + std::exp(wy[1] - wy[0]));
  const float dh = 0.25f;
  for (int i = 0; i < 2 * d; ++i) b.rows[i] += dh;
  mixer.Expand(&b);
  for (int i = 0; i < d; ++i) {
    EXPECT_NEAR(b.rows[i], before[i] + sx0 * dh, 1e-6);
    EXPECT_NEAR(b.rows[d + i], before[d + i] + sy0 * dh, 1e-6);
    EXPECT_NEAR(b.rows[2 * d + i], before[2 * d + i] + (1 - sx0) * dh + (1 - sy0) / 2 * dh, 1e-6);
    EXPECT_NEAR(b.rows[3 * d + i], before[3 * d + i] + (1 - sy0) / 2 * dh, 1e-6);
  }
  // Only the first 1 + columns floats of a weight row are logits.
  for (int i = 2; i < d; ++i) EXPECT_EQ(b.rows[4 * d + i], before[4 * d + i]);
  EXPECT_NE(b.rows[4 * d], before[4 * d]);
}

}  // namespace
}  // namespace item2vec
