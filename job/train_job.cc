#include "job/train_job.h"

#include "common/command.h"
#include "common/job_result.h"
#include "common/train_options.h"
#include "job/train_finish.h"
#include "job/train_memory.h"
#include "job/train_observer.h"
#include "job/train_roles.h"
#include "job/train_setup.h"
#include "job/train_state.h"
#include "job/train_vocabulary.h"

namespace item2vec {
namespace {

int RunTrainSteps(const MpiSession& mpi, const TrainOptions& options, TrainJob* job_ptr) {
  TrainJob& job = *job_ptr;
  // 1. Options, logging, transport; rank 0 checks input and output before anyone reads a byte.
  if (StepExit exit = SetUpTrainJob(mpi, options, &job)) return *exit;
  // 2. Resume point, then the vocabulary: from the checkpoint, or counted by the workers.
  if (StepExit exit = BuildJobVocabulary(&job)) return *exit;
  // 3. Every node must have the memory its ranks need (and --dry-run stops here).
  if (StepExit exit = CheckJobMemory(job)) return *exit;
  // 4. Train: servers serve, workers train their shards. Declared after `job`, whose
  // transport and vocabulary it points at, so that it goes first.
  WorkerRun run;
  if (StepExit exit = RunRole(&job, &run)) return *exit;
  // 5. Rank 0 waits for everyone, writes the model and train.json, then stops the servers.
  return FinishTrainJob(job, &run);
}

}  // namespace

int RunTrain(const MpiSession& mpi, const TrainOptions& options, TrainObserver* observer) {
  TrainJob job;
  job.observer = observer;
  const int code = RunTrainSteps(mpi, options, &job);
  // Rank 0, once it holds the output directory: the outcome for scripts (job_result.h).
  RecordJobResult(code, code == 0    ? "ok"
                        : code == 75 ? "stopped by a signal (after saving a checkpoint once training had begun); "
                                       "rerun with --resume=if-possible"
                                     : "failed; see the log");
  if (job.rank == 0 && observer != nullptr) observer->AtExit(job.options, code);
  return code;
}

int RunTrainCommand(const std::vector<std::string>& args, TrainObserver* observer) {
  TrainOptions options;
  std::string config_path;
  Command c("train",
            "Usage: mpirun -np N item2vec train --input PATH --output DIR [options]\n\n"
            "Trains item embeddings with skip-gram negative sampling (word2vec.c semantics) on\n"
            "N MPI ranks: the last --servers ranks hold the model, the others read the input.\n\n",
            TrainOptionsDescription(&options, &config_path));
  c.mpi = Command::Mpi::kAlways;
  c.log_role = "train";  // SetUpTrainJob logs as "worker" or "server" once the layout is known
  c.after_parse = [&] { return FinishTrainOptions(&options); };
  c.body = [&](CommandContext& ctx) { return RunTrain(*ctx.mpi(), options, observer); };
  return RunCommand(c, args);
}

}  // namespace item2vec
