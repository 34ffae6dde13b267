// RunTimeline: what the workers' progress reports said over the run (training seconds,
// tokens read, loss, learning rate), kept on rank 0 for train.json and the run report.
//
// Contract: Add(report) keeps a sample of report.worker when at least gap() seconds of that
// worker's training time have passed since its last kept sample, and always keeps a final
// report (final = 1). A worker holds at most kMaxSamples: when full, every other sample is
// dropped (its first and last stay) and the gap doubles, so memory is bounded for a run of
// any length and the samples stay spread over the whole run. A report of an unknown worker is
// ignored. ToJson() is
//   {"gap": s, "workers": [{"worker": w, "seconds": [...], "tokens": [...], "words": [...],
//                           "loss": [...], "alpha": [...]}, ...]}
// with parallel arrays per worker ("loss" is the mean loss of the epoch so far, null before
// the epoch's first pair). Not thread-safe: rank 0's one thread drives it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ps/protocol.h"

namespace item2vec {

struct TimelineSample {
  double seconds = 0;        // the worker's training time
  std::int64_t tokens = 0;   // raw tokens read so far
  std::int64_t words = 0;    // in-vocabulary tokens trained so far
  double loss = 0;           // mean loss of the current epoch so far; NaN before its first pair
  double alpha = 0;          // learning rate
};

class RunTimeline {
 public:
  static constexpr std::size_t kMaxSamples = 512;

  RunTimeline(int workers, double gap);
  void Add(const protocol::ProgressReport& report);
  int workers() const { return static_cast<int>(samples_.size()); }
  const std::vector<TimelineSample>& samples(int worker) const { return samples_[static_cast<std::size_t>(worker)]; }
  double gap() const { return gap_; }
  std::string ToJson() const;

 private:
  void Thin();
  double gap_;
  std::vector<std::vector<TimelineSample>> samples_;
};

// How often a worker sends rank 0 a progress report: often enough for a timeline of a
// run of a few seconds (10 a second), at most half the log interval, and no more than
// about 500 reports a second into rank 0 in all however many workers there are.
double ProgressReportInterval(double progress_seconds, int workers);

}  // namespace item2vec
