// PrepRun's reading pass: this rank's byte ranges of the input become events in the
// BucketSorter (see prep_run.h for the phases, prep_pipeline.h for the row rules).
#include <algorithm>

#include <spdlog/spdlog.h>

#include "tools/prep/prep_pipeline.h"
#include "tools/prep/prep_run.h"

namespace item2vec {
namespace {

bool IsIdWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

std::string_view SanitizeId(std::string_view id, std::string* scratch, bool* changed) {
  *changed = false;
  if (std::none_of(id.begin(), id.end(), IsIdWhitespace)) return id;
  scratch->assign(id.data(), id.size());
  for (char& c : *scratch)
    if (IsIdWhitespace(c)) c = '_';
  *changed = true;
  return *scratch;
}

namespace prep_detail {

void PrepRun::StartReadPass() {
  sorter_.reset();  // a pass read again removes the bucket files of the one before
  BucketSortOptions options;
  options.temp_dir = my_dir_;
  options.memory_bytes = config_.memory_bytes;
  options.expected_input_bytes = summary_.input_bytes;
  options.fanout = fanout_;
  sorter_ = std::make_unique<BucketSorter>(options);
  PrepSummary fresh;
  fresh.files = summary_.files;
  fresh.input_bytes = summary_.input_bytes;
  summary_ = fresh;
  item_counts_ = ItemCountTable();
  reported_bad_rows_ = 0;
  bad_rows_.clear();
  outcomes_.clear();
  bytes_done_ = 0;
  rows_at_last_progress_ = 0;
}

Status PrepRun::ReadShare(const std::vector<FileRange>& ranges) {
  share_bytes_ = 0;
  // A compressed file's range runs to kWholeFile: count its size on disk (progress then
  // compares decompressed bytes with it, and is capped at 100%).
  auto bytes_of = [&](const FileRange& r) { return std::min(r.end, files_[r.file_index].size) - r.begin; };
  for (const FileRange& r : ranges) share_bytes_ += bytes_of(r);
  for (const FileRange& range : ranges) {
    if (!formats_[range.file_index]) {
      Result<FileFormat> format = DescribeFile(range.file_index, range.begin == 0);
      if (!format.ok()) return format.status();
      formats_[range.file_index] = std::move(format.value());
    }
    if (!formats_[range.file_index]->skip) ITEM2VEC_RETURN_IF_ERROR(ReadRange(range, *formats_[range.file_index]));
    bytes_done_ += bytes_of(range);
  }
  if (!single())
    spdlog::info("rank {} read {} rows ({} events) from its share: {} range(s), {:.1f} MiB", comm_.rank(),
                 summary_.rows_read, summary_.events_read, ranges.size(), static_cast<double>(share_bytes_) / 1048576.0);
  return Status::Ok();
}

// The first non-blank record decides the delimiter (when auto), the header and the
// column count; every rank reading part of the file decides alike.
Result<FileFormat> PrepRun::DescribeFile(std::size_t file, bool log) {
  const std::string& path = files_[file].path;
  FileFormat out;
  out.format.delimiter = config_.delimiter;
  out.format.quoting = config_.quoting;
  out.format.quote = config_.quote;
  DelimitedReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(path, out.format));
  if (out.format.delimiter.empty()) {
    Result<std::string> first_line = reader.PeekFirstLine();
    if (!first_line.ok()) return first_line.status();
    out.format.delimiter = DetectDelimiter(first_line.value());
    if (out.format.delimiter.empty()) {
      if (first_line->empty() && reader.bytes_consumed() == 0) {
        if (log) spdlog::warn("'{}' is empty", path);
        out.skip = true;
        return out;
      }
      return Status::DataError("cannot tell the delimiter of '" + path + "' from its first line '" +
                               first_line->substr(0, 80) + "'; pass --delimiter");
    }
    reader.set_format(out.format);
  }
  DelimitedRecord record;
  bool has_record = false;
  // A record over the length limit says nothing about the format (only its start was
  // kept): the next one describes the file, and the main pass rejects it like any other
  // (record_too_long; --strict fails on it).
  do {
    ITEM2VEC_RETURN_IF_ERROR(reader.Next(&record, &has_record));
    if (has_record && record.too_long() && log)
      spdlog::warn("{}:{}: longer than {} MiB; the file's format is taken from the next line", path, record.line(),
                   DelimitedReader::kMaxRecordBytes >> 20);
  } while (has_record && (record.blank() || record.too_long()));
  if (!has_record) {
    if (log) spdlog::warn("'{}' has no rows", path);
    out.no_rows = true;
    return out;
  }
  out.has_header = config_.header == PrepConfig::HeaderMode::kYes;
  if (config_.header == PrepConfig::HeaderMode::kAuto)
    out.has_header = LooksLikeHeader(config_.columns, record, config_.time_format);
  std::vector<std::string> header;
  if (out.has_header) {
    out.header_offset = record.offset();
    for (std::string_view field : record.fields()) {
      while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
      while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
      header.emplace_back(field);
    }
  }
  Result<ColumnLayout> layout =
      ResolveColumns(config_.columns, out.has_header ? &header : nullptr, record.size(), path);
  if (!layout.ok()) return layout.status();
  out.layout = layout.value();
  if (log)
    spdlog::info("reading '{}': delimiter '{}', {} columns, {}", path,
                 out.format.delimiter == "\t" ? std::string("\\t") : out.format.delimiter, record.size(),
                 out.has_header ? "a header row" : "no header row");
  return out;
}

// Reads the records that start in [range.begin, range.end).
Status PrepRun::ReadRange(const FileRange& range, const FileFormat& format) {
  DelimitedReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(files_[range.file_index].path, format.format));
  ITEM2VEC_RETURN_IF_ERROR(reader.SeekToLineStart(range.begin));
  // Progress reports look at the open reader; the guard forgets it on every way out.
  struct ForgetReader {
    const DelimitedReader** slot;
    ~ForgetReader() { *slot = nullptr; }
  } forget{&reader_};
  reader_ = &reader;
  range_begin_ = range.begin;
  RangeOutcome outcome;
  outcome.file = static_cast<std::int64_t>(range.file_index);
  outcome.start = reader.bytes_consumed();
  DelimitedRecord record;
  bool has_record = false;
  while (reader.bytes_consumed() < range.end) {
    ITEM2VEC_RETURN_IF_ERROR(reader.Next(&record, &has_record));
    if (!has_record) break;
    if (record.blank()) {
      ++summary_.blank_lines;
      continue;
    }
    if (format.has_header && record.offset() == format.header_offset) {
      ++summary_.header_rows;
      continue;
    }
    ITEM2VEC_RETURN_IF_ERROR(HandleRow(record, format.layout, range.file_index));
  }
  outcome.stop = reader.bytes_consumed();
  outcome.lines = reader.lines_consumed();
  outcomes_.push_back(outcome);
  return Status::Ok();
}

Status PrepRun::HandleRow(const DelimitedRecord& record, const ColumnLayout& layout, std::size_t file) {
  ++summary_.rows_read;
  if ((summary_.rows_read & 0xffff) == 0) MaybeReportProgress();
  ParsedEvent event;
  RowReject reason;
  if (!ExtractEvent(record, layout, config_.time_format, &event, &reason))
    return RejectRow(record, layout, reason, file);
  ++summary_.events_read;
  if (config_.has_min_rating && !(event.rating >= config_.min_rating)) {
    ++summary_.filtered_rating;
    return Status::Ok();
  }
  if (!config_.event_types.empty() &&
      std::find(config_.event_types.begin(), config_.event_types.end(), event.event_type) ==
          config_.event_types.end()) {
    ++summary_.filtered_event_type;
    return Status::Ok();
  }
  bool changed = false;
  const std::string_view user = SanitizeId(event.user, &user_scratch_, &changed);
  summary_.user_ids_sanitized += changed;
  const std::string_view item = SanitizeId(event.item, &item_scratch_, &changed);
  summary_.item_ids_sanitized += changed;
  if (config_.min_item_count > 1) item_counts_.Add(item);
  std::string_view token = item;
  if (config_.weighted()) {  // ITEM*W (common/weighted_token.h); ITEM alone for weight 1
    weighted_scratch_.clear();
    const double weight = config_.columns.weight.used() ? event.weight : config_.event_weights.WeightOf(event.event_type);
    FormatWeightedToken(item, weight, &weighted_scratch_);
    token = weighted_scratch_;
  }
  // The global input position breaks time ties: the same whichever rank read the row.
  return sorter_->Add(user, token, event.time_ms, static_cast<std::uint64_t>(file_starts_[file] + record.offset()));
}

Status PrepRun::RejectRow(const DelimitedRecord& record, const ColumnLayout& layout, RowReject reason,
                          std::size_t file) {
  ++summary_.rows_rejected[static_cast<std::size_t>(reason)];
  if (!single()) {
    // Line numbers need the line counts of the ranks before: held back until they are known,
    // and --strict fails after the pass (ExchangeReadOutcomes).
    if (bad_rows_.size() < static_cast<std::size_t>(std::max(1, config_.reported_bad_rows)))
      bad_rows_.push_back({file_starts_[file] + record.offset(), static_cast<std::int64_t>(file), record.line(),
                           RowRejectName(reason), DescribeReject(record, layout, reason)});
    return Status::Ok();
  }
  const std::string where = files_[file].path + ":" + std::to_string(record.line());
  if (config_.strict)
    return Status::DataError(where + ": bad row (" + RowRejectName(reason) + "): " +
                             DescribeReject(record, layout, reason) + " [--strict]");
  if (reported_bad_rows_ < config_.reported_bad_rows) {
    ++reported_bad_rows_;
    spdlog::warn("{}: skipping bad row ({}): {}", where, RowRejectName(reason), DescribeReject(record, layout, reason));
  }
  return Status::Ok();
}

void PrepRun::MaybeReportProgress() {
  const auto now = Clock::now();
  const double since = std::chrono::duration<double>(now - last_progress_).count();
  if (since < config_.progress_seconds) return;
  const double done = static_cast<double>(bytes_done_ + (reader_ ? reader_->bytes_consumed() - range_begin_ : 0));
  spdlog::info("read {} rows ({:.0f} rows/s), {:.1f} of {:.1f} MiB ({:.0f}%)", summary_.rows_read,
               static_cast<double>(summary_.rows_read - rows_at_last_progress_) / since, done / 1048576.0,
               static_cast<double>(share_bytes_) / 1048576.0,
               share_bytes_ > 0 ? std::min(100.0, 100.0 * done / static_cast<double>(share_bytes_)) : 100.0);
  last_progress_ = now;
  rows_at_last_progress_ = summary_.rows_read;
}

}  // namespace prep_detail
}  // namespace item2vec
