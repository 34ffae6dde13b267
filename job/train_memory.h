// The train command's memory step: refuse to start a job that would not fit.
//
// Contract: CheckJobMemory runs on every rank after the vocabulary step (a collective).
// Every rank derives the same plan (job/memory_plan.h); the ranks of each node add up their
// needs, the node's first rank compares the sum with the memory available there, and the
// job ends on every rank (exit code of InvalidArgument, the cause logged by rank 0) when
// any node lacks it, rather than be killed later. With --dry-run rank 0 prints the plan and
// every rank ends with 0.
#pragma once

#include "job/train_state.h"

namespace item2vec {

StepExit CheckJobMemory(const TrainJob& job);

}  // namespace item2vec
