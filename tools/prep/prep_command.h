// `item2vec prep`: the command-line edge of the event-log preparation.
//
// Contract: RunCollectiveCommand parses the options (args without the subcommand), sets up
// logging, runs RunPrep, prints a one-line result, and returns the process exit code:
// 0 success, 2 bad options or columns that do not match the input, 3 missing input, a bad
// row under --strict or an empty result, 4 an output write failure (see ExitCodeOf).
// Under mpirun (OMPI_COMM_WORLD_SIZE, PMIX_SIZE or PMI_SIZE > 1) it initialises MPI and
// every rank takes a share of the work (RunPrep with a CollectiveComm over MpiTransport); every
// rank returns the same exit code, and rank 0 prints the result. A collective that fails on
// one rank (CollectiveComm::broken) or an exception ends every rank through Transport::Abort, with
// the message logged by that rank. Otherwise it is one process, no MPI.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

int RunCollectiveCommand(const std::vector<std::string>& args);

}  // namespace item2vec
