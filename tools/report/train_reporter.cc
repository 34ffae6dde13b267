#include "tools/report/train_reporter.h"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/model_dir.h"
#include "tools/report/prometheus.h"
#include "tools/report/model_head.h"
#include "tools/report/run_report.h"

namespace item2vec {
namespace {

namespace fs = std::filesystem;

// N of a model directory named model.N (0 when it is not one).
long long ModelVersion(const std::string& model_dir) {
  const std::string name = fs::path(model_dir).filename().string();
  if (name.rfind("model.", 0) != 0) return 0;
  return std::strtoll(name.c_str() + 6, nullptr, 10);
}

double Now() { return static_cast<double>(std::time(nullptr)); }


// The figures of a written model (train.json, the report's eval).
void AddRunFigures(const std::string& model_dir, const JsonValue& eval, double report_seconds, MetricsText* m) {
  Result<JsonValue> read = ReadJsonFile(model_dir + "/train.json");
  if (read.ok()) {
    const JsonValue& t = *read;
    m->Add("item2vec_train_training_seconds", "Seconds the workers trained (all epochs).", t["train_seconds"].number());
    m->Add("item2vec_train_tokens_per_second", "Tokens read per second of training, whole job.", t["tokens_per_second"].number());
    m->Add("item2vec_train_tokens", "Tokens read in training (all epochs).", t["tokens_seen"].number());
    m->Add("item2vec_train_final_loss", "Mean SGNS loss of the last epoch.", t["final_loss"].number());
    m->Add("item2vec_train_vocabulary_items", "Items in the trained vocabulary.", t["vocab_size"].number());
    m->Add("item2vec_train_workers", "Worker ranks.", t["ranks"]["workers"].number());
    m->Add("item2vec_train_servers", "Parameter-server ranks.", t["ranks"]["servers"].number());
    double worker = 0, server = 0;
    for (const JsonValue& u : t["rank_usage"].items()) {
      double& most = u["role"].string() == "server" ? server : worker;
      most = std::max(most, u["peak_rss_bytes"].number());
    }
    if (worker > 0) m->Add("item2vec_train_peak_rss_bytes", "Largest peak resident memory of a rank, by role.", worker, {{"role", "worker"}});
    if (server > 0) m->Add("item2vec_train_peak_rss_bytes", "Largest peak resident memory of a rank, by role.", server, {{"role", "server"}});
  }
  m->Add("item2vec_train_model_version", "N of the published OUTPUT/model.N.", static_cast<double>(ModelVersion(model_dir)));
  for (const char* ranker : {"model", "popularity"}) {
    const JsonValue& r = eval["results"][ranker];
    if (r.is_null()) continue;
    for (const auto& [k, v] : r["hr"].members())
      m->Add("item2vec_train_hit_rate", "Hit rate at K on the hold-out (--report-test).", v.number(), {{"k", k}, {"ranker", ranker}});
    for (const auto& [k, v] : r["ndcg"].members())
      m->Add("item2vec_train_ndcg", "NDCG at K on the hold-out (--report-test).", v.number(), {{"k", k}, {"ranker", ranker}});
    m->Add("item2vec_train_mrr", "Mean reciprocal rank on the hold-out (--report-test).", r["mrr"].number(), {{"ranker", ranker}});
  }
  if (report_seconds >= 0) m->Add("item2vec_train_report_seconds", "Seconds spent writing report.html.", report_seconds);
}

// OUTPUT/report.html of an earlier run points through OUTPUT/model, which now has no report.
void RemoveDanglingReportLink(const std::string& output) {
  std::error_code ec;
  const fs::path link = fs::path(output) / kReportLink;
  if (fs::is_symlink(fs::symlink_status(link, ec)) && !fs::exists(link, ec)) fs::remove(link, ec);
}

}  // namespace

TrainReporter::TrainReporter() : start_(std::chrono::steady_clock::now()) {}

void TrainReporter::BeforeModelWrite(const TrainOptions& o, const Vocabulary& vocab) {
  if (!o.report.write_report || !o.init_from.empty()) return;
  const HeadFiles files = HeadFilesOf(o.output);
  std::error_code ec;
  if (!fs::is_regular_file(files.vectors_bin, ec)) return;  // the first model in this directory
  const std::string label = ResolveModelDir(o.output) + " (the model this run replaced)";
  Result<PreviousModel> read = ReadPreviousModel(files, label, static_cast<std::size_t>(o.report.items), &vocab);
  if (!read.ok()) {
    spdlog::warn("report: no comparison with the model this run replaces: {}", read.status().message());
    return;
  }
  replaced_ = std::move(read.value());
}

void TrainReporter::AfterModelWrite(const TrainOptions& o, const std::string& model_dir) {
  model_dir_ = model_dir;
  if (!o.report.write_report) {
    RemoveDanglingReportLink(o.output);
    return;
  }
  ReportRequest r;
  r.model = o.output;
  r.test = o.report.test;
  r.names = o.report.names;
  r.name_options.columns = o.report.name_columns;
  r.items = static_cast<std::size_t>(o.report.items);
  if (!o.init_from.empty()) r.previous = o.init_from;
  if (replaced_) r.previous_model = &*replaced_;
  Result<ReportResult> written = WriteRunReport(r);
  replaced_.reset();
  if (!written.ok()) {
    spdlog::warn("report: {} (the model is written; only the report is missing)", written.status().message());
    RemoveDanglingReportLink(o.output);
    return;
  }
  eval_ = written->eval;
  report_seconds_ = written->seconds;
  spdlog::info("report: wrote {} in {:.2f} s", written->path, written->seconds);
}

void TrainReporter::AtExit(const TrainOptions& o, int exit_code) {
  const RunReportOptions& r = o.report;
  if (r.pushgateway.empty() && r.metrics_textfile.empty()) return;
  const bool success = exit_code == 0 && !model_dir_.empty();
  if (exit_code == 0 && !success) return;  // --help or --dry-run: no run to report
  MetricsText m;
  m.Add("item2vec_train_exit_code", "Exit code of the last item2vec train (0 = success).", exit_code);
  m.Add("item2vec_train_duration_seconds", "Wall seconds of the last item2vec train command on rank 0.",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  if (success) {
    AddRunFigures(model_dir_, eval_, report_seconds_, &m);
    m.Add("item2vec_train_last_success_timestamp_seconds", "Unix time of the last successful run.", Now());
  } else {
    m.Add("item2vec_train_last_failure_timestamp_seconds", "Unix time of the last failed run.", Now());
  }
  const MetricsMode mode = success ? MetricsMode::kReplace : MetricsMode::kMerge;
  if (!r.pushgateway.empty()) {
    if (Status st = PushMetrics(r.pushgateway, r.metrics_job, m.str(), mode); !st.ok())
      spdlog::warn("metrics: {}", st.message());
    else
      spdlog::info("metrics: pushed to {} (job {})", RedactUrl(r.pushgateway), r.metrics_job);
  }
  if (!r.metrics_textfile.empty()) {
    if (Status st = WriteMetricsTextfile(r.metrics_textfile, m.str(), mode); !st.ok()) spdlog::warn("metrics: {}", st.message());
  }
}

}  // namespace item2vec
