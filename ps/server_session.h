// ServerSession: one parameter-server rank's serving loop: answers pulls, applies pushes,
// takes checkpoints of its shard and serves the final dump.
//
// Contract: Run() owns the rank until rank 0 sends kShutdown (returns Ok), kStop after a stop
// checkpoint (returns Status::Interrupted), or a protocol violation or peer timeout occurs
// (returns the error; the caller ends the job). Checkpoints: on kCheckpointRequest N it keeps
// serving until every worker has sent kCheckpointMark N or kWorkerDone, then saves its shard
// into checkpoint_dir/ckpt-N (ps/shard_checkpoint.h, forked by ps/shard_snapshot.h) and
// reports the file to rank 0. A stop signal on this rank is forwarded to rank 0. It never
// busy-waits for long (Backoff), so on an oversubscribed node the workers get the cores.
// Requests are handled in arrival order; see ps/protocol.h for the messages.
// Liveness: a worker it has heard from that then sends nothing (not even a heartbeat) for
// `liveness` seconds before its kWorkerDone ends the run with a Timeout naming the worker's
// rank and host (0: peer_timeout); not while a stop checkpoint is pending. A server that owns
// rows and hears from nobody for peer_timeout seconds ends it too.
//
// Structure (ps-lite's KVServer): Run() only schedules; each round is
//   PollSnapshot()    a background shard write that ended is reported to rank 0;
//   CheckLiveness()   at most twice a second, the silent-worker rule above;
//   Idle()            no message: forward a stop signal, the idle timeout, back off;
//   Receive()         the next message, whatever its tag;
//   Dispatch()        one handler per tag: ServeRows (pulls and dumps), ApplyPush,
//                     WorkerDone (then the held dumps and the usage report), HoldOrServeDump,
//                     CheckpointSignal (then MaybeCheckpoint), Stop, Shutdown.
// What a request means is ps/request_handler.h, which the handlers call; this class does the
// I/O. Tests drive it over common/loopback_transport.h (tests/ps/server_session_test.cc).
// Ownership: borrows the transport, the store and the stats, which must outlive it.
// Thread-safety: runs on the rank's one thread (the Transport's) and is the only user of the
// store while it runs; the snapshot it forks is a separate process.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "common/checkpoint.h"
#include "common/status.h"
#include "common/transport.h"
#include "common/wire_codec.h"
#include "ps/reply_pool.h"
#include "ps/request_handler.h"
#include "ps/shard_snapshot.h"
#include "ps/shard_store.h"

namespace item2vec {

// What a server needs to know of the job.
struct ServingOptions {
  int num_workers = 1;
  std::size_t vocab_size = 0;
  double peer_timeout = 120;
  std::string checkpoint_dir;                 // checkpoints go to checkpoint_dir/ckpt-N
  WirePrecision wire = WirePrecision::kFp32;  // of pull replies and pushed deltas; dumps stay fp32
  double liveness = 0;                        // --liveness-timeout; 0: peer_timeout
};

class ServerSession {
 public:
  // stats: filled as it serves (ServerStats, ps/request_handler.h).
  ServerSession(Transport& transport, ShardStore& store, const ServingOptions& options, ServerStats* stats);
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  // Serves until kShutdown, kStop or an error (see above). Call once.
  Status Run();

  // The steps of one round, in the order Run() calls them.
  Status PollSnapshot();
  Status CheckLiveness();
  Status Idle();
  Status Receive(const Envelope& e);
  Status Dispatch(const Envelope& e);
  // True once kShutdown or kStop ended the session; Run() then returns outcome().
  bool finished() const { return finished_; }
  const Status& outcome() const { return outcome_; }

 private:
  using Clock = std::chrono::steady_clock;
  // Handlers of Dispatch, one per request kind.
  Status ServeRows(int source, const char* request, std::size_t bytes, int reply_tag);
  Status ApplyPush(const Envelope& e);
  Status WorkerDone(int source);
  Status HoldOrServeDump(const Envelope& e);
  Status CheckpointSignal(const Envelope& e);
  Status Stop();
  Status Shutdown();
  // Once the cut is complete: fork the snapshot (the state at the cut), tell rank 0 at once,
  // write in the background.
  Status MaybeCheckpoint();
  Status SendSaved(const CheckpointSaved& saved);
  // Training is over (every worker is done): this rank's peak memory and CPU for rank 0.
  Status SendUsage();
  // Receives the part of `tag` that a push header from `source` announced.
  Status ReceivePushPart(int source, int tag, std::vector<char>* buf, Envelope* e);

  Transport& t_;
  ShardStore& store_;
  const ServingOptions o_;
  const double liveness_;
  ServerStats* stats_;
  RequestHandler handler_;
  ReplyPool replies_;
  std::vector<char> request_, rows_, versions_;  // message buffers, grown as needed
  std::deque<std::pair<int, std::vector<char>>> held_dumps_;  // until every worker is done
  Backoff backoff_;
  bool stop_forwarded_ = false;
  ShardSnapshot snapshot_;
  std::string saved_bytes_;      // the kCheckpointSaved message in flight
  protocol::RankUsage usage_;    // the kRankUsage message in flight
  // A server that owns rows hears from some worker every batch; a long silence means a
  // worker or rank 0 hangs, and the job must end rather than wait forever.
  const bool watch_idle_;
  Clock::time_point last_message_;
  // Liveness of each worker (ps/protocol.h kHeartbeat), checked at most twice a second.
  std::vector<Clock::time_point> heard_;
  std::vector<char> seen_;
  bool stopping_ = false;  // a stop checkpoint is pending: workers go quiet and exit
  Clock::time_point last_check_;
  bool finished_ = false;
  Status outcome_;
};

}  // namespace item2vec
