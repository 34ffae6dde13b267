// WorkerLoop: one worker rank's training loop, as a class whose public methods name its steps.
//
// Contract: Run() streams the worker's shard `epochs` times through BatchBuilder: for each
// batch it pulls the rows, trains them with SgnsKernel and pushes the deltas. With overlap on,
// the next batch's pull is in flight while this one computes (at most two batches in flight),
// and CarryDeltas keeps one worker exact. At the end it sends kWorkerDone to every server and a
// final ProgressReport to rank 0 (rank 0 itself returns it instead).
// With checkpointing, it asks between batches whether a checkpoint is due and takes part
// (worker/checkpointing.h); after a stop checkpoint Run() returns Status::Interrupted. With
// `resume` it continues from a checkpointed state bit for bit.
// With --hot-rows H it trains ids < H in its HotRowCache (worker/hot_rows.h): synced once
// before the first batch, every --hot-sync batches and (push only) before kWorkerDone; it then
// looks for a due checkpoint only right after a sync, so the servers' cut holds every update of
// the cached rows too.
// With side information (--side-info) TrainBatch wraps the kernel in SideBatchMixer's
// Compose/Expand (worker/side_batch.h): the kernel trains each item's EGES mean.
// Errors (input, peer timeout) are returned; the caller ends the job.
//
// Run() is the whole loop; it only schedules the steps below, each of which the tests may call
// on their own through a Transport of their choice (tests/worker/worker_loop_test.cc drives it
// against a real ServerSession over common/loopback_transport.h):
//   Start()              restore a resumed state, fill and pull the first batch (and the
//                        second with overlap), first hot-row sync;
//   while (HasBatch()):
//     MaybeSyncHotRows() every --hot-sync batches;
//     MaybeCheckpoint()  when one is due, right after a sync (Interrupted after a stop one);
//     TrainBatch()       the SGNS kernel on the current batch (hot rows loaded and stored);
//     PushAndAdvance()   push it, fill and pull the next, wait, make the next current;
//     ReportProgress()   heartbeat and progress to rank 0;
//   Finish()             last hot-row push, kWorkerDone, final report and state.
// Ownership: borrows everything in WorkerSetup (and the monitor), which must outlive it; owns
// the reader, builder, kernel, client and hot-row cache. Not thread-safe: one per worker rank,
// driven by the rank's one Transport thread.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "common/input_files.h"
#include "common/sequence_reader.h"
#include "common/status.h"
#include "common/train_options.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "worker/batch_builder.h"
#include "worker/checkpointing.h"
#include "worker/first_epoch_ids.h"
#include "worker/progress.h"
#include "worker/ps_client.h"
#include "worker/sgns_kernel.h"
#include "worker/side_batch.h"
#include "worker/sigmoid_table.h"
#include "worker/worker_checkpoint.h"

namespace item2vec {

class HotRowCache;
class PushResidual;

// The part of the train options the worker loop uses beyond its batches': the kernel's
// shape, the wire, progress and liveness, the hot-row syncs and the overlap. Made from
// TrainOptions, kept as a copy.
struct WorkerOptions {
  explicit WorkerOptions(const TrainOptions& o);

  BatchOptions batch;           // what the BatchBuilder gets
  std::uint64_t seed;
  bool exact_sigmoid;
  int max_contexts;             // the most contexts of one centre position
  bool cbow_sum;
  WirePrecision wire;
  double progress_seconds;
  double liveness_timeout;      // in effect (min'd with --peer-timeout)
  int hot_sync;
  bool overlap;
  double side_info_dropout;
};

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
  const SideLayout* side = nullptr;             // --side-info (EGES); nullptr = none
  const SamplingView* sampling = nullptr;       // the node's sampling tables; nullptr = build them
  FirstEpochIds* first_epoch = nullptr;         // its id cache goes to the builder on a fresh run
  // The servers' keys: the items, then with side information its attribute and weight rows.
  std::size_t KeyCount() const { return side != nullptr ? side->KeyCount() : vocab->size(); }
};

class WorkerLoop {
 public:
  // On rank 0 pass the monitor (it aggregates everyone's progress); elsewhere nullptr.
  WorkerLoop(const WorkerSetup& setup, ProgressMonitor* monitor);
  ~WorkerLoop();
  WorkerLoop(const WorkerLoop&) = delete;
  WorkerLoop& operator=(const WorkerLoop&) = delete;

  // The whole shard: the steps below in order. Call once.
  Result<protocol::ProgressReport> Run();

  Status Start();
  bool HasBatch() const { return have_; }
  Status MaybeSyncHotRows();
  Status MaybeCheckpoint();
  void TrainBatch();
  Status PushAndAdvance();
  void ReportProgress();
  Result<protocol::ProgressReport> Finish();

  // The counters so far (the final report once Finish() returned).
  const protocol::ProgressReport& report() const { return report_; }

 private:
  using Clock = std::chrono::steady_clock;
  // A batch and the builder state before it was filled: the resume point while it is not
  // yet trained.
  struct Slot {
    Batch batch;
    BuilderState before;
  };
  Result<bool> Fill(Slot* slot);
  // The --max-set-size and --max-sentence warnings, each once per run.
  void WarnOnce();
  // Fills `next_` and starts its pull; sets have_next_.
  Status FillNext();
  Status SyncHotRows(bool pull_fresh);
  void UpdateReport();
  // The checkpoint state while `slot` is the first batch not yet trained; its counts (and
  // those of `also_filled`, when set) are already in the report and come off again.
  WorkerCheckpoint StateBefore(const Slot& slot, const Slot* also_filled);
  WorkerCheckpoint StateAt(const BuilderState& builder) const;
  // Adds the wait since `since` to the report's wait_seconds.
  void CountWait(Clock::time_point since);

  const WorkerSetup setup_;
  const WorkerOptions o_;
  ProgressMonitor* monitor_;
  const Partition partition_;
  SequenceReader reader_;
  BatchBuilder builder_;
  const SigmoidTable sigmoid_;
  SgnsKernel kernel_;
  SideBatchMixer side_mixer_;               // --side-info: H in, gradients out around the kernel
  std::unique_ptr<PushResidual> residual_;  // fp16 pushes only
  PsClient client_;
  ProgressSender sender_;
  std::unique_ptr<HotRowCache> hot_;        // --hot-rows only
  protocol::ProgressReport report_;
  double seconds_before_ = 0;  // training time of earlier runs (resume)
  double cpu_before_ = 0;      // their CPU time
  int since_sync_ = 0;         // batches trained since the last sync of the hot-row cache
  Clock::time_point start_;
  double cpu_start_ = 0;
  int loss_epoch_ = 0;         // the reported loss covers this epoch
  bool split_warned_ = false, capped_warned_ = false;
  Slot slots_[2];
  Slot* cur_ = &slots_[0];
  Slot* next_ = &slots_[1];
  bool have_ = false;       // cur_ holds a batch to train
  bool have_next_ = false;  // next_ holds one, its pull started
};

}  // namespace item2vec
