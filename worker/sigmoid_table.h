// Sigmoid and log-sigmoid lookup, as word2vec.c: 1000 entries over [-6, 6].
//
// Contract: Gradient(f, label, alpha) is word2vec.c's update scale g, including its
// clipping: f > 6 gives (label - 1) * alpha, f < -6 gives label * alpha, otherwise
// (label - sigmoid(f)) * alpha from the table. With exact = true it uses the exact
// sigmoid and no clipping. LogSigmoid serves the reported loss only. Read-only after
// construction; thread-safe.
#pragma once

#include <cmath>
#include <vector>

namespace item2vec {

class SigmoidTable {
 public:
  static constexpr int kSize = 1000;
  static constexpr float kMaxExp = 6.0f;

  explicit SigmoidTable(bool exact = false) : exact_(exact), sigmoid_(kSize + 1), log_sigmoid_(kSize + 1) {
    for (int i = 0; i <= kSize; ++i) {
      const double x = (static_cast<double>(i) / kSize * 2 - 1) * kMaxExp;
      sigmoid_[i] = static_cast<float>(1.0 / (1.0 + std::exp(-x)));
      log_sigmoid_[i] = static_cast<float>(-std::log1p(std::exp(-x)));
    }
  }

  float Gradient(float f, float label, float alpha) const {
    if (exact_) return (label - 1.0f / (1.0f + std::exp(-f))) * alpha;
    if (f > kMaxExp) return (label - 1) * alpha;
    if (!(f >= -kMaxExp)) return label * alpha;  // also a NaN: never index the table with it
    return (label - sigmoid_[Index(f)]) * alpha;
  }
  // log(sigmoid(x)), clamped to the table's range.
  float LogSigmoid(float x) const {
    if (x >= kMaxExp) return log_sigmoid_[kSize];
    if (!(x > -kMaxExp)) return log_sigmoid_[0] + (x + kMaxExp);  // ~ x for very negative x
    return log_sigmoid_[Index(x)];
  }
  float Sigmoid(float x) const {
    if (x >= kMaxExp) return 1.0f;
    if (!(x > -kMaxExp)) return 0.0f;
    return sigmoid_[Index(x)];
  }

 private:
  // word2vec.c: (int)((f + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2))
  static int Index(float f) { return static_cast<int>((f + kMaxExp) * (kSize / kMaxExp / 2)); }
  bool exact_;
  std::vector<float> sigmoid_, log_sigmoid_;
};

}  // namespace item2vec
