#include "worker/ps_client.h"

#include <algorithm>
#include <cstring>

#include "common/row_ops.h"
#include "ps/protocol.h"
#include "worker/push_residual.h"

namespace item2vec {

PsClient::Staged& PsClient::Stage(std::size_t floats) {
  Staged* slot = nullptr;
  for (Staged& s : staged_)
    if (!s.busy) {
      slot = &s;
      break;
    }
  if (slot == nullptr) slot = &staged_.emplace_back();
  if (slot->wire.size() < floats) slot->wire.resize(floats);
  slot->busy = true;
  slot->decode_to = nullptr;
  slot->copy_to = nullptr;
  slot->n = floats;
  return *slot;
}

void PsClient::Heartbeat() {
  const double limit = liveness_ > 0 ? liveness_ : timeout_;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_beat_).count() < limit / 5) return;
  last_beat_ = now;
  if (beats_.size() != static_cast<std::size_t>(servers_)) beats_.assign(static_cast<std::size_t>(servers_), -1);
  for (int s = 0; s < servers_; ++s) {
    Transport::Handle& h = beats_[static_cast<std::size_t>(s)];
    if (h >= 0 && !t_->Test(h)) continue;  // the last one has not left yet
    h = t_->Isend(ServerRank(s), protocol::kHeartbeat, nullptr, 0);
  }
}

const void* PsClient::StageCopy(const void* data, std::size_t bytes) {
  Staged& st = Stage((bytes + 1) / 2);
  if (bytes > 0) std::memcpy(st.wire.data(), data, bytes);
  last_staged_ = &st;
  return st.wire.data();
}

Status PsClient::FlushPushes() {
  for (const auto& [h, s] : deferred_)
    ITEM2VEC_RETURN_IF_ERROR(WaitOne(h, "push of batch " + std::to_string(deferred_batch_) + " to server rank " +
                                            std::to_string(ServerRank(s))));
  deferred_.clear();
  return Status::Ok();
}

Status PsClient::WaitOne(Transport::Handle h, const std::string& what) {
  // Waits in slices, sending heartbeats in between, up to the liveness timeout.
  const double limit = liveness_ > 0 ? liveness_ : timeout_;
  const double slice = std::max(0.05, std::min(limit, timeout_) / 10);
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    Status st = t_->Wait(h, slice, what);
    if (st.ok()) break;
    if (st.code() != Status::Code::kTimeout) return st;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= limit) {
      int peer = -1;
      for (int s = 0; s < servers_; ++s)
        if (what.find("server rank " + std::to_string(ServerRank(s))) != std::string::npos) peer = ServerRank(s);
      const std::string host = peer >= 0 ? t_->HostOf(peer) : "";
      return Status::Timeout(what + ": no answer within " + std::to_string(static_cast<int>(limit)) + " s" +
                             (host.empty() ? "" : " from server rank " + std::to_string(peer) + " on host " + host) +
                             " (--liveness-timeout): its node is unreachable, or the rank died or hangs");
    }
    Heartbeat();
  }
  if (wire_ == WirePrecision::kFp32) return Status::Ok();
  for (Staged& s : staged_)
    if (s.busy && s.handle == h) {
      if (s.copy_to != nullptr) {
        DecodeWireTwice(wire_, s.wire.data(), s.n, s.decode_to, s.copy_to);
      } else if (s.decode_to != nullptr) {
        DecodeWire(wire_, s.wire.data(), s.n, s.decode_to);
      }
      s.busy = false;
      break;
    }
  return Status::Ok();
}

void PsClient::PostPull(int server, const std::uint32_t* request, std::size_t words, float* rows,
                        std::uint32_t* versions, std::size_t n, Handles* handles) {
  PostPullInto(server, request, words, rows, nullptr, versions, n, handles);
}

void PsClient::PostPullInto(int server, const std::uint32_t* request, std::size_t words, float* rows, float* copy,
                            std::uint32_t* versions, std::size_t n, Handles* handles) {
  if (wire_ == WirePrecision::kFp32) {
    handles->emplace_back(t_->Irecv(ServerRank(server), protocol::kPullReply, rows, n * dim_ * sizeof(float)), server);
  } else {
    Staged& st = Stage(n * dim_);
    st.decode_to = rows;
    st.copy_to = copy;
    st.handle = t_->Irecv(ServerRank(server), protocol::kPullReply, st.wire.data(), n * dim_ * WireBytesPerValue(wire_));
    handles->emplace_back(st.handle, server);
  }
  handles->emplace_back(t_->Irecv(ServerRank(server), protocol::kPullVersions, versions, n * sizeof(std::uint32_t)),
                        server);
  handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPull, request, words * sizeof(std::uint32_t)), server);
  bytes_sent_ += static_cast<std::int64_t>(words * sizeof(std::uint32_t));
  bytes_received_ += static_cast<std::int64_t>(n * (dim_ * WireBytesPerValue(wire_) + sizeof(std::uint32_t)));
}

void PsClient::PostPush(int server, const std::uint32_t* request, std::size_t words, const float* rows,
                        const std::uint32_t* versions, std::size_t n, Handles* handles) {
  // Without `original` PostPushRows only reads the rows.
  PostPushRows(server, request, words, const_cast<float*>(rows), nullptr, versions, n, handles);
}

void PsClient::PostPushRows(int server, const std::uint32_t* request, std::size_t words, float* rows,
                            const float* original, const std::uint32_t* versions, std::size_t n, Handles* handles) {
  // Rows -> deltas: here, or fused into bf16's stochastic encoding below.
  const bool fused_deltas = original != nullptr && PushReadsRows();
  if (original != nullptr && !fused_deltas) SubtractRow(original, n * dim_, rows);
  if (wire_ == WirePrecision::kFp32) {
    handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPush, request, words * sizeof(std::uint32_t)), server);
  } else {
    const void* keys = StageCopy(request, words * sizeof(std::uint32_t));
    last_staged_->handle = t_->Isend(ServerRank(server), protocol::kPush, keys, words * sizeof(std::uint32_t));
    handles->emplace_back(last_staged_->handle, server);
  }
  if (wire_ == WirePrecision::kFp32) {
    handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPushRows, rows, n * dim_ * sizeof(float)), server);
  } else {
    Staged& st = Stage(n * dim_);
    const std::size_t row_bytes = dim_ * WireBytesPerValue(wire_);  // dim_ values of st.wire
    if (residual_ != nullptr) {
      const protocol::KeyListHeader* header = reinterpret_cast<const protocol::KeyListHeader*>(request);
      const std::uint32_t* keys = request + protocol::kHeaderWords;
      constexpr std::size_t kAhead = 4;  // residual rows are scattered over a large table
      for (std::size_t r = 0; r < n; ++r) {
        if (r + kAhead < n) residual_->Prefetch(r + kAhead >= header->n_in, keys[r + kAhead]);
        EncodeWireWithFeedback(wire_, rows + r * dim_, residual_->Row(r >= header->n_in, keys[r]), dim_,
                               st.wire.data() + r * dim_);
      }
    } else if (wire_ == WirePrecision::kBf16) {
      // A fresh salt per message: this rank's stream of push messages.
      const std::uint32_t salt = static_cast<std::uint32_t>(t_->rank()) * 0x9e3779b9u + push_messages_++;
      if (fused_deltas) {
        EncodeBf16StochasticDeltas(rows, original, n * dim_, salt, st.wire.data());
      } else {
        EncodeBf16Stochastic(rows, n * dim_, salt, st.wire.data());
      }
    } else {
      EncodeWire(wire_, rows, n * dim_, st.wire.data());
    }
    st.handle = t_->Isend(ServerRank(server), protocol::kPushRows, st.wire.data(), n * row_bytes);
    handles->emplace_back(st.handle, server);
  }
  if (wire_ == WirePrecision::kFp32) {
    handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPushVersions, versions, n * sizeof(std::uint32_t)),
                          server);
  } else {
    const void* staged = StageCopy(versions, n * sizeof(std::uint32_t));
    last_staged_->handle = t_->Isend(ServerRank(server), protocol::kPushVersions, staged, n * sizeof(std::uint32_t));
    handles->emplace_back(last_staged_->handle, server);
  }
  bytes_sent_ += static_cast<std::int64_t>((words + n) * sizeof(std::uint32_t) + n * dim_ * WireBytesPerValue(wire_));
}

Status PsClient::WaitAll(Handles* handles, const char* what) {
  for (const auto& [h, s] : *handles) {
    what_.assign(what);
    what_ += " (server rank ";
    what_ += std::to_string(ServerRank(s));  // short: no allocation
    what_ += ')';
    ITEM2VEC_RETURN_IF_ERROR(WaitOne(h, what_));
  }
  handles->clear();
  return Status::Ok();
}

void PsClient::StartPull(Batch* b) {
  b->pull_handles.clear();
  for (int s = 0; s < servers_; ++s) {
    const std::size_t n = b->NumIn(s) + b->NumOut(s);
    if (n == 0) continue;
    const auto& req = b->request[static_cast<std::size_t>(s)];
    const std::size_t first = b->first_slot[static_cast<std::size_t>(s)];
    // fp32 receives into rows only (FinishPull copies); lean precisions decode into both.
    PostPullInto(s, req.data(), req.size(), b->rows.data() + first * dim_,
                 wire_ == WirePrecision::kFp32 ? nullptr : b->original.data() + first * dim_,
                 b->versions.data() + first, n, &b->pull_handles);
  }
}

Status PsClient::FinishPull(Batch* b) {
  for (const auto& [h, s] : b->pull_handles)
    ITEM2VEC_RETURN_IF_ERROR(WaitOne(h, "pull of batch " + std::to_string(b->id) + " from server rank " +
                                                      std::to_string(ServerRank(s))));
  b->pull_handles.clear();
  // Lean precisions decoded into both buffers as each reply was waited for.
  if (wire_ == WirePrecision::kFp32) std::memcpy(b->original.data(), b->rows.data(), b->total_rows * dim_ * sizeof(float));
  return Status::Ok();
}

void PsClient::StartPush(Batch* b) {
  b->push_handles.clear();
  b->rows_are_deltas = !PushReadsRows();
  // Lean precisions: the previous batch's push must be out before this one goes (one in flight).
  if (wire_ != WirePrecision::kFp32) push_error_ = FlushPushes();
  for (int s = 0; s < servers_; ++s) {
    const std::size_t rows_n = b->NumIn(s) + b->NumOut(s);
    if (rows_n == 0) continue;
    const auto& req = b->request[static_cast<std::size_t>(s)];
    const std::size_t first = b->first_slot[static_cast<std::size_t>(s)];
    // The deltas (rows - original) are formed as the rows are encoded (see PushReadsRows).
    PostPushRows(s, req.data(), req.size(), b->rows.data() + first * dim_, b->original.data() + first * dim_,
                 b->versions.data() + first, rows_n, &b->push_handles);
  }
}

Status PsClient::FinishPush(Batch* b) {
  if (!push_error_.ok()) return push_error_;
  if (wire_ != WirePrecision::kFp32) {
    // Staged: the push reads none of the batch's buffers; it completes while the next computes.
    deferred_.swap(b->push_handles);
    b->push_handles.clear();
    deferred_batch_ = b->id;
    return Status::Ok();
  }
  for (const auto& [h, s] : b->push_handles)
    ITEM2VEC_RETURN_IF_ERROR(WaitOne(h, "push of batch " + std::to_string(b->id) + " to server rank " +
                                                      std::to_string(ServerRank(s))));
  b->push_handles.clear();
  return Status::Ok();
}

void PsClient::CarryDeltas(const Batch& prev, Batch* next) const {
  // Per server and role, both key lists are ascending: merge-join them.
  auto carry = [&](const std::uint32_t* pk, std::size_t pn, std::size_t pslot, const std::uint32_t* nk,
                   std::size_t nn, std::size_t nslot) {
    std::size_t i = 0, j = 0;
    while (i < pn && j < nn) {
      if (pk[i] < nk[j]) {
        ++i;
      } else if (nk[j] < pk[i]) {
        ++j;
      } else {
        // Into both: `original` stays the rows as the kernel starts them.
        const float* prev_row = prev.rows.data() + (pslot + i) * dim_;
        float* next_row = next->rows.data() + (nslot + j) * dim_;
        float* next_original = next->original.data() + (nslot + j) * dim_;
        if (prev.rows_are_deltas) {
          AddRow(prev_row, dim_, next_row);
          AddRow(prev_row, dim_, next_original);
        } else {
          AddDifference(prev_row, prev.original.data() + (pslot + i) * dim_, dim_, next_row, next_original);
        }
        // The row now includes prev's push, which the server counts as one version.
        ++next->versions[nslot + j];
        ++i;
        ++j;
      }
    }
  };
  for (int s = 0; s < servers_; ++s) {
    const std::size_t pfirst = prev.first_slot[static_cast<std::size_t>(s)];
    const std::size_t nfirst = next->first_slot[static_cast<std::size_t>(s)];
    carry(prev.InKeys(s), prev.NumIn(s), pfirst, next->InKeys(s), next->NumIn(s), nfirst);
    carry(prev.OutKeys(s), prev.NumOut(s), pfirst + prev.NumIn(s), next->OutKeys(s), next->NumOut(s),
          nfirst + next->NumIn(s));
  }
}

Status PsClient::SendDone() {
  ITEM2VEC_RETURN_IF_ERROR(FlushPushes());
  std::vector<Transport::Handle> handles;
  for (int s = 0; s < servers_; ++s) handles.push_back(t_->Isend(ServerRank(s), protocol::kWorkerDone, nullptr, 0));
  for (Transport::Handle h : handles) ITEM2VEC_RETURN_IF_ERROR(t_->Wait(h, timeout_, "sending done to the servers"));
  return Status::Ok();
}

}  // namespace item2vec
