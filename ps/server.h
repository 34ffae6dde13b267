// The parameter-server loop: answers pulls, applies pushes, serves the final dump.
//
// Contract: RunServer owns the rank until rank 0 sends kShutdown (returns Ok), kStop after
// a stop checkpoint (returns Status::Interrupted), or a protocol violation or peer
// timeout occurs (returns the error; the caller ends the job). Checkpoints: on
// kCheckpointRequest N it keeps serving until every worker has sent kCheckpointMark N or
// kWorkerDone, then saves its shard into checkpoint_dir/ckpt-N (ps/shard_checkpoint.h)
// and reports the file to rank 0. A stop signal on this rank is forwarded to rank 0.
// It never busy-waits for long (Backoff), so on an oversubscribed node the workers get the
// cores. Requests are handled in arrival order; see ps/protocol.h for the messages.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "common/transport.h"
#include "ps/shard_store.h"

namespace item2vec {

struct ServerStats {
  std::int64_t pulls = 0, pushes = 0, rows_sent = 0, rows_applied = 0;
  std::int64_t bytes_received = 0, bytes_sent = 0;
  double busy_seconds = 0;
};

Status RunServer(Transport& transport, ShardStore& store, const Partition& partition,
                 int num_workers, std::size_t vocab_size, double peer_timeout_seconds,
                 const std::string& checkpoint_dir, ServerStats* stats);

}  // namespace item2vec
