#include "tools/eval/eval_command.h"

#include "common/command_line.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/program_options.hpp>

#include "common/atomic_file.h"
#include "tools/eval/metrics.h"
#include "tools/eval/model_loader.h"
#include "tools/eval/nearest_neighbors.h"
#include "tools/eval/popularity.h"
#include "tools/eval/test_records.h"

namespace po = boost::program_options;

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int DefaultThreads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

// Popularity counts per model row, and where they came from (or why there are none).
struct PopularitySource {
  std::optional<PopularityRanker> ranker;
  std::string description;
};

Result<PopularitySource> LoadPopularity(const EvalOptions& o, const ModelPaths& paths, const LoadedModel& model) {
  PopularitySource src;
  Result<ItemCounter> counter = Status::Internal("unset");
  if (!o.train.empty()) {
    counter = CountSequenceItems(o.train);
    std::string joined;
    for (const std::string& p : o.train) joined += (joined.empty() ? "" : ", ") + p;
    src.description = "item counts from --train " + joined;
  } else if (!paths.vocab_tsv.empty()) {
    counter = ReadVocabCounts(paths.vocab_tsv);
    src.description = "item counts from " + paths.vocab_tsv;
  } else {
    src.description = std::string("skipped: no item counts (the model is ") +
                      (paths.vectors == o.model ? "a vectors file" : "a directory without vocab.tsv") +
                      "; pass --train with the training sequences to get one)";
    return src;
  }
  if (!counter.ok()) return counter.status();
  std::vector<Count> per_row(model.items.size(), 0);
  for (std::size_t i = 0; i < model.items.size(); ++i) {
    auto it = counter->counts().find(model.items[i]);
    if (it != counter->counts().end()) per_row[i] = it->second;
  }
  src.ranker.emplace(per_row);
  return src;
}

}  // namespace

Result<QueryMode> ParseQueryMode(const std::string& text) {
  QueryMode mode;
  if (text == "last") return mode;
  if (text.rfind("mean:", 0) == 0) {
    char* end = nullptr;
    const long k = std::strtol(text.c_str() + 5, &end, 10);
    if (end != text.c_str() + 5 && *end == '\0' && k >= 1 && k <= 100000) {
      mode.mean = true;
      mode.mean_k = static_cast<int>(k);
      return mode;
    }
  }
  return Status::InvalidArgument("--query must be 'last' or 'mean:K' with K >= 1 (e.g. mean:5); got '" + text + "'");
}

Result<EvalReport> Evaluate(const EvalOptions& o) {
  const auto start = Clock::now();
  if (o.model.empty()) return Status::InvalidArgument("--model is required: a model directory or a vectors file");
  if (o.test.empty()) return Status::InvalidArgument("--test is required: the hold-out file written by item2vec prep");
  Result<std::vector<int>> ks = ParseKList(o.ks);
  if (!ks.ok()) return ks.status();
  Result<QueryMode> mode = ParseQueryMode(o.query);
  if (!mode.ok()) return mode.status();
  Result<VectorFormat> format = ParseVectorFormat(o.format);
  if (!format.ok()) return format.status();
  if (o.threads < 0) return Status::InvalidArgument("--threads must be 0 (all cores) or positive");
  if (o.chunk_records < 1) return Status::InvalidArgument("chunk_records must be positive");
  // Cheap checks first, so a typo does not cost the minutes of loading a large model.
  if (!std::ifstream(o.test)) return Status::NotFound("cannot open test file '" + o.test + "'");
  if (!o.json.empty()) {
    const std::filesystem::path parent = std::filesystem::path(o.json).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
      return Status::NotFound("--json: directory '" + parent.string() + "' does not exist");
  }
  Result<ModelPaths> paths = ResolveModel(o.model, *format);
  if (!paths.ok()) return paths.status();

  EvalReport report;
  report.model = o.model;
  report.vectors = paths->vectors;
  report.test = o.test;
  report.query = o.query;
  report.exclude_history = o.exclude_history;
  report.ks = *ks;
  report.threads = o.threads > 0 ? o.threads : DefaultThreads();

  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths);
  if (!loaded.ok()) return loaded.status();
  const LoadedModel& model = **loaded;
  const ItemMatrix& m = model.matrix;
  const int d = m.dim();
  report.items = static_cast<std::int64_t>(m.size());
  report.dim = d;
  std::cerr << "item2vec eval: " << m.size() << " items x " << d << " dims from " << paths->vectors << " in "
            << SecondsSince(start) << "s\n";

  Result<PopularitySource> pop = LoadPopularity(o, *paths, model);
  if (!pop.ok()) return pop.status().WithContext("popularity baseline");
  report.popularity_source = pop->description;

  Result<TestRecords> read = ReadTestRecords(o.test, model.index);
  if (!read.ok()) return read.status();
  const TestRecords& recs = *read;
  report.records_read = static_cast<std::int64_t>(recs.size());
  report.load_seconds = SecondsSince(start);

  MetricsAccumulator model_metrics(*ks), pop_metrics(*ks);
  SearchOptions search;
  search.threads = report.threads;
  // Per chunk: the query set, and per evaluated record the query it became (-1: a miss).
  const std::size_t chunk = static_cast<std::size_t>(o.chunk_records);
  std::vector<float> vectors(chunk * static_cast<std::size_t>(d));
  std::vector<std::int64_t> targets(chunk);
  std::vector<std::size_t> exclude_begin(chunk + 1);
  std::vector<ItemId> exclude, query_items, pop_scratch;
  std::vector<std::int64_t> query_of, pop_rank;
  std::vector<double> mean(static_cast<std::size_t>(d));
  SearchResults results;
  const auto search_start = Clock::now();
  for (std::size_t begin = 0; begin < recs.size(); begin += chunk) {
    const std::size_t end = std::min(recs.size(), begin + chunk);
    std::size_t nq = 0;
    exclude.clear();
    exclude_begin[0] = 0;
    query_of.clear();
    pop_rank.clear();
    for (std::size_t r = begin; r < end; ++r) {
      const std::int64_t* h = recs.history_of(r);
      const std::size_t hs = recs.history_size(r);
      if (hs == 0) {
        ++report.skipped_empty_history;
        continue;
      }
      query_items.clear();
      if (!mode->mean) {
        if (h[hs - 1] >= 0) query_items.push_back(static_cast<ItemId>(h[hs - 1]));
      } else {
        for (std::size_t i = hs; i-- > 0 && query_items.size() < static_cast<std::size_t>(mode->mean_k);)
          if (h[i] >= 0) query_items.push_back(static_cast<ItemId>(h[i]));
      }
      if (query_items.empty()) {
        ++report.skipped_query_oov;
        continue;
      }
      ++report.evaluated;
      const std::size_t ex0 = exclude.size();
      exclude.insert(exclude.end(), query_items.begin(), query_items.end());
      if (o.exclude_history)
        for (std::size_t i = 0; i < hs; ++i)
          if (h[i] >= 0) exclude.push_back(static_cast<ItemId>(h[i]));
      const std::int64_t t = recs.target[r];
      if (t < 0) {
        ++report.target_oov;
      } else if (std::find(exclude.begin() + ex0, exclude.end(), static_cast<ItemId>(t)) != exclude.end()) {
        ++report.target_excluded;
      }
      pop_rank.push_back(pop->ranker ? pop->ranker->Rank(t, exclude.data() + ex0, exclude.size() - ex0, &pop_scratch)
                                     : 0);
      if (t < 0 || std::find(exclude.begin() + ex0, exclude.end(), static_cast<ItemId>(t)) != exclude.end()) {
        exclude.resize(ex0);  // a miss whatever the scores: not worth a search
        query_of.push_back(-1);
        continue;
      }
      // The query vector: the item's normalised row, or the normalised mean of several.
      float* q = vectors.data() + nq * static_cast<std::size_t>(d);
      if (query_items.size() == 1) {
        m.CopyRow(query_items[0], q);
      } else {
        std::fill(mean.begin(), mean.end(), 0.0);
        for (ItemId it : query_items)
          for (int k = 0; k < d; ++k) mean[static_cast<std::size_t>(k)] += m.at(it, k);
        double sq = 0;
        for (double v : mean) sq += v * v;
        const double norm = std::sqrt(sq);
        for (int k = 0; k < d; ++k)
          q[k] = norm > 0 ? static_cast<float>(mean[static_cast<std::size_t>(k)] / norm) : 0.0f;
      }
      targets[nq] = t;
      exclude_begin[nq + 1] = exclude.size();
      query_of.push_back(static_cast<std::int64_t>(nq));
      ++nq;
    }
    const QuerySet qs{vectors.data(), nq, targets.data(), exclude_begin.data(), exclude.data()};
    ITEM2VEC_RETURN_IF_ERROR(ExactSearch(m, qs, search, &results));
    for (std::size_t i = 0; i < query_of.size(); ++i) {
      model_metrics.Add(query_of[i] >= 0 ? results.rank[static_cast<std::size_t>(query_of[i])] : 0);
      if (pop->ranker) pop_metrics.Add(pop_rank[i]);
    }
  }
  report.search_seconds = SecondsSince(search_start);
  report.model_metrics = MetricsSummary::From(model_metrics);
  if (pop->ranker) report.popularity = MetricsSummary::From(pop_metrics);
  report.total_seconds = SecondsSince(start);
  return report;
}

int RunEvalCommand(const std::vector<std::string>& args) {
  EvalOptions o;
  const EvalOptions defaults;
  po::options_description desc("item2vec eval options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("model,m", po::value(&o.model),
       "model directory written by item2vec train (reads DIR/vectors.bin, or DIR/vectors.txt "
       "when there is no .bin, and DIR/vocab.tsv for the baseline), or a word2vec text/binary "
       "vectors file from any tool (word2vec.c, gensim, fastText .vec) (required)")
      ("test,t", po::value(&o.test),
       "hold-out file: user<TAB>next_item<TAB>history items separated by spaces, most recent "
       "last (written by item2vec prep) (required)")
      ("format", po::value(&o.format)->default_value(defaults.format),
       "vectors file format: text, binary, or auto (binary when the name ends in .bin); for "
       "a directory, text picks vectors.txt")
      ("k", po::value(&o.ks)->default_value(defaults.ks),
       "comma-separated cut-offs K for HR@K and NDCG@K")
      ("query", po::value(&o.query)->default_value(defaults.query),
       "query vector: 'last' = the last history item (skipped if it is not in the model); "
       "'mean:K' = mean of the normalised vectors of the last K history items that are in "
       "the model. The query item(s) are never candidates")
      ("exclude-history", po::bool_switch(&o.exclude_history),
       "also remove every history item from the candidates (a next item that was already in "
       "the history then counts as a miss)")
      ("train", po::value(&o.train)->multitoken()->composing(),
       "training sequence file(s) or director(ies) to count item popularity from for the "
       "baseline; default: DIR/vocab.tsv of a model directory; without either the baseline "
       "is skipped")
      ("json", po::value(&o.json),
       "also write every number as JSON to this file (written atomically)")
      ("threads", po::value(&o.threads)->default_value(defaults.threads),
       "search threads; 0 = one per hardware thread");
  const char* kIntro =
      "Usage: item2vec eval --model DIR_or_vectors_file --test test.tsv [options]\n\n"
      "Next-item prediction: for every test record, ranks all items by cosine similarity to\n"
      "the query (exact search) and reports HR@K, NDCG@K (binary relevance: 1/log2(rank+1))\n"
      "and MRR over the full ranking (not cut at any K), next to a most-popular baseline on\n"
      "the same records with the same exclusions. Records with an empty history or a query\n"
      "item outside the model are skipped and counted; next items outside the model count\n"
      "as misses.\n\n";
  bool help = false;
  Status st = ParseCommandOptions(desc, args, "eval", &help);
  if (help) {
    std::cout << kIntro << desc << "\n";
    return 0;
  }
  Result<EvalReport> report = st.ok() ? Evaluate(o) : Result<EvalReport>(st);
  if (!report.ok()) {
    std::cerr << "item2vec eval: " << report.status().ToString() << "\n";
    return ExitCodeOf(report.status());
  }
  std::cerr << "item2vec eval: searched " << report->items << " items for " << report->evaluated << " records in "
            << report->search_seconds << "s with " << report->threads << " thread(s)\n";
  std::cout << FormatTable(*report) << std::flush;
  if (!o.json.empty()) {
    Status ws = WriteFileAtomically(o.json, ReportJson(*report));
    if (!ws.ok()) {
      std::cerr << "item2vec eval: " << ws.WithContext("writing --json").ToString() << "\n";
      return ExitCodeOf(ws);
    }
  }
  return 0;
}

}  // namespace item2vec
