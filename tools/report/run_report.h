// The run report: one self-contained HTML page (report_html.h) written next to a model by
// every `item2vec train` (through train_reporter.h) and by `item2vec report`.
//
// Contract:
// - WriteRunReport reads the model's train.json (any field may be missing: that section then
//   says so), the first `items` rows of vectors.bin with their counts (model_head.h), the
//   titles (--names), and when asked: evaluates the hold-out with tools/eval's Evaluate (which
//   loads the whole model, as `item2vec eval` does) or reads an `eval --json` report; compares
//   with a previous model (model_change.h: a directory, or what train read of the model it
//   replaced before deleting it); reads the nightly history (one JSON object per line,
//   unreadable lines skipped and counted).
// - Bounded work: neighbours of the 10 examples and of the `compare` most frequent items,
//   searched among the head; the map is the head's first `map_items` items.
// - The page goes to request.output, or by default into the model directory as report.html,
//   written atomically, and OUTPUT/report.html becomes a link to model/report.html when the
//   model is a train output directory. A model that cannot be read is an error; every optional
//   piece that cannot be read (names, previous model, history, hold-out) becomes a note at the
//   top of the page instead.
#pragma once

#include <optional>
#include <string>

#include "common/json_reader.h"
#include "common/status.h"
#include "model/names.h"
#include "tools/report/model_change.h"

namespace item2vec {

struct ReportRequest {
  std::string model;            // a train output directory, or a model directory
  std::string output;           // "" = MODEL_DIR/report.html (+ OUTPUT/report.html link)
  std::string title;            // "" = the model path
  std::string test;             // hold-out file: evaluate (needs the whole model in memory)
  std::string eval_json;        // or: an `item2vec eval --json` report to show
  std::string names;            // item -> title table
  NameFileOptions name_options;
  std::string previous;         // a previous model directory to compare with
  const PreviousModel* previous_model = nullptr;  // or one already read (train: the replaced model)
  std::string history;          // the nightly history file (JSON lines)
  std::size_t items = 5000;     // the head: neighbours, map and comparison use these items
  std::size_t map_items = 2000;
  std::size_t compare = 1000;   // items whose neighbour overlap is compared
  int threads = 0;              // search threads; 0 = hardware concurrency
};

struct ReportResult {
  std::string path;             // the page written
  double seconds = 0;
  JsonValue eval;               // the eval report shown (null when none)
};

Result<ReportResult> WriteRunReport(const ReportRequest& request);

}  // namespace item2vec
