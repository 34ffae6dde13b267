// The parameter-server loop: answers pulls, applies pushes, serves the final dump.
//
// Contract: RunServer owns the rank until rank 0 sends kShutdown (returns Ok) or a
// protocol violation or peer timeout occurs (returns the error; the caller ends the job).
// It never busy-waits for long (Backoff), so on an oversubscribed node the workers get the
// cores. Requests are handled in arrival order; see ps/protocol.h for the messages.
#pragma once

#include <cstdint>

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
                 ServerStats* stats);

}  // namespace item2vec
