// TrainJob: what the steps of `item2vec train` (job/train_*.h) hand on to each other.
//
// Contract: RunTrain (job/train_job.cc) owns one TrainJob for the whole run and passes it to
// each step in order: set-up fills the layout, options, transport and input files; the
// vocabulary step the resume point, the vocabulary and this worker's token count; the
// memory step reads them; the role step runs this rank's role. Every field is the same on
// every rank unless its comment says otherwise. Each step that can end the job returns
// std::optional<int>: the process exit code when the job ends there, nullopt to go on.
// Not thread-safe: only the rank's main thread touches it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/input_files.h"
#include "common/output_lock.h"
#include "common/side_layout.h"
#include "common/train_options.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "job/node_tables.h"
#include "job/resume.h"
#include "job/warm_start.h"
#include "ps/partition.h"
#include "worker/first_epoch_ids.h"

namespace item2vec {

class TrainObserver;

// A step's outcome: the exit code when the job ends at that step, nullopt to go on.
using StepExit = std::optional<int>;

struct TrainJob {
  using Clock = std::chrono::steady_clock;

  // Set-up (job/train_setup.h).
  Clock::time_point start;
  int rank = 0, world = 0;
  int servers = 1, workers = 0;  // ranks [0, workers) are workers, [workers, world) servers
  bool is_server = false;        // this rank
  TrainOptions options;
  std::unique_ptr<Transport> transport;  // MPI, wrapped in a FaultyTransport with --debug-fault
  std::vector<InputFile> files;
  // Rank 0: the output directory's lock, held until the job object goes (the kernel drops
  // it on any other exit; common/output_lock.h).
  OutputLock output_lock;
  OutputLock checkpoint_lock;  // rank 0, when --checkpoint-dir is outside the output directory
  TrainObserver* observer = nullptr;  // rank 0: the command line's hooks, may be null (job/train_observer.h)

  // Vocabulary (job/train_vocabulary.h).
  ResumePoint resume;  // found = false: a fresh run
  bool resuming = false;
  bool same_workers = false;  // resuming with the checkpoint's worker count: exact worker state
  // --new-items cooccurrence on a fresh warm start (a resumed run's rows come from its checkpoint).
  bool init_from_neighbours = false;
  std::vector<ItemId> new_ids;  // rank 0, with init_from_neighbours: today's ids absent from the previous model
  Vocabulary vocab;  // a worker's views its node's tables
  NodeTables tables;  // a worker: the node-shared tables (job/node_tables.h)
  WarmStartCounts warm;
  std::int64_t shard_words = 0;  // this worker's in-vocabulary tokens (its learning-rate schedule)
  // A worker on a fresh run: its shard as the counting pass's local ids and their map to the
  // vocabulary's (worker/first_epoch_ids.h), handed to its batch builder for epoch 1.
  FirstEpochIds first_epoch;
  // Rank 0: occurrences of items skipped for their length while counting; -1 when this run
  // did not count (resumed with the checkpoint's workers and vocabulary).
  std::int64_t long_items = -1;
  // Rank 0's wall seconds in each step of building the vocabulary (all 0 on a resumed run
  // that did not count): its shard's count, the all-to-all of counts to their owners, the
  // owners' items gathered (with the count reports), ordering and ids (rank 0 alone), the
  // node tables shared; and rank 0's CPU seconds in counting and in all the steps (what a
  // core of its own would take, where ranks share cores). Logged with the vocabulary line; in
  // train.json.
  struct VocabularySteps {
    double count = 0, exchange = 0, gather = 0, order = 0, tables = 0;
    double count_cpu = 0, cpu = 0;
    double Total() const { return count + exchange + gather + order + tables; }
  } vocab_steps;

  // --side-info: the attribute and weight rows after the items' (common/side_layout.h);
  // SideLayout(V) without.
  SideLayout side;

  // The servers' keys: the items, then with side information the attribute and weight rows.
  std::size_t KeyCount() const { return side.enabled() ? side.KeyCount() : vocab.size(); }
  Partition partition() const { return Partition(servers, KeyCount()); }
};

}  // namespace item2vec
