// TrainObserver: what the command line hooks into `item2vec train` on rank 0 without the job
// depending on it (tools/report writes the run report and exports the run's metrics through it).
//
// Contract: RunTrain calls the observer on rank 0 only, on its one thread, in this order:
// - BeforeModelWrite(options, vocab): every worker has finished and the model is not written
//   yet, so OUTPUT still holds the model this run replaces. It delays the new model, so it
//   must only note what it needs later, quickly (e.g. open a file).
// - AfterModelWrite(options, model_dir): the new model is published (model_dir is the
//   resolved OUTPUT/model.N holding train.json) and the servers have stopped. Anything it
//   writes goes through an atomic rename.
// - AtExit(options, exit_code): the code rank 0 is about to return, whatever the outcome (the
//   model's step may not have been reached; never called when another rank aborts the job).
// An observer's failure never changes the job's result: it logs a warning and returns.
// `options` is what the command line gave (possibly incomplete when parsing failed).
#pragma once

#include <string>

#include "common/train_options.h"
#include "common/vocabulary.h"

namespace item2vec {

class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void BeforeModelWrite(const TrainOptions& /*options*/, const Vocabulary& /*vocab*/) {}
  virtual void AfterModelWrite(const TrainOptions& /*options*/, const std::string& /*model_dir*/) {}
  virtual void AtExit(const TrainOptions& /*options*/, int /*exit_code*/) {}
};

}  // namespace item2vec
