// PsClient: a worker's side of the parameter-server protocol (ps/protocol.h).
//
// Contract:
// - StartPull posts, for every server the batch needs, a receive straight into the
//   batch's rows (its slot range for that server) and then sends the key list: one
//   message per server per batch. FinishPull waits for the replies (deadline:
//   peer_timeout), Snapshot copies rows to `original`.
// - StartPush turns rows into deltas (rows - original) and sends, per server, the key
//   list and the deltas; FinishPush waits for those sends. The batch's buffers must not
//   be refilled before FinishPush returns.
// - CarryDeltas(prev, next) adds prev's deltas to the rows next shares with it (and counts
//   prev's push in their versions): next was pulled before prev was pushed, so this
//   restores "every own update is visible", which makes one worker with overlap give
//   exactly the result of one without.
// - Versions are pulled with the rows and pushed back with the deltas, so the servers can
//   scale stale deltas (ps/shard_store.h).
// - Byte counters cover the hot path. Not thread-safe; one per worker.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "common/transport.h"
#include "worker/batch.h"

namespace item2vec {

class PsClient {
 public:
  PsClient(Transport* transport, int num_workers, int num_servers, int dim, double peer_timeout)
      : t_(transport), workers_(num_workers), servers_(num_servers), dim_(static_cast<std::size_t>(dim)),
        timeout_(peer_timeout) {}

  void StartPull(Batch* batch);
  Status FinishPull(Batch* batch);
  void Snapshot(Batch* batch) const;
  void StartPush(Batch* batch);
  Status FinishPush(Batch* batch);
  void CarryDeltas(const Batch& prev, Batch* next) const;
  // Tells every server this worker will push no more.
  Status SendDone();

  std::int64_t bytes_sent() const { return bytes_sent_; }
  std::int64_t bytes_received() const { return bytes_received_; }

 private:
  int ServerRank(int server) const { return workers_ + server; }
  Transport* t_;
  int workers_, servers_;
  std::size_t dim_;
  double timeout_;
  std::int64_t bytes_sent_ = 0, bytes_received_ = 0;
};

}  // namespace item2vec
