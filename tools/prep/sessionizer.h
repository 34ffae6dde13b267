// Sessionizer: turns one user's time-ordered events into training sequences and held-out
// test records.
//
// Contract, in the order the steps apply to one user's events (already filtered, sorted
// by time with ties in input order):
// 1. Hold-out. kLast (count N): when at least min_length events would remain, the last N
//    events are held out, otherwise none (the user is kept whole for training). kAfter:
//    every event at or after cutoff_ms is held out. Each held-out event is one test record
//    whose history is *all* of the user's events before it (earlier held-out ones
//    included), in time order. A record with an empty history is not emitted and is counted
//    in heldout_without_history.
//    With validation (kLast only): the event just before the held-out ones is held out
//    too, as a validation record (its history: every event before it), and kept out of
//    training; the user needs N + 1 + min_length events for either to happen. The test
//    records' histories still hold the validation event (it precedes them in time).
// 2. The remaining events are cut into sessions where the gap between consecutive events
//    exceeds session_gap_ms (0 = one session per user).
// 3. Mode kSet: each session's items are deduplicated and sorted bytewise (the removed
//    duplicates are counted). kSequence keeps them in time order, repeats included.
// 4. A session longer than max_length (0 = no cap) is cut into consecutive chunks of
//    max_length items.
// 5. Sequences (sessions or chunks) shorter than min_length are dropped and counted.
// Counters accumulate over calls, so one Sessionizer can serve a whole run. The views in
// UserSplit point into the caller's events. Not thread-safe; one instance per thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tools/prep/bucket_sort.h"
#include "common/status.h"

namespace item2vec {

enum class SequenceMode { kSequence, kSet };

struct HoldoutSpec {
  enum class Kind { kNone, kLast, kAfter };
  Kind kind = Kind::kNone;
  std::int64_t count = 1;      // kLast: events held out per user
  std::int64_t cutoff_ms = 0;  // kAfter: events at or after this time are held out
};

// "none", "last", "last:N" (N >= 1), "after:TIMESTAMP" (Unix seconds, ms or ISO-8601).
Result<HoldoutSpec> ParseHoldoutSpec(const std::string& text);

struct SessionOptions {
  std::int64_t session_gap_ms = 0;  // 0 = no session split
  std::int64_t max_length = 0;      // 0 = no cap
  std::int64_t min_length = 2;      // >= 1
  SequenceMode mode = SequenceMode::kSequence;
  HoldoutSpec holdout;
  bool validation = false;  // kLast only: also hold out the event before the test ones
};

// The output for one user. Sequence s is tokens[sequence_ends[s-1] .. sequence_ends[s]).
struct UserSplit {
  std::vector<std::string_view> tokens;
  std::vector<std::size_t> sequence_ends;
  // Test records: indices into the user's events; the history of record i is
  // events[0 .. heldout[i]).
  std::vector<std::size_t> heldout;
  // Validation records (with SessionOptions::validation), the same way.
  std::vector<std::size_t> validation;
  void Clear() {
    tokens.clear();
    sequence_ends.clear();
    heldout.clear();
    validation.clear();
  }
};

struct SessionCounters {
  std::int64_t sessions = 0;                   // sessions before chunking and the length filter
  std::int64_t sequences = 0;                  // sequences emitted
  std::int64_t tokens = 0;                     // items in emitted sequences
  std::int64_t short_sequences = 0;            // dropped for min_length
  std::int64_t short_sequence_tokens = 0;      // their items
  std::int64_t chunked_sessions = 0;           // sessions cut by max_length
  std::int64_t set_duplicates_removed = 0;     // kSet only
  std::int64_t heldout_events = 0;             // events kept out of training
  std::int64_t heldout_records = 0;            // test records emitted
  std::int64_t heldout_without_history = 0;    // held-out events with no earlier event
  std::int64_t heldout_users = 0;              // users with at least one test record
  std::int64_t validation_records = 0;         // validation records emitted
};

class Sessionizer {
 public:
  explicit Sessionizer(SessionOptions options) : options_(options) {}

  // REQUIRES: events sorted by time (ties in input order).
  void Split(const std::vector<TimedItem>& events, UserSplit* out);
  const SessionCounters& counters() const { return counters_; }
  const SessionOptions& options() const { return options_; }

 private:
  void EmitSession(const std::vector<TimedItem>& events, std::size_t begin, std::size_t end, UserSplit* out);
  void EmitSequence(const std::string_view* items, std::size_t n, UserSplit* out);

  SessionOptions options_;
  SessionCounters counters_;
  std::vector<std::string_view> scratch_;
};

}  // namespace item2vec
