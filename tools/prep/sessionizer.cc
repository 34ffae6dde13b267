#include "tools/prep/sessionizer.h"

#include <algorithm>
#include <charconv>

#include "tools/prep/timestamp.h"

namespace item2vec {

Result<HoldoutSpec> ParseHoldoutSpec(const std::string& text) {
  HoldoutSpec spec;
  if (text == "none" || text.empty()) return spec;
  if (text == "last") {
    spec.kind = HoldoutSpec::Kind::kLast;
    return spec;
  }
  if (text.rfind("last:", 0) == 0) {
    const std::string n = text.substr(5);
    const auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), spec.count);
    if (ec != std::errc() || ptr != n.data() + n.size() || spec.count < 1)
      return Status::InvalidArgument("--holdout " + text + ": N in last:N must be a positive integer");
    spec.kind = HoldoutSpec::Kind::kLast;
    return spec;
  }
  if (text.rfind("after:", 0) == 0) {
    if (!ParseTimestampMs(text.substr(6), TimeFormat::kAuto, &spec.cutoff_ms))
      return Status::InvalidArgument("--holdout " + text +
                                     ": the cut-off must be Unix seconds, Unix milliseconds or ISO-8601 "
                                     "(e.g. after:2018-01-01 or after:1514764800)");
    spec.kind = HoldoutSpec::Kind::kAfter;
    return spec;
  }
  return Status::InvalidArgument("--holdout must be none, last, last:N or after:TIMESTAMP; got '" + text + "'");
}

void Sessionizer::Split(const std::vector<TimedItem>& events, UserSplit* out) {
  out->Clear();
  const std::size_t n = events.size();
  // 1. Hold-out: the training events are events[0 .. train_end) minus none (last:N), or
  //    those before the cut-off (after:T); in both cases a prefix, since events are sorted.
  std::size_t train_end = n;
  switch (options_.holdout.kind) {
    case HoldoutSpec::Kind::kNone: break;
    case HoldoutSpec::Kind::kLast: {
      const std::size_t held = static_cast<std::size_t>(options_.holdout.count);
      const std::size_t valid = options_.validation ? 1 : 0;
      if (n >= held + valid + static_cast<std::size_t>(options_.min_length)) train_end = n - held - valid;
      break;
    }
    case HoldoutSpec::Kind::kAfter:
      train_end = static_cast<std::size_t>(
          std::lower_bound(events.begin(), events.end(), options_.holdout.cutoff_ms,
                           [](const TimedItem& e, std::int64_t t) { return e.time_ms < t; }) -
          events.begin());
      break;
  }
  std::size_t test_begin = train_end;
  if (options_.validation && options_.holdout.kind == HoldoutSpec::Kind::kLast && train_end < n) {
    // train_end >= min_length >= 1, so the validation record always has a history.
    ++counters_.heldout_events;
    out->validation.push_back(train_end);
    ++counters_.validation_records;
    test_begin = train_end + 1;
  }
  for (std::size_t i = test_begin; i < n; ++i) {
    ++counters_.heldout_events;
    if (i == 0) {
      ++counters_.heldout_without_history;
      continue;
    }
    out->heldout.push_back(i);
  }
  counters_.heldout_records += static_cast<std::int64_t>(out->heldout.size());
  if (!out->heldout.empty()) ++counters_.heldout_users;

  // 2. Sessions over the training prefix.
  std::size_t begin = 0;
  for (std::size_t i = 1; i <= train_end; ++i) {
    if (i == train_end ||
        (options_.session_gap_ms > 0 && events[i].time_ms - events[i - 1].time_ms > options_.session_gap_ms)) {
      EmitSession(events, begin, i, out);
      begin = i;
    }
  }
}

void Sessionizer::EmitSession(const std::vector<TimedItem>& events, std::size_t begin, std::size_t end,
                              UserSplit* out) {
  ++counters_.sessions;
  scratch_.clear();
  for (std::size_t i = begin; i < end; ++i) scratch_.push_back(events[i].item);
  if (options_.mode == SequenceMode::kSet) {
    std::sort(scratch_.begin(), scratch_.end());
    const auto last = std::unique(scratch_.begin(), scratch_.end());
    counters_.set_duplicates_removed += scratch_.end() - last;
    scratch_.erase(last, scratch_.end());
  }
  const std::size_t cap = options_.max_length > 0 ? static_cast<std::size_t>(options_.max_length) : scratch_.size();
  if (scratch_.size() > cap) ++counters_.chunked_sessions;
  for (std::size_t at = 0; at < scratch_.size(); at += cap)
    EmitSequence(scratch_.data() + at, std::min(cap, scratch_.size() - at), out);
}

void Sessionizer::EmitSequence(const std::string_view* items, std::size_t n, UserSplit* out) {
  if (static_cast<std::int64_t>(n) < options_.min_length) {
    ++counters_.short_sequences;
    counters_.short_sequence_tokens += static_cast<std::int64_t>(n);
    return;
  }
  out->tokens.insert(out->tokens.end(), items, items + n);
  out->sequence_ends.push_back(out->tokens.size());
  ++counters_.sequences;
  counters_.tokens += static_cast<std::int64_t>(n);
}

}  // namespace item2vec
