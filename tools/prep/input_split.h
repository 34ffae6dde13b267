// How `item2vec prep` splits its input over MPI ranks, and the check that a split was safe.
//
// Contract:
// - PlanRanges: rank r gets the r-th of `ranks` near-equal byte ranges of the concatenated
//   input (ShardRanges); a range owns the records that *start* inside it. A file marked in
//   `whole` goes entirely to the first rank that has a range of it. With one rank every
//   non-empty file is one range. Ranges of one rank are in input order, and every range of
//   rank r comes before every range of rank r+1.
// - A range is read from the first line start at or after its begin. That is right unless
//   the begin falls inside a record that spans lines (a quoted field holding a line break):
//   then the previous range's reading runs past the point where the next one started.
//   FilesWithBadJoins finds such files from what the ranks report (where each reading
//   started and stopped), so that they can be read again whole, by one rank.
// - LineBase: line ends in a file before rank r's range of it (the earlier ranks' ranges),
//   which turns the line numbers of a range into line numbers of the file.
#pragma once

#include <cstdint>
#include <vector>

#include "common/input_files.h"

namespace item2vec {

// What reading one range gave: the offsets where reading really started and stopped, and
// the line ends consumed in between.
struct RangeOutcome {
  std::int64_t file = 0;
  std::int64_t start = 0;
  std::int64_t stop = 0;
  std::int64_t lines = 0;
};

std::vector<std::vector<FileRange>> PlanRanges(const std::vector<InputFile>& files, int ranks,
                                               const std::vector<bool>& whole);

// by_rank[r]: rank r's outcomes. A file is bad when, between consecutive ranks reading it,
// one's reading stopped where the next one's did not start.
std::vector<bool> FilesWithBadJoins(std::size_t num_files, const std::vector<std::vector<RangeOutcome>>& by_rank);

std::int64_t LineBase(const std::vector<std::vector<RangeOutcome>>& by_rank, int rank, std::int64_t file);

}  // namespace item2vec
