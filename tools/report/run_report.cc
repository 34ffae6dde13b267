#include "tools/report/run_report.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "common/atomic_file.h"
#include "common/model_dir.h"
#include "common/units.h"
#include "common/vocab_tsv.h"
#include "common/vocabulary.h"
#include "model/eval_report.h"
#include "model/evaluation.h"
#include "tools/report/report_html.h"

namespace item2vec {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kNeighbours = 10;
constexpr std::size_t kExamples = 10;
constexpr std::size_t kChangeExamples = 10;

// Ten head items spread from the most frequent to the rarest of the head, geometrically
// (ranks 1, 2, 5, 10, 22, ... for a head of 2,400), so the examples show both ends.
std::vector<std::size_t> ExampleIds(std::size_t head) {
  std::vector<std::size_t> ids;
  if (head == 0) return ids;
  for (std::size_t i = 0; i < kExamples; ++i) {
    const double rank = std::pow(static_cast<double>(head), static_cast<double>(i) / (kExamples - 1));
    const std::size_t id = std::min(head - 1, static_cast<std::size_t>(std::llround(rank)) - 1);
    if (ids.empty() || id > ids.back()) ids.push_back(id);
    else if (ids.back() + 1 < head) ids.push_back(ids.back() + 1);
  }
  return ids;
}

std::vector<std::size_t> FirstIds(std::size_t n) {
  std::vector<std::size_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = i;
  return ids;
}

// The eval table: an existing --json report, or a fresh evaluation of the hold-out.
void AddEval(const ReportRequest& r, int threads, ReportPage* page) {
  if (!r.eval_json.empty()) {
    Result<JsonValue> e = ReadJsonFile(r.eval_json);
    if (!e.ok()) {
      page->notes.push_back("No eval table: " + e.status().message());
      return;
    }
    page->eval = std::move(e.value());
    page->eval_source = r.eval_json;
    return;
  }
  if (r.test.empty()) return;
  EvalOptions o;
  o.model = r.model;
  o.test = r.test;
  o.threads = threads;
  Result<EvalReport> report = Evaluate(o);
  if (!report.ok()) {
    page->notes.push_back("No eval table: evaluating '" + r.test + "' failed: " + report.status().message());
    return;
  }
  Result<JsonValue> e = ParseJson(ReportJson(*report));
  if (e.ok()) page->eval = std::move(e.value());
  page->eval_source = "item2vec eval of " + r.test;
}

// The new model's vocabulary, read back from its vocab.tsv (to compare a previous one with).
Result<Vocabulary> ReadVocabulary(const std::string& vocab_tsv) {
  Result<VocabTsv> v = ReadVocabTsv(vocab_tsv);
  if (!v.ok()) return v.status();
  return Vocabulary::FromSorted(std::move(v->items), std::move(v->counts));
}

// What changed since the previous model: vocabulary and neighbourhoods.
void AddChange(const ReportRequest& r, const HeadFiles& now_files, int threads, ReportPage* page) {
  std::optional<PreviousModel> read;
  const PreviousModel* previous = r.previous_model;
  if (previous == nullptr && !r.previous.empty()) {
    std::optional<Vocabulary> now;
    if (!now_files.vocab_tsv.empty()) {
      Result<Vocabulary> v = ReadVocabulary(now_files.vocab_tsv);
      if (v.ok()) now = std::move(v.value());
      else page->notes.push_back("Vocabulary not compared: " + v.status().message());
    }
    Result<PreviousModel> p = ReadPreviousModel(HeadFilesOf(r.previous), r.previous, r.items, now ? &*now : nullptr);
    if (!p.ok()) {
      page->notes.push_back("Not compared with the previous model " + r.previous + ": " + p.status().message());
      return;
    }
    read = std::move(p.value());
    previous = &*read;
  }
  if (previous == nullptr) return;
  page->previous_model = previous->label;
  page->vocabulary_change = previous->vocabulary;
  const std::vector<std::size_t> top = FirstIds(std::min(r.compare, previous->head.size()));
  Result<HeadNeighbours> nb = FindHeadNeighbours(previous->head, kNeighbours, top, threads);
  if (!nb.ok()) {
    page->notes.push_back("Neighbours not compared: " + nb.status().message());
    return;
  }
  page->neighbour_change = CompareNeighbours(page->head, page->neighbours, previous->head, *nb, r.compare, kChangeExamples);
}

void AddHistory(const std::string& path, ReportPage* page) {
  std::ifstream in(path);
  if (!in) {
    page->notes.push_back("No history: cannot open '" + path + "'.");
    return;
  }
  std::string line;
  int bad = 0;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<JsonValue> v = ParseJson(line);
    if (v.ok() && v->is_object()) page->history.push_back(std::move(v.value()));
    else ++bad;
  }
  if (bad > 0) page->notes.push_back(std::to_string(bad) + " unreadable line(s) of '" + path + "' left out of the history.");
}

}  // namespace

Result<ReportResult> WriteRunReport(const ReportRequest& r) {
  const auto start = Clock::now();
  if (r.model.empty()) return Status::InvalidArgument("--model is required: a model directory");
  const int threads = r.threads > 0 ? r.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string dir = ResolveModelDir(r.model);
  const HeadFiles files = HeadFilesOf(r.model);
  ReportPage page;
  page.title = r.title.empty() ? r.model : r.title;
  page.model_dir = dir;
  page.generated_at = UtcNow("%Y-%m-%d %H:%M:%S UTC");
  Result<ModelHead> head = LoadModelHead(files, r.items);
  if (!head.ok()) return head.status().WithContext("reading the model for the report");
  page.head = std::move(head.value());
  if (files.vocab_tsv.empty()) page.notes.push_back("No vocab.tsv next to the vectors: counts are unknown.");
  Result<JsonValue> train = ReadJsonFile(dir + "/train.json");
  if (train.ok()) page.train = std::move(train.value());
  else page.notes.push_back("No training sections: " + train.status().message());
  if (!r.names.empty()) {
    Result<NameMap> names = ReadNames(r.names, r.name_options);
    if (names.ok()) page.names = std::move(names.value());
    else page.notes.push_back("No titles: " + names.status().message());
  }
  page.examples = ExampleIds(page.head.size());
  std::vector<std::size_t> queries = FirstIds(std::min(r.compare, page.head.size()));
  queries.insert(queries.end(), page.examples.begin(), page.examples.end());
  Result<HeadNeighbours> neighbours = FindHeadNeighbours(page.head, kNeighbours, queries, threads);
  if (!neighbours.ok()) return neighbours.status().WithContext("searching neighbours for the report");
  page.neighbours = std::move(neighbours.value());
  page.map = PrincipalPlane(page.head, r.map_items);
  AddEval(r, threads, &page);
  AddChange(r, files, threads, &page);
  if (!r.history.empty()) AddHistory(r.history, &page);

  ReportResult result;
  result.path = r.output.empty() ? dir + "/report.html" : r.output;
  ITEM2VEC_RETURN_IF_ERROR(WriteFileAtomically(result.path, RenderReportHtml(page)).WithContext("writing the report"));
  std::error_code ec;
  if (r.output.empty() && fs::path(dir) != fs::path(r.model) && fs::is_symlink(fs::symlink_status(fs::path(r.model) / kModelLink, ec)))
    ITEM2VEC_RETURN_IF_ERROR(LinkPublishedFile(r.model, kReportLink));
  result.eval = page.eval;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace item2vec
