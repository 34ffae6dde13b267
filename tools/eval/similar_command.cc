#include "tools/eval/similar_command.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "common/command.h"
#include "model/ann_index.h"
#include "model/names.h"
#include "model/nearest_neighbors.h"
#include "tools/eval/similar_options.h"

namespace item2vec {

Result<std::vector<std::vector<Neighbour>>> FindSimilar(const LoadedModel& model, const std::vector<std::int64_t>& rows,
                                                        int k, int threads, const AnnIndex* index, int ef) {
  if (k < 1) return Status::InvalidArgument("-k must be at least 1");
  const ItemMatrix& m = model.matrix;
  // No query has more neighbours than the model's other items (the results hold n * k).
  k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), std::max<std::size_t>(1, m.size() - 1)));
  const std::size_t d = static_cast<std::size_t>(m.dim());
  const std::size_t n = rows.size();
  std::vector<float> vectors(n * d);
  std::vector<std::size_t> exclude_begin{0};
  std::vector<ItemId> exclude;  // each query excludes itself
  for (std::size_t i = 0; i < n; ++i) {
    if (rows[i] < 0 || rows[i] >= static_cast<std::int64_t>(m.size()))
      return Status::InvalidArgument("row " + std::to_string(rows[i]) + " is not in the model");
    m.CopyRow(static_cast<std::size_t>(rows[i]), vectors.data() + i * d);
    exclude.push_back(static_cast<ItemId>(rows[i]));
    exclude_begin.push_back(exclude.size());
  }
  QuerySet qs;
  qs.vectors = vectors.data();
  qs.count = n;
  qs.exclude_begin = exclude_begin.data();
  qs.exclude = exclude.data();
  SearchResults res;
  if (index != nullptr) {
    ITEM2VEC_RETURN_IF_ERROR(index->Search(m, qs, k, ef > 0 ? ef : AnnBuildOptions::kDefaultEf, threads, &res));
  } else {
    SearchOptions o;
    o.threads = threads;
    o.top_k = k;
    ITEM2VEC_RETURN_IF_ERROR(ExactSearch(m, qs, o, &res));
  }
  std::vector<std::vector<Neighbour>> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* q = vectors.data() + i * d;
    double q_sq = 0;
    for (std::size_t j = 0; j < d; ++j) q_sq += static_cast<double>(q[j]) * q[j];
    for (int j = 0; j < k; ++j) {
      const std::size_t at = i * static_cast<std::size_t>(k) + static_cast<std::size_t>(j);
      if (res.top_items[at] >= 0)
        out[i].push_back({res.top_items[at], DisplayScore(m.similarity(), res.top_scores[at], q_sq)});
    }
  }
  return out;
}

namespace {

Status ReadItemsFile(const std::string& path, std::vector<std::string>* items) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open --items-file '" + path + "'");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string first;
    if (!(fields >> first) || first[0] == '#') continue;
    items->push_back(first);
  }
  if (in.bad()) return Status::IOError("reading --items-file '" + path + "' failed");
  return Status::Ok();
}

// The model rows of the query items, and the items themselves; an item not in the model is
// reported and skipped.
Status FindQueries(const LoadedModel& model, const std::vector<std::string>& items, std::vector<std::int64_t>* rows,
                   std::vector<std::string>* found) {
  for (const std::string& item : items) {
    const std::int64_t row = model.index.Find(item);
    if (row < 0) {
      std::cerr << "item2vec similar: item '" << item << "' is not in the model (" << model.items.size()
                << " items); skipped\n";
      continue;
    }
    rows->push_back(row);
    found->push_back(item);
  }
  if (rows->empty())
    return Status::NotFound("none of the " + std::to_string(items.size()) + " item(s) is in the model");
  return Status::Ok();
}

void PrintNeighbours(const LoadedModel& model, const std::vector<std::string>& queries,
                     const std::vector<std::vector<Neighbour>>& result, const std::optional<NameMap>& names) {
  const auto title = [&](const std::string& item) -> std::string {
    if (!names) return "";
    auto it = names->find(item);
    return "\t" + (it == names->end() ? std::string("(no name)") : it->second);
  };
  // A cold item (train --side-info: no events, its vector from its attributes) is marked at the end of its line.
  const auto cold = [&](std::int64_t row) -> std::string {
    return !model.cold.empty() && row >= 0 && model.cold[static_cast<std::size_t>(row)] ? "\t(cold)" : "";
  };
  std::string out;
  char score[32];
  for (std::size_t i = 0; i < queries.size(); ++i) {
    out += "# " + queries[i] + title(queries[i]) + cold(model.index.Find(queries[i])) + "\n";
    const auto& list = result[i];
    for (std::size_t j = 0; j < list.size(); ++j) {
      const std::string& item = model.items[static_cast<std::size_t>(list[j].row)];
      std::snprintf(score, sizeof score, "%.6f", list[j].score);
      out += std::to_string(j + 1) + "\t" + item + "\t" + score + title(item) + cold(list[j].row) + "\n";
    }
    out += "\n";
  }
  std::cout << out << std::flush;
}

// The checks of the values and the query items, then the model, the index and the names.
Status CheckSimilarOptions(SimilarOptions* o) {
  if (o->k < 1) return Status::InvalidArgument("-k must be at least 1, got " + std::to_string(o->k));
  if (o->threads < 0) return Status::InvalidArgument("--threads must be 0 (all cores) or positive");
  if (o->threads == 0) o->threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (!o->items_file.empty()) ITEM2VEC_RETURN_IF_ERROR(ReadItemsFile(o->items_file, &o->items));
  if (o->items.empty()) return Status::InvalidArgument("give at least one --item or an --items-file");
  return Status::Ok();
}

Status Similar(SimilarOptions o) {
  ITEM2VEC_RETURN_IF_ERROR(CheckSimilarOptions(&o));
  Result<VectorFormat> format = ParseVectorFormat(o.format);
  if (!format.ok()) return format.status();
  Result<Similarity> metric = ParseSimilarity(o.metric);
  if (!metric.ok()) return metric.status();
  if (o.ef < 1) return Status::InvalidArgument("--ef must be at least 1, got " + std::to_string(o.ef));
  std::optional<NameMap> names;
  if (!o.names.empty()) {
    Result<NameMap> read = ReadNames(o.names, o.name_options);
    if (!read.ok()) return read.status();
    names = std::move(*read);
  }
  Result<ModelPaths> paths = ResolveModel(o.model, *format);
  if (!paths.ok()) return paths.status();
  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths, *metric);
  if (!loaded.ok()) return loaded.status();
  const LoadedModel& model = **loaded;
  std::unique_ptr<AnnIndex> index;
  if (o.use_index) {
    Result<std::unique_ptr<AnnIndex>> read =
        AnnIndex::Load(IndexPathsFor(paths->vectors, *metric), model.matrix, ModelFingerprint(model));
    if (!read.ok()) return read.status();
    index = std::move(*read);
  }
  std::vector<std::int64_t> rows;
  std::vector<std::string> found;
  ITEM2VEC_RETURN_IF_ERROR(FindQueries(model, o.items, &rows, &found));
  const std::size_t others = model.items.size() > 0 ? model.items.size() - 1 : 0;
  if (static_cast<std::size_t>(o.k) > others) {
    std::cerr << "item2vec similar: -k " << o.k << " is more than the model's " << others
              << " other items; listing all of them\n";
    o.k = static_cast<int>(std::max<std::size_t>(1, others));
  }
  Result<std::vector<std::vector<Neighbour>>> result = FindSimilar(model, rows, o.k, o.threads, index.get(), o.ef);
  if (!result.ok()) return result.status();
  PrintNeighbours(model, found, *result, names);
  return Status::Ok();
}

}  // namespace

int RunSimilarCommand(const std::vector<std::string>& args) {
  return RunTableCommand(SimilarCommand, Similar, args);
}

}  // namespace item2vec
