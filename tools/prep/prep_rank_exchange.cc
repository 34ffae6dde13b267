// PrepRun's exchanges between ranks: read outcomes (split points and bad rows), counters
// summed or maximised, item counts merged, bucket files listed. Each is a collective:
// every rank calls it at the same point of Run() (prep_run.h). With one rank they are
// copies (LocalComm), so the same code runs.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "tools/prep/prep_run.h"

namespace item2vec::prep_detail {
namespace {

// The counters of the reading pass and of the sorting pass, summed over ranks.
constexpr std::int64_t PrepSummary::*kReadCounters[] = {
    &PrepSummary::header_rows,     &PrepSummary::blank_lines,         &PrepSummary::rows_read,
    &PrepSummary::events_read,     &PrepSummary::filtered_rating,     &PrepSummary::filtered_event_type,
    &PrepSummary::user_ids_sanitized, &PrepSummary::item_ids_sanitized};
constexpr std::int64_t PrepSummary::*kSortCounters[] = {&PrepSummary::users, &PrepSummary::users_with_sequences,
                                                       &PrepSummary::events_kept, &PrepSummary::filtered_item_count,
                                                       &PrepSummary::long_items};
constexpr std::int64_t SessionCounters::*kSessionCounters[] = {
    &SessionCounters::sessions,          &SessionCounters::sequences,
    &SessionCounters::tokens,            &SessionCounters::short_sequences,
    &SessionCounters::short_sequence_tokens, &SessionCounters::chunked_sessions,
    &SessionCounters::set_duplicates_removed, &SessionCounters::heldout_events,
    &SessionCounters::heldout_records,   &SessionCounters::heldout_without_history,
    &SessionCounters::heldout_users,     &SessionCounters::validation_records};
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

}  // namespace

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
  std::vector<std::string> all;
  ITEM2VEC_RETURN_IF_ERROR(AllgatherBytes(comm_, w.bytes(), &all));
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

Status PrepRun::SumReadCounters() {
  summary_.sort.events = sorter_->stats().events;
  std::vector<std::int64_t> v;
  for (auto field : kReadCounters) v.push_back(summary_.*field);
  for (std::int64_t n : summary_.rows_rejected) v.push_back(n);
  v.push_back(summary_.sort.events);
  ITEM2VEC_RETURN_IF_ERROR(comm_.AllreduceSum(&v));
  std::size_t i = 0;
  for (auto field : kReadCounters) summary_.*field = v[i++];
  for (std::int64_t& n : summary_.rows_rejected) n = v[i++];
  summary_.sort.events = v[i++];
  return Status::Ok();
}

// Every rank needs the whole log's count of every item it may meet in its buckets: each
// gets the counts of all ranks and adds them up (the same table one process builds).
Status PrepRun::MergeItemCounts() {
  ItemCountTable global;
  ITEM2VEC_RETURN_IF_ERROR(GatherInRounds(comm_, ItemChunks(item_counts_, GatherChunkBytes(comm_)), -1,
                                          [&](int, std::string_view chunk) {
                                            ByteReader in(chunk);
                                            while (!in.done()) {
                                              const std::string_view item = in.Str();
                                              global.Add(item, in.Int());
                                            }
                                          }));
  item_counts_ = std::move(global);
  return Status::Ok();
}

Status PrepRun::ExchangeBuckets(const std::vector<BucketFile>& mine, std::vector<std::vector<BucketFile>>* out) {
  std::vector<std::vector<BucketFile>>& buckets = *out;
  buckets.assign(mine.size(), {});
  if (single()) {
    for (std::size_t b = 0; b < mine.size(); ++b)
      if (mine[b].events > 0) buckets[b].push_back(mine[b]);
    return Status::Ok();
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
  std::vector<std::string> all;
  ITEM2VEC_RETURN_IF_ERROR(AllgatherBytes(comm_, w.bytes(), &all));
  for (const std::string& bytes : all) {  // in rank order
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
  return Status::Ok();
}

Status PrepRun::SumSortCounters() {
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
  ITEM2VEC_RETURN_IF_ERROR(comm_.AllreduceSum(&sums));
  ITEM2VEC_RETURN_IF_ERROR(comm_.AllreduceMax(&maxima));
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
    ITEM2VEC_RETURN_IF_ERROR(GatherInRounds(comm_, ItemChunks(train_items_, GatherChunkBytes(comm_)), 0,
                                            [&](int, std::string_view chunk) {
                                              ByteReader in(chunk);
                                              while (!in.done()) {
                                                const std::string_view item = in.Str();
                                                all.Add(item, in.Int());
                                              }
                                            }));
    items[0] = comm_.rank() == 0 ? static_cast<std::int64_t>(all.size()) : 0;
    ITEM2VEC_RETURN_IF_ERROR(comm_.AllreduceSum(&items));
  }
  summary_.items = items[0];
  return Status::Ok();
}

}  // namespace item2vec::prep_detail
