// LoopbackServers: real parameter servers (ps/server_session.h) on threads of a unit test,
// talking to the test's own ranks through common/loopback_transport.h.
//
// Contract: the hub has num_workers worker ranks [0, W) and stores->size() server ranks
// [W, W+S); server s serves (*stores)[s] on its own thread from construction until it gets
// kShutdown or kStop or fails. Shutdown() sends kShutdown to every server from rank 0's
// endpoint (as rank 0 does at the end of a job) and Join() waits for every thread and returns
// the first non-OK outcome. Its destructor joins too. Test-only.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "common/loopback_transport.h"
#include "common/status.h"
#include "ps/protocol.h"
#include "ps/server_session.h"
#include "ps/shard_store.h"

namespace item2vec::testing {

class LoopbackServers {
 public:
  LoopbackServers(LoopbackHub* hub, std::vector<ShardStore>* stores, const ServingOptions& options)
      : outcomes_(stores->size()), stats_(stores->size()) {
    for (std::size_t s = 0; s < stores->size(); ++s)
      endpoints_.push_back(hub->Endpoint(options.num_workers + static_cast<int>(s)));
    for (std::size_t s = 0; s < stores->size(); ++s)
      threads_.emplace_back([this, s, stores, options] {
        outcomes_[s] = ServerSession(*endpoints_[s], (*stores)[s], options, &stats_[s]).Run();
      });
  }
  ~LoopbackServers() { Join(); }
  LoopbackServers(const LoopbackServers&) = delete;
  LoopbackServers& operator=(const LoopbackServers&) = delete;

  // Rank 0 ends the servers: kShutdown to each.
  void Shutdown(Transport& rank0) {
    for (std::size_t s = 0; s < endpoints_.size(); ++s)
      (void)rank0.Wait(rank0.Isend(endpoints_[s]->rank(), protocol::kShutdown, nullptr, 0), 10, "shutdown");
  }
  Status Join() {
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
    for (const Status& st : outcomes_)
      if (!st.ok()) return st;
    return Status::Ok();
  }
  const ServerStats& stats(std::size_t server) const { return stats_[server]; }

 private:
  std::vector<std::unique_ptr<Transport>> endpoints_;
  std::vector<Status> outcomes_;
  std::vector<ServerStats> stats_;
  std::vector<std::thread> threads_;
};

}  // namespace item2vec::testing
