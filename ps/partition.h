// Partition: which server owns which key, and where in its arrays.
//
// Contract: keys (vocabulary ids) are dealt round-robin: server = key mod S, local index =
// key div S. Ids are sorted by descending frequency, so the hottest items are spread
// evenly over the servers (a contiguous range split would put all of them on server 0),
// and every server holds ceil or floor of V/S rows. Pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "common/types.h"

namespace item2vec {

class Partition {
 public:
  Partition(int num_servers, std::size_t vocab_size) : servers_(num_servers), vocab_(vocab_size) {}
  int num_servers() const { return servers_; }
  int ServerOf(ItemId key) const { return static_cast<int>(key % static_cast<std::uint32_t>(servers_)); }
  std::size_t LocalIndex(ItemId key) const { return key / static_cast<std::uint32_t>(servers_); }
  ItemId GlobalKey(int server, std::size_t local) const {
    return static_cast<ItemId>(local * static_cast<std::size_t>(servers_) + static_cast<std::size_t>(server));
  }
  std::size_t RowsOn(int server) const {
    const std::size_t s = static_cast<std::size_t>(server);
    return vocab_ > s ? (vocab_ - s + static_cast<std::size_t>(servers_) - 1) / static_cast<std::size_t>(servers_) : 0;
  }

 private:
  int servers_;
  std::size_t vocab_;
};

}  // namespace item2vec
