#include "job/cooccurrence_init.h"

#include <algorithm>
#include <string_view>

#include "common/sequence_reader.h"

namespace item2vec {

std::vector<bool> NewItemMask(const Vocabulary& previous, const Vocabulary& today) {
  std::vector<bool> is_new(today.size());
  for (ItemId id = 0; id < today.size(); ++id) is_new[id] = previous.Find(today.item(id)) == Vocabulary::kNotFound;
  return is_new;
}

void NewItemNeighbours::Add(ItemId item, const ItemId* kept, const double* w, std::size_t n) {
  items.push_back(item);
  neighbours.insert(neighbours.end(), kept, kept + n);
  weights.insert(weights.end(), w, w + n);
  offsets.push_back(neighbours.size());
}

std::size_t NewItemNeighbours::IndexOf(ItemId item) const {
  const auto it = std::lower_bound(items.begin(), items.end(), item);
  return it != items.end() && *it == item ? static_cast<std::size_t>(it - items.begin()) : items.size();
}

CooccurrenceCounter::CooccurrenceCounter(const std::vector<bool>& is_new, std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {
  for (std::size_t id = 0; id < is_new.size(); ++id)
    if (is_new[id]) new_ids_.push_back(static_cast<ItemId>(id));
  IndexSlots(is_new.size());
  tables_.resize(new_ids_.size());
}

void CooccurrenceCounter::IndexSlots(std::size_t vocab_size) {
  slot_.assign(vocab_size, kKept);
  for (std::size_t s = 0; s < new_ids_.size(); ++s) slot_[new_ids_[s]] = static_cast<std::uint32_t>(s);
}

void CooccurrenceCounter::AddSentence(const ItemId* ids, std::size_t n, int window) {
  const std::size_t w = static_cast<std::size_t>(std::max(window, 0));
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t s = slot_[ids[i]];
    if (s == kKept) continue;
    std::vector<Entry>& table = tables_[s];
    const std::size_t lo = i > w ? i - w : 0, hi = std::min(n, i + w + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      const ItemId t = ids[j];
      if (j != i && slot_[t] == kKept) Increment(table, t, 1);
    }
  }
}

void CooccurrenceCounter::Increment(std::vector<Entry>& table, ItemId kept, Count by) {
  // Tables are short (at most 2*capacity+1 entries): a linear scan beats a hash here.
  for (Entry& e : table)
    if (e.id == kept) {
      e.count += by;
      return;
    }
  // Grow by hand so a table never reserves more than it may hold.
  if (table.size() == table.capacity())
    table.reserve(std::min(2 * capacity_ + 1, std::max<std::size_t>(4, 2 * table.size())));
  table.push_back(Entry{kept, by});
  if (table.size() > 2 * capacity_) Reduce(table);
}

// Misra-Gries reduction: subtract the (capacity+1)-th largest count from every entry and
// drop those at zero. Each reduction by c removes at least c*(capacity+1) of the total,
// so no count loses more than N/(capacity+1) over the whole stream.
void CooccurrenceCounter::Reduce(std::vector<Entry>& table) {
  if (table.size() <= capacity_) return;
  scratch_.clear();
  for (const Entry& e : table) scratch_.push_back(e.count);
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(capacity_), scratch_.end(),
                   [](Count a, Count b) { return a > b; });
  const Count c = scratch_[capacity_];
  for (Entry& e : table) e.count -= c;
  table.erase(std::remove_if(table.begin(), table.end(), [](const Entry& e) { return e.count <= 0; }), table.end());
}

Status CooccurrenceCounter::Merge(const CooccurrenceCounter& other) {
  if (other.slot_.size() != slot_.size() || other.new_ids_ != new_ids_ || other.capacity_ != capacity_)
    return Status::Internal("merging co-occurrence counters built for different vocabularies, new items or capacities");
  const auto by_id = [](const Entry& a, const Entry& b) { return a.id < b.id; };
  std::vector<Entry> theirs, merged;
  for (std::size_t s = 0; s < tables_.size(); ++s) {
    const std::vector<Entry>& b = other.tables_[s];
    if (b.empty()) continue;
    std::vector<Entry>& a = tables_[s];
    std::sort(a.begin(), a.end(), by_id);
    theirs.assign(b.begin(), b.end());
    std::sort(theirs.begin(), theirs.end(), by_id);
    merged.clear();
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < theirs.size()) {
      if (j == theirs.size() || (i < a.size() && a[i].id < theirs[j].id)) {
        merged.push_back(a[i++]);
      } else if (i == a.size() || theirs[j].id < a[i].id) {
        merged.push_back(theirs[j++]);
      } else {
        merged.push_back(Entry{a[i].id, a[i].count + theirs[j].count});
        ++i, ++j;
      }
    }
    if (merged.size() > 2 * capacity_) Reduce(merged);
    a.assign(merged.begin(), merged.end());
  }
  return Status::Ok();
}

NewItemNeighbours CooccurrenceCounter::TopNeighbours(int k) const {
  NewItemNeighbours out;
  const std::size_t cap = static_cast<std::size_t>(std::max(k, 1));
  std::vector<Entry> top;
  std::vector<ItemId> ids;
  std::vector<double> weights;
  for (std::size_t s = 0; s < tables_.size(); ++s) {
    if (tables_[s].empty()) continue;
    top.assign(tables_[s].begin(), tables_[s].end());
    const std::size_t n = std::min(cap, top.size());
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(n), top.end(),
                      [](const Entry& a, const Entry& b) { return a.count != b.count ? a.count > b.count : a.id < b.id; });
    ids.clear();
    weights.clear();
    for (std::size_t i = 0; i < n; ++i) {
      ids.push_back(top[i].id);
      weights.push_back(static_cast<double>(top[i].count));
    }
    out.Add(new_ids_[s], ids.data(), weights.data(), n);
  }
  return out;
}

Count CooccurrenceCounter::CountOf(ItemId item, ItemId kept) const {
  if (item >= slot_.size() || slot_[item] == kKept) return 0;
  for (const Entry& e : tables_[slot_[item]])
    if (e.id == kept) return e.count;
  return 0;
}

const std::vector<CooccurrenceCounter::Entry>& CooccurrenceCounter::TableOf(ItemId item) const {
  static const std::vector<Entry> kEmpty;
  return item < slot_.size() && slot_[item] != kKept ? tables_[slot_[item]] : kEmpty;
}

std::size_t CooccurrenceCounter::BytesUsed() const {
  std::size_t bytes = slot_.capacity() * sizeof(std::uint32_t) + new_ids_.capacity() * sizeof(ItemId) +
                      tables_.capacity() * sizeof(std::vector<Entry>) + scratch_.capacity() * sizeof(Count);
  for (const auto& t : tables_) bytes += t.capacity() * sizeof(Entry);
  return bytes;
}

Status CountShardCooccurrence(const std::vector<InputFile>& files, const std::vector<FileRange>& ranges,
                              std::int64_t max_sentence, const Vocabulary& vocab, int window,
                              CooccurrenceCounter* out) {
  if (out->vocab_size() != vocab.size())
    return Status::Internal("co-occurrence counter built for " + std::to_string(out->vocab_size()) +
                            " items, vocabulary has " + std::to_string(vocab.size()));
  SequenceReader reader(files, ranges, max_sentence);
  std::vector<std::string_view> items;
  std::vector<ItemId> ids;
  while (reader.Next(&items)) {
    ids.clear();
    for (std::string_view item : items) {
      const ItemId id = vocab.Find(item);
      if (id != Vocabulary::kNotFound) ids.push_back(id);
    }
    out->AddSentence(ids.data(), ids.size(), window);
  }
  return reader.status().WithContext("counting co-occurrences (" + reader.Where() + ")");
}

}  // namespace item2vec
