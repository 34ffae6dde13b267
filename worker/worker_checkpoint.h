// WorkerCheckpoint: a worker's part of a checkpoint (worker-W.bin).
//
// Contract: holds what WorkerLoop needs to continue exactly: the BatchBuilder state taken
// before the first batch not yet trained (reader position, epoch, words done, Rng), the
// shard's word count (the learning-rate schedule), and the progress counters so far. A
// worker that finished its shard is saved with epoch == epochs: resuming it trains
// nothing and reports its counters. Saved through the checksummed container of
// common/checkpoint.h.
#pragma once

#include <string>

#include <boost/serialization/version.hpp>

#include "common/checkpoint.h"
#include "common/status.h"
#include "ps/protocol.h"
#include "worker/batch_builder.h"

namespace item2vec {
namespace protocol {

template <class Archive>
void serialize(Archive& ar, ProgressReport& r, unsigned version) {
  ar& r.worker; ar& r.final; ar& r.words; ar& r.raw_tokens; ar& r.pairs; ar& r.loss_sum; ar& r.loss_count;
  ar& r.alpha; ar& r.seconds; ar& r.wait_seconds; ar& r.read_seconds; ar& r.bytes_sent; ar& r.bytes_received;
  ar& r.split_lines;
  if (version >= 1) ar& r.capped_sets;     // version 0: checkpoints from before set mode
  if (version >= 2) ar& r.kernel_seconds;  // version 1: before the kernel was timed apart
  if (version >= 3) ar& r.cpu_seconds;     // version 2: before the worker's CPU time was kept
}

}  // namespace protocol

}  // namespace item2vec

BOOST_CLASS_VERSION(item2vec::protocol::ProgressReport, 3)

namespace item2vec {

struct WorkerCheckpoint {
  int worker = 0;
  int num_workers = 0;
  std::int64_t shard_words = 0;
  BuilderState builder;
  protocol::ProgressReport report;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& worker; ar& num_workers; ar& shard_words; ar& builder; ar& report; }
};

Result<CheckpointFileEntry> SaveWorkerCheckpoint(const WorkerCheckpoint& state, const std::string& checkpoint_path);
Result<WorkerCheckpoint> LoadWorkerCheckpoint(const std::string& checkpoint_path, int worker);

}  // namespace item2vec
