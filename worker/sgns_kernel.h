// The SGNS kernel: trains a resolved Batch on its local rows, word2vec.c semantics.
//
// Contract: for each group and each of its contexts (in order), with in = rows[context],
// it applies word2vec.c's skip-gram negative-sampling step: the positive target is the
// group's centre (label 1), then the pair's `negative` negatives (label 0; a negative
// equal to the centre is skipped); each target's row moves by g * in immediately and
// in moves by the sum of g * target at the end of the pair, with g from SigmoidTable
// (clipped as word2vec.c). Updates go to `rows` in place (Hogwild within the batch is
// not needed: one thread, sequential, exactly word2vec.c's single-thread order).
// No allocation, no virtual call, no lock. Returns the summed loss
// -log s(in.c) - sum log s(-in.n) over the pairs.
#pragma once

#include <vector>

#include "worker/batch.h"
#include "worker/sigmoid_table.h"

namespace item2vec {

class SgnsKernel {
 public:
  SgnsKernel(int dim, int negative, const SigmoidTable* sigmoid)
      : dim_(dim), negative_(negative), sigmoid_(sigmoid), neu1e_(static_cast<std::size_t>(dim)) {}
  // Trains all groups of the batch on batch->rows; returns the loss sum.
  double Train(Batch* batch);

 private:
  int dim_, negative_;
  const SigmoidTable* sigmoid_;
  std::vector<float> neu1e_;
};

}  // namespace item2vec
