#include "model/item_index.h"

namespace item2vec {

Result<ItemIndex> ItemIndex::Build(const std::vector<std::string>& items) {
  ItemIndex index;
  index.rows_.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto [it, inserted] = index.rows_.emplace(std::string_view(items[i]), static_cast<std::int64_t>(i));
    if (!inserted)
      return Status::DataError("item '" + items[i] + "' appears twice, in rows " + std::to_string(it->second + 1) +
                               " and " + std::to_string(i + 1));
  }
  return index;
}

}  // namespace item2vec
