#include "tools/prep/bucket_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <tuple>

#include "tests/prep/prep_test_util.h"

namespace item2vec {
namespace {

struct Event {
  std::string user, item;
  std::int64_t time_ms;
};

// A skewed random log: many light users, a few heavy ones, frequent time ties, and item
// ids with non-UTF-8 bytes.
std::vector<Event> RandomLog(std::uint32_t seed, int users, int heavy_events) {
  std::mt19937 rng(seed);
  std::vector<Event> log;
  for (int u = 0; u < users; ++u) {
    const int n = u % 97 == 0 ? heavy_events : 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i)
      log.push_back({"user" + std::to_string(u), "it\xE9m" + std::to_string(rng() % 500), static_cast<std::int64_t>(rng() % 60)});
  }
  std::shuffle(log.begin(), log.end(), rng);
  return log;
}

// The in-memory reference: users in (UserHash, user) order, events stably sorted by time.
std::string ReferenceOrder(const std::vector<Event>& log) {
  std::map<std::pair<std::uint64_t, std::string>, std::vector<std::tuple<std::int64_t, std::size_t, std::string>>> by_user;
  for (std::size_t i = 0; i < log.size(); ++i)
    by_user[{UserHash(log[i].user), log[i].user}].emplace_back(log[i].time_ms, i, log[i].item);
  std::string out;
  for (auto& [key, events] : by_user) {
    std::sort(events.begin(), events.end());
    out += key.second + ":";
    for (const auto& [t, order, item] : events) out += " " + item + "@" + std::to_string(t);
    out += "\n";
  }
  return out;
}

struct SortRun {
  std::string output;
  BucketSortStats stats;
  Status status;
};

SortRun RunSorter(const std::vector<Event>& log, std::int64_t memory, std::int64_t expected_bytes, int fanout,
                  const std::string& temp_dir) {
  BucketSortOptions o;
  o.temp_dir = temp_dir;
  o.memory_bytes = memory;
  o.expected_input_bytes = expected_bytes;
  o.max_fanout = fanout;
  SortRun run;
  BucketSorter sorter(o);
  for (const Event& e : log) {
    run.status = sorter.Add(e.user, e.item, e.time_ms);
    if (!run.status.ok()) return run;
  }
  run.status = sorter.Finish([&](std::string_view user, std::uint64_t hash, const std::vector<TimedItem>& events) {
    EXPECT_EQ(hash, UserHash(user));
    run.output += std::string(user) + ":";
    for (const TimedItem& e : events) run.output += " " + std::string(e.item) + "@" + std::to_string(e.time_ms);
    run.output += "\n";
    return Status::Ok();
  });
  run.stats = sorter.stats();
  return run;
}

// The user hash orders prep's output and picks each user's part: its values are fixed
// (golden values from before it moved onto common/hash.h).
TEST(BucketSort, UserHashValuesAreFixed) {
  EXPECT_EQ(UserHash(""), 0xefd01f60ba992926ull);
  EXPECT_EQ(UserHash("a"), 0x82a2a958a9bece5bull);
  EXPECT_EQ(UserHash("user-123456"), 0xa866e6471adf2d96ull);
}

TEST(BucketSort, TinyBudgetGivesByteIdenticalOutputToInMemorySort) {
  const std::vector<Event> log = RandomLog(42, 700, 300);
  const std::string expected = ReferenceOrder(log);
  prep_testing::TempDir dir;

  SortRun in_memory = RunSorter(log, 1ll << 30, 0, 256, dir.path());
  ASSERT_TRUE(in_memory.status.ok()) << in_memory.status.ToString();
  EXPECT_EQ(in_memory.stats.buckets_loaded, 1);
  EXPECT_EQ(in_memory.stats.resplits, 0);
  EXPECT_EQ(in_memory.output, expected);

  // 64 KiB for ~14k events (~1.3 MB to sort), at most 4 buckets per level, and no size
  // hint: the first bucket is far too large and must be split recursively.
  SortRun tiny = RunSorter(log, 64 << 10, 0, 4, dir.path());
  ASSERT_TRUE(tiny.status.ok()) << tiny.status.ToString();
  EXPECT_EQ(tiny.output, expected);
  EXPECT_GT(tiny.stats.resplits, 5);
  EXPECT_GE(tiny.stats.max_depth, 2);
  EXPECT_GT(tiny.stats.buckets_loaded, 20);
  EXPECT_LE(tiny.stats.largest_load_bytes, 64 << 10);

  // With a size hint the first level already fans out.
  SortRun hinted = RunSorter(log, 64 << 10, 400 << 10, 256, dir.path());
  ASSERT_TRUE(hinted.status.ok());
  EXPECT_EQ(hinted.output, expected);
  EXPECT_LE(hinted.stats.largest_load_bytes, 64 << 10);

  // Every bucket file is gone.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// As prep does under mpirun: three sorters (ranks) take interleaved slices of the log
// with explicit global orders and the same fanout; bucket b of all three sorted together,
// buckets in order, gives exactly the single sort's output, even with a budget that forces
// splits of the merged buckets.
TEST(BucketSort, BucketFilesOfSeveralSortersSortAsOne) {
  const std::vector<Event> log = RandomLog(7, 400, 200);
  const std::string expected = ReferenceOrder(log);
  prep_testing::TempDir dir;
  for (std::int64_t memory : {std::int64_t{1} << 30, std::int64_t{48} << 10}) {
    constexpr int kRanks = 3;
    std::vector<std::unique_ptr<BucketSorter>> sorters;
    for (int r = 0; r < kRanks; ++r) {
      std::filesystem::create_directories(dir.File("rank" + std::to_string(r)));
      BucketSortOptions o;
      o.temp_dir = dir.File("rank" + std::to_string(r));
      o.memory_bytes = memory;
      o.fanout = 6;
      sorters.push_back(std::make_unique<BucketSorter>(o));
    }
    // Contiguous slices, as byte ranges give: rank r gets the r-th third of the log.
    for (std::size_t i = 0; i < log.size(); ++i) {
      const std::size_t r = i * kRanks / log.size();
      ASSERT_TRUE(sorters[r]->Add(log[i].user, log[i].item, log[i].time_ms, i).ok());
    }
    std::vector<std::vector<BucketFile>> closed(kRanks);
    for (int r = 0; r < kRanks; ++r) {
      ASSERT_TRUE(sorters[static_cast<std::size_t>(r)]->Close(&closed[static_cast<std::size_t>(r)]).ok());
      ASSERT_EQ(closed[static_cast<std::size_t>(r)].size(), 6u);
    }
    std::string output;
    for (std::size_t b = 0; b < 6; ++b) {
      std::vector<BucketFile> pieces;
      for (int r = 0; r < kRanks; ++r) pieces.push_back(closed[static_cast<std::size_t>(r)][b]);
      // The owner of bucket b (b % 3) sorts it.
      ASSERT_TRUE(sorters[b % kRanks]
                      ->SortFiles(pieces,
                                  [&](std::string_view user, std::uint64_t, const std::vector<TimedItem>& events) {
                                    output += std::string(user) + ":";
                                    for (const TimedItem& e : events)
                                      output += " " + std::string(e.item) + "@" + std::to_string(e.time_ms);
                                    output += "\n";
                                    return Status::Ok();
                                  })
                      .ok());
    }
    EXPECT_EQ(output, expected) << "memory " << memory;
    if (memory < (1 << 20)) {
      std::int64_t resplits = 0;
      for (const auto& s : sorters) resplits += s->stats().resplits;
      EXPECT_GT(resplits, 0);
    }
    sorters.clear();
    for (int r = 0; r < kRanks; ++r)
      EXPECT_TRUE(std::filesystem::is_empty(dir.File("rank" + std::to_string(r)))) << "rank " << r;
  }
}

TEST(BucketSort, SingleUserLargerThanBudgetIsAClearError) {
  std::vector<Event> log;
  for (int i = 0; i < 2000; ++i) log.push_back({"bot-7", "item" + std::to_string(i), i});
  log.push_back({"human", "x", 0});
  prep_testing::TempDir dir;
  SortRun run = RunSorter(log, 16 << 10, 0, 16, dir.path());
  ASSERT_FALSE(run.status.ok());
  EXPECT_EQ(run.status.code(), Status::Code::kDataError);
  EXPECT_NE(run.status.message().find("'bot-7'"), std::string::npos) << run.status.message();
  EXPECT_NE(run.status.message().find("--memory"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // the destructor cleaned up
}

TEST(BucketSort, VisitorErrorStopsAndCleansUp) {
  const std::vector<Event> log = RandomLog(3, 200, 50);
  prep_testing::TempDir dir;
  {
    BucketSortOptions o;
    o.temp_dir = dir.path();
    o.memory_bytes = 32 << 10;
    BucketSorter sorter(o);
    for (const Event& e : log) ASSERT_TRUE(sorter.Add(e.user, e.item, e.time_ms).ok());
    int visited = 0;
    Status st = sorter.Finish([&](std::string_view, std::uint64_t, const std::vector<TimedItem>&) {
      return ++visited == 10 ? Status::IOError("disk full") : Status::Ok();
    });
    EXPECT_EQ(st.code(), Status::Code::kIOError);
    EXPECT_EQ(visited, 10);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(BucketSort, PartsAreContiguousHashRanges) {
  EXPECT_EQ(PartOfHash(0, 4), 0);
  EXPECT_EQ(PartOfHash(~0ull, 4), 3);
  EXPECT_EQ(PartOfHash(1ull << 62, 4), 1);
  EXPECT_EQ(PartOfHash(~0ull, 1), 0);
  // Users spread over parts roughly evenly.
  std::vector<int> counts(8, 0);
  for (int u = 0; u < 8000; ++u) ++counts[static_cast<std::size_t>(PartOfHash(UserHash(std::to_string(u)), 8))];
  for (int c : counts) EXPECT_NEAR(c, 1000, 150);
}

}  // namespace
}  // namespace item2vec
