// RequestHandler: what a parameter server does with one request, without the transport.
//
// Contract:
// - It references the server's ShardStore (the caller owns it and keeps it alive) and
//   holds the control-plane state of one run: which workers are done, each worker's last
//   checkpoint mark, and the checkpoint requested by rank 0 (ps/protocol.h).
// - Hot path: ParseKeyList validates a kPull/kPush/kDump key list in place (sizes, keys in
//   the vocabulary and owned by this server) and points into the caller's buffer, which
//   must outlive the KeyList. ServeRows/ServeVersions gather its rows and versions into caller
//   buffers sized by ReplyFloats/ReplyWords; ApplyPush checks the rows and versions
//   messages that follow a kPush and adds the deltas, staleness-scaled (ps/shard_store.h).
//   They allocate nothing (the store's one-row decode buffer only grows).
// - Wire precision (common/wire_codec.h): ServeEncodedRows writes a pull reply's rows straight
//   in the job's wire precision and returns its byte count; ApplyPush expects deltas in it and
//   decodes them a row at a time before adding (the master rows stay float32).
// - Control plane: WorkerDone, CheckpointSignal and CheckpointDue say what the serving
//   loop must do next (release the dumps, take a snapshot); the loop does the I/O.
// - Every bad request is a Status::Internal naming the sending rank; the store is left
//   untouched by a rejected request.
// - Callable in-process (tests/worker/hot_rows_test.cc serves a PsClient with it) and
//   by ps/server.cc's loop. Not thread-safe: one thread drives it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "common/wire_codec.h"
#include "ps/protocol.h"
#include "ps/shard_store.h"

namespace item2vec {

struct ServerStats {
  std::int64_t pulls = 0, pushes = 0, rows_sent = 0, rows_applied = 0;
  std::int64_t bytes_received = 0, bytes_sent = 0;
  double busy_seconds = 0;
};

// A validated key list; in/out point into the request buffer it was parsed from.
struct KeyList {
  protocol::KeyListHeader header{};
  const ItemId* in = nullptr;
  const ItemId* out = nullptr;
  std::size_t rows() const { return static_cast<std::size_t>(header.n_in) + header.n_out; }
};

class RequestHandler {
 public:
  // REQUIRES: store.partition() covers vocab_size keys; server ranks are [num_workers, ...).
  RequestHandler(ShardStore* store, int num_workers, std::size_t vocab_size, ServerStats* stats,
                 WirePrecision wire = WirePrecision::kFp32);

  Status ParseKeyList(const void* data, std::size_t bytes, int source, KeyList* keys) const;
  std::size_t ReplyFloats(const KeyList& keys) const { return keys.rows() * dim_; }
  std::size_t ReplyWords(const KeyList& keys) const { return keys.rows(); }
  // Bytes of a pull reply's rows in the job's wire precision (ServeEncodedRows writes them).
  std::size_t ReplyWireBytes(const KeyList& keys) const { return keys.rows() * WireRowBytes(PullWire(wire_), dim_); }
  // Copies the rows of `keys` into rows (ReplyFloats floats: input rows, then output
  // rows, in key order) and counts them as sent.
  void ServeRows(const KeyList& keys, float* rows);
  // ServeRows in the wire precision: writes ReplyWireBytes bytes into `wire`
  // (the same rows, encoded), counts them as sent and returns the byte count.
  std::size_t ServeEncodedRows(const KeyList& keys, void* wire);
  // Copies the rows' versions (ReplyWords words, same order), for a kPullVersions reply.
  void ServeVersions(const KeyList& keys, std::uint32_t* versions) const;
  // Applies the push of `keys` from `source`: rows = the kPushRows message (ReplyFloats
  // floats), versions = the kPushVersions message (ReplyWords words).
  Status ApplyPush(const KeyList& keys, int source, const void* rows, std::size_t rows_bytes, const void* versions,
                   std::size_t versions_bytes);

  // kWorkerDone from `source`. Returns true when it was the last worker's (the held
  // dumps may now be answered).
  bool WorkerDone(int source);
  bool AllWorkersDone() const { return workers_done_ >= num_workers_; }
  bool Done(int worker) const { return IsWorker(worker) && done_[static_cast<std::size_t>(worker)] != 0; }
  // kCheckpointRequest (from rank 0) or kCheckpointMark (from a worker).
  Status CheckpointSignal(int tag, int source, const void* data, std::size_t bytes);
  // The requested checkpoint whose cut is complete (every worker marked it or is done),
  // else 0. CheckpointTaken() clears the request once the snapshot is started.
  std::uint64_t CheckpointDue() const;
  void CheckpointTaken() { pending_checkpoint_ = 0; }

  ShardStore& store() { return *store_; }

 private:
  bool IsWorker(int rank) const { return rank >= 0 && rank < num_workers_; }
  ShardStore* store_;
  int num_workers_;
  std::size_t vocab_size_, dim_;
  ServerStats* stats_;
  WirePrecision wire_;
  int workers_done_ = 0;
  std::uint64_t pending_checkpoint_ = 0;  // 0 = none requested
  std::vector<std::uint64_t> marked_;     // per worker: last checkpoint mark
  std::vector<char> done_;                // per worker: sent kWorkerDone
};

}  // namespace item2vec
