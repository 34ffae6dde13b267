#include "tools/prep/prep_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "common/weighted_token.h"
#include "tests/prep/prep_test_util.h"
#include "tools/prep/event_weights.h"

namespace item2vec {
namespace {

using prep_testing::JsonInt;
using prep_testing::ReadFile;
using prep_testing::SplitLines;
using prep_testing::TempDir;
using prep_testing::WriteFile;
namespace fs = std::filesystem;

PrepConfig BaseConfig(const std::string& input, const std::string& output) {
  PrepOptions o;
  o.input = {input};
  o.output = output;
  o.time_col = "3";
  Result<PrepConfig> c = ResolvePrepOptions(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.value();
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(PrepPipeline, SmallLogExactOutput) {
  TempDir dir;
  // u1: c (t=5) a (t=1) b (t=3) d (t=9) -> a b c d; u2 has a bad time and one good event.
  WriteFile(dir.File("log.csv"),
            "user,item,time\r\n"
            "u1,c,5\r\n"
            "u1,a,1\r\n"
            "u2,a,bad\r\n"
            "u1,b,3\r\n"
            "u2,z,1\r\n"
            "u1,d,9\r\n"
            "u3,\"x, y\",1\r\n"
            "u3,q,2\r\n");
  PrepConfig c = BaseConfig(dir.File("log.csv"), dir.File("out"));
  c.session.holdout = ParseHoldoutSpec("last").value();
  Result<PrepSummary> s = RunPrep(c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // u2 has one event: too short for training and for hold-out. u3 has 2: trains, no hold-out.
  std::vector<std::string> train = SplitLines(ReadFile(dir.File("out/train/part-00000")));
  std::sort(train.begin(), train.end());
  EXPECT_EQ(train, (std::vector<std::string>{"a b c", "x,_y q"}));
  EXPECT_EQ(ReadFile(dir.File("out/test.tsv")), "u1\td\ta b c\n");
  EXPECT_EQ(s->rows_read, 8);
  EXPECT_EQ(s->rows_rejected[static_cast<std::size_t>(RowReject::kBadTimestamp)], 1);
  EXPECT_EQ(s->users, 3);
  EXPECT_EQ(s->session.sequences, 2);
  EXPECT_EQ(s->session.tokens, 5);
  EXPECT_EQ(s->items, 5);
  EXPECT_EQ(s->session.heldout_records, 1);
  EXPECT_EQ(s->item_ids_sanitized, 1);
  const std::string json = ReadFile(dir.File("out/summary.json"));
  EXPECT_EQ(JsonInt(json, "users"), 3);
  EXPECT_EQ(JsonInt(json, "bad_timestamp"), 1);
  EXPECT_EQ(JsonInt(json, "heldout_records"), 1);
  // Only final names remain: no temporary directory or file.
  EXPECT_EQ(ListDir(dir.File("out")), (std::vector<std::string>{"summary.json", "test.tsv", "train"}));
  EXPECT_EQ(ListDir(dir.File("out/train")), (std::vector<std::string>{"part-00000"}));
}

// A CSV log with quoted items, CRLF, latin-1 bytes and ISO times.
std::string RandomCsvLog(std::uint32_t seed, int rows) {
  std::mt19937 rng(seed);
  std::string csv = "ts,user,item,rating,event\r\n";
  const char* events[] = {"view", "buy", "cart"};
  for (int r = 0; r < rows; ++r) {
    // One draw per statement: the order of draws is fixed, so the log is too.
    const unsigned user = rng() % 400;
    const unsigned item_a = rng() % 300;
    const unsigned item_b = rng() % 300;
    const unsigned item = std::min(item_a, item_b);  // skewed popularity
    const unsigned day = 1 + rng() % 28;
    const unsigned hour = rng() % 24;
    const unsigned minute = rng() % 60;
    const unsigned rating = 1 + rng() % 5;
    const char* event = events[rng() % 3];
    char ts[64];
    std::snprintf(ts, sizeof(ts), "2019-02-%02uT%02u:%02u:00Z", day, hour, minute);
    csv += std::string(ts) + ",user" + std::to_string(user) + ",\"Caf\xE9 " + std::to_string(item) + ", \"\"" +
           std::to_string(item % 7) + "\"\"\"," + std::to_string(rating) + "," + event + "\r\n";
  }
  return csv;
}

PrepConfig RichConfig(const std::string& input, const std::string& output) {
  PrepOptions o;
  o.input = {input};
  o.output = output;
  o.user_col = "user";
  o.item_col = "item";
  o.time_col = "ts";
  o.rating_col = "rating";
  o.event_col = "event";
  o.min_rating = 2;
  o.event_types = "view,buy";
  o.min_item_count = 3;
  o.session_gap = "3d";
  o.max_length = 20;
  o.holdout = "last:2";
  o.parts = 3;
  Result<PrepConfig> c = ResolvePrepOptions(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.value();
}

TEST(PrepPipeline, TinyMemoryGivesByteIdenticalFilesToInMemoryRun) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), RandomCsvLog(5, 30000));
  PrepConfig big = RichConfig(dir.File("log.csv"), dir.File("big"));
  PrepConfig tiny = RichConfig(dir.File("log.csv"), dir.File("tiny"));
  tiny.memory_bytes = 24 << 10;  // below the CLI minimum, to force many buckets and recursion
  Result<PrepSummary> a = RunPrep(big);
  Result<PrepSummary> b = RunPrep(tiny);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->sort.buckets_loaded, 1);
  EXPECT_GT(b->sort.buckets_loaded, 30);
  EXPECT_GT(b->sort.resplits, 0);
  EXPECT_GE(b->sort.max_depth, 1);
  for (const char* f : {"train/part-00000", "train/part-00001", "train/part-00002", "test.tsv"}) {
    const std::string left = ReadFile(dir.File(std::string("big/") + f));
    EXPECT_FALSE(left.empty()) << f;
    EXPECT_EQ(left, ReadFile(dir.File(std::string("tiny/") + f))) << f;
  }
  // Accounting: every event read is rejected, filtered, trained on, dropped as too short,
  // or held out; nothing disappears silently.
  const PrepSummary& s = a.value();
  EXPECT_EQ(s.rows_read, 30000);
  EXPECT_EQ(s.RowsRejected(), 0);
  EXPECT_GT(s.filtered_rating, 0);
  EXPECT_GT(s.filtered_event_type, 0);
  EXPECT_GT(s.filtered_item_count, 0);
  EXPECT_GT(s.session.chunked_sessions, 0);
  EXPECT_EQ(s.events_read, s.EventsFiltered() + s.events_kept);
  EXPECT_EQ(s.events_kept, s.session.tokens + s.session.short_sequence_tokens + s.session.heldout_events);
  EXPECT_EQ(s.session.heldout_records, 2 * s.session.heldout_users);
}

TEST(PrepPipeline, OutputLinesRespectEveryOption) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), RandomCsvLog(9, 8000));
  PrepConfig c = RichConfig(dir.File("log.csv"), dir.File("out"));
  ASSERT_TRUE(RunPrep(c).ok());
  std::set<std::string> train_items;
  for (int p = 0; p < 3; ++p) {
    for (const std::string& line : SplitLines(ReadFile(dir.File("out/train/part-0000" + std::to_string(p))))) {
      std::size_t n = 1 + static_cast<std::size_t>(std::count(line.begin(), line.end(), ' '));
      EXPECT_GE(n, 2u) << line;
      EXPECT_LE(n, 20u) << line;
      EXPECT_EQ(line.find('\t'), std::string::npos);
    }
  }
  std::map<std::string, int> records_per_user;
  for (const std::string& line : SplitLines(ReadFile(dir.File("out/test.tsv")))) {
    const std::size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    ASSERT_NE(t2, std::string::npos) << line;
    EXPECT_EQ(line.find('\t', t2 + 1), std::string::npos);
    EXPECT_EQ(line.substr(t1 + 1, t2 - t1 - 1).find(' '), std::string::npos);  // one next item
    EXPECT_GT(line.size(), t2 + 1);                                             // a history
    ++records_per_user[line.substr(0, t1)];
  }
  for (const auto& [user, n] : records_per_user) EXPECT_EQ(n, 2) << user;
}

TEST(PrepPipeline, StrictStopsAtFirstBadRowWithFileAndLine) {
  TempDir dir;
  WriteFile(dir.File("log.tsv"), "1\t10\t100\n1\t11\t200\n2\t12\n2\t13\t300\n");
  PrepConfig c = BaseConfig(dir.File("log.tsv"), dir.File("out"));
  c.strict = true;
  Result<PrepSummary> s = RunPrep(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kDataError);
  EXPECT_NE(s.status().message().find("log.tsv:3"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("wrong_column_count"), std::string::npos);
  // Nothing under a final name, no temporary left, not even the empty directories it made.
  EXPECT_FALSE(fs::exists(dir.File("out")));
  // Without --strict the row is counted and the run succeeds.
  c.strict = false;
  Result<PrepSummary> lenient = RunPrep(c);
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->rows_rejected[static_cast<std::size_t>(RowReject::kWrongColumnCount)], 1);
}

TEST(PrepPipeline, EmptyResultIsAnError) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), "1,10,100\n2,11,200\n");  // one event per user
  Result<PrepSummary> s = RunPrep(BaseConfig(dir.File("log.csv"), dir.File("out")));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kDataError);
  EXPECT_NE(s.status().message().find("--min-length"), std::string::npos) << s.status().message();
  EXPECT_FALSE(fs::exists(dir.File("out/summary.json")));
}

// Issue 26 item 16: a failed prep leaves no empty output directories it created (it left
// an empty train/ behind); directories that were there before stay.
TEST(PrepPipeline, AFailedRunRemovesTheEmptyDirectoriesItCreated) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), "1,10,100\n2,11,200\n");  // one event per user: nothing to train
  Result<PrepSummary> s = RunPrep(BaseConfig(dir.File("log.csv"), dir.File("out")));
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(dir.File("out/train")));
  EXPECT_FALSE(fs::exists(dir.File("out")));
  fs::create_directories(dir.File("mine"));
  WriteFile(dir.File("mine/notes.txt"), "the user's\n");
  s = RunPrep(BaseConfig(dir.File("log.csv"), dir.File("mine")));
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(dir.File("mine/train")));
  EXPECT_EQ(ListDir(dir.File("mine")), (std::vector<std::string>{"notes.txt"}));
}

// Issue 26 item 4: a killed prep leaves train/part-N.tmp.PID (which train read as a part
// file, doubling the data), test.tsv.tmp.PID and its .prep-tmp-PID directory; the next
// run removes them, and only them.
TEST(PrepPipeline, TheNextRunRemovesWhatAKilledRunLeft) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), "u1,a,1\nu1,b,2\nu1,c,3\nu2,x,1\nu2,y,2\n");
  PrepConfig c = BaseConfig(dir.File("log.csv"), dir.File("out"));
  c.session.holdout = ParseHoldoutSpec("last").value();
  ASSERT_TRUE(RunPrep(c).ok());
  const std::string part = ReadFile(dir.File("out/train/part-00000"));
  WriteFile(dir.File("out/train/part-00000.tmp.4242"), part);
  WriteFile(dir.File("out/test.tsv.tmp.4242"), "half");
  WriteFile(dir.File("out/summary.json.tmp.4242"), "{");
  fs::create_directories(dir.File("out/.prep-tmp-4242/rank-1"));
  WriteFile(dir.File("out/.prep-tmp-4242/bucket-0"), "spill");
  WriteFile(dir.File("out/train/notes.tmp.txt"), "the user's");
  ASSERT_TRUE(RunPrep(c).ok());
  EXPECT_EQ(ListDir(dir.File("out/train")), (std::vector<std::string>{"notes.tmp.txt", "part-00000"}));
  EXPECT_EQ(ListDir(dir.File("out")), (std::vector<std::string>{"summary.json", "test.tsv", "train"}));
  EXPECT_EQ(ReadFile(dir.File("out/train/part-00000")), part);
}

// Issue 26 item 6: prep wrote items longer than train reads without a word; it counts them.
TEST(PrepPipeline, ItemsLongerThanTrainReadsAreCounted) {
  TempDir dir;
  const std::string long_item(5000, 'L');
  WriteFile(dir.File("log.csv"), "u1,a,1\nu1," + long_item + ",2\nu1,b,3\nu2,x,1\nu2,y,2\n");
  Result<PrepSummary> s = RunPrep(BaseConfig(dir.File("log.csv"), dir.File("out")));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->long_items, 1);
  EXPECT_EQ(JsonInt(ReadFile(dir.File("out/summary.json")), "long_items"), 1);
}

TEST(PrepPipeline, ColumnNameMismatchListsHeader) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), "userId,movieId,rating,timestamp\n1,2,3,4\n");
  PrepConfig c = BaseConfig(dir.File("log.csv"), dir.File("out"));
  c.columns.item = ParseColumnSpec("itemId", "--item-col").value();
  Result<PrepSummary> s = RunPrep(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.status().message().find("'movieId'"), std::string::npos) << s.status().message();
}

TEST(PrepPipeline, MissingInputIsNotFound) {
  TempDir dir;
  Result<PrepSummary> s = RunPrep(BaseConfig(dir.File("nope.csv"), dir.File("out")));
  EXPECT_EQ(s.status().code(), Status::Code::kNotFound);
}

TEST(PrepPipeline, SeveralFilesWithDifferentFormatsAndStaleParts) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), "user,item,time\nu1,a,1\nu1,b,2\n");
  WriteFile(dir.File("b.dat"), "u1::c::3\nu2::x::1\nu2::y::2\n");
  PrepConfig c = BaseConfig(dir.File("a.csv"), dir.File("out"));
  c.input.push_back(dir.File("b.dat"));
  c.parts = 4;
  ASSERT_TRUE(RunPrep(c).ok());
  EXPECT_EQ(ListDir(dir.File("out/train")).size(), 4u);
  c.parts = 1;
  Result<PrepSummary> s = RunPrep(c);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ListDir(dir.File("out/train")), (std::vector<std::string>{"part-00000"}));
  std::vector<std::string> lines = SplitLines(ReadFile(dir.File("out/train/part-00000")));
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"a b c", "x y"}));
  EXPECT_EQ(s->header_rows, 1);
}

TEST(PrepPipeline, SetModeAndHoldoutAfter) {
  TempDir dir;
  WriteFile(dir.File("log.csv"),
            "u1,b,2018-01-01\nu1,a,2018-01-02\nu1,b,2018-01-03\nu1,c,2018-02-01\n"
            "u2,z,2018-03-01\nu2,y,2018-03-02\n");
  PrepConfig c = BaseConfig(dir.File("log.csv"), dir.File("out"));
  c.session.mode = SequenceMode::kSet;
  c.session.holdout = ParseHoldoutSpec("after:2018-01-15").value();
  Result<PrepSummary> s = RunPrep(c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(ReadFile(dir.File("out/train/part-00000")), "a b\n");
  std::vector<std::string> test = SplitLines(ReadFile(dir.File("out/test.tsv")));
  std::sort(test.begin(), test.end());
  EXPECT_EQ(test, (std::vector<std::string>{"u1\tc\tb a b", "u2\ty\tz"}));
  EXPECT_EQ(s->session.heldout_without_history, 1);
  EXPECT_EQ(s->session.set_duplicates_removed, 1);
}

// --event-weights: every buy token of the sequences is ITEM*3 and every view ITEM*0.5 (cart,
// not listed, weighs 1); without the weights the sequences are the same tokens, test.tsv is
// the same file (it names items, without weights), and so are the item-count filter's drops.
TEST(PrepPipeline, EventWeightsTagTokensAndChangeNothingElse) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), RandomCsvLog(9, 20000));
  PrepConfig plain = RichConfig(dir.File("log.csv"), dir.File("plain"));
  PrepConfig weighted = RichConfig(dir.File("log.csv"), dir.File("weighted"));
  Result<EventWeights> weights = ParseEventWeights("buy=3, view = 0.5");
  ASSERT_TRUE(weights.ok()) << weights.status().ToString();
  weighted.event_weights = *weights;
  weighted.memory_bytes = 24 << 10;  // the weights travel through the on-disk buckets too
  Result<PrepSummary> a = RunPrep(plain);
  Result<PrepSummary> b = RunPrep(weighted);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_GT(b->sort.buckets_loaded, 10);
  EXPECT_EQ(a->filtered_item_count, b->filtered_item_count);
  EXPECT_EQ(a->events_kept, b->events_kept);
  int threes = 0, halves = 0;
  for (const char* f : {"train/part-00000", "train/part-00001", "train/part-00002"}) {
    const std::string text = ReadFile(dir.File(std::string("weighted/") + f));
    std::string stripped, token;
    for (char c : text + " ") {
      if (c != ' ' && c != '\n') {
        token.push_back(c);
        continue;
      }
      if (!token.empty()) {
        threes += token.size() > 2 && token.compare(token.size() - 2, 2, "*3") == 0;
        halves += token.size() > 4 && token.compare(token.size() - 4, 4, "*0.5") == 0;
        stripped += std::string(TokenItem(token));
        token.clear();
      }
      stripped.push_back(c);
    }
    stripped.pop_back();
    EXPECT_EQ(stripped, ReadFile(dir.File(std::string("plain/") + f))) << f;
  }
  EXPECT_GT(threes, 100);
  EXPECT_GT(halves, 100);
  EXPECT_EQ(ReadFile(dir.File("weighted/test.tsv")), ReadFile(dir.File("plain/test.tsv")));
  EXPECT_EQ(ReadFile(dir.File("weighted/test.tsv")).find('*'), std::string::npos);
  // summary.json says where the weights came from.
  EXPECT_NE(ReadFile(dir.File("weighted/summary.json")).find(R"("event_weights":{"buy":3,"view":0.5})"),
            std::string::npos);
  EXPECT_NE(ReadFile(dir.File("plain/summary.json")).find(R"("weight_col":"","event_weights":{})"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
