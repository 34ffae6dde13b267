// Display names for items from a CSV file such as MovieLens' movies.csv
// (movieId,title,genres).
//
// Contract:
// - CsvParser splits RFC 4180 text: fields separated by commas, records by "\n" or
//   "\r\n"; a field in double quotes may hold commas, line breaks and "" for one quote.
//   A leading UTF-8 byte-order mark is dropped; blank lines are skipped. An unterminated
//   quote or text after a closing quote is an error naming the line. Not thread-safe.
// - ReadNames reads a CSV file with a header row, looks up the id and title columns by
//   name, and maps id -> title. Errors name the file, the line and what is wrong; a
//   duplicate id keeps the first title.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace item2vec {

class CsvParser {
 public:
  // REQUIRES: text outlives the parser.
  explicit CsvParser(std::string_view text);
  // Reads the next record into *fields. Returns false at the end of the text or on an
  // error; status() tells which.
  bool Next(std::vector<std::string>* fields);
  const Status& status() const { return status_; }
  // 1-based line on which the record last returned starts.
  std::int64_t line() const { return record_line_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1, record_line_ = 0;
  Status status_;
};

using NameMap = std::unordered_map<std::string, std::string>;

// columns: "ID_COLUMN,TITLE_COLUMN", e.g. "movieId,title".
Result<NameMap> ReadNames(const std::string& path, const std::string& columns);

}  // namespace item2vec
