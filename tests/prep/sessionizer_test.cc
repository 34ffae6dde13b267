#include "tools/prep/sessionizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace item2vec {
namespace {

constexpr std::int64_t kMinute = 60 * 1000;

// Items "a", "b", ... at the given minutes.
struct Events {
  std::vector<std::string> names;
  std::vector<TimedItem> items;
  Events(std::vector<std::string> n, const std::vector<std::int64_t>& minutes) : names(std::move(n)) {
    for (std::size_t i = 0; i < names.size(); ++i) items.push_back({names[i], minutes[i] * kMinute});
  }
};

std::vector<std::string> Sequences(const UserSplit& split) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (std::size_t end : split.sequence_ends) {
    std::string line;
    for (std::size_t i = begin; i < end; ++i) line += (i > begin ? " " : "") + std::string(split.tokens[i]);
    out.push_back(line);
    begin = end;
  }
  return out;
}

using Strings = std::vector<std::string>;

// Options that hold out `spec` (--holdout) and, with validation, the event before (--validation).
SessionOptions HoldOut(const std::string& spec, bool validation = false) {
  SessionOptions o;
  o.holdout = ParseHoldoutSpec(spec).value();
  o.validation = validation;
  return o;
}

// Splits one user's events into *split and returns its training sequences.
Strings SplitSequences(Sessionizer* s, const Events& e, UserSplit* split) {
  s->Split(e.items, split);
  return Sequences(*split);
}

TEST(Sessionizer, OneSequencePerUserByDefault) {
  Events e({"a", "b", "c"}, {0, 100, 100000});
  Sessionizer s(SessionOptions{});
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b c"}));
  EXPECT_TRUE(split.heldout.empty());
  EXPECT_EQ(s.counters().sequences, 1);
  EXPECT_EQ(s.counters().tokens, 3);
}

TEST(Sessionizer, SplitsAtGapsLongerThanSessionGap) {
  Events e({"a", "b", "c", "d", "e", "f"}, {0, 30, 61, 62, 200, 230});
  SessionOptions o;
  o.session_gap_ms = 30 * kMinute;  // a gap of exactly 30 minutes stays in the session
  o.min_length = 1;
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b", "c d", "e f"}));
  EXPECT_EQ(s.counters().sessions, 3);
}

TEST(Sessionizer, MinLengthDropsShortSessionsAndCountsThem) {
  Events e({"a", "b", "c", "d"}, {0, 1, 100, 300});
  SessionOptions o;
  o.session_gap_ms = 30 * kMinute;
  o.min_length = 2;
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b"}));
  EXPECT_EQ(s.counters().short_sequences, 2);
  EXPECT_EQ(s.counters().short_sequence_tokens, 2);
}

TEST(Sessionizer, MaxLengthChunksLongSequences) {
  Events e({"a", "b", "c", "d", "e", "f", "g"}, {0, 1, 2, 3, 4, 5, 6});
  SessionOptions o;
  o.max_length = 3;
  o.min_length = 2;
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b c", "d e f"}));  // the tail "g" is too short
  EXPECT_EQ(s.counters().chunked_sessions, 1);
  EXPECT_EQ(s.counters().short_sequence_tokens, 1);
}

TEST(Sessionizer, SetModeDeduplicatesAndSorts) {
  Events e({"c", "a", "c", "b", "a"}, {0, 1, 2, 3, 4});
  SessionOptions o;
  o.mode = SequenceMode::kSet;
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b c"}));
  EXPECT_EQ(s.counters().set_duplicates_removed, 2);
}

TEST(Sessionizer, HoldoutLastMovesTheLastEventOut) {
  Events e({"a", "b", "c"}, {0, 1, 2});
  SessionOptions o = HoldOut("last");
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b"}));
  ASSERT_EQ(split.heldout, (std::vector<std::size_t>{2}));  // history = events[0..2)
  // Too few events for min_length + 1: the user stays whole in training.
  Events short_user({"x", "y"}, {0, 1});
  EXPECT_EQ(SplitSequences(&s, short_user, &split), (Strings{"x y"}));
  EXPECT_TRUE(split.heldout.empty());
  EXPECT_EQ(s.counters().heldout_records, 1);
  EXPECT_EQ(s.counters().heldout_users, 1);
}

TEST(Sessionizer, HoldoutLastNGivesOneRecordPerEventWithGrowingHistory) {
  Events e({"a", "b", "c", "d", "e"}, {0, 1, 2, 3, 4});
  SessionOptions o = HoldOut("last:3");
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b"}));
  EXPECT_EQ(split.heldout, (std::vector<std::size_t>{2, 3, 4}));
  EXPECT_EQ(s.counters().heldout_events, 3);
  Events four({"a", "b", "c", "d"}, {0, 1, 2, 3});  // 4 < 3 + min_length: nothing held out
  s.Split(four.items, &split);
  EXPECT_TRUE(split.heldout.empty());
  EXPECT_EQ(Sequences(split), (Strings{"a b c d"}));
}

TEST(Sessionizer, HoldoutAfterCutoffKeepsEarlierEventsForTraining) {
  Events e({"a", "b", "c", "d"}, {0, 10, 20, 30});
  SessionOptions o;
  o.holdout.kind = HoldoutSpec::Kind::kAfter;
  o.holdout.cutoff_ms = 20 * kMinute;  // at or after
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b"}));
  EXPECT_EQ(split.heldout, (std::vector<std::size_t>{2, 3}));
  // A user who only appears after the cut-off: the first event has no history.
  Events late({"x", "y"}, {25, 26});
  s.Split(late.items, &split);
  EXPECT_TRUE(split.sequence_ends.empty());
  EXPECT_EQ(split.heldout, (std::vector<std::size_t>{1}));
  EXPECT_EQ(s.counters().heldout_without_history, 1);
  EXPECT_EQ(s.counters().heldout_events, 4);
  EXPECT_EQ(s.counters().heldout_records, 3);
}

TEST(Sessionizer, HeldOutEventsNeverReachTraining) {
  Events e({"a", "b", "c", "d", "e", "f"}, {0, 1, 2, 100, 101, 102});
  SessionOptions o;
  o.session_gap_ms = 30 * kMinute;
  o.holdout = ParseHoldoutSpec("last:2").value();
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b c"}));  // "d" alone is too short; e, f held out
  EXPECT_EQ(split.heldout, (std::vector<std::size_t>{4, 5}));
  const SessionCounters& c = s.counters();
  EXPECT_EQ(c.tokens + c.short_sequence_tokens + c.heldout_events, 6);
}

TEST(Sessionizer, ParseHoldoutSpec) {
  EXPECT_EQ(ParseHoldoutSpec("none")->kind, HoldoutSpec::Kind::kNone);
  EXPECT_EQ(ParseHoldoutSpec("last")->count, 1);
  EXPECT_EQ(ParseHoldoutSpec("last:5")->count, 5);
  EXPECT_EQ(ParseHoldoutSpec("after:2018-01-01")->cutoff_ms, 1514764800000);
  EXPECT_EQ(ParseHoldoutSpec("after:1514764800")->cutoff_ms, 1514764800000);
  EXPECT_FALSE(ParseHoldoutSpec("last:0").ok());
  EXPECT_FALSE(ParseHoldoutSpec("last:x").ok());
  EXPECT_FALSE(ParseHoldoutSpec("after:soon").ok());
  EXPECT_FALSE(ParseHoldoutSpec("random").ok());
}

// --validation: the event before the test one is the validation record; neither trains.
TEST(Sessionizer, ValidationHoldsOutTheEventBeforeTheTestOne) {
  Events e({"a", "b", "c", "d", "e"}, {0, 1, 2, 3, 4});
  SessionOptions o = HoldOut("last", /*validation=*/true);
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b c"}));
  ASSERT_EQ(split.validation, (std::vector<std::size_t>{3}));  // "d", history a b c
  ASSERT_EQ(split.heldout, (std::vector<std::size_t>{4}));     // "e", history a b c d
  EXPECT_EQ(s.counters().validation_records, 1);
  EXPECT_EQ(s.counters().heldout_records, 1);
  EXPECT_EQ(s.counters().heldout_events, 2);
}

TEST(Sessionizer, ValidationNeedsOneMoreEventThanTheHoldOut) {
  SessionOptions o = HoldOut("last", /*validation=*/true);  // min_length 2: a user needs 2 + 1 + 1 events
  Sessionizer s(o);
  UserSplit split;
  Events three({"a", "b", "c"}, {0, 1, 2});
  EXPECT_EQ(SplitSequences(&s, three, &split), (Strings{"a b c"}));
  EXPECT_TRUE(split.validation.empty());
  EXPECT_TRUE(split.heldout.empty());
  Events four({"a", "b", "c", "d"}, {0, 1, 2, 3});
  EXPECT_EQ(SplitSequences(&s, four, &split), (Strings{"a b"}));
  EXPECT_EQ(split.validation, (std::vector<std::size_t>{2}));
  EXPECT_EQ(split.heldout, (std::vector<std::size_t>{3}));
}

TEST(Sessionizer, ValidationWithLastNPrecedesAllTestRecords) {
  Events e({"a", "b", "c", "d", "e", "f"}, {0, 1, 2, 3, 4, 5});
  SessionOptions o = HoldOut("last:2", /*validation=*/true);
  Sessionizer s(o);
  UserSplit split;
  EXPECT_EQ(SplitSequences(&s, e, &split), (Strings{"a b c"}));
  EXPECT_EQ(split.validation, (std::vector<std::size_t>{3}));
  EXPECT_EQ(split.heldout, (std::vector<std::size_t>{4, 5}));
}

}  // namespace
}  // namespace item2vec
