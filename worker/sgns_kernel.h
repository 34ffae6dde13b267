// The SGNS kernels: train a resolved Batch on its local rows.
//
// Contract (KernelKind::kPair, word2vec.c semantics): for each group and each of its
// contexts (in order), with in = rows[context], it applies word2vec.c's skip-gram
// negative-sampling step: the positive target is the group's centre (label 1), then the
// pair's `negative` negatives (label 0; a negative equal to the centre is skipped); each
// target's row moves by g * in immediately and in moves by the sum of g * target at the
// end of the pair, with g from SigmoidTable (clipped as word2vec.c). Exactly word2vec.c's
// single-thread order. The batch holds `negative` negatives per pair.
//
// KernelKind::kShared (the default): the same per-pair step in the same order, but the
// contexts of a group (a centre's contexts in groups of at most kHogBatchShare) take their
// negatives from one draw, the group's `negative` negatives, so each pair's scores see the
// previous pair's updates of the centre and of those shared rows. The batch holds
// `negative` negatives per group. (Measured on the quality panel, docs/benchmarks.md: this
// order keeps gensim's quality where kHogBatch's simultaneous step loses 4-11 %; sharing
// keeps the group's target rows in L1 for its later pairs.)
//
// On CPUs with AVX2+FMA kPair and kShared run worker/pair_block.h's fused step (one pass
// for a pair's scores, one for both updates; word2vec.c's order kept), elsewhere, or with
// blocked = false, word2vec.c's row-at-a-time loop; the two differ in float summation
// order only.
//
// KernelKind::kHogBatch (pWord2Vec, Ji et al. 2016): the contexts of a group share the
// group's `negative` negatives, and the group is one small dense step: the scores of all
// (context, target) pairs are computed from the rows as they were before the group, then
// every context row moves by sum_t g[j][t] * target_t and every target row by
// sum_j g[j][t] * context_j. Same gradients in expectation, a window's worth fewer
// negatives and row loads. The batch holds `negative` negatives per group. On CPUs with
// AVX2+FMA the step is worker/hogbatch_block.h's register-blocked product (same maths,
// another float summation order); elsewhere, or with blocked = false, a row-at-a-time loop.
//
// CbowMode::kMean / kSum (word2vec.c's CBOW, cbow_mean 1 / 0; the kernel kind is unused): for each group,
// h = the mean (or sum) of its context rows; for the centre (label 1) and the group's
// `negative` negatives (label 0, one equal to the centre skipped) in order: g from
// SigmoidTable of h.target, neu1e += g * target, then target += g * h; finally every
// context row += neu1e (word2vec.c adds the whole error to each context, also for the
// mean). The batch holds `negative` negatives per group.
//
// All: updates in place on `rows`, no allocation (scratch is sized at construction for
// up to 2 * max_window contexts), no virtual call, no lock. The vector loops are compiled
// for AVX2+FMA and for baseline x86-64 and picked at run time. Returns the summed loss
// -log s(in.c) - sum log s(-in.n) over the pairs.
#pragma once

#include <vector>

#include "common/train_options.h"
#include "worker/batch.h"
#include "worker/hogbatch_block.h"
#include "worker/pair_block.h"
#include "worker/sigmoid_table.h"

namespace item2vec {

// --model cbow: off (skip-gram, by KernelKind), or CBOW with the mean or the sum of the contexts.
enum class CbowMode { kOff, kMean, kSum };

class SgnsKernel {
 public:
  SgnsKernel(int dim, int negative, const SigmoidTable* sigmoid, KernelKind mode = KernelKind::kPair,
             int max_window = 5, CbowMode cbow = CbowMode::kOff, bool blocked = true)
      : dim_(dim), negative_(negative), mode_(mode), cbow_(cbow), sigmoid_(sigmoid),
        neu1e_(static_cast<std::size_t>(dim)), neu1_(static_cast<std::size_t>(dim)),
        ctx_delta_(static_cast<std::size_t>(2 * max_window) * static_cast<std::size_t>(dim)),
        grad_(static_cast<std::size_t>(2 * max_window) * static_cast<std::size_t>(negative + 1)),
        blocked_(blocked && cbow == CbowMode::kOff && HogBatchBlockedAvailable()),
        block_scratch_(!blocked_                       ? 0
                       : mode == KernelKind::kHogBatch ? HogBatchScratchFloats(2 * max_window, negative, dim)
                                                       : PairScratchFloats(negative, dim)),
        block_pointers_(blocked_ ? static_cast<std::size_t>(2 * max_window + negative + 1) : 0),
        target_rows_(blocked_ ? static_cast<std::size_t>(negative + 1) : 0) {}
  // Trains all groups of the batch on batch->rows; returns the loss sum.
  double Train(Batch* batch);

 private:
  // kPair (shared = false) and kShared (shared = true).
  double TrainPairs(Batch* batch, bool shared);
  double TrainHogBatch(Batch* batch);
  double TrainCbow(Batch* batch, bool mean);
  int dim_, negative_;
  KernelKind mode_;
  CbowMode cbow_;
  const SigmoidTable* sigmoid_;
  std::vector<float> neu1e_, neu1_, ctx_delta_, grad_;
  bool blocked_;  // kHogBatch through HogBatchBlocked, kPair and kShared through PairsBlocked
  std::vector<float> block_scratch_;
  std::vector<const float*> block_pointers_;  // HogBatchBlocked's rows of a group
  std::vector<float*> target_rows_;           // PairsBlocked's targets of a pair
};

}  // namespace item2vec
