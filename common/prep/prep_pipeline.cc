#include "common/prep/prep_pipeline.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/input_files.h"
#include "common/json_writer.h"
#include "common/prep/delimited_reader.h"
#include "common/prep/item_count_table.h"

namespace fs = std::filesystem;

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool IsIdWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string PartFileName(int part) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-%05d", part);
  return name;
}

// Removes the temporary directory on every path out of RunPrep.
class TempDirGuard {
 public:
  explicit TempDirGuard(std::string path) : path_(std::move(path)) {}
  ~TempDirGuard() {
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (ec) spdlog::warn("could not remove temporary directory '{}': {}", path_, ec.message());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One run of the pipeline: the reading pass, then the per-user pass.
class PrepRun {
 public:
  explicit PrepRun(const PrepConfig& config) : config_(config), sessionizer_(config.session) {}
  Result<PrepSummary> Run();

 private:
  Status ReadFile(const std::string& path);
  Status HandleRow(const DelimitedRecord& record, const ColumnLayout& layout, const std::string& path);
  Status RejectRow(const DelimitedRecord& record, const ColumnLayout& layout, RowReject reason,
                   const std::string& path);
  void MaybeReportProgress();
  Status VisitUser(std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events);
  Status WriteOutputs();
  Status EmptyResultError() const;
  void RemoveStaleOutputs() const;

  const PrepConfig& config_;
  PrepSummary summary_;
  Sessionizer sessionizer_;
  std::unique_ptr<BucketSorter> sorter_;
  ItemCountTable item_counts_;   // kept events per item (only with min_item_count > 1)
  ItemCountTable train_items_;   // tokens per item in the training output
  std::int64_t reported_bad_rows_ = 0;
  // Progress.
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_progress_ = start_;
  std::int64_t rows_at_last_progress_ = 0;
  std::int64_t bytes_before_file_ = 0;
  const DelimitedReader* reader_ = nullptr;
  // Per-user scratch, reused so the user loop does not allocate once warm.
  std::vector<TimedItem> kept_;
  UserSplit split_;
  std::string line_;
  std::string user_scratch_, item_scratch_;
  // Outputs.
  std::vector<std::unique_ptr<AtomicFile>> parts_;
  std::unique_ptr<AtomicFile> test_file_;
};

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

std::int64_t PrepSummary::RowsRejected() const {
  std::int64_t total = 0;
  for (std::int64_t n : rows_rejected) total += n;
  return total;
}

namespace {

Result<PrepSummary> PrepRun::Run() {
  Result<std::vector<InputFile>> files = ListInputFiles(config_.input);
  if (!files.ok()) return files.status();
  ITEM2VEC_RETURN_IF_ERROR(EnsureWritableDirectory(config_.output));
  ITEM2VEC_RETURN_IF_ERROR(EnsureWritableDirectory(config_.output + "/train"));
  for (const InputFile& f : files.value()) summary_.input_bytes += f.size;
  summary_.files = static_cast<std::int64_t>(files->size());

  TempDirGuard temp_dir(config_.output + "/.prep-tmp-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::create_directories(temp_dir.path(), ec);
  if (ec) return Status::IOError("cannot create temporary directory '" + temp_dir.path() + "': " + ec.message());
  BucketSortOptions sort_options;
  sort_options.temp_dir = temp_dir.path();
  sort_options.memory_bytes = config_.memory_bytes;
  sort_options.expected_input_bytes = summary_.input_bytes;
  sorter_ = std::make_unique<BucketSorter>(sort_options);

  for (const InputFile& f : files.value()) {
    ITEM2VEC_RETURN_IF_ERROR(ReadFile(f.path));
    bytes_before_file_ += f.size;
  }
  const std::int64_t rejected = summary_.RowsRejected();
  spdlog::info("read {} rows from {} file(s) in {:.1f}s: {} events, {} rejected, {} filtered by rating or type",
               summary_.rows_read, summary_.files, SecondsSince(start_), summary_.events_read, rejected,
               summary_.filtered_rating + summary_.filtered_event_type);
  if (rejected > config_.reported_bad_rows)
    spdlog::warn("{} more bad rows were not shown; summary.json counts them by reason",
                 rejected - config_.reported_bad_rows);
  if (config_.min_item_count > 1) {
    item_counts_.ForEach([&](std::string_view, std::int64_t n) {
      if (n < config_.min_item_count) ++summary_.items_below_min_count;
    });
    spdlog::info("{} distinct items, {} of them below --min-item-count {}", item_counts_.size(),
                 summary_.items_below_min_count, config_.min_item_count);
  }
  if (sorter_->stats().events == 0) return EmptyResultError();

  ITEM2VEC_RETURN_IF_ERROR(WriteOutputs());
  sorter_.reset();  // removes any bucket file left before the directory goes
  summary_.seconds = SecondsSince(start_);
  return std::move(summary_);
}

Status PrepRun::ReadFile(const std::string& path) {
  DelimitedFormat format;
  format.delimiter = config_.delimiter;
  format.quoting = config_.quoting;
  format.quote = config_.quote;
  DelimitedReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(path, format));
  // Progress reports look at the open reader; the guard forgets it on every way out.
  struct ForgetReader {
    const DelimitedReader** slot;
    ~ForgetReader() { *slot = nullptr; }
  } forget{&reader_};
  reader_ = &reader;
  if (format.delimiter.empty()) {
    Result<std::string> first_line = reader.PeekFirstLine();
    if (!first_line.ok()) return first_line.status();
    format.delimiter = DetectDelimiter(first_line.value());
    if (format.delimiter.empty()) {
      if (first_line->empty() && reader.bytes_consumed() == 0) {
        spdlog::warn("'{}' is empty", path);
        return Status::Ok();
      }
      return Status::DataError("cannot tell the delimiter of '" + path + "' from its first line '" +
                               first_line->substr(0, 80) + "'; pass --delimiter");
    }
    reader.set_format(format);
  }
  DelimitedRecord record;
  bool has_record = false;
  do {  // the first non-blank record decides the header and the column count
    ITEM2VEC_RETURN_IF_ERROR(reader.Next(&record, &has_record));
    if (has_record && record.blank()) ++summary_.blank_lines;
  } while (has_record && record.blank());
  if (!has_record) {
    spdlog::warn("'{}' has no rows", path);
    return Status::Ok();
  }
  bool has_header = config_.header == PrepConfig::HeaderMode::kYes;
  if (config_.header == PrepConfig::HeaderMode::kAuto)
    has_header = LooksLikeHeader(config_.columns, record, config_.time_format);
  std::vector<std::string> header;
  if (has_header) {
    for (std::string_view field : record.fields()) {
      while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
      while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
      header.emplace_back(field);
    }
  }
  Result<ColumnLayout> layout =
      ResolveColumns(config_.columns, has_header ? &header : nullptr, record.size(), path);
  if (!layout.ok()) return layout.status();
  spdlog::info("reading '{}': delimiter '{}', {} columns, {}", path,
               format.delimiter == "\t" ? std::string("\\t") : format.delimiter, record.size(),
               has_header ? "a header row" : "no header row");
  if (has_header) {
    ++summary_.header_rows;
  } else {
    ITEM2VEC_RETURN_IF_ERROR(HandleRow(record, layout.value(), path));
  }
  while (true) {
    ITEM2VEC_RETURN_IF_ERROR(reader.Next(&record, &has_record));
    if (!has_record) break;
    if (record.blank()) {
      ++summary_.blank_lines;
      continue;
    }
    ITEM2VEC_RETURN_IF_ERROR(HandleRow(record, layout.value(), path));
  }
  return Status::Ok();
}

Status PrepRun::HandleRow(const DelimitedRecord& record, const ColumnLayout& layout, const std::string& path) {
  ++summary_.rows_read;
  if ((summary_.rows_read & 0xffff) == 0) MaybeReportProgress();
  ParsedEvent event;
  RowReject reason;
  if (!ExtractEvent(record, layout, config_.time_format, &event, &reason))
    return RejectRow(record, layout, reason, path);
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
  return sorter_->Add(user, item, event.time_ms);
}

Status PrepRun::RejectRow(const DelimitedRecord& record, const ColumnLayout& layout, RowReject reason,
                          const std::string& path) {
  ++summary_.rows_rejected[static_cast<std::size_t>(reason)];
  const std::string where = path + ":" + std::to_string(record.line());
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
  const double done = static_cast<double>(bytes_before_file_ + (reader_ ? reader_->bytes_consumed() : 0));
  spdlog::info("read {} rows ({:.0f} rows/s), {:.1f} of {:.1f} MiB ({:.0f}%)", summary_.rows_read,
               static_cast<double>(summary_.rows_read - rows_at_last_progress_) / since, done / 1048576.0,
               static_cast<double>(summary_.input_bytes) / 1048576.0,
               summary_.input_bytes > 0 ? 100.0 * done / static_cast<double>(summary_.input_bytes) : 100.0);
  last_progress_ = now;
  rows_at_last_progress_ = summary_.rows_read;
}

Status PrepRun::VisitUser(std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events) {
  kept_.clear();
  for (const TimedItem& e : events) {
    if (config_.min_item_count > 1 && item_counts_.Count(e.item) < config_.min_item_count) {
      ++summary_.filtered_item_count;
      continue;
    }
    kept_.push_back(e);
  }
  if (kept_.empty()) return Status::Ok();
  ++summary_.users;
  summary_.events_kept += static_cast<std::int64_t>(kept_.size());
  sessionizer_.Split(kept_, &split_);

  if (!split_.sequence_ends.empty()) {
    ++summary_.users_with_sequences;
    line_.clear();
    std::size_t begin = 0;
    for (std::size_t end : split_.sequence_ends) {
      for (std::size_t i = begin; i < end; ++i) {
        if (i > begin) line_.push_back(' ');
        line_.append(split_.tokens[i]);
        train_items_.Add(split_.tokens[i]);
      }
      line_.push_back('\n');
      begin = end;
    }
    parts_[static_cast<std::size_t>(PartOfHash(hash, config_.parts))]->Write(line_);
  }
  if (test_file_ != nullptr) {
    for (std::size_t target : split_.heldout) {
      line_.clear();
      line_.append(user);
      line_.push_back('\t');
      line_.append(kept_[target].item);
      line_.push_back('\t');
      for (std::size_t i = 0; i < target; ++i) {
        if (i > 0) line_.push_back(' ');
        line_.append(kept_[i].item);
      }
      line_.push_back('\n');
      test_file_->Write(line_);
    }
  }
  if ((summary_.users & 0xfff) == 0) {
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_progress_).count() >= config_.progress_seconds) {
      spdlog::info("wrote {} users, {} sequences", summary_.users, sessionizer_.counters().sequences);
      last_progress_ = now;
    }
  }
  return Status::Ok();
}

Status PrepRun::WriteOutputs() {
  for (int p = 0; p < config_.parts; ++p) {
    parts_.push_back(std::make_unique<AtomicFile>());
    ITEM2VEC_RETURN_IF_ERROR(parts_.back()->Open(config_.output + "/train/" + PartFileName(p)));
  }
  const bool holdout = config_.session.holdout.kind != HoldoutSpec::Kind::kNone;
  if (holdout) {
    test_file_ = std::make_unique<AtomicFile>();
    ITEM2VEC_RETURN_IF_ERROR(test_file_->Open(config_.output + "/test.tsv"));
  }
  spdlog::info("grouping {} events by user ({} KiB budget)", sorter_->stats().events,
               config_.memory_bytes >> 10);
  ITEM2VEC_RETURN_IF_ERROR(sorter_->Finish(
      [this](std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events) {
        return VisitUser(user, hash, events);
      }));
  summary_.session = sessionizer_.counters();
  summary_.items = static_cast<std::int64_t>(train_items_.size());
  if (summary_.session.sequences == 0) return EmptyResultError();
  // Everything is written; now the files take their final names, the summary last.
  for (auto& part : parts_) {
    ITEM2VEC_RETURN_IF_ERROR(part->Commit());
    summary_.files_written.push_back(part->path());
  }
  if (test_file_ != nullptr) {
    ITEM2VEC_RETURN_IF_ERROR(test_file_->Commit());
    summary_.files_written.push_back(test_file_->path());
  }
  summary_.sort = sorter_->stats();
  summary_.seconds = SecondsSince(start_);
  summary_.files_written.push_back(config_.output + "/summary.json");
  RemoveStaleOutputs();
  return WriteFileAtomically(config_.output + "/summary.json", PrepSummaryToJson(summary_, config_) + "\n");
}

void PrepRun::RemoveStaleOutputs() const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config_.output + "/train", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 10 || name.compare(0, 5, "part-") != 0 ||
        !std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    if (std::stoi(name.substr(5)) < config_.parts) continue;
    std::error_code rm;
    fs::remove(entry.path(), rm);
    spdlog::info("removed stale '{}' from an earlier run with more parts", entry.path().string());
  }
  if (config_.session.holdout.kind == HoldoutSpec::Kind::kNone) {
    const std::string test = config_.output + "/test.tsv";
    if (fs::exists(test, ec)) {
      fs::remove(test, ec);
      spdlog::info("removed stale '{}' from an earlier run (this run holds nothing out)", test);
    }
  }
}

Status PrepRun::EmptyResultError() const {
  std::string msg = "no training sequence was produced: " + std::to_string(summary_.rows_read) + " rows read, " +
                    std::to_string(summary_.RowsRejected()) + " rejected, " +
                    std::to_string(summary_.filtered_rating) + " below --min-rating, " +
                    std::to_string(summary_.filtered_event_type) + " not in --event-types, " +
                    std::to_string(summary_.filtered_item_count) + " below --min-item-count";
  const SessionCounters& s = sessionizer_.counters();
  if (summary_.users > 0)
    msg += ", " + std::to_string(s.short_sequences) + " sequences shorter than --min-length " +
           std::to_string(config_.session.min_length) + ", " + std::to_string(s.heldout_events) + " events held out";
  return Status::DataError(msg + "; check the column options and filters");
}

}  // namespace

Result<PrepSummary> RunPrep(const PrepConfig& config) {
  PrepRun run(config);
  return run.Run();
}

std::string PrepSummaryToJson(const PrepSummary& s, const PrepConfig& c) {
  JsonWriter j;
  j.BeginObject();
  j.Key("users").Int(s.users);
  j.Key("users_with_sequences").Int(s.users_with_sequences);
  j.Key("sequences").Int(s.session.sequences);
  j.Key("tokens").Int(s.session.tokens);
  j.Key("items").Int(s.items);
  j.Key("heldout_records").Int(s.session.heldout_records);
  j.Key("heldout_users").Int(s.session.heldout_users);
  j.Key("files").Int(s.files);
  j.Key("input_bytes").Int(s.input_bytes);
  j.Key("header_rows").Int(s.header_rows);
  j.Key("blank_lines").Int(s.blank_lines);
  j.Key("rows_read").Int(s.rows_read);
  j.Key("events_read").Int(s.events_read);
  j.Key("rows_rejected").BeginObject();
  j.Key("total").Int(s.RowsRejected());
  for (int r = 0; r < kNumRowRejects; ++r)
    j.Key(RowRejectName(static_cast<RowReject>(r))).Int(s.rows_rejected[static_cast<std::size_t>(r)]);
  j.EndObject();
  j.Key("events_filtered").BeginObject();
  j.Key("total").Int(s.EventsFiltered());
  j.Key("rating_below_min").Int(s.filtered_rating);
  j.Key("event_type_not_selected").Int(s.filtered_event_type);
  j.Key("item_below_min_count").Int(s.filtered_item_count);
  j.EndObject();
  j.Key("items_below_min_count").Int(s.items_below_min_count);
  j.Key("events_kept").Int(s.events_kept);
  j.Key("sessions").Int(s.session.sessions);
  j.Key("sessions_chunked").Int(s.session.chunked_sessions);
  j.Key("short_sequences_dropped").Int(s.session.short_sequences);
  j.Key("short_sequence_tokens_dropped").Int(s.session.short_sequence_tokens);
  j.Key("set_duplicates_removed").Int(s.session.set_duplicates_removed);
  j.Key("heldout_events").Int(s.session.heldout_events);
  j.Key("heldout_without_history").Int(s.session.heldout_without_history);
  j.Key("user_ids_sanitized").Int(s.user_ids_sanitized);
  j.Key("item_ids_sanitized").Int(s.item_ids_sanitized);
  j.Key("sort").BeginObject();
  j.Key("memory_bytes").Int(c.memory_bytes);
  j.Key("bucket_files").Int(s.sort.bucket_files);
  j.Key("buckets_loaded").Int(s.sort.buckets_loaded);
  j.Key("resplits").Int(s.sort.resplits);
  j.Key("max_depth").Int(s.sort.max_depth);
  j.Key("spilled_bytes").Int(s.sort.spilled_bytes);
  j.Key("largest_load_bytes").Int(s.sort.largest_load_bytes);
  j.EndObject();
  j.Key("seconds").Double(s.seconds);
  j.Key("options").BeginObject();
  j.Key("input").BeginArray();
  for (const std::string& p : c.input) j.String(p);
  j.EndArray();
  j.Key("output").String(c.output);
  j.Key("parts").Int(c.parts);
  j.Key("min_rating").Double(c.has_min_rating ? c.min_rating : 0);
  j.Key("has_min_rating").Bool(c.has_min_rating);
  j.Key("event_types").BeginArray();
  for (const std::string& t : c.event_types) j.String(t);
  j.EndArray();
  j.Key("min_item_count").Int(c.min_item_count);
  j.Key("min_length").Int(c.session.min_length);
  j.Key("max_length").Int(c.session.max_length);
  j.Key("session_gap_ms").Int(c.session.session_gap_ms);
  j.Key("mode").String(c.session.mode == SequenceMode::kSet ? "set" : "sequence");
  const HoldoutSpec& h = c.session.holdout;
  j.Key("holdout").String(h.kind == HoldoutSpec::Kind::kNone   ? "none"
                          : h.kind == HoldoutSpec::Kind::kLast ? "last:" + std::to_string(h.count)
                                                               : "after:" + FormatIso8601(h.cutoff_ms));
  j.Key("time_format").String(TimeFormatName(c.time_format));
  j.EndObject();
  j.Key("files_written").BeginArray();
  for (const std::string& f : s.files_written) j.String(f);
  j.EndArray();
  j.EndObject();
  return j.str();
}

}  // namespace item2vec
