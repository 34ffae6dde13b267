// Tests of common/checkpoint.h and ps/shard_checkpoint.h: the checksummed container,
// corruption and truncation named by file, the newest-valid search with fallback,
// pruning, the worker state round trip, and shard re-partitioning on load.
#include "common/checkpoint.h"

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/train_options.h"
#include "common/units.h"
#include "ps/partition.h"
#include "ps/shard_checkpoint.h"
#include "ps/shard_snapshot.h"
#include "ps/shard_store.h"
#include "tests/support/temp_dir.h"
#include "worker/checkpointing.h"
#include "worker/worker_checkpoint.h"

namespace item2vec {
namespace {

using test_support::ReadFile;
using test_support::TempDir;
using test_support::WriteFile;

Result<CheckpointFileEntry> WriteBlob(const std::string& dir, const std::string& name, const std::string& payload) {
  CheckpointFileWriter w;
  Status st = w.Open(dir, name, "header-" + name);
  if (!st.ok()) return st;
  w.Write(payload.data(), payload.size());
  return w.Commit();
}

// Writes a complete checkpoint `seq` holding one blob file.
CheckpointManifest MakeCheckpoint(const std::string& root, std::uint64_t seq) {
  const std::string path = CheckpointPath(root, seq);
  std::filesystem::create_directories(path);
  Result<CheckpointFileEntry> f = WriteBlob(path, "data.bin", std::string(1000, static_cast<char>('a' + seq)));
  EXPECT_TRUE(f.ok());
  CheckpointManifest m;
  m.sequence = seq;
  m.reason = "test";
  m.files = {f.value()};
  EXPECT_TRUE(WriteManifest(path, m).ok());
  return m;
}

void FlipByte(const std::string& path, std::size_t offset) {
  std::string bytes = ReadFile(path);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x10);
  WriteFile(path, bytes);
}

TEST(CheckpointFileTest, RoundTripAndChecksum) {
  TempDir dir("ckpt");
  Result<CheckpointFileEntry> e = WriteBlob(dir.path(), "x.bin", "payload bytes");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->bytes, std::filesystem::file_size(dir.File("x.bin")));
  EXPECT_TRUE(VerifyCheckpointFile(dir.path(), *e).ok());
  CheckpointFileReader r;
  ASSERT_TRUE(r.Open(dir.File("x.bin")).ok());
  EXPECT_EQ(r.header(), "header-x.bin");
  std::string payload(13, '\0');
  ASSERT_TRUE(r.Read(payload.data(), payload.size()).ok());
  EXPECT_EQ(payload, "payload bytes");
  EXPECT_TRUE(r.Finish().ok());
}

TEST(CheckpointFileTest, CorruptionAndTruncationNameTheFile) {
  TempDir dir("ckpt");
  Result<CheckpointFileEntry> e = WriteBlob(dir.path(), "x.bin", std::string(5000, 'z'));
  ASSERT_TRUE(e.ok());
  FlipByte(dir.File("x.bin"), 2500);
  Status st = VerifyCheckpointFile(dir.path(), *e);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find(dir.File("x.bin")), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("checksum"), std::string::npos) << st.message();

  Result<CheckpointFileEntry> t = WriteBlob(dir.path(), "t.bin", std::string(5000, 'z'));
  ASSERT_TRUE(t.ok());
  std::filesystem::resize_file(dir.File("t.bin"), 3000);
  st = VerifyCheckpointFile(dir.path(), *t);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("t.bin"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
}

TEST(CheckpointDirTest, NewestValidFallsBackPastDamage) {
  TempDir dir("ckpt");
  MakeCheckpoint(dir.path(), 1);
  MakeCheckpoint(dir.path(), 2);
  MakeCheckpoint(dir.path(), 3);
  std::filesystem::create_directories(CheckpointPath(dir.path(), 4));  // incomplete: no MANIFEST
  std::vector<std::string> rejected;
  Result<CheckpointManifest> m = FindNewestValidCheckpoint(dir.path(), &rejected);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->sequence, 3u);
  EXPECT_TRUE(rejected.empty());

  FlipByte(CheckpointPath(dir.path(), 3) + "/data.bin", 500);
  FlipByte(CheckpointPath(dir.path(), 2) + "/MANIFEST", 30);
  m = FindNewestValidCheckpoint(dir.path(), &rejected);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->sequence, 1u);
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_NE(rejected[0].find("ckpt-00000003"), std::string::npos);
  EXPECT_NE(rejected[0].find("data.bin"), std::string::npos) << rejected[0];
  EXPECT_NE(rejected[1].find("MANIFEST"), std::string::npos) << rejected[1];

  FlipByte(CheckpointPath(dir.path(), 1) + "/data.bin", 100);
  rejected.clear();
  EXPECT_EQ(FindNewestValidCheckpoint(dir.path(), &rejected).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(rejected.size(), 3u);
}

// Issue 26 item 13: a checkpoint whose MANIFEST does not list every rank's state (taken
// after worker 1 had finished, without its worker-1.bin) cannot be resumed: it is skipped
// like a damaged one, naming the missing file, and the one before it is used.
TEST(CheckpointDirTest, ACheckpointWithoutEveryRanksFileIsSkipped) {
  TempDir dir("ckpt");
  const auto make = [&](std::uint64_t seq, const std::vector<std::string>& names) {
    const std::string path = CheckpointPath(dir.path(), seq);
    std::filesystem::create_directories(path);
    CheckpointManifest m;
    m.sequence = seq;
    m.num_workers = 2;
    m.num_servers = 1;
    for (const std::string& name : names) {
      Result<CheckpointFileEntry> f = WriteBlob(path, name, "state of " + name);
      ASSERT_TRUE(f.ok());
      m.files.push_back(f.value());
    }
    ASSERT_TRUE(WriteManifest(path, m).ok());
  };
  make(4, {"vocab.bin", "worker-0.bin", "worker-1.bin", "server-0.bin"});
  make(5, {"vocab.bin", "worker-0.bin", "server-0.bin"});  // worker 1 had finished
  std::vector<std::string> rejected;
  Result<CheckpointManifest> m = FindNewestValidCheckpoint(dir.path(), &rejected);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->sequence, 4u);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0].find("ckpt-00000005"), std::string::npos) << rejected[0];
  EXPECT_NE(rejected[0].find("worker-1.bin"), std::string::npos) << rejected[0];
  EXPECT_EQ(VerifyCheckpoint(CheckpointPath(dir.path(), 5)).status().code(), Status::Code::kCorruption);
}

TEST(CheckpointDirTest, PruneKeepsTheNewestTwoAndInProgressOnes) {
  TempDir dir("ckpt");
  std::filesystem::create_directories(CheckpointPath(dir.path(), 1));  // crashed, older than complete ones
  for (std::uint64_t s = 2; s <= 5; ++s) MakeCheckpoint(dir.path(), s);
  std::filesystem::create_directories(CheckpointPath(dir.path(), 6));  // being written
  ASSERT_TRUE(PruneCheckpoints(dir.path(), 2).ok());
  std::vector<std::uint64_t> all, complete;
  ASSERT_TRUE(ListCheckpoints(dir.path(), &all, &complete).ok());
  EXPECT_EQ(all, (std::vector<std::uint64_t>{4, 5, 6}));
  EXPECT_EQ(complete, (std::vector<std::uint64_t>{4, 5}));
  ASSERT_TRUE(RemoveCheckpoints(dir.path()).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path()));
}

TEST(WorkerCheckpointTest, RoundTrip) {
  TempDir dir("ckpt");
  WorkerCheckpoint w;
  w.worker = 3;
  w.num_workers = 4;
  w.shard_words = 12345;
  w.builder.position = ReaderPosition{2, 777, true};
  w.builder.epoch = 1;
  w.builder.words_done = 999;
  w.builder.next_batch_id = 17;
  w.builder.rng = Rng(5);
  w.report.raw_tokens = 4242;
  w.report.loss_sum = 1.5;
  ASSERT_TRUE(SaveWorkerCheckpoint(w, dir.path()).ok());
  Result<WorkerCheckpoint> r = LoadWorkerCheckpoint(dir.path(), 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->shard_words, 12345);
  EXPECT_EQ(r->builder.position.range, 2u);
  EXPECT_EQ(r->builder.position.offset, 777);
  EXPECT_TRUE(r->builder.position.mid_line);
  EXPECT_EQ(r->builder.words_done, 999);
  EXPECT_EQ(r->builder.next_batch_id, 17u);
  Rng a = w.builder.rng, b = r->builder.rng;
  EXPECT_EQ(a.Next(), b.Next());
  EXPECT_EQ(r->report.raw_tokens, 4242);
  EXPECT_EQ(r->report.loss_sum, 1.5);
  EXPECT_EQ(LoadWorkerCheckpoint(dir.path(), 2).status().code(), Status::Code::kCorruption);  // no such file
}

// Shards saved by 3 servers load into 2 (and 1, and 3) servers with every row and
// version where the new partition puts it.
TEST(ShardCheckpointTest, RepartitionsOnLoad) {
  TempDir dir("ckpt");
  const std::size_t vocab = 101;
  const int dim = 5;
  CheckpointManifest m;
  m.vocab_size = vocab;
  m.num_servers = 3;
  auto value = [](ItemId key, int matrix, int j) { return static_cast<float>(key * 10 + matrix * 1000 + j); };
  for (int s = 0; s < 3; ++s) {
    ShardStore store(Partition(3, vocab), s, dim, 1);
    for (std::size_t local = 0; local < store.rows(); ++local) {
      const ItemId key = Partition(3, vocab).GlobalKey(s, local);
      for (int mtx = 0; mtx < 2; ++mtx) {
        std::vector<float> row(dim);
        for (int j = 0; j < dim; ++j) row[j] = value(key, mtx, j);
        store.WriteRow(mtx == 0 ? Matrix::kInput : Matrix::kOutput, key, row.data());
        store.RowVersions(mtx == 0 ? Matrix::kInput : Matrix::kOutput)[local] = key + 7 * static_cast<unsigned>(mtx);
      }
    }
    Result<CheckpointFileEntry> e = SaveShard(store, vocab, dir.path());
    ASSERT_TRUE(e.ok());
    m.files.push_back(e.value());
  }
  for (int now : {1, 2, 3}) {
    const Partition p(now, vocab);
    for (int s = 0; s < now; ++s) {
      ShardStore store(p, s, dim, 1);
      ASSERT_TRUE(LoadShard(dir.path(), m, &store).ok());
      for (std::size_t local = 0; local < store.rows(); ++local) {
        const ItemId key = p.GlobalKey(s, local);
        for (int mtx = 0; mtx < 2; ++mtx) {
          const Matrix which = mtx == 0 ? Matrix::kInput : Matrix::kOutput;
          for (int j = 0; j < dim; ++j) ASSERT_EQ(store.RowValues(which, key)[j], value(key, mtx, j)) << now << " servers";
          ASSERT_EQ(store.RowVersions(which)[local], key + 7 * static_cast<unsigned>(mtx));
        }
      }
    }
  }
  // A corrupted shard is reported by name.
  FlipByte(dir.File("server-1.bin"), 200);
  ShardStore store(Partition(2, vocab), 0, dim, 1);
  Status st = LoadShard(dir.path(), m, &store);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("server-1.bin"), std::string::npos) << st.message();
}

// --server-precision bf16: a shard of bf16 rows saved and loaded comes back bit for bit (rows
// and versions), and the resumed store continues exactly as the one that was saved: the same
// pushes give the same bits (the rounding's random bits come from the restored versions).
TEST(ShardCheckpointTest, Bf16RowsRoundTripAndResumeExactly) {
  TempDir dir("ckpt");
  const std::size_t vocab = 30;
  constexpr int dim = 13;
  const Partition p(2, vocab);
  ShardStore saved(p, 1, dim, 5, 2.0, 0.5f, WirePrecision::kBf16);
  auto push = [&](ShardStore* store, int step) {
    const ItemId keys[] = {1, 7, 29, 7};
    std::vector<float> deltas(4 * dim);
    for (std::size_t i = 0; i < deltas.size(); ++i)
      deltas[i] = 1e-4f * static_cast<float>((i * 13 + static_cast<std::size_t>(step)) % 17) - 7e-4f;
    for (Matrix m : {Matrix::kInput, Matrix::kOutput}) {
      std::uint32_t pulled[4];
      store->GatherVersions(m, keys, 4, pulled);
      store->Add(m, keys, 4, deltas.data(), pulled);
    }
  };
  for (int step = 0; step < 20; ++step) push(&saved, step);
  Result<CheckpointFileEntry> e = SaveShard(saved, vocab, dir.path());
  ASSERT_TRUE(e.ok());
  CheckpointManifest m;
  m.vocab_size = vocab;
  m.num_servers = 2;
  m.files.push_back(e.value());
  ShardStore loaded(p, 1, dim, 5, 2.0, 0.5f, WirePrecision::kBf16);
  ShardStore as_fp32(p, 1, dim, 5, 2.0, 0.5f, WirePrecision::kFp32);
  ASSERT_TRUE(LoadShard(dir.path(), m, &loaded).ok());
  ASSERT_TRUE(LoadShard(dir.path(), m, &as_fp32).ok());
  auto same = [&](const ShardStore& a, const ShardStore& b) {
    for (Matrix mx : {Matrix::kInput, Matrix::kOutput}) {
      std::vector<float> ra(a.rows() * dim), rb(b.rows() * dim);
      a.ReadLocalRows(mx, 0, a.rows(), ra.data());
      b.ReadLocalRows(mx, 0, b.rows(), rb.data());
      if (std::memcmp(ra.data(), rb.data(), ra.size() * sizeof(float)) != 0) return false;
      if (std::memcmp(a.RowVersions(mx), b.RowVersions(mx), a.rows() * sizeof(std::uint32_t)) != 0) return false;
    }
    return true;
  };
  EXPECT_TRUE(same(saved, loaded));
  EXPECT_TRUE(same(saved, as_fp32));  // a bf16 checkpoint resumes under fp32 too
  EXPECT_NE(saved.RowValues(Matrix::kOutput, 7)[0], 0.0f);
  for (int step = 20; step < 40; ++step) {
    push(&saved, step);
    push(&loaded, step);
  }
  EXPECT_TRUE(same(saved, loaded));
}

// The background save holds the shard as it was at Start(), whatever the server does to
// it meanwhile (copy-on-write), and its report names a file that verifies.
TEST(ShardSnapshotTest, SavesTheStateAtStartWhileTheStoreChanges) {
  TempDir dir("ckpt");
  const std::size_t vocab = 50;
  const Partition p(1, vocab);
  ShardStore store(p, 0, 4, 3);
  auto set_first = [&store](ItemId k, float v) {
    float row[4] = {v, 0, 0, 0};
    store.WriteRow(Matrix::kOutput, k, row);
  };
  for (ItemId k = 0; k < vocab; ++k) set_first(k, static_cast<float>(k));
  ShardSnapshot snapshot;
  snapshot.Start(store, vocab, dir.path(), 9, 5);
  EXPECT_TRUE(snapshot.busy());
  for (ItemId k = 0; k < vocab; ++k) set_first(k, -1.0f);  // after the cut
  CheckpointSaved saved;
  snapshot.Wait(&saved);
  EXPECT_FALSE(snapshot.busy());
  ASSERT_EQ(saved.code, 0) << saved.message;
  EXPECT_EQ(saved.sequence, 9u);
  EXPECT_EQ(saved.rank, 5);
  EXPECT_EQ(saved.file.name, "server-0.bin");
  EXPECT_TRUE(VerifyCheckpointFile(dir.path(), saved.file).ok());
  CheckpointManifest m;
  m.vocab_size = vocab;
  m.num_servers = 1;
  ShardStore loaded(p, 0, 4, 77);
  ASSERT_TRUE(LoadShard(dir.path(), m, &loaded).ok());
  for (ItemId k = 0; k < vocab; ++k) {
    float row[4];
    loaded.ReadRow(Matrix::kOutput, k, row);
    ASSERT_EQ(row[0], static_cast<float>(k));
  }

  // A save that cannot write reports the error instead of a file.
  snapshot.Start(store, vocab, dir.File("no/such/dir"), 10, 5);
  while (!snapshot.Poll(&saved)) {
  }
  EXPECT_NE(saved.code, 0);
  EXPECT_NE(saved.message.find("no/such/dir"), std::string::npos) << saved.message;
}

TEST(CheckpointOptionsTest, DurationsAndResumeSettings) {
  EXPECT_EQ(ParseDurationSeconds("90"), 90);
  EXPECT_EQ(ParseDurationSeconds("30s"), 30);
  EXPECT_EQ(ParseDurationSeconds("10m"), 600);
  EXPECT_EQ(ParseDurationSeconds("1.5h"), 5400);
  EXPECT_EQ(ParseDurationSeconds("0"), 0);
  EXPECT_LT(ParseDurationSeconds("ten"), 0);
  EXPECT_LT(ParseDurationSeconds("-5m"), 0);
  EXPECT_LT(ParseDurationSeconds("5x"), 0);
  TrainOptions a, b;
  b.checkpoint_every = "1m";
  b.servers = 3;
  b.peer_timeout = 5;
  EXPECT_EQ(ResumeSettings(a), ResumeSettings(b)) << "layout and checkpoint settings may change on resume";
  b.dim = 64;
  EXPECT_NE(ResumeSettings(a), ResumeSettings(b));
}

}  // namespace
}  // namespace item2vec
