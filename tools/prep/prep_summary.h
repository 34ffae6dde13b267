// PrepSummary: the counters of one `item2vec prep` run, and their summary.json form.
//
// Contract:
// - A plain value filled by the pipeline (prep_pipeline.h); with several ranks every rank
//   ends with the same summary: counters summed over ranks, "sort" statistics summed (or
//   the maximum for max_depth and largest_load_bytes).
// - PrepSummaryToJson writes the counters and the options that produced them, in a fixed
//   key order (summary.json; the prep tests compare it). Pure; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/prep/bucket_sort.h"
#include "tools/prep/event_columns.h"
#include "tools/prep/prep_options.h"
#include "tools/prep/sessionizer.h"

namespace item2vec {

struct PrepSummary {
  std::int64_t files = 0;
  std::int64_t input_bytes = 0;
  std::int64_t header_rows = 0;
  std::int64_t blank_lines = 0;
  std::int64_t rows_read = 0;                          // data rows: events_read + rejected
  std::array<std::int64_t, kNumRowRejects> rows_rejected{};
  std::int64_t events_read = 0;                        // rows that parsed
  std::int64_t filtered_rating = 0;                    // rating < --min-rating
  std::int64_t filtered_event_type = 0;                // not in --event-types
  std::int64_t filtered_item_count = 0;                // item below --min-item-count
  std::int64_t items_below_min_count = 0;              // distinct items dropped for it
  std::int64_t events_kept = 0;                        // events given to the sessionizer
  std::int64_t user_ids_sanitized = 0;                 // whitespace replaced by '_'
  std::int64_t item_ids_sanitized = 0;
  std::int64_t users = 0;                              // users with at least one kept event
  std::int64_t users_with_sequences = 0;
  std::int64_t items = 0;                              // distinct items in training sequences
  std::int64_t long_items = 0;                         // training tokens longer than train reads (skipped there)
  SessionCounters session;                             // sequences, tokens, hold-out, drops
  BucketSortStats sort;
  double seconds = 0;
  std::vector<std::string> files_written;

  std::int64_t RowsRejected() const;
  std::int64_t EventsFiltered() const { return filtered_rating + filtered_event_type + filtered_item_count; }
};

std::string PrepSummaryToJson(const PrepSummary& summary, const PrepConfig& config);

}  // namespace item2vec
