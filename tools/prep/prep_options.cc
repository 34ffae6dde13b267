#include "tools/prep/prep_options.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <boost/program_options.hpp>

#include "common/command_line.h"
#include "common/option_table.h"
#include "common/units.h"

namespace po = boost::program_options;

namespace item2vec {

po::options_description PrepOptionsDescription(PrepOptions* o, std::string* config_path) {
  return OptionsWithHelp("item2vec prep options", PrepOptionGroups(o, config_path));
}

Status ParsePrepOptions(const std::vector<std::string>& args, PrepOptions* options, bool* help_requested) {
  std::string config_path;
  return ParseCommandOptions(PrepOptionsDescription(options, &config_path), args, "prep", help_requested);
}


// --event-weights: needs the event column and ordered sequences (a set dedups its items).
static Status ResolveEventWeights(const PrepOptions& o, PrepConfig* c) {
  if (!o.weight_col.empty() && o.mode != "sequence")
    return Status::InvalidArgument("--weight-col needs --mode sequence (a set keeps one token per item)");
  if (o.event_weights.empty()) return Status::Ok();
  if (!o.weight_col.empty())
    return Status::InvalidArgument("--event-weights and --weight-col: give one of them (the weight of an event)");
  if (!c->columns.event.used())
    return Status::InvalidArgument("--event-weights needs --event-col (the column holding the event type)");
  if (o.mode != "sequence")
    return Status::InvalidArgument("--event-weights needs --mode sequence (a set keeps one token per item)");
  Result<EventWeights> weights = ParseEventWeights(o.event_weights);
  if (!weights.ok()) return weights.status();
  c->event_weights = std::move(*weights);
  return Status::Ok();
}

Result<PrepConfig> ResolvePrepOptions(const PrepOptions& o) {
  auto bad = [](const std::string& m) { return Status::InvalidArgument(m); };
  PrepConfig c;
  if (o.input.empty()) return bad("--input is required: one or more event log files (CSV, TSV, '::')");
  if (o.output.empty()) return bad("--output is required: the directory to write train/, test.tsv, summary.json");
  c.input = o.input;
  c.output = o.output;

  if (o.delimiter.empty()) return bad("--delimiter must not be empty (use auto to detect it)");
  c.delimiter = o.delimiter == "auto" ? "" : DelimiterFromOption(o.delimiter);
  if (c.delimiter.find('\n') != std::string::npos || c.delimiter.find('\r') != std::string::npos)
    return bad("--delimiter must not contain a line break");
  if (o.quote == "none" || o.quote.empty()) {
    c.quoting = false;
  } else if (o.quote.size() == 1) {
    c.quote = o.quote[0];
    if (c.delimiter.find(c.quote) != std::string::npos)
      return bad("--quote '" + o.quote + "' also appears in --delimiter");
  } else {
    return bad("--quote must be one character or none, got '" + o.quote + "'");
  }
  if (o.header == "auto") c.header = PrepConfig::HeaderMode::kAuto;
  else if (o.header == "yes" || o.header == "true") c.header = PrepConfig::HeaderMode::kYes;
  else if (o.header == "no" || o.header == "false") c.header = PrepConfig::HeaderMode::kNo;
  else return bad("--header must be auto, yes or no; got '" + o.header + "'");

  auto column = [](const std::string& text, const char* option, ColumnSpec* spec) {
    Result<ColumnSpec> r = ParseColumnSpec(text, option);
    if (!r.ok()) return r.status();
    *spec = r.value();
    return Status::Ok();
  };
  ITEM2VEC_RETURN_IF_ERROR(column(o.user_col, "--user-col", &c.columns.user));
  ITEM2VEC_RETURN_IF_ERROR(column(o.item_col, "--item-col", &c.columns.item));
  ITEM2VEC_RETURN_IF_ERROR(column(o.time_col, "--time-col", &c.columns.time));
  ITEM2VEC_RETURN_IF_ERROR(column(o.rating_col, "--rating-col", &c.columns.rating));
  ITEM2VEC_RETURN_IF_ERROR(column(o.event_col, "--event-col", &c.columns.event));
  ITEM2VEC_RETURN_IF_ERROR(column(o.weight_col, "--weight-col", &c.columns.weight));
  if (!c.columns.user.used()) return bad("--user-col must name a column");
  if (!c.columns.item.used()) return bad("--item-col must name a column");
  if (c.columns.AnyByName() && c.header == PrepConfig::HeaderMode::kNo)
    return bad("a column is given by name but --header is no; give 1-based positions instead");

  Result<TimeFormat> tf = ParseTimeFormat(o.time_format);
  if (!tf.ok()) return tf.status();
  c.time_format = tf.value();

  if (std::isfinite(o.min_rating)) {
    if (!c.columns.rating.used()) return bad("--min-rating needs --rating-col (the column holding the rating)");
    c.has_min_rating = true;
    c.min_rating = o.min_rating;
  } else if (!std::isinf(o.min_rating) || o.min_rating > 0) {
    return bad("--min-rating must be a finite number");
  }
  if (!o.event_types.empty()) {
    if (!c.columns.event.used()) return bad("--event-types needs --event-col (the column holding the event type)");
    std::size_t begin = 0;
    while (begin <= o.event_types.size()) {
      std::size_t end = o.event_types.find(',', begin);
      if (end == std::string::npos) end = o.event_types.size();
      std::string type = o.event_types.substr(begin, end - begin);
      while (!type.empty() && type.front() == ' ') type.erase(type.begin());
      while (!type.empty() && type.back() == ' ') type.pop_back();
      if (!type.empty()) c.event_types.push_back(type);
      begin = end + 1;
    }
    if (c.event_types.empty()) return bad("--event-types lists no type");
  }
  ITEM2VEC_RETURN_IF_ERROR(ResolveEventWeights(o, &c));
  if (o.min_item_count < 1) return bad("--min-item-count must be at least 1");
  c.min_item_count = o.min_item_count;
  if (o.min_length < 1) return bad("--min-length must be at least 1");
  c.session.min_length = o.min_length;
  if (o.max_length < 0) return bad("--max-length must be 0 (no cap) or positive");
  if (o.max_length > 0 && o.max_length < o.min_length)
    return bad("--max-length " + std::to_string(o.max_length) + " is below --min-length " +
               std::to_string(o.min_length) + ": every chunk would be dropped");
  c.session.max_length = o.max_length;

  Result<std::int64_t> gap = ParseDurationMs(o.session_gap);
  if (!gap.ok()) return gap.status().WithContext("--session-gap");
  c.session.session_gap_ms = gap.value();
  if (c.session.session_gap_ms > 0 && !c.columns.time.used())
    return bad("--session-gap needs --time-col (sessions are cut at gaps in time)");
  if (o.mode == "sequence") c.session.mode = SequenceMode::kSequence;
  else if (o.mode == "set") c.session.mode = SequenceMode::kSet;
  else return bad("--mode must be sequence or set; got '" + o.mode + "'");
  Result<HoldoutSpec> holdout = ParseHoldoutSpec(o.holdout);
  if (!holdout.ok()) return holdout.status();
  c.session.holdout = holdout.value();
  if (c.session.holdout.kind == HoldoutSpec::Kind::kAfter && !c.columns.time.used())
    return bad("--holdout after:TIMESTAMP needs --time-col");
  if (o.validation && c.session.holdout.kind != HoldoutSpec::Kind::kLast)
    return bad("--validation needs --holdout last or last:N (the event before the test ones is the validation record)");
  c.session.validation = o.validation;

  if (o.parts < 1 || o.parts > 10000) return bad("--parts must be in 1..10000, got " + std::to_string(o.parts));
  c.parts = o.parts;
  Result<std::int64_t> memory = ParseByteSize(o.memory);
  if (!memory.ok()) return memory.status().WithContext("--memory");
  if (memory.value() < (64 << 10)) return bad("--memory must be at least 64K, got '" + o.memory + "'");
  c.memory_bytes = memory.value();
  c.strict = o.strict;
  if (!(o.progress_seconds > 0)) return bad("--progress-seconds must be positive");
  c.progress_seconds = o.progress_seconds;
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  if (std::find(std::begin(kLevels), std::end(kLevels), o.log_level) == std::end(kLevels))
    return bad("--log-level must be one of trace, debug, info, warn, error; got '" + o.log_level + "'");
  return c;
}

}  // namespace item2vec
