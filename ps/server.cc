#include "ps/server.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/checkpoint.h"
#include "common/deadline_wait.h"
#include "common/process_usage.h"
#include "common/serialize.h"
#include "common/stop_signal.h"
#include "ps/protocol.h"
#include "ps/request_handler.h"
#include "ps/shard_checkpoint.h"
#include "ps/shard_snapshot.h"

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

// Reply buffers stay alive until their send completes; reused afterwards.
class ReplyPool {
 public:
  explicit ReplyPool(Transport& t) : t_(t) {}
  std::vector<float>& Acquire(std::size_t floats) {
    for (Slot& s : slots_) {
      if (s.busy && t_.Test(s.handle)) s.busy = false;
      if (!s.busy) {
        s.data.resize(floats);
        s.busy = true;
        current_ = &s;
        return s.data;
      }
    }
    slots_.emplace_back();
    slots_.back().data.resize(floats);
    slots_.back().busy = true;
    current_ = &slots_.back();
    return slots_.back().data;
  }
  // Sends the first `bytes` of the buffer last acquired (all of it by default).
  void Send(int dest, int tag, std::size_t bytes = ~std::size_t{0}) {
    current_->handle = t_.Isend(dest, tag, current_->data.data(), std::min(bytes, current_->data.size() * sizeof(float)));
  }
  Status DrainAll(double timeout) {
    for (Slot& s : slots_)
      if (s.busy) {
        ITEM2VEC_RETURN_IF_ERROR(t_.Wait(s.handle, timeout, "server reply send"));
        s.busy = false;
      }
    return Status::Ok();
  }

 private:
  struct Slot {
    std::vector<float> data;
    Transport::Handle handle = -1;
    bool busy = false;
  };
  Transport& t_;
  std::deque<Slot> slots_;  // deque: pointers stay valid as it grows
  Slot* current_ = nullptr;
};

// Receives the message of `tag` from `source` that a push header announced. The parts follow
// the header at once, so a wait of half the liveness timeout means the worker is lost: the
// server says so (naming the worker's host) before any other worker gives up on the server.
Status ReceivePushPart(Transport& t, int source, int tag, std::vector<char>* buf, double timeout, Envelope* e) {
  ITEM2VEC_RETURN_IF_ERROR(WaitUntil(
      DeadlineAfter(timeout),
      [&]() -> Result<WaitStep> { return t.Probe(source, tag, e) ? WaitStep::kDone : WaitStep::kIdle; },
      [&] {
        const std::string host = t.HostOf(source);
        return "worker rank " + std::to_string(source) + (host.empty() ? "" : " on host " + host) +
               " sent a push header but not all of its push within " + std::to_string(static_cast<int>(timeout)) +
               " s: its node is unreachable, or the rank died or hangs";
      }));
  if (buf->size() < e->bytes) buf->resize(e->bytes);
  return t.Receive(*e, buf->data());
}

}  // namespace

Status RunServer(Transport& t, ShardStore& store, int num_workers,
                 std::size_t vocab_size, double timeout, const std::string& checkpoint_dir, ServerStats* stats,
                 WirePrecision wire, double liveness) {
  if (liveness <= 0) liveness = timeout;
  RequestHandler handler(&store, num_workers, vocab_size, stats, wire);
  ReplyPool replies(t);
  std::vector<char> request, rows, versions;
  std::deque<std::pair<int, std::vector<char>>> pending_dumps;
  Backoff backoff;
  bool stop_forwarded = false;

  ShardSnapshot snapshot;
  std::string saved_bytes;
  auto send_saved = [&](const CheckpointSaved& saved) -> Status {
    saved_bytes = ToBytes(saved);
    return t.Wait(t.Isend(0, protocol::kCheckpointSaved, saved_bytes.data(), saved_bytes.size()), timeout,
                  "checkpoint report to rank 0");
  };
  // Training is over (every worker is done): this rank's peak memory and CPU for rank 0.
  protocol::RankUsage usage;
  auto send_usage = [&]() -> Status {
    const ProcessUsage u = MeasureProcessUsage();
    usage = protocol::RankUsage{t.rank(), u.peak_rss_bytes, u.cpu_seconds};
    return t.Wait(t.Isend(0, protocol::kRankUsage, &usage, sizeof usage), timeout, "usage report to rank 0");
  };
  // Once the cut is complete: fork the snapshot (the state at the cut), tell rank 0 at
  // once, write in the background.
  auto maybe_checkpoint = [&]() -> Status {
    const std::uint64_t sequence = handler.CheckpointDue();
    if (sequence == 0) return Status::Ok();
    if (snapshot.busy()) {
      CheckpointSaved previous;
      snapshot.Wait(&previous);  // rank 0 starts one only after the last one ended; be safe
      ITEM2VEC_RETURN_IF_ERROR(send_saved(previous));
    }
    snapshot.Start(store, vocab_size, CheckpointPath(checkpoint_dir, sequence), sequence, t.rank());
    const protocol::CheckpointSignal taken{sequence, 0};
    handler.CheckpointTaken();
    return t.Wait(t.Isend(0, protocol::kCheckpointSnapshot, &taken, sizeof taken), timeout,
                  "checkpoint note to rank 0");
  };
  // Answers a pull (rows, then versions) or a dump (rows only) from the pool.
  auto serve_rows = [&](int source, const std::vector<char>& buf, std::size_t bytes, int reply_tag) -> Status {
    KeyList keys;
    ITEM2VEC_RETURN_IF_ERROR(handler.ParseKeyList(buf.data(), bytes, source, &keys));
    if (reply_tag == protocol::kPullReply && wire != WirePrecision::kFp32) {
      // Pull replies in a lean wire precision: encoded from the rows straight into the reply.
      const std::size_t bytes = handler.ReplyFloats(keys) * WireBytesPerValue(wire);
      std::vector<float>& reply = replies.Acquire((bytes + sizeof(float) - 1) / sizeof(float));
      handler.ServeEncodedRows(keys, reply.data());
      replies.Send(source, reply_tag, bytes);
    } else {
      std::vector<float>& reply = replies.Acquire(handler.ReplyFloats(keys));
      handler.ServeRows(keys, reply.data());
      replies.Send(source, reply_tag);
    }
    if (reply_tag == protocol::kPullReply) {
      // Versions travel as 32-bit words in a float buffer of the same pool.
      std::vector<float>& words = replies.Acquire(handler.ReplyWords(keys));
      handler.ServeVersions(keys, reinterpret_cast<std::uint32_t*>(words.data()));
      replies.Send(source, protocol::kPullVersions);
    }
    return Status::Ok();
  };

  // A server that owns rows hears from some worker every batch; a long silence means
  // a worker or rank 0 hangs, and the job must end rather than wait forever.
  const bool watch_idle = store.rows() > 0;
  auto last_message = Clock::now();
  // Liveness of each worker (ps/protocol.h kHeartbeat), checked at most twice a second.
  std::vector<Clock::time_point> heard(static_cast<std::size_t>(num_workers));
  std::vector<char> seen(static_cast<std::size_t>(num_workers), 0);
  bool stopping = false;  // a stop checkpoint is pending: workers go quiet and exit
  auto last_check = Clock::now();
  auto check_workers = [&](Clock::time_point now) -> Status {
    last_check = now;
    if (stopping) return Status::Ok();
    for (int w = 0; w < num_workers; ++w) {
      const auto i = static_cast<std::size_t>(w);
      if (!seen[i] || handler.Done(w)) continue;
      const double quiet = std::chrono::duration<double>(now - heard[i]).count();
      if (quiet > liveness) {
        const std::string host = t.HostOf(w);
        return Status::Timeout("worker rank " + std::to_string(w) + (host.empty() ? "" : " on host " + host) +
                               " sent nothing (no request, no heartbeat) for " + std::to_string(static_cast<int>(quiet)) +
                               " s (--liveness-timeout " + std::to_string(static_cast<int>(liveness)) +
                               "): its node is unreachable, or the rank died or hangs");
      }
    }
    return Status::Ok();
  };
  while (true) {
    Envelope e;
    CheckpointSaved saved;  // a waitpid: cheap next to a message
    if (snapshot.busy() && snapshot.Poll(&saved)) ITEM2VEC_RETURN_IF_ERROR(send_saved(saved));
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_check).count() > 0.5) ITEM2VEC_RETURN_IF_ERROR(check_workers(now));
    if (!t.Probe(Transport::kAnySource, Transport::kAnyTag, &e)) {
      if (!stop_forwarded && StopRequested()) {
        stop_forwarded = true;
        spdlog::info("got {}: asking rank 0 to checkpoint and stop", StopSignalName());
        (void)t.Test(t.Isend(0, protocol::kStopRequest, nullptr, 0));
      }
      if (watch_idle && std::chrono::duration<double>(Clock::now() - last_message).count() > timeout)
        return Status::Timeout("server heard from no worker for " + std::to_string(static_cast<int>(timeout)) +
                               " s (a worker or rank 0 hangs); see the other ranks' logs");
      backoff.Pause();
      continue;
    }
    last_message = Clock::now();
    if (e.source >= 0 && e.source < num_workers) {
      heard[static_cast<std::size_t>(e.source)] = last_message;
      seen[static_cast<std::size_t>(e.source)] = 1;
    }
    backoff.Reset();
    const auto t0 = Clock::now();
    if (request.size() < e.bytes) request.resize(e.bytes);
    ITEM2VEC_RETURN_IF_ERROR(t.Receive(e, request.data()));
    stats->bytes_received += static_cast<std::int64_t>(e.bytes);
    switch (e.tag) {
      case protocol::kPull:
        ++stats->pulls;
        ITEM2VEC_RETURN_IF_ERROR(serve_rows(e.source, request, e.bytes, protocol::kPullReply));
        break;
      case protocol::kPush: {
        ++stats->pushes;
        KeyList keys;
        ITEM2VEC_RETURN_IF_ERROR(handler.ParseKeyList(request.data(), e.bytes, e.source, &keys));
        Envelope re, ve;
        ITEM2VEC_RETURN_IF_ERROR(ReceivePushPart(t, e.source, protocol::kPushRows, &rows, liveness / 2, &re));
        stats->bytes_received += static_cast<std::int64_t>(re.bytes);
        ITEM2VEC_RETURN_IF_ERROR(ReceivePushPart(t, e.source, protocol::kPushVersions, &versions, liveness / 2, &ve));
        ITEM2VEC_RETURN_IF_ERROR(handler.ApplyPush(keys, e.source, rows.data(), re.bytes, versions.data(), ve.bytes));
        break;
      }
      case protocol::kWorkerDone: {
        const bool last = handler.WorkerDone(e.source);
        ITEM2VEC_RETURN_IF_ERROR(maybe_checkpoint());
        if (last) {
          for (const auto& [source, buf] : pending_dumps)
            ITEM2VEC_RETURN_IF_ERROR(serve_rows(source, buf, buf.size(), protocol::kDumpReply));
          pending_dumps.clear();
          ITEM2VEC_RETURN_IF_ERROR(send_usage());
        }
        break;
      }
      case protocol::kDump:
        if (!handler.AllWorkersDone()) {
          pending_dumps.emplace_back(e.source, std::vector<char>(request.begin(), request.begin() + e.bytes));
        } else {
          ITEM2VEC_RETURN_IF_ERROR(serve_rows(e.source, request, e.bytes, protocol::kDumpReply));
        }
        break;
      case protocol::kHeartbeat:
        break;
      case protocol::kCheckpointRequest:
        if (e.bytes == sizeof(protocol::CheckpointSignal)) {
          protocol::CheckpointSignal signal;
          std::memcpy(&signal, request.data(), sizeof signal);
          stopping = stopping || signal.stop != 0;
        }
        // Workers pause for the cut (they wait on rank 0, not on this server).
        for (auto& h : heard) h = Clock::now();
        [[fallthrough]];
      case protocol::kCheckpointMark:
        ITEM2VEC_RETURN_IF_ERROR(handler.CheckpointSignal(e.tag, e.source, request.data(), e.bytes));
        ITEM2VEC_RETURN_IF_ERROR(maybe_checkpoint());
        break;
      case protocol::kStop:
        ITEM2VEC_RETURN_IF_ERROR(replies.DrainAll(timeout));
        snapshot.Abort();  // rank 0 stops only after every file is in; nothing to finish
        return Status::Interrupted("stopped after a checkpoint");
      case protocol::kStopRequest:  // meant for rank 0; never sent to a server
        break;
      case protocol::kShutdown:
        snapshot.Abort();  // rank 0 completed every checkpoint before writing the model
        return replies.DrainAll(timeout);
      default:
        return Status::Internal("server got unexpected message tag " + std::to_string(e.tag) + " from rank " +
                                std::to_string(e.source));
    }
    stats->busy_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  }
}

}  // namespace item2vec
