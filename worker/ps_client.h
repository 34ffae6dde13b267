// PsClient: a worker's side of the parameter-server protocol (ps/protocol.h).
//
// Contract:
// - StartPull posts, for every server the batch needs, a receive straight into the
//   batch's rows (its slot range for that server) and then sends the key list: one
//   message per server per batch. FinishPull waits for the replies (deadline:
//   peer_timeout), Snapshot copies rows to `original`.
// - Only the first total_rows slots travel (a batch's hot block, worker/hot_rows.h, never
//   does). StartPush turns rows into deltas (rows - original) and sends, per server, the key
//   list and the deltas; FinishPush waits for those sends. The batch's buffers must not
//   be refilled before FinishPush returns.
// - CarryDeltas(prev, next) adds prev's deltas to the rows next shares with it (and counts
//   prev's push in their versions): next was pulled before prev was pushed, so this
//   restores "every own update is visible", which makes one worker with overlap give
//   exactly the result of one without.
// - Versions are pulled with the rows and pushed back with the deltas, so the servers can
//   scale stale deltas (ps/shard_store.h).
// - PostPull/PostPush/WaitAll are the per-server messages underneath, for key lists
//   that are not a Batch's (the hot-row cache, worker/hot_rows.h): same messages, same
//   order (replies received first, then the request), same byte counters.
// - Byte counters cover the hot path. Not thread-safe; one per worker.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

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

  using Handles = std::vector<std::pair<Transport::Handle, int>>;
  // Pulls n rows (request: KeyListHeader + keys, `words` uint32) from `server` into rows
  // (n * dim floats) and versions (n); appends the handles. Buffers stay untouched until
  // WaitAll.
  void PostPull(int server, const std::uint32_t* request, std::size_t words, float* rows,
                std::uint32_t* versions, std::size_t n, Handles* handles);
  // Pushes n row deltas with the versions they were computed from.
  void PostPush(int server, const std::uint32_t* request, std::size_t words, const float* rows,
                const std::uint32_t* versions, std::size_t n, Handles* handles);
  // Waits for every handle (deadline: peer_timeout each); `what` names them in errors.
  // Allocates nothing once its message buffer has grown.
  Status WaitAll(Handles* handles, const char* what);

  std::int64_t bytes_sent() const { return bytes_sent_; }
  std::int64_t bytes_received() const { return bytes_received_; }

 private:
  int ServerRank(int server) const { return workers_ + server; }
  Transport* t_;
  int workers_, servers_;
  std::size_t dim_;
  double timeout_;
  std::int64_t bytes_sent_ = 0, bytes_received_ = 0;
  std::string what_;  // WaitAll's message, reused
};

}  // namespace item2vec
