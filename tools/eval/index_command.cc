#include "tools/eval/index_command.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "common/command_line.h"
#include "model/ann_index.h"
#include "model/model_loader.h"
#include "model/similarity.h"

namespace po = boost::program_options;

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Recall@10 of the index against the exact search, on `count` items spread over the model.
Result<double> CheckRecall(const LoadedModel& model, const AnnIndex& index, int count, int ef, int threads) {
  const ItemMatrix& m = model.matrix;
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(count), m.size());
  const int k = static_cast<int>(std::min<std::size_t>(10, m.size() - 1));
  if (n == 0 || k < 1) return 1.0;
  const std::size_t d = static_cast<std::size_t>(m.dim());
  std::vector<float> vectors(n * d);
  std::vector<std::size_t> exclude_begin{0};
  std::vector<ItemId> exclude;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t row = i * m.size() / n;  // evenly spread, deterministic
    m.CopyRow(row, vectors.data() + i * d);
    exclude.push_back(static_cast<ItemId>(row));
    exclude_begin.push_back(exclude.size());
  }
  const QuerySet qs{vectors.data(), n, nullptr, exclude_begin.data(), exclude.data()};
  SearchOptions so;
  so.threads = threads;
  so.top_k = k;
  SearchResults exact, approx;
  ITEM2VEC_RETURN_IF_ERROR(ExactSearch(m, qs, so, &exact));
  ITEM2VEC_RETURN_IF_ERROR(index.Search(m, qs, k, ef, threads, &approx));
  std::size_t hits = 0, total = 0;
  for (std::size_t q = 0; q < n; ++q) {
    const auto* e = exact.top_items.data() + q * static_cast<std::size_t>(k);
    const auto* a = approx.top_items.data() + q * static_cast<std::size_t>(k);
    for (int i = 0; i < k; ++i) {
      if (e[i] < 0) continue;
      ++total;
      if (std::find(a, a + k, e[i]) != a + k) ++hits;
    }
  }
  return total ? static_cast<double>(hits) / static_cast<double>(total) : 1.0;
}

}  // namespace

int RunIndexCommand(const std::vector<std::string>& args) {
  std::string model_path, format_name = "auto", metric_name = "cosine";
  AnnBuildOptions build;
  int threads = 0, check = 1000, ef = AnnBuildOptions::kDefaultEf;
  po::options_description desc("item2vec index options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("model,m", po::value(&model_path),
       "model directory written by item2vec train, or a word2vec vectors file (required); the "
       "index is written next to the vectors file it reads")
      ("format", po::value(&format_name)->default_value(format_name),
       "vectors file format: text, binary, or auto (binary when the name ends in .bin)")
      ("metric", po::value(&metric_name)->default_value(metric_name),
       (std::string(kMetricHelp) + ". One index per metric; similar/eval --index use the one of their "
                                   "--metric").c_str())
      ("m", po::value(&build.m)->default_value(build.m),
       "HNSW graph degree M (links per item per layer, 2M on the bottom layer): higher = better "
       "recall at the same --ef, more memory (about 8M bytes per item) and a slower build")
      ("ef-construction", po::value(&build.ef_construction)->default_value(build.ef_construction),
       "candidate list while inserting: higher = a better graph, a slower build")
      ("threads", po::value(&threads)->default_value(threads),
       "build threads; 0 = one per hardware thread (the graph then depends on thread timing)")
      ("check", po::value(&check)->default_value(check),
       "after the build, measure recall@10 against the exact search on this many of the model's "
       "items (0 = skip)")
      ("ef", po::value(&ef)->default_value(ef), "search width used by --check (the default of --index)");
  const auto fail = [](const Status& st) {
    std::cerr << "item2vec index: " << st.ToString() << "\n";
    return ExitCodeOf(st);
  };
  bool help = false;
  if (Status st = ParseCommandOptions(desc, args, "index", &help); !st.ok()) return fail(st);
  if (help) {
    std::cout << "Usage: item2vec index --model DIR [--metric cosine] [--m 16 --ef-construction 200]\n\n"
                 "Builds an HNSW index (hnswlib) of the model's items for approximate nearest-neighbour\n"
                 "search with similar --index and eval --index. It is written atomically next to the\n"
                 "vectors file (VECTORS.METRIC.index and the graph it names) and is refused once the\n"
                 "vectors change (a new training run publishes a new model directory without one).\n\n"
              << desc << "\n";
    return 0;
  }
  if (model_path.empty()) return fail(Status::InvalidArgument("--model is required: a model directory or a vectors file"));
  if (threads < 0) return fail(Status::InvalidArgument("--threads must be 0 (all cores) or positive"));
  if (check < 0 || ef < 1) return fail(Status::InvalidArgument("--check must be >= 0 and --ef >= 1"));
  build.threads = threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (Status st = ValidateAnnBuildOptions(build); !st.ok()) return fail(st);  // before minutes of loading
  Result<VectorFormat> format = ParseVectorFormat(format_name);
  if (!format.ok()) return fail(format.status());
  Result<Similarity> metric = ParseSimilarity(metric_name);
  if (!metric.ok()) return fail(metric.status());
  Result<ModelPaths> paths = ResolveModel(model_path, *format);
  if (!paths.ok()) return fail(paths.status());
  const IndexPaths where = IndexPathsFor(paths->vectors, *metric);
  if (Status st = EnsureWritableDirectory(where.dir); !st.ok()) return fail(st.WithContext("index directory"));
  const auto start = Clock::now();
  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths, *metric);
  if (!loaded.ok()) return fail(loaded.status());
  const LoadedModel& model = **loaded;
  std::cerr << "item2vec index: " << model.items.size() << " items x " << model.matrix.dim() << " dims from "
            << paths->vectors << " in " << SecondsSince(start) << "s; building (" << metric_name << ", M "
            << build.m << ", ef_construction " << build.ef_construction << ", " << build.threads
            << " thread(s)) ...\n";
  const auto build_start = Clock::now();
  Result<std::unique_ptr<AnnIndex>> index = AnnIndex::Build(model.matrix, build);
  if (!index.ok()) return fail(index.status());
  const double build_seconds = SecondsSince(build_start);
  if (Status st = (*index)->Save(where, ModelFingerprint(model), paths->vectors); !st.ok()) return fail(st);
  std::cerr << "item2vec index: built in " << build_seconds << "s, written to " << where.meta << "\n";
  if (check > 0) {
    const auto check_start = Clock::now();
    Result<double> recall = CheckRecall(model, **index, check, ef, build.threads);
    if (!recall.ok()) return fail(recall.status());
    std::cerr << "item2vec index: recall@10 against the exact search at --ef " << ef << ": " << *recall << " on "
              << std::min<std::size_t>(static_cast<std::size_t>(check), model.items.size()) << " items ("
              << SecondsSince(check_start) << "s)\n";
  }
  std::cout << where.meta << "\n";
  return 0;
}

}  // namespace item2vec
