#include "tools/walk/walk_options.h"

#include <cmath>
#include <cstdio>

#include <boost/program_options.hpp>

#include "common/command_line.h"
#include "common/option_table.h"
#include "common/units.h"

namespace po = boost::program_options;

namespace item2vec {

po::options_description WalkOptionsDescription(WalkOptions* o, std::string* config_path) {
  return OptionsWithHelp("item2vec walk options", WalkOptionGroups(o, config_path));
}

Status ParseWalkOptions(const std::vector<std::string>& args, WalkOptions* options, bool* help_requested) {
  std::string config_path;
  return ParseCommandOptions(WalkOptionsDescription(options, &config_path), args, "walk", help_requested);
}

Result<WalkConfig> ResolveWalkOptions(const WalkOptions& o) {
  auto bad = [](const std::string& m) { return Status::InvalidArgument(m + " (see item2vec walk --help)"); };
  WalkConfig c;
  if (o.input.empty()) return bad("--input is required: the sequence files or directories to walk");
  if (o.output.empty()) return bad("--output is required: the directory the walks go to");
  c.input = o.input;
  c.output = o.output;
  if (o.method == "deepwalk") c.params.method = WalkMethod::kDeepWalk;
  else if (o.method == "node2vec") c.params.method = WalkMethod::kNode2vec;
  else return bad("--method must be deepwalk or node2vec, got '" + o.method + "'");
  if (o.sampler == "alias") c.params.sampler = SecondOrderSampler::kAlias;
  else if (o.sampler == "rejection") c.params.sampler = SecondOrderSampler::kRejection;
  else return bad("--sampler must be alias or rejection, got '" + o.sampler + "'");
  if (!(o.p > 0) || !std::isfinite(o.p)) return bad("--p must be a positive number, got " + std::to_string(o.p));
  if (!(o.q > 0) || !std::isfinite(o.q)) return bad("--q must be a positive number, got " + std::to_string(o.q));
  // Beyond these, weight x 1/p (or 1/q) can overflow a double; 1e-100 already means "always".
  for (const auto& [name, value] : {std::pair<const char*, double>{"--p", o.p}, {"--q", o.q}})
    if (value < kMinBiasParameter || value > kMaxBiasParameter) {
      char msg[160];
      std::snprintf(msg, sizeof msg, "%s must be between %g and %g, got %g", name, kMinBiasParameter,
                    kMaxBiasParameter, value);
      return bad(msg);
    }
  if (c.params.method == WalkMethod::kDeepWalk && (o.p != 1.0 || o.q != 1.0))
    return bad("--p and --q bias node2vec walks only: add --method node2vec");
  c.params.p = o.p;
  c.params.q = o.q;
  if (o.walk_length < 2) return bad("--walk-length must be at least 2, got " + std::to_string(o.walk_length));
  c.params.length = o.walk_length;
  if (o.walks_per_item < 1) return bad("--walks-per-item must be at least 1, got " + std::to_string(o.walks_per_item));
  c.walks_per_item = o.walks_per_item;
  if (o.window < 1) return bad("--window must be at least 1, got " + std::to_string(o.window));
  c.window = o.window;
  if (o.min_count < 1) return bad("--min-count must be at least 1, got " + std::to_string(o.min_count));
  c.min_count = o.min_count;
  c.undirected = o.undirected;
  c.seed = o.seed;
  Result<std::int64_t> memory = ParseByteSize(o.memory);
  if (!memory.ok()) return memory.status().WithContext("--memory");
  if (memory.value() < (1 << 20)) return bad("--memory must be at least 1M, got '" + o.memory + "'");
  c.memory_bytes = memory.value();
  if (!(o.progress_seconds > 0)) return bad("--progress-seconds must be positive");
  c.progress_seconds = o.progress_seconds;
  return c;
}

const char* WalkMethodName(WalkMethod m) { return m == WalkMethod::kDeepWalk ? "deepwalk" : "node2vec"; }
const char* SamplerName(SecondOrderSampler s) { return s == SecondOrderSampler::kAlias ? "alias" : "rejection"; }

}  // namespace item2vec
