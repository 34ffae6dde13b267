// The train command's role step: each rank starts its role, a server or a worker.
//
// Contract: RunRole runs on every rank after the memory step. With --new-items
// cooccurrence on a fresh warm start, every rank first takes part in finding the new
// items' neighbours (job/cooccurrence_init.h) and in summing how many were initialised
// from them. Then:
// - a server builds its ShardStore (from the checkpoint when resuming, else fresh and, with
//   --init-from, overwritten with the previous model's rows), serves until rank 0 stops it,
//   and RunRole returns its exit code (0, or the interrupted code after a stop signal);
// - a worker restores its state when resuming (exactly with the same worker count, else
//   remapped), trains its shard with background checkpoints, and fills `run`. RunRole
//   returns the exit code for every worker except rank 0 (nullopt), which goes on to the
//   finish step (job/train_finish.h) with `run`.
// A failure on one rank ends the job (FailJob). `run` must not outlive `job`: its
// checkpointing points at the job's transport and vocabulary.
#pragma once

#include <cstdint>
#include <memory>

#include "job/train_state.h"
#include "ps/protocol.h"
#include "worker/checkpointing.h"
#include "worker/progress.h"
#include "worker/worker_checkpoint.h"

namespace item2vec {

// What rank 0's worker hands to the finish step.
struct WorkerRun {
  std::unique_ptr<ProgressMonitor> monitor;  // rank 0 only
  std::unique_ptr<WorkerCheckpointing> checkpointing;
  WorkerCheckpoint final_state;
  protocol::ProgressReport report;             // this worker's final report
  TrainJob::Clock::time_point train_start;
  std::int64_t from_neighbours = -1;  // new items initialised from their neighbours; -1 = not applicable
};

StepExit RunRole(TrainJob* job, WorkerRun* run);

}  // namespace item2vec
