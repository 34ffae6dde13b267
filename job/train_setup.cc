#include "job/train_setup.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/faulty_transport.h"
#include "common/job_result.h"
#include "common/logging.h"
#include "common/model_dir.h"
#include "common/mpi_transport.h"
#include "common/stop_signal.h"
#include "job/rank_collectives.h"

namespace item2vec {
namespace {

// Whether `path` is `dir` or inside it (both made absolute, links resolved where they exist).
bool IsInside(const std::string& path, const std::string& dir) {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  const std::filesystem::path d = std::filesystem::weakly_canonical(dir, ec);
  auto pi = p.begin();
  for (auto di = d.begin(); di != d.end(); ++di, ++pi)
    if (di->empty()) continue;
    else if (pi == p.end() || *pi != *di) return false;
  return true;
}

// Takes the output directory's lock (and the checkpoint directory's, when it is elsewhere:
// two jobs must not share checkpoints either) and removes what a killed run left there.
Status LockOutput(const TrainOptions& o, OutputLock* lock, OutputLock* checkpoint_lock) {
  ITEM2VEC_RETURN_IF_ERROR(lock->Acquire(o.output, "item2vec train --output " + o.output));
  if (!IsInside(o.CheckpointDir(), o.output)) {
    ITEM2VEC_RETURN_IF_ERROR(EnsureWritableDirectory(o.CheckpointDir()).WithContext("--checkpoint-dir"));
    ITEM2VEC_RETURN_IF_ERROR(checkpoint_lock->Acquire(
        o.CheckpointDir(), "item2vec train --output " + o.output + " --checkpoint-dir " + o.CheckpointDir()));
  }
  if (!lock->taken_over().empty())
    spdlog::warn("{}: took over the lock of a job that is gone: {}", o.output, lock->taken_over());
  ITEM2VEC_RETURN_IF_ERROR(CheckOutputNamesAreOurs(o.output));
  Result<int> removed = RemoveModelDebris(o.output);
  if (!removed.ok()) return removed.status();
  if (*removed > 0) spdlog::info("removed {} unfinished file(s) of an earlier run from {}", *removed, o.output);
  StartJobResult(o.output);
  return Status::Ok();
}

}  // namespace

StepExit SetUpTrainJob(const MpiSession& mpi, const TrainOptions& options, TrainJob* job) {
  job->start = TrainJob::Clock::now();
  const int rank = job->rank = mpi.rank();
  const int world = job->world = mpi.size();
  TrainOptions& o = job->options;
  o = options;
  Status st = Validate(o, world);
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

  // Rank 0 checks input and output before anyone reads a byte, and locks the output.
  Result<std::vector<InputFile>> files = Status::Internal("unset");
  if (rank == 0) {
    files = ListInputFiles(o.input);
    if (files.ok()) {
      Status out = CheckOutputApartFromInputs(o.input, o.output, "--output");
      if (out.ok()) out = EnsureWritableDirectory(o.output);
      if (out.ok()) out = LockOutput(o, &job->output_lock, &job->checkpoint_lock);
      if (!out.ok()) files = out;
    }
  }
  if (StepExit exit = ShareFromRankZero(transport, &files)) return exit;
  job->files = std::move(files.value());
  // Rank 0 holds the output now: a rank that ends the job records why there too.
  if (rank != 0) AttachJobResult(o.output);
  if (rank == 0)
    spdlog::info("{} ranks: {} workers, {} servers; {} input file(s); dim {} window {} negative {} epochs {}", world,
                 job->workers, job->servers, job->files.size(), o.dim, o.window, o.negative, o.epochs);
  if (rank == 0) WarnAboutCompressedShards(job->files, job->workers);
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
