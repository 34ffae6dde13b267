// Resuming a run (--resume): where it starts, and each worker's state.
//
// Contract:
// - FindResumePoint (rank 0) picks the newest checkpoint in the checkpoint directory whose
//   manifest and files pass their checksums, logging each damaged one it skips and which
//   it used. When none is usable it fails with Status::NotFound (exit 3), unless
//   --resume=if-possible: then found = false (start from the beginning), with a warning. A checkpoint written with
//   other result-shaping settings or another input is refused with an error naming the
//   option or the files, and how to start over.
// - RemapWorkerState gives a worker its starting state when the checkpoint had another
//   worker count: shards differ, so positions cannot carry over. Each worker starts its shard
//   at the beginning of the epoch in progress and the learning rate continues from the global
//   progress; worker 0 carries the earlier counters. (With the same worker count the state is
//   exact: LoadWorkerCheckpoint.)
#pragma once

#include <string>
#include <vector>

#include "common/checkpoint.h"
#include "common/input_files.h"
#include "common/status.h"
#include "common/train_options.h"
#include "worker/worker_checkpoint.h"

namespace item2vec {

// Where a resumed run starts: found = false means from the beginning.
struct ResumePoint {
  bool found = false;
  std::string path;
  CheckpointManifest manifest;
  template <class Archive>
  void serialize(Archive& ar, unsigned) { ar& found; ar& path; ar& manifest; }
};

Result<ResumePoint> FindResumePoint(const TrainOptions& o, const std::vector<InputFile>& files);

Result<WorkerCheckpoint> RemapWorkerState(const ResumePoint& point, const TrainOptions& o,
                                          const std::vector<InputFile>& files, int worker, int workers,
                                          std::int64_t shard_words);

}  // namespace item2vec
