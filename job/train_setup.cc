#include "job/train_setup.h"

#include <iostream>

#include <spdlog/spdlog.h>

#include "common/faulty_transport.h"
#include "common/logging.h"
#include "common/mpi_transport.h"
#include "common/stop_signal.h"
#include "job/rank_collectives.h"

namespace item2vec {

StepExit SetUpTrainJob(const MpiSession& mpi, const std::vector<std::string>& args, TrainJob* job) {
  job->start = TrainJob::Clock::now();
  const int rank = job->rank = mpi.rank();
  const int world = job->world = mpi.size();
  TrainOptions& o = job->options;
  bool help = false;
  Status st = ParseTrainOptions(args, &o, &help);
  if (help) {
    if (rank == 0) {
      std::string config;
      TrainOptions defaults;
      std::cout << "Usage: mpirun -np N item2vec train --input PATH --output DIR [options]\n\n"
                   "Trains item embeddings with skip-gram negative sampling (word2vec.c semantics) on\n"
                   "N MPI ranks: the last --servers ranks hold the model, the others read the input.\n\n"
                << TrainOptionsDescription(&defaults, &config) << "\n";
    }
    return 0;
  }
  if (st.ok()) st = Validate(o, world);
  job->servers = st.ok() ? o.ServerCount(world) : 1;
  job->workers = world - job->servers;
  job->is_server = rank >= job->workers;
  if (Status ls = InitLogging(rank, job->is_server ? "server" : "worker", st.ok() ? o.log_level : "info");
      !ls.ok() && st.ok())
    st = ls;
  if (!st.ok()) {
    if (rank == 0) spdlog::error("{}", st.ToString());
    return ExitCodeOf(st);
  }
  Result<FaultSpec> fault = ParseFaultSpec(o.debug_fault);
  if (!fault.ok()) {
    if (rank == 0) spdlog::error("{}", fault.status().ToString());
    return ExitCodeOf(fault.status());
  }
  job->transport = std::make_unique<MpiTransport>();
  if (fault->kind != FaultSpec::Kind::kNone)
    job->transport = std::make_unique<FaultyTransport>(std::move(job->transport), *fault);
  Transport& transport = *job->transport;

  // Rank 0 checks input and output before anyone reads a byte.
  Result<std::vector<InputFile>> files = Status::Internal("unset");
  if (rank == 0) {
    files = ListInputFiles(o.input);
    if (files.ok()) {
      Status out = EnsureWritableDirectory(o.output);
      if (!out.ok()) files = out;
    }
  }
  if (StepExit exit = ShareFromRankZero(transport, &files)) return exit;
  job->files = std::move(files.value());
  if (rank == 0)
    spdlog::info("{} ranks: {} workers, {} servers; {} input file(s); dim {} window {} negative {} epochs {}", world,
                 job->workers, job->servers, job->files.size(), o.dim, o.window, o.negative, o.epochs);
  if (rank == 0 && !transport.HostOf(0).empty()) {
    // Where every rank runs, so a lost host in a later error can be matched to its ranks.
    std::string placement;
    for (int r = 0; r < world; ++r)
      placement += fmt::format("{}{} {} on {}", r == 0 ? "" : ", ", r < job->workers ? "worker" : "server", r,
                               transport.HostOf(r));
    spdlog::info("placement: {}", placement);
  }
  InstallStopSignalHandlers();
  return std::nullopt;
}

}  // namespace item2vec
