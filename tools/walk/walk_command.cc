#include "tools/walk/walk_command.h"

#include <string>

#include <spdlog/spdlog.h>

#include "common/command.h"
#include "common/units.h"
#include "tools/walk/walk_options.h"
#include "tools/walk/walk_pipeline.h"

namespace item2vec {
namespace {

void LogAnnouncement(const WalkConfig& c) {
  spdlog::info("{} walks: {} per item, length {}, window {}, {}{}, seed {}", WalkMethodName(c.params.method),
               c.walks_per_item, c.params.length, c.window, c.undirected ? "undirected" : "directed",
               c.params.method == WalkMethod::kNode2vec
                   ? fmt::format(", p {} q {}, sampler {}", c.params.p, c.params.q, SamplerName(c.params.sampler))
                   : std::string(),
               c.seed);
}

void LogSummary(const WalkSummary& s, const WalkConfig& c) {
  spdlog::info("done in {:.1f}s: graph {} nodes, {} edges ({}); {} walks, {} tokens ({} ended early at a dead end) "
               "-> {}", s.seconds, s.nodes, s.edges, HumanBytes(s.csr_bytes + s.table_bytes), s.walks.walks, s.walks.tokens,
               s.walks.dead_end_walks, c.output);
  if (s.walks.proposals > 0)
    spdlog::info("rejection sampling: {} proposals, {:.1f}% rejected{}", s.walks.proposals,
                 100.0 * static_cast<double>(s.walks.rejections) / static_cast<double>(s.walks.proposals),
                 s.walks.exact_steps > 0 ? "; " + std::to_string(s.walks.exact_steps) + " steps drawn exactly after " +
                                               std::to_string(Walker::kMaxProposals) + " refusals (p or q far from 1)"
                                         : std::string());
  spdlog::info("train on them: item2vec train --input {} --output MODEL/ ...", c.output);
}

}  // namespace

int RunWalkCommand(const std::vector<std::string>& args) {
  WalkOptions options;
  std::string config_path;
  Command c("walk",
            "Usage: item2vec walk --input SEQS --output WALKS/ [--method deepwalk|node2vec --p P --q Q] [options]\n\n"
            "Graph embeddings from behaviour sequences: builds the item transition graph (a directed\n"
            "edge a -> b weighted by how often b follows a within --window positions) and writes\n"
            "random walks over it as sequence files, which `item2vec train --input WALKS/` reads\n"
            "like any other (DeepWalk / node2vec = word2vec on walks).\n\n"
            "DeepWalk steps follow the edge weights (an alias table per item). node2vec steps are\n"
            "second order: after t -> v, the step to x is weighted w(v,x)/p when x = t, w(v,x) when\n"
            "t -> x is an edge, else w(v,x)/q, drawn from precomputed per-edge alias tables as in the\n"
            "paper (--sampler alias), or, where those do not fit --memory, by rejection sampling\n"
            "from the first-order tables (--sampler rejection, as KnightKing does): the same walks'\n"
            "distribution without the per-edge tables.\n\n"
            "An item without out-edges is a dead end: no walk starts there and a walk that reaches\n"
            "it ends early (--undirected removes dead ends); an item in no edge is isolated and in\n"
            "no walk. Both are counted in the summary, with the graph's size and memory.\n\n"
            "Under mpirun (mpirun -np N item2vec walk ...) the N ranks share the reading (edges\n"
            "counted per shard, merged on every rank: each rank holds the whole graph) and the\n"
            "walks (rank r writes WALKS/part-<r> from its share of the start items). Each walk has\n"
            "its own random stream (seed, start item, walk number), so the walks do not depend on N:\n"
            "`cat WALKS/part-* | sort` gives the same bytes for any N. WALKS must be on a file\n"
            "system every rank sees.\n\n"
            "Example (MovieLens, node2vec, then train and evaluate):\n"
            "  item2vec prep -i ratings.csv -o ml/ --user-col userId --item-col movieId \\\n"
            "      --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last\n"
            "  item2vec walk -i ml/train -o ml/walks --method node2vec --p 1 --q 0.5\n"
            "  mpirun -np 2 item2vec train --input ml/walks --output ml/model --servers 1\n"
            "  item2vec eval --model ml/model --test ml/test.tsv --train ml/train\n\n",
            WalkOptionsDescription(&options, &config_path));
  c.epilog = "Exit codes: 0 ok, 2 bad options or a graph over --memory, 3 missing, empty or unusable\n"
             "input, 4 write failure.\n";
  return RunSharedWorkCommand(c, args, [&](CommandContext& ctx) {
    return RunSharedWork(ctx, ResolveWalkOptions(options), options.log_level, RunWalk, LogSummary, LogAnnouncement);
  });
}

}  // namespace item2vec
