// TuneOptions: every setting of `item2vec tune` (tools/tune/tune_command.h), as typed.
//
// Contract: AddTuneOptions adds tune's options to *options, bound to *o's fields, with their
// defaults (the fields' values at the call) and help, from the table tools/tune/tune_options.opt
// (generated at build time). A plain value; read-only once parsed, but for base_min_count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

namespace item2vec {

struct TuneOptions {
  std::vector<std::string> input;
  std::string valid, test, output, space, train_config, final_output;
  std::string budget = "20x";
  std::string launcher = "mpirun";
  std::string query = "last";
  double sample = 1.0;
  int np = 2;
  int servers = 1;
  int k = 10;
  std::uint64_t seed = 1;
  int max_trials = 0;
  int rounds = 2;
  int eta = 3;
  int full_candidates = 3;
  std::int64_t sample_min_tokens = 300000;
  std::string log_level = "info";
  long base_min_count = 5;  // the base settings' min-count (set from --train-config in Run)
};

void AddTuneOptions(boost::program_options::options_description* options, TuneOptions* o);

}  // namespace item2vec
