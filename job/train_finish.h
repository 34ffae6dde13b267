// The train command's last step, on rank 0: wait for the workers, write the model, stop.
//
// Contract: FinishTrainJob runs on rank 0 only, after its own worker role finished
// (job/train_roles.h). It waits for every worker's final report (taking a checkpoint
// meanwhile when one is due), completes a checkpoint still in flight, writes the model
// (job/model_writer.h) and OUTPUT/train.json (settings, layout, counts, timings, the
// workers' progress over time and each rank's peak memory, ps/protocol.h kRankUsage), sends
// every server the shutdown message and removes the run's checkpoints, now obsolete. The
// job's observer (job/train_observer.h) is called just before the model is written and once
// it is published and the servers have stopped. It
// returns the exit code: 0, or the interrupted code when a stop signal ended the run after
// a checkpoint. Any other failure ends the job (FailJob).
#pragma once

#include "job/train_roles.h"
#include "job/train_state.h"

namespace item2vec {

int FinishTrainJob(const TrainJob& job, WorkerRun* run);

}  // namespace item2vec
