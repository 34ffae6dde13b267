#include "tools/report/report_command.h"

#include <iostream>

#include <boost/program_options.hpp>

#include "common/command.h"
#include "common/shared_options.h"
#include "model/name_options.h"
#include "tools/report/run_report.h"

namespace po = boost::program_options;

namespace item2vec {

namespace {

Status Report(ReportRequest r, std::size_t items) {
  if (!r.test.empty() && !r.eval_json.empty()) return Status::InvalidArgument("give --test or --eval-json, not both");
  if (items < 10 || items > 1000000) return Status::InvalidArgument("--items must be in 10..1000000");
  r.items = items;
  Result<ReportResult> written = WriteRunReport(r);
  if (!written.ok()) return written.status();
  std::cout << "wrote " << written->path << " in " << written->seconds << " s\n";
  return Status::Ok();
}

}  // namespace

int RunReportCommand(const std::vector<std::string>& args) {
  ReportRequest r;
  std::size_t items = r.items;
  Command c("report",
            "Usage: item2vec report --model DIR [--test test.tsv | --eval-json eval.json] [--names movies.csv]\n"
            "                       [--previous DIR] [--history history.jsonl] [--output report.html]\n\n"
            "Writes the run report of a model: one self-contained HTML page (inline SVG, no script, nothing\n"
            "loaded from the network) with the training's loss, learning rate, tokens/s per worker over time,\n"
            "time split and memory per rank (from train.json), the eval table, example items with their\n"
            "neighbours, a 2-D map of the most frequent items, what changed since --previous and the nightly\n"
            "history. item2vec train writes the same page after every run (train --report).\n\n");
  c.options.add_options()
      ("model,m", po::value(&r.model),
       "model to report on: an output directory of item2vec train (its published model) or a "
       "model directory (required; reads vectors.bin, vocab.tsv and train.json)")
      ("output,o", po::value(&r.output),
       "write the page here (default: MODEL/report.html in the model directory, with "
       "OUTPUT/report.html a link to it)")
      ("title", po::value(&r.title), "the page's title (default: the --model path)")
      ("test", po::value(&r.test),
       "hold-out file written by item2vec prep: adds HR@K / NDCG@K / MRR against popularity "
       "(what item2vec eval prints; loads the whole model)")
      ("eval-json", po::value(&r.eval_json),
       "instead of --test: show this report of `item2vec eval --json` (the nightly refresh "
       "passes the one it computed)")
      ("previous", po::value(&r.previous),
       "a previous model (directory) to compare with: vocabulary added and removed, and the "
       "overlap@10 of the neighbours of the most frequent items")
      ("history", po::value(&r.history),
       "the nightly refresh's history file (JSON lines, HISTORY_FILE): adds quality, time and "
       "size across nights")
      ("items", po::value(&items)->default_value(items),
       "the N most frequent items (the first N rows of vectors.bin) that the neighbours, the map "
       "and the comparison use: the report's cost does not grow with the vocabulary");
  AddSearchThreadsOption(&c.options, &r.threads);
  AddNameFileOptions(&c.options, &r.names, &r.name_options);
  c.required = {{"model", "an output directory of item2vec train or a model directory"}};
  return RunCommand(c, args, [&] { return Report(r, items); });
}

}  // namespace item2vec
