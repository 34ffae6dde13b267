// PrepOptions: every setting of `item2vec prep`, with its default and meaning, and
// PrepConfig, the typed and checked form the pipeline runs on.
//
// Contract: PrepOptions is filled once at the command-line edge by ParsePrepOptions()
// (command line first, then the INI file named by --config; the command line wins).
// ResolvePrepOptions() checks ranges and combinations and converts the text options
// (durations, sizes, column specs, hold-out) into a PrepConfig, or returns kInvalidArgument
// with a message that names the option. Both structs are plain values; read-only after.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "common/delimited_reader.h"
#include "common/option_table.h"
#include "tools/prep/event_columns.h"
#include "tools/prep/event_weights.h"
#include "tools/prep/sessionizer.h"
#include "tools/prep/timestamp.h"
#include "common/status.h"

namespace item2vec {

struct PrepOptions {
  std::vector<std::string> input;     // files or directories of files (required)
  std::string output;                 // output directory (required)
  // Input format.
  std::string delimiter = "auto";     // auto, ",", "tab", "::", ";", "|" or any string
  std::string quote = "\"";           // quote byte, or "none"
  std::string header = "auto";        // auto, yes, no
  std::string user_col = "1";         // 1-based position or header name
  std::string item_col = "2";
  std::string time_col;               // empty = no time column: input order is time order
  std::string rating_col;             // empty = none
  std::string event_col;              // empty = none
  std::string weight_col;             // empty = none: events weigh 1 (or --event-weights)
  std::string time_format = "auto";   // auto, seconds, milliseconds, iso8601
  // Filters.
  double min_rating = -std::numeric_limits<double>::infinity();  // keep rating >= this
  std::string event_types;            // comma-separated; empty = all
  std::string event_weights;          // TYPE=W,...; empty = every event weighs 1
  std::int64_t min_item_count = 1;    // drop items seen fewer times in the whole log
  std::int64_t min_length = 2;        // drop sequences shorter than this
  // Sequences.
  std::string session_gap = "0";      // split a user's events at gaps longer than this
  std::int64_t max_length = 0;        // chunk longer sequences (0 = no cap)
  std::string mode = "sequence";      // sequence or set
  std::string holdout = "none";       // none, last, last:N, after:TIMESTAMP
  bool validation = false;            // with --holdout last[:N]: also valid.tsv (item2vec tune)
  // Output and resources.
  int parts = 1;                      // train/part-00000 ... part-(parts-1)
  std::string memory = "512M";        // budget for sorting
  bool strict = false;                // the first bad row is fatal
  double progress_seconds = 5;        // seconds between progress lines
  std::string log_level = "info";
};

// The checked, typed settings the pipeline uses.
struct PrepConfig {
  std::vector<std::string> input;
  std::string output;
  std::string delimiter;              // "" = detect per file
  bool quoting = true;
  char quote = '"';
  enum class HeaderMode { kAuto, kYes, kNo } header = HeaderMode::kAuto;
  EventColumnSpecs columns;
  TimeFormat time_format = TimeFormat::kAuto;
  bool has_min_rating = false;
  double min_rating = 0;
  std::vector<std::string> event_types;  // empty = all
  EventWeights event_weights;         // empty = every event weighs 1 (no ITEM*W tokens)
  // --event-weights or --weight-col: the sorted events' tokens may be ITEM*W.
  bool weighted() const { return !event_weights.empty() || columns.weight.used(); }
  std::int64_t min_item_count = 1;
  SessionOptions session;             // gap, max/min length, mode, hold-out
  int parts = 1;
  std::int64_t memory_bytes = 512ll << 20;
  bool strict = false;
  double progress_seconds = 5;
  int reported_bad_rows = 5;          // bad rows shown in full before they are only counted
};

// The option table (tools/prep/prep_options.opt, generated at build time), by group.
std::vector<OptionGroup> PrepOptionGroups(PrepOptions* options, std::string* config_path);
// Describes every option (used for --help and for parsing).
boost::program_options::options_description PrepOptionsDescription(PrepOptions* options, std::string* config_path);

// Parses argv (after the subcommand) and the optional INI file. Sets *help_requested and
// returns Ok when --help is present.
Status ParsePrepOptions(const std::vector<std::string>& args, PrepOptions* options, bool* help_requested);

Result<PrepConfig> ResolvePrepOptions(const PrepOptions& options);

}  // namespace item2vec
