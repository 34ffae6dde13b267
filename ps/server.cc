#include "ps/server.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/checkpoint.h"
#include "common/serialize.h"
#include "common/stop_signal.h"
#include "ps/protocol.h"
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
  void Send(int dest, int tag) {
    current_->handle = t_.Isend(dest, tag, current_->data.data(), current_->data.size() * sizeof(float));
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

struct KeyList {
  protocol::KeyListHeader header;
  const ItemId* in = nullptr;
  const ItemId* out = nullptr;
};

Status ParseKeyList(const std::vector<char>& buf, const Envelope& e, const Partition& partition,
                    int server, std::size_t vocab_size, KeyList* list) {
  if (e.bytes < sizeof(protocol::KeyListHeader))
    return Status::Internal("malformed request from rank " + std::to_string(e.source));
  std::memcpy(&list->header, buf.data(), sizeof list->header);
  const std::size_t n = static_cast<std::size_t>(list->header.n_in) + list->header.n_out;
  if (e.bytes != sizeof(protocol::KeyListHeader) + n * sizeof(ItemId))
    return Status::Internal("request from rank " + std::to_string(e.source) + " has a wrong size");
  list->in = reinterpret_cast<const ItemId*>(buf.data() + sizeof(protocol::KeyListHeader));
  list->out = list->in + list->header.n_in;
  for (std::size_t i = 0; i < n; ++i) {
    const ItemId k = list->in[i];
    if (k >= vocab_size || partition.ServerOf(k) != server)
      return Status::Internal("rank " + std::to_string(e.source) + " asked for key " + std::to_string(k) +
                              " that this server does not own");
  }
  return Status::Ok();
}

// Waits (with deadline) for a message of `tag` from `source` and receives it into buf.
Status ReceiveFrom(Transport& t, int source, int tag, std::vector<char>* buf, double timeout,
                   Envelope* e) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout));
  Backoff backoff;
  while (!t.Probe(source, tag, e)) {
    if (Clock::now() > deadline)
      return Status::Timeout("rank " + std::to_string(source) + " sent a push header but not all of its push within " +
                             std::to_string(static_cast<int>(timeout)) + " s");
    backoff.Pause();
  }
  if (buf->size() < e->bytes) buf->resize(e->bytes);
  return t.Receive(*e, buf->data());
}

}  // namespace

Status RunServer(Transport& t, ShardStore& store, const Partition& partition, int num_workers,
                 std::size_t vocab_size, double timeout, const std::string& checkpoint_dir, ServerStats* stats) {
  const int server = t.rank() - num_workers;
  const std::size_t dim = static_cast<std::size_t>(store.dim());
  ReplyPool replies(t);
  std::vector<char> request, rows, versions;
  std::deque<std::pair<int, std::vector<char>>> pending_dumps;
  int workers_done = 0;
  Backoff backoff;
  // Checkpoints: the sequence requested (0 = none pending), each worker's last mark, and
  // which workers are done.
  std::uint64_t pending_checkpoint = 0;
  std::vector<std::uint64_t> marked(static_cast<std::size_t>(num_workers), 0);
  std::vector<char> done(static_cast<std::size_t>(num_workers), 0);
  bool stop_forwarded = false;

  ShardSnapshot snapshot;
  std::string saved_bytes;
  auto send_saved = [&](const CheckpointSaved& saved) -> Status {
    saved_bytes = ToBytes(saved);
    return t.Wait(t.Isend(0, protocol::kCheckpointSaved, saved_bytes.data(), saved_bytes.size()), timeout,
                  "checkpoint report to rank 0");
  };
  auto poll_snapshot = [&]() -> Status {
    CheckpointSaved saved;
    if (snapshot.busy() && snapshot.Poll(&saved)) return send_saved(saved);
    return Status::Ok();
  };
  auto maybe_checkpoint = [&]() -> Status {
    if (pending_checkpoint == 0) return Status::Ok();
    for (int w = 0; w < num_workers; ++w)
      if (!done[static_cast<std::size_t>(w)] && marked[static_cast<std::size_t>(w)] < pending_checkpoint)
        return Status::Ok();
    // Fork the snapshot (the state at the cut), tell rank 0 at once, write in the background.
    if (snapshot.busy()) {
      CheckpointSaved previous;
      snapshot.Wait(&previous);  // rank 0 starts one only after the last one ended; be safe
      ITEM2VEC_RETURN_IF_ERROR(send_saved(previous));
    }
    snapshot.Start(store, vocab_size, CheckpointPath(checkpoint_dir, pending_checkpoint), pending_checkpoint, t.rank());
    const protocol::CheckpointSignal taken{pending_checkpoint, 0};
    pending_checkpoint = 0;
    return t.Wait(t.Isend(0, protocol::kCheckpointSnapshot, &taken, sizeof taken), timeout,
                  "checkpoint note to rank 0");
  };

  auto serve_rows = [&](const Envelope& e, const std::vector<char>& buf, int reply_tag) -> Status {
    KeyList keys;
    ITEM2VEC_RETURN_IF_ERROR(ParseKeyList(buf, e, partition, server, vocab_size, &keys));
    const std::size_t n_in = keys.header.n_in, n_out = keys.header.n_out;
    std::vector<float>& reply = replies.Acquire((n_in + n_out) * dim);
    store.Gather(Matrix::kInput, keys.in, n_in, reply.data());
    store.Gather(Matrix::kOutput, keys.out, n_out, reply.data() + n_in * dim);
    replies.Send(e.source, reply_tag);
    if (reply_tag == protocol::kPullReply) {
      // Versions travel as 32-bit words in a float buffer of the same pool.
      std::vector<float>& versions = replies.Acquire(n_in + n_out);
      auto* v = reinterpret_cast<std::uint32_t*>(versions.data());
      store.GatherVersions(Matrix::kInput, keys.in, n_in, v);
      store.GatherVersions(Matrix::kOutput, keys.out, n_out, v + n_in);
      replies.Send(e.source, protocol::kPullVersions);
    }
    stats->rows_sent += static_cast<std::int64_t>(n_in + n_out);
    stats->bytes_sent += static_cast<std::int64_t>((n_in + n_out) * dim * sizeof(float));
    return Status::Ok();
  };

  // A server that owns rows hears from some worker every batch; a long silence means
  // a worker or rank 0 hangs, and the job must end rather than wait forever.
  const bool watch_idle = store.rows() > 0;
  auto last_message = Clock::now();
  while (true) {
    Envelope e;
    ITEM2VEC_RETURN_IF_ERROR(poll_snapshot());  // a waitpid: cheap next to a message
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
    backoff.Reset();
    const auto t0 = Clock::now();
    if (request.size() < e.bytes) request.resize(e.bytes);
    ITEM2VEC_RETURN_IF_ERROR(t.Receive(e, request.data()));
    stats->bytes_received += static_cast<std::int64_t>(e.bytes);
    switch (e.tag) {
      case protocol::kPull:
        ++stats->pulls;
        ITEM2VEC_RETURN_IF_ERROR(serve_rows(e, request, protocol::kPullReply));
        break;
      case protocol::kPush: {
        ++stats->pushes;
        KeyList keys;
        ITEM2VEC_RETURN_IF_ERROR(ParseKeyList(request, e, partition, server, vocab_size, &keys));
        Envelope re;
        ITEM2VEC_RETURN_IF_ERROR(ReceiveFrom(t, e.source, protocol::kPushRows, &rows, timeout, &re));
        stats->bytes_received += static_cast<std::int64_t>(re.bytes);
        const std::size_t n_in = keys.header.n_in, n_out = keys.header.n_out;
        if (re.bytes != (n_in + n_out) * dim * sizeof(float))
          return Status::Internal("push rows from rank " + std::to_string(e.source) + " have a wrong size");
        Envelope ve;
        ITEM2VEC_RETURN_IF_ERROR(ReceiveFrom(t, e.source, protocol::kPushVersions, &versions, timeout, &ve));
        if (ve.bytes != (n_in + n_out) * sizeof(std::uint32_t))
          return Status::Internal("push versions from rank " + std::to_string(e.source) + " have a wrong size");
        const float* deltas = reinterpret_cast<const float*>(rows.data());
        const auto* pulled = reinterpret_cast<const std::uint32_t*>(versions.data());
        store.Add(Matrix::kInput, keys.in, n_in, deltas, pulled);
        store.Add(Matrix::kOutput, keys.out, n_out, deltas + n_in * dim, pulled + n_in);
        stats->rows_applied += static_cast<std::int64_t>(n_in + n_out);
        break;
      }
      case protocol::kWorkerDone:
        if (e.source >= 0 && e.source < num_workers) done[static_cast<std::size_t>(e.source)] = 1;
        ITEM2VEC_RETURN_IF_ERROR(maybe_checkpoint());
        if (++workers_done == num_workers) {
          for (const auto& [source, buf] : pending_dumps) {
            Envelope de{source, protocol::kDump, buf.size()};
            ITEM2VEC_RETURN_IF_ERROR(serve_rows(de, buf, protocol::kDumpReply));
          }
          pending_dumps.clear();
        }
        break;
      case protocol::kDump:
        if (workers_done < num_workers) {
          pending_dumps.emplace_back(e.source, std::vector<char>(request.begin(), request.begin() + e.bytes));
        } else {
          ITEM2VEC_RETURN_IF_ERROR(serve_rows(e, request, protocol::kDumpReply));
        }
        break;
      case protocol::kCheckpointRequest:
      case protocol::kCheckpointMark: {
        protocol::CheckpointSignal signal;
        if (e.bytes != sizeof signal) return Status::Internal("malformed checkpoint message from rank " + std::to_string(e.source));
        std::memcpy(&signal, request.data(), sizeof signal);
        if (e.tag == protocol::kCheckpointRequest) {
          pending_checkpoint = signal.sequence;
        } else if (e.source >= 0 && e.source < num_workers) {
          marked[static_cast<std::size_t>(e.source)] = signal.sequence;
        }
        ITEM2VEC_RETURN_IF_ERROR(maybe_checkpoint());
        break;
      }
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
