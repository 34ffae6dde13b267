// SideLayout: EGES side information laid out against a vocabulary: which server rows hold an
// item's attribute embeddings and its weights, and which catalogued items are cold.
//
// Contract: with side information the servers hold KeyCount() = 2V + A input rows (keys;
// output rows likewise, of which only [0, V) are used): [0, V) the items' own (id) rows,
// [V, V + A) one row per attribute value ("genres=Comedy"), [V + A, 2V + A) one weight row
// per item, whose first 1 + columns floats are the logits a_0 (id) and a_{1+c} (column c) of
// EGES's softmax (Wang et al., KDD'18). The keys are dealt over the servers like items
// (ps/partition.h), so every range is spread evenly. Without side information (SideLayout(V))
// KeyCount() = V and nothing else is defined.
//
// Entities: ids [0, V) are the vocabulary's items; ids [V, V + cold) the side-info file's
// items absent from the vocabulary (cold: no events, or below --min-count), in file order.
// An entity's parts are its attribute columns that have at least one value, each with its
// values (local indices into Values(e)); vocabulary items missing from the file have none.
// Immutable after construction; thread-safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/side_info.h"
#include "common/types.h"
#include "common/vocabulary.h"

namespace item2vec {

struct SidePart {
  std::uint32_t column;
  std::uint32_t begin, end;  // into the entity's Values()
};

class SideLayout {
 public:
  SideLayout() = default;
  // No side information over a vocabulary of vocab_size items.
  explicit SideLayout(std::size_t vocab_size) : vocab_(vocab_size) {}
  // The layout of `vocab`'s items. A vocabulary without names (a parameter server's,
  // Vocabulary::FromSummary) gets the key ranges only: KeyCount, ValueKey and WeightKey
  // hold, and no item has parts or is cold.
  SideLayout(const SideInfo& info, const Vocabulary& vocab);

  bool enabled() const { return enabled_; }
  std::size_t vocab_size() const { return vocab_; }
  std::size_t num_values() const { return values_.size(); }
  std::size_t num_columns() const { return columns_.size(); }
  std::size_t KeyCount() const { return enabled_ ? 2 * vocab_ + values_.size() : vocab_; }
  ItemId ValueKey(std::uint32_t value) const { return static_cast<ItemId>(vocab_ + value); }
  ItemId WeightKey(ItemId item) const { return static_cast<ItemId>(vocab_ + values_.size() + item); }
  const std::vector<std::string>& value_names() const { return values_; }
  const std::vector<std::string>& columns() const { return columns_; }

  // Vocabulary items with side information (at least one part).
  bool HasSide(ItemId item) const {
    return enabled_ && item + 1u < part_offsets_.size() && part_offsets_[item + 1] > part_offsets_[item];
  }
  std::size_t num_with_side() const { return with_side_; }
  // Cold items: entity ids vocab_size() + i.
  const std::vector<std::string>& cold_items() const { return cold_; }
  std::uint32_t NumParts(std::size_t entity) const {
    return static_cast<std::uint32_t>(part_offsets_[entity + 1] - part_offsets_[entity]);
  }
  const SidePart* Parts(std::size_t entity) const { return parts_.data() + part_offsets_[entity]; }
  std::uint32_t NumValues(std::size_t entity) const {
    return static_cast<std::uint32_t>(value_offsets_[entity + 1] - value_offsets_[entity]);
  }
  const std::uint32_t* Values(std::size_t entity) const { return entity_values_.data() + value_offsets_[entity]; }

 private:
  // The next entity's parts: those of the file's item `row`, none for kNoRow.
  static constexpr std::size_t kNoRow = ~std::size_t{0};
  void AddEntity(const SideInfo& info, std::size_t row);
  bool enabled_ = false;
  std::size_t vocab_ = 0, with_side_ = 0;
  std::vector<std::string> values_, columns_, cold_;
  std::vector<std::uint64_t> part_offsets_{0}, value_offsets_{0};
  std::vector<SidePart> parts_;
  std::vector<std::uint32_t> entity_values_;
};

}  // namespace item2vec
