#include "tools/prep/event_columns.h"

#include <gtest/gtest.h>

#include "tests/prep/prep_test_util.h"

namespace item2vec {
namespace {

EventColumnSpecs Specs(const std::string& user, const std::string& item, const std::string& time,
                       const std::string& rating = "", const std::string& event = "") {
  EventColumnSpecs s;
  s.user = ParseColumnSpec(user, "--user-col").value();
  s.item = ParseColumnSpec(item, "--item-col").value();
  s.time = ParseColumnSpec(time, "--time-col").value();
  s.rating = ParseColumnSpec(rating, "--rating-col").value();
  s.event = ParseColumnSpec(event, "--event-col").value();
  return s;
}

// Reads the records of a CSV text (through the real reader).
std::vector<DelimitedRecord> Records(const std::string& csv) {
  prep_testing::TempDir dir;
  prep_testing::WriteFile(dir.File("in.csv"), csv);
  DelimitedReader reader;
  EXPECT_TRUE(reader.Open(dir.File("in.csv"), DelimitedFormat{}).ok());
  std::vector<DelimitedRecord> out;
  DelimitedRecord r;
  bool has = false;
  while (reader.Next(&r, &has).ok() && has) out.push_back(r);
  // The records own their bytes, so they survive the reader; rebuild their views.
  return out;
}

TEST(EventColumns, PositionsAreOneBased) {
  ColumnSpec spec = ParseColumnSpec("3", "--time-col").value();
  EXPECT_EQ(spec.position, 2);
  EXPECT_FALSE(spec.by_name());
  EXPECT_TRUE(ParseColumnSpec("movieId", "--item-col")->by_name());
  EXPECT_FALSE(ParseColumnSpec("", "--rating-col")->used());
  Status zero = ParseColumnSpec("0", "--user-col").status();
  EXPECT_EQ(zero.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(zero.message().find("1-based"), std::string::npos);
}

TEST(EventColumns, ResolvesNamesAgainstHeader) {
  const std::vector<std::string> header = {"userId", "movieId", "rating", "timestamp"};
  auto layout = ResolveColumns(Specs("userId", "movieId", "timestamp", "rating"), &header, 4, "r.csv");
  ASSERT_TRUE(layout.ok()) << layout.status().ToString();
  EXPECT_EQ(layout->user, 0);
  EXPECT_EQ(layout->item, 1);
  EXPECT_EQ(layout->time, 3);
  EXPECT_EQ(layout->rating, 2);
  EXPECT_EQ(layout->event, -1);
  EXPECT_EQ(layout->expected_fields, 4u);
}

TEST(EventColumns, UnknownNameListsTheHeader) {
  const std::vector<std::string> header = {"userId", "movieId", "rating", "timestamp"};
  auto layout = ResolveColumns(Specs("user", "movieId", "timestamp"), &header, 4, "r.csv");
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().code(), Status::Code::kInvalidArgument);
  const std::string& m = layout.status().message();
  EXPECT_NE(m.find("--user-col 'user'"), std::string::npos) << m;
  EXPECT_NE(m.find("1:'userId', 2:'movieId', 3:'rating', 4:'timestamp'"), std::string::npos) << m;
}

TEST(EventColumns, NameWithoutHeaderAndPositionOutOfRangeFail) {
  EXPECT_FALSE(ResolveColumns(Specs("1", "item", ""), nullptr, 3, "x.tsv").ok());
  auto far = ResolveColumns(Specs("1", "2", "7"), nullptr, 4, "x.tsv");
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.status().message().find("only 4 column"), std::string::npos);
}

TEST(EventColumns, HeaderDetection) {
  auto with_header = Records("userId,movieId,rating,timestamp\n1,2,3.5,964982703\n");
  EXPECT_TRUE(LooksLikeHeader(Specs("1", "2", "4"), with_header[0], TimeFormat::kAuto));
  EXPECT_FALSE(LooksLikeHeader(Specs("1", "2", "4"), with_header[1], TimeFormat::kAuto));
  EXPECT_TRUE(LooksLikeHeader(Specs("userId", "2", "4"), with_header[1], TimeFormat::kAuto));
  EXPECT_TRUE(LooksLikeHeader(Specs("1", "2", "", "3"), with_header[0], TimeFormat::kAuto));
  EXPECT_FALSE(LooksLikeHeader(Specs("1", "2", ""), with_header[0], TimeFormat::kAuto));
}

TEST(EventColumns, ExtractEventAndRejectReasons) {
  auto records = Records(
      "1,10,4.5,964982703\n"
      "1,10,4.5\n"
      ",10,4.5,964982703\n"
      "1,10,4.5,yesterday\n"
      "1,10,good,964982703\n"
      "1,10, ,964982703\n");
  ASSERT_EQ(records.size(), 6u);
  const std::vector<std::string> header = {"u", "i", "r", "t"};
  ColumnLayout layout = ResolveColumns(Specs("1", "2", "4", "3"), &header, 4, "x").value();
  ParsedEvent e;
  RowReject reason;
  ASSERT_TRUE(ExtractEvent(records[0], layout, TimeFormat::kAuto, &e, &reason));
  EXPECT_EQ(e.user, "1");
  EXPECT_EQ(e.item, "10");
  EXPECT_EQ(e.time_ms, 964982703000);
  EXPECT_DOUBLE_EQ(e.rating, 4.5);
  const RowReject expected[] = {RowReject::kWrongColumnCount, RowReject::kMissingField, RowReject::kBadTimestamp,
                                RowReject::kBadRating, RowReject::kMissingField};
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(ExtractEvent(records[static_cast<std::size_t>(i + 1)], layout, TimeFormat::kAuto, &e, &reason)) << i;
    EXPECT_EQ(reason, expected[i]) << i;
    EXPECT_FALSE(DescribeReject(records[static_cast<std::size_t>(i + 1)], layout, reason).empty());
  }
  EXPECT_NE(DescribeReject(records[3], layout, RowReject::kBadTimestamp).find("'yesterday'"), std::string::npos);
  EXPECT_STREQ(RowRejectName(RowReject::kBadTimestamp), "bad_timestamp");
}

TEST(EventColumns, ParseFiniteDouble) {
  double v = 0;
  EXPECT_TRUE(ParseFiniteDouble(" 3.5 ", &v));
  EXPECT_DOUBLE_EQ(v, 3.5);
  EXPECT_TRUE(ParseFiniteDouble("+4", &v));
  EXPECT_DOUBLE_EQ(v, 4);
  EXPECT_FALSE(ParseFiniteDouble("nan", &v));
  EXPECT_FALSE(ParseFiniteDouble("inf", &v));
  EXPECT_FALSE(ParseFiniteDouble("3.5x", &v));
  EXPECT_FALSE(ParseFiniteDouble("", &v));
}

}  // namespace
}  // namespace item2vec
