// The register-blocked HogBatch step: SgnsKernel's kHogBatch groups as small matrix products.
//
// Contract: HogBatchBlocked(...) trains the groups [begin, end) of a batch exactly as the
// kHogBatch contract of worker/sgns_kernel.h says (pWord2Vec): for group g with context
// rows C (m x d, input slots) and target rows T (K = negative + 1 x d: the centre, label 1,
// then the group's negatives, label 0; a negative equal to the centre gets gradient 0),
// S = C T' from the rows as they were before the group, G[j][t] = SigmoidTable::Gradient
// (S[j][t], label, alpha), then every context row moves by (G T)[j] and every target row by
// (G' C)[t], both from the old rows; repeated slots accumulate. Only the summation order of
// the dot products and of the sums differs from a row-at-a-time loop (float rounding).
// How: the rows of a group are read in place through pointers, 8 floats of d at a time;
// scores are 2 contexts x up to 6 targets of register accumulators (12 FMAs per 8 loads),
// the update keeps up to 6 target chunks and their gradient accumulators in registers while
// it walks the contexts. With K <= 6 (negative <= 5) one block holds every target, so each
// 8-float chunk of the deltas is added to the rows as soon as that chunk's reads are done
// (one pass over the rows); with more targets both deltas land in a small scratch before
// they are added. Either way each add reloads its row, so duplicates and the old-row rule
// cost nothing extra. A row's last d % 8 floats go through the same code with masked
// loads and stores. The next group's rows are prefetched. AVX2+FMA only: HogBatchBlockedAvailable() says whether this CPU has it (the
// caller keeps a portable loop otherwise). No allocation: `scratch` must hold
// HogBatchScratchFloats(max_contexts, negative, dim) floats and `pointers` negative + 1 +
// max_contexts entries (max_contexts: the most contexts of any group). Returns the loss sum as
// SgnsKernel::Train does. Not thread-safe per scratch; pure function otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

#include "worker/batch.h"
#include "worker/sigmoid_table.h"

namespace item2vec {

bool HogBatchBlockedAvailable();

std::size_t HogBatchScratchFloats(int max_contexts, int negative, int dim);

double HogBatchBlocked(float* rows, const Group* groups, std::size_t num_groups, const std::uint32_t* contexts,
                       const std::uint32_t* negatives, int dim, int negative, const SigmoidTable& sigmoid,
                       float* scratch, const float** pointers);

}  // namespace item2vec
