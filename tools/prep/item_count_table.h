// ItemCountTable: counts byte strings (item ids) without allocating per lookup.
//
// Contract: the bytes of each distinct key are copied once into an arena of large blocks
// and the hash map is keyed by views of them, so Add() of a known key and Count() never
// allocate. Memory grows with the number (and length) of distinct keys, not with the
// number of Add() calls. Keys are raw bytes (no encoding). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace item2vec {

class ItemCountTable {
 public:
  void Add(std::string_view key, std::int64_t n = 1);
  // 0 for a key never added.
  std::int64_t Count(std::string_view key) const;
  std::size_t size() const { return counts_.size(); }
  // Approximate heap bytes held (arena plus map nodes), for logs.
  std::int64_t ApproximateBytes() const;
  // Visits every (key, count) pair in unspecified order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& kv : counts_) fn(kv.first, kv.second);
  }

 private:
  std::string_view Store(std::string_view key);

  static constexpr std::size_t kBlockBytes = 1 << 20;
  std::unordered_map<std::string_view, std::int64_t> counts_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = kBlockBytes;  // bytes used in blocks_.back()
  std::int64_t arena_bytes_ = 0;
};

}  // namespace item2vec
