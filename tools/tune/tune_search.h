// TuneSearch: successive halving (Hyperband's brackets) over quasi-random settings, with a
// trial's epochs as the budget axis, resumable from its trial log.
//
// Contract:
// - Trial 0 is always the defaults (the base settings, at their full epochs). Its wall time
//   T0 sizes a budget given in default trainings (budget_defaults): budget = that × T0.
// - Then brackets follow each other, s = s_max, s_max-1, .., 0, s_max, ...: bracket s draws
//   n = ceil((s_max+1)/(s+1) · eta^s) settings from a scrambled Halton sequence over the
//   space (the draw index runs on across brackets; the scramble is fixed by the seed), trains
//   each at E/eta^s epochs (at least 1, at most its own sampled epochs; E is the middle of the
//   space's epochs range, the same for all so that a rung compares the other settings), keeps
//   the best 1/eta (rounded up) by the objective, trains those at eta times the epochs, and
//   so on; the last rung trains each at its own sampled epochs. Many cheap trials, few expensive ones. From the second bracket on, every
//   other draw is taken near the best sampled setting so far that beats the defaults (the
//   Halton point scaled to a quarter of each axis around it), so the search also refines
//   what it found; the rest keep covering the space.
// - Every trial is keyed by its settings (epochs included). A key met again, in this run or
//   in the log of an earlier one, is not trained again: its logged result is used (a logged
//   failure is tried again). So a
//   killed tune rerun with the same log walks the same schedule and trains only what the log
//   lacks (the budget counts the logged seconds, so it also stops where it would have).
// - The search stops when the seconds spent reach the budget (a trial running then finishes,
//   or is stopped by the runner's timeout: the remaining budget plus one T0; a stopped
//   trial is not logged).
// - The winner is the trial at its full epochs (a last rung) with the best objective (HR@K,
//   ties by NDCG@K, then the earlier trial): early rungs only rank settings, their few
//   epochs are not an answer (and picking the luckiest of many cheap trials would overfit the
//   validation split). When no such trial beats the defaults strictly, the defaults win.
// - Not thread-safe; the runner is called from the thread that calls Run().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "tools/tune/tune_space.h"

namespace item2vec {

struct TrialResult {
  double hr = 0, ndcg = 0;  // on the validation records, at the cut-off K
  double seconds = 0;       // wall time of training and evaluation
  bool failed = false;      // the training or its evaluation failed (scores 0)
  bool stopped = false;     // failed because the budget ran out: not logged, so a rerun with
                            // a larger budget trains it
  std::string error;
};

// Runs one trial. settings hold every option of the space, epochs included.
class TrialRunner {
 public:
  virtual ~TrialRunner() = default;
  virtual TrialResult Run(const TuneSettings& settings, double timeout_seconds) = 0;
};

struct Trial {
  int id = 0;
  int bracket = -1;  // -1: the defaults
  int rung = 0;
  int epochs = 0;
  bool is_default = false;
  bool full = false;      // trained at its own full epochs (the last rung of its bracket)
  bool from_log = false;  // result taken from the trial log, not trained in this run
  std::string key;
  TuneSettings settings;
  TrialResult result;
};

struct TuneSearchOptions {
  int eta = 3;
  int s_max = 2;  // rounds of the largest bracket - 1 (item2vec tune --rounds; its default is 2)
  std::uint64_t seed = 1;
  double budget_seconds = 0;   // > 0: the budget in seconds
  double budget_defaults = 0;  // > 0 (and no seconds): the budget in default trainings
  int max_trials = 0;          // > 0: stop after this many trials (tests)
  std::string log_path;        // the trial log (JSON lines); empty = no log
  std::string fingerprint;     // what the log must have been written for
  // Called after every trial with the trial and the search so far.
  std::function<void(const Trial&, const class TuneSearch&)> on_trial;
};

class TuneSearch {
 public:
  TuneSearch(TuneSpace space, TuneSettings defaults, TuneSearchOptions options);

  // Loads the log (refusing one written for another fingerprint), then searches.
  Status Run(TrialRunner* runner);

  const std::vector<Trial>& trials() const { return trials_; }
  // Index in trials() of the winner (0 = the defaults). REQUIRES: Run() returned.
  std::size_t best() const;
  // Indices of the best `n` trials trained at their full epochs (not the defaults, not
  // failed), best first on validation, one per setting: the candidates a --sample search
  // re-checks on the full input. Whether they beat the defaults here is not asked: on a share
  // that is the judgement that does not carry over (docs/commands/tune.md, "What the sample
  // loses on retail"); the full-input check compares each with the defaults there.
  // REQUIRES: Run() returned.
  std::vector<std::size_t> leaders(std::size_t n) const;
  bool defaults_won() const { return best() == 0; }
  double budget_seconds() const { return budget_; }
  double spent_seconds() const { return spent_; }
  int trained() const { return trained_; }  // trials trained in this run (not from the log)
  int from_log() const { return from_log_; }

  // The quasi-random point number `index` (>= 1) of the scrambled Halton sequence.
  static std::vector<double> Halton(std::uint64_t index, std::size_t dims, std::uint64_t seed);
  static std::string KeyOf(const TuneSettings& settings);

 private:
  struct Cached {
    TrialResult result;
    bool charged = false;  // its seconds counted in spent_ by this run
  };
  Status LoadLog();
  Status Append(const Trial& trial);
  // Runs (or reuses) one trial; false when the budget is spent and nothing was run.
  bool Visit(TrialRunner* runner, TuneSettings settings, int bracket, int rung, bool full, bool is_default,
             Trial* out);
  bool Exhausted() const;
  static bool Better(const TrialResult& a, const TrialResult& b);

  TuneSpace space_;
  TuneSettings defaults_;
  TuneSearchOptions options_;
  std::map<std::string, Cached> cache_;
  std::vector<Trial> trials_;
  double budget_ = 0, spent_ = 0, t0_ = 0;
  // The best trial so far other than the defaults beats, as a point of the unit cube.
  TrialResult best_result_;
  std::vector<double> best_u_;
  static constexpr double kLocalWidth = 0.25;
  int trained_ = 0, from_log_ = 0;
};

}  // namespace item2vec
