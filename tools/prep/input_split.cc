#include "tools/prep/input_split.h"

#include "common/input_stream.h"

namespace item2vec {

std::vector<std::vector<FileRange>> PlanRanges(const std::vector<InputFile>& files, int ranks,
                                               const std::vector<bool>& whole) {
  std::vector<std::vector<FileRange>> plan(static_cast<std::size_t>(ranks));
  std::vector<bool> given(files.size(), false);
  for (int r = 0; r < ranks; ++r) {
    for (const FileRange& range : ShardRanges(files, r, ranks)) {
      const std::size_t f = range.file_index;
      if (f >= whole.size() || !whole[f]) {
        plan[static_cast<std::size_t>(r)].push_back(range);
      } else if (!given[f]) {
        given[f] = true;
        // ShardRanges already gives a compressed file whole (to the end of its data).
        const bool compressed = CompressionOf(files[f].path) != Compression::kNone;
        plan[static_cast<std::size_t>(r)].push_back({f, 0, compressed ? kWholeFile : files[f].size});
      }
    }
  }
  return plan;
}

std::vector<bool> FilesWithBadJoins(std::size_t num_files, const std::vector<std::vector<RangeOutcome>>& by_rank) {
  std::vector<bool> bad(num_files, false);
  std::vector<const RangeOutcome*> previous(num_files, nullptr);
  for (const auto& outcomes : by_rank) {
    for (const RangeOutcome& o : outcomes) {
      if (o.file < 0 || static_cast<std::size_t>(o.file) >= num_files) continue;
      const std::size_t f = static_cast<std::size_t>(o.file);
      if (previous[f] != nullptr && previous[f]->stop != o.start) bad[f] = true;
      previous[f] = &o;
    }
  }
  return bad;
}

std::int64_t LineBase(const std::vector<std::vector<RangeOutcome>>& by_rank, int rank, std::int64_t file) {
  std::int64_t base = 0;
  for (int r = 0; r < rank && r < static_cast<int>(by_rank.size()); ++r)
    for (const RangeOutcome& o : by_rank[static_cast<std::size_t>(r)])
      if (o.file == file) base += o.lines;
  return base;
}

}  // namespace item2vec
