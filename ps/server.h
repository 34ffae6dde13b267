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
// Structure: RunServer is only the serving loop (receive, then reply and checkpoint I/O);
// what each request means is ps/request_handler.h, which it calls.
// Thread-safety: RunServer runs on the rank's one thread (the Transport's), and is the
// only user of the store while it runs; the snapshot it forks is a separate process.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "common/transport.h"
#include "common/wire_codec.h"
#include "ps/request_handler.h"
#include "ps/shard_store.h"

namespace item2vec {

// stats: filled as it serves (ServerStats, ps/request_handler.h); the caller owns it.
// wire: the precision of pull replies and pushed deltas (ps/protocol.h); dumps stay fp32.
// liveness_seconds: a worker it has heard from that then sends nothing (not even a heartbeat)
// for this long before its kWorkerDone ends the run with a Timeout naming the worker's rank and
// host (0: peer_timeout_seconds); not while a stop checkpoint is pending.
Status RunServer(Transport& transport, ShardStore& store, int num_workers, std::size_t vocab_size, double peer_timeout_seconds,
                 const std::string& checkpoint_dir, ServerStats* stats, WirePrecision wire = WirePrecision::kFp32,
                 double liveness_seconds = 0);

}  // namespace item2vec
