// Progress reporting: workers send ProgressReports to rank 0, which logs one line for the
// whole job every few seconds (percent, tokens/s, learning rate, loss, ETA), keeps the
// final totals for train.json and the reports over time (worker/run_timeline.h).
//
// Contract: ProgressSender::MaybeSend never blocks (a report still in flight makes it skip
// this one). ProgressMonitor lives on rank 0 only; Poll() drains the reports that arrived;
// WaitForFinals() waits until every worker's final report is in, failing when no report
// at all arrives for `timeout` seconds (live workers report every few seconds).
// Thread-safety: neither class is thread-safe; both are driven by the rank's one
// Transport thread (the worker loop on every worker, the coordinator on rank 0).
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "common/status.h"
#include "common/transport.h"
#include "ps/protocol.h"
#include "worker/run_timeline.h"

namespace item2vec {

class ProgressSender {
 public:
  ProgressSender(Transport* t, double interval) : t_(t), interval_(interval), last_(Clock::now()) {}
  void MaybeSend(const protocol::ProgressReport& report);
  Status SendFinal(const protocol::ProgressReport& report, double timeout);

 private:
  using Clock = std::chrono::steady_clock;
  Transport* t_;
  double interval_;
  Clock::time_point last_;
  protocol::ProgressReport buffer_;
  Transport::Handle handle_ = -1;
};

class ProgressMonitor {
 public:
  ProgressMonitor(Transport* t, int num_workers, std::int64_t total_words, double interval);
  // Records rank 0's own report and drains others'; logs when the interval has passed.
  void Update(const protocol::ProgressReport& own);
  // `between_polls` (may be empty) runs on each round, e.g. to checkpoint while waiting;
  // its error ends the wait.
  Status WaitForFinals(const protocol::ProgressReport& own_final, double timeout,
                       const std::function<Status()>& between_polls = {});
  // Drains the reports that arrived, without logging.
  void Poll() { Drain(); }
  bool IsFinal(int worker) const { return reports_[static_cast<std::size_t>(worker)].final != 0; }
  const protocol::ProgressReport& report(int worker) const { return reports_[static_cast<std::size_t>(worker)]; }
  // Sums over workers (valid after WaitForFinals).
  protocol::ProgressReport Totals() const;
  const std::vector<protocol::ProgressReport>& reports() const { return reports_; }
  // Every worker's reports over the run, thinned (worker/run_timeline.h).
  const RunTimeline& timeline() const { return timeline_; }

 private:
  using Clock = std::chrono::steady_clock;
  bool Drain();
  void Log();
  Transport* t_;
  int workers_;
  std::int64_t total_words_;
  double interval_;
  Clock::time_point start_, last_log_;
  std::vector<protocol::ProgressReport> reports_;
  RunTimeline timeline_;
};

}  // namespace item2vec
