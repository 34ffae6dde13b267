// `item2vec train`: the whole distributed job, run by every rank of the MPI world.
//
// Contract: RunTrainCommand is the command's entry (common/command.h: options from the command
// line and --config, --help, MPI on every rank, the catch-all that ends every rank with exit
// code 1 on an exception); RunTrain then validates the options (identically on every rank), sets
// up roles (ranks [0, W) workers, [W, W+S) servers), builds the vocabulary from the
// workers' shard counts, trains, and has rank 0 write the model. It returns the process
// exit code. Errors that every rank sees (bad options, missing input, empty vocabulary)
// are printed once by rank 0 and all ranks return the same code; an error on one rank
// during training is logged by that rank and ends the whole job (MPI_Abort) at once.
// The steps, in order, each with its own contract: job/train_setup.h, train_vocabulary.h,
// train_memory.h, train_roles.h, train_finish.h; what they share is job/train_state.h.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

class MpiSession;
class TrainObserver;
struct TrainOptions;

// observer (may be null): called on rank 0 around the model write and at the end
// (job/train_observer.h).
int RunTrainCommand(const std::vector<std::string>& args, TrainObserver* observer = nullptr);
int RunTrain(const MpiSession& mpi, const TrainOptions& options, TrainObserver* observer = nullptr);

}  // namespace item2vec
