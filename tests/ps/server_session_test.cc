// Tests of the serving loop (ps/server_session.h) on its own thread, driven by scripted
// workers over the loopback transport (common/loopback_transport.h): pulls are answered with
// the store's rows and versions, pushes applied, a dump is held until every worker is done
// (then answered, with the rank's usage report to rank 0), a silent worker ends the session
// with a Timeout naming it, an unknown tag is a protocol error naming the sender, kStop ends
// it Interrupted and kShutdown cleanly.
#include "ps/server_session.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/loopback_transport.h"
#include "ps/protocol.h"
#include "tests/support/key_list.h"
#include "tests/support/loopback_servers.h"

namespace item2vec {
namespace {

using testing::LoopbackServers;

constexpr int kDim = 4;
constexpr std::size_t kVocab = 10;

using testing::KeyListOf;

// One server (the last rank) for `workers` scripted workers.
class ServerSessionTest : public ::testing::Test {
 protected:
  void Start(int workers, double liveness = 30) {
    workers_ = workers;
    hub_ = std::make_unique<LoopbackHub>(workers + 1);
    for (int w = 0; w < workers; ++w) ranks_.push_back(hub_->Endpoint(w));
    stores_.emplace_back(Partition(1, kVocab), 0, kDim, /*seed=*/3);
    const ServingOptions options{workers, kVocab, /*peer_timeout=*/30, "/nonexistent", WirePrecision::kFp32, liveness};
    servers_ = std::make_unique<LoopbackServers>(hub_.get(), &stores_, options);
  }
  Transport& worker(int w) { return *ranks_[static_cast<std::size_t>(w)]; }
  int server() const { return workers_; }
  void Send(int w, int tag, const void* data = nullptr, std::size_t bytes = 0) {
    ASSERT_TRUE(worker(w).Wait(worker(w).Isend(server(), tag, data, bytes), 10, "send").ok());
  }
  void Send(int w, int tag, const std::vector<std::uint32_t>& words) {
    Send(w, tag, words.data(), words.size() * sizeof(std::uint32_t));
  }
  // Waits up to `seconds` for a message of `tag` from the server to worker w.
  bool Arrives(int w, int tag, double seconds, Envelope* e) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (worker(w).Probe(Transport::kAnySource, tag, e)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
  std::vector<float> Row(Matrix m, ItemId key) {
    return stores_[0].RowValues(m, key);
  }

  int workers_ = 0;
  std::unique_ptr<LoopbackHub> hub_;
  std::vector<std::unique_ptr<Transport>> ranks_;
  std::vector<ShardStore> stores_;
  std::unique_ptr<LoopbackServers> servers_;
};

TEST_F(ServerSessionTest, AnswersAPullAndAppliesAPush) {
  Start(1);
  const std::vector<float> before = Row(Matrix::kInput, 2);
  // Pull: the receives first, then the key list (as PsClient does).
  std::vector<float> rows(2 * kDim, -1.0f);
  std::vector<std::uint32_t> versions(2, 99);
  auto hr = worker(0).Irecv(server(), protocol::kPullReply, rows.data(), rows.size() * sizeof(float));
  auto hv = worker(0).Irecv(server(), protocol::kPullVersions, versions.data(), versions.size() * 4);
  Send(0, protocol::kPull, KeyListOf({2}, {5}));
  ASSERT_TRUE(worker(0).Wait(hr, 10, "rows").ok());
  ASSERT_TRUE(worker(0).Wait(hv, 10, "versions").ok());
  EXPECT_EQ(std::vector<float>(rows.begin(), rows.begin() + kDim), before);
  EXPECT_EQ(std::vector<float>(rows.begin() + kDim, rows.end()), std::vector<float>(kDim, 0.0f));
  EXPECT_EQ(versions, (std::vector<std::uint32_t>{0, 0}));
  // Push: key list, deltas, the versions they were taken against.
  const std::vector<float> deltas = {1, 2, 3, 4, 0.5f, 0.5f, 0.5f, 0.5f};
  Send(0, protocol::kPush, KeyListOf({2}, {5}));
  Send(0, protocol::kPushRows, deltas.data(), deltas.size() * sizeof(float));
  Send(0, protocol::kPushVersions, versions);
  Send(0, protocol::kWorkerDone);
  servers_->Shutdown(worker(0));
  ASSERT_TRUE(servers_->Join().ok());
  for (int d = 0; d < kDim; ++d) EXPECT_FLOAT_EQ(Row(Matrix::kInput, 2)[d], before[d] + deltas[d]);
  EXPECT_EQ(Row(Matrix::kOutput, 5), std::vector<float>(kDim, 0.5f));
  EXPECT_EQ(servers_->stats(0).pulls, 1);
  EXPECT_EQ(servers_->stats(0).pushes, 1);
  EXPECT_EQ(servers_->stats(0).rows_applied, 2);
}

TEST_F(ServerSessionTest, HoldsTheDumpUntilEveryWorkerIsDone) {
  Start(2);
  std::vector<float> dump(kDim, -1.0f);
  auto h = worker(0).Irecv(server(), protocol::kDumpReply, dump.data(), dump.size() * sizeof(float));
  Send(0, protocol::kDump, KeyListOf({7}, {}));
  Send(0, protocol::kWorkerDone);
  Envelope e;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(worker(0).Test(h)) << "answered while worker 1 still trains";
  Send(1, protocol::kWorkerDone);
  ASSERT_TRUE(worker(0).Wait(h, 10, "dump").ok());
  EXPECT_EQ(dump, Row(Matrix::kInput, 7));
  // The last kWorkerDone also makes the server report its usage to rank 0.
  ASSERT_TRUE(Arrives(0, protocol::kRankUsage, 10, &e));
  EXPECT_EQ(e.source, server());
  servers_->Shutdown(worker(0));
  EXPECT_TRUE(servers_->Join().ok());
}

TEST_F(ServerSessionTest, SilentWorkerEndsTheSessionWithATimeoutNamingIt) {
  Start(2, /*liveness=*/1);
  Send(1, protocol::kHeartbeat);  // worker 1 is heard once, then goes quiet
  const auto start = std::chrono::steady_clock::now();
  const Status st = servers_->Join();
  EXPECT_EQ(st.code(), Status::Code::kTimeout) << st.ToString();
  EXPECT_NE(st.message().find("worker rank 1 sent nothing"), std::string::npos) << st.ToString();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
}

TEST_F(ServerSessionTest, UnknownTagIsAProtocolErrorNamingTheSender) {
  Start(1);
  Send(0, 99);
  const Status st = servers_->Join();
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_NE(st.message().find("tag 99 from rank 0"), std::string::npos) << st.ToString();
}

TEST_F(ServerSessionTest, StopEndsItInterruptedAndShutdownCleanly) {
  Start(1);
  Send(0, protocol::kStop);
  EXPECT_EQ(servers_->Join().code(), Status::Code::kInterrupted);
  ranks_.clear();
  servers_.reset();
  stores_.clear();
  Start(1);
  Send(0, protocol::kHeartbeat);
  servers_->Shutdown(worker(0));
  EXPECT_TRUE(servers_->Join().ok());
}

}  // namespace
}  // namespace item2vec
