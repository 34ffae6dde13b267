// Options of `item2vec walk`: what the user types (WalkOptions) and the checked values the
// pipeline runs on (WalkConfig).
//
// Contract: ParseWalkOptions fills WalkOptions from the arguments (common/command_line.h;
// --config INI supported). ResolveWalkOptions checks every value and combination and
// returns a WalkConfig, or InvalidArgument with a message that names the option and says
// what is accepted. WalkOptionsDescription is the one list of options and their --help
// text, from the table tools/walk/walk_options.opt. Plain values; read-only after resolution.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "common/option_table.h"
#include "common/status.h"
#include "tools/walk/walker.h"

namespace item2vec {

struct WalkOptions {
  std::vector<std::string> input;
  std::string output;
  std::string method = "deepwalk";
  double p = 1.0, q = 1.0;
  std::string sampler = "alias";
  int walks_per_item = 10;
  int walk_length = 40;
  int window = 1;
  bool undirected = false;
  std::int64_t min_count = 1;
  std::uint64_t seed = 1;
  std::string memory = "4G";
  double progress_seconds = 10.0;
  std::string log_level = "info";
};

struct WalkConfig {
  std::vector<std::string> input;
  std::string output;
  WalkParams params;
  int walks_per_item = 10;
  int window = 1;
  bool undirected = false;
  std::int64_t min_count = 1;
  std::uint64_t seed = 1;
  std::int64_t memory_bytes = 0;
  double progress_seconds = 10.0;
};

// The option table (tools/walk/walk_options.opt, generated at build time), by group.
std::vector<OptionGroup> WalkOptionGroups(WalkOptions* options, std::string* config_path);
boost::program_options::options_description WalkOptionsDescription(WalkOptions* options, std::string* config_path);
Status ParseWalkOptions(const std::vector<std::string>& args, WalkOptions* options, bool* help_requested);
Result<WalkConfig> ResolveWalkOptions(const WalkOptions& options);

const char* WalkMethodName(WalkMethod m);
const char* SamplerName(SecondOrderSampler s);

}  // namespace item2vec
