#include "tools/prep/timestamp.h"

#include <gtest/gtest.h>

#include <random>

namespace item2vec {
namespace {

std::int64_t Ms(std::string_view text, TimeFormat format = TimeFormat::kAuto) {
  std::int64_t ms = -12345;
  EXPECT_TRUE(ParseTimestampMs(text, format, &ms)) << text;
  return ms;
}

bool Fails(std::string_view text, TimeFormat format = TimeFormat::kAuto) {
  std::int64_t ms = 0;
  return !ParseTimestampMs(text, format, &ms);
}

TEST(Timestamp, UnixSecondsAndMilliseconds) {
  EXPECT_EQ(Ms("964982703"), 964982703000);
  EXPECT_EQ(Ms(" 964982703 "), 964982703000);
  EXPECT_EQ(Ms("1538390400.25"), 1538390400250);
  EXPECT_EQ(Ms("1538390400250"), 1538390400250);  // >= 1e11: milliseconds
  EXPECT_EQ(Ms("99999999999"), 99999999999000);   // < 1e11: seconds
  EXPECT_EQ(Ms("0"), 0);
  EXPECT_EQ(Ms("-86400"), -86400000);
  EXPECT_EQ(Ms("1538390400250", TimeFormat::kUnixSeconds), 1538390400250000);
  EXPECT_EQ(Ms("964982703", TimeFormat::kUnixMillis), 964982703);
  EXPECT_TRUE(Fails("12a"));
  EXPECT_TRUE(Fails(""));
  EXPECT_TRUE(Fails("."));
  EXPECT_TRUE(Fails("1.2.3"));
  EXPECT_TRUE(Fails("2018-09-24", TimeFormat::kUnixSeconds));
}

TEST(Timestamp, Iso8601Forms) {
  const std::int64_t base = 1537783200000;  // 2018-09-24T10:00:00Z
  EXPECT_EQ(Ms("2018-09-24T10:00:00Z"), base);
  EXPECT_EQ(Ms("2018-09-24T10:00:00"), base);  // no offset: UTC
  EXPECT_EQ(Ms("2018-09-24 10:00:00"), base);
  EXPECT_EQ(Ms("2018-09-24T10:00Z"), base);
  EXPECT_EQ(Ms("2018-09-24T12:00:00+02:00"), base);
  EXPECT_EQ(Ms("2018-09-24T12:00:00+0200"), base);
  EXPECT_EQ(Ms("2018-09-24T05:30:00-04:30"), base);
  EXPECT_EQ(Ms("2018-09-24T10:00:00.5Z"), base + 500);
  EXPECT_EQ(Ms("2018-09-24T10:00:00.123456Z"), base + 123);
  EXPECT_EQ(Ms("2018-09-24"), base - 10 * 3600 * 1000);
  EXPECT_EQ(Ms("1970-01-01"), 0);
  EXPECT_EQ(Ms("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(Ms("2000-02-29", TimeFormat::kIso8601), 951782400000);
}

TEST(Timestamp, InvalidIso8601Dates) {
  EXPECT_TRUE(Fails("2018-02-29"));  // not a leap year
  EXPECT_TRUE(Fails("1900-02-29"));
  EXPECT_TRUE(Fails("2018-13-01"));
  EXPECT_TRUE(Fails("2018-00-10"));
  EXPECT_TRUE(Fails("2018-09-31"));
  EXPECT_TRUE(Fails("2018-09-24T24:00:00"));
  EXPECT_TRUE(Fails("2018-09-24T10:60"));
  EXPECT_TRUE(Fails("2018-09-24T10:00:00+25:00"));
  EXPECT_TRUE(Fails("2018-09-24T10:00:00Zjunk"));
  EXPECT_TRUE(Fails("2018-9-24"));
  EXPECT_TRUE(Fails("24/09/2018"));
  EXPECT_TRUE(Fails("timestamp"));
}

TEST(Timestamp, FormatRoundTripsOverManyDays) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t ms = static_cast<std::int64_t>(rng() % 8'000'000'000'000ull) - 2'000'000'000'000;
    const std::string text = FormatIso8601(ms);
    std::int64_t back = 0;
    ASSERT_TRUE(ParseTimestampMs(text, TimeFormat::kIso8601, &back)) << text;
    EXPECT_EQ(back, ms) << text;
  }
  EXPECT_EQ(FormatIso8601(1537783200000), "2018-09-24T10:00:00Z");
}

TEST(Timestamp, DaysFromCivilKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

TEST(Timestamp, Durations) {
  EXPECT_EQ(ParseDurationMs("30m").value(), 30 * 60 * 1000);
  EXPECT_EQ(ParseDurationMs("90s").value(), 90 * 1000);
  EXPECT_EQ(ParseDurationMs("90").value(), 90 * 1000);
  EXPECT_EQ(ParseDurationMs("2h").value(), 2 * 3600 * 1000);
  EXPECT_EQ(ParseDurationMs("1.5d").value(), 36 * 3600 * 1000);
  EXPECT_EQ(ParseDurationMs("0").value(), 0);
  EXPECT_FALSE(ParseDurationMs("-5m").ok());
  EXPECT_FALSE(ParseDurationMs("5x").ok());
  EXPECT_FALSE(ParseDurationMs("m").ok());
  EXPECT_EQ(ParseDurationMs("5w").status().code(), Status::Code::kInvalidArgument);
}

TEST(Timestamp, FormatNames) {
  EXPECT_EQ(ParseTimeFormat("auto").value(), TimeFormat::kAuto);
  EXPECT_EQ(ParseTimeFormat("ms").value(), TimeFormat::kUnixMillis);
  EXPECT_EQ(ParseTimeFormat("iso8601").value(), TimeFormat::kIso8601);
  EXPECT_FALSE(ParseTimeFormat("rfc2822").ok());
}

}  // namespace
}  // namespace item2vec
