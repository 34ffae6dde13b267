#include "tools/eval/index_command.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/command.h"
#include "model/ann_index.h"
#include "model/model_loader.h"
#include "model/similarity.h"
#include "tools/eval/index_options.h"

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

// After the build: recall@10 against the exact search on `check` items.
Status ReportRecall(const LoadedModel& model, const AnnIndex& index, const IndexOptions& o) {
  const auto check_start = Clock::now();
  Result<double> recall = CheckRecall(model, index, o.check, o.ef, o.build.threads);
  if (!recall.ok()) return recall.status();
  std::cerr << "item2vec index: recall@10 against the exact search at --ef " << o.ef << ": " << *recall << " on "
            << std::min<std::size_t>(static_cast<std::size_t>(o.check), model.items.size()) << " items ("
            << SecondsSince(check_start) << "s)\n";
  return Status::Ok();
}

Status BuildIndex(IndexOptions o) {
  if (o.threads < 0) return Status::InvalidArgument("--threads must be 0 (all cores) or positive");
  if (o.check < 0 || o.ef < 1) return Status::InvalidArgument("--check must be >= 0 and --ef >= 1");
  o.build.threads = o.threads > 0 ? o.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  ITEM2VEC_RETURN_IF_ERROR(ValidateAnnBuildOptions(o.build));  // before minutes of loading
  Result<VectorFormat> format = ParseVectorFormat(o.format);
  if (!format.ok()) return format.status();
  Result<Similarity> metric = ParseSimilarity(o.metric);
  if (!metric.ok()) return metric.status();
  Result<ModelPaths> paths = ResolveModel(o.model, *format);
  if (!paths.ok()) return paths.status();
  const IndexPaths where = IndexPathsFor(paths->vectors, *metric);
  ITEM2VEC_RETURN_IF_ERROR(EnsureWritableDirectory(where.dir).WithContext("index directory"));
  const auto start = Clock::now();
  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths, *metric);
  if (!loaded.ok()) return loaded.status();
  const LoadedModel& model = **loaded;
  std::cerr << "item2vec index: " << model.items.size() << " items x " << model.matrix.dim() << " dims from "
            << paths->vectors << " in " << SecondsSince(start) << "s; building (" << o.metric << ", M "
            << o.build.m << ", ef_construction " << o.build.ef_construction << ", " << o.build.threads
            << " thread(s)) ...\n";
  const auto build_start = Clock::now();
  Result<std::unique_ptr<AnnIndex>> index = AnnIndex::Build(model.matrix, o.build);
  if (!index.ok()) return index.status();
  const double build_seconds = SecondsSince(build_start);
  ITEM2VEC_RETURN_IF_ERROR((*index)->Save(where, ModelFingerprint(model), paths->vectors));
  std::cerr << "item2vec index: built in " << build_seconds << "s, written to " << where.meta << "\n";
  if (o.check > 0) ITEM2VEC_RETURN_IF_ERROR(ReportRecall(model, **index, o));
  std::cout << where.meta << "\n";
  return Status::Ok();
}

}  // namespace

int RunIndexCommand(const std::vector<std::string>& args) {
  return RunTableCommand(IndexCommand, BuildIndex, args);
}

}  // namespace item2vec
