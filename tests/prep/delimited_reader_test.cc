#include "common/delimited_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/prep/prep_test_util.h"

namespace item2vec {
namespace {

using prep_testing::TempDir;
using prep_testing::WriteFile;

struct ParsedRecord {
  std::vector<std::string> fields;
  std::int64_t line;
  bool blank;
  bool unterminated;
  bool too_long;
};

std::vector<ParsedRecord> ReadAll(const std::string& content, DelimitedFormat format, std::size_t buffer = 1 << 20) {
  TempDir dir;
  WriteFile(dir.File("in"), content);
  DelimitedReader reader;
  EXPECT_TRUE(reader.Open(dir.File("in"), format, buffer).ok());
  std::vector<ParsedRecord> out;
  DelimitedRecord record;
  bool has = false;
  while (true) {
    Status st = reader.Next(&record, &has);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!has) break;
    ParsedRecord r{{}, record.line(), record.blank(), record.unterminated_quote(), record.too_long()};
    for (std::string_view f : record.fields()) r.fields.emplace_back(f);
    out.push_back(std::move(r));
  }
  EXPECT_EQ(reader.bytes_consumed(), static_cast<std::int64_t>(content.size()));
  return out;
}

DelimitedFormat Csv() { return DelimitedFormat{",", true, '"'}; }

TEST(DelimitedReader, QuotedCsvWithCommasQuotesAndNewlines) {
  const std::string csv =
      "user,item,note\n"
      "1,\"Toy Story, The (1995)\",plain\n"
      "2,\"He said \"\"hi\"\"\",\"two\nlines\"\n"
      "3,x,\"\"\n";
  auto records = ReadAll(csv, Csv());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"user", "item", "note"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1", "Toy Story, The (1995)", "plain"}));
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"2", "He said \"hi\"", "two\nlines"}));
  EXPECT_EQ(records[3].fields, (std::vector<std::string>{"3", "x", ""}));
  // Line numbers are physical lines: the record after the embedded newline starts on 5.
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[3].line, 5);
}

TEST(DelimitedReader, CrlfIsStrippedOutsideQuotesButKeptInside) {
  const std::string csv = "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n";
  auto records = ReadAll(csv, Csv());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1", "x\r\ny"}));
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"2", "z"}));
  EXPECT_EQ(records[2].line, 4);
}

TEST(DelimitedReader, LastLineWithoutNewlineAndBlankLines) {
  auto records = ReadAll("1,a\n\n\r\n2,b", Csv());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_FALSE(records[0].blank);
  EXPECT_TRUE(records[1].blank);
  EXPECT_TRUE(records[2].blank);
  EXPECT_EQ(records[3].fields, (std::vector<std::string>{"2", "b"}));
  EXPECT_EQ(records[3].line, 4);
}

TEST(DelimitedReader, DoubleColonSeparatorAsInMovieLens1M) {
  auto records = ReadAll("1::1193::5::978300760\n1::661::3::978302109\n", DelimitedFormat{"::", true, '"'});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"1", "1193", "5", "978300760"}));
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1", "661", "3", "978302109"}));
  // A single ':' is data, not a separator.
  auto odd = ReadAll("a:b::c\n", DelimitedFormat{"::", true, '"'});
  EXPECT_EQ(odd[0].fields, (std::vector<std::string>{"a:b", "c"}));
}

TEST(DelimitedReader, TabSeparatedWithoutHeader) {
  auto records = ReadAll("196\t242\t3\t881250949\n186\t302\t3\t891717742\n", DelimitedFormat{"\t", true, '"'});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"186", "302", "3", "891717742"}));
}

TEST(DelimitedReader, Latin1BytesPassThroughUnchanged) {
  const std::string item = "Caf\xE9 \xC0 la carte \xFF\x80";
  auto records = ReadAll("7," + item + ",\"" + item + "\"\n", Csv());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields[1], item);
  EXPECT_EQ(records[0].fields[2], item);
}

TEST(DelimitedReader, Utf8ByteOrderMarkIsSkipped) {
  auto records = ReadAll("\xEF\xBB\xBFuserId,movieId\n1,2\n", Csv());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields[0], "userId");
}

TEST(DelimitedReader, UnterminatedQuoteAtEndOfFileIsFlagged) {
  auto records = ReadAll("1,a\n2,\"never closed\n3,c\n", Csv());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].unterminated);
  EXPECT_TRUE(records[1].unterminated);
  EXPECT_EQ(records[1].line, 2);
}

TEST(DelimitedReader, QuotingOffTakesQuotesLiterally) {
  auto records = ReadAll("\"a,b\n", DelimitedFormat{",", false, '"'});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"\"a", "b"}));
}

TEST(DelimitedReader, TooLongLineIsFlaggedAndSkipped) {
  std::string content = "1,a\n" + std::string(DelimitedReader::kMaxRecordBytes + 10, 'x') + "\n2,b\n";
  auto records = ReadAll(content, Csv(), 4096);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_TRUE(records[1].too_long);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"2", "b"}));
  EXPECT_EQ(records[2].line, 3);
}

// A first line over the limit is flagged like any other, whatever the buffer size (with a
// buffer of exactly kMaxRecordBytes it used to be cut silently at the boundary).
TEST(DelimitedReader, TooLongFirstLineIsFlaggedAtEveryBufferSize) {
  const std::size_t max = DelimitedReader::kMaxRecordBytes;
  const std::string content = "u1," + std::string(2 * max, 'x') + ",100\nu2,b,200\n";
  for (std::size_t buffer : {std::size_t{4096}, std::size_t{65536}, max / 2, max - 3, max, max + 1, 4 * max}) {
    auto records = ReadAll(content, Csv(), buffer);
    ASSERT_EQ(records.size(), 2u) << "buffer " << buffer;
    EXPECT_TRUE(records[0].too_long) << "buffer " << buffer;
    EXPECT_EQ(records[1].fields, (std::vector<std::string>{"u2", "b", "200"})) << "buffer " << buffer;
  }
  // A line of exactly the limit (newline included) is not too long.
  const std::string exact = std::string(max - 1, 'y') + "\n";
  auto records = ReadAll(exact, Csv(), max);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].too_long);
}

// Records of random content cross the 4 KiB buffer boundary at every possible offset.
TEST(DelimitedReader, SmallBufferGivesSameRecordsAsLargeBuffer) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab,\"\n\r \xE9";
  std::vector<std::vector<std::string>> expected;
  std::string csv;
  for (int r = 0; r < 3000; ++r) {
    std::vector<std::string> fields;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < n; ++f) {
      std::string value;
      const int len = static_cast<int>(rng() % 12);
      for (int i = 0; i < len; ++i) value.push_back(alphabet[rng() % alphabet.size()]);
      // Quote every field so any byte may appear; double the quotes inside.
      csv += f > 0 ? ",\"" : "\"";
      for (char c : value) {
        if (c == '"') csv += '"';
        csv += c;
      }
      csv += '"';
      fields.push_back(value);
    }
    csv += (r % 2 == 0) ? "\r\n" : "\n";
    expected.push_back(fields);
  }
  auto small = ReadAll(csv, Csv(), 4096);
  ASSERT_EQ(small.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(small[i].fields, expected[i]) << "record " << i;
}

// Reads the records starting in [begin, end) as prep does for one rank's range; returns
// "offset:line:fields" per record and sets where the reading started and stopped.
std::vector<std::string> ReadRange(const std::string& path, std::int64_t begin, std::int64_t end,
                                   std::int64_t* start, std::int64_t* stop, std::int64_t* lines) {
  DelimitedReader reader;
  EXPECT_TRUE(reader.Open(path, Csv(), 4096).ok());
  EXPECT_TRUE(reader.SeekToLineStart(begin).ok());
  *start = reader.bytes_consumed();
  std::vector<std::string> out;
  DelimitedRecord record;
  bool has = false;
  while (reader.bytes_consumed() < end) {
    EXPECT_TRUE(reader.Next(&record, &has).ok());
    if (!has) break;
    std::string r = std::to_string(record.offset()) + ":" + std::to_string(record.line()) + ":";
    for (std::string_view f : record.fields()) r += std::string(f) + "|";
    out.push_back(r);
  }
  *stop = reader.bytes_consumed();
  *lines = reader.lines_consumed();
  return out;
}

TEST(DelimitedReader, RangesSplitAtLineStartsReadEveryRecordOnce) {
  TempDir dir;
  // A byte-order mark, CRLF and LF, a blank line, a last line without a line end.
  const std::string content = "\xEF\xBB\xBF" "a,1\r\nbb,22\n\nccc,333\r\nd,4\ne,5";
  WriteFile(dir.File("in"), content);
  const std::int64_t size = static_cast<std::int64_t>(content.size());
  std::int64_t start, stop, lines;
  const std::vector<std::string> whole = ReadRange(dir.File("in"), 0, size, &start, &stop, &lines);
  EXPECT_EQ(whole, (std::vector<std::string>{"3:1:a|1|", "8:2:bb|22|", "14:3:|", "15:4:ccc|333|", "24:5:d|4|",
                                             "28:6:e|5|"}));
  EXPECT_EQ(stop, size);
  EXPECT_EQ(lines, 5);
  // Any split point: the two ranges together give the same records (line numbers made
  // whole with the first range's line count), and the second starts where the first stopped.
  for (std::int64_t split = 0; split <= size; ++split) {
    std::int64_t start1, stop1, lines1, start2, stop2, lines2;
    std::vector<std::string> got = ReadRange(dir.File("in"), 0, split, &start1, &stop1, &lines1);
    const std::vector<std::string> second = ReadRange(dir.File("in"), split, size, &start2, &stop2, &lines2);
    EXPECT_EQ(stop1, start2) << "split " << split;
    for (const std::string& r : second) {
      const std::size_t a = r.find(':'), b = r.find(':', a + 1);
      got.push_back(r.substr(0, a + 1) + std::to_string(std::stoll(r.substr(a + 1, b - a - 1)) + lines1) + r.substr(b));
    }
    EXPECT_EQ(got, whole) << "split " << split;
  }
}

TEST(DelimitedReader, ASplitInsideAQuotedLineBreakShowsAsAGap) {
  TempDir dir;
  const std::string content = "a,\"x\ny,1\nz\"\nb,2\n";
  WriteFile(dir.File("in"), content);
  const std::int64_t split = static_cast<std::int64_t>(content.find("y,1"));
  std::int64_t start1, stop1, lines1, start2, stop2, lines2;
  const std::vector<std::string> first = ReadRange(dir.File("in"), 0, split, &start1, &stop1, &lines1);
  ReadRange(dir.File("in"), split, static_cast<std::int64_t>(content.size()), &start2, &stop2, &lines2);
  EXPECT_EQ(first, (std::vector<std::string>{"0:1:a|x\ny,1\nz|"}));
  EXPECT_EQ(start2, split);   // the second range started inside the record...
  EXPECT_GT(stop1, start2);   // ...that the first range read past it: prep reads the file whole
}

TEST(DelimitedReader, DetectsDelimiterFromFirstLine) {
  EXPECT_EQ(DetectDelimiter("1::1193::5::978300760"), "::");
  EXPECT_EQ(DetectDelimiter("196\t242\t3\t881250949"), "\t");
  EXPECT_EQ(DetectDelimiter("userId,movieId,rating,timestamp"), ",");
  EXPECT_EQ(DetectDelimiter("a;b"), ";");
  EXPECT_EQ(DetectDelimiter("nothing"), "");
  EXPECT_EQ(DelimiterFromOption("tab"), "\t");
  EXPECT_EQ(DelimiterFromOption("::"), "::");
}

TEST(DelimitedReader, MissingFileIsNotFound) {
  DelimitedReader reader;
  Status st = reader.Open("/nonexistent/prep/input.csv", Csv());
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_NE(st.message().find("/nonexistent/prep/input.csv"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
