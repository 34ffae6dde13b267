#include "worker/first_epoch_ids.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "common/vocabulary.h"

namespace item2vec {

void LocalToVocabularyIds(const CachedSentence& c, const ItemId* map, std::vector<ItemId>* ids) {
  // The map is 4 B per distinct item of the shard (30 MB at 7.5M items): start the loads a
  // few ids ahead, as the text path's lookups do.
  constexpr std::uint32_t kAhead = 16;
  ids->clear();
  for (std::uint32_t k = 0; k < c.num_ids && k < kAhead; ++k) __builtin_prefetch(map + c.ids[k]);
  for (std::uint32_t k = 0; k < c.num_ids; ++k) {
    if (k + kAhead < c.num_ids) __builtin_prefetch(map + c.ids[k + kAhead]);
    const ItemId id = map[c.ids[k]];
    if (id != Vocabulary::kNotFound) ids->push_back(id);
  }
}

namespace {

// The records through the map into *out; false (with why) when a file failed.
bool Rewrite(IdCache* records, const ItemId* map, IdCache* out, std::string* why) {
  records->Rewind();
  CachedSentence c;
  std::vector<ItemId> ids;
  while (records->Next(&c)) {
    LocalToVocabularyIds(c, map, &ids);
    out->Append(ids.data(), static_cast<std::uint32_t>(ids.size()), c.raw_tokens, c.stats_delta, c.after);
  }
  if (records->Failed()) *why = records->failure();
  else if (!out->FinishWrite()) *why = out->failure();
  return why->empty();
}

}  // namespace

double FirstEpochIds::ToVocabularyIds(std::int64_t budget_mib, const std::string& dir) {
  const auto start = std::chrono::steady_clock::now();
  std::string why;
  if (records == nullptr || records->Failed()) why = records != nullptr ? records->failure() : "no records";
  else if (to_global.size() == 0) why = "two of its items share a 64-bit hash";
  if (why.empty()) {
    Result<std::unique_ptr<IdCache>> made = IdCache::Create(dir, "worker", budget_mib << 20);
    if (!made.ok()) why = made.status().message();
    else if (Rewrite(records.get(), to_global.get(), made->get(), &why)) cache = std::move(*made);
  }
  Release();
  if (!why.empty()) spdlog::info("the first epoch reads this worker's shard as text ({})", why);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
