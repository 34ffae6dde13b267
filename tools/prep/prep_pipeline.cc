#include "tools/prep/prep_pipeline.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/input_files.h"
#include "common/json_writer.h"
#include "tools/prep/delimited_reader.h"
#include "tools/prep/input_split.h"
#include "tools/prep/item_count_table.h"
#include "tools/prep/prep_output.h"

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

// What every rank reading a range of a file must know first; the same on every rank.
struct FileFormat {
  bool skip = false;     // nothing to read: empty, or a blank first line with --delimiter auto
  bool no_rows = false;  // blank lines only
  DelimitedFormat format;
  ColumnLayout layout;
  bool has_header = false;
  std::int64_t header_offset = -1;  // where the header row starts, when has_header
};

// A bad row held back until its line number in the file is known (several ranks).
struct BadRow {
  std::int64_t order = 0;  // global input position
  std::int64_t file = 0;
  std::int64_t line = 0;   // in the reading rank's range; then in the file
  std::string reason, detail;
};

// The counters of the reading pass and of the sorting pass, summed over ranks.
constexpr std::int64_t PrepSummary::*kReadCounters[] = {
    &PrepSummary::header_rows,     &PrepSummary::blank_lines,         &PrepSummary::rows_read,
    &PrepSummary::events_read,     &PrepSummary::filtered_rating,     &PrepSummary::filtered_event_type,
    &PrepSummary::user_ids_sanitized, &PrepSummary::item_ids_sanitized};
constexpr std::int64_t PrepSummary::*kSortCounters[] = {&PrepSummary::users, &PrepSummary::users_with_sequences,
                                                       &PrepSummary::events_kept, &PrepSummary::filtered_item_count};
constexpr std::int64_t SessionCounters::*kSessionCounters[] = {
    &SessionCounters::sessions,          &SessionCounters::sequences,
    &SessionCounters::tokens,            &SessionCounters::short_sequences,
    &SessionCounters::short_sequence_tokens, &SessionCounters::chunked_sessions,
    &SessionCounters::set_duplicates_removed, &SessionCounters::heldout_events,
    &SessionCounters::heldout_records,   &SessionCounters::heldout_without_history,
    &SessionCounters::heldout_users};
static_assert(sizeof(SessionCounters) == sizeof(kSessionCounters) / sizeof(kSessionCounters[0]) * sizeof(std::int64_t),
              "every SessionCounters field must be summed over ranks");

// Cuts serialized (item, count) records into chunks for GatherInRounds.
std::vector<std::string> ItemChunks(const ItemCountTable& table, std::size_t chunk_bytes) {
  std::vector<std::string> chunks;
  ByteWriter w;
  table.ForEach([&](std::string_view item, std::int64_t n) {
    if (w.bytes().size() + item.size() + 16 > chunk_bytes && !w.bytes().empty()) {
      chunks.push_back(std::move(w.bytes()));
      w.bytes().clear();
    }
    w.Str(item);
    w.Int(n);
  });
  if (!w.bytes().empty()) chunks.push_back(std::move(w.bytes()));
  return chunks;
}

// One run of the pipeline on one rank: setup, the reading pass over this rank's share of
// the input, the sort of this rank's buckets, the output. Every collective call is made
// by Run() in the same order on every rank; a local error waits for the next SyncStatus,
// which every rank reaches, so all ranks stop together with the same status.
class PrepRun {
 public:
  PrepRun(const PrepConfig& config, PrepComm& comm, std::string* temp_dir)
      : config_(config), comm_(comm), temp_dir_(temp_dir), sessionizer_(config.session) {}
  Result<PrepSummary> Run();

 private:
  bool single() const { return comm_.size() == 1; }
  Status Sync(const Status& local) { return SyncStatus(comm_, local); }
  Status SetUpTempDir();
  void StartReadPass();
  Status ReadShare(const std::vector<FileRange>& ranges);
  Result<FileFormat> DescribeFile(std::size_t file, bool log);
  Status ReadRange(const FileRange& range, const FileFormat& format);
  Status HandleRow(const DelimitedRecord& record, const ColumnLayout& layout, std::size_t file);
  Status RejectRow(const DelimitedRecord& record, const ColumnLayout& layout, RowReject reason, std::size_t file);
  void MaybeReportProgress();
  Status ExchangeReadOutcomes(int pass, std::vector<bool>* whole, bool* again);
  void SumReadCounters();
  void MergeItemCounts();
  std::vector<std::vector<BucketFile>> ExchangeBuckets(const std::vector<BucketFile>& mine);
  Status OpenDirectOutputs();
  Status SortMyBuckets(const std::vector<std::vector<BucketFile>>& buckets);
  Status VisitUser(std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events);
  void WriteTrain(int part, std::string_view text);
  void WriteTest(std::string_view text);
  void SumSortCounters();
  Status CommitDirectOutputs();
  Status AssembleOutputs(const std::vector<std::vector<OutputPiece>>& by_rank);
  Status WriteSummary();
  Status EmptyResultError() const;
  void RemoveStaleOutputs() const;

  const PrepConfig& config_;
  PrepComm& comm_;
  std::string* temp_dir_;          // the shared temporary directory, set on rank 0
  std::string my_dir_;             // this rank's directory in it
  std::vector<InputFile> files_;
  std::vector<std::int64_t> file_starts_;  // offset of each file in the concatenated input
  std::vector<std::optional<FileFormat>> formats_;
  PrepSummary summary_;
  Sessionizer sessionizer_;
  int fanout_ = 0;                 // top-level buckets; fixed for all ranks when several
  std::unique_ptr<BucketSorter> sorter_;
  ItemCountTable item_counts_;     // kept events per item (only with min_item_count > 1)
  ItemCountTable train_items_;     // tokens per item in the training output
  std::int64_t reported_bad_rows_ = 0;
  std::vector<BadRow> bad_rows_;   // several ranks: the first ones of this rank, held back
  std::vector<RangeOutcome> outcomes_;
  // Progress.
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_progress_ = start_;
  std::int64_t rows_at_last_progress_ = 0;
  std::int64_t share_bytes_ = 0;   // bytes of this rank's ranges
  std::int64_t bytes_done_ = 0;    // of finished ranges
  std::int64_t range_begin_ = 0;
  const DelimitedReader* reader_ = nullptr;
  // Per-user scratch, reused so the user loop does not allocate once warm.
  std::vector<TimedItem> kept_;
  UserSplit split_;
  std::string line_;
  std::string user_scratch_, item_scratch_;
  // Outputs: the final files (one rank) or pieces (several).
  std::vector<std::unique_ptr<AtomicFile>> parts_;
  std::unique_ptr<AtomicFile> test_file_;
  std::unique_ptr<PieceWriter> pieces_;
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
  ITEM2VEC_RETURN_IF_ERROR(Sync(files.status()));
  files_ = std::move(files.value());
  for (const InputFile& f : files_) {
    file_starts_.push_back(summary_.input_bytes);
    summary_.input_bytes += f.size;
    if (f.size == 0 && comm_.rank() == 0) spdlog::warn("'{}' is empty", f.path);
  }
  summary_.files = static_cast<std::int64_t>(files_.size());
  formats_.resize(files_.size());
  Status st;
  if (comm_.rank() == 0) {
    st = EnsureWritableDirectory(config_.output);
    if (st.ok()) st = EnsureWritableDirectory(config_.output + "/train");
  }
  ITEM2VEC_RETURN_IF_ERROR(Sync(st));
  ITEM2VEC_RETURN_IF_ERROR(SetUpTempDir());

  BucketSortOptions sort_options;
  sort_options.memory_bytes = config_.memory_bytes;
  sort_options.expected_input_bytes = summary_.input_bytes;
  if (!single()) {
    // Every rank partitions alike, into at least one bucket per rank (a multiple of the
    // rank count, so bucket b % N goes to rank b % N evenly).
    const int n = comm_.size();
    fanout_ = (std::max(BucketSorter::AutoFanout(sort_options), n) + n - 1) / n * n;
  }

  // The reading pass; again, with some files whole, when a split point fell inside a
  // record that spans lines.
  std::vector<bool> whole(files_.size(), false);
  for (int pass = 0;; ++pass) {
    StartReadPass();
    const std::vector<std::vector<FileRange>> plan = PlanRanges(files_, comm_.size(), whole);
    ITEM2VEC_RETURN_IF_ERROR(Sync(ReadShare(plan[static_cast<std::size_t>(comm_.rank())])));
    if (single()) break;
    bool again = false;
    ITEM2VEC_RETURN_IF_ERROR(ExchangeReadOutcomes(pass, &whole, &again));
    if (!again) break;
  }
  SumReadCounters();
  if (config_.min_item_count > 1 && !single()) MergeItemCounts();
  const std::int64_t rejected = summary_.RowsRejected();
  if (comm_.rank() == 0) {
    spdlog::info("read {} rows from {} file(s) in {:.1f}s: {} events, {} rejected, {} filtered by rating or type",
                 summary_.rows_read, summary_.files, SecondsSince(start_), summary_.events_read, rejected,
                 summary_.filtered_rating + summary_.filtered_event_type);
    if (rejected > config_.reported_bad_rows)
      spdlog::warn("{} more bad rows were not shown; summary.json counts them by reason",
                   rejected - config_.reported_bad_rows);
  }
  if (config_.min_item_count > 1) {
    item_counts_.ForEach([&](std::string_view, std::int64_t n) {
      if (n < config_.min_item_count) ++summary_.items_below_min_count;
    });
    if (comm_.rank() == 0)
      spdlog::info("{} distinct items, {} of them below --min-item-count {}", item_counts_.size(),
                   summary_.items_below_min_count, config_.min_item_count);
  }
  if (summary_.sort.events == 0) return EmptyResultError();  // a global count: same on every rank

  // The sort: rank r takes the top-level buckets b with b % N == r.
  std::vector<BucketFile> mine;
  ITEM2VEC_RETURN_IF_ERROR(Sync(sorter_->Close(&mine)));
  const std::vector<std::vector<BucketFile>> buckets = ExchangeBuckets(mine);
  if (comm_.rank() == 0)
    spdlog::info("grouping {} events by user ({} KiB budget{})", summary_.sort.events, config_.memory_bytes >> 10,
                 single() ? "" : " per rank, " + std::to_string(buckets.size()) + " buckets over " +
                                     std::to_string(comm_.size()) + " ranks");
  st = single() ? OpenDirectOutputs() : Status::Ok();
  if (st.ok()) st = SortMyBuckets(buckets);
  ITEM2VEC_RETURN_IF_ERROR(Sync(st));
  SumSortCounters();
  if (summary_.session.sequences == 0) return EmptyResultError();

  // Everything is written; now the files take their final names, the summary last.
  if (single()) {
    st = CommitDirectOutputs();
  } else {
    std::vector<std::vector<OutputPiece>> by_rank;
    for (const std::string& bytes : AllgatherBytes(comm_, SerializePieces(pieces_->pieces()))) {
      Result<std::vector<OutputPiece>> parsed = ParsePieces(bytes);
      if (!parsed.ok() && st.ok()) st = parsed.status();
      by_rank.push_back(parsed.ok() ? std::move(parsed.value()) : std::vector<OutputPiece>());
    }
    if (st.ok()) st = AssembleOutputs(by_rank);
  }
  ITEM2VEC_RETURN_IF_ERROR(Sync(st));
  for (int p = 0; p < config_.parts; ++p) summary_.files_written.push_back(config_.output + "/train/" + PartFileName(p));
  if (config_.session.holdout.kind != HoldoutSpec::Kind::kNone)
    summary_.files_written.push_back(config_.output + "/test.tsv");
  summary_.files_written.push_back(config_.output + "/summary.json");
  ITEM2VEC_RETURN_IF_ERROR(Sync(comm_.rank() == 0 ? WriteSummary() : Status::Ok()));
  summary_.seconds = SecondsSince(start_);
  return std::move(summary_);
}

Status PrepRun::SetUpTempDir() {
  std::string name;
  Status st;
  if (comm_.rank() == 0) {
    name = config_.output + "/.prep-tmp-" + std::to_string(::getpid());
    std::error_code ec;
    fs::create_directories(name, ec);
    if (ec) st = Status::IOError("cannot create temporary directory '" + name + "': " + ec.message());
    else *temp_dir_ = name;
  }
  ITEM2VEC_RETURN_IF_ERROR(Sync(st));
  if (single()) {
    my_dir_ = name;
    return Status::Ok();
  }
  comm_.Broadcast(&name, 0);
  my_dir_ = name + "/rank-" + std::to_string(comm_.rank());
  std::error_code ec;
  if (!fs::is_directory(name, ec)) {
    st = Status::IOError("rank " + std::to_string(comm_.rank()) + " cannot see '" + name +
                         "', which rank 0 created: under mpirun every rank must see --output on one shared "
                         "file system");
  } else {
    fs::create_directories(my_dir_, ec);
    if (ec) st = Status::IOError("cannot create temporary directory '" + my_dir_ + "': " + ec.message());
  }
  return Sync(st);
}

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
  do {
    ITEM2VEC_RETURN_IF_ERROR(reader.Next(&record, &has_record));
  } while (has_record && record.blank());
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
  // The global input position breaks time ties: the same whichever rank read the row.
  return sorter_->Add(user, item, event.time_ms, static_cast<std::uint64_t>(file_starts_[file] + record.offset()));
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

// Several ranks, after a reading pass: checks the split points, then reports bad rows with
// their file line numbers (rank 0 logs them; --strict fails with the first).
Status PrepRun::ExchangeReadOutcomes(int pass, std::vector<bool>* whole, bool* again) {
  ByteWriter w;
  w.Int(static_cast<std::int64_t>(outcomes_.size()));
  for (const RangeOutcome& o : outcomes_) {
    w.Int(o.file);
    w.Int(o.start);
    w.Int(o.stop);
    w.Int(o.lines);
  }
  for (const BadRow& b : bad_rows_) {
    w.Int(b.order);
    w.Int(b.file);
    w.Int(b.line);
    w.Str(b.reason);
    w.Str(b.detail);
  }
  std::vector<std::vector<RangeOutcome>> outcomes;
  std::vector<BadRow> bad_rows;
  const std::vector<std::string> all = AllgatherBytes(comm_, w.bytes());
  for (std::size_t r = 0; r < all.size(); ++r) {
    ByteReader in(all[r]);
    outcomes.emplace_back(static_cast<std::size_t>(in.Int()));
    for (RangeOutcome& o : outcomes.back()) {
      o.file = in.Int();
      o.start = in.Int();
      o.stop = in.Int();
      o.lines = in.Int();
    }
    std::vector<BadRow> rows;
    while (!in.done()) {
      BadRow b;
      b.order = in.Int();
      b.file = in.Int();
      b.line = in.Int();
      b.reason = std::string(in.Str());
      b.detail = std::string(in.Str());
      rows.push_back(std::move(b));
    }
    if (in.failed()) return Status::Internal("malformed read report from rank " + std::to_string(r));
    for (BadRow& b : rows) {
      b.line += LineBase(outcomes, static_cast<int>(r), b.file);
      bad_rows.push_back(std::move(b));
    }
  }
  const std::vector<bool> bad = FilesWithBadJoins(files_.size(), outcomes);
  *again = false;
  for (std::size_t f = 0; f < bad.size(); ++f) {
    if (!bad[f]) continue;
    if (pass > 0)
      return Status::Internal("'" + files_[f].path + "' was split between ranks inside a record although it was "
                              "read whole; please report this");
    (*whole)[f] = true;
    *again = true;
    if (comm_.rank() == 0)
      spdlog::warn("'{}': a split point between ranks fell inside a quoted field that holds a line break; "
                   "reading this file again on one rank",
                   files_[f].path);
  }
  if (*again) return Status::Ok();
  std::sort(bad_rows.begin(), bad_rows.end(), [](const BadRow& a, const BadRow& b) { return a.order < b.order; });
  auto where = [&](const BadRow& b) {
    return files_[static_cast<std::size_t>(b.file)].path + ":" + std::to_string(b.line);
  };
  if (config_.strict && !bad_rows.empty())
    return Status::DataError(where(bad_rows[0]) + ": bad row (" + bad_rows[0].reason + "): " + bad_rows[0].detail +
                             " [--strict]");
  if (comm_.rank() == 0)
    for (std::size_t i = 0; i < bad_rows.size() && static_cast<int>(i) < config_.reported_bad_rows; ++i)
      spdlog::warn("{}: skipping bad row ({}): {}", where(bad_rows[i]), bad_rows[i].reason, bad_rows[i].detail);
  return Status::Ok();
}

void PrepRun::SumReadCounters() {
  summary_.sort.events = sorter_->stats().events;
  std::vector<std::int64_t> v;
  for (auto field : kReadCounters) v.push_back(summary_.*field);
  for (std::int64_t n : summary_.rows_rejected) v.push_back(n);
  v.push_back(summary_.sort.events);
  comm_.AllreduceSum(&v);
  std::size_t i = 0;
  for (auto field : kReadCounters) summary_.*field = v[i++];
  for (std::int64_t& n : summary_.rows_rejected) n = v[i++];
  summary_.sort.events = v[i++];
}

// Every rank needs the whole log's count of every item it may meet in its buckets: each
// gets the counts of all ranks and adds them up (the same table one process builds).
void PrepRun::MergeItemCounts() {
  ItemCountTable global;
  GatherInRounds(comm_, ItemChunks(item_counts_, GatherChunkBytes(comm_)), -1, [&](int, std::string_view chunk) {
    ByteReader in(chunk);
    while (!in.done()) {
      const std::string_view item = in.Str();
      global.Add(item, in.Int());
    }
  });
  item_counts_ = std::move(global);
}

std::vector<std::vector<BucketFile>> PrepRun::ExchangeBuckets(const std::vector<BucketFile>& mine) {
  std::vector<std::vector<BucketFile>> buckets(mine.size());
  if (single()) {
    for (std::size_t b = 0; b < mine.size(); ++b)
      if (mine[b].events > 0) buckets[b].push_back(mine[b]);
    return buckets;
  }
  ByteWriter w;
  for (std::size_t b = 0; b < mine.size(); ++b) {
    if (mine[b].events == 0) continue;
    w.Int(static_cast<std::int64_t>(b));
    w.Str(mine[b].path);
    w.Int(static_cast<std::int64_t>(mine[b].min_hash));
    w.Int(static_cast<std::int64_t>(mine[b].max_hash));
    w.Int(mine[b].events);
    w.Int(mine[b].bytes);
  }
  for (const std::string& bytes : AllgatherBytes(comm_, w.bytes())) {  // in rank order
    ByteReader in(bytes);
    while (!in.done()) {
      const std::int64_t b = in.Int();
      BucketFile f;
      f.path = std::string(in.Str());
      f.min_hash = static_cast<std::uint64_t>(in.Int());
      f.max_hash = static_cast<std::uint64_t>(in.Int());
      f.events = in.Int();
      f.bytes = in.Int();
      if (!in.failed() && b >= 0 && static_cast<std::size_t>(b) < buckets.size())
        buckets[static_cast<std::size_t>(b)].push_back(std::move(f));
    }
  }
  return buckets;
}

Status PrepRun::OpenDirectOutputs() {
  for (int p = 0; p < config_.parts; ++p) {
    parts_.push_back(std::make_unique<AtomicFile>());
    ITEM2VEC_RETURN_IF_ERROR(parts_.back()->Open(config_.output + "/train/" + PartFileName(p)));
  }
  if (config_.session.holdout.kind != HoldoutSpec::Kind::kNone) {
    test_file_ = std::make_unique<AtomicFile>();
    ITEM2VEC_RETURN_IF_ERROR(test_file_->Open(config_.output + "/test.tsv"));
  }
  return Status::Ok();
}

Status PrepRun::SortMyBuckets(const std::vector<std::vector<BucketFile>>& buckets) {
  if (!single()) pieces_ = std::make_unique<PieceWriter>(my_dir_);
  const auto visit = [this](std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events) {
    return VisitUser(user, hash, events);
  };
  for (std::size_t b = static_cast<std::size_t>(comm_.rank()); b < buckets.size();
       b += static_cast<std::size_t>(comm_.size())) {
    if (pieces_) pieces_->BeginBucket(static_cast<int>(b));
    ITEM2VEC_RETURN_IF_ERROR(sorter_->SortFiles(buckets[b], visit));
    if (pieces_) ITEM2VEC_RETURN_IF_ERROR(pieces_->EndBucket());
  }
  return Status::Ok();
}

void PrepRun::WriteTrain(int part, std::string_view text) {
  if (pieces_) pieces_->Train(part, text);
  else parts_[static_cast<std::size_t>(part)]->Write(text);
}

void PrepRun::WriteTest(std::string_view text) {
  if (pieces_) pieces_->Test(text);
  else test_file_->Write(text);
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
    WriteTrain(PartOfHash(hash, config_.parts), line_);
  }
  if (config_.session.holdout.kind != HoldoutSpec::Kind::kNone) {
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
      WriteTest(line_);
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

void PrepRun::SumSortCounters() {
  summary_.session = sessionizer_.counters();
  const std::int64_t events = summary_.sort.events;
  summary_.sort = sorter_->stats();
  summary_.sort.events = events;  // already summed
  std::vector<std::int64_t> sums, maxima;
  for (auto field : kSortCounters) sums.push_back(summary_.*field);
  for (auto field : kSessionCounters) sums.push_back(summary_.session.*field);
  sums.insert(sums.end(), {summary_.sort.bucket_files, summary_.sort.buckets_loaded, summary_.sort.resplits,
                           summary_.sort.spilled_bytes});
  maxima = {summary_.sort.max_depth, summary_.sort.largest_load_bytes};
  comm_.AllreduceSum(&sums);
  comm_.AllreduceMax(&maxima);
  std::size_t i = 0;
  for (auto field : kSortCounters) summary_.*field = sums[i++];
  for (auto field : kSessionCounters) summary_.session.*field = sums[i++];
  summary_.sort.bucket_files = sums[i++];
  summary_.sort.buckets_loaded = sums[i++];
  summary_.sort.resplits = sums[i++];
  summary_.sort.spilled_bytes = sums[i++];
  summary_.sort.max_depth = static_cast<int>(maxima[0]);
  summary_.sort.largest_load_bytes = maxima[1];
  // Distinct items over all ranks: their names meet on rank 0, which shares the count.
  std::vector<std::int64_t> items{static_cast<std::int64_t>(train_items_.size())};
  if (!single()) {
    ItemCountTable all;
    GatherInRounds(comm_, ItemChunks(train_items_, GatherChunkBytes(comm_)), 0, [&](int, std::string_view chunk) {
      ByteReader in(chunk);
      while (!in.done()) {
        const std::string_view item = in.Str();
        all.Add(item, in.Int());
      }
    });
    items[0] = comm_.rank() == 0 ? static_cast<std::int64_t>(all.size()) : 0;
    comm_.AllreduceSum(&items);
  }
  summary_.items = items[0];
}

Status PrepRun::CommitDirectOutputs() {
  for (auto& part : parts_) ITEM2VEC_RETURN_IF_ERROR(part->Commit());
  if (test_file_ != nullptr) ITEM2VEC_RETURN_IF_ERROR(test_file_->Commit());
  return Status::Ok();
}

// Part p is put together by rank p % N, test.tsv by rank 0, each from the pieces of every
// rank in bucket order.
Status PrepRun::AssembleOutputs(const std::vector<std::vector<OutputPiece>>& by_rank) {
  auto pieces_of = [&](int part) {
    std::vector<const OutputPiece*> list;
    for (const auto& pieces : by_rank)
      for (const OutputPiece& piece : pieces)
        if (piece.part == part) list.push_back(&piece);
    std::sort(list.begin(), list.end(), [](const OutputPiece* a, const OutputPiece* b) { return a->bucket < b->bucket; });
    return list;
  };
  for (int p = comm_.rank(); p < config_.parts; p += comm_.size())
    ITEM2VEC_RETURN_IF_ERROR(AssembleFile(config_.output + "/train/" + PartFileName(p), pieces_of(p)));
  if (comm_.rank() == 0 && config_.session.holdout.kind != HoldoutSpec::Kind::kNone)
    ITEM2VEC_RETURN_IF_ERROR(AssembleFile(config_.output + "/test.tsv", pieces_of(OutputPiece::kTestPart)));
  return Status::Ok();
}

Status PrepRun::WriteSummary() {
  summary_.seconds = SecondsSince(start_);
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
  const SessionCounters& s = summary_.session;
  if (summary_.users > 0)
    msg += ", " + std::to_string(s.short_sequences) + " sequences shorter than --min-length " +
           std::to_string(config_.session.min_length) + ", " + std::to_string(s.heldout_events) + " events held out";
  return Status::DataError(msg + "; check the column options and filters");
}

}  // namespace

Result<PrepSummary> RunPrep(const PrepConfig& config) {
  std::unique_ptr<PrepComm> comm = MakeLocalComm();
  return RunPrep(config, *comm);
}

Result<PrepSummary> RunPrep(const PrepConfig& config, PrepComm& comm) {
  std::string temp_dir;
  auto run_once = [&]() -> Result<PrepSummary> {
    PrepRun run(config, comm, &temp_dir);
    return run.Run();
  };
  Result<PrepSummary> result = run_once();
  // Every rank has left Run() at the same collective and dropped its bucket files and
  // pieces; only then may rank 0 remove the shared temporary directory, whatever happened.
  comm.Barrier();
  if (!temp_dir.empty()) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    if (ec) spdlog::warn("could not remove temporary directory '{}': {}", temp_dir, ec.message());
  }
  return result;
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
  // Set lines are sorted by id: trained with the sliding window, their pairs would follow
  // id order, not basket membership.
  if (c.session.mode == SequenceMode::kSet) j.Key("train_with").String("item2vec train --window-mode set");
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
