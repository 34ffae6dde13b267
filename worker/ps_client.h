// PsClient: a worker's side of the parameter-server protocol (ps/protocol.h).
//
// Contract:
// - StartPull posts, for every server the batch needs, a receive straight into the
//   batch's rows (its slot range for that server) and then sends the key list: one
//   message per server per batch. FinishPull waits for the replies (deadline:
//   peer_timeout) and leaves the rows in `rows` and what the deltas will be taken against
//   (Batch::original; in bf16 with stochastic rounding the replies' bf16 values themselves,
//   Batch::pulled, decoded into `rows` once all are in; other lean precisions decode each reply
//   into both `rows` and `original` as it is waited for; fp32 copies after the waits).
// - Only the first total_rows slots travel (a batch's hot block, worker/hot_rows.h, never
//   does). StartPush sends, per server, the key list and the deltas (rows - OriginalRow): in
//   bf16 with stochastic rounding it forms them as it encodes and leaves `rows` as trained,
//   otherwise (PushReadsRows false) it turns `rows` into the deltas first.
//   FinishPush waits for those sends. The batch's buffers must not be refilled before
//   FinishPush returns.
// - CarryDeltas(prev, next) adds prev's deltas to the rows next shares with it, both to `rows`
//   and to what next's deltas are taken against (`original`, or a row of carried_original
//   that starts as pulled), and counts prev's push in their versions: next was pulled before
//   prev was pushed, so this restores "every own update is visible", which makes one worker
//   with overlap give exactly the result of one without.
// - Versions are pulled with the rows and pushed back with the deltas, so the servers can
//   scale stale deltas (ps/shard_store.h).
// - PostPull/PostPush/WaitAll are the per-server messages underneath, for key lists
//   that are not a Batch's (the hot-row cache, worker/hot_rows.h): same messages, same
//   order (replies received first, then the request), same byte counters.
// - Wire precision (common/wire_codec.h, ps/protocol.h): with bf16/fp16 the pulled rows arrive
//   in a staging buffer and are decoded into the caller's rows when their receive is waited
//   for (FinishPull / WaitAll); pushed deltas are encoded into a staging buffer kept until
//   their send is waited for, with error feedback through `residual` (worker/push_residual.h)
//   when one is given: each row's rounding residual is added to its next push. Without one,
//   bf16 deltas round stochastically (common/wire_codec.h EncodeBf16Stochastic, a fresh salt
//   per message from this rank and a message counter): unbiased, so small updates arrive on
//   average with no table to keep; int8/int4 deltas likewise (EncodeIntStochastic, per-row scale),
//   their pulls round to nearest (int4-int8: int4 pulls, int8 pushes); the worker passes a residual only for fp16, whose range
//   flushes tiny deltas to zero. The caller's rows themselves stay float (CarryDeltas reads
//   them, and forms the deltas again where the push left the rows as trained). fp32 moves the
//   caller's buffers directly.
// - Deeper pipelining in a lean precision: a push's key list and versions are staged too, so
//   it reads none of the batch's buffers; FinishPush then returns at once and the push stays in
//   flight while the worker computes the next batch. It is waited for at the next StartPush
//   (so at most one batch's push is outstanding) and by FlushPushes / SendDone. The messages
//   and their order are unchanged (a push still reaches the server before any later pull).
// - Liveness (ps/protocol.h kHeartbeat): Heartbeat() sends every server an empty kHeartbeat at
//   most every liveness/5 s (skipping a server whose previous one is still in flight); the
//   hot-path waits (FinishPull, FinishPush, WaitAll) send them too while they wait, and give
//   up after `liveness` s with a Timeout naming the server's rank and host.
// - Byte counters cover the hot path (bytes as sent on the wire). Not thread-safe; one per
//   worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/transport.h"
#include "common/wire_codec.h"
#include "worker/batch.h"

namespace item2vec {

class PushResidual;

class PsClient {
 public:
  PsClient(Transport* transport, int num_workers, int num_servers, int dim, double peer_timeout,
           WirePrecision wire = WirePrecision::kFp32, PushResidual* residual = nullptr)
      : t_(transport), workers_(num_workers), servers_(num_servers), dim_(static_cast<std::size_t>(dim)),
        timeout_(peer_timeout), wire_(wire), residual_(residual) {}

  void StartPull(Batch* batch);
  Status FinishPull(Batch* batch);
  void StartPush(Batch* batch);
  Status FinishPush(Batch* batch);
  void CarryDeltas(const Batch& prev, Batch* next);
  // The row slot `slot`'s delta is taken against (Batch::original / pulled / carried_original;
  // a pulled bf16 row is decoded into `scratch`, dim floats).
  const float* OriginalRow(const Batch& b, std::size_t slot, float* scratch) const;
  // Liveness timeout of the hot-path waits (default: peer_timeout) and heartbeats.
  void SetLiveness(double seconds) { liveness_ = seconds; }
  void Heartbeat();
  // Tells every server this worker will push no more (after FlushPushes).
  Status SendDone();
  // Waits for the push still in flight (lean precisions), if any.
  Status FlushPushes();

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
  // bf16 with stochastic rounding forms each delta as it encodes it and leaves the batch's
  // rows as trained (no write back: one pass reading rows and original); every other
  // precision turns the rows into their deltas first.
  bool PushReadsRows() const { return wire_ == WirePrecision::kBf16 && residual_ == nullptr; }
  // PostPull that also leaves the rows in `copy` (n * dim floats; null: none) once waited for;
  // with `keep_wire` (a lean precision) the reply lands there as it came and nothing is decoded.
  void PostPullInto(int server, const std::uint32_t* request, std::size_t words, float* rows, float* copy,
                    std::uint16_t* keep_wire, std::uint32_t* versions, std::size_t n, Handles* handles);
  // PostPush of trained rows: with `original` they first become their deltas (rows -
  // original); with `from` (bf16 with stochastic rounding) the deltas against what `from`'s
  // slots [first_slot, first_slot + n) were pulled as are formed as they are encoded; with
  // neither they are deltas already. The rows are only read unless `original` is given.
  void PostPushRows(int server, const std::uint32_t* request, std::size_t words, float* rows, const float* original,
                    const Batch* from, std::size_t first_slot, const std::uint32_t* versions, std::size_t n,
                    Handles* handles);
  // The stochastic bf16 of b's deltas rows - OriginalRow for slots [first_slot, first_slot + n).
  void EncodePulledDeltas(const Batch& b, std::size_t first_slot, std::size_t n, std::uint32_t salt,
                          std::uint16_t* dst);
  // A staging buffer for one message in a lean wire precision: a pull reply to decode into
  // `decode_to` (and `copy_to` when set; n floats each) once received, or a push's encoded
  // deltas (decode_to null).
  struct Staged {
    Transport::Handle handle = -1;
    std::vector<std::uint16_t> wire;  // the message's bytes (uint16_t: bf16/fp16 values)
    float* decode_to = nullptr;
    float* copy_to = nullptr;
    std::size_t n = 0;
    bool busy = false;
  };
  // A free staging buffer of `bytes` that decodes to `floats` values (0 for a copy).
  Staged& Stage(std::size_t floats, std::size_t bytes);
  // Copies `bytes` into a staging buffer that lives until its send is waited for.
  const void* StageCopy(const void* data, std::size_t bytes);
  // Waits for one handle, then decodes / releases its staging buffer if it has one.
  Status WaitOne(Transport::Handle h, const std::string& what);
  Transport* t_;
  int workers_, servers_;
  std::size_t dim_;
  double timeout_;
  WirePrecision wire_;
  PushResidual* residual_;
  double liveness_ = 0;  // 0: peer_timeout
  std::chrono::steady_clock::time_point last_beat_{};
  std::vector<Transport::Handle> beats_;  // per server: last heartbeat in flight (-1: none)
  std::deque<Staged> staged_;  // deque: entries stay put while it grows
  Staged* last_staged_ = nullptr;  // StageCopy's entry, whose handle the caller sets
  Status push_error_ = Status::Ok();  // StartPush's flush, reported by FinishPush
  Handles deferred_;               // the last batch's push, still in flight (lean precisions)
  std::uint64_t deferred_batch_ = 0;
  std::int64_t bytes_sent_ = 0, bytes_received_ = 0;
  std::uint32_t push_messages_ = 0;  // bf16 stochastic rounding: salt of the next push message
  std::string what_;  // WaitAll's message, reused
  std::vector<float> scratch_;  // CarryDeltas: one pulled bf16 row decoded (dim floats)
};

}  // namespace item2vec
