// PrepRun's writing side: the sort of this rank's buckets, each user's events to training
// lines and hold-out records, the output files (directly with one rank, as pieces put
// together with several, prep_output.h), stale outputs and summary.json.
#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/sequence_reader.h"
#include "tools/prep/prep_run.h"

namespace fs = std::filesystem;

namespace item2vec::prep_detail {

Status PrepRun::OpenDirectOutputs() {
  for (int p = 0; p < config_.parts; ++p) {
    parts_.push_back(std::make_unique<AtomicFile>());
    ITEM2VEC_RETURN_IF_ERROR(parts_.back()->Open(config_.output + "/train/" + PartFileName(p)));
  }
  if (config_.session.holdout.kind != HoldoutSpec::Kind::kNone) {
    test_file_ = std::make_unique<AtomicFile>();
    ITEM2VEC_RETURN_IF_ERROR(test_file_->Open(config_.output + "/test.tsv"));
  }
  if (config_.session.validation) {
    valid_file_ = std::make_unique<AtomicFile>();
    ITEM2VEC_RETURN_IF_ERROR(valid_file_->Open(config_.output + "/valid.tsv"));
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

void PrepRun::WriteValid(std::string_view text) {
  if (pieces_) pieces_->Valid(text);
  else valid_file_->Write(text);
}

// One hold-out line: user<TAB>item<TAB>every kept event before it.
void PrepRun::WriteRecord(std::string_view user, std::size_t target, bool valid) {
  line_.clear();
  line_.append(user);
  line_.push_back('\t');
  line_.append(ItemOf(kept_[target].item));  // test records name items, without weights
  line_.push_back('\t');
  for (std::size_t i = 0; i < target; ++i) {
    if (i > 0) line_.push_back(' ');
    line_.append(ItemOf(kept_[i].item));
  }
  line_.push_back('\n');
  if (valid) WriteValid(line_);
  else WriteTest(line_);
}

Status PrepRun::VisitUser(std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events) {
  kept_.clear();
  for (const TimedItem& e : events) {
    if (config_.min_item_count > 1 && item_counts_.Count(ItemOf(e.item)) < config_.min_item_count) {
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
        train_items_.Add(ItemOf(split_.tokens[i]));
        if (split_.tokens[i].size() > SequenceReader::kMaxItemBytes) ++summary_.long_items;
      }
      line_.push_back('\n');
      begin = end;
    }
    WriteTrain(PartOfHash(hash, config_.parts), line_);
  }
  if (config_.session.holdout.kind != HoldoutSpec::Kind::kNone) {
    for (std::size_t target : split_.validation) WriteRecord(user, target, true);
    for (std::size_t target : split_.heldout) WriteRecord(user, target, false);
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

Status PrepRun::CommitDirectOutputs() {
  for (auto& part : parts_) ITEM2VEC_RETURN_IF_ERROR(part->Commit());
  if (test_file_ != nullptr) ITEM2VEC_RETURN_IF_ERROR(test_file_->Commit());
  if (valid_file_ != nullptr) ITEM2VEC_RETURN_IF_ERROR(valid_file_->Commit());
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
  if (comm_.rank() == 0 && config_.session.validation)
    ITEM2VEC_RETURN_IF_ERROR(AssembleFile(config_.output + "/valid.tsv", pieces_of(OutputPiece::kValidPart)));
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
    if (!IsPartFileName(name) || std::stoi(name.substr(5)) < config_.parts) continue;
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
  if (!config_.session.validation) {
    const std::string valid = config_.output + "/valid.tsv";
    if (fs::exists(valid, ec)) {
      fs::remove(valid, ec);
      spdlog::info("removed stale '{}' from an earlier run (this run has no --validation)", valid);
    }
  }
}

Status PrepRun::CreateOutputDirs() {
  for (const std::string& dir : {config_.output, config_.output + "/train"}) {
    std::error_code ec;
    const bool existed = fs::exists(dir, ec);
    ITEM2VEC_RETURN_IF_ERROR(EnsureWritableDirectory(dir));
    if (!existed) scratch_->created_dirs.push_back(dir);
  }
  return Status::Ok();
}

void PrepRun::RemoveDebrisOfKilledRuns() const {
  // What a killed prep leaves: its shared temporary directory and the temporaries of the
  // files it writes (train read train/part-*.tmp.PID as part files and trained twice).
  const auto top = [](const std::string& base) { return base == "test.tsv" || base == "valid.tsv" || base == "summary.json"; };
  Result<int> parts = RemoveAtomicTemps(config_.output + "/train", IsPartFileName);
  Result<int> files = RemoveAtomicTemps(config_.output, top);
  int removed = (parts.ok() ? *parts : 0) + (files.ok() ? *files : 0);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config_.output, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, 10, ".prep-tmp-") != 0 || !entry.is_directory(ec)) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) ++removed;
  }
  if (removed > 0) spdlog::info("removed {} unfinished file(s) of an earlier prep from {}", removed, config_.output);
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

}  // namespace item2vec::prep_detail
