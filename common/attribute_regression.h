// AttributeRegression: a cold item's vector (an item with attributes and no events) from a
// ridge regression of the trained items' vectors on their attributes: a linear
// attribute-to-embedding mapping fitted on the warm items (Gantner et al., "Learning
// Attribute-to-Feature Mappings for Cold-Start Recommendations", ICDM'10).
//
// Contract: an entity's features (common/side_layout.h parts) are an intercept 1 and, for
// each attribute column it has values in, 1/m for each of its m values of that column (a
// multi-valued column weighs as one, as in EGES's mean). Add(item, vector) once per trained
// item accumulates X^T Y as it comes (the vectors are not kept: rank 0 streams the model).
// Fit() solves (X^T X + lambda I) B = X^T Y, one system per dimension, by Jacobi-
// preconditioned conjugate gradients in double precision iterated together, until every
// dimension's residual is below 1e-8 of its right-hand side or after kMaxIterations; it
// returns the iterations used. Predict(entity, out) writes x_entity B (any entity of the
// layout, cold or not). Without any added item B is 0. Memory O((values + 1) x dim) and the
// added items' ids; time per iteration O(the added items' values x dim). Deterministic (a
// fixed summation order). Not thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "common/side_layout.h"
#include "common/types.h"

namespace item2vec {

class AttributeRegression {
 public:
  static constexpr int kMaxIterations = 500;

  AttributeRegression(const SideLayout& side, int dim, double lambda);
  void Add(ItemId item, const float* vector);
  int Fit();
  void Predict(std::size_t entity, float* out) const;
  std::size_t added() const { return items_.size(); }

 private:
  // out (features x dim) = (X^T X + lambda I) p.
  void Apply(const std::vector<double>& p, std::vector<double>* out) const;
  // t (dim) = x_entity^T m, m a (features x dim) matrix.
  void Project(std::size_t entity, const double* m, double* t) const;
  // m += x_entity t^T.
  void Spread(std::size_t entity, const double* t, double* m) const;
  std::vector<double> Preconditioner() const;

  const SideLayout& side_;
  std::size_t dim_, features_;  // features: the values, then the intercept
  double lambda_;
  std::vector<ItemId> items_;
  std::vector<double> xty_, b_;
};

}  // namespace item2vec
