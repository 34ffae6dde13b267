// TrainReporter: what `item2vec train` does on rank 0 after the model (job/train_observer.h):
// writes the run report (run_report.h) and exports the run's figures to Prometheus
// (tools/report/prometheus.h), as its RunReportOptions ask.
//
// Contract:
// - BeforeModelWrite: without --init-from, the model this run replaces (OUTPUT's published
//   model) is the report's "previous model"; the new model's publish deletes it, so what the
//   report needs of it is read now, in memory (model_change.h ReadPreviousModel: its first
//   --report-items rows and one pass over its vocab.tsv against the new vocabulary). A model
//   that cannot be read is a warning (no comparison).
// - AfterModelWrite writes the report (the hold-out, titles, head size of the options); a
//   failure is a warning: the model is published and the run still succeeds.
// - AtExit, with --pushgateway and/or --metrics-textfile: after a written model, the run's
//   figures replace the job's previous ones; after a failure (any non-zero code), only the
//   exit code, duration and failure time are updated (the last success's figures stay). A run
//   that wrote nothing and succeeded (--help, --dry-run) exports nothing. Export failures are
//   warnings.
// Rank 0's one thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/json_reader.h"
#include "job/train_observer.h"
#include "tools/report/model_change.h"

namespace item2vec {

class TrainReporter : public TrainObserver {
 public:
  TrainReporter();
  void BeforeModelWrite(const TrainOptions& options, const Vocabulary& vocab) override;
  void AfterModelWrite(const TrainOptions& options, const std::string& model_dir) override;
  void AtExit(const TrainOptions& options, int exit_code) override;

 private:
  std::chrono::steady_clock::time_point start_;
  std::optional<PreviousModel> replaced_;  // the model this run replaced, read before the write
  std::string model_dir_;  // set once the model is written
  JsonValue eval_;
  double report_seconds_ = -1;
};

}  // namespace item2vec
