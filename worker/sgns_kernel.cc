#include "worker/sgns_kernel.h"

#include <cstring>

#include "common/prefetch.h"

namespace item2vec {
namespace {

// Compiled twice: AVX2+FMA and baseline; the loader picks one (GCC target_clones).
#define ITEM2VEC_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))

ITEM2VEC_VECTOR_CLONES float Dot(const float* __restrict a, const float* __restrict b, int n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y += g * x
ITEM2VEC_VECTOR_CLONES void Axpy(float g, const float* __restrict x, float* __restrict y, int n) {
#pragma omp simd
  for (int i = 0; i < n; ++i) y[i] += g * x[i];
}


}  // namespace

double SgnsKernel::Train(Batch* batch) {
  if (cbow_ != CbowMode::kOff) return TrainCbow(batch, /*mean=*/cbow_ == CbowMode::kMean);
  switch (mode_) {
    case KernelKind::kHogBatch: return TrainHogBatch(batch);
    case KernelKind::kShared: return TrainPairs(batch, /*shared=*/true);
    case KernelKind::kPair: break;
  }
  return TrainPairs(batch, /*shared=*/false);
}

double SgnsKernel::TrainCbow(Batch* batch, bool mean) {
  const int d = dim_;
  float* const rows = batch->rows.data();
  float* __restrict neu1 = neu1_.data();
  float* __restrict neu1e = neu1e_.data();
  const std::uint32_t* contexts = batch->contexts.data();
  const std::uint32_t* negatives = batch->negatives.data();
  double loss = 0;
  for (const Group& g : batch->groups) {
    const std::uint32_t* ctx = contexts + g.ctx_begin;
    const int m = static_cast<int>(g.ctx_end - g.ctx_begin);
    std::memset(neu1, 0, sizeof(float) * static_cast<std::size_t>(d));
    std::memset(neu1e, 0, sizeof(float) * static_cast<std::size_t>(d));
    for (int j = 0; j < m; ++j) Axpy(1.0f, rows + static_cast<std::size_t>(ctx[j]) * d, neu1, d);
    if (mean) {
      const float inv = 1.0f / static_cast<float>(m);
      for (int i = 0; i < d; ++i) neu1[i] *= inv;
    }
    const std::uint32_t* neg = negatives + g.neg_begin;
    for (int t = 0; t <= negative_; ++t) {
      const std::uint32_t target = t == 0 ? g.centre : neg[t - 1];
      if (t > 0 && target == g.centre) continue;
      float* const out = rows + static_cast<std::size_t>(target) * d;
      const float f = Dot(neu1, out, d);
      const float label = t == 0 ? 1.0f : 0.0f;
      const float grad = sigmoid_->Gradient(f, label, g.alpha);
      loss -= sigmoid_->LogSigmoid(t == 0 ? f : -f);
      Axpy(grad, out, neu1e, d);
      Axpy(grad, neu1, out, d);
    }
    for (int j = 0; j < m; ++j) Axpy(1.0f, neu1e, rows + static_cast<std::size_t>(ctx[j]) * d, d);
  }
  return loss;
}

double SgnsKernel::TrainPairs(Batch* batch, bool shared) {
  if (blocked_)
    return PairsBlocked(batch->rows.data(), batch->groups.data(), batch->groups.size(), batch->contexts.data(),
                        batch->negatives.data(), dim_, negative_, shared, *sigmoid_, block_scratch_.data(),
                        target_rows_.data());
  const int d = dim_;
  const int stride = shared ? 0 : negative_;  // from one pair's negatives to the next pair's
  float* const rows = batch->rows.data();
  float* __restrict neu1e = neu1e_.data();
  const std::uint32_t* contexts = batch->contexts.data();
  const std::uint32_t* negatives = batch->negatives.data();
  const std::uint32_t* const negatives_end = negatives + batch->negatives.size();
  const std::size_t row_bytes = static_cast<std::size_t>(d) * sizeof(float);
  double loss = 0;
  for (const Group& g : batch->groups) {
    float* const centre = rows + static_cast<std::size_t>(g.centre) * d;
    const float alpha = g.alpha;
    const std::uint32_t* neg = negatives + g.neg_begin;
    for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j, neg += stride) {
      // The rows of the next pair are random accesses into the batch: fetch them now.
      if (!shared && neg + 2 * negative_ <= negatives_end)
        for (int k = 0; k < negative_; ++k)
          PrefetchForWrite(rows + static_cast<std::size_t>(neg[negative_ + k]) * d, row_bytes);
      float* const in = rows + static_cast<std::size_t>(contexts[j]) * d;
      std::memset(neu1e, 0, sizeof(float) * static_cast<std::size_t>(d));
      // Positive target.
      float f = Dot(in, centre, d);
      float grad = sigmoid_->Gradient(f, 1.0f, alpha);
      loss -= sigmoid_->LogSigmoid(f);
      Axpy(grad, centre, neu1e, d);
      Axpy(grad, in, centre, d);
      for (int k = 0; k < negative_; ++k) {
        if (neg[k] == g.centre) continue;
        float* const out = rows + static_cast<std::size_t>(neg[k]) * d;
        f = Dot(in, out, d);
        grad = sigmoid_->Gradient(f, 0.0f, alpha);
        loss -= sigmoid_->LogSigmoid(-f);
        Axpy(grad, out, neu1e, d);
        Axpy(grad, in, out, d);
      }
      Axpy(1.0f, neu1e, in, d);
    }
  }
  return loss;
}

double SgnsKernel::TrainHogBatch(Batch* batch) {
  if (blocked_)
    return HogBatchBlocked(batch->rows.data(), batch->groups.data(), batch->groups.size(), batch->contexts.data(),
                           batch->negatives.data(), dim_, negative_, *sigmoid_, block_scratch_.data(),
                           block_pointers_.data());
  const int d = dim_;
  const int targets = negative_ + 1;
  float* const rows = batch->rows.data();
  const std::uint32_t* contexts = batch->contexts.data();
  const std::uint32_t* negatives = batch->negatives.data();
  double loss = 0;
  for (const Group& g : batch->groups) {
    const int m = static_cast<int>(g.ctx_end - g.ctx_begin);
    const std::uint32_t* ctx = contexts + g.ctx_begin;
    const std::uint32_t* neg = negatives + g.neg_begin;
    auto target_row = [&](int t) {
      return rows + static_cast<std::size_t>(t == 0 ? g.centre : neg[t - 1]) * d;
    };
    // Scores and gradients from the rows as they were before this group.
    float* __restrict grad = grad_.data();
    for (int j = 0; j < m; ++j) {
      const float* in = rows + static_cast<std::size_t>(ctx[j]) * d;
      for (int t = 0; t < targets; ++t) {
        float& gjt = grad[j * targets + t];
        if (t > 0 && neg[t - 1] == g.centre) {
          gjt = 0;
          continue;
        }
        const float f = Dot(in, target_row(t), d);
        const float label = t == 0 ? 1.0f : 0.0f;
        gjt = sigmoid_->Gradient(f, label, g.alpha);
        loss -= sigmoid_->LogSigmoid(t == 0 ? f : -f);
      }
    }
    // Context deltas first (they need the old target rows) ...
    float* __restrict delta = ctx_delta_.data();
    std::memset(delta, 0, sizeof(float) * static_cast<std::size_t>(m) * static_cast<std::size_t>(d));
    for (int j = 0; j < m; ++j)
      for (int t = 0; t < targets; ++t)
        if (grad[j * targets + t] != 0) Axpy(grad[j * targets + t], target_row(t), delta + j * d, d);
    // ... then the targets from the old context rows, then the contexts.
    for (int t = 0; t < targets; ++t) {
      float* out = target_row(t);
      for (int j = 0; j < m; ++j)
        if (grad[j * targets + t] != 0) Axpy(grad[j * targets + t], rows + static_cast<std::size_t>(ctx[j]) * d, out, d);
    }
    for (int j = 0; j < m; ++j) Axpy(1.0f, delta + j * d, rows + static_cast<std::size_t>(ctx[j]) * d, d);
  }
  return loss;
}

}  // namespace item2vec
