// The fused per-pair step: SgnsKernel's kPair groups on AVX2+FMA.
//
// Contract: PairsBlocked(...) trains the groups of a batch exactly as the kPair contract of
// worker/sgns_kernel.h says: word2vec.c's skip-gram step, pair by pair in batch order. For
// a pair with context row c and targets t_0 = the group's centre (label 1) and t_1..t_n =
// the pair's `negative` negatives (label 0; one equal to the centre is skipped), every
// score c.t_q is taken from the rows as they are when the pair starts, each target then
// moves by g_q c and c by sum_q g_q t_q (each t_q as it was before its own update): with
// distinct targets that is word2vec.c's arithmetic, done in two passes over the rows (all
// scores, then both updates chunk by chunk) instead of three per target. A pair whose
// negatives repeat a row (possible with a small --negative-pool) needs word2vec.c's order
// (the second score sees the first update): it goes target by target, as word2vec.c does.
// Only the float summation order differs from the portable loop. The next pair's rows are
// prefetched. AVX2+FMA only: call it where HogBatchBlockedAvailable() (worker/hogbatch_block.h)
// says so. No allocation: `scratch` must hold PairScratchFloats(negative, dim) floats and
// `targets` negative + 1 pointers. Returns the loss sum as SgnsKernel::Train does. Not
// thread-safe per scratch; pure function otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

#include "worker/batch.h"
#include "worker/sigmoid_table.h"

namespace item2vec {

std::size_t PairScratchFloats(int negative, int dim);

double PairsBlocked(float* rows, const Group* groups, std::size_t num_groups, const std::uint32_t* contexts,
                    const std::uint32_t* negatives, int dim, int negative, bool shared, const SigmoidTable& sigmoid,
                    float* scratch, float** targets);

}  // namespace item2vec
