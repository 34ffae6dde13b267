// RunPrep and PrepRun::Run(): the order of the phases and of every collective call.
#include "tools/prep/prep_pipeline.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/sequence_reader.h"
#include "tools/prep/prep_run.h"

namespace fs = std::filesystem;

namespace item2vec {
namespace prep_detail {

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
    st = CreateOutputDirs();
    if (st.ok()) RemoveDebrisOfKilledRuns();
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
  ITEM2VEC_RETURN_IF_ERROR(SumReadCounters());
  if (config_.min_item_count > 1 && !single()) ITEM2VEC_RETURN_IF_ERROR(MergeItemCounts());
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
  std::vector<std::vector<BucketFile>> buckets;
  ITEM2VEC_RETURN_IF_ERROR(ExchangeBuckets(mine, &buckets));
  if (comm_.rank() == 0)
    spdlog::info("grouping {} events by user ({} KiB budget{})", summary_.sort.events, config_.memory_bytes >> 10,
                 single() ? "" : " per rank, " + std::to_string(buckets.size()) + " buckets over " +
                                     std::to_string(comm_.size()) + " ranks");
  st = single() ? OpenDirectOutputs() : Status::Ok();
  if (st.ok()) st = SortMyBuckets(buckets);
  ITEM2VEC_RETURN_IF_ERROR(Sync(st));
  ITEM2VEC_RETURN_IF_ERROR(SumSortCounters());
  if (comm_.rank() == 0 && summary_.long_items > 0)
    spdlog::warn("{} training token(s) are items longer than {} bytes: train and walk skip such items (they are "
                 "never cut); counted as long_items in summary.json", summary_.long_items,
                 SequenceReader::kMaxItemBytes);
  if (summary_.session.sequences == 0) return EmptyResultError();

  // Everything is written; now the files take their final names, the summary last.
  if (single()) {
    st = CommitDirectOutputs();
  } else {
    std::vector<std::string> all;
    ITEM2VEC_RETURN_IF_ERROR(AllgatherBytes(comm_, SerializePieces(pieces_->pieces()), &all));
    std::vector<std::vector<OutputPiece>> by_rank;
    for (const std::string& bytes : all) {
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
  if (config_.session.validation) summary_.files_written.push_back(config_.output + "/valid.tsv");
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
    else scratch_->temp_dir = name;
  }
  ITEM2VEC_RETURN_IF_ERROR(Sync(st));
  if (single()) {
    my_dir_ = name;
    return Status::Ok();
  }
  ITEM2VEC_RETURN_IF_ERROR(comm_.Broadcast(&name, 0));
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

}  // namespace prep_detail

Result<PrepSummary> RunPrep(const PrepConfig& config) {
  CollectiveComm comm;
  return RunPrep(config, comm);
}

Result<PrepSummary> RunPrep(const PrepConfig& config, CollectiveComm& comm) {
  prep_detail::RunScratch scratch;
  auto run_once = [&]() -> Result<PrepSummary> {
    prep_detail::PrepRun run(config, comm, &scratch);
    return run.Run();
  };
  Result<PrepSummary> result = run_once();
  // A failed collective left the ranks out of step: a barrier could wait forever, so the
  // command edge ends the job at once (and the temporary directory stays).
  if (comm.broken()) return result;
  // Every rank has left Run() at the same collective and dropped its bucket files and
  // pieces; only then may rank 0 remove the shared temporary directory, whatever happened.
  if (Status st = comm.Barrier(); !st.ok()) return st;
  if (!scratch.temp_dir.empty()) {
    std::error_code ec;
    fs::remove_all(scratch.temp_dir, ec);
    if (ec) spdlog::warn("could not remove temporary directory '{}': {}", scratch.temp_dir, ec.message());
  }
  if (!result.ok()) {
    // Only directories this run created, and only while empty (remove() refuses others).
    for (auto it = scratch.created_dirs.rbegin(); it != scratch.created_dirs.rend(); ++it) {
      std::error_code ec;
      fs::remove(*it, ec);
    }
  }
  return result;
}

}  // namespace item2vec
