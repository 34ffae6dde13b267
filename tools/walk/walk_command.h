// `item2vec walk`: the command-line edge of the random-walk corpus builder.
//
// Contract: RunWalkCommand takes the entry path of every command (common/command.h: options
// from the command line and --config, --help, logging, MPI under a launcher, the catch-all),
// then resolves the options, runs RunWalk (walk_pipeline.h), logs the summary and returns the
// exit code: 0 success, 2 bad options or a --memory budget the graph does not fit, 3 missing or
// unusable input, 4 an output write failure (ExitCodeOf). Under mpirun (the launcher's size >
// 1) every rank takes a share of the work through a CollectiveComm over MpiTransport; every
// rank returns the same exit code and rank 0 reports. A collective that fails on one rank or an
// exception ends every rank.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

int RunWalkCommand(const std::vector<std::string>& args);

}  // namespace item2vec
