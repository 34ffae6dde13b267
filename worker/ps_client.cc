#include "worker/ps_client.h"

#include <algorithm>
#include <cstring>

#include "common/row_ops.h"
#include "ps/protocol.h"
#include "worker/push_residual.h"

namespace item2vec {

PsClient::Staged& PsClient::Stage(std::size_t floats, std::size_t bytes) {
  Staged* slot = nullptr;
  for (Staged& s : staged_)
    if (!s.busy) {
      slot = &s;
      break;
    }
  if (slot == nullptr) slot = &staged_.emplace_back();
  const std::size_t words = (bytes + 1) / 2;
  if (slot->wire.size() < words) slot->wire.resize(words);
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
  Staged& st = Stage(0, bytes);
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
        DecodeWireTwice(PullWire(wire_), s.wire.data(), s.n / dim_, dim_, s.decode_to, s.copy_to);
      } else if (s.decode_to != nullptr) {
        DecodeWireRows(PullWire(wire_), s.wire.data(), s.n / dim_, dim_, s.decode_to);
      }
      s.busy = false;
      break;
    }
  return Status::Ok();
}

void PsClient::PostPull(int server, const std::uint32_t* request, std::size_t words, float* rows,
                        std::uint32_t* versions, std::size_t n, Handles* handles) {
  PostPullInto(server, request, words, rows, nullptr, nullptr, versions, n, handles);
}

void PsClient::PostPullInto(int server, const std::uint32_t* request, std::size_t words, float* rows, float* copy,
                            std::uint16_t* keep_wire, std::uint32_t* versions, std::size_t n, Handles* handles) {
  if (wire_ == WirePrecision::kFp32) {
    handles->emplace_back(t_->Irecv(ServerRank(server), protocol::kPullReply, rows, n * dim_ * sizeof(float)), server);
  } else if (keep_wire != nullptr) {
    handles->emplace_back(
        t_->Irecv(ServerRank(server), protocol::kPullReply, keep_wire, n * WireRowBytes(PullWire(wire_), dim_)), server);
  } else {
    Staged& st = Stage(n * dim_, n * WireRowBytes(PullWire(wire_), dim_));
    st.decode_to = rows;
    st.copy_to = copy;
    st.handle = t_->Irecv(ServerRank(server), protocol::kPullReply, st.wire.data(), n * WireRowBytes(PullWire(wire_), dim_));
    handles->emplace_back(st.handle, server);
  }
  handles->emplace_back(t_->Irecv(ServerRank(server), protocol::kPullVersions, versions, n * sizeof(std::uint32_t)),
                        server);
  handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPull, request, words * sizeof(std::uint32_t)), server);
  bytes_sent_ += static_cast<std::int64_t>(words * sizeof(std::uint32_t));
  bytes_received_ += static_cast<std::int64_t>(n * (WireRowBytes(PullWire(wire_), dim_) + sizeof(std::uint32_t)));
}

void PsClient::PostPush(int server, const std::uint32_t* request, std::size_t words, const float* rows,
                        const std::uint32_t* versions, std::size_t n, Handles* handles) {
  // Without `original` or `from` PostPushRows only reads the rows.
  PostPushRows(server, request, words, const_cast<float*>(rows), nullptr, nullptr, 0, versions, n, handles);
}

void PsClient::PostPushRows(int server, const std::uint32_t* request, std::size_t words, float* rows,
                            const float* original, const Batch* from, std::size_t first_slot,
                            const std::uint32_t* versions, std::size_t n, Handles* handles) {
  // Rows -> deltas: here, or (from a batch in bf16 with stochastic rounding) as they are encoded.
  if (original != nullptr) SubtractRow(original, n * dim_, rows);
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
    const std::size_t row_bytes = WireRowBytes(PushWire(wire_), dim_);
    Staged& st = Stage(n * dim_, n * row_bytes);
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
      if (from != nullptr) {
        EncodePulledDeltas(*from, first_slot, n, salt, st.wire.data());
      } else {
        EncodeBf16Stochastic(rows, n * dim_, salt, st.wire.data());
      }
    } else if (PushWire(wire_) == WirePrecision::kInt8 || PushWire(wire_) == WirePrecision::kInt4) {
      // Deltas round stochastically as in bf16 (the rows are deltas by now).
      const std::uint32_t salt = static_cast<std::uint32_t>(t_->rank()) * 0x9e3779b9u + push_messages_++;
      EncodeIntStochastic(PushWire(wire_), rows, n, dim_, salt, st.wire.data());
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
  bytes_sent_ += static_cast<std::int64_t>((words + n) * sizeof(std::uint32_t) + n * WireRowBytes(PushWire(wire_), dim_));
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
  const std::size_t floats = b->total_rows * dim_;
  const bool keep_wire = PushReadsRows();
  if (keep_wire) {
    if (b->pulled.size() < floats) b->pulled.resize(floats);
    b->carried_index.assign(b->total_rows, -1);
    b->carried_rows = 0;
  } else if (b->original.size() < floats) {
    b->original.resize(floats);
  }
  b->ForEachServerWithRows(servers_, [&](int s, const std::vector<std::uint32_t>& req, std::size_t first,
                                           std::size_t n) {
    // fp32 receives into rows (FinishPull copies them); bf16 with stochastic rounding into
    // `pulled` (FinishPull decodes it); the other lean precisions decode into both.
    PostPullInto(s, req.data(), req.size(), b->rows.data() + first * dim_,
                 wire_ == WirePrecision::kFp32 || keep_wire ? nullptr : b->original.data() + first * dim_,
                 keep_wire ? b->pulled.data() + first * dim_ : nullptr, b->versions.data() + first, n,
                 &b->pull_handles);
  });
}

Status PsClient::FinishPull(Batch* b) {
  const bool received = !b->pull_handles.empty();  // a second call (after a checkpoint) has nothing to do
  for (const auto& [h, s] : b->pull_handles)
    ITEM2VEC_RETURN_IF_ERROR(WaitOne(h, "pull of batch " + std::to_string(b->id) + " from server rank " +
                                                      std::to_string(ServerRank(s))));
  b->pull_handles.clear();
  if (PushReadsRows()) {
    if (received) DecodeWire(wire_, b->pulled.data(), b->total_rows * dim_, b->rows.data());
    return Status::Ok();
  }
  // Lean precisions decoded into both buffers as each reply was waited for.
  if (wire_ == WirePrecision::kFp32) std::memcpy(b->original.data(), b->rows.data(), b->total_rows * dim_ * sizeof(float));
  return Status::Ok();
}

void PsClient::StartPush(Batch* b) {
  b->push_handles.clear();
  // Lean precisions: the previous batch's push must be out before this one goes (one in flight).
  if (wire_ != WirePrecision::kFp32) push_error_ = FlushPushes();
  b->ForEachServerWithRows(servers_, [&](int s, const std::vector<std::uint32_t>& req, std::size_t first,
                                           std::size_t rows_n) {
    // bf16 with stochastic rounding forms the deltas as it encodes (see PushReadsRows).
    PostPushRows(s, req.data(), req.size(), b->rows.data() + first * dim_,
                 PushReadsRows() ? nullptr : b->original.data() + first * dim_, PushReadsRows() ? b : nullptr, first,
                 b->versions.data() + first, rows_n, &b->push_handles);
  });
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

const float* PsClient::OriginalRow(const Batch& b, std::size_t slot, float* scratch) const {
  if (!PushReadsRows()) return b.original.data() + slot * dim_;
  const std::int32_t carried = b.carried_index[slot];
  if (carried >= 0) return b.carried_original.data() + static_cast<std::size_t>(carried) * dim_;
  DecodeWire(wire_, b.pulled.data() + slot * dim_, dim_, scratch);
  return scratch;
}

void PsClient::EncodePulledDeltas(const Batch& b, std::size_t first_slot, std::size_t n, std::uint32_t salt,
                                  std::uint16_t* dst) {
  // Runs of slots nothing was carried into are encoded against `pulled` in one call; each
  // carried slot against its row of carried_original. The random bits are those of one call.
  const float* rows = b.rows.data() + first_slot * dim_;
  const std::uint16_t* pulled = b.pulled.data() + first_slot * dim_;
  std::size_t r = 0;
  while (r < n) {
    std::size_t end = r;
    while (end < n && b.carried_index[first_slot + end] < 0) ++end;
    if (end > r)
      EncodeBf16StochasticPulledDeltas(rows + r * dim_, pulled + r * dim_, (end - r) * dim_, salt,
                                       static_cast<std::uint32_t>(r * dim_), dst + r * dim_);
    if (end < n) {
      const float* original = b.carried_original.data() + static_cast<std::size_t>(b.carried_index[first_slot + end]) * dim_;
      EncodeBf16StochasticDeltas(rows + end * dim_, original, dim_, salt, static_cast<std::uint32_t>(end * dim_),
                                 dst + end * dim_);
      ++end;
    }
    r = end;
  }
}

void PsClient::CarryDeltas(const Batch& prev, Batch* next) {
  if (scratch_.size() < dim_) scratch_.resize(dim_);
  float* const decoded = scratch_.data();
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
        // prev's delta goes into both the row and what next's delta is taken against, so that
        // next pushes only its own change.
        const std::size_t ps = pslot + i, ns = nslot + j;
        const float* prev_row = prev.rows.data() + ps * dim_;
        float* next_row = next->rows.data() + ns * dim_;
        if (!PushReadsRows()) {  // prev's rows are its deltas
          AddRow(prev_row, dim_, next_row);
          AddRow(prev_row, dim_, next->original.data() + ns * dim_);
        } else {  // bf16 with stochastic rounding: prev's deltas are rows - OriginalRow, again
          std::int32_t& k = next->carried_index[ns];
          if (k < 0) {  // the row's first carry: its reference starts as pulled
            k = static_cast<std::int32_t>(next->carried_rows++);
            if (next->carried_original.size() < next->carried_rows * dim_)
              next->carried_original.resize(std::max(next->carried_rows * dim_, 2 * next->carried_original.size()));
            DecodeWire(wire_, next->pulled.data() + ns * dim_, dim_,
                       next->carried_original.data() + static_cast<std::size_t>(k) * dim_);
          }
          AddDifference(prev_row, OriginalRow(prev, ps, decoded), dim_, next_row,
                        next->carried_original.data() + static_cast<std::size_t>(k) * dim_);
        }
        // The row now includes prev's push, which the server counts as one version.
        ++next->versions[ns];
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
