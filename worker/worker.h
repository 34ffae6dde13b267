// RunWorker: one worker rank's training loop.
//
// Contract: streams the worker's shard `epochs` times through BatchBuilder, and for each
// batch pulls the rows, trains them with SgnsKernel and pushes the deltas. With overlap on,
// the next batch's pull is in flight while this one computes (at most two batches in
// flight), and CarryDeltas keeps one worker exact. Sends kWorkerDone to every server at
// the end and a final ProgressReport to rank 0 (rank 0 itself returns it instead).
// With checkpointing, it asks between batches whether a checkpoint is due and takes part
// (worker/checkpointing.h); after a stop checkpoint it returns Status::Interrupted. With
// `resume` it continues from a checkpointed state bit for bit.
// With --hot-rows H it trains ids < H in its HotRowCache (worker/hot_rows.h): synced once
// before the first batch, every --hot-sync batches and (push only) before kWorkerDone;
// it then looks for a due checkpoint only right after a sync, so the servers' cut holds
// every update of the cached rows too.
// Errors (input, peer timeout) are returned; the caller ends the job.
#pragma once

#include <vector>

#include "common/input_files.h"
#include "common/status.h"
#include "common/train_options.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "worker/checkpointing.h"
#include "worker/worker_checkpoint.h"

namespace item2vec {

struct WorkerSetup {
  Transport* transport = nullptr;
  const TrainOptions* options = nullptr;
  const Vocabulary* vocab = nullptr;
  const std::vector<InputFile>* files = nullptr;
  int worker = 0;
  int num_workers = 1;
  int num_servers = 1;
  std::int64_t shard_words = 0;  // in-vocabulary tokens in this worker's shard
  double peer_timeout = 120;
  const WorkerCheckpoint* resume = nullptr;     // continue from this state (--resume)
  WorkerCheckpointing* checkpointing = nullptr; // takes part in checkpoints when set
  WorkerCheckpoint* final_state = nullptr;      // out: the state after the last batch
};

class ProgressMonitor;

// On rank 0 pass the monitor (it aggregates everyone's progress); elsewhere nullptr.
Result<protocol::ProgressReport> RunWorker(const WorkerSetup& setup, ProgressMonitor* monitor);

}  // namespace item2vec
