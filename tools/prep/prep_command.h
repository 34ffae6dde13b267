// `item2vec prep`: the command-line edge of the event-log preparation.
//
// Contract: RunPrepCommand takes the entry path of every command (common/command.h: options
// from the command line and --config, --help, logging, MPI under a launcher, the catch-all),
// then resolves the options, runs RunPrep, logs a one-line result, and returns the process
// exit code: 0 success, 2 bad options or columns that do not match the input, 3 missing
// input, a bad row under --strict or an empty result, 4 an output write failure (see
// ExitCodeOf). Under mpirun (OMPI_COMM_WORLD_SIZE, PMIX_SIZE or PMI_SIZE > 1) every rank takes
// a share of the work (RunPrep with a CollectiveComm over MpiTransport); every rank returns the
// same exit code, and rank 0 logs the result. A collective that fails on one rank
// (CollectiveComm::broken) ends every rank, with the message logged by that rank. Otherwise it
// is one process, no MPI.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

int RunPrepCommand(const std::vector<std::string>& args);

}  // namespace item2vec
