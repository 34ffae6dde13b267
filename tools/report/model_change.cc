#include "tools/report/model_change.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "common/hash.h"
#include "common/vocab_tsv.h"

namespace item2vec {
namespace {

std::uint64_t ItemHash(std::string_view item) { return MurmurMix64(Fnv1a64(item)); }

}  // namespace

Result<VocabularyChange> CompareVocabularies(const std::string& previous_vocab_tsv, const Vocabulary& now,
                                             std::size_t examples) {
  VocabTsvReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(previous_vocab_tsv));
  VocabularyChange change;
  std::vector<std::uint64_t> before;
  std::string_view item;
  Count count = 0;
  std::int64_t kept = 0;
  while (reader.Next(&item, &count)) {
    before.push_back(ItemHash(item));
    if (now.Find(item) != Vocabulary::kNotFound) {
      ++kept;
    } else if (change.top_removed.size() < examples) {
      change.top_removed.emplace_back(std::string(item), count);
    }
  }
  if (!reader.status().ok()) return reader.status();
  std::sort(before.begin(), before.end());
  change.previous_items = static_cast<std::int64_t>(before.size());
  change.items = static_cast<std::int64_t>(now.size());
  change.removed = change.previous_items - kept;
  change.added = change.items - kept;
  for (ItemId id = 0; id < now.size() && change.top_added.size() < examples; ++id)
    if (!std::binary_search(before.begin(), before.end(), ItemHash(now.item(id))))
      change.top_added.emplace_back(std::string(now.item(id)), now.count(id));
  return change;
}

Result<PreviousModel> ReadPreviousModel(const HeadFiles& files, const std::string& label, std::size_t head_items,
                                        const Vocabulary* now) {
  PreviousModel previous;
  previous.label = label;
  Result<ModelHead> head = LoadModelHead(files, head_items);
  if (!head.ok()) return head.status();
  previous.head = std::move(head.value());
  if (now != nullptr && !files.vocab_tsv.empty()) {
    Result<VocabularyChange> v = CompareVocabularies(files.vocab_tsv, *now, 10);
    if (!v.ok()) return v.status();
    previous.vocabulary = std::move(v.value());
  }
  return previous;
}

NeighbourChange CompareNeighbours(const ModelHead& now, const HeadNeighbours& now_neighbours,
                                  const ModelHead& previous, const HeadNeighbours& previous_neighbours,
                                  std::size_t top, std::size_t examples) {
  NeighbourChange change;
  change.k = std::min(now_neighbours.k, previous_neighbours.k);
  change.histogram.assign(static_cast<std::size_t>(std::max(0, change.k)) + 1, 0);
  if (change.k <= 0) return change;
  std::unordered_map<std::string_view, std::size_t> previous_id;
  for (std::size_t i = 0; i < previous.size(); ++i) previous_id.emplace(previous.items[i], i);
  top = std::min(top, now.size());
  double sum = 0;
  std::unordered_set<std::string_view> names;
  for (std::size_t i = 0; i < top; ++i) {
    auto it = previous_id.find(now.items[i]);
    if (it == previous_id.end() || !previous_neighbours.has(it->second) || !now_neighbours.has(i)) continue;
    names.clear();
    const std::int64_t* before = previous_neighbours.of(it->second);
    for (int j = 0; j < change.k; ++j)
      if (before[j] >= 0) names.insert(previous.items[static_cast<std::size_t>(before[j])]);
    int shared = 0;
    const std::int64_t* after = now_neighbours.of(i);
    for (int j = 0; j < change.k; ++j)
      if (after[j] >= 0 && names.count(now.items[static_cast<std::size_t>(after[j])]) != 0) ++shared;
    ++change.compared;
    ++change.histogram[static_cast<std::size_t>(shared)];
    sum += static_cast<double>(shared) / change.k;
    change.most_changed.push_back({i, shared});
  }
  if (change.compared > 0) change.mean_overlap = sum / static_cast<double>(change.compared);
  std::stable_sort(change.most_changed.begin(), change.most_changed.end(),
                   [](const NeighbourChange::Item& a, const NeighbourChange::Item& b) { return a.shared < b.shared; });
  if (change.most_changed.size() > examples) change.most_changed.resize(examples);
  return change;
}

}  // namespace item2vec
