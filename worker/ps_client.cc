#include "worker/ps_client.h"

#include <algorithm>
#include <cstring>

#include "ps/protocol.h"

namespace item2vec {

void PsClient::PostPull(int server, const std::uint32_t* request, std::size_t words, float* rows,
                        std::uint32_t* versions, std::size_t n, Handles* handles) {
  handles->emplace_back(t_->Irecv(ServerRank(server), protocol::kPullReply, rows, n * dim_ * sizeof(float)), server);
  handles->emplace_back(t_->Irecv(ServerRank(server), protocol::kPullVersions, versions, n * sizeof(std::uint32_t)),
                        server);
  handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPull, request, words * sizeof(std::uint32_t)), server);
  bytes_sent_ += static_cast<std::int64_t>(words * sizeof(std::uint32_t));
  bytes_received_ += static_cast<std::int64_t>(n * (dim_ * sizeof(float) + sizeof(std::uint32_t)));
}

void PsClient::PostPush(int server, const std::uint32_t* request, std::size_t words, const float* rows,
                        const std::uint32_t* versions, std::size_t n, Handles* handles) {
  handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPush, request, words * sizeof(std::uint32_t)), server);
  handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPushRows, rows, n * dim_ * sizeof(float)), server);
  handles->emplace_back(t_->Isend(ServerRank(server), protocol::kPushVersions, versions, n * sizeof(std::uint32_t)),
                        server);
  bytes_sent_ += static_cast<std::int64_t>((words + n) * sizeof(std::uint32_t) + n * dim_ * sizeof(float));
}

Status PsClient::WaitAll(Handles* handles, const char* what) {
  for (const auto& [h, s] : *handles) {
    what_.assign(what);
    what_ += " (server rank ";
    what_ += std::to_string(ServerRank(s));  // short: no allocation
    what_ += ')';
    ITEM2VEC_RETURN_IF_ERROR(t_->Wait(h, timeout_, what_));
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
    PostPull(s, req.data(), req.size(), b->rows.data() + first * dim_, b->versions.data() + first, n, &b->pull_handles);
  }
}

Status PsClient::FinishPull(Batch* b) {
  for (const auto& [h, s] : b->pull_handles)
    ITEM2VEC_RETURN_IF_ERROR(t_->Wait(h, timeout_, "pull of batch " + std::to_string(b->id) + " from server rank " +
                                                      std::to_string(ServerRank(s))));
  b->pull_handles.clear();
  return Status::Ok();
}

void PsClient::Snapshot(Batch* b) const {
  std::memcpy(b->original.data(), b->rows.data(), b->total_rows * dim_ * sizeof(float));
}

void PsClient::StartPush(Batch* b) {
  const std::size_t n = b->total_rows * dim_;
  float* __restrict rows = b->rows.data();
  const float* __restrict orig = b->original.data();
  for (std::size_t i = 0; i < n; ++i) rows[i] -= orig[i];
  b->push_handles.clear();
  for (int s = 0; s < servers_; ++s) {
    const std::size_t rows_n = b->NumIn(s) + b->NumOut(s);
    if (rows_n == 0) continue;
    const auto& req = b->request[static_cast<std::size_t>(s)];
    const std::size_t first = b->first_slot[static_cast<std::size_t>(s)];
    PostPush(s, req.data(), req.size(), b->rows.data() + first * dim_, b->versions.data() + first, rows_n,
             &b->push_handles);
  }
}

Status PsClient::FinishPush(Batch* b) {
  for (const auto& [h, s] : b->push_handles)
    ITEM2VEC_RETURN_IF_ERROR(t_->Wait(h, timeout_, "push of batch " + std::to_string(b->id) + " to server rank " +
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
        const float* __restrict delta = prev.rows.data() + (pslot + i) * dim_;
        float* __restrict row = next->rows.data() + (nslot + j) * dim_;
        for (std::size_t x = 0; x < dim_; ++x) row[x] += delta[x];
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
  std::vector<Transport::Handle> handles;
  for (int s = 0; s < servers_; ++s) handles.push_back(t_->Isend(ServerRank(s), protocol::kWorkerDone, nullptr, 0));
  for (Transport::Handle h : handles) ITEM2VEC_RETURN_IF_ERROR(t_->Wait(h, timeout_, "sending done to the servers"));
  return Status::Ok();
}

}  // namespace item2vec
