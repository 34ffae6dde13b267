// RunPrep: event logs in, training sequences and a hold-out test file out.
//
// Contract:
// - Reads every input file once. Each row becomes an event (user, item, time) or is
//   rejected with a reason (counted; the first config.reported_bad_rows are logged with
//   file:line; with config.strict the first one ends the run with kDataError naming
//   file:line). Kept events are filtered by rating and event type, counted per item (for
//   min_item_count) and spilled to a BucketSorter in a temporary directory under the
//   output directory, removed at the end whatever happens.
// - Then users come back one at a time in (UserHash, user) order; low-count items are
//   dropped, the Sessionizer cuts sequences and picks held-out events, and lines are written.
// - Output, every file through AtomicFile (nothing half-written under a final name):
//     DIR/train/part-NNNNN  one training sequence per line, items separated by one space.
//                           User u goes to part PartOfHash(UserHash(u), parts): a whole
//                           user is always in one part. Stale part files of an earlier run
//                           with more parts are removed.
//     DIR/test.tsv          only with a hold-out (a stale one is removed otherwise). One
//                           record per line, no header:
//                             user <TAB> next_item <TAB> history
//                           history = the user's earlier events' items, space-separated,
//                           oldest first, most recent last (never empty). Users appear in
//                           the same order as in the part files; a user's records in time
//                           order.
//     DIR/summary.json      the counters of PrepSummary, written last.
//   Item and user ids are written byte for byte, except that whitespace bytes inside an id
//   (space, tab, CR, LF, VT, FF) are replaced by '_' (and counted) so that lines stay
//   splittable.
// - Errors: kNotFound for a missing input, kInvalidArgument for columns that do not match a
//   file, kDataError for a strict bad row or an empty result, kIOError for write failures.
// - Memory: config.memory_bytes for the sort, plus the item-count tables, which grow with
//   the number of distinct items, not with the log. Single-threaded.
// - Several ranks (RunPrep with a CollectiveComm over MpiTransport): the result is byte for byte what one
//   process writes, and the summary the same but for its "sort" statistics (summed, or the
//   maximum for max_depth and largest_load_bytes) and "seconds". How:
//   1. Rank r reads the r-th byte range of the concatenated input (input_split.h): the
//      records that start in it. Ties in time break by the global byte offset of the row,
//      so they do not depend on who read it. If a split point fell inside a quoted field
//      holding a line break (found by comparing where neighbouring ranges started and
//      stopped), the pass is read again with that file whole on one rank.
//   2. Each rank writes its events into its own top-level bucket files (the same hash
//      ranges on every rank, a multiple of N of them), in its own temporary directory.
//   3. Counters are summed; with min_item_count > 1 every rank merges all ranks' item counts
//      first, so the filter sees whole-log counts.
//   4. Rank r sorts the buckets b with b % N == r (every rank's file of bucket b together)
//      and writes the lines to pieces (prep_output.h); rank p % N puts part p together,
//      rank 0 test.tsv, each in bucket order; rank 0 writes summary.json last.
//   Bad rows are reported by rank 0 after the reading pass with file:line (line numbers
//   made whole from every rank's line count); --strict fails then, with the first bad row
//   of the log. The output directory must be on a file system every rank sees; --memory
//   is per rank. A failure on any rank ends every rank at the next agreement point with
//   the same status (prep_comm.h); a failed collective is returned as is and leaves comm
//   broken(), for the command edge to end the job.
// - Code: prep_pipeline.cc runs the phases in order (prep_run.h lists the files of each:
//   prep_read_pass.cc, prep_rank_exchange.cc, prep_write_pass.cc); prep_summary.h holds
//   the counters and summary.json.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/collective_comm.h"
#include "tools/prep/prep_options.h"
#include "tools/prep/prep_summary.h"

namespace item2vec {

// One process.
Result<PrepSummary> RunPrep(const PrepConfig& config);
// Every rank of `comm` calls it with the same config; each returns the same status and
// the same summary (files_written and all).
Result<PrepSummary> RunPrep(const PrepConfig& config, CollectiveComm& comm);

// Replaces whitespace bytes of `id` by '_' into *scratch and returns a view of the result;
// returns `id` itself (and leaves *changed false) when it has none.
std::string_view SanitizeId(std::string_view id, std::string* scratch, bool* changed);

}  // namespace item2vec
