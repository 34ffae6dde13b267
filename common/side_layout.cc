#include "common/side_layout.h"

#include <unordered_map>

namespace item2vec {

SideLayout::SideLayout(const SideInfo& info, const Vocabulary& vocab)
    : enabled_(true), vocab_(vocab.size()), values_(info.values), columns_(info.columns) {
  if (!vocab.has_items()) return;  // a server's summary: the key ranges are all it needs
  std::unordered_map<std::string_view, std::size_t> row_of;
  for (std::size_t r = 0; r < info.items.size(); ++r) row_of.emplace(info.items[r], r);
  std::vector<bool> in_vocab(info.items.size(), false);
  for (ItemId id = 0; id < vocab.size(); ++id) {
    const auto it = row_of.find(vocab.item(id));
    if (it != row_of.end()) in_vocab[it->second] = true;
    AddEntity(info, it == row_of.end() ? kNoRow : it->second);
    if (part_offsets_[id + 1] > part_offsets_[id]) ++with_side_;
  }
  for (std::size_t r = 0; r < info.items.size(); ++r) {
    if (in_vocab[r]) continue;
    cold_.push_back(info.items[r]);
    AddEntity(info, r);
  }
}

void SideLayout::AddEntity(const SideInfo& info, std::size_t row) {
  const std::uint64_t first = entity_values_.size();
  if (row != kNoRow) {
    for (std::uint64_t k = info.item_offsets[row]; k < info.item_offsets[row + 1]; ++k) {
      const std::uint32_t value = info.item_values[k];
      const std::uint32_t column = info.value_column[value];
      const std::uint32_t local = static_cast<std::uint32_t>(entity_values_.size() - first);
      // The file's values come column by column: a new column opens a part.
      if (parts_.size() == part_offsets_.back() || parts_.back().column != column)
        parts_.push_back(SidePart{column, local, local});
      entity_values_.push_back(value);
      ++parts_.back().end;
    }
  }
  part_offsets_.push_back(parts_.size());
  value_offsets_.push_back(entity_values_.size());
}

}  // namespace item2vec
