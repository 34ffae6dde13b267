// What `item2vec tune` writes: the winner as an INI file `train --config` reads, every trial
// as CSV and JSON, and the search as one self-contained HTML page (inline SVG, no scripts
// or links). Formatting only: no I/O but the returned strings.
#pragma once

#include <string>
#include <vector>

#include "tools/tune/tune_sample.h"
#include "tools/tune/tune_search.h"

namespace item2vec {

struct TuneSummary {
  std::string objective = "HR@10";
  int k = 10;
  double budget_seconds = 0, spent_seconds = 0;
  int trained = 0, from_log = 0;
  std::string base_config;  // the INI of the base settings ("" = train's defaults)
  double sample = 1;               // the share of the training lines the trials trained on
  TuneSampleStats sample_stats;    // with --sample: what was asked, and the floor
  // Filled when the winner was trained on the full input and evaluated on --test.
  bool final_trained = false;
  // With --sample and --final-output: the defaults and the sample's best `full_candidates`
  // settings trained on the full input and scored on validation; the best of them wins
  // (full_valid_hr), the defaults unless beaten.
  bool full_check = false;
  int full_candidates = 0;
  double full_valid_hr = 0, full_valid_default_hr = 0;
  bool sample_winner_rejected = false;
  std::string final_model;
  bool has_test = false;
  double test_hr = 0, test_ndcg = 0;
};

// The base INI's lines (comments dropped, keys the winner sets replaced) and the winner's
// settings, with a header saying where they came from.
std::string BestIni(const std::string& base_ini_text, const Trial& best, const Trial& defaults,
                    const TuneSummary& summary);
std::string TrialsCsv(const std::vector<Trial>& trials, const std::vector<std::string>& names);
std::string TrialsJson(const std::vector<Trial>& trials, std::size_t best, const TuneSummary& summary);
std::string SearchHtml(const std::vector<Trial>& trials, std::size_t best, const std::vector<std::string>& names,
                       const TuneSummary& summary);

}  // namespace item2vec
