// ItemIndex: item string -> row of a vectors file.
//
// Contract: built once from the item names in row order; Find() is a read-only hash
// lookup, safe from many threads. The index keeps string_views into the vector it was
// built from. REQUIRES: that vector outlives the index and is not modified.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace item2vec {

class ItemIndex {
 public:
  // Fails with kDataError when an item appears twice (the second row is named).
  static Result<ItemIndex> Build(const std::vector<std::string>& items);
  // The row of the item, or -1 when it is not in the vocabulary.
  std::int64_t Find(std::string_view item) const {
    auto it = rows_.find(item);
    return it == rows_.end() ? -1 : it->second;
  }
  std::size_t size() const { return rows_.size(); }

 private:
  std::unordered_map<std::string_view, std::int64_t> rows_;
};

}  // namespace item2vec
