// The hold-out test file written by `item2vec prep`, resolved against a model's items.
//
// Contract:
// - One record per line: "user<TAB>next_item<TAB>history", history being items separated
//   by spaces in time order, most recent last; it may be empty (the third field empty or
//   absent). A trailing '\r' is ignored and blank lines are skipped. The lines are read
//   and checked by UserRecordReader (user_records.h), which embed-users shares.
// - A line with fewer than 2 or more than 3 tab-separated fields, an empty user or
//   next_item, or a next_item containing a space is malformed: ReadTestRecords fails with
//   kDataError naming "path:line" and what is wrong. A missing file is kNotFound.
// - Items are resolved through the ItemIndex as they are read; items not in the model
//   are kept as -1 so callers can count them. Memory is 8 bytes per history item plus
//   24 per record: the item strings are not kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/item_index.h"
#include "common/status.h"

namespace item2vec {

struct TestRecords {
  std::vector<std::int64_t> target;         // row of next_item, -1 = not in the model
  std::vector<std::size_t> history_begin;   // size() + 1 offsets into history
  std::vector<std::int64_t> history;        // rows in time order, -1 = not in the model
  std::vector<std::int64_t> line;           // 1-based line number of each record

  std::size_t size() const { return target.size(); }
  const std::int64_t* history_of(std::size_t r) const { return history.data() + history_begin[r]; }
  std::size_t history_size(std::size_t r) const { return history_begin[r + 1] - history_begin[r]; }
};

Result<TestRecords> ReadTestRecords(const std::string& path, const ItemIndex& index);

}  // namespace item2vec
