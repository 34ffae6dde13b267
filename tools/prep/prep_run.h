// PrepRun: the state of one run of the prep pipeline on one rank (internal to tools/prep).
//
// Contract:
// - RunPrep (prep_pipeline.h) makes one PrepRun per rank and calls Run() once; nothing
//   else includes this header. The class is one concept, one run's state; its steps live
//   in one file per phase:
//     prep_pipeline.cc       Run(): the order of the phases and of every collective call;
//                            the shared temporary directory.
//     prep_read_pass.cc      the reading pass: this rank's byte ranges of the input, rows
//                            to events, filters, item counts, spill to the BucketSorter.
//     prep_rank_exchange.cc  what ranks exchange: read outcomes (split points, bad rows),
//                            counters, item counts, bucket files.
//     prep_write_pass.cc     the sort of this rank's buckets, users to lines, the output
//                            files (directly, or pieces put together), summary.json.
// - Collectives: every rank makes the same CollectiveComm calls in the same order, all from
//   Run() or from the exchange steps it calls, under conditions every rank evaluates
//   alike (rank count, global counts); a local error waits for the next SyncStatus, which
//   every rank reaches, so all ranks stop together with the same status. A failed
//   collective is passed up as is (CollectiveComm::broken(); the command edge ends the job).
// - Ownership: PrepRun borrows config and comm (they outlive it); it owns the sorter, the
//   item-count tables and the open outputs. On rank 0, *scratch gets the shared temporary
//   directory once it exists, so that RunPrep removes it whatever happens, and the output
//   directories this run created, which RunPrep removes after a failure when they are
//   still empty (a failed prep leaves no empty train/).
// - Not thread-safe: one thread per rank.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/atomic_file.h"
#include "common/input_files.h"
#include "common/status.h"
#include "tools/prep/bucket_sort.h"
#include "common/delimited_reader.h"
#include "tools/prep/event_columns.h"
#include "tools/prep/input_split.h"
#include "tools/prep/item_count_table.h"
#include "common/collective_comm.h"
#include "tools/prep/prep_options.h"
#include "tools/prep/prep_output.h"
#include "tools/prep/prep_summary.h"
#include "tools/prep/sessionizer.h"
#include "common/weighted_token.h"

namespace item2vec::prep_detail {

using Clock = std::chrono::steady_clock;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// "part-NNNNN" (five digits), the name PartFileName gives.
inline bool IsPartFileName(const std::string& name) {
  return name.size() == 10 && name.compare(0, 5, "part-") == 0 &&
         name.find_first_not_of("0123456789", 5) == std::string::npos;
}

inline std::string PartFileName(int part) {
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

// One run of the pipeline on one rank: setup, the reading pass over this rank's share of
// the input, the sort of this rank's buckets, the output. Every collective call is made
// by Run() in the same order on every rank; a local error waits for the next SyncStatus,
// which every rank reaches, so all ranks stop together with the same status.
// What a run made that RunPrep cleans up (rank 0).
struct RunScratch {
  std::string temp_dir;                   // removed whatever happens
  std::vector<std::string> created_dirs;  // removed after a failure when empty, last first
};

class PrepRun {
 public:
  PrepRun(const PrepConfig& config, CollectiveComm& comm, RunScratch* scratch)
      : config_(config), comm_(comm), scratch_(scratch), sessionizer_(config.session) {}
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
  Status SumReadCounters();
  Status MergeItemCounts();
  Status ExchangeBuckets(const std::vector<BucketFile>& mine, std::vector<std::vector<BucketFile>>* buckets);
  Status OpenDirectOutputs();
  Status SortMyBuckets(const std::vector<std::vector<BucketFile>>& buckets);
  Status VisitUser(std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events);
  void WriteTrain(int part, std::string_view text);
  void WriteTest(std::string_view text);
  void WriteValid(std::string_view text);
  void WriteRecord(std::string_view user, std::size_t target, bool valid);
  Status SumSortCounters();
  Status CommitDirectOutputs();
  Status AssembleOutputs(const std::vector<std::vector<OutputPiece>>& by_rank);
  Status WriteSummary();
  Status EmptyResultError() const;
  void RemoveStaleOutputs() const;
  Status CreateOutputDirs();
  void RemoveDebrisOfKilledRuns() const;

  const PrepConfig& config_;
  CollectiveComm& comm_;
  RunScratch* scratch_;            // rank 0: what RunPrep cleans up
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
  std::string user_scratch_, item_scratch_, weighted_scratch_;
  // A sorted event's item: its token without the weight when prep weighs events, else itself.
  std::string_view ItemOf(std::string_view token) const {
    return config_.weighted() ? TokenItem(token) : token;
  }
  // Outputs: the final files (one rank) or pieces (several).
  std::vector<std::unique_ptr<AtomicFile>> parts_;
  std::unique_ptr<AtomicFile> test_file_;
  std::unique_ptr<AtomicFile> valid_file_;  // with --validation
  std::unique_ptr<PieceWriter> pieces_;
};

}  // namespace item2vec::prep_detail
