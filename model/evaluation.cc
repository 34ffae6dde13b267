#include "model/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "model/ann_index.h"
#include "model/metrics.h"
#include "model/model_loader.h"
#include "model/nearest_neighbors.h"
#include "model/popularity.h"
#include "model/test_records.h"
#include "model/user_vector.h"

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
  mode.name = text;
  if (text == "last") return mode;
  if (text == "user") {
    mode.kind = QueryMode::Kind::kUser;
    return mode;
  }
  if (text.rfind("mean:", 0) == 0) {
    char* end = nullptr;
    const long k = std::strtol(text.c_str() + 5, &end, 10);
    if (end != text.c_str() + 5 && *end == '\0' && k >= 1 && k <= 100000) {
      mode.kind = QueryMode::Kind::kMean;
      mode.mean_k = static_cast<int>(k);
      return mode;
    }
  }
  return Status::InvalidArgument("--query must be 'last', 'mean:K' with K >= 1 (e.g. mean:5) or 'user', or a "
                                 "comma-separated list of them (e.g. last,user); got '" + text + "'");
}

Result<std::vector<QueryMode>> ParseQueryModes(const std::string& text) {
  std::vector<QueryMode> modes;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t comma = text.find(',', begin);
    const std::string one = text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    Result<QueryMode> mode = ParseQueryMode(one);
    if (!mode.ok()) return mode.status();
    for (const QueryMode& m : modes)
      if (m.name == mode->name) return Status::InvalidArgument("--query lists '" + one + "' twice");
    modes.push_back(*mode);
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return modes;
}

namespace {

// The rows a query is made of: the last known item; the last mean_k known items, most
// recent first; or every known history item in time order (user).
void QueryItems(const QueryMode& mode, const std::int64_t* h, std::size_t hs, std::vector<ItemId>* out) {
  out->clear();
  switch (mode.kind) {
    case QueryMode::Kind::kLast:
      if (hs > 0 && h[hs - 1] >= 0) out->push_back(static_cast<ItemId>(h[hs - 1]));
      break;
    case QueryMode::Kind::kMean:
      for (std::size_t i = hs; i-- > 0 && out->size() < static_cast<std::size_t>(mode.mean_k);)
        if (h[i] >= 0) out->push_back(static_cast<ItemId>(h[i]));
      break;
    case QueryMode::Kind::kUser:
      for (std::size_t i = 0; i < hs; ++i)
        if (h[i] >= 0) out->push_back(static_cast<ItemId>(h[i]));
      break;
  }
}

// Scratch of QueryVector, allocated once.
struct QueryScratch {
  std::vector<double> sum;
  std::vector<std::int64_t> rows;
};

// The query vector of items (non-empty) into q[0..dim).
void QueryVector(const QueryMode& mode, const ItemMatrix& m, const std::vector<ItemId>& items, QueryScratch* s,
                 float* q) {
  const int d = m.dim();
  if (mode.kind == QueryMode::Kind::kUser) {
    s->rows.assign(items.begin(), items.end());
    UserVector(m, s->rows.data(), s->rows.size(), UserVectorOptions{}, s->sum.data(), q);
    return;
  }
  if (items.size() == 1) {
    m.CopyRow(items[0], q);
    return;
  }
  std::fill(s->sum.begin(), s->sum.end(), 0.0);
  for (ItemId it : items)
    for (int k = 0; k < d; ++k) s->sum[static_cast<std::size_t>(k)] += m.at(it, k);
  double scale = static_cast<double>(items.size());
  if (NormalisesRows(m.similarity())) {  // cosine: the unit mean, as the items are unit rows
    double sq = 0;
    for (int k = 0; k < d; ++k) sq += s->sum[static_cast<std::size_t>(k)] * s->sum[static_cast<std::size_t>(k)];
    scale = std::sqrt(sq);
  }
  for (int k = 0; k < d; ++k)
    q[k] = scale > 0 ? static_cast<float>(s->sum[static_cast<std::size_t>(k)] / scale) : 0.0f;
}

bool Contains(const std::vector<ItemId>& v, std::size_t from, std::int64_t item) {
  return std::find(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(), static_cast<ItemId>(item)) != v.end();
}

}  // namespace

Result<EvalReport> Evaluate(const EvalOptions& o) {
  const auto start = Clock::now();
  if (o.model.empty()) return Status::InvalidArgument("--model is required: a model directory or a vectors file");
  if (o.test.empty()) return Status::InvalidArgument("--test is required: the hold-out file written by item2vec prep");
  Result<std::vector<int>> ks = ParseKList(o.ks);
  if (!ks.ok()) return ks.status();
  Result<std::vector<QueryMode>> modes = ParseQueryModes(o.query);
  if (!modes.ok()) return modes.status();
  Result<VectorFormat> format = ParseVectorFormat(o.format);
  if (!format.ok()) return format.status();
  Result<Similarity> metric = ParseSimilarity(o.metric);
  if (!metric.ok()) return metric.status();
  if (o.threads < 0) return Status::InvalidArgument("--threads must be 0 (all cores) or positive");
  if (o.ef < 1) return Status::InvalidArgument("--ef must be at least 1");
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
  report.metric = SimilarityName(*metric);
  report.search = o.use_index ? "hnsw ef=" + std::to_string(o.ef) : "exact";
  report.exclude_history = o.exclude_history;
  report.ks = *ks;
  report.threads = o.threads > 0 ? o.threads : DefaultThreads();

  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths, *metric);
  if (!loaded.ok()) return loaded.status();
  const LoadedModel& model = **loaded;
  const ItemMatrix& m = model.matrix;
  const int d = m.dim();
  report.items = static_cast<std::int64_t>(m.size());
  report.dim = d;
  std::cerr << "item2vec eval: " << m.size() << " items x " << d << " dims from " << paths->vectors << " in "
            << SecondsSince(start) << "s\n";
  if (!ks->empty() && static_cast<std::size_t>(ks->back()) > m.size())
    std::cerr << "item2vec eval: --k " << ks->back() << " is more than the model's " << m.size()
              << " items: every rank is at most " << m.size() << ", so HR@K and NDCG@K for such K equal their value at K = "
              << m.size() << "\n";
  std::unique_ptr<AnnIndex> index;
  if (o.use_index) {
    Result<std::unique_ptr<AnnIndex>> read = AnnIndex::Load(IndexPathsFor(paths->vectors, *metric), m, ModelFingerprint(model));
    if (!read.ok()) return read.status();
    index = std::move(*read);
  }

  Result<PopularitySource> pop = LoadPopularity(o, *paths, model);
  if (!pop.ok()) return pop.status().WithContext("popularity baseline");
  report.popularity_source = pop->description;

  Result<TestRecords> read = ReadTestRecords(o.test, model.index);
  if (!read.ok()) return read.status();
  const TestRecords& recs = *read;
  report.records_read = static_cast<std::int64_t>(recs.size());
  report.load_seconds = SecondsSince(start);

  std::vector<MetricsAccumulator> model_metrics(modes->size(), MetricsAccumulator(*ks));
  MetricsAccumulator pop_metrics(*ks);
  SearchOptions search;
  search.threads = report.threads;
  // Per chunk: the records evaluated; per query mode the query set and, per evaluated
  // record, the query it became (-1: a miss).
  const std::size_t chunk = static_cast<std::size_t>(o.chunk_records);
  std::vector<float> vectors(chunk * static_cast<std::size_t>(d));
  std::vector<std::int64_t> targets(chunk);
  std::vector<std::size_t> exclude_begin(chunk + 1), evaluated;
  std::vector<ItemId> exclude, query_items, pop_scratch;
  std::vector<std::int64_t> query_of, pop_rank;
  QueryScratch scratch;
  scratch.sum.resize(static_cast<std::size_t>(d));
  SearchResults results;
  // The first query's exclusions of record r appended to *out; returns where they begin.
  const auto add_exclusions = [&](const std::int64_t* h, std::size_t hs, std::vector<ItemId>* out) {
    const std::size_t ex0 = out->size();
    out->insert(out->end(), query_items.begin(), query_items.end());
    if (o.exclude_history)
      for (std::size_t i = 0; i < hs; ++i)
        if (h[i] >= 0) out->push_back(static_cast<ItemId>(h[i]));
    return ex0;
  };
  const auto search_start = Clock::now();
  for (std::size_t begin = 0; begin < recs.size(); begin += chunk) {
    const std::size_t end = std::min(recs.size(), begin + chunk);
    evaluated.clear();
    pop_rank.clear();
    for (std::size_t r = begin; r < end; ++r) {
      const std::int64_t* h = recs.history_of(r);
      const std::size_t hs = recs.history_size(r);
      if (hs == 0) {
        ++report.skipped_empty_history;
        continue;
      }
      bool all = true;
      for (std::size_t mi = modes->size(); mi-- > 0 && all;) {  // the first mode's items stay
        QueryItems((*modes)[mi], h, hs, &query_items);
        all = !query_items.empty();
      }
      if (!all) {
        ++report.skipped_query_oov;
        continue;
      }
      ++report.evaluated;
      exclude.clear();
      add_exclusions(h, hs, &exclude);
      const std::int64_t t = recs.target[r];
      if (t < 0) {
        ++report.target_oov;
      } else if (Contains(exclude, 0, t)) {
        ++report.target_excluded;
      }
      pop_rank.push_back(pop->ranker ? pop->ranker->Rank(t, exclude.data(), exclude.size(), &pop_scratch) : 0);
      evaluated.push_back(r);
    }
    for (std::size_t mi = 0; mi < modes->size(); ++mi) {
      const QueryMode& mode = (*modes)[mi];
      std::size_t nq = 0;
      exclude.clear();
      exclude_begin[0] = 0;
      query_of.clear();
      for (std::size_t r : evaluated) {
        const std::int64_t* h = recs.history_of(r);
        const std::size_t hs = recs.history_size(r);
        QueryItems(mode, h, hs, &query_items);
        const std::size_t ex0 = add_exclusions(h, hs, &exclude);
        const std::int64_t t = recs.target[r];
        if (t < 0 || Contains(exclude, ex0, t)) {
          exclude.resize(ex0);  // a miss whatever the scores: not worth a search
          query_of.push_back(-1);
          continue;
        }
        QueryVector(mode, m, query_items, &scratch, vectors.data() + nq * static_cast<std::size_t>(d));
        targets[nq] = t;
        exclude_begin[nq + 1] = exclude.size();
        query_of.push_back(static_cast<std::int64_t>(nq));
        ++nq;
      }
      const QuerySet qs{vectors.data(), nq, targets.data(), exclude_begin.data(), exclude.data()};
      if (index)
        ITEM2VEC_RETURN_IF_ERROR(index->Search(m, qs, ks->back(), o.ef, report.threads, &results));
      else
        ITEM2VEC_RETURN_IF_ERROR(ExactSearch(m, qs, search, &results));
      for (std::int64_t q : query_of) model_metrics[mi].Add(q >= 0 ? results.rank[static_cast<std::size_t>(q)] : 0);
    }
    if (pop->ranker)
      for (std::int64_t rank : pop_rank) pop_metrics.Add(rank);
  }
  report.search_seconds = SecondsSince(search_start);
  for (std::size_t mi = 0; mi < modes->size(); ++mi) {
    report.query_names.push_back((*modes)[mi].name);
    report.query_metrics.push_back(MetricsSummary::From(model_metrics[mi]));
  }
  report.model_metrics = report.query_metrics[0];
  if (pop->ranker) report.popularity = MetricsSummary::From(pop_metrics);
  report.total_seconds = SecondsSince(start);
  return report;
}

}  // namespace item2vec
