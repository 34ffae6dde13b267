// Tests of job/node_tables.h and common/node_shared_memory.h: the tables read back from a
// block are the vocabulary and sampling tables a worker would build itself (so training is
// unchanged), and a block mapped by two processes counts half in each one's Pss.
#include "job/node_tables.h"

#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/random.h"

namespace item2vec {
namespace {

Vocabulary TestVocabulary() {
  ItemCounter c;
  Rng rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int k = static_cast<int>(rng.Below(3000) * rng.Below(3000) / 3000);  // skewed counts, ties
    c.Add(std::string("it\xc3\xa9m") + std::to_string(k));
  }
  return Vocabulary::Build(c, 1, 0);
}

TEST(NodeTablesTest, BlockHoldsTheVocabularyAndTheSamplingTablesAWorkerWouldBuild) {
  const Vocabulary v = TestVocabulary();
  ASSERT_GT(v.size(), 1000u);
  Result<NodeSharedMemory> block = NodeSharedMemory::Private(TablesBytes(v.summary()));
  ASSERT_TRUE(block.ok());
  WriteTables(v, 1e-3, 0.75, block->data());
  ASSERT_TRUE(block->Seal().ok());
  auto memory = std::make_shared<NodeSharedMemory>(std::move(block.value()));
  SamplingView sampling;
  Result<Vocabulary> back = TablesOf(memory, &sampling);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Fingerprint(), v.Fingerprint());
  EXPECT_EQ(back->total_count(), v.total_count());
  EXPECT_EQ(back->summary().item_bytes, v.summary().item_bytes);
  EXPECT_TRUE(back->counts() == v.counts());
  for (ItemId id = 0; id < v.size(); ++id) {
    ASSERT_EQ(back->item(id), v.item(id));
    ASSERT_EQ(back->Find(v.item(id)), id);
  }
  EXPECT_EQ(back->Find("not an item"), Vocabulary::kNotFound);
  // Bit for bit what a BatchBuilder computes for itself.
  const std::vector<Count> counts(v.counts().begin(), v.counts().end());
  const std::vector<float> keep = KeepProbabilities(counts, 1e-3);
  for (ItemId id = 0; id < v.size(); ++id) ASSERT_EQ(sampling.keep[id], keep[id]) << id;
  const NegativeSampler own(counts, 0.75);
  const NegativeSampler view = NegativeSampler::View(sampling.threshold, sampling.alias, v.size());
  Rng a(11), b(11);
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(view.Draw(a), own.Draw(b));
  // A block of another size is refused.
  auto small = std::make_shared<NodeSharedMemory>(std::move(NodeSharedMemory::Private(64).value()));
  EXPECT_FALSE(TablesOf(small, &sampling).ok());
}

TEST(NodeTablesTest, ABlockTwoProcessesMapCountsHalfInEachOnesPss) {
  if (NodeSharedDirectory().empty()) GTEST_SKIP() << "no writable /dev/shm";
  const std::string path = NodeSharedDirectory() + "/item2vec-tables-test-" + std::to_string(getpid());
  constexpr std::size_t kBytes = 8u << 20;
  Result<NodeSharedMemory> block = NodeSharedMemory::Create(path, kBytes);
  ASSERT_TRUE(block.ok()) << block.status().ToString();
  for (std::size_t i = 0; i < kBytes; ++i) block->data()[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(block->Seal().ok());
  EXPECT_NEAR(static_cast<double>(block->ProportionalBytes()), kBytes, 4096);
  int to_parent[2], to_child[2];
  ASSERT_EQ(pipe(to_parent), 0);
  ASSERT_EQ(pipe(to_child), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A rank beside the leader: maps the file by name, checks a byte, says so, waits.
    Result<NodeSharedMemory> mine = NodeSharedMemory::Open(path, kBytes);
    char ok = mine.ok() && mine->data()[12345] == static_cast<char>(12345 * 7) ? 1 : 0;
    if (write(to_parent[1], &ok, 1) != 1 || read(to_child[0], &ok, 1) != 1) _exit(2);
    _exit(0);
  }
  char ok = 0;
  ASSERT_EQ(read(to_parent[0], &ok, 1), 1);
  ASSERT_EQ(ok, 1) << "the child could not map the block";
  const std::int64_t pss = block->ProportionalBytes();
  block->Unlink();
  EXPECT_NE(access(path.c_str(), F_OK), 0) << "the name is still there after Unlink";
  ASSERT_EQ(write(to_child[1], &ok, 1), 1);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // One copy for the two processes: each carries half of it.
  EXPECT_NEAR(static_cast<double>(pss), kBytes / 2.0, 8192.0);
  EXPECT_EQ(block->data()[kBytes - 1], static_cast<char>((kBytes - 1) * 7));  // still mapped after the unlink
}

TEST(NodeTablesTest, NoNodeSharedDirectoryWithoutRoomForTheTables) {
  // Where /dev/shm cannot hold the tables the node's workers build private ones.
  EXPECT_EQ(NodeSharedDirectory(std::size_t{1} << 60), "");
}

TEST(NodeTablesTest, AnUnsealedBlockIsUnlinkedWhenItGoes) {
  if (NodeSharedDirectory().empty()) GTEST_SKIP() << "no writable /dev/shm";
  const std::string path = NodeSharedDirectory() + "/item2vec-tables-gone-" + std::to_string(getpid());
  {
    Result<NodeSharedMemory> block = NodeSharedMemory::Create(path, 100);
    ASSERT_TRUE(block.ok());
    EXPECT_EQ(access(path.c_str(), F_OK), 0);
    EXPECT_FALSE(NodeSharedMemory::Create(path, 100).ok()) << "an existing name must not be reused";
  }
  EXPECT_NE(access(path.c_str(), F_OK), 0);
  EXPECT_FALSE(NodeSharedMemory::Open(path, 100).ok());
}

}  // namespace
}  // namespace item2vec
