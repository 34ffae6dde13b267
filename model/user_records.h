// UserRecordReader: the one reader of users' histories, shared by `item2vec eval` (the
// hold-out records, through ReadTestRecords) and `item2vec embed-users`.
//
// Contract:
// - Input: the files of common/input_files.h's ListInputFiles (a file, or a directory of
//   part files as prep and walk write them; .gz / .zst decompressed on the fly), read in
//   that order. Blank lines (and a trailing '\r') are skipped; line numbers count them.
// - Two kinds of line. A record "user<TAB>next_item<TAB>history" (prep's test.tsv):
//   history is items separated by spaces, oldest first, and may be empty or absent; a line
//   with fewer than 2 or more than 3 tab-separated fields, an empty user or next_item, or
//   a next_item holding a space is malformed: Next() fails with kDataError naming
//   "path:line" and what is wrong. A sequence "item item ..." (a part file): the items,
//   separated by any whitespace, are the history; the user is the line's 1-based number
//   over all the files (blank lines counted), as a string. kEither takes the kind of the
//   first non-blank line for the whole input (a records input needs a tab on every line).
// - The views in a UserRecord stay valid until the next Next(). Memory: one line and a
//   fixed buffer. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_files.h"
#include "common/input_stream.h"
#include "common/status.h"

namespace item2vec {

struct UserRecord {
  std::string_view user;
  std::string_view next;     // "" for a sequence line
  std::string_view history;  // records: items separated by ' '; sequences: by any whitespace
};

class UserRecordReader {
 public:
  enum class Kind { kRecords, kSequences, kEither };

  explicit UserRecordReader(std::vector<InputFile> files, Kind kind = Kind::kRecords);
  // The next record; false at the end or on an error (status() tells which).
  bool Next(UserRecord* record);
  const Status& status() const { return status_; }
  // The kind the input turned out to be (kEither until the first record).
  Kind kind() const { return kind_; }
  // "path:line" of the record last returned.
  std::string Where() const;
  std::int64_t line_number() const { return line_; }

 private:
  bool NextLine();
  bool Parse(UserRecord* record);

  std::vector<InputFile> files_;
  Kind kind_;
  std::size_t file_ = 0;
  bool open_ = false;
  InputStream stream_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  std::string line_text_, user_text_;
  std::int64_t line_ = 0, lines_before_ = 0;  // in this file; in the files before it
  Status status_;
};

// Calls visit(std::string_view item) for each item of a history, in order: split by ' '
// in a record (eval's rule, byte for byte), by any whitespace in a sequence line (train's).
template <typename Visit>
void ForEachHistoryItem(std::string_view history, bool any_whitespace, Visit visit) {
  const auto space = [any_whitespace](char c) {
    return c == ' ' || (any_whitespace && (c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n'));
  };
  std::size_t i = 0;
  while (i < history.size()) {
    while (i < history.size() && space(history[i])) ++i;
    std::size_t j = i;
    while (j < history.size() && !space(history[j])) ++j;
    if (j > i) visit(history.substr(i, j - i));
    i = j;
  }
}

}  // namespace item2vec
