#include "tools/prep/item_count_table.h"

#include <cstring>

namespace item2vec {

std::string_view ItemCountTable::Store(std::string_view key) {
  if (key.size() > kBlockBytes / 4) {
    // A huge key gets a block of its own, put in front so blocks_.back() stays the block
    // being filled (when there is none yet, block_used_ == kBlockBytes forces a new one).
    blocks_.insert(blocks_.begin(), std::make_unique<char[]>(key.size()));
    std::memcpy(blocks_.front().get(), key.data(), key.size());
    arena_bytes_ += static_cast<std::int64_t>(key.size());
    return std::string_view(blocks_.front().get(), key.size());
  }
  if (block_used_ + key.size() > kBlockBytes) {
    blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    block_used_ = 0;
    arena_bytes_ += kBlockBytes;
  }
  char* dst = blocks_.back().get() + block_used_;
  std::memcpy(dst, key.data(), key.size());
  block_used_ += key.size();
  return std::string_view(dst, key.size());
}

void ItemCountTable::Add(std::string_view key, std::int64_t n) {
  auto it = counts_.find(key);
  if (it != counts_.end()) {
    it->second += n;
    return;
  }
  counts_.emplace(Store(key), n);
}

std::int64_t ItemCountTable::Count(std::string_view key) const {
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

std::int64_t ItemCountTable::ApproximateBytes() const {
  // A node holds the view, the count, the cached hash and a next pointer.
  return arena_bytes_ + static_cast<std::int64_t>(counts_.size() * 48 + counts_.bucket_count() * 8);
}

}  // namespace item2vec
