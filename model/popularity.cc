#include "model/popularity.h"

#include <algorithm>
#include <numeric>

#include "common/input_files.h"
#include "common/sequence_reader.h"
#include "common/vocab_tsv.h"

namespace item2vec {

Result<ItemCounter> ReadVocabCounts(const std::string& path) {
  Result<VocabTsv> tsv = ReadVocabTsv(path);
  if (!tsv.ok()) return tsv.status();
  ItemCounter counter;
  for (std::size_t i = 0; i < tsv->items.size(); ++i) counter.Add(tsv->items[i], tsv->counts[i]);
  return counter;
}

Result<ItemCounter> CountSequenceItems(const std::vector<std::string>& paths) {
  Result<std::vector<InputFile>> files = ListInputFiles(paths);
  if (!files.ok()) return files.status().WithContext("--train");
  std::vector<FileRange> ranges = ShardRanges(*files, 0, 1);
  SequenceReader reader(*files, std::move(ranges), /*max_sentence=*/1 << 20);
  ItemCounter counter;
  std::vector<std::string_view> items;
  while (reader.Next(&items))
    for (std::string_view item : items) counter.Add(item);
  if (!reader.status().ok()) return reader.status().WithContext("counting items of --train");
  return counter;
}

PopularityRanker::PopularityRanker(const std::vector<Count>& counts) : position_(counts.size()) {
  std::vector<std::int64_t> order(counts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int64_t a, std::int64_t b) { return counts[a] > counts[b]; });
  for (std::size_t i = 0; i < order.size(); ++i) position_[order[i]] = static_cast<std::int64_t>(i);
}

std::int64_t PopularityRanker::Rank(std::int64_t target, const ItemId* excluded, std::size_t num_excluded,
                                    std::vector<ItemId>* scratch) const {
  if (target < 0) return 0;
  scratch->assign(excluded, excluded + num_excluded);
  std::sort(scratch->begin(), scratch->end());
  scratch->erase(std::unique(scratch->begin(), scratch->end()), scratch->end());
  const std::int64_t place = position_[target];
  std::int64_t rank = place + 1;
  for (ItemId e : *scratch) {
    if (static_cast<std::int64_t>(e) == target) return 0;
    if (position_[e] < place) --rank;
  }
  return rank;
}

}  // namespace item2vec
