// End-to-end tests of the built `item2vec prep` binary (path from CMake: ITEM2VEC_BINARY).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "tests/prep/prep_test_util.h"

namespace item2vec {
namespace {

using prep_testing::JsonInt;
using prep_testing::ReadFile;
using prep_testing::RunShell;
using prep_testing::SplitLines;
using prep_testing::TempDir;
using prep_testing::WriteFile;

const std::string kBinary = ITEM2VEC_BINARY;
const std::string kSourceDir = ITEM2VEC_SOURCE_DIR;

// Runs `item2vec prep ARGS`, stderr to dir/stderr.txt; returns the exit code.
int Prep(const TempDir& dir, const std::string& args) {
  return RunShell(kBinary + " prep " + args + " > " + dir.File("stdout.txt") + " 2> " + dir.File("stderr.txt"));
}

struct Rating {
  std::string user, item;
  double rating;
  long long time;
};

// Reads a simple delimited ratings file (no quotes) with the given separator.
std::vector<Rating> ReadRatings(const std::string& path, char sep, bool header, int user, int item, int rating,
                                int time) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::vector<Rating> out;
  if (header) std::getline(in, line);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, sep)) f.push_back(field);
    out.push_back({f[static_cast<std::size_t>(user)], f[static_cast<std::size_t>(item)],
                   std::stod(f[static_cast<std::size_t>(rating)]), std::stoll(f[static_cast<std::size_t>(time)])});
  }
  return out;
}

// Per user, the number of ratings >= min_rating.
std::map<std::string, int> LikedPerUser(const std::vector<Rating>& ratings, double min_rating) {
  std::map<std::string, int> liked;
  for (const Rating& r : ratings)
    if (r.rating >= min_rating) ++liked[r.user];
  return liked;
}

TEST(PrepCli, MovieLensLatestSmallLikedMoviesHoldoutLast) {
  const std::string ratings_path = kSourceDir + "/data/ml-latest-small/ratings.csv";
  const std::vector<Rating> ratings = ReadRatings(ratings_path, ',', true, 0, 1, 2, 3);
  ASSERT_EQ(ratings.size(), 100836u);
  const std::map<std::string, int> liked = LikedPerUser(ratings, 3.5);
  long long liked_events = 0, eligible = 0, train_only = 0;
  for (const auto& [user, n] : liked) {
    liked_events += n;
    if (n >= 3) ++eligible;        // min-length 2 + 1 held out
    else if (n == 2) ++train_only;
  }

  TempDir dir;
  const int rc = Prep(dir, "--input " + ratings_path + " --output " + dir.File("out") +
                               " --user-col userId --item-col movieId --time-col timestamp --rating-col rating"
                               " --min-rating 3.5 --holdout last --parts 2");
  ASSERT_EQ(rc, 0) << ReadFile(dir.File("stderr.txt"));
  const std::string json = ReadFile(dir.File("out/summary.json"));
  EXPECT_EQ(JsonInt(json, "rows_read"), 100836);
  EXPECT_EQ(JsonInt(json, "events_read"), 100836);
  EXPECT_EQ(JsonInt(json, "total"), 0);  // rows_rejected.total comes first
  EXPECT_EQ(JsonInt(json, "rating_below_min"), 100836 - liked_events);
  EXPECT_EQ(JsonInt(json, "users"), static_cast<long long>(liked.size()));
  EXPECT_EQ(JsonInt(json, "heldout_records"), eligible);
  EXPECT_EQ(JsonInt(json, "sequences"), eligible + train_only);
  EXPECT_EQ(JsonInt(json, "tokens"), liked_events - eligible -
                                         static_cast<long long>(liked.size() - eligible - train_only));

  // The test file: one record per eligible user, its history the other liked movies.
  const std::vector<std::string> test = SplitLines(ReadFile(dir.File("out/test.tsv")));
  EXPECT_EQ(static_cast<long long>(test.size()), eligible);
  for (const std::string& line : test) {
    const std::size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    ASSERT_NE(t2, std::string::npos);
    const std::string user = line.substr(0, t1);
    const long long history = 1 + std::count(line.begin() + static_cast<long>(t2) + 1, line.end(), ' ');
    EXPECT_EQ(history, liked.at(user) - 1) << user;
  }
  // Both parts together hold every sequence; the stdout/stderr report the counts.
  const auto lines0 = SplitLines(ReadFile(dir.File("out/train/part-00000")));
  const auto lines1 = SplitLines(ReadFile(dir.File("out/train/part-00001")));
  EXPECT_EQ(static_cast<long long>(lines0.size() + lines1.size()), eligible + train_only);
  EXPECT_GT(lines0.size(), 200u);
  EXPECT_GT(lines1.size(), 200u);
  EXPECT_NE(ReadFile(dir.File("stderr.txt")).find("held-out records"), std::string::npos);
}

TEST(PrepCli, ProgressLinesReportRowsPerSecond) {
  const std::string ratings_path = kSourceDir + "/data/ml-latest-small/ratings.csv";
  TempDir dir;
  ASSERT_EQ(Prep(dir, "-i " + ratings_path + " -o " + dir.File("out") + " --time-col 4 --progress-seconds 0.000001"),
            0);
  const std::string log = ReadFile(dir.File("stderr.txt"));
  EXPECT_NE(log.find("rows/s)"), std::string::npos) << log;
}

TEST(PrepCli, MovieLens100kTabSeparatedWithoutHeader) {
  const std::string path = kSourceDir + "/../shared/data/ml-100k/u.data";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    GTEST_SKIP() << "ml-100k is not present at " << path
                 << " (it may not be redistributed, so it is not bundled; see /work/shared/data/INDEX.md)";
  const std::vector<Rating> ratings = ReadRatings(path, '\t', false, 0, 1, 2, 3);
  ASSERT_EQ(ratings.size(), 100000u);
  const std::map<std::string, int> liked = LikedPerUser(ratings, 4);
  long long eligible = 0;
  for (const auto& [user, n] : liked) eligible += n >= 3;

  TempDir dir;
  const int rc = Prep(dir, "-i " + path + " -o " + dir.File("out") +
                               " --time-col 4 --rating-col 3 --min-rating 4 --holdout last --memory 64K");
  ASSERT_EQ(rc, 0) << ReadFile(dir.File("stderr.txt"));
  const std::string json = ReadFile(dir.File("out/summary.json"));
  EXPECT_EQ(JsonInt(json, "header_rows"), 0);
  EXPECT_EQ(JsonInt(json, "rows_read"), 100000);
  EXPECT_EQ(JsonInt(json, "users"), static_cast<long long>(liked.size()));
  EXPECT_EQ(JsonInt(json, "heldout_records"), eligible);
  EXPECT_GT(JsonInt(json, "buckets_loaded"), 1);  // 64K forces the on-disk sort
}

// A first line of 2 MiB is a record_too_long row like any other (it used to be cut at
// 1 MiB without a word, its field count taken from the cut), and messages quote only the
// start of the field.
TEST(PrepCli, TwoMiBFirstLineIsRejectedLikeAnyOtherLine) {
  TempDir dir;
  for (const std::string long_field : {"item", "time"}) {
    std::string log = long_field == "item" ? "u1," + std::string(2 << 20, 'x') + ",100\n"
                                           : "u1,i1," + std::string(2 << 20, '9') + "\n";
    for (int i = 0; i < 50; ++i)
      log += "u" + std::to_string(i % 5) + ",i" + std::to_string(i % 7) + "," + std::to_string(200 + i) + "\n";
    WriteFile(dir.File("long.csv"), log);
    const std::string args = "-i " + dir.File("long.csv") + " --user-col 1 --item-col 2 --time-col 3 -o ";
    EXPECT_EQ(Prep(dir, args + dir.File("strict") + " --strict"), 3) << long_field;
    const std::string strict = ReadFile(dir.File("stderr.txt"));
    EXPECT_NE(strict.find("long.csv:1: bad row (record_too_long): the line is longer than 1 MiB"), std::string::npos)
        << strict.substr(0, 2000);
    EXPECT_LT(strict.size(), 4000u) << "a message quoted the long field";
    EXPECT_FALSE(std::filesystem::exists(dir.File("strict/summary.json")));
    EXPECT_EQ(Prep(dir, args + dir.File("lenient")), 0) << long_field;
    EXPECT_LT(ReadFile(dir.File("stderr.txt")).size(), 6000u);
    const std::string summary = ReadFile(dir.File("lenient/summary.json"));
    EXPECT_EQ(JsonInt(summary, "record_too_long"), 1) << summary;
    EXPECT_EQ(JsonInt(summary, "header_rows"), 0) << summary;
    EXPECT_EQ(JsonInt(summary, "tokens"), 50) << summary;
  }
}

TEST(PrepCli, ErrorsGiveClearMessagesAndExitCodes) {
  TempDir dir;
  // Missing input file: exit 3, the path in the message.
  EXPECT_EQ(Prep(dir, "-i " + dir.File("missing.csv") + " -o " + dir.File("out")), 3);
  EXPECT_NE(ReadFile(dir.File("stderr.txt")).find("missing.csv"), std::string::npos);
  // Unknown column name: exit 2, the header's columns listed.
  WriteFile(dir.File("log.csv"), "userId,movieId,rating,timestamp\r\n1,10,4,100\r\n1,11,5,200\r\n1,12,x,300\r\n");
  EXPECT_EQ(Prep(dir, "-i " + dir.File("log.csv") + " -o " + dir.File("out") + " --user-col user"), 2);
  const std::string unknown = ReadFile(dir.File("stderr.txt"));
  EXPECT_NE(unknown.find("1:'userId', 2:'movieId', 3:'rating', 4:'timestamp'"), std::string::npos) << unknown;
  // --strict: the bad rating on line 4 is fatal, exit 3 with file:line.
  EXPECT_EQ(Prep(dir, "-i " + dir.File("log.csv") + " -o " + dir.File("out") +
                          " --time-col timestamp --rating-col rating --strict"),
            3);
  const std::string strict = ReadFile(dir.File("stderr.txt"));
  EXPECT_NE(strict.find("log.csv:4"), std::string::npos) << strict;
  EXPECT_NE(strict.find("bad_rating"), std::string::npos) << strict;
  // Without --strict: a warning with file:line, and the run succeeds.
  EXPECT_EQ(Prep(dir, "-i " + dir.File("log.csv") + " -o " + dir.File("out") +
                          " --time-col timestamp --rating-col rating"),
            0);
  EXPECT_NE(ReadFile(dir.File("stderr.txt")).find("log.csv:4: skipping bad row (bad_rating)"), std::string::npos);
  EXPECT_EQ(JsonInt(ReadFile(dir.File("out/summary.json")), "bad_rating"), 1);
  // Empty result: exit 3.
  EXPECT_EQ(Prep(dir, "-i " + dir.File("log.csv") + " -o " + dir.File("out2") +
                          " --time-col timestamp --rating-col rating --min-rating 9"),
            3);
  EXPECT_NE(ReadFile(dir.File("stderr.txt")).find("no training sequence"), std::string::npos);
  // Bad option: exit 2.
  EXPECT_EQ(Prep(dir, "-i x -o y --session-gap 5 parsecs"), 2);
}

TEST(PrepCli, HelpListsEveryOptionWithDefaults) {
  TempDir dir;
  ASSERT_EQ(Prep(dir, "--help"), 0);
  const std::string help = ReadFile(dir.File("stdout.txt"));
  for (const char* option : {"--input", "--output", "--config", "--parts", "--delimiter", "--quote", "--header",
                             "--user-col", "--item-col", "--time-col", "--rating-col", "--event-col", "--time-format",
                             "--min-rating", "--event-types", "--event-weights", "--weight-col", "--min-item-count", "--min-length", "--session-gap",
                             "--max-length", "--mode", "--holdout", "--memory", "--strict", "--progress-seconds"})
    EXPECT_NE(help.find(option), std::string::npos) << option;
  EXPECT_NE(help.find("(=512M)"), std::string::npos);
  EXPECT_NE(help.find("(=sequence)"), std::string::npos);
}

TEST(PrepCli, HelpSaysHowRanksShareTheWork) {
  TempDir dir;
  ASSERT_EQ(Prep(dir, "--help"), 0);
  const std::string help = ReadFile(dir.File("stdout.txt"));
  EXPECT_NE(help.find("mpirun -np N item2vec prep"), std::string::npos) << help;
  EXPECT_NE(help.find("--memory is per rank"), std::string::npos) << help;
}

// The work under mpirun itself is tested by prep_mpi_test.sh (prep.Mpi.*).

// --weight-col: each event's weight rides on its token (ITEM*W, ITEM alone for 1); a weight
// that is not a number in (0, 1e6] is a bad row (bad_weight), fatal with --strict, which
// names the file, the line and the field; --weight-col with --event-weights is refused.
TEST(PrepCli, WeightColumnWeighsEachEvent) {
  TempDir dir;
  WriteFile(dir.File("log.csv"), "user,item,ts,w\nu1,a,1,1\nu1,b,2,2.5\nu1,c,3,3\nu2,a,1,0.5\nu2,d,2,1\n");
  const std::string base = "-i " + dir.File("log.csv") + " --user-col user --item-col item --time-col ts --weight-col w -o ";
  ASSERT_EQ(Prep(dir, base + dir.File("out")), 0) << ReadFile(dir.File("stderr.txt"));
  EXPECT_EQ(ReadFile(dir.File("out/train/part-00000")), "a b*2.5 c*3\na*0.5 d\n");
  WriteFile(dir.File("bad.csv"), "user,item,ts,w\nu1,a,1,1\nu1,b,2,heavy\nu1,c,3,0\nu1,d,4,2\n");
  const std::string bad = "-i " + dir.File("bad.csv") + " --user-col user --item-col item --time-col ts --weight-col w -o ";
  ASSERT_EQ(Prep(dir, bad + dir.File("lenient")), 0) << ReadFile(dir.File("stderr.txt"));
  EXPECT_EQ(ReadFile(dir.File("lenient/train/part-00000")), "a d*2\n");
  EXPECT_NE(ReadFile(dir.File("lenient/summary.json")).find("\"bad_weight\":2"), std::string::npos)
      << ReadFile(dir.File("lenient/summary.json"));
  EXPECT_EQ(Prep(dir, bad + dir.File("strict") + " --strict"), 3);
  const std::string err = ReadFile(dir.File("stderr.txt"));
  EXPECT_NE(err.find("bad.csv:3: bad row (bad_weight): weight 'heavy' is not a number in (0, 1e6]"), std::string::npos)
      << err;
  EXPECT_EQ(Prep(dir, base + dir.File("both") + " --event-col 2 --event-weights a=2"), 2);
  EXPECT_NE(ReadFile(dir.File("stderr.txt")).find("--weight-col"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
