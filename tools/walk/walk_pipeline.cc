#include "tools/walk/walk_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/input_files.h"
#include "common/random.h"
#include "common/sequence_reader.h"
#include "common/units.h"
#include "common/vocabulary.h"
#include "tools/walk/edge_counter.h"
#include "tools/walk/item_graph.h"
#include "tools/walk/walker.h"

namespace fs = std::filesystem;

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t kMaxSentence = 100000;  // longer lines are cut (counted in split_lines)
constexpr std::uint64_t kPermutationStream = std::uint64_t{1} << 40;  // above every item id

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string PartName(int rank) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-%05d", rank);
  return name;
}

// The part number of "part-NNNNN", or -1.
int PartNumber(const std::string& name) {
  if (name.size() != 10 || name.compare(0, 5, "part-") != 0) return -1;
  if (!std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
  return std::stoi(name.substr(5));
}

class Progress {
 public:
  Progress(double every, bool on) : every_(every), on_(on), last_(Clock::now()) {}
  bool Due() {
    if (!on_ || SecondsSince(last_) < every_) return false;
    last_ = Clock::now();
    return true;
  }

 private:
  double every_;
  bool on_;
  Clock::time_point last_;
};

Status CountItems(SequenceReader* reader, ItemCounter* counter, Progress* progress) {
  std::vector<std::string_view> items;
  while (reader->Next(&items)) {
    for (std::string_view item : items) counter->Add(item);
    if (progress->Due())
      spdlog::info("counting items: {} lines, {} distinct items so far on rank 0", reader->stats().lines,
                   counter->distinct());
  }
  return reader->status();
}

Result<Vocabulary> MergeItemCounts(CollectiveComm& comm, const ItemCounter& mine, std::int64_t min_count,
                                   std::int64_t* distinct) {
  ByteWriter w;
  for (const auto& [item, count] : mine.counts()) {
    w.Str(item);
    w.Int(count);
  }
  std::vector<std::string> all;
  ITEM2VEC_RETURN_IF_ERROR(AllgatherBytes(comm, w.bytes(), &all));
  w.bytes().clear();
  ItemCounter merged;
  for (const std::string& bytes : all) {
    ByteReader r(bytes);
    while (!r.done()) {
      const std::string item(r.Str());
      const std::int64_t count = r.Int();
      if (r.failed()) return Status::Internal("walk: a rank sent malformed item counts");
      merged.Add(item, count);
    }
  }
  *distinct = static_cast<std::int64_t>(merged.distinct());
  return Vocabulary::Build(merged, min_count, 0);
}

Status CountEdges(const WalkConfig& config, const Vocabulary& vocab, SequenceReader* reader, EdgeCounter* edges,
                  Progress* progress) {
  std::vector<std::string_view> items;
  std::vector<ItemId> ids;
  std::int64_t lines = 0;
  auto over_budget = [&] {
    return Status::InvalidArgument(
        "the edge counts of this rank's share of the input need " + HumanBytes(edges->ApproxBytes()) +
        ", over --memory " + HumanBytes(config.memory_bytes) + " (" + std::to_string(edges->distinct()) +
        " distinct transitions after " + std::to_string(lines) + " lines, " + reader->Where() +
        "): raise --memory, or share the input over more ranks (mpirun -np N), or shrink the graph with "
        "--min-count or a smaller --window");
  };
  const std::uint64_t budget = static_cast<std::uint64_t>(config.memory_bytes);
  while (reader->Next(&items)) {
    ids.clear();
    for (std::string_view item : items) {
      const ItemId id = vocab.Find(item);
      if (id != Vocabulary::kNotFound) ids.push_back(id);
    }
    edges->AddSequence(ids, config.window, config.undirected);
    if (++lines % 4096 == 0 && edges->ApproxBytes() > budget) return over_budget();
    if (progress->Due())
      spdlog::info("counting edges: {} lines, {} distinct transitions so far on rank 0", lines, edges->distinct());
  }
  if (edges->ApproxBytes() > budget) return over_budget();
  return reader->status();
}

Status CheckMemoryPlan(const WalkConfig& config, const WalkSummary& s) {
  if (s.peak_bytes <= static_cast<std::uint64_t>(config.memory_bytes)) return Status::Ok();
  std::string msg = "the graph needs " + HumanBytes(s.peak_bytes) + " per rank, over --memory " + HumanBytes(config.memory_bytes) +
                    " (CSR " + HumanBytes(s.csr_bytes) + ", sampling tables " + HumanBytes(s.table_bytes) +
                    ", gathered edge lists " + HumanBytes(s.gathered_bytes) + ")";
  const bool second_order_tables =
      config.params.method == WalkMethod::kNode2vec && config.params.sampler == SecondOrderSampler::kAlias;
  const std::uint64_t without = s.csr_bytes + std::max<std::uint64_t>(s.gathered_bytes, 8 * s.edges);
  if (second_order_tables && without <= static_cast<std::uint64_t>(config.memory_bytes)) {
    msg += ": node2vec's per-edge alias tables hold " + std::to_string(s.second_order_entries) +
           " entries (8 bytes each; the sum over items of in-degree x out-degree). Use --sampler rejection "
           "(same walk distribution without per-edge tables; needs " + HumanBytes(without) +
           "), or --method deepwalk, or --memory " + HumanBytes(s.peak_bytes) + " or more";
  } else {
    msg += ": raise --memory to " + HumanBytes(s.peak_bytes) + " or more, or shrink the graph with --min-count or a "
           "smaller --window";
  }
  return Status::InvalidArgument(msg);
}

Status WriteWalks(const WalkConfig& config, const Vocabulary& vocab, const ItemGraph& graph, const Walker& walker,
                  CollectiveComm& comm, WalkStats* stats) {
  AtomicFile out;
  ITEM2VEC_RETURN_IF_ERROR(out.Open(config.output + "/" + PartName(comm.rank())));
  const std::uint64_t n = graph.nodes();
  const std::uint64_t lo = n * static_cast<std::uint64_t>(comm.rank()) / static_cast<std::uint64_t>(comm.size());
  const std::uint64_t hi = n * static_cast<std::uint64_t>(comm.rank() + 1) / static_cast<std::uint64_t>(comm.size());
  std::vector<std::uint32_t> order(n), walk;
  walk.reserve(static_cast<std::size_t>(config.params.length));
  std::string line;
  Progress progress(config.progress_seconds, comm.rank() == 0);
  const Clock::time_point start = Clock::now();
  for (int round = 0; round < config.walks_per_item; ++round) {
    std::iota(order.begin(), order.end(), 0u);
    Rng shuffle(SeedFor(config.seed, kPermutationStream, static_cast<std::uint64_t>(round)));
    for (std::uint64_t i = n; i > 1; --i) std::swap(order[i - 1], order[shuffle.Below64(i)]);
    for (std::uint64_t at = lo; at < hi; ++at) {
      const std::uint32_t v = order[at];
      if (graph.degree(v) == 0) continue;
      Rng rng(SeedFor(config.seed, v, static_cast<std::uint64_t>(round)));
      walker.Walk(v, rng, &walk, stats);
      line.clear();
      for (std::uint32_t id : walk) {
        line += vocab.item(id);
        line += ' ';
      }
      line.back() = '\n';
      out.Write(line);
      if (progress.Due())
        spdlog::info("walking: round {} of {}, {} walks ({} tokens) on rank 0 in {:.0f}s", round + 1,
                     config.walks_per_item, stats->walks, stats->tokens, SecondsSince(start));
    }
  }
  return out.Commit();
}

// What a killed walk leaves: the temporaries of its part files and summary (train read
// part-*.tmp.PID as part files and trained on the walks twice).
void RemoveDebrisOfKilledRuns(const WalkConfig& config) {
  Result<int> removed = RemoveAtomicTemps(config.output, [](const std::string& base) {
    return PartNumber(base) >= 0 || base == "_summary.json";
  });
  if (removed.ok() && *removed > 0)
    spdlog::info("removed {} unfinished file(s) of an earlier walk from {}", *removed, config.output);
}

void RemoveStaleParts(const WalkConfig& config, int ranks) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config.output, ec)) {
    const int part = PartNumber(entry.path().filename().string());
    if (part < ranks) continue;
    std::error_code rm;
    fs::remove(entry.path(), rm);
    spdlog::info("removed stale '{}' from an earlier run with more ranks", entry.path().string());
  }
}

}  // namespace

Result<WalkSummary> RunWalk(const WalkConfig& config, CollectiveComm& comm) {
  const Clock::time_point start = Clock::now();
  const bool lead = comm.rank() == 0;
  WalkSummary s;
  s.ranks = comm.size();
  Result<std::vector<InputFile>> files = ListInputFiles(config.input);
  Status st = files.ok() ? CheckOutputApartFromInputs(config.input, config.output, "--output") : files.status();
  if (st.ok()) st = EnsureWritableDirectory(config.output);
  if (st.ok() && lead) RemoveDebrisOfKilledRuns(config);
  ITEM2VEC_RETURN_IF_ERROR(SyncStatus(comm, st));
  s.files = static_cast<std::int64_t>(files->size());
  if (lead) WarnAboutCompressedShards(files.value(), comm.size());
  SequenceReader reader(files.value(), ShardRanges(files.value(), comm.rank(), comm.size()), kMaxSentence);
  Progress progress(config.progress_seconds, lead);

  // (1) Items and their ids.
  ItemCounter counter;
  ITEM2VEC_RETURN_IF_ERROR(SyncStatus(comm, CountItems(&reader, &counter, &progress)));
  const ReaderStats read = reader.stats();
  Result<Vocabulary> vocab = MergeItemCounts(comm, counter, config.min_count, &s.distinct_items);
  ITEM2VEC_RETURN_IF_ERROR(vocab.status());
  counter = ItemCounter();
  std::vector<std::int64_t> totals{read.lines, read.tokens, read.split_lines, read.long_items};
  ITEM2VEC_RETURN_IF_ERROR(comm.AllreduceSum(&totals));
  s.lines = totals[0], s.tokens_read = totals[1], s.split_lines = totals[2], s.long_items = totals[3];
  if (lead && s.long_items > 0)
    spdlog::warn("skipped {} item(s) longer than {} bytes: they are in no walk (never cut){}", s.long_items,
                 SequenceReader::kMaxItemBytes,
                 reader.long_item_example().empty() ? "" : "; e.g. " + reader.long_item_example());
  s.tokens_below_min_count = s.tokens_read - vocab->total_count();
  if (vocab->empty())
    return Status::DataError("no item in the input " + std::string(s.tokens_read == 0 ? "(it is empty)" :
                             "is seen --min-count " + std::to_string(config.min_count) + " times") +
                             ": check --input and --min-count");
  if (lead)
    spdlog::info("{} lines, {} tokens, {} distinct items, {} kept (--min-count {})", s.lines, s.tokens_read,
                 s.distinct_items, vocab->size(), config.min_count);

  // (2) Edges, counted per shard and merged on every rank.
  EdgeCounter edges;
  reader.Rewind();
  ITEM2VEC_RETURN_IF_ERROR(SyncStatus(comm, CountEdges(config, vocab.value(), &reader, &edges, &progress)));
  std::vector<std::int64_t> edge_totals{static_cast<std::int64_t>(edges.transitions()),
                                        static_cast<std::int64_t>(edges.self_loops())};
  ITEM2VEC_RETURN_IF_ERROR(comm.AllreduceSum(&edge_totals));
  s.transitions = edge_totals[0], s.self_loops = edge_totals[1];
  std::vector<std::string> lists;
  {
    const std::vector<EdgeRecord> sorted = edges.Sorted();
    edges = EdgeCounter();
    ITEM2VEC_RETURN_IF_ERROR(AllgatherBytes(comm, std::string(EdgeListBytes(sorted)), &lists));
  }
  std::vector<std::string_view> views(lists.begin(), lists.end());
  GraphShape shape = MeasureEdgeLists(static_cast<std::uint32_t>(vocab->size()), views);

  // (3) The memory plan, the same on every rank.
  s.nodes = shape.nodes;
  s.edges = static_cast<std::int64_t>(shape.edges);
  s.second_order_entries = static_cast<std::int64_t>(shape.second_order_entries);
  for (const std::string& l : lists) s.gathered_bytes += l.size();
  s.csr_bytes = ItemGraph::CsrBytes(shape.nodes, shape.edges);
  s.table_bytes = WalkTableBytes(shape, config.params);
  s.peak_bytes = s.csr_bytes + 8ull * shape.nodes + std::max(s.gathered_bytes, s.table_bytes);
  for (std::uint32_t v = 0; v < shape.nodes; ++v) {
    if (shape.out_degree[v] > 0) ++s.start_items;
    else if (shape.in_degree[v] > 0) ++s.dead_end_items;
    else ++s.isolated_items;
  }
  if (lead)
    spdlog::info("graph: {} nodes, {} edges ({} transitions, {} repeats skipped); CSR {}, sampling tables {}{}, "
                 "gathered edge lists {}; peak {} per rank of --memory {}", s.nodes, s.edges, s.transitions,
                 s.self_loops, HumanBytes(s.csr_bytes), HumanBytes(s.table_bytes),
                 config.params.method == WalkMethod::kNode2vec
                     ? " (node2vec " + std::string(SamplerName(config.params.sampler)) + ", " +
                           std::to_string(s.second_order_entries) + " second-order entries)"
                     : std::string(),
                 HumanBytes(s.gathered_bytes), HumanBytes(s.peak_bytes), HumanBytes(config.memory_bytes));
  if (s.edges == 0)
    return Status::DataError("no item follows another within --window in the input (every line holds one item, "
                             "or repeats of one): there is no edge to walk along; check --input");
  ITEM2VEC_RETURN_IF_ERROR(CheckMemoryPlan(config, s));
  const ItemGraph graph = ItemGraph::FromEdgeLists(shape, views);
  views.clear();
  lists = std::vector<std::string>();
  shape = GraphShape();
  if (lead && s.table_bytes > (std::uint64_t{64} << 20))
    spdlog::info("building the sampling tables ({})", HumanBytes(s.table_bytes));
  const Walker walker(&graph, config.params);
  if (lead) {
    spdlog::info("{} items start walks; {} dead ends (in-edges, no out-edge: walks end there{}), {} isolated "
                 "(no edge: in no walk)", s.start_items, s.dead_end_items,
                 config.undirected ? "" : "; --undirected has none", s.isolated_items);
  }

  // (4, 5) Walks, this rank's share, and the files.
  ITEM2VEC_RETURN_IF_ERROR(SyncStatus(comm, WriteWalks(config, vocab.value(), graph, walker, comm, &s.walks)));
  std::vector<std::int64_t> w{s.walks.walks,     s.walks.tokens,     s.walks.dead_end_walks,
                              s.walks.proposals, s.walks.rejections, s.walks.exact_steps};
  ITEM2VEC_RETURN_IF_ERROR(comm.AllreduceSum(&w));
  s.walks = WalkStats{w[0], w[1], w[2], w[3], w[4], w[5]};
  for (int r = 0; r < comm.size(); ++r) s.files_written.push_back(config.output + "/" + PartName(r));
  s.seconds = SecondsSince(start);
  st = Status::Ok();
  if (lead) {
    RemoveStaleParts(config, comm.size());
    st = WriteFileAtomically(config.output + "/_summary.json", WalkSummaryToJson(s, config) + "\n");
  }
  ITEM2VEC_RETURN_IF_ERROR(SyncStatus(comm, st));
  return s;
}

}  // namespace item2vec
