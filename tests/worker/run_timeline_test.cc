// Tests of worker/run_timeline.h: the gap between kept samples, final reports always kept,
// thinning that bounds memory and keeps the whole run, the JSON layout and the report interval.
#include "worker/run_timeline.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "common/json_reader.h"

namespace item2vec {
namespace {

protocol::ProgressReport Report(int worker, double seconds, std::int64_t tokens, bool final = false) {
  protocol::ProgressReport r;
  r.worker = worker;
  r.seconds = seconds;
  r.raw_tokens = tokens;
  r.words = tokens / 2;
  r.loss_sum = 3.0 * static_cast<double>(tokens);
  r.loss_count = static_cast<double>(tokens);
  r.alpha = 0.025 - seconds * 1e-4;
  r.final = final ? 1 : 0;
  return r;
}

TEST(RunTimelineTest, KeepsSamplesAtLeastTheGapApartAndEveryFinal) {
  RunTimeline t(2, 0.5);
  for (int i = 0; i <= 20; ++i) t.Add(Report(0, 0.1 * i, 100 * i));
  t.Add(Report(0, 2.05, 2050, /*final=*/true));
  t.Add(Report(0, 2.05, 2050, /*final=*/true));  // the same report again: not a new sample
  const auto& s = t.samples(0);
  ASSERT_EQ(s.size(), 6u);  // 0, 0.5, 1.0, 1.5, 2.0, then the final at 2.05
  for (std::size_t i = 1; i + 1 < s.size(); ++i) EXPECT_GE(s[i].seconds - s[i - 1].seconds, 0.5 - 1e-9);
  EXPECT_DOUBLE_EQ(s.back().seconds, 2.05);
  EXPECT_EQ(s.back().tokens, 2050);
  EXPECT_DOUBLE_EQ(s[1].loss, 3.0);
  EXPECT_TRUE(t.samples(1).empty());
  t.Add(Report(7, 1.0, 5));  // an unknown worker is ignored
  EXPECT_EQ(t.workers(), 2);
}

TEST(RunTimelineTest, ThinsToStayBoundedOverALongRun) {
  RunTimeline t(1, 0.1);
  const int n = 100000;
  for (int i = 0; i < n; ++i) t.Add(Report(0, 0.1 * i, i));
  t.Add(Report(0, 0.1 * n, n, true));
  const auto& s = t.samples(0);
  EXPECT_LT(s.size(), RunTimeline::kMaxSamples);
  EXPECT_GT(s.size(), RunTimeline::kMaxSamples / 4);
  EXPECT_DOUBLE_EQ(s.front().seconds, 0.0);  // the start of the run stays
  EXPECT_EQ(s.back().tokens, n);             // and its end
  EXPECT_GT(t.gap(), 0.1 * n / RunTimeline::kMaxSamples);
}

TEST(RunTimelineTest, JsonHasParallelArraysAndNullLossBeforeThePairs) {
  RunTimeline t(2, 0.1);
  protocol::ProgressReport first = Report(1, 0.0, 0);
  first.loss_count = 0;
  t.Add(first);
  t.Add(Report(1, 0.5, 500));
  Result<JsonValue> j = ParseJson(t.ToJson());
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  const JsonValue& w1 = (*j)["workers"][1];
  EXPECT_EQ(w1["worker"].integer(), 1);
  ASSERT_EQ(w1["seconds"].size(), 2u);
  EXPECT_EQ(w1["tokens"][1].integer(), 500);
  EXPECT_EQ(w1["words"][1].integer(), 250);
  EXPECT_TRUE(w1["loss"][0].is_null());
  EXPECT_DOUBLE_EQ(w1["loss"][1].number(), 3.0);
  EXPECT_NEAR(w1["alpha"][1].number(), 0.025 - 0.5e-4, 1e-12);
  EXPECT_EQ((*j)["workers"][0]["seconds"].size(), 0u);
}

TEST(RunTimelineTest, ReportIntervalBoundsTheMessagesIntoRankZero) {
  EXPECT_DOUBLE_EQ(ProgressReportInterval(5, 2), 0.1);      // short runs still get a timeline
  EXPECT_DOUBLE_EQ(ProgressReportInterval(0.1, 2), 0.05);   // never slower than half the log interval
  EXPECT_DOUBLE_EQ(ProgressReportInterval(5, 1000), 2.0);   // 1000 workers: 500 reports a second
  EXPECT_DOUBLE_EQ(ProgressReportInterval(5, 100000), 2.5);
}

}  // namespace
}  // namespace item2vec
