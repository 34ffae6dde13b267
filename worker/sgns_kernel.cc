#include "worker/sgns_kernel.h"

namespace item2vec {
namespace {

inline float Dot(const float* __restrict a, const float* __restrict b, int n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y += g * x
inline void Axpy(float g, const float* __restrict x, float* __restrict y, int n) {
#pragma omp simd
  for (int i = 0; i < n; ++i) y[i] += g * x[i];
}

}  // namespace

double SgnsKernel::Train(Batch* batch) {
  const int d = dim_;
  float* const rows = batch->rows.data();
  float* __restrict neu1e = neu1e_.data();
  const std::uint32_t* contexts = batch->contexts.data();
  const std::uint32_t* negatives = batch->negatives.data();
  double loss = 0;
  for (const Group& g : batch->groups) {
    float* const centre = rows + static_cast<std::size_t>(g.centre) * d;
    const float alpha = g.alpha;
    const std::uint32_t* neg = negatives + g.neg_begin;
    for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j, neg += negative_) {
      float* const in = rows + static_cast<std::size_t>(contexts[j]) * d;
      for (int i = 0; i < d; ++i) neu1e[i] = 0;
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

}  // namespace item2vec
