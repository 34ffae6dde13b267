#include "job/rows_ready.h"

#include <string>
#include <vector>

#include "common/deadline_wait.h"
#include "ps/protocol.h"

namespace item2vec {

Status AnnounceRowsReady(Transport& t, int workers, double timeout) {
  std::vector<Transport::Handle> sends;
  for (int w = 0; w < workers; ++w) sends.push_back(t.Isend(w, protocol::kRowsReady, nullptr, 0));
  for (std::size_t w = 0; w < sends.size(); ++w)
    ITEM2VEC_RETURN_IF_ERROR(t.Wait(sends[w], timeout, "telling worker " + std::to_string(w) + " the rows are ready"));
  return Status::Ok();
}

Status WaitForServerRows(Transport& t, int workers, int servers, double timeout) {
  std::vector<bool> ready(static_cast<std::size_t>(servers), false);
  int waiting = servers;
  auto step = [&]() -> Result<WaitStep> {
    bool progress = false;
    for (int s = 0; s < servers; ++s) {
      Envelope e;
      if (ready[static_cast<std::size_t>(s)] || !t.Probe(workers + s, protocol::kRowsReady, &e)) continue;
      ITEM2VEC_RETURN_IF_ERROR(t.Receive(e, nullptr));
      ready[static_cast<std::size_t>(s)] = true;
      --waiting;
      progress = true;
    }
    return waiting == 0 ? WaitStep::kDone : progress ? WaitStep::kProgress : WaitStep::kIdle;
  };
  auto message = [&] {
    int s = 0;
    while (ready[static_cast<std::size_t>(s)]) ++s;
    const int rank = workers + s;
    const std::string host = t.HostOf(rank);
    return "server rank " + std::to_string(rank) + (host.empty() ? "" : " on host " + host) +
           " has not laid out its rows within " + std::to_string(static_cast<int>(timeout)) +
           " s (--peer-timeout): it is hung, dead, or swapping on a node short of memory; see that rank's log "
           "and compare the node's memory with the plan of --dry-run, or raise --peer-timeout if its shard "
           "is very large";
  };
  return WaitUntil(DeadlineAfter(timeout), step, message);
}

}  // namespace item2vec
