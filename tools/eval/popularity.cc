#include "tools/eval/popularity.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <numeric>

#include "common/input_files.h"
#include "common/sequence_reader.h"

namespace item2vec {

Result<ItemCounter> ReadVocabCounts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open vocabulary file '" + path + "'");
  ItemCounter counter;
  std::string line;
  std::int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::size_t tab = line.rfind('\t');
    const auto bad = [&](const std::string& what) {
      return Status::DataError(path + ":" + std::to_string(line_no) + ": " + what + " (expected item<TAB>count)");
    };
    if (tab == std::string::npos || tab == 0) return bad("no item before a tab");
    errno = 0;
    char* end = nullptr;
    const long long count = std::strtoll(line.c_str() + tab + 1, &end, 10);
    if (end == line.c_str() + tab + 1 || *end != '\0' || errno != 0 || count < 0)
      return bad("count '" + line.substr(tab + 1) + "' is not a non-negative integer");
    counter.Add(line.substr(0, tab), static_cast<Count>(count));
  }
  if (in.bad()) return Status::IOError("reading '" + path + "' failed");
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
