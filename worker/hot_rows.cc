#include "worker/hot_rows.h"

#include <algorithm>
#include <cstring>

#include "ps/protocol.h"

namespace item2vec {
namespace {

// Key lists of cache syncs carry this bit in their batch id (batches count from 0 up).
constexpr std::uint64_t kSyncIdBit = std::uint64_t{1} << 63;

}  // namespace

ItemId HotRowCount(std::int64_t hot_rows, std::size_t vocab_size) {
  const std::int64_t h = std::min<std::int64_t>(std::max<std::int64_t>(hot_rows, 0), static_cast<std::int64_t>(vocab_size));
  return static_cast<ItemId>(h);
}

ItemId HotRowCount(const DistributionOptions& options, std::size_t vocab_size) {
  return HotRowCount(options.hot_rows, vocab_size);
}

HotRowCache::HotRowCache(ItemId hot_rows, int dim, const Partition& partition)
    : hot_(hot_rows), dim_(static_cast<std::size_t>(dim)), servers_(partition.num_servers()) {
  const std::size_t S = static_cast<std::size_t>(servers_);
  const std::size_t rows = 2 * static_cast<std::size_t>(hot_);
  first_.assign(S, 0);
  count_.assign(S, 0);
  for (ItemId k = 0; k < hot_; ++k) ++count_[static_cast<std::size_t>(partition.ServerOf(k))];
  for (std::size_t s = 1; s < S; ++s) first_[s] = first_[s - 1] + 2 * count_[s - 1];
  in_index_.resize(hot_);
  out_index_.resize(hot_);
  pull_request_.resize(S);
  push_request_.resize(S);
  for (std::size_t s = 0; s < S; ++s) {
    pull_request_[s].assign(protocol::kHeaderWords + 2 * count_[s], 0);
    push_request_[s].reserve(protocol::kHeaderWords + 2 * count_[s]);
  }
  for (ItemId k = 0; k < hot_; ++k) {
    const std::size_t s = static_cast<std::size_t>(partition.ServerOf(k));
    const std::size_t local = partition.LocalIndex(k);  // k's rank among s's cached keys
    in_index_[k] = static_cast<std::uint32_t>(first_[s] + local);
    out_index_[k] = static_cast<std::uint32_t>(first_[s] + count_[s] + local);
    pull_request_[s][protocol::kHeaderWords + local] = k;
    pull_request_[s][protocol::kHeaderWords + count_[s] + local] = k;
  }
  current_.assign(rows * dim_, 0.0f);
  base_.assign(rows * dim_, 0.0f);
  versions_.assign(rows, 0);
  changed_.assign(rows, 0);
  push_rows_.assign(rows * dim_, 0.0f);
  push_versions_.assign(rows, 0);
  push_index_.assign(rows, 0);
  push_count_.assign(S, 0);
  handles_.reserve(6 * S);
}

void HotRowCache::Load(Batch* b) const {
  float* dst = b->rows.data() + b->total_rows * dim_;
  const std::size_t bytes = dim_ * sizeof(float);
  for (ItemId k : b->hot_in) {
    std::memcpy(dst, current_.data() + in_index_[k] * dim_, bytes);
    dst += dim_;
  }
  for (ItemId k : b->hot_out) {
    std::memcpy(dst, current_.data() + out_index_[k] * dim_, bytes);
    dst += dim_;
  }
}

void HotRowCache::Store(const Batch& b) {
  const float* src = b.rows.data() + b.total_rows * dim_;
  const std::size_t bytes = dim_ * sizeof(float);
  for (ItemId k : b.hot_in) {
    std::memcpy(current_.data() + in_index_[k] * dim_, src, bytes);
    changed_[in_index_[k]] = 1;
    src += dim_;
  }
  for (ItemId k : b.hot_out) {
    std::memcpy(current_.data() + out_index_[k] * dim_, src, bytes);
    changed_[out_index_[k]] = 1;
    src += dim_;
  }
}

std::size_t HotRowCache::changed_rows() const {
  return static_cast<std::size_t>(std::count(changed_.begin(), changed_.end(), std::uint8_t{1}));
}

std::size_t HotRowCache::PreparePush() {
  std::size_t total = 0;
  const std::uint64_t id = kSyncIdBit | syncs_;
  for (std::size_t s = 0; s < static_cast<std::size_t>(servers_); ++s) {
    auto& req = push_request_[s];
    req.resize(protocol::kHeaderWords);  // within the reserved capacity
    const std::uint32_t* keys = pull_request_[s].data() + protocol::kHeaderWords;  // s's cached keys, ascending
    std::size_t n = 0, n_in = 0;
    for (int role = 0; role < 2; ++role) {
      const std::size_t block = first_[s] + (role == 0 ? 0 : count_[s]);
      for (std::size_t i = 0; i < count_[s]; ++i) {
        const std::size_t row = block + i;
        if (!changed_[row]) continue;
        req.push_back(keys[i]);
        const std::size_t at = first_[s] + n;
        const float* __restrict cur = current_.data() + row * dim_;
        const float* __restrict base = base_.data() + row * dim_;
        float* __restrict delta = push_rows_.data() + at * dim_;
        for (std::size_t x = 0; x < dim_; ++x) delta[x] = cur[x] - base[x];
        push_versions_[at] = versions_[row];
        push_index_[at] = static_cast<std::uint32_t>(row);
        ++n;
      }
      if (role == 0) n_in = n;
    }
    protocol::WriteKeyListHeader(req.data(), id, n_in, n - n_in);
    push_count_[s] = n;
    total += n;
  }
  return total;
}

HotRowCache::Message HotRowCache::PushMessage(int server) {
  const std::size_t s = static_cast<std::size_t>(server);
  return Message{push_request_[s].data(), push_request_[s].size(), push_rows_.data() + first_[s] * dim_,
                 push_versions_.data() + first_[s], push_count_[s]};
}

HotRowCache::Message HotRowCache::PullMessage(int server) {
  const std::size_t s = static_cast<std::size_t>(server);
  protocol::WriteKeyListHeader(pull_request_[s].data(), kSyncIdBit | syncs_, count_[s], count_[s]);
  return Message{pull_request_[s].data(), pull_request_[s].size(), base_.data() + first_[s] * dim_,
                 versions_.data() + first_[s], 2 * count_[s]};
}

void HotRowCache::AdoptPulled() {
  std::copy(base_.begin(), base_.end(), current_.begin());
  std::fill(changed_.begin(), changed_.end(), std::uint8_t{0});
  ++syncs_;
}

void HotRowCache::AdoptPushed() {
  for (std::size_t s = 0; s < static_cast<std::size_t>(servers_); ++s)
    for (std::size_t i = 0; i < push_count_[s]; ++i) {
      const std::size_t row = push_index_[first_[s] + i];
      std::memcpy(base_.data() + row * dim_, current_.data() + row * dim_, dim_ * sizeof(float));
      ++versions_[row];  // the servers count the push as one version
    }
  std::fill(changed_.begin(), changed_.end(), std::uint8_t{0});
  ++syncs_;
}

Status HotRowCache::Sync(PsClient* client, bool pull_fresh) {
  PreparePush();
  handles_.clear();
  for (int s = 0; s < servers_; ++s) {
    const Message m = PushMessage(s);
    if (m.n > 0) client->PostPush(s, m.request, m.words, m.rows, m.versions, m.n, &handles_);
  }
  if (pull_fresh)
    for (int s = 0; s < servers_; ++s) {
      const Message m = PullMessage(s);
      if (m.n > 0) client->PostPull(s, m.request, m.words, m.rows, m.versions, m.n, &handles_);
    }
  ITEM2VEC_RETURN_IF_ERROR(client->WaitAll(&handles_, "sync of the hot-row cache"));
  if (pull_fresh) {
    AdoptPulled();
  } else {
    AdoptPushed();
  }
  return Status::Ok();
}

}  // namespace item2vec
