// Tests of the worker loop (worker/worker_loop.h) against real parameter servers
// (ps/server_session.h) on threads, through the loopback transport: one worker and one or two
// servers exchange the real protocol messages (pulls, pushes, heartbeats, kWorkerDone,
// kShutdown), without mpirun. They check what the loop promises: the whole shard is trained
// and pushed, a deterministic run does not depend on the server count, overlap gives exactly
// the result without it, the hot-row cache reaches the servers, and a silent server ends the
// loop with a Timeout naming it.
#include "worker/worker_loop.h"

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/input_files.h"
#include "common/loopback_transport.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "job/vocabulary_build.h"
#include "ps/partition.h"
#include "ps/server_session.h"
#include "ps/shard_store.h"
#include "tests/support/corpus_util.h"
#include "tests/support/loopback_servers.h"
#include "tests/support/shard_util.h"
#include "tests/support/test_util.h"
#include "tests/worker/corpus_test.h"

namespace item2vec {
namespace {

using testing::LoopbackServers;

// Both matrices of a model, gathered from the servers' stores by key.
struct Model {
  std::vector<float> input, output;
  bool operator==(const Model& o) const {
    return input.size() == o.input.size() && output.size() == o.output.size() &&
           std::memcmp(input.data(), o.input.data(), input.size() * sizeof(float)) == 0 &&
           std::memcmp(output.data(), o.output.data(), output.size() * sizeof(float)) == 0;
  }
};

struct Outcome {
  Result<protocol::ProgressReport> report = Status::Internal("not run");
  Status servers;
  std::vector<ServerStats> stats;
  Model model;
  std::vector<float> initial_input;  // the input rows before training
};

class WorkerLoopTest : public testing::CorpusTest {
 protected:
  WorkerLoopTest() : CorpusTest("worker_loop") {}

  void SetUp() override {
    const testing::CorpusShape shape{400, 12, 12, 200};  // lines, max items, max item bytes, vocabulary
    ASSERT_NO_FATAL_FAILURE(UseCorpus("corpus.txt", testing::MakeCorpus(5, shape).text, /*min_count=*/2));
    words_ = vocab_.total_count();  // one worker: its shard is the corpus
    ASSERT_GT(vocab_.size(), 50u);
    options_.dim = 8;
    options_.window = 3;
    options_.epochs = 2;
    options_.batch_tokens = 300;
    options_.id_cache_mib = 0;
    options_.deterministic = true;  // fp32 on the wire
    options_.progress_seconds = 1000;
    options_.peer_timeout = 20;
  }

  // Rank 0's WorkerLoop, the one worker, over `transport` to `servers` servers.
  WorkerSetup SetupFor(Transport* transport, int servers) const {
    WorkerSetup setup;
    setup.transport = transport;
    setup.options = &options_;
    setup.vocab = &vocab_;
    setup.files = &files_;
    setup.num_servers = servers;
    setup.shard_words = words_;
    setup.peer_timeout = options_.peer_timeout;
    return setup;
  }

  // Rank 0 trains its shard with WorkerLoop while `servers` ServerSessions serve it.
  Outcome Train(int servers) {
    const Partition partition(servers, vocab_.size());
    std::vector<ShardStore> stores;
    for (int s = 0; s < servers; ++s)
      stores.emplace_back(partition, s, options_.dim, options_.seed, options_.staleness_tolerance, static_cast<float>(options_.init_width));
    Outcome out;
    out.initial_input = Gather(stores, Matrix::kInput);
    LoopbackHub hub(1 + servers);
    std::unique_ptr<Transport> rank0 = hub.Endpoint(0);
    {
      const ServingOptions serving{1, vocab_.size(), options_.peer_timeout, dir_.File("ckpt"), options_.Wire(), options_.LivenessTimeout()};
      LoopbackServers running(&hub, &stores, serving);
      const WorkerSetup setup = SetupFor(rank0.get(), servers);
      ProgressMonitor monitor(rank0.get(), 1, options_.epochs * vocab_.total_count(), options_.progress_seconds);
      out.report = WorkerLoop(setup, &monitor).Run();
      running.Shutdown(*rank0);
      out.servers = running.Join();
      for (int s = 0; s < servers; ++s) out.stats.push_back(running.stats(static_cast<std::size_t>(s)));
    }
    out.model = Model{Gather(stores, Matrix::kInput), Gather(stores, Matrix::kOutput)};
    return out;
  }

  std::vector<float> Gather(std::vector<ShardStore>& stores, Matrix m) const {
    const Partition partition(static_cast<int>(stores.size()), vocab_.size());
    std::vector<float> rows;
    for (ItemId k = 0; k < vocab_.size(); ++k) {
      const std::vector<float> row = stores[static_cast<std::size_t>(partition.ServerOf(k))].RowValues(m, k);
      rows.insert(rows.end(), row.begin(), row.end());
    }
    return rows;
  }

  std::int64_t words_ = 0;
};

TEST_F(WorkerLoopTest, OneWorkerAndOneServerTrainTheWholeShard) {
  const Outcome out = Train(1);
  ASSERT_TRUE(out.report.ok()) << out.report.status().ToString();
  ASSERT_TRUE(out.servers.ok()) << out.servers.ToString();
  const protocol::ProgressReport& r = out.report.value();
  EXPECT_EQ(r.final, 1);
  EXPECT_EQ(r.words, options_.epochs * words_) << "every in-vocabulary token of both epochs";
  EXPECT_GT(r.pairs, 1000);
  EXPECT_GT(r.loss_count, 0);
  // One pull and one push per batch, every one of them answered and applied.
  const ServerStats& st = out.stats[0];
  EXPECT_GT(st.pulls, 4);
  EXPECT_EQ(st.pulls, st.pushes);
  EXPECT_GT(st.rows_applied, 0);
  EXPECT_GT(r.bytes_sent, 0);
  EXPECT_GT(st.bytes_received, 0);
  // Training moved the rows: the output matrix starts at zero, the input one at random.
  std::size_t moved_in = 0, nonzero_out = 0;
  for (std::size_t i = 0; i < out.model.input.size(); ++i) {
    moved_in += out.model.input[i] != out.initial_input[i];
    nonzero_out += out.model.output[i] != 0.0f;
  }
  EXPECT_GT(moved_in, out.model.input.size() / 2);
  EXPECT_GT(nonzero_out, out.model.output.size() / 2);
}

TEST_F(WorkerLoopTest, DeterministicRunDoesNotDependOnTheServerCount) {
  const Outcome one = Train(1), two = Train(2);
  ASSERT_TRUE(one.report.ok() && two.report.ok());
  EXPECT_EQ(one.report.value().pairs, two.report.value().pairs);
  EXPECT_GT(two.stats[0].pulls, 0);
  EXPECT_GT(two.stats[1].pulls, 0);
  EXPECT_TRUE(one.model == two.model);
}

TEST_F(WorkerLoopTest, OverlapGivesExactlyTheResultWithout) {
  options_.overlap = false;
  const Outcome without = Train(2);
  options_.overlap = true;
  const Outcome with = Train(2);
  ASSERT_TRUE(without.report.ok() && with.report.ok());
  EXPECT_TRUE(without.model == with.model);
  EXPECT_GT(with.stats[0].pulls, 4);
}

TEST_F(WorkerLoopTest, HotRowCacheSyncsItsRowsWithTheServers) {
  options_.hot_rows = 10;
  options_.hot_sync = 2;
  const Outcome out = Train(1);
  ASSERT_TRUE(out.report.ok()) << out.report.status().ToString();
  // The cached rows trained on the worker reached the server: their output rows moved.
  for (ItemId k = 0; k < 10; ++k) {
    bool moved = false;
    for (int d = 0; d < options_.dim; ++d) moved |= out.model.output[k * options_.dim + static_cast<std::size_t>(d)] != 0.0f;
    EXPECT_TRUE(moved) << "hot row " << k;
  }
  // Syncs push more often than the batches alone would.
  EXPECT_GT(out.stats[0].pushes, out.stats[0].pulls / 2);
}

TEST_F(WorkerLoopTest, SilentServerEndsTheLoopWithATimeoutNamingIt) {
  options_.liveness_timeout = 1;
  LoopbackHub hub(2);  // rank 1, the server, never reads a message
  std::unique_ptr<Transport> rank0 = hub.Endpoint(0), silent = hub.Endpoint(1);
  const WorkerSetup setup = SetupFor(rank0.get(), 1);
  ProgressMonitor monitor(rank0.get(), 1, words_, options_.progress_seconds);
  const auto start = std::chrono::steady_clock::now();
  Result<protocol::ProgressReport> r = WorkerLoop(setup, &monitor).Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kTimeout) << r.status().ToString();
  EXPECT_NE(r.status().message().find("rank 1"), std::string::npos) << r.status().ToString();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), options_.peer_timeout);
}

}  // namespace
}  // namespace item2vec
