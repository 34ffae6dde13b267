// The train command's first step: options, logging, transport, input check, stop signals.
//
// Contract: SetUpTrainJob takes the options as the command's entry path parsed them
// (identically on every rank; job/train_job.h), validates them against the world size,
// derives the rank layout, starts logging for this rank's role, builds the transport (MPI,
// wrapped in a FaultyTransport with --debug-fault), has rank 0 list the input files and check
// that the output directory is writable, broadcasts that result, and installs the stop-signal
// handlers. Errors every rank sees (bad options, no input, unwritable output) are logged once
// by rank 0 and end every rank with the same exit code. A collective: every rank calls it.
#pragma once

#include "common/train_options.h"
#include "job/train_state.h"

namespace item2vec {

class MpiSession;

StepExit SetUpTrainJob(const MpiSession& mpi, const TrainOptions& options, TrainJob* job);

}  // namespace item2vec
