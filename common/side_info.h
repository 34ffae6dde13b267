// SideInfo: items' attributes (EGES side information, `train --side-info ITEMS.tsv`), read
// from a delimited file with the same reader as prep and `similar --names`.
//
// Contract: ReadSideInfo reads a file whose first row is a header; the first column is the
// item (as it appears in the sequences), every other column an attribute (category, shop,
// genres, year, ...). The delimiter is detected from the header ("::", tab, comma,
// semicolon, in that order; a file of one column is refused); quoting as in CSV. A field
// may hold several values separated by '|' (MovieLens' "Action|Comedy"); blank values and
// "(no genres listed)" style placeholders are kept as values. A column whose every
// non-blank field is one number is numeric: its values become `buckets` quantile buckets
// ("year=[1990,1995)"), so neighbouring years share a row. An attribute value is named
// "COLUMN=VALUE"; ids are dealt in order of first appearance. Errors are DataError /
// NotFound values naming the file, the line, what is wrong and what to do: a missing
// file, no header, a row with a different number of fields than the header, an empty
// item, an item listed twice. Pure; the result is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace item2vec {

struct SideInfo {
  std::string item_column;               // the header's first name
  std::vector<std::string> columns;      // the attribute columns, in file order
  std::vector<bool> numeric;             // per column: bucketed
  std::vector<std::string> values;       // "COLUMN=VALUE" per attribute id
  std::vector<std::uint32_t> value_column;  // per attribute id: its column
  std::vector<std::string> items;        // in file order
  // Item i's attribute ids are item_values[item_offsets[i] .. item_offsets[i+1]), by column
  // in file order, each column's values in field order (duplicates dropped).
  std::vector<std::uint64_t> item_offsets{0};
  std::vector<std::uint32_t> item_values;

  template <class Archive>  // Boost.Serialization: rank 0 reads the file, every rank gets it
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& item_column; ar& columns; ar& numeric; ar& values; ar& value_column; ar& items; ar& item_offsets;
    ar& item_values;
  }
};

// buckets: quantile buckets of a numeric column (>= 1).
Result<SideInfo> ReadSideInfo(const std::string& path, int buckets);

}  // namespace item2vec
