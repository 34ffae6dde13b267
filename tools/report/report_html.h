// The run report's HTML: one self-contained page (inline CSS and SVG, no script, no link to
// anything outside it) built from what run_report.h gathered.
//
// Contract: RenderReportHtml only formats (no I/O, no search): every section comes from the
// ReportPage fields, and a section whose data is missing says so in one line instead of a
// chart. Sections, in order: the run's headline figures; loss and learning rate over the run;
// tokens/s per worker over time (with the slowest worker against the median); each worker's
// time split (kernel / other compute / waiting on servers / input); peak memory per rank; the
// eval table against popularity; example items with their neighbours; the 2-D map of the most
// frequent items; what changed since the previous model; the history across nights. All text
// from files (items, titles, paths) is escaped. Pure; thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json_reader.h"
#include "tools/report/model_change.h"
#include "tools/report/model_head.h"

namespace item2vec {

struct ReportPage {
  std::string title;              // e.g. the output directory
  std::string model_dir;          // the resolved model directory
  std::string generated_at;       // UTC, ISO 8601
  std::vector<std::string> notes; // shown at the top (what could not be read, and why)
  JsonValue train;                // train.json (null when absent)
  ModelHead head;
  HeadNeighbours neighbours;      // of the head items (at least the examples)
  std::vector<std::size_t> examples;            // head ids
  std::vector<std::array<double, 2>> map;       // the first map.size() head items
  std::unordered_map<std::string, std::string> names;  // item -> title (may be empty)
  JsonValue eval;                 // an `item2vec eval --json` report (null: none)
  std::string eval_source;        // where it came from
  std::string previous_model;     // "" when there is none to compare with
  std::optional<VocabularyChange> vocabulary_change;
  std::optional<NeighbourChange> neighbour_change;
  std::vector<JsonValue> history; // nightly history lines, oldest first
};

std::string RenderReportHtml(const ReportPage& page);

// The sections drawn from train.json (report_training.cc), each a complete <section>.
std::string TrainingSections(const JsonValue& train);

// A display name: "title (item)" when the item has a title, else the item.
std::string DisplayName(const ReportPage& page, const std::string& item);

}  // namespace item2vec
