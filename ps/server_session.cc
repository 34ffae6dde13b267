#include "ps/server_session.h"

#include <chrono>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/deadline_wait.h"
#include "common/process_usage.h"
#include "common/serialize.h"
#include "common/stop_signal.h"
#include "ps/protocol.h"
#include "ps/shard_checkpoint.h"

namespace item2vec {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// "worker rank 3 on host n2" (the host where the transport knows it).
std::string WorkerName(const Transport& t, int rank) {
  const std::string host = t.HostOf(rank);
  return "worker rank " + std::to_string(rank) + (host.empty() ? "" : " on host " + host);
}

}  // namespace

ServerSession::ServerSession(Transport& transport, ShardStore& store, const ServingOptions& options,
                             ServerStats* stats)
    : t_(transport),
      store_(store),
      o_(options),
      liveness_(options.liveness > 0 ? options.liveness : options.peer_timeout),
      stats_(stats),
      handler_(&store, options.num_workers, options.vocab_size, stats, options.wire),
      replies_(transport),
      watch_idle_(store.rows() > 0),
      last_message_(Clock::now()),
      heard_(static_cast<std::size_t>(options.num_workers)),
      seen_(static_cast<std::size_t>(options.num_workers), 0),
      last_check_(Clock::now()) {}

Status ServerSession::Run() {
  while (!finished_) {
    ITEM2VEC_RETURN_IF_ERROR(PollSnapshot());
    ITEM2VEC_RETURN_IF_ERROR(CheckLiveness());
    Envelope e;
    if (!t_.Probe(Transport::kAnySource, Transport::kAnyTag, &e)) {
      ITEM2VEC_RETURN_IF_ERROR(Idle());
      continue;
    }
    const auto t0 = Clock::now();
    ITEM2VEC_RETURN_IF_ERROR(Receive(e));
    ITEM2VEC_RETURN_IF_ERROR(Dispatch(e));
    if (!finished_) stats_->busy_seconds += SecondsSince(t0);
  }
  return outcome_;
}

Status ServerSession::PollSnapshot() {
  CheckpointSaved saved;  // a waitpid: cheap next to a message
  if (snapshot_.busy() && snapshot_.Poll(&saved)) return SendSaved(saved);
  return Status::Ok();
}

Status ServerSession::CheckLiveness() {
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_check_).count() <= 0.5) return Status::Ok();
  last_check_ = now;
  if (stopping_) return Status::Ok();
  for (int w = 0; w < o_.num_workers; ++w) {
    const auto i = static_cast<std::size_t>(w);
    if (!seen_[i] || handler_.Done(w)) continue;
    const double quiet = std::chrono::duration<double>(now - heard_[i]).count();
    if (quiet > liveness_)
      return Status::Timeout(WorkerName(t_, w) + " sent nothing (no request, no heartbeat) for " +
                             std::to_string(static_cast<int>(quiet)) + " s (--liveness-timeout " +
                             std::to_string(static_cast<int>(liveness_)) +
                             "): its node is unreachable, or the rank died or hangs");
  }
  return Status::Ok();
}

Status ServerSession::Idle() {
  if (!stop_forwarded_ && StopRequested()) {
    stop_forwarded_ = true;
    spdlog::info("got {}: asking rank 0 to checkpoint and stop", StopSignalName());
    (void)t_.Test(t_.Isend(0, protocol::kStopRequest, nullptr, 0));
  }
  if (watch_idle_ && SecondsSince(last_message_) > o_.peer_timeout)
    return Status::Timeout("server heard from no worker for " + std::to_string(static_cast<int>(o_.peer_timeout)) +
                           " s (a worker or rank 0 hangs); see the other ranks' logs");
  backoff_.Pause();
  return Status::Ok();
}

Status ServerSession::Receive(const Envelope& e) {
  last_message_ = Clock::now();
  if (e.source >= 0 && e.source < o_.num_workers) {
    heard_[static_cast<std::size_t>(e.source)] = last_message_;
    seen_[static_cast<std::size_t>(e.source)] = 1;
  }
  backoff_.Reset();
  if (request_.size() < e.bytes) request_.resize(e.bytes);
  ITEM2VEC_RETURN_IF_ERROR(t_.ReceiveWithin(e, request_.data(), liveness_, "receiving a request's body"));
  stats_->bytes_received += static_cast<std::int64_t>(e.bytes);
  return Status::Ok();
}

Status ServerSession::Dispatch(const Envelope& e) {
  switch (e.tag) {
    case protocol::kPull:
      ++stats_->pulls;
      return ServeRows(e.source, request_.data(), e.bytes, protocol::kPullReply);
    case protocol::kPush:
      return ApplyPush(e);
    case protocol::kWorkerDone:
      return WorkerDone(e.source);
    case protocol::kDump:
      return HoldOrServeDump(e);
    case protocol::kCheckpointRequest:
    case protocol::kCheckpointMark:
      return CheckpointSignal(e);
    case protocol::kStop:
      return Stop();
    case protocol::kShutdown:
      return Shutdown();
    case protocol::kHeartbeat:    // liveness only: Receive() noted it
    case protocol::kStopRequest:  // meant for rank 0; never sent to a server
      return Status::Ok();
    default:
      return Status::Internal("server got unexpected message tag " + std::to_string(e.tag) + " from rank " +
                              std::to_string(e.source));
  }
}

// Answers a pull (rows, then versions) or a dump (rows only) from the pool.
Status ServerSession::ServeRows(int source, const char* request, std::size_t bytes, int reply_tag) {
  KeyList keys;
  ITEM2VEC_RETURN_IF_ERROR(handler_.ParseKeyList(request, bytes, source, &keys));
  if (reply_tag == protocol::kPullReply && o_.wire != WirePrecision::kFp32) {
    // Pull replies in a lean wire precision: encoded from the rows straight into the reply.
    const std::size_t reply_bytes = handler_.ReplyWireBytes(keys);
    std::vector<float>& reply = replies_.Acquire((reply_bytes + sizeof(float) - 1) / sizeof(float));
    handler_.ServeEncodedRows(keys, reply.data());
    replies_.Send(source, reply_tag, reply_bytes);
  } else {
    std::vector<float>& reply = replies_.Acquire(handler_.ReplyFloats(keys));
    handler_.ServeRows(keys, reply.data());
    replies_.Send(source, reply_tag);
  }
  if (reply_tag == protocol::kPullReply) {
    // Versions travel as 32-bit words in a float buffer of the same pool.
    std::vector<float>& words = replies_.Acquire(handler_.ReplyWords(keys));
    handler_.ServeVersions(keys, reinterpret_cast<std::uint32_t*>(words.data()));
    replies_.Send(source, protocol::kPullVersions);
  }
  return Status::Ok();
}

Status ServerSession::ApplyPush(const Envelope& e) {
  ++stats_->pushes;
  KeyList keys;
  ITEM2VEC_RETURN_IF_ERROR(handler_.ParseKeyList(request_.data(), e.bytes, e.source, &keys));
  Envelope re, ve;
  ITEM2VEC_RETURN_IF_ERROR(ReceivePushPart(e.source, protocol::kPushRows, &rows_, &re));
  stats_->bytes_received += static_cast<std::int64_t>(re.bytes);
  ITEM2VEC_RETURN_IF_ERROR(ReceivePushPart(e.source, protocol::kPushVersions, &versions_, &ve));
  return handler_.ApplyPush(keys, e.source, rows_.data(), re.bytes, versions_.data(), ve.bytes);
}

// The parts follow the header at once, so a wait of half the liveness timeout means the worker
// is lost: the server says so (naming the worker's host) before any other worker gives up on
// the server.
Status ServerSession::ReceivePushPart(int source, int tag, std::vector<char>* buf, Envelope* e) {
  const double timeout = liveness_ / 2;
  ITEM2VEC_RETURN_IF_ERROR(WaitUntil(
      DeadlineAfter(timeout),
      [&]() -> Result<WaitStep> { return t_.Probe(source, tag, e) ? WaitStep::kDone : WaitStep::kIdle; },
      [&] {
        return WorkerName(t_, source) + " sent a push header but not all of its push within " +
               std::to_string(static_cast<int>(timeout)) + " s: its node is unreachable, or the rank died or hangs";
      }));
  if (buf->size() < e->bytes) buf->resize(e->bytes);
  return t_.ReceiveWithin(*e, buf->data(), timeout, "receiving a push's body");
}

Status ServerSession::WorkerDone(int source) {
  const bool last = handler_.WorkerDone(source);
  ITEM2VEC_RETURN_IF_ERROR(MaybeCheckpoint());
  if (!last) return Status::Ok();
  for (const auto& [dump_source, buf] : held_dumps_)
    ITEM2VEC_RETURN_IF_ERROR(ServeRows(dump_source, buf.data(), buf.size(), protocol::kDumpReply));
  held_dumps_.clear();
  return SendUsage();
}

Status ServerSession::HoldOrServeDump(const Envelope& e) {
  if (handler_.AllWorkersDone()) return ServeRows(e.source, request_.data(), e.bytes, protocol::kDumpReply);
  held_dumps_.emplace_back(e.source, std::vector<char>(request_.begin(), request_.begin() + e.bytes));
  return Status::Ok();
}

Status ServerSession::CheckpointSignal(const Envelope& e) {
  if (e.tag == protocol::kCheckpointRequest) {
    if (e.bytes == sizeof(protocol::CheckpointSignal)) {
      protocol::CheckpointSignal signal;
      std::memcpy(&signal, request_.data(), sizeof signal);
      stopping_ = stopping_ || signal.stop != 0;
    }
    // Workers pause for the cut (they wait on rank 0, not on this server).
    for (auto& h : heard_) h = Clock::now();
  }
  ITEM2VEC_RETURN_IF_ERROR(handler_.CheckpointSignal(e.tag, e.source, request_.data(), e.bytes));
  return MaybeCheckpoint();
}

Status ServerSession::Stop() {
  ITEM2VEC_RETURN_IF_ERROR(replies_.DrainAll(o_.peer_timeout));
  snapshot_.Abort();  // rank 0 stops only after every file is in; nothing to finish
  finished_ = true;
  outcome_ = Status::Interrupted("stopped after a checkpoint");
  return Status::Ok();
}

Status ServerSession::Shutdown() {
  snapshot_.Abort();  // rank 0 completed every checkpoint before writing the model
  ITEM2VEC_RETURN_IF_ERROR(replies_.DrainAll(o_.peer_timeout));
  finished_ = true;
  outcome_ = Status::Ok();
  return Status::Ok();
}

Status ServerSession::MaybeCheckpoint() {
  const std::uint64_t sequence = handler_.CheckpointDue();
  if (sequence == 0) return Status::Ok();
  if (snapshot_.busy()) {
    CheckpointSaved previous;
    snapshot_.Wait(&previous);  // rank 0 starts one only after the last one ended; be safe
    ITEM2VEC_RETURN_IF_ERROR(SendSaved(previous));
  }
  snapshot_.Start(store_, o_.vocab_size, CheckpointPath(o_.checkpoint_dir, sequence), sequence, t_.rank());
  const protocol::CheckpointSignal taken{sequence, 0};
  handler_.CheckpointTaken();
  return t_.Wait(t_.Isend(0, protocol::kCheckpointSnapshot, &taken, sizeof taken), o_.peer_timeout,
                 "checkpoint note to rank 0");
}

Status ServerSession::SendSaved(const CheckpointSaved& saved) {
  saved_bytes_ = ToBytes(saved);
  return t_.Wait(t_.Isend(0, protocol::kCheckpointSaved, saved_bytes_.data(), saved_bytes_.size()), o_.peer_timeout,
                 "checkpoint report to rank 0");
}

Status ServerSession::SendUsage() {
  const ProcessUsage u = MeasureProcessUsage();
  usage_ = protocol::RankUsage{t_.rank(), u.peak_rss_bytes, u.cpu_seconds};
  return t_.Wait(t_.Isend(0, protocol::kRankUsage, &usage_, sizeof usage_), o_.peer_timeout, "usage report to rank 0");
}

}  // namespace item2vec
