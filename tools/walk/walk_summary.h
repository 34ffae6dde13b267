// WalkSummary: what one `item2vec walk` run read, built and wrote, summed over ranks;
// written as OUTPUT/_summary.json (the leading '_' keeps `item2vec train` from reading it).
//
// Contract: plain counters, the same on every rank once RunWalk returns; the JSON has every
// field and the options that shaped the walks. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/walk/walk_options.h"
#include "tools/walk/walker.h"

namespace item2vec {

struct WalkSummary {
  int ranks = 1;
  // Input.
  std::int64_t files = 0, lines = 0, tokens_read = 0, split_lines = 0;
  std::int64_t long_items = 0;  // items longer than SequenceReader::kMaxItemBytes, skipped
  std::int64_t distinct_items = 0;        // before --min-count
  std::int64_t tokens_below_min_count = 0;
  // Graph.
  std::int64_t nodes = 0, edges = 0;
  std::int64_t transitions = 0;           // item pairs counted (window positions)
  std::int64_t self_loops = 0;            // repeats skipped
  std::int64_t start_items = 0;           // items with an out-edge: walks start there
  std::int64_t dead_end_items = 0;        // in-edges but no out-edge: walks end there
  std::int64_t isolated_items = 0;        // no edge at all: in no walk
  std::int64_t second_order_entries = 0;  // node2vec per-edge alias entries (whether built or not)
  std::uint64_t csr_bytes = 0, table_bytes = 0, gathered_bytes = 0, peak_bytes = 0;
  // Walks.
  WalkStats walks;
  std::vector<std::string> files_written;
  double seconds = 0;
};

std::string WalkSummaryToJson(const WalkSummary& s, const WalkConfig& config);

// "12.3 MiB" (or "4.0 KiB" below 1 MiB), for log lines and messages.

}  // namespace item2vec
