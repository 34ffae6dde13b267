#include "tools/walk/walk_options.h"

#include <cmath>
#include <cstdio>

#include <boost/program_options.hpp>

#include "common/command_line.h"
#include "common/shared_options.h"
#include "common/units.h"

namespace po = boost::program_options;

namespace item2vec {

po::options_description WalkOptionsDescription(WalkOptions* o, std::string* config_path) {
  po::options_description io("Input and output");
  io.add_options()
      ("input,i", po::value(&o->input)->multitoken()->composing(),
       "sequence file(s) or director(ies) of them, as `item2vec train` reads: one sequence per "
       "line of whitespace-separated items, e.g. prep's DIR/train (required; may repeat). .gz and "
       ".zst files are read streamed (each whole by one rank)")
      ("output,o", po::value(&o->output),
       "output directory: part-NNNNN (one per rank; one walk per line, the items as in the input) "
       "and _summary.json, which train skips; give the directory to `item2vec train --input` (required)");
  AddConfigOption(&io, config_path);
  po::options_description graph("Graph");
  graph.add_options()
      ("window", po::value(&o->window)->default_value(o->window),
       "an edge a -> b is counted each time b follows a at most this many positions later in a "
       "sequence; its weight is that count")
      ("undirected", po::bool_switch(&o->undirected),
       "count every transition in both directions (b -> a too), so no item that has a neighbour "
       "is a dead end; default: directed, as the sequences run")
      ("min-count", po::value(&o->min_count)->default_value(o->min_count),
       "leave out items seen fewer times in the whole input (they are removed from the sequences "
       "before edges are counted)");
  po::options_description walks("Walks");
  walks.add_options()
      ("method", po::value(&o->method)->default_value(o->method),
       "deepwalk: each step follows an out-edge with probability proportional to its weight; "
       "node2vec: second-order steps biased by --p and --q")
      ("p", po::value(&o->p)->default_value(o->p),
       "node2vec return parameter: a step back to the previous item is weighted 1/p (small p: "
       "walks stay local)")
      ("q", po::value(&o->q)->default_value(o->q),
       "node2vec in-out parameter: a step to an item not adjacent to the previous one is weighted "
       "1/q (q < 1: outward, DFS-like; q > 1: inward, BFS-like); items adjacent to it weigh 1")
      ("sampler", po::value(&o->sampler)->default_value(o->sampler),
       "node2vec sampling: alias (the paper's precomputed alias table per edge, O(1) per step, "
       "memory 8 bytes x sum over items of in-degree x out-degree; refused beyond --memory) or "
       "rejection (KnightKing-style: first-order proposal accepted with probability bias / max "
       "bias; no per-edge tables, a few draws per step). Ignored by deepwalk")
      ("walks-per-item", po::value(&o->walks_per_item)->default_value(o->walks_per_item),
       "walks started from every item that has an out-edge")
      ("walk-length", po::value(&o->walk_length)->default_value(o->walk_length),
       "items per walk (at least 2); a walk that reaches an item without out-edges ends there")
      ("seed", po::value(&o->seed)->default_value(o->seed),
       "random seed; walk k from item v draws from its own stream seeded by (seed, v, k), so "
       "the walks are the same whatever the number of ranks");
  po::options_description run("Resources and reporting");
  run.add_options()
      ("memory", po::value(&o->memory)->default_value(o->memory),
       "memory budget per rank (K, M, G suffixes) for the edge counts and the graph with its "
       "sampling tables; every rank holds the whole graph. Refused with the size needed when over");
  AddProgressOption(&run, &o->progress_seconds);
  AddLogLevelOption(&run, &o->log_level);
  po::options_description all("item2vec walk options");
  all.add_options()("help,h", "print this help and exit");
  all.add(io).add(graph).add(walks).add(run);
  return all;
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
