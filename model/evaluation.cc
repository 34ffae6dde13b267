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
  for (std::size_t i = 0; i < model.items.size(); ++i) per_row[i] = counter->Get(model.items[i]);
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

// The options' parsed values, once the cheap checks passed.
struct EvalPlan {
  std::vector<int> ks;
  std::vector<QueryMode> modes;
  Similarity metric;
  ModelPaths paths;
};

// Cheap checks first, so a typo does not cost the minutes of loading a large model.
Result<EvalPlan> PlanEvaluation(const EvalOptions& o) {
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
  if (!std::ifstream(o.test)) return Status::NotFound("cannot open test file '" + o.test + "'");
  if (!o.json.empty()) {
    const std::filesystem::path parent = std::filesystem::path(o.json).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
      return Status::NotFound("--json: directory '" + parent.string() + "' does not exist");
  }
  Result<ModelPaths> paths = ResolveModel(o.model, *format);
  if (!paths.ok()) return paths.status();
  return EvalPlan{std::move(*ks), std::move(*modes), *metric, std::move(*paths)};
}

// The search over the test records, a chunk of records at a time: which records count
// (SelectRecords, with the popularity baseline's rank), then per query mode one batched
// search (SearchMode). Members are the scratch, allocated once.
class Evaluator {
 public:
  Evaluator(const EvalOptions& o, const EvalPlan& plan, const ItemMatrix& m, const AnnIndex* index,
            const PopularitySource& pop, const TestRecords& recs, EvalReport* report)
      : o_(o), plan_(plan), m_(m), index_(index), pop_(pop), recs_(recs), report_(report),
        model_metrics_(plan.modes.size(), MetricsAccumulator(plan.ks)), pop_metrics_(plan.ks) {
    const std::size_t chunk = static_cast<std::size_t>(o.chunk_records);
    vectors_.resize(chunk * static_cast<std::size_t>(m.dim()));
    targets_.resize(chunk);
    exclude_begin_.resize(chunk + 1);
    scratch_.sum.resize(static_cast<std::size_t>(m.dim()));
    search_.threads = report->threads;
  }

  // Every chunk, then the metrics into the report.
  Status Run() {
    const std::size_t chunk = static_cast<std::size_t>(o_.chunk_records);
    for (std::size_t begin = 0; begin < recs_.size(); begin += chunk) {
      SelectRecords(begin, std::min(recs_.size(), begin + chunk));
      for (std::size_t mi = 0; mi < plan_.modes.size(); ++mi) ITEM2VEC_RETURN_IF_ERROR(SearchMode(mi));
      if (pop_.ranker)
        for (std::int64_t rank : pop_rank_) pop_metrics_.Add(rank);
    }
    for (std::size_t mi = 0; mi < plan_.modes.size(); ++mi) {
      report_->query_names.push_back(plan_.modes[mi].name);
      report_->query_metrics.push_back(MetricsSummary::From(model_metrics_[mi]));
    }
    report_->model_metrics = report_->query_metrics[0];
    if (pop_.ranker) report_->popularity = MetricsSummary::From(pop_metrics_);
    return Status::Ok();
  }

 private:
  // The records of [begin, end) that every query mode can query, counted in the report, with
  // the popularity baseline's rank of each.
  void SelectRecords(std::size_t begin, std::size_t end) {
    evaluated_.clear();
    pop_rank_.clear();
    for (std::size_t r = begin; r < end; ++r) {
      const std::int64_t* h = recs_.history_of(r);
      const std::size_t hs = recs_.history_size(r);
      if (hs == 0) {
        ++report_->skipped_empty_history;
        continue;
      }
      bool all = true;
      for (std::size_t mi = plan_.modes.size(); mi-- > 0 && all;) {  // the first mode's items stay
        QueryItems(plan_.modes[mi], h, hs, &query_items_);
        all = !query_items_.empty();
      }
      if (!all) {
        ++report_->skipped_query_oov;
        continue;
      }
      ++report_->evaluated;
      exclude_.clear();
      AddExclusions(h, hs, &exclude_);
      const std::int64_t t = recs_.target[r];
      if (t < 0) {
        ++report_->target_oov;
      } else if (Contains(exclude_, 0, t)) {
        ++report_->target_excluded;
      }
      pop_rank_.push_back(pop_.ranker ? pop_.ranker->Rank(t, exclude_.data(), exclude_.size(), &pop_scratch_) : 0);
      evaluated_.push_back(r);
    }
  }

  // One batched search of the selected records' queries in mode mi, into its metrics.
  Status SearchMode(std::size_t mi) {
    const QueryMode& mode = plan_.modes[mi];
    const std::size_t d = static_cast<std::size_t>(m_.dim());
    std::size_t nq = 0;
    exclude_.clear();
    exclude_begin_[0] = 0;
    query_of_.clear();
    for (std::size_t r : evaluated_) {
      const std::int64_t* h = recs_.history_of(r);
      const std::size_t hs = recs_.history_size(r);
      QueryItems(mode, h, hs, &query_items_);
      const std::size_t ex0 = AddExclusions(h, hs, &exclude_);
      const std::int64_t t = recs_.target[r];
      if (t < 0 || Contains(exclude_, ex0, t)) {
        exclude_.resize(ex0);  // a miss whatever the scores: not worth a search
        query_of_.push_back(-1);
        continue;
      }
      QueryVector(mode, m_, query_items_, &scratch_, vectors_.data() + nq * d);
      targets_[nq] = t;
      exclude_begin_[nq + 1] = exclude_.size();
      query_of_.push_back(static_cast<std::int64_t>(nq));
      ++nq;
    }
    const QuerySet qs{vectors_.data(), nq, targets_.data(), exclude_begin_.data(), exclude_.data()};
    if (index_ != nullptr)
      ITEM2VEC_RETURN_IF_ERROR(index_->Search(m_, qs, plan_.ks.back(), o_.ef, report_->threads, &results_));
    else
      ITEM2VEC_RETURN_IF_ERROR(ExactSearch(m_, qs, search_, &results_));
    for (std::int64_t q : query_of_) model_metrics_[mi].Add(q >= 0 ? results_.rank[static_cast<std::size_t>(q)] : 0);
    return Status::Ok();
  }

  // The query's exclusions of a record (its query items, and its history with
  // --exclude-history) appended to *out; returns where they begin.
  std::size_t AddExclusions(const std::int64_t* h, std::size_t hs, std::vector<ItemId>* out) const {
    const std::size_t ex0 = out->size();
    out->insert(out->end(), query_items_.begin(), query_items_.end());
    if (o_.exclude_history)
      for (std::size_t i = 0; i < hs; ++i)
        if (h[i] >= 0) out->push_back(static_cast<ItemId>(h[i]));
    return ex0;
  }

  const EvalOptions& o_;
  const EvalPlan& plan_;
  const ItemMatrix& m_;
  const AnnIndex* index_;
  const PopularitySource& pop_;
  const TestRecords& recs_;
  EvalReport* report_;
  std::vector<MetricsAccumulator> model_metrics_;
  MetricsAccumulator pop_metrics_;
  SearchOptions search_;
  // Per chunk: the records evaluated; per query mode the query set and, per evaluated
  // record, the query it became (-1: a miss).
  std::vector<float> vectors_;
  std::vector<std::int64_t> targets_;
  std::vector<std::size_t> exclude_begin_, evaluated_;
  std::vector<ItemId> exclude_, query_items_, pop_scratch_;
  std::vector<std::int64_t> query_of_, pop_rank_;
  QueryScratch scratch_;
  SearchResults results_;
};

}  // namespace

Result<EvalReport> Evaluate(const EvalOptions& o) {
  const auto start = Clock::now();
  Result<EvalPlan> plan = PlanEvaluation(o);
  if (!plan.ok()) return plan.status();
  const ModelPaths& paths = plan->paths;
  EvalReport report;
  report.model = o.model;
  report.vectors = paths.vectors;
  report.test = o.test;
  report.query = o.query;
  report.metric = SimilarityName(plan->metric);
  report.search = o.use_index ? "hnsw ef=" + std::to_string(o.ef) : "exact";
  report.exclude_history = o.exclude_history;
  report.ks = plan->ks;
  report.threads = o.threads > 0 ? o.threads : DefaultThreads();

  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(paths, plan->metric);
  if (!loaded.ok()) return loaded.status();
  const LoadedModel& model = **loaded;
  const ItemMatrix& m = model.matrix;
  report.items = static_cast<std::int64_t>(m.size());
  report.dim = m.dim();
  std::cerr << "item2vec eval: " << m.size() << " items x " << m.dim() << " dims from " << paths.vectors << " in "
            << SecondsSince(start) << "s\n";
  if (!plan->ks.empty() && static_cast<std::size_t>(plan->ks.back()) > m.size())
    std::cerr << "item2vec eval: --k " << plan->ks.back() << " is more than the model's " << m.size()
              << " items: every rank is at most " << m.size() << ", so HR@K and NDCG@K for such K equal their value at K = "
              << m.size() << "\n";
  std::unique_ptr<AnnIndex> index;
  if (o.use_index) {
    Result<std::unique_ptr<AnnIndex>> read = AnnIndex::Load(IndexPathsFor(paths.vectors, plan->metric), m, ModelFingerprint(model));
    if (!read.ok()) return read.status();
    index = std::move(*read);
  }

  Result<PopularitySource> pop = LoadPopularity(o, paths, model);
  if (!pop.ok()) return pop.status().WithContext("popularity baseline");
  report.popularity_source = pop->description;

  Result<TestRecords> read = ReadTestRecords(o.test, model.index);
  if (!read.ok()) return read.status();
  report.records_read = static_cast<std::int64_t>(read->size());
  report.load_seconds = SecondsSince(start);

  const auto search_start = Clock::now();
  Evaluator evaluator(o, *plan, m, index.get(), *pop, *read, &report);
  ITEM2VEC_RETURN_IF_ERROR(evaluator.Run());
  report.search_seconds = SecondsSince(search_start);
  report.total_seconds = SecondsSince(start);
  return report;
}

}  // namespace item2vec
