// Tests of worker/id_cache.h, the file itself: records come back in order across buffer
// boundaries on every rewind, a budget that is too small fails cleanly with the reason, and
// a directory that cannot take the file is named with the option that moves it. (How the
// batch builder replays it: tests/worker/batch_builder_test.cc, IdCache*.)
#include "worker/id_cache.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::TempDir;

TEST(IdCacheTest, RoundTripAndBudget) {
  TempDir dir;
  Result<std::unique_ptr<IdCache>> made = IdCache::Create(dir.path(), "test", 64 << 20);
  ASSERT_TRUE(made.ok()) << made.status().message();
  IdCache& cache = **made;
  Rng rng(11);
  std::vector<std::vector<ItemId>> records;
  for (int r = 0; r < 20000; ++r) {  // about 2.5 MiB: several buffer refills
    std::vector<ItemId> ids(rng.Below(60));
    for (ItemId& id : ids) id = rng.Below(1u << 30);
    ReaderStats d;
    d.lines = r % 3 != 0;
    d.split_lines = r % 7 == 0;
    d.long_items = r % 11 == 0;
    cache.Append(ids.data(), static_cast<std::uint32_t>(ids.size()), static_cast<std::uint32_t>(ids.size() + r % 4), d,
                 ReaderPosition{static_cast<std::size_t>(r % 5), 1000LL * r, r % 2 == 0});
    records.push_back(std::move(ids));
  }
  ASSERT_TRUE(cache.FinishWrite()) << cache.failure();
  for (int pass = 0; pass < 2; ++pass) {
    cache.Rewind();
    CachedSentence s;
    for (int r = 0; r < 20000; ++r) {
      ASSERT_TRUE(cache.Next(&s)) << "record " << r;
      ASSERT_EQ(std::vector<ItemId>(s.ids, s.ids + s.num_ids), records[static_cast<std::size_t>(r)]);
      ASSERT_EQ(s.raw_tokens, s.num_ids + r % 4);
      ASSERT_EQ(s.stats_delta.lines, r % 3 != 0 ? 1 : 0);
      ASSERT_EQ(s.stats_delta.split_lines, r % 7 == 0 ? 1 : 0);
      ASSERT_EQ(s.after.offset, 1000LL * r);
      ASSERT_EQ(s.after.mid_line, r % 2 == 0);
    }
    ASSERT_FALSE(cache.Next(&s));
    ASSERT_FALSE(cache.Failed());
  }

  Result<std::unique_ptr<IdCache>> small = IdCache::Create(dir.path(), "small", 1000);
  ASSERT_TRUE(small.ok());
  std::vector<ItemId> ids(100, 1);
  for (int r = 0; r < 5; ++r) (*small)->Append(ids.data(), 100, 100, ReaderStats{}, ReaderPosition{});
  EXPECT_TRUE((*small)->Failed());
  EXPECT_NE((*small)->failure().find("--id-cache"), std::string::npos) << (*small)->failure();
  EXPECT_FALSE((*small)->FinishWrite());

  Result<std::unique_ptr<IdCache>> bad = IdCache::Create(dir.File("missing"), "bad", 1000);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--id-cache-dir"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
