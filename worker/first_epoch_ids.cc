#include "worker/first_epoch_ids.h"

#include <spdlog/spdlog.h>

#include "common/vocabulary.h"

namespace item2vec {

void FirstEpochIds::ToGlobal(const CachedSentence& c, std::vector<ItemId>* ids) const {
  // The map is 4 B per distinct item of the shard (30 MB at 7.5M items): start the loads a
  // few ids ahead, as the text path's lookups do.
  constexpr std::uint32_t kAhead = 16;
  const ItemId* map = to_global.get();
  ids->clear();
  for (std::uint32_t k = 0; k < c.num_ids && k < kAhead; ++k) __builtin_prefetch(map + c.ids[k]);
  for (std::uint32_t k = 0; k < c.num_ids; ++k) {
    if (k + kAhead < c.num_ids) __builtin_prefetch(map + c.ids[k + kAhead]);
    const ItemId id = map[c.ids[k]];
    if (id != Vocabulary::kNotFound) ids->push_back(id);
  }
}

std::unique_ptr<IdCache> StartLocalIds(std::int64_t budget_mib, const std::string& dir) {
  if (budget_mib <= 0) return nullptr;
  Result<std::unique_ptr<IdCache>> records = IdCache::Create(dir, "local", budget_mib << 20);
  if (!records.ok()) {
    spdlog::warn("{}; the first epoch reads the text", records.status().message());
    return nullptr;
  }
  return std::move(*records);
}

void AppendLocalSentence(IdCache* records, const std::vector<std::uint32_t>& locals, const SequenceReader& reader,
                         const ReaderStats& before) {
  if (!reader.weights().empty()) records->Fail("the shard has event weights (ITEM*W), which the id cache does not hold");
  const std::uint32_t n = static_cast<std::uint32_t>(locals.size());
  records->Append(locals.data(), n, n, StatsDelta(before, reader.stats()), reader.Position());
}

}  // namespace item2vec
