#include "common/attribute_regression.h"

#include <algorithm>
#include <cmath>

namespace item2vec {

AttributeRegression::AttributeRegression(const SideLayout& side, int dim, double lambda)
    : side_(side), dim_(static_cast<std::size_t>(dim)), features_(side.num_values() + 1), lambda_(lambda),
      xty_(features_ * dim_, 0.0), b_(features_ * dim_, 0.0) {}

void AttributeRegression::Project(std::size_t entity, const double* m, double* t) const {
  const double* intercept = m + (features_ - 1) * dim_;
  std::copy(intercept, intercept + dim_, t);
  const SidePart* parts = side_.Parts(entity);
  const std::uint32_t* values = side_.Values(entity);
  for (std::uint32_t p = 0; p < side_.NumParts(entity); ++p) {
    const double w = 1.0 / static_cast<double>(parts[p].end - parts[p].begin);
    for (std::uint32_t k = parts[p].begin; k < parts[p].end; ++k) {
      const double* row = m + values[k] * dim_;
      for (std::size_t j = 0; j < dim_; ++j) t[j] += w * row[j];
    }
  }
}

void AttributeRegression::Spread(std::size_t entity, const double* t, double* m) const {
  double* intercept = m + (features_ - 1) * dim_;
  for (std::size_t j = 0; j < dim_; ++j) intercept[j] += t[j];
  const SidePart* parts = side_.Parts(entity);
  const std::uint32_t* values = side_.Values(entity);
  for (std::uint32_t p = 0; p < side_.NumParts(entity); ++p) {
    const double w = 1.0 / static_cast<double>(parts[p].end - parts[p].begin);
    for (std::uint32_t k = parts[p].begin; k < parts[p].end; ++k) {
      double* row = m + values[k] * dim_;
      for (std::size_t j = 0; j < dim_; ++j) row[j] += w * t[j];
    }
  }
}

void AttributeRegression::Add(ItemId item, const float* vector) {
  items_.push_back(item);
  std::vector<double> y(vector, vector + dim_);
  Spread(item, y.data(), xty_.data());
}

void AttributeRegression::Apply(const std::vector<double>& p, std::vector<double>* out) const {
  out->resize(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) (*out)[i] = lambda_ * p[i];
  std::vector<double> t(dim_);
  for (ItemId item : items_) {
    Project(item, p.data(), t.data());
    Spread(item, t.data(), out->data());
  }
}

// The diagonal of X^T X + lambda I.
std::vector<double> AttributeRegression::Preconditioner() const {
  std::vector<double> diag(features_, lambda_);
  diag[features_ - 1] += static_cast<double>(items_.size());
  for (ItemId item : items_) {
    const SidePart* parts = side_.Parts(item);
    const std::uint32_t* values = side_.Values(item);
    for (std::uint32_t p = 0; p < side_.NumParts(item); ++p) {
      const double w = 1.0 / static_cast<double>(parts[p].end - parts[p].begin);
      for (std::uint32_t k = parts[p].begin; k < parts[p].end; ++k) diag[values[k]] += w * w;
    }
  }
  return diag;
}

int AttributeRegression::Fit() {
  std::fill(b_.begin(), b_.end(), 0.0);
  if (items_.empty()) return 0;
  const std::vector<double> diag = Preconditioner();
  std::vector<double> r = xty_, z(r.size()), p, q;  // B = 0: the residual is X^T Y
  std::vector<double> rz(dim_, 0.0), goal(dim_, 0.0), pq(dim_), rr(dim_);
  for (std::size_t f = 0; f < features_; ++f)
    for (std::size_t j = 0; j < dim_; ++j) {
      const std::size_t i = f * dim_ + j;
      z[i] = r[i] / diag[f];
      rz[j] += r[i] * z[i];
      goal[j] += r[i] * r[i];
    }
  for (double& g : goal) g *= 1e-16;  // (1e-8)^2 of |X^T Y| per dimension
  p = z;
  for (int it = 1; it <= kMaxIterations; ++it) {
    Apply(p, &q);
    std::fill(pq.begin(), pq.end(), 0.0);
    for (std::size_t i = 0; i < p.size(); ++i) pq[i % dim_] += p[i] * q[i];
    std::fill(rr.begin(), rr.end(), 0.0);
    for (std::size_t i = 0; i < p.size(); ++i) {
      const std::size_t j = i % dim_;
      const double alpha = pq[j] > 0 ? rz[j] / pq[j] : 0.0;
      b_[i] += alpha * p[i];
      r[i] -= alpha * q[i];
      rr[j] += r[i] * r[i];
    }
    bool done = true;
    for (std::size_t j = 0; j < dim_; ++j) done = done && rr[j] <= goal[j];
    if (done) return it;
    std::vector<double> rz_next(dim_, 0.0);
    for (std::size_t i = 0; i < r.size(); ++i) {
      z[i] = r[i] / diag[i / dim_];
      rz_next[i % dim_] += r[i] * z[i];
    }
    for (std::size_t i = 0; i < p.size(); ++i) {
      const std::size_t j = i % dim_;
      p[i] = z[i] + (rz[j] > 0 ? rz_next[j] / rz[j] : 0.0) * p[i];
    }
    rz = rz_next;
  }
  return kMaxIterations;
}

void AttributeRegression::Predict(std::size_t entity, float* out) const {
  std::vector<double> t(dim_);
  Project(entity, b_.data(), t.data());
  for (std::size_t j = 0; j < dim_; ++j) out[j] = static_cast<float>(t[j]);
}

}  // namespace item2vec
